import type { DuckDBAppender, DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  IGNORED_INVOICES_SQL,
  KEEP_TILL_SQL,
  MACROS_SQL,
  SCHEMA_SQL,
  RESULTS_SQL,
  SOURCE_TABLES,
  STAGE_TABLES,
  classifyStatements,
  type PlanStep,
} from './plan.js';
import { emptySummary, type Outcome, type Repair } from './types.js';
import type { JournalSale, NodeInvoice, ReconcileResult, ReconcileSummary, ShopifyOrder } from './types.js';
import type { JournalRefund, ShopifyRefund, WalletPayment } from './types.js';

/**
 * Runs the SQL plan (plan.ts) on DuckDB: the sources stream in through the appender, a page
 * at a time; the classification runs on DuckDB's threads, spilling to `tempDirectory` beyond
 * `memoryLimit`; the results land in the `results` table for paging and export.
 *
 * Node-only (a native addon). DuckDB is imported on first use, never at start-up: its binary
 * is ~70 MB and only a reconciliation needs it. The renderer never imports this file.
 */

export interface RunnerOptions {
  /** The database file; default in memory (spills still go to `tempDirectory`). */
  path?: string;
  /** DuckDB worker threads; default every core. */
  threads?: number;
  /** DuckDB's memory_limit, e.g. '256MB'. */
  memoryLimit?: string;
  /** Where DuckDB spills when over its memory limit ('' forbids spilling: tests). */
  tempDirectory?: string;
  /** The most DuckDB may spill there, e.g. '10GB' (DuckDB's default: 90% of the free disk). */
  maxTempDirectorySize?: string;
}

type AnyIterable<T> = AsyncIterable<T> | Iterable<T>;
type Page<T> = AnyIterable<readonly T[]>;

/** DuckDB's error when a statement needs more than its memory limit (and cannot spill it). */
const outOfMemory = (err: unknown): boolean => err instanceof Error && /Out of Memory/i.test(err.message);

export class ReconcileAbortedError extends Error {
  override name = 'AbortError';
  constructor() {
    super('Reconciliation cancelled.');
  }
}

const opt = (v: string | null, a: DuckDBAppender): void => (v === null ? a.appendNull() : a.appendVarchar(v));
const optBig = (v: bigint | null, a: DuckDBAppender): void =>
  v === null ? a.appendNull() : a.appendBigInt(v);
/**
 * A safe-integer number (a time in ms, a sale number, a seq) into a BIGINT column. DuckDB casts
 * an integral DOUBLE to BIGINT exactly, and skipping the BigInt halves the cost of the value
 * (measured: 110 vs 235 ms for 800,000 values).
 */
const int = (v: number, a: DuckDBAppender): void => {
  if (!Number.isSafeInteger(v)) throw new RangeError(`not a safe integer: ${v}`);
  a.appendDouble(v);
};
const optInt = (v: number | null, a: DuckDBAppender): void => (v === null ? a.appendNull() : int(v, a));

