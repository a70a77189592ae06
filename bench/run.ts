import { signedInTill } from '../electron/test-support/till-calls.js';
import { cpus } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Product, Sale } from '../shared/domain/index.js';
import { createDemoBackend } from '../electron/lightning/demo/backend.js';
import type { createTill } from '../electron/till.js';
import { RESOURCES_DIR, tempDir } from '../electron/test-support/fixtures.js';
import { benchBackends } from './backends.js';
import { benchCatalog } from './catalog.js';
import { benchPricing } from './pricing.js';
import { benchReconcile, sizesFromEnv } from './reconcile.js';
import { benchTillReconcile } from './reconcile-till.js';
import { ratio, summarize, time } from './stats.js';

/**
 * `npm run bench`: JSON on stdout. Each figure stands beside a baseline measured in the same
 * run on the same machine, so the ratio means something on a shared, noisy host.
 */
const N = Number(process.env.BENCH_N ?? 300);
const dir = tempDir('till-bench-');

async function call<T>(
  till: Awaited<ReturnType<typeof createTill>>,
  name: string,
  input: unknown = {},
): Promise<T> {
  const reply = await till.invoke(name, input);
  if (!reply.ok) throw new Error(`${name}: ${reply.error.message}`);
  return reply.value as T;
}

try {
  // 1. A whole sale through the till (cart → charge → invoice → paid, every step journaled
  //    with synchronous=FULL), against the bare SQLite cost of one durable transaction.
  const till = await signedInTill({
    dataDir: join(dir.path, 'till'),
    resourcesDir: RESOURCES_DIR,
    timers: false,
  });
  const { products } = await call<{ products: Product[] }>(till, 'searchCatalog', {});
  const variantId = products[0]!.variants[0]!.id;
  const sale = await time(N, async () => {
    await call(till, 'addToCart', { variantId });
    const s = await call<Sale>(till, 'charge');
    await call(till, 'demoPay', { saleId: s.id });
  });

  const raw = new Database(join(dir.path, 'baseline.sqlite'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const insert = raw.prepare('INSERT INTO t (v) VALUES (?)');
  const txn = await time(N, (i) => raw.transaction(() => insert.run(`sale ${i}`))());
  raw.close();

  // 2. Invoice creation in the demo node (encode + sign + journal) against a bare signature.
  const node = createDemoBackend({ dataDir: join(dir.path, 'node') });
  const create = await time(N, () =>
    node.createInvoice({ amountMsat: 12_345_000n, description: 'bench', expirySec: 600 }),
  );
  await node.close();
  const key = secp256k1.utils.randomSecretKey();
  const sign = await time(N, (i) => secp256k1.sign(sha256(new TextEncoder().encode(`invoice ${i}`)), key));

  // 3. Catalog search through the journal against filtering the same products in memory.
  const queries = ['latte', 'tea', 'COF', '00', 'mug', 'zzz'];
  const search = await time(N, (i) => call(till, 'searchCatalog', { query: queries[i % queries.length] }));
  const inMemory = await time(N, (i) => {
    const q = queries[i % queries.length]!.toLowerCase();
    return products.filter(
      (p) =>
        p.title.toLowerCase().includes(q) || p.variants.some((v) => (v.sku ?? '').toLowerCase().includes(q)),
    );
  });
  await till.close();

  // 5. The Shopify catalog: bulk vs naive full sync, incremental, FTS vs LIKE, start-up.
  const catalog = process.env.BENCH_SKIP_CATALOG ? null : await benchCatalog();

  // 6. Reconciliation of a busy shop's year: the reference loop vs DuckDB on 1 thread and all cores.
  const reconciliation = process.env.BENCH_SKIP_RECONCILE ? null : benchReconcile(sizesFromEnv());
  // 7. The same through the till: demo node, journal, results in SQLite, the CSV written.
  const tillReconciliation = process.env.BENCH_SKIP_RECONCILE
    ? null
    : await benchTillReconcile(Number(process.env.BENCH_TILL_RECONCILE_N ?? 200_000));

  // 8. Pricing a 200-line cart against a plain sum of its lines.
  const pricing = await benchPricing(Number(process.env.BENCH_PRICING_N ?? 1000));

  // 4. Each Lightning backend through its fake, beside the demo node.
  const backends = await benchBackends(Number(process.env.BENCH_BACKEND_N ?? 100));

  const s = { sale: summarize(sale), txn: summarize(txn), create: summarize(create), sign: summarize(sign) };
  const q = { search: summarize(search), inMemory: summarize(inMemory) };
  console.log(
    JSON.stringify(
      {
        when: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        iterations: N,
        sale_end_to_end: {
          till: s.sale,
          baseline_one_durable_sqlite_txn: s.txn,
          ratio_p50: ratio(s.sale, s.txn),
        },
        invoice_create: {
          demo_node: s.create,
          baseline_secp256k1_sign: s.sign,
          ratio_p50: ratio(s.create, s.sign),
        },
        lightning_backends: {
          note: 'through in-process fakes on loopback; demo is the in-process baseline',
          ...backends,
          settle_to_event_ratio_p50_vs_demo: Object.fromEntries(
            Object.entries(backends).map(([k, v]) => [
              k,
              ratio(v.settle_to_event, backends.demo!.settle_to_event),
            ]),
          ),
        },
        shopify_catalog: catalog,
        reconciliation,
        till_reconciliation: tillReconciliation,
        pricing,
        catalog_search: {
          till: q.search,
          baseline_in_memory_filter: q.inMemory,
          ratio_p50: ratio(q.search, q.inMemory),
          products: products.length,
        },
      },
      null,
      2,
    ),
  );
} finally {
  dir.remove();
}
