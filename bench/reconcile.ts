import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyPartition } from '../shared/reconcile/classify.js';
import { openReconcileDb, type ReconcileDb } from '../shared/reconcile/runner.js';
import { fiatToDecimalString } from '../shared/money/index.js';
import { bulkOrdersSelect } from '../electron/reconcile/bulk-orders.js';
import { dataset } from '../shared/reconcile/test-support/generate.js';
import { addToSummary, emptySummary, type ReconcileSummary } from '../shared/reconcile/types.js';
import type { ShopifyOrder } from '../shared/reconcile/types.js';

/**
 * Reconciliation of a busy shop's year: `n` sales with their invoices and orders, generated from a
 * fixed seed (3% discrepancies of every kind) and materialised as arrays BEFORE the clock starts.
 * Then, each in its own process so its peak RSS is its own:
 *   (a) baseline — the reference classifier (classify.ts) as one single-threaded loop;
 *   (b) DuckDB with 1 thread, (c) DuckDB with every core: the SQL plan (plan.ts) on the runner,
 *       timed per phase: read_append (the three sources through the appender), join_classify
 *       (the plan's steps: keying, ranking, classifying), write_results (numbering the items into
 *       the results table) and summary (the totals per outcome); at the till's 512 MB limit.
 * Every variant must end with the same summary, which the parent checks.
 *
 * orders_load: the `n` sales' Shopify orders into `shopify_orders`, two ways, each in its own
 * process on every core: through the appender from records already parsed in memory (the paged
 * path, without its HTTP and JSON parsing), and with DuckDB's read_json from the JSONL file a
 * bulk export leaves (electron/reconcile/bulk-orders.ts, the file written before the clock).
 * Both must load the same rows, which the parent checks.
 */

type Variant = 'baseline' | 'duckdb1' | 'duckdbAll';
type OrdersVariant = 'orders_appender' | 'orders_read_json';

interface Measured {
  variant: Variant;
  threads: number;
  wall_s: number;
  phases_s: Record<string, number>;
  records_per_s: number;
  peak_rss_mb: number;
  records: number;
  items: number;
  summary_digest: string;
}

const digest = (s: ReconcileSummary): string =>
  JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
const secs = (t0: bigint): number => Math.round(Number(process.hrtime.bigint() - t0) / 1e7) / 100;

async function child(variant: Variant, n: number, seed: number): Promise<Measured> {
  const data = dataset(seed, n);
  const input = { node: [...data.node], journal: [...data.journal], shopify: [...data.shopify] };
  const records = input.node.length + input.journal.length + input.shopify.length;
  const threads = variant === 'duckdb1' ? 1 : variant === 'duckdbAll' ? availableParallelism() : 1;
  const phases: Record<string, number> = {};
  let summary: ReconcileSummary;
  // The clock starts here: the sources are in memory, generated above.
  const t0 = process.hrtime.bigint();
  if (variant === 'baseline') {
    const { results, ignoredInvoices } = classifyPartition(input);
    phases.classify = secs(t0);
    const t1 = process.hrtime.bigint();
    summary = emptySummary();
    summary.records = {
      node: input.node.length,
      journal: input.journal.length,
      shopify: input.shopify.length,
    };
    summary.ignoredInvoices = ignoredInvoices;
    for (const r of results) addToSummary(summary, r);
    phases.summary = secs(t1);
  } else {
    // The till's own settings: 512 MB for DuckDB (BENCH_RECONCILE_MEMORY to change), spilling
    // beyond it to a temp directory.
    const spill = mkdtempSync(join(tmpdir(), 'reconcile-bench-'));
    const memoryLimit = process.env.BENCH_RECONCILE_MEMORY ?? '512MB';
    const db = await openReconcileDb({ threads, memoryLimit, tempDirectory: spill });
    phases.open = secs(t0);
    const page = 10_000;
    const pages = <T>(rows: T[]) =>
      (function* () {
        for (let i = 0; i < rows.length; i += page) yield rows.slice(i, i + page);
      })();
    const t = process.hrtime.bigint();
    await db.appendSales(pages(input.journal));
    await db.appendInvoices(pages(input.node));
    await db.appendOrders(pages(input.shopify));
    phases.read_append = secs(t);
    // The engine's steps, timed as each begins: keying/ranking the sources and classifying
    // (join_classify), numbering the results into the results table (write_results), totalling.
    const began: Array<[string | null, bigint]> = [];
    summary = await db.classify({ orders: true }, undefined, (_done, _steps, label) =>
      began.push([label, process.hrtime.bigint()]),
    );
    const at = (label: string | null) => began.find(([l]) => l === label)![1];
    const span = (a: bigint, b: bigint) => Math.round(Number(b - a) / 1e7) / 100;
    phases.join_classify = span(began[0]![1], at('sorting the results'));
    phases.write_results = span(at('sorting the results'), at('totalling'));
    phases.summary = span(at('totalling'), at(null));
    db.close();
    rmSync(spill, { recursive: true, force: true });
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    variant,
    threads,
    wall_s: Math.round(wall * 100) / 100,
    phases_s: phases,
    records_per_s: Math.round(records / wall),
    // maxRSS is in KiB and covers every thread of the process.
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    records,
    items: summary.items,
    summary_digest: digest(summary),
  };
}

