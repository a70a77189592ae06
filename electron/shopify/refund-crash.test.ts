/*
 * Testing the tests — a till killed while it makes cash refunds and sends them to Shopify
 * (answers lost besides) must end, once its queue drains, with exactly one Shopify refund per
 * journaled refund, of its amount, and its restocked units back in Shopify's stock.
 *   npx vitest run electron/shopify/refund-crash.test.ts
 * REFUND_CRASH_SEED=<n> replays a run (the seed is in the test's name and every failure message).
 *
 * The fake ignores the idempotency key here, so this holds the look-up of the order's refunds to
 * exactly-once on its own under SIGKILL (refunds.test.ts proves the key alone).
 * REFUND_CRASH_KEY=on runs it with the key honoured, as Shopify does.
 *
 * R1, the look-up removed — electron/shopify/refunds.ts, sendRefund:
 *     const landed = order.refunds.find(…)  →  const landed = undefined as { id: string } | undefined;
 *   → red: "the queue once drained" (Shopify refuses the second send as more than was bought, and
 *   it is parked) or "Shopify refunds for refund …: expected 2 to be 1" where the quantities allow.
 */
import Database from 'better-sqlite3';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random.js';
import { runSeed } from '../../shared/test-support/seed.js';
import { tempDir } from '../test-support/fixtures.js';
import { bundleChild } from '../test-support/kill-child.js';
import {
  drawRun,
  expectStockBack,
  journalCatalog,
  restartAndDrain,
  startRun,
  setUpCrashTill,
  soldPerVariant,
  startCrashShopify,
  type PerVariant,
} from '../test-support/shopify-crash.js';
import { call, catalog } from '../test-support/shopify-world.js';

const CHILD = resolve(import.meta.dirname, '../test-support/refund-crash-child.ts');
const SEED = runSeed('REFUND_CRASH_SEED');
const KEY = process.env.REFUND_CRASH_KEY === 'on';
const KILLS = 30;
const REPLAY = `replay with REFUND_CRASH_SEED=${SEED}`;
/** Where a child dies: inside the fake as a refund is made (its answer never heard), or at its own step. */
const KILL_POINTS = ['refund created', 'refund', 'pump'] as const;

describe('a till killed while refunding and sending refunds to Shopify', () => {
  let child: Awaited<ReturnType<typeof bundleChild>>;
  beforeAll(async () => {
    child = await bundleChild(CHILD);
  });
  afterAll(() => child.remove());

  it(
    `sends every refund exactly once after restarts, answers lost or not (REFUND_CRASH_SEED=${SEED}, ${KILLS} kills, key ${KEY ? 'on' : 'off'})`,
    { timeout: 240_000 },
    async () => {
      const dir = tempDir('till-refund-crash-');
      const { products, stock } = catalog(4);
      journalCatalog(dir.path, products);
      const { fake, orders } = await startCrashShopify(stock);
      const random = mulberry32(SEED);
      try {
        await setUpCrashTill(dir.path, fake);
        orders.honourIdempotency = KEY;

        fake.failRandomly(0.2, ['reset-after', '503-after', 'hang-after', '503'], SEED);
        const reported = new Set<string>();
        let killedOnRefund = 0;
        for (let kill = 0; kill < KILLS; kill++) {
          const at = KILL_POINTS[kill % KILL_POINTS.length]!;
          const { nth, args } = drawRun(random, at, 2);
          const started = startRun(child.path, dir.path, fake, kill, args);
          let made = 0;
          orders.onRefunded =
            at === 'refund created'
              ? () => {
                  if (++made === nth) {
                    killedOnRefund++;
                    started.kill(`refund created #${nth}`);
                  }
                }
              : null;
          const run = await started.run.catch((err: unknown) => {
            throw new Error(`${REPLAY}: kill ${kill} (${args.join(' ')}): ${String(err)}`);
          });
          for (const line of run.lines) if (line.startsWith('refund ')) reported.add(line.slice(7));
        }
        orders.onRefunded = null;
        fake.failRandomly(0, []);
        expect(killedOnRefund, REPLAY).toBe(KILLS / KILL_POINTS.length);

        const till = await restartAndDrain(dir.path, fake, REPLAY);
        try {
          const db = new Database(join(dir.path, 'journal.sqlite'), { readonly: true });
          db.defaultSafeIntegers(true);
          const journaled = db.prepare(`SELECT id, state, amount FROM refunds`).all() as {
            id: string;
            state: string;
            amount: bigint;
          }[];
          const restocked = db
            .prepare(
              `SELECT sl.variant_id, sum(l.quantity) AS n FROM refund_lines l
               JOIN sale_lines sl ON sl.sale_id = l.sale_id AND sl.line_id = l.line_id
               WHERE l.restock = 1 AND sl.variant_id IS NOT NULL GROUP BY sl.variant_id`,
            )
            .all() as PerVariant;
          const sold = soldPerVariant(db);
          db.close();
          expect(journaled.length, `${REPLAY}: refunds made`).toBeGreaterThan(5);
          for (const id of reported)
            expect(
              journaled.some((r) => r.id === id),
              `${REPLAY}: refund ${id} journaled`,
            ).toBe(true);
          expect(
            [...new Set(orders.refunds.map((r) => r.key))].sort(),
            `${REPLAY}: Shopify refunds for refunds the till never made`,
          ).toEqual(journaled.map((r) => r.id).sort());
          for (const r of journaled) {
            expect(r.state, `${REPLAY}: refund ${r.id}`).toBe('paid');
            const sent = orders.refunds.filter((x) => x.key === r.id);
            expect(sent.length, `${REPLAY}: Shopify refunds for refund ${r.id}`).toBe(1);
            expect(sent[0]!.amount, `${REPLAY}: amount of refund ${r.id}`).toBe(r.amount);
            expect((await call(till, 'getRefund', { refundId: r.id })).shopify?.state).toBe('done');
          }
          expectStockBack(orders, products, sold, restocked, REPLAY);
        } finally {
          await till.close();
        }
      } finally {
        await fake.close();
        dir.remove();
      }
    },
  );
});
