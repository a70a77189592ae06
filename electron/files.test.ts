import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReconcileRun } from '../shared/domain/index.js';
import { openJournal } from './journal/db.js';
import { openTill } from './open-till.js';
import { signInIfOpen } from './test-support/till-calls.js';

const openSignedIn = async (deps: Parameters<typeof openTill>[0]) => signInIfOpen(await openTill(deps));
import { createFileSecretStore } from './secrets/store.js';
import { createImageCache } from './shopify/images.js';
import { call } from './test-support/till-calls.js';
import { manualClock, RESOURCES_DIR, tempDir } from './test-support/fixtures.js';
import type { Till } from './till.js';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

/** Every folder and file under `root`, with its permission bits. */
function modes(root: string): { path: string; dir: boolean; mode: number }[] {
  const out: { path: string; dir: boolean; mode: number }[] = [];
  const walk = (path: string) => {
    const st = statSync(path);
    out.push({ path, dir: st.isDirectory(), mode: st.mode & 0o777 });
    if (st.isDirectory()) for (const f of readdirSync(path)) walk(join(path, f));
  };
  walk(root);
  return out;
}

function reconciled(till: Till): Promise<ReconcileRun> {
  return new Promise((resolve) => {
    const off = till.subscribe((event, payload) => {
      const run = payload as ReconcileRun;
      if (event === 'reconcileProgress' && ['done', 'failed', 'cancelled'].includes(run.state)) {
        off();
        resolve(run);
      }
    });
  });
}

const umask = process.umask();
afterEach(() => void process.umask(umask));

describe.each([0o022, 0o000])('with umask %o', (mask) => {
  it('the data folder is 0700 and every file the till writes is 0600', async () => {
    process.umask(mask);
    const tmp = tempDir('till-modes-');
    const dataDir = join(tmp.path, 'data');
    const clock = manualClock(new Date());
    try {
      const till = await openSignedIn({
        dataDir,
        resourcesDir: RESOURCES_DIR,
        now: clock.now,
        timers: false,
        log: () => undefined,
        exportDir: join(dataDir, 'exports'),
        reconcileEngine: { threads: 1 },
      });
      const { products } = await call(till, 'searchCatalog', {});
      const cart = await call(till, 'addToCart', { variantId: products[0]!.variants[0]!.id });
      await call(till, 'payCash', { tendered: cart.total });
      await call(till, 'addToCart', { variantId: products[1]!.variants[0]!.id });
      const sale = await call(till, 'charge');
      await call(till, 'demoPay', { saleId: sale.id });
      const day = clock.now().toISOString().slice(0, 10);
      const done = reconciled(till);
      await call(till, 'startReconcile', { from: day, to: day });
      expect((await done).state).toBe('done');
      await call(till, 'exportReconcileCsv');
      createFileSecretStore(dataDir).set('lnd', 'macaroon');

      // While open, the journal's and the demo node's -wal and -shm exist: check them too.
      const open = modes(dataDir);
      const names = open.map((m) => m.path.slice(dataDir.length + 1));
      expect(names).toEqual(
        expect.arrayContaining([
          'journal.sqlite',
          'journal.sqlite-wal',
          'journal.sqlite-shm',
          'demo-node.db',
          'demo-node.db-wal',
          'demo-node.key',
          'reconcile',
          'reconcile/reconcile.duckdb',
          'secrets.json',
          'exports',
        ]),
      );
      expect(names.some((n) => n.startsWith('exports/') && n.endsWith('.csv'))).toBe(true);
      await till.close();

      // The image cache, on the till's journal, with one product image to download.
      const db = openJournal(join(dataDir, 'journal.sqlite'));
      db.prepare('UPDATE catalog_products SET source_image_url = ? WHERE id = ?').run(
        'https://cdn.example/espresso.png',
        products[0]!.id,
      );
      const images = createImageCache({
        db,
        dataDir,
        fetch: () => Promise.resolve(new Response(PNG, { headers: { 'content-type': 'image/png' } })),
      });
      expect((await images.run()).downloaded).toBe(1);
      db.close();

      const all = [...open, ...modes(dataDir)];
      expect(all.some((m) => m.path.includes('catalog-images/') && !m.dir)).toBe(true);
      const loose = all.filter((m) => m.mode !== (m.dir ? 0o700 : 0o600));
      expect(loose.map((m) => `${m.path} ${m.mode.toString(8)}`)).toEqual([]);
    } finally {
      tmp.remove();
    }
  });
});

it('a journal left readable by others (an older build) is made private at start-up', async () => {
  const tmp = tempDir('till-modes-');
  try {
    const first = await openSignedIn({ dataDir: tmp.path, resourcesDir: RESOURCES_DIR, timers: false });
    await first.close();
    chmodSync(tmp.path, 0o755);
    chmodSync(join(tmp.path, 'journal.sqlite'), 0o644);
    const till = await openSignedIn({ dataDir: tmp.path, resourcesDir: RESOURCES_DIR, timers: false });
    expect(statSync(tmp.path).mode & 0o777).toBe(0o700);
    expect(statSync(join(tmp.path, 'journal.sqlite')).mode & 0o777).toBe(0o600);
    expect(statSync(join(tmp.path, 'journal.sqlite-wal')).mode & 0o777).toBe(0o600);
    await till.close();
  } finally {
    tmp.remove();
  }
});