interface OrdersMeasured {
  variant: OrdersVariant;
  orders: number;
  load_s: number;
  orders_per_s: number;
  file_mb: number | null;
  peak_rss_mb: number;
  table_digest: string;
}

/** An order as a bulk export's JSONL line (the fields bulk-orders.ts selects). */
function jsonlLine(o: ShopifyOrder, i: number): string {
  return JSON.stringify({
    id: o.orderId,
    name: o.name,
    processedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    metafield: o.saleId === null ? null : { value: o.saleId },
    customAttributes: [
      ...(o.till ? [{ key: 'till_id', value: o.till }] : []),
      { key: 'tender', value: o.paymentHash ? 'Lightning' : 'Cash' },
      ...(o.paymentHash ? [{ key: 'payment_hash', value: o.paymentHash }] : []),
    ],
    totalPriceSet: {
      shopMoney: { amount: fiatToDecimalString(o.total, o.currency), currencyCode: o.currency },
    },
    transactions: [{ authorizationCode: o.paymentHash, gateway: o.paymentHash ? 'Lightning' : 'Cash' }],
  });
}

async function tableDigest(db: ReconcileDb): Promise<string> {
  // Row by row with its seq, so order counts; no giant string (a million rows in 512 MB).
  const reader = await db.connection.runAndReadAll(
    `SELECT count(*)::VARCHAR || ':' || sum(total)::VARCHAR || ':' ||
       bit_xor(hash(seq, order_id, name, sale_id, total, currency, payment_hash, till))::VARCHAR FROM shopify_orders`,
  );
  return String(reader.getRows()[0]![0]);
}

async function ordersChild(variant: OrdersVariant, n: number, seed: number): Promise<OrdersMeasured> {
  const withTill = (o: ShopifyOrder) => ({ ...o, till: 'till-bench' });
  const dir = mkdtempSync(join(tmpdir(), 'reconcile-bench-orders-'));
  const file = join(dir, 'orders.jsonl');
  let fileMb: number | null = null;
  let count = 0;
  // The appender's records sit in memory before the clock; the bulk path never holds any (a
  // million records alive in the heap slowed read_json's INSERT 3×, 9.5 vs 3.2 s, measured), so
  // its file is written from the generator, one chunk at a time.
  const orders = variant === 'orders_appender' ? [...dataset(seed, n).shopify].map(withTill) : [];
  if (variant === 'orders_read_json') {
    const out = createWriteStream(file);
    let bytes = 0;
    let chunk: string[] = [];
    const flush = async () => {
      const text = chunk.join('');
      chunk = [];
      bytes += Buffer.byteLength(text);
      if (!out.write(text)) await once(out, 'drain');
    };
    for (const o of dataset(seed, n).shopify) {
      chunk.push(`${jsonlLine(withTill(o), count++)}\n`);
      if (chunk.length === 10_000) await flush();
    }
    await flush();
    out.end();
    await once(out, 'finish');
    fileMb = Math.round(bytes / 1e5) / 10;
  } else count = orders.length;
  const db = await openReconcileDb({ memoryLimit: '512MB', tempDirectory: join(dir, 'spill') });
  // The clock starts here: the records (or the file) are ready, the database open.
  const t0 = process.hrtime.bigint();
  if (variant === 'orders_appender') {
    await db.appendOrders(
      (function* () {
        for (let i = 0; i < orders.length; i += 10_000) yield orders.slice(i, i + 10_000);
      })(),
    );
  } else {
    await db.insertOrders(bulkOrdersSelect(file), count);
  }
  const load = Number(process.hrtime.bigint() - t0) / 1e9;
  const table_digest = await tableDigest(db);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    variant,
    orders: count,
    load_s: Math.round(load * 100) / 100,
    orders_per_s: Math.round(count / load),
    file_mb: fileMb,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    table_digest,
  };
}

