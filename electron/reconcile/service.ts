import { chmodSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TillError } from '../../shared/contract/index.js';
import { storageCause, storageCauses } from '../journal/storage-errors.js';
import { ensureDir, makePrivateDir, openPrivateFile, privatiseTree, writePrivateFile } from '../files.js';
import { closeSync } from 'node:fs';
import {
  idleReconcileProgress,
  idleReconcileRun,
  type ReconcileRow,
  type ReconcileRun,
  type ReconcileSource,
} from '../../shared/domain/index.js';
import { CSV_SELECT_SQL, PARQUET_SELECT_SQL } from './csv.js';
import {
  ReconcileAbortedError,
  openReconcileDb,
  type ReconcileDb,
  type RunnerOptions,
} from '../../shared/reconcile/runner.js';
import {
  OUTCOMES,
  type JournalSale,
  type NodeInvoice,
  type ReconcileSummary,
} from '../../shared/reconcile/types.js';
import type { Invoice, LightningBackend } from '../lightning/backend.js';
import type { ShopifyClient } from '../shopify/client.js';
import type { Db } from '../journal/db.js';
import { journalSalePages, nodeInvoicePages } from './sources.js';
import { readShopifyOrders } from './bulk-orders.js';
import { journalRefunds, shopifyRefunds, walletPayments } from './refund-sources.js';
import type { RefundWallet } from '../refund-wallet/wallet.js';
import { dayStart } from '../../shared/domain/days.js';

/**
 * The till's side of reconciliation: it feeds DuckDB (shared/reconcile/runner.ts) the three
 * sources for a period, page by page through the appender, runs the SQL plan into a results
 * table in DuckDB (temporary tables of a DuckDB file beside the journal, rebuilt by every run:
 * a year of a busy shop does not fit in the main process's memory, so DuckDB's memory_limit
 * bounds it and it spills to a temp directory in the data dir), pushes progress, serves pages,
 * streams the CSV and Parquet exports with COPY, and
 * applies the safe repairs, each through the till's own journaled paths.
 */

export interface ReconcileDeps {
  /** This till's id: a run keeps its invoices and orders only, unless asked for everything. */
  tillId: string;
  /** The journal file: read through its own read-only connection, so selling goes on meanwhile. */
  journalPath: string;
  dataDir: string;
  backend: () => LightningBackend;
  shopify: () => ShopifyClient | null;
  now: () => Date;
  log: (message: string, err?: unknown) => void;
  emit: (run: ReconcileRun) => void;
  /**
   * Journals a settlement the node reports (idempotent; marks late payments as such).
   * Returns what it did, or null when the journal already says so.
   */
  recordPayment: (invoice: Invoice) => string | null;
  /** Puts a paid sale's order in the outbox: what it did, or why it could not. */
  queueOrder: (saleId: string) => { done: string } | { skipped: string };
  sqliteBinding?: string;
  /** DuckDB's threads and memory limit (default every core, 512 MB). */
  engine?: Pick<RunnerOptions, 'threads' | 'memoryLimit'>;
  /** The till's refund wallet (issue 14): its outgoing payments are a source; null: none set up. */
  refundWallet?: () => RefundWallet | null;
  /**
   * How long a paid refund may take to reach Shopify, and a `paying` one to complete, before
   * reconciliation calls it missing / stuck (default 24 hours).
   */
  refundGraceMs?: number;
  /** How a bulk export of a long period's orders waits between polls (tests: no wait). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Offline payments proven later (issue 17): asks the companion server about those waiting for
   * its word before the journal is read, so a run sees them confirmed or flagged. A run whose
   * companion cannot be asked goes on, and says so.
   */
  offlineProofs?: {
    /** Set up, and a payment waits for the companion's word (cheap, asked first). */
    due: () => boolean;
    /** Asks; throws (words for a manager) when the companion cannot be asked. */
    check: () => Promise<{ asked: number; summary: string }>;
  };
}

/**
 * A failed run in a manager's words. DuckDB's own text (with its SET advice) goes to the log: a
 * manager can choose a shorter period or free the disk, not tune the engine.
 */
export function failureWords(err: unknown, memoryLimit: string): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/max_temp_directory_size|No space left on device|disk is full|ENOSPC/i.test(text))
    return 'The disk is full: reconciliation could not write its working files. Free some space on the till’s disk, or reconcile a shorter period.';
  if (/Out of Memory Error/i.test(text))
    return `This period needs more memory than reconciliation may use (${memoryLimit}): reconcile a shorter period, a month at a time.`;
  return text;
}

/** Default grace for refunds to reach Shopify or finish paying. */
export const REFUND_GRACE_MS = 24 * 60 * 60 * 1000;