/** Appenders per source: one row per record, in SCHEMA_SQL's column order. */
const ROW = {
  node_invoices(a: DuckDBAppender, seq: number, i: NodeInvoice): void {
    int(seq, a);
    a.appendVarchar(i.paymentHash);
    a.appendBigInt(i.amountMsat);
    optBig(i.amountPaidMsat, a);
    a.appendVarchar(i.state);
    int(i.createdAt, a);
    int(i.expiresAt, a);
    optInt(i.settledAt, a);
    opt(i.till ?? null, a);
  },
  journal_sales(a: DuckDBAppender, seq: number, s: JournalSale): void {
    int(seq, a);
    a.appendVarchar(s.saleId);
    int(s.number, a);
    opt(s.paymentHash, a);
    a.appendVarchar(s.tender);
    a.appendVarchar(s.state);
    a.appendBigInt(s.total);
    a.appendVarchar(s.currency);
    optBig(s.amountPaidMsat, a);
    opt(s.rate, a);
    opt(s.rateSource, a);
    optInt(s.paidAt, a);
    a.appendBoolean(s.paidLate);
    opt(s.orderName, a);
    a.appendBigInt(s.net);
    a.appendBigInt(s.tax);
    a.appendBigInt(s.tip);
    a.appendBigInt(s.discounts);
    opt(s.offline ?? null, a);
  },
  shopify_orders(a: DuckDBAppender, seq: number, o: ShopifyOrder): void {
    int(seq, a);
    a.appendVarchar(o.orderId);
    a.appendVarchar(o.name);
    opt(o.saleId, a);
    a.appendBigInt(o.total);
    a.appendVarchar(o.currency);
    opt(o.paymentHash, a);
    opt(o.till ?? null, a);
  },
  refund_wallet_payments(a: DuckDBAppender, seq: number, p: WalletPayment): void {
    int(seq, a);
    a.appendVarchar(p.paymentHash);
    a.appendBigInt(p.amountMsat);
    int(p.paidAt, a);
  },
  journal_refunds(a: DuckDBAppender, seq: number, r: JournalRefund): void {
    int(seq, a);
    a.appendVarchar(r.refundId);
    a.appendVarchar(r.saleId);
    a.appendVarchar(r.state);
    a.appendVarchar(r.tender);
    opt(r.paymentHash, a);
    optBig(r.amountMsat, a);
    a.appendBigInt(r.amount);
    a.appendVarchar(r.currency);
    optInt(r.paidAt, a);
    int(r.updatedAt, a);
  },
  shopify_refunds(a: DuckDBAppender, seq: number, r: ShopifyRefund): void {
    int(seq, a);
    a.appendVarchar(r.refundId);
    a.appendVarchar(r.orderId);
    a.appendVarchar(r.orderName);
    opt(r.tillRefundId, a);
    a.appendBigInt(r.total);
    a.appendVarchar(r.currency);
    int(r.createdAt, a);
  },
};

/** The engine's progress: `done` steps of `steps` finished, `label` the one under way (null at the end). */
export type OnStep = (done: number, steps: number, label: string | null) => void;

/** What classify takes: classify.ts's ClassifyOptions, `orders` required. */
export interface ClassifyRunOptions {
  orders: boolean;
  /** The sales' joins in steps from the start (plan.ts); otherwise only once one pass runs out of memory. */
  inSteps?: boolean;
  wallet?: 'own' | 'shared' | 'unchecked';
  refundCutoff?: number;
}

export interface ReconcileDb {
  readonly connection: DuckDBConnection;
  /** Appends pages of one source; returns how many records it appended. */
  appendInvoices(
    pages: Page<NodeInvoice>,
    signal?: AbortSignal,
    onPage?: (n: number) => void,
  ): Promise<number>;
  appendSales(pages: Page<JournalSale>, signal?: AbortSignal, onPage?: (n: number) => void): Promise<number>;
  appendOrders(
    pages: Page<ShopifyOrder>,
    signal?: AbortSignal,
    onPage?: (n: number) => void,
  ): Promise<number>;
  /**
   * Orders from one SELECT DuckDB runs itself (a file it reads, say a Shopify bulk export), in
   * one INSERT: no appender, no record in JS. The SELECT yields shopify_orders' columns but `seq`
   * (order_id, name, sale_id, total, currency, payment_hash, till) and `ord`, the order the
   * source lists them in (a STRUCT's fields named). Exactly `expect` orders or none: a short file inserts nothing and
   * throws. Returns how many it inserted.
   */
  insertOrders(select: string, expect: number): Promise<number>;
  /** Refunds (issue 14): the refund wallet's payments, the journal's refunds, Shopify's. */
  appendWalletPayments(pages: Page<WalletPayment>, signal?: AbortSignal): Promise<number>;
  appendRefunds(pages: Page<JournalRefund>, signal?: AbortSignal): Promise<number>;
  appendShopifyRefunds(pages: Page<ShopifyRefund>, signal?: AbortSignal): Promise<number>;
  /**
   * Leaves out the invoices and orders that are not `till`'s (plan.ts KEEP_TILL_SQL), before
   * classify; returns how many it left out. Not called for "everything the node received".
   */
  keepTill(till: string): Promise<number>;
  /**
   * Runs the plan into the `results` table (replacing it); returns the summary. `onStep` hears
   * each step as it starts (`done` of `steps` finished) and once more when all are done.
   */
  classify(options: ClassifyRunOptions, signal?: AbortSignal, onStep?: OnStep): Promise<ReconcileSummary>;
  /** Empties the sources and results for another run on the same database. */
  reset(): Promise<void>;
  /** Every result row (tests and small runs; the till pages through `results` instead). */
  results(): Promise<ReconcileResult[]>;
  close(): void;
}