function spawn(variant: Variant, n: number, seed: number): Measured;
function spawn(variant: OrdersVariant, n: number, seed: number): OrdersMeasured;
function spawn(variant: Variant | OrdersVariant, n: number, seed: number): Measured | OrdersMeasured {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), variant, String(n), String(seed)],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, RECONCILE_BENCH_CHILD: '1' } },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measured | OrdersMeasured;
}

/** Loading the orders: appender vs read_json of a bulk export's file. */
function ordersLoad(n: number, seed: number) {
  const appender = spawn('orders_appender', n, seed);
  const readJson = spawn('orders_read_json', n, seed);
  if (appender.table_digest !== readJson.table_digest) {
    throw new Error('reconcile bench: the appender and read_json loaded different orders');
  }
  const strip = ({ table_digest: _d, variant: _v, ...m }: OrdersMeasured) => m;
  return {
    appender_from_records: strip(appender),
    read_json_from_file: strip(readJson),
    read_json_vs_appender: Math.round((appender.load_s / readJson.load_s) * 100) / 100,
  };
}

function one(n: number, seed: number) {
  const runs = (['baseline', 'duckdb1', 'duckdbAll'] as const).map((v) => spawn(v, n, seed));
  const [base, d1, dAll] = runs as [Measured, Measured, Measured];
  if (runs.some((m) => m.summary_digest !== base.summary_digest)) {
    throw new Error('reconcile bench: DuckDB and the reference classifier disagree');
  }
  const strip = ({ summary_digest: _d, ...m }: Measured) => m;
  const r = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  return {
    sales: n,
    seed,
    cores: availableParallelism(),
    baseline_reference_single_loop: strip(base),
    duckdb_1_thread: strip(d1),
    duckdb_all_cores: strip(dAll),
    speedup_vs_baseline: {
      duckdb_1_thread: r(base.wall_s, d1.wall_s),
      duckdb_all_cores: r(base.wall_s, dAll.wall_s),
    },
    scaling_all_cores_vs_1_thread: {
      wall: r(d1.wall_s, dAll.wall_s),
      join_classify: r(d1.phases_s.join_classify ?? 0, dAll.phases_s.join_classify ?? 1),
    },
    peak_rss_ratio_vs_baseline: r(dAll.peak_rss_mb, base.peak_rss_mb),
    orders_load: ordersLoad(n, seed),
    outcomes: Object.fromEntries(
      Object.entries(
        (JSON.parse(base.summary_digest) as { outcomes: Record<string, { count: number }> }).outcomes,
      ).map(([k, v]) => [k, v.count]),
    ),
  };
}

/** At each size (default 200,000 and 1,000,000 sales; BENCH_RECONCILE_N="n1,n2" to change). */
export function benchReconcile(sizes: readonly number[], seed = 20261124) {
  return sizes.map((n) => one(n, seed));
}

const sizesFromEnv = (): number[] =>
  (process.env.BENCH_RECONCILE_N ?? '200000,1000000').split(',').map((s) => Number(s.trim()));

if (process.env.RECONCILE_BENCH_CHILD && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [variant, n, seed] = process.argv.slice(2);
  console.log(
    JSON.stringify(
      variant?.startsWith('orders_')
        ? await ordersChild(variant as OrdersVariant, Number(n), Number(seed))
        : await child(variant as Variant, Number(n), Number(seed)),
    ),
  );
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(benchReconcile(sizesFromEnv()), null, 2));
}

export { sizesFromEnv };