const sqlText = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export type ReconcileService = ReturnType<typeof createReconcileService>;

export function createReconcileService(deps: ReconcileDeps) {
  // One folder, private to the till's user: DuckDB's file and its spill files (a period's sales).
  const dir = join(deps.dataDir, 'reconcile');
  // The period of a run under way: a till killed mid-run runs it again when it starts.
  const pendingFile = join(deps.dataDir, 'reconcile-run.json');
  // What the home-made engine left behind (results file, checkpoints): superseded by DuckDB.
  for (const old of ['reconcile.sqlite', 'reconcile.sqlite-wal', 'reconcile.sqlite-shm', 'reconcile-run']) {
    rmSync(join(deps.dataDir, old), { recursive: true, force: true });
  }

  let run: ReconcileRun = idleReconcileRun();
  let abort: AbortController | null = null;
  let running: Promise<void> | null = null;
  let opened: Promise<ReconcileDb> | null = null;
  let hasResults = false;
  const memoryLimit = deps.engine?.memoryLimit ?? '512MB';

  /** DuckDB is loaded and its file opened on the first run, never as the till starts. */
  function database(): Promise<ReconcileDb> {
    if (!opened) {
      makePrivateDir(dir);
      const file = join(dir, 'reconcile.duckdb');
      const open = () =>
        openReconcileDb({
          path: file,
          tempDirectory: join(dir, 'spill'),
          memoryLimit,
          ...(deps.engine?.threads ? { threads: deps.engine.threads } : {}),
        });
      // The file is disposable (every run rebuilds it): one a crash left unreadable is replaced.
      opened = open().catch((err: unknown) => {
        deps.log('the last reconciliation’s results could not be read; starting afresh', err);
        for (const f of [file, `${file}.wal`]) rmSync(f, { force: true });
        return open();
      });
      opened.then(
        () => privatiseTree(dir),
        () => (opened = null),
      );
    }
    return opened;
  }

  function publish(patch: Partial<ReconcileRun>): void {
    run = { ...run, ...patch };
    deps.emit(run);
  }

  function summaryRows(summary: ReconcileSummary, currency: string): ReconcileRun['outcomes'] {
    return OUTCOMES.map((outcome) => {
      const t = summary.outcomes[outcome];
      return { outcome, count: t.count, unpaid: t.unpaid, msat: t.msat, fiat: t.fiat[currency] ?? 0n };
    });
  }

  /**
   * The journal through a read-only connection of its own: a long read must not hold the till's
   * connection busy, and WAL lets it read a consistent snapshot while sales are written. Its
   * pages are memory-mapped and cached generously: a sale's invoice is found by its hash, a
   * random lookup per sale (measured, a million sales joined with their invoices: 3.5 s with
   * SQLite's defaults, 1.5 s mapped).
   */
  function journalReader(): Db {
    const reader = new Database(deps.journalPath, {
      readonly: true,
      fileMustExist: true,
      ...(deps.sqliteBinding ? { nativeBinding: deps.sqliteBinding } : {}),
    });
    reader.defaultSafeIntegers(true);
    reader.pragma('mmap_size = 1073741824');
    reader.pragma('cache_size = -65536');
    return reader;
  }

  async function* mapInvoices(from: Date, to: Date): AsyncGenerator<NodeInvoice[]> {
    for await (const page of nodeInvoicePages(deps.backend(), from, to)) {
      yield page.map((i) => ({
        paymentHash: i.paymentHash,
        amountMsat: i.amountMsat,
        amountPaidMsat: i.amountPaidMsat,
        state: i.state,
        createdAt: i.createdAt.getTime(),
        expiresAt: i.expiresAt.getTime(),
        settledAt: i.settledAt?.getTime() ?? null,
        till: i.till ?? null,
      }));
    }
  }

  async function* mapSales(from: Date, to: Date): AsyncGenerator<JournalSale[]> {
    const reader = journalReader();
    try {
      for await (const page of journalSalePages(reader, from, to)) {
        yield page.map((s) => ({
          saleId: s.saleId,
          number: s.number,
          paymentHash: s.tender === 'cash' ? null : s.paymentHash,
          tender: s.tender,
          state: s.state as JournalSale['state'],
          total: s.total,
          currency: s.currency,
          amountPaidMsat: s.amountPaidMsat,
          rate: s.rate,
          rateSource: s.rateSource,
          paidAt: s.paidAt ? Date.parse(s.paidAt) : null,
          paidLate: s.paidLate,
          orderName: s.orderName,
          net: s.net,
          tax: s.tax,
          tip: s.tip,
          discounts: s.discounts,
          offline: s.offline,
        }));
      }
    } finally {
      reader.close();
    }
  }

  /** Refunds (issue 14): the journal's, the refund wallet's payments, Shopify's. */
  async function appendRefundSources(
    db: ReconcileDb,
    client: ShopifyClient | null,
    from: Date,
    to: Date,
    signal: AbortSignal,
  ): Promise<{ read: number; wallet: 'own' | 'unchecked'; cutoff: number }> {
    const grace = deps.refundGraceMs ?? REFUND_GRACE_MS;
    const cutoff = Math.min(deps.now().getTime(), to.getTime()) - grace;
    const reader = journalReader();
    let read = 0;
    try {
      read += await db.appendRefunds(journalRefunds(reader, from, to), signal);
    } finally {
      reader.close();
    }
    const listed = await walletPayments(deps.refundWallet?.() ?? null, from, new Date(to.getTime() + grace));
    if (listed !== 'unsupported') read += await db.appendWalletPayments(listed, signal);
    if (client)
      read += await db.appendShopifyRefunds(
        shopifyRefunds(client, from, new Date(to.getTime() + grace)),
        signal,
      );
    return { read, wallet: listed === 'unsupported' ? 'unchecked' : 'own', cutoff };
  }

  async function countRepairable(db: ReconcileDb): Promise<number> {
    const reader = await db.connection.runAndReadAll(
      "SELECT count(*) FROM results WHERE safe AND repair <> 'none' AND NOT applied",
    );
    return Number(reader.getRows()[0]![0]);
  }

  async function execute(
    fromDay: string,
    toDay: string,
    currency: string,
    everything: boolean,
    signal: AbortSignal,
  ): Promise<Partial<ReconcileRun>> {
    const from = dayStart(fromDay);
    const to = dayStart(toDay, 1);
    const client = deps.shopify();
    writePrivateFile(pendingFile, JSON.stringify({ from: fromDay, to: toDay, currency, everything }));
    const db = await database();
    hasResults = false;
    await db.reset();
    const progress: ReconcileRun['progress'] = idleReconcileProgress('reading');
    const count = { companion: 0, journal: 0, node: 0, shopify: 0, refunds: 0 };
    let lastPublish = 0;
    // The screen needs a few updates a second, not one per page.
    const show = (force = false) => {
      const now = Date.now();
      if (!force && now - lastPublish < 100) return;
      lastPublish = now;
      progress.read = { ...count };
      progress.records = count.journal + count.node + count.shopify + count.refunds + count.companion;
      publish({ progress: { ...progress } });
    };
    const reading = (source: ReconcileSource) => {
      progress.source = source;
      show(true);
      return (n: number) => {
        count[source] = n;
        show();
      };
    };
    // First the companion's word on offline payments, so the journal read after carries it.
    let offlineProof: string | null = null;
    if (deps.offlineProofs?.due()) {
      reading('companion');
      try {
        const asked = await deps.offlineProofs.check();
        count.companion = asked.asked;
        offlineProof = asked.summary;
      } catch (err) {
        offlineProof = err instanceof Error ? err.message : String(err);
        deps.log('reconciliation: the companion server could not be asked', err);
      }
      signal.throwIfAborted();
    }
    count.journal = await db.appendSales(mapSales(from, to), signal, reading('journal'));
    count.node = await db.appendInvoices(mapInvoices(from, to), signal, reading('node'));
    if (client) {
      // A long period comes as one bulk export (bulk-orders.ts), falling back to pages.
      const read = await readShopifyOrders({
        db,
        client,
        from,
        to,
        dir,
        signal,
        onCount: reading('shopify'),
        log: deps.log,
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
      });
      count.shopify = read.orders;
    }
    reading('refunds');
    const refunds = await appendRefundSources(db, client, from, to, signal);
    count.refunds = refunds.read;
    progress.stage = 'classifying';
    progress.source = null;
    show(true);
    const otherTills = everything ? 0 : await db.keepTill(deps.tillId);
    const summary = await db.classify(
      { orders: client !== null, wallet: refunds.wallet, refundCutoff: refunds.cutoff },
      signal,
      (done, steps, label) => {
        Object.assign(progress, { step: done, steps, stepLabel: label });
        show(true);
      },
    );
    hasResults = true;
    const repairable = await countRepairable(db);
    privatiseTree(dir);
    return {
      state: 'done',
      finishedAt: deps.now().toISOString(),
      progress: { ...progress, stage: 'done', stepLabel: null },
      outcomes: summaryRows(summary, currency),
      items: summary.items,
      repairable,
      otherTills,
      sources: { node: true, shopify: client !== null },
      offlineProof,
    };
  }

  function toRow(r: Record<string, unknown>): ReconcileRow {
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    const big = (v: unknown) => (v === null || v === undefined ? null : (v as bigint));
    return {
      outcome: r.outcome as string,
      repair: r.repair as string,
      safe: r.safe === true && r.repair !== 'none',
      saleId: (r.sale_id as string | null) ?? null,
      saleNumber: num(r.sale_number),
      paymentHash: (r.payment_hash as string | null) ?? null,
      orderName: (r.order_name as string | null) ?? null,
      tender: (r.tender as string | null) ?? null,
      saleState: (r.sale_state as string | null) ?? null,
      time: r.time === null ? null : new Date(Number(r.time)).toISOString(),
      msat: big(r.msat),
      fiat: big(r.fiat),
      currency: (r.currency as string | null) ?? null,
      rate: (r.rate as string | null) ?? null,
      rateSource: (r.rate_source as string | null) ?? null,
      net: big(r.net),
      tax: big(r.tax),
      tip: big(r.tip),
      discount: big(r.discounts),
      detail: r.detail as string,
      applied: r.applied === true,
    };
  }

  /**
   * Writes the last run into `dir` with DuckDB's COPY (streamed, never in memory). The file is
   * written aside, private to the till's user, and renamed into place; it never replaces another.
   */
  async function exportRun(
    dir: string,
    ext: 'csv' | 'parquet',
  ): Promise<{ filename: string; path: string; rows: number }> {
    if (run.state !== 'done' || !hasResults)
      throw new TillError('InvalidState', 'Run a reconciliation first.');
    const db = await database();
    ensureDir(dir);
    const base = `reconciliation_${run.from ?? ''}_${run.to ?? ''}`;
    let filename = `${base}.${ext}`;
    for (let n = 2; existsSync(join(dir, filename)); n++) filename = `${base} (${n}).${ext}`;
    const path = join(dir, filename);
    const tmp = `${path}.part`;
    try {
      closeSync(openPrivateFile(tmp, 'w'));
      const options =
        ext === 'csv'
          ? "FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', NEW_LINE '\r\n'"
          : 'FORMAT parquet';
      const select = ext === 'csv' ? CSV_SELECT_SQL : PARQUET_SELECT_SQL;
      const copied = await db.connection.runAndReadAll(`COPY (${select}) TO ${sqlText(tmp)} (${options})`);
      const rows = Number(copied.getRows()[0]?.[0] ?? 0);
      chmodSync(tmp, 0o600);
      renameSync(tmp, path);
      return { filename, path, rows };
    } catch (err) {
      rmSync(tmp, { force: true });
      const cause = storageCause(err);
      throw new TillError(
        cause ? 'StorageError' : 'Internal',
        `The ${ext === 'csv' ? 'CSV' : 'Parquet file'} could not be written to ${dir}: ${cause ? storageCauses[cause].cause : err instanceof Error ? err.message : String(err)}.`,
      );
    }
  }

  return {
    current: () => run,
    start(fromDay: string, toDay: string, currency: string, everything = false): ReconcileRun {
      if (running) throw new TillError('InvalidState', 'A reconciliation is already running.');
      if (dayStart(fromDay) > dayStart(toDay))
        throw new TillError('ValidationError', 'The period ends before it starts.');
      abort = new AbortController();
      publish({
        state: 'running',
        from: fromDay,
        to: toDay,
        progress: idleReconcileProgress('reading'),
        startedAt: deps.now().toISOString(),
        finishedAt: null,
        error: null,
        outcomes: [],
        items: 0,
        repairable: 0,
        offlineProof: null,
        everything,
        otherTills: 0,
      });
      const signal = abort.signal;
      // The run is over (running = null) before its end is published, so whoever hears
      // "done" can act on it at once.
      running = execute(fromDay, toDay, currency, everything, signal).then(
        (patch) => {
          running = null;
          abort = null;
          rmSync(pendingFile, { force: true });
          publish(patch);
        },
        (err: unknown) => {
          running = null;
          abort = null;
          const cancelled = signal.aborted || err instanceof ReconcileAbortedError;
          if (!cancelled) deps.log('reconciliation failed', err);
          publish({
            state: cancelled ? 'cancelled' : 'failed',
            finishedAt: deps.now().toISOString(),
            error: cancelled ? null : failureWords(err, memoryLimit),
          });
        },
      );
      return run;
    },
    async cancel(): Promise<ReconcileRun> {
      const was = abort;
      was?.abort();
      await (running ?? Promise.resolve());
      if (was) rmSync(pendingFile, { force: true });
      return run;
    },
    /**
     * Called as the till starts: a run the till was closed or killed in the middle of is run
     * again from its sources (a year takes seconds on DuckDB: no checkpoint to resume from).
     */
    resumeInterrupted(): boolean {
      if (!existsSync(pendingFile)) return false;
      try {
        const p = JSON.parse(readFileSync(pendingFile, 'utf8')) as {
          from: string;
          to: string;
          currency: string;
          everything?: boolean;
        };
        deps.log(`running again the reconciliation of ${p.from} – ${p.to}`);
        this.start(p.from, p.to, p.currency, p.everything === true);
        return true;
      } catch {
        rmSync(pendingFile, { force: true });
        return false;
      }
    },
    /** Resolves when the run under way (if any) has finished. */
    settled: () => running ?? Promise.resolve(),
    async page(
      outcome: string | undefined,
      offset: number,
      limit: number,
    ): Promise<{ rows: ReconcileRow[]; total: number }> {
      if (!hasResults) return { rows: [], total: 0 };
      const db = await database();
      const where = outcome ? 'WHERE outcome = $outcome' : '';
      const args: Record<string, string> = outcome ? { outcome } : {};
      const total = await db.connection.runAndReadAll(`SELECT count(*) FROM results ${where}`, args);
      const rows = await db.connection.runAndReadAll(
        `SELECT * FROM results ${where} ORDER BY seq LIMIT ${Math.trunc(limit)} OFFSET ${Math.trunc(offset)}`,
        args,
      );
      return { rows: rows.getRowObjects().map(toRow), total: Number(total.getRows()[0]![0]) };
    },
    /**
     * Writes the last run as CSV into `dir` (the bookkeeper's spreadsheet; csv.ts has the columns),
     * streamed by DuckDB's COPY: a year of a busy shop never sits in memory, nor crosses to the screen.
     */
    exportCsv: (dir: string) => exportRun(dir, 'csv'),
    /** The same as Parquet: typed columns for an accountant's tools or a data warehouse. */
    exportParquet: (dir: string) => exportRun(dir, 'parquet'),
    /**
     * Applies every safe repair not yet applied, each through the till's own journaled path
     * (recordPayment asks the node again first). Returns how many were applied and, for the
     * rest, why not.
     */
    async applySafeRepairs(): Promise<{ applied: number; skipped: string[] }> {
      if (running) throw new TillError('InvalidState', 'Wait for the reconciliation to finish.');
      if (run.state !== 'done' || !hasResults)
        throw new TillError('InvalidState', 'Run a reconciliation first.');
      const db = await database();
      const rows = (
        await db.connection.runAndReadAll(
          "SELECT seq, repair, sale_id, sale_number, payment_hash FROM results WHERE safe AND repair <> 'none' AND NOT applied ORDER BY seq",
        )
      ).getRowObjects() as {
        seq: bigint;
        repair: string;
        sale_id: string | null;
        sale_number: bigint | null;
        payment_hash: string | null;
      }[];
      let applied = 0;
      const skipped: string[] = [];
      for (const r of rows) {
        const what =
          r.sale_number !== null ? `Sale #${r.sale_number}` : `Payment ${r.payment_hash?.slice(0, 12)}…`;
        try {
          let note: string | null = null;
          if ((r.repair === 'record_payment' || r.repair === 'record_late_payment') && r.payment_hash) {
            const invoice = await deps.backend().lookupInvoice(r.payment_hash);
            if (!invoice || invoice.state !== 'settled') {
              skipped.push(`${what}: the node no longer reports this payment as settled.`);
              continue;
            }
            note = deps.recordPayment(invoice);
            if (note === null) skipped.push(`${what}: the journal already records this payment.`);
          } else if (r.repair === 'queue_order' && r.sale_id) {
            const queued = deps.queueOrder(r.sale_id);
            if ('done' in queued) note = queued.done;
            else skipped.push(`${what}: ${queued.skipped}`);
          }
          if (note === null) continue;
          await db.connection.run('UPDATE results SET applied = true, detail = $detail WHERE seq = $seq', {
            detail: `Repaired: ${note}`,
            seq: r.seq,
          });
          applied++;
        } catch (err) {
          deps.log(`repair of ${r.sale_id ?? r.payment_hash ?? '?'} failed`, err);
          skipped.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      publish({ repairable: await countRepairable(db) });
      return { applied, skipped };
    },
    async close(): Promise<void> {
      abort?.abort();
      await (running ?? Promise.resolve());
      if (opened) (await opened.catch(() => null))?.close();
      opened = null;
    },
  };
}