export async function openReconcileDb(options: RunnerOptions = {}): Promise<ReconcileDb> {
  // Loaded here, on the first reconciliation, never on the till's start-up path.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  // Results are ordered explicitly (`seq`), so DuckDB need not keep insertion order: less memory.
  const config: Record<string, string> = { preserve_insertion_order: 'false' };
  if (options.threads !== undefined) config.threads = String(options.threads);
  if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
  if (options.tempDirectory !== undefined) config.temp_directory = options.tempDirectory;
  if (options.maxTempDirectorySize !== undefined)
    config.max_temp_directory_size = options.maxTempDirectorySize;
  const instance: DuckDBInstance = await DuckDBInstance.create(options.path ?? ':memory:', config);
  const connection = await instance.connect();
  try {
    // A previous run's sources and results are disposable: every run starts from its sources.
    await connection.run('DROP TABLE IF EXISTS node_invoices; DROP TABLE IF EXISTS journal_sales;');
    await connection.run('DROP TABLE IF EXISTS shopify_orders; DROP TABLE IF EXISTS results;');
    await connection.run(
      'DROP TABLE IF EXISTS refund_wallet_payments; DROP TABLE IF EXISTS journal_refunds; DROP TABLE IF EXISTS shopify_refunds;',
    );
    await connection.run(SCHEMA_SQL);
    await connection.run(MACROS_SQL);
  } catch (err) {
    connection.closeSync();
    instance.closeSync();
    throw err;
  }
  const seqs = {
    node_invoices: 0,
    journal_sales: 0,
    shopify_orders: 0,
    refund_wallet_payments: 0,
    journal_refunds: 0,
    shopify_refunds: 0,
  };

  async function append<T, K extends keyof typeof ROW>(
    table: K,
    pages: Page<T>,
    signal: AbortSignal | undefined,
    onPage: ((n: number) => void) | undefined,
  ): Promise<number> {
    const appender = await connection.createAppender(table, 'main', 'temp');
    const row = ROW[table] as (a: DuckDBAppender, seq: number, r: T) => void;
    let n = 0;
    try {
      for await (const page of pages) {
        if (signal?.aborted) throw new ReconcileAbortedError();
        for (const r of page) {
          const seq = seqs[table];
          seqs[table] = seq + 1;
          row(appender, seq, r);
          appender.endRow();
        }
        n += page.length;
        onPage?.(n);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    return n;
  }

  const count = async (table: string): Promise<number> =>
    Number((await connection.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0]![0]);

  return {
    connection,
    appendInvoices: (pages, signal, onPage) => append('node_invoices', pages, signal, onPage),
    appendSales: (pages, signal, onPage) => append('journal_sales', pages, signal, onPage),
    appendOrders: (pages, signal, onPage) => append('shopify_orders', pages, signal, onPage),
    async insertOrders(select, expect) {
      const first = seqs.shopify_orders;
      await connection.run('BEGIN TRANSACTION');
      try {
        // Staged, then numbered by a narrow sort (row ids only) and joined back: sorting the
        // wide rows in the window itself took twice as long (4.1 vs 2.1 s for 1,000,000 orders).
        await connection.run(`CREATE OR REPLACE TEMP TABLE orders_in AS SELECT * FROM (${select})`);
        const reader = await connection.runAndReadAll(
          `INSERT INTO shopify_orders
           SELECT ${first} + r.n - 1, order_id, name, sale_id, total, currency, payment_hash, till
           FROM orders_in o JOIN (SELECT rowid AS id, row_number() OVER (ORDER BY ord) AS n FROM orders_in) r
             ON r.id = o.rowid`,
        );
        await connection.run('DROP TABLE orders_in');
        const n = Number(reader.getRows()[0]?.[0] ?? 0);
        if (n !== expect) throw new Error(`expected ${expect} orders, read ${n}`);
        await connection.run('COMMIT');
        seqs.shopify_orders = first + n;
        return n;
      } catch (err) {
        await connection.run('ROLLBACK');
        throw err;
      }
    },
    appendWalletPayments: (pages, signal) => append('refund_wallet_payments', pages, signal, undefined),
    appendRefunds: (pages, signal) => append('journal_refunds', pages, signal, undefined),
    appendShopifyRefunds: (pages, signal) => append('shopify_refunds', pages, signal, undefined),
    async keepTill(till) {
      let dropped = 0;
      for (const sql of KEEP_TILL_SQL) {
        const reader = await connection.runAndReadAll(sql, { till });
        dropped += Number(reader.getRows()[0]?.[0] ?? 0);
      }
      return dropped;
    },
    async classify(opts, signal, onStep) {
      if (signal?.aborted) throw new ReconcileAbortedError();
      const onAbort = () => connection.interrupt();
      signal?.addEventListener('abort', onAbort);
      // Statement by statement (plan.ts classifyStatements), then numbered (RESULTS_SQL) and
      // totalled. The sales' joins run in one pass; if that outgrows the memory limit, the run
      // goes on from there with them in steps (slower, but each join spills on its own).
      const plan = (inSteps: boolean): PlanStep[] => [
        ...classifyStatements({ ...opts, inSteps }),
        { label: 'sorting the results', sql: RESULTS_SQL },
      ];
      let inSteps = opts.inSteps ?? false;
      let steps = plan(inSteps);
      let total = steps.length + 1;
      let summary: ReconcileSummary;
      try {
        for (let i = 0; i < steps.length; i++) {
          if (signal?.aborted) throw new ReconcileAbortedError();
          onStep?.(i, total, steps[i]!.label);
          try {
            await connection.run(steps[i]!.sql);
          } catch (err) {
            if (inSteps || signal?.aborted || !outOfMemory(err)) throw err;
            const slower = plan(true);
            const from = slower.findIndex((step, j) => step.sql !== steps[j]?.sql);
            if (i < from) throw err;
            [steps, inSteps, total, i] = [slower, true, slower.length + 1, from - 1];
          }
        }
        onStep?.(steps.length, total, 'totalling');
        summary = await summarise();
      } catch (err) {
        if (signal?.aborted) throw new ReconcileAbortedError();
        throw err;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        for (const t of STAGE_TABLES) await connection.run(`DROP TABLE IF EXISTS ${t}`);
      }
      onStep?.(total, total, null);
      return summary;
    },
    async reset() {
      // Dropped, not emptied: a DELETE's rows hold their memory until a checkpoint, and a run
      // after one that failed for memory would start with the failed run's sources still held.
      for (const t of [...SOURCE_TABLES, 'results']) await connection.run(`DROP TABLE IF EXISTS ${t}`);
      await connection.run(SCHEMA_SQL);
      seqs.node_invoices = seqs.journal_sales = seqs.shopify_orders = 0;
      seqs.refund_wallet_payments = seqs.journal_refunds = seqs.shopify_refunds = 0;
    },
    async results() {
      const reader = await connection.runAndReadAll('SELECT * FROM results ORDER BY seq');
      return reader.getRowObjects().map(toResult);
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };

  async function summarise(): Promise<ReconcileSummary> {
    const summary = emptySummary();
    // takesMoney (types.ts): a matched sale nobody paid is an item, but not money taken.
    const reader = await connection.runAndReadAll(`
      SELECT outcome, currency, count(*) AS n,
             count(*) FILTER (WHERE NOT takes) AS unpaid,
             coalesce(sum(msat) FILTER (WHERE takes), 0)::HUGEINT AS msat,
             coalesce(sum(fiat) FILTER (WHERE takes), 0)::HUGEINT AS fiat,
             count(fiat) FILTER (WHERE takes) AS fiat_items
      FROM (SELECT *, NOT (outcome = 'matched' AND sale_state IS NOT NULL AND sale_state <> 'paid') AS takes
            FROM results)
      GROUP BY outcome, currency`);
    for (const r of reader.getRowObjects()) {
      const t = summary.outcomes[r.outcome as Outcome];
      t.count += Number(r.n);
      t.unpaid += Number(r.unpaid);
      t.msat += r.msat as bigint;
      const currency = r.currency as string | null;
      if (currency !== null && (r.fiat_items as bigint) > 0n)
        t.fiat[currency] = (t.fiat[currency] ?? 0n) + (r.fiat as bigint);
      summary.items += Number(r.n);
    }
    const ignored = await connection.runAndReadAll(IGNORED_INVOICES_SQL);
    summary.ignoredInvoices = Number(ignored.getRows()[0]![0]);
    summary.records = {
      node: await count('node_invoices'),
      journal: await count('journal_sales'),
      shopify: await count('shopify_orders'),
    };
    return summary;
  }
}

const num = (v: unknown): number | null => (v === null ? null : Number(v));
const big = (v: unknown): bigint | null => (v === null ? null : (v as bigint));
const str = (v: unknown): string | null => (v === null ? null : (v as string));

/** A `results` row as the reference's ReconcileResult. */
export function toResult(r: Record<string, unknown>): ReconcileResult {
  return {
    outcome: r.outcome as Outcome,
    repair: r.repair as Repair,
    safe: r.safe as boolean,
    saleId: str(r.sale_id),
    saleNumber: num(r.sale_number),
    paymentHash: str(r.payment_hash),
    orderId: str(r.order_id),
    orderName: str(r.order_name),
    tender: str(r.tender) as ReconcileResult['tender'],
    saleState: str(r.sale_state) as ReconcileResult['saleState'],
    time: num(r.time),
    msat: big(r.msat),
    fiat: big(r.fiat),
    currency: str(r.currency),
    rate: str(r.rate),
    rateSource: str(r.rate_source),
    net: big(r.net),
    tax: big(r.tax),
    tip: big(r.tip),
    discounts: big(r.discounts),
    detail: r.detail as string,
  };
}

export interface ReconcileInput {
  node: readonly NodeInvoice[];
  journal: readonly JournalSale[];
  shopify: readonly ShopifyOrder[];
  wallet?: readonly WalletPayment[];
  refunds?: readonly JournalRefund[];
  shopifyRefunds?: readonly ShopifyRefund[];
}

/** Every record of the three sources at once, classified on `db` (emptied first). */
export async function reconcileAll(
  db: ReconcileDb,
  input: ReconcileInput,
  orders = true,
  refundOptions: Omit<ClassifyRunOptions, 'orders'> = {},
): Promise<{ results: ReconcileResult[]; summary: ReconcileSummary }> {
  await db.reset();
  await db.appendInvoices([input.node]);
  await db.appendSales([input.journal]);
  await db.appendOrders([input.shopify]);
  await db.appendWalletPayments([input.wallet ?? []]);
  await db.appendRefunds([input.refunds ?? []]);
  await db.appendShopifyRefunds([input.shopifyRefunds ?? []]);
  const summary = await db.classify({ orders, ...refundOptions });
  return { results: await db.results(), summary };
}

/** As reconcileAll, on a database of its own (closed after). */
export async function reconcileOnDuckDB(
  input: ReconcileInput,
  options: RunnerOptions & { orders?: boolean } = {},
): Promise<{ results: ReconcileResult[]; summary: ReconcileSummary }> {
  const db = await openReconcileDb(options);
  try {
    return await reconcileAll(db, input, options.orders ?? true);
  } finally {
    db.close();
  }
}
