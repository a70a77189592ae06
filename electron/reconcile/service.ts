import {
  closeSync,
  existsSync,
  fsyncSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TillError } from '../../shared/contract/index.js';
import { storageCause, storageCauses } from '../journal/storage-errors.js';
import { ensureDir, openPrivateFile, preparePrivateDatabase, writePrivateFile } from '../files.js';
import type { ReconcileRow, ReconcileRun } from '../../shared/domain/index.js';
import { CSV_HEADER, csvLine } from './csv.js';
import { discardCheckpoint, reconcile, type EngineOptions } from '../../shared/reconcile/engine.js';
import {
  OUTCOMES,
  type JournalSale,
  type NodeInvoice,
  type ReconcileResult,
  type ReconcileSummary,
  type ShopifyOrder,
} from '../../shared/reconcile/types.js';
import type { Invoice, LightningBackend } from '../lightning/backend.js';
import type { ShopifyClient } from '../shopify/client.js';
import { journalSales, nodeInvoices, shopifyOrders } from './sources.js';
import { dayStart } from '../../shared/domain/days.js';

/**
 * The till's side of reconciliation: it feeds the engine (shared/reconcile) the three sources
 * for a period, keeps the results in a disposable SQLite file beside the journal (a year of a
 * busy shop does not fit in the main process's memory), pushes progress, serves pages and a
 * CSV, and applies the safe repairs, each through the till's own journaled paths.
 */

export interface ReconcileDeps {
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
  /** Tests: the engine's worker count, worker module and what its workers are given. */
  engine?: Pick<EngineOptions, 'workers' | 'worker' | 'workerData'>;
}

const CHECKPOINT_MAX_AGE_MS = 60 * 60 * 1000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS results (
    seq INTEGER PRIMARY KEY,
    outcome TEXT NOT NULL,
    repair TEXT NOT NULL,
    safe INTEGER NOT NULL,
    sale_id TEXT, sale_number INTEGER, payment_hash TEXT, order_name TEXT, tender TEXT, sale_state TEXT,
    time INTEGER, msat INTEGER, fiat INTEGER, currency TEXT, rate TEXT, rate_source TEXT,
    net INTEGER, tax INTEGER, tip INTEGER, discount INTEGER,
    detail TEXT NOT NULL,
    applied INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS results_outcome ON results(outcome, seq);
  CREATE INDEX IF NOT EXISTS results_time ON results(time, seq);
`;

/**
 * The results file is disposable (the next run rebuilds it), so it is written without fsync;
 * one that a crash left unreadable is deleted and started afresh rather than stop the till.
 */
function openResults(
  file: string,
  nativeBinding: string | undefined,
  log: (message: string, err?: unknown) => void,
): Database.Database {
  const open = () => {
    preparePrivateDatabase(file);
    const db = new Database(file, nativeBinding ? { nativeBinding } : {});
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = OFF');
      db.defaultSafeIntegers(true);
      db.exec(SCHEMA);
      // A file from a version without the sale's state or its price breakdown: disposable, so rebuilt.
      const columns = db.pragma('table_info(results)') as { name: string }[];
      if (!['sale_state', 'discount'].every((name) => columns.some((c) => c.name === name))) {
        db.exec('DROP TABLE results');
        db.exec(SCHEMA);
      }
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  };
  try {
    return open();
  } catch (err) {
    log('the last reconciliation’s results could not be read; starting afresh', err);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    return open();
  }
}

export type ReconcileService = ReturnType<typeof createReconcileService>;

export function createReconcileService(deps: ReconcileDeps) {
  const file = join(deps.dataDir, 'reconcile.sqlite');
  const checkpointDir = join(deps.dataDir, 'reconcile-run');
  // The period of a run under way: a till killed mid-run resumes it when it starts again.
  const pendingFile = join(deps.dataDir, 'reconcile-run.json');
  const out = openResults(file, deps.sqliteBinding, deps.log);

  let run: ReconcileRun = {
    state: 'idle',
    from: null,
    to: null,
    progress: { records: 0, stage: 'idle', tasksDone: 0, tasks: 0, resumed: false },
    startedAt: null,
    finishedAt: null,
    error: null,
    outcomes: [],
    items: 0,
    repairable: 0,
    sources: { node: false, shopify: false },
  };
  let abort: AbortController | null = null;
  let running: Promise<void> | null = null;

  const insert = out.prepare(
    `INSERT INTO results (outcome, repair, safe, sale_id, sale_number, payment_hash, order_name, tender, sale_state,
       time, msat, fiat, currency, rate, rate_source, net, tax, tip, discount, detail)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertMany = out.transaction((rows: ReconcileResult[]) => {
    for (const r of rows) {
      insert.run(
        r.outcome,
        r.repair,
        r.safe && r.repair !== 'none' ? 1 : 0,
        r.saleId,
        r.saleNumber,
        r.paymentHash,
        r.orderName,
        r.tender,
        r.saleState,
        r.time,
        r.msat,
        r.fiat,
        r.currency,
        r.rate,
        r.rateSource,
        r.net,
        r.tax,
        r.tip,
        r.discounts,
        r.detail,
      );
    }
  });

  const repairableStmt = out.prepare('SELECT count(*) FROM results WHERE safe = 1 AND applied = 0').pluck();
  const countRepairable = () => Number(repairableStmt.get());

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

  async function* mapInvoices(from: Date, to: Date): AsyncGenerator<NodeInvoice> {
    for await (const i of nodeInvoices(deps.backend(), from, to)) {
      yield {
        paymentHash: i.paymentHash,
        amountMsat: i.amountMsat,
        amountPaidMsat: i.amountPaidMsat,
        state: i.state,
        createdAt: i.createdAt.getTime(),
        expiresAt: i.expiresAt.getTime(),
        settledAt: i.settledAt?.getTime() ?? null,
      };
    }
  }

  async function* mapSales(from: Date, to: Date): AsyncGenerator<JournalSale> {
    // Its own connection: a long read must not hold the till's connection busy, and WAL lets
    // it read a consistent snapshot while sales are written.
    const reader = new Database(deps.journalPath, {
      readonly: true,
      fileMustExist: true,
      ...(deps.sqliteBinding ? { nativeBinding: deps.sqliteBinding } : {}),
    });
    reader.defaultSafeIntegers(true);
    try {
      yield* sales(reader, from, to);
    } finally {
      reader.close();
    }
  }

  async function* sales(reader: Database.Database, from: Date, to: Date): AsyncGenerator<JournalSale> {
    for await (const s of journalSales(reader, from, to)) {
      yield {
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
      };
    }
  }

  // An order record is already in the engine's shape (processedAt rides along unread).
  const mapOrders = (client: ShopifyClient, from: Date, to: Date): AsyncGenerator<ShopifyOrder> =>
    shopifyOrders(client, from, to);

  async function* none<T>(): AsyncGenerator<T> {}

  async function execute(
    fromDay: string,
    toDay: string,
    currency: string,
    signal: AbortSignal,
  ): Promise<Partial<ReconcileRun>> {
    const from = dayStart(fromDay);
    const to = dayStart(toDay, 1);
    out.exec('DELETE FROM results');
    const client = deps.shopify();
    let lastPublish = 0;
    let batch: ReconcileResult[] = [];
    const flush = () => {
      if (batch.length) insertMany(batch);
      batch = [];
    };
    // A checkpoint of the same period resumes, unless it is old enough to have missed sales.
    const manifest = join(checkpointDir, 'manifest.json');
    if (existsSync(manifest) && Date.now() - statSync(manifest).mtimeMs > CHECKPOINT_MAX_AGE_MS) {
      discardCheckpoint(checkpointDir);
    }
    writePrivateFile(pendingFile, JSON.stringify({ from: fromDay, to: toDay, currency }));
    const summary = await reconcile(
      {
        node: mapInvoices(from, to),
        journal: mapSales(from, to),
        shopify: client ? mapOrders(client, from, to) : none<ShopifyOrder>(),
      },
      {
        ...deps.engine,
        orders: client !== null,
        signal,
        checkpointDir,
        runKey: `${fromDay}..${toDay} ${currency} ${client ? 'shopify' : 'no-shopify'}`,
        onProgress: (p) => {
          const now = Date.now();
          // The screen needs a few updates a second, not one per task.
          if (p.stage === 'classifying' && p.tasksDone < p.tasks && now - lastPublish < 100) return;
          lastPublish = now;
          publish({
            progress: {
              stage: p.stage,
              records: p.records,
              tasksDone: p.tasksDone,
              tasks: p.tasks,
              resumed: p.resumed,
            },
          });
        },
        onResult: (r: ReconcileResult) => {
          batch.push(r);
          if (batch.length >= 2_000) flush();
        },
      },
    );
    flush();
    const repairable = countRepairable();
    return {
      state: 'done',
      finishedAt: deps.now().toISOString(),
      outcomes: summaryRows(summary, currency),
      items: summary.items,
      repairable,
      sources: { node: true, shopify: client !== null },
    };
  }

  function toRow(r: Record<string, unknown>): ReconcileRow {
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    const big = (v: unknown) => (v === null || v === undefined ? null : (v as bigint));
    return {
      outcome: r.outcome as string,
      repair: r.repair as string,
      safe: r.safe === 1n,
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
      discount: big(r.discount),
      detail: r.detail as string,
      applied: r.applied === 1n,
    };
  }

  return {
    current: () => run,
    start(fromDay: string, toDay: string, currency: string): ReconcileRun {
      if (running) throw new TillError('InvalidState', 'A reconciliation is already running.');
      if (dayStart(fromDay) > dayStart(toDay))
        throw new TillError('ValidationError', 'The period ends before it starts.');
      abort = new AbortController();
      publish({
        state: 'running',
        from: fromDay,
        to: toDay,
        progress: { records: 0, stage: 'reading', tasksDone: 0, tasks: 0, resumed: false },
        startedAt: deps.now().toISOString(),
        finishedAt: null,
        error: null,
        outcomes: [],
        items: 0,
        repairable: 0,
      });
      const signal = abort.signal;
      // The run is over (running = null) before its end is published, so whoever hears
      // "done" can act on it at once.
      running = execute(fromDay, toDay, currency, signal).then(
        (patch) => {
          running = null;
          abort = null;
          rmSync(pendingFile, { force: true });
          publish(patch);
        },
        (err: unknown) => {
          running = null;
          abort = null;
          const cancelled = signal.aborted;
          if (!cancelled) deps.log('reconciliation failed', err);
          publish({
            state: cancelled ? 'cancelled' : 'failed',
            finishedAt: deps.now().toISOString(),
            error: cancelled ? null : err instanceof Error ? err.message : String(err),
          });
        },
      );
      return run;
    },
    async cancel(): Promise<ReconcileRun> {
      const was = abort;
      was?.abort();
      await (running ?? Promise.resolve());
      // A manager's cancel is final: the next run of the period reads everything afresh.
      if (was) {
        discardCheckpoint(checkpointDir);
        rmSync(pendingFile, { force: true });
      }
      return run;
    },
    /**
     * Called as the till starts: a run the till was closed or killed in the middle of goes on
     * from its checkpoint (if that is under an hour old; otherwise it is dropped, not rerun).
     */
    resumeInterrupted(): boolean {
      if (!existsSync(pendingFile)) return false;
      try {
        const p = JSON.parse(readFileSync(pendingFile, 'utf8')) as {
          from: string;
          to: string;
          currency: string;
        };
        const manifest = join(checkpointDir, 'manifest.json');
        if (!existsSync(manifest) || Date.now() - statSync(manifest).mtimeMs > CHECKPOINT_MAX_AGE_MS) {
          throw new Error('no fresh checkpoint');
        }
        deps.log(`resuming the reconciliation of ${p.from} – ${p.to}`);
        this.start(p.from, p.to, p.currency);
        return true;
      } catch {
        rmSync(pendingFile, { force: true });
        discardCheckpoint(checkpointDir);
        return false;
      }
    },
    /** Resolves when the run under way (if any) has finished. */
    settled: () => running ?? Promise.resolve(),
    page(
      outcome: string | undefined,
      offset: number,
      limit: number,
    ): { rows: ReconcileRow[]; total: number } {
      const where = outcome ? 'WHERE outcome = ?' : '';
      const args = outcome ? [outcome] : [];
      const total = Number(
        out
          .prepare(`SELECT count(*) FROM results ${where}`)
          .pluck()
          .get(...args),
      );
      const rows = out
        .prepare(`SELECT * FROM results ${where} ORDER BY seq LIMIT ? OFFSET ?`)
        .all(...args, limit, offset) as Record<string, unknown>[];
      return { rows: rows.map(toRow), total };
    },
    /**
     * Writes the last run as CSV into `dir`, streamed from SQLite a megabyte at a time (a year
     * of a busy shop is hundreds of MB: it never sits in memory, nor crosses to the screen).
     * The file appears whole (written aside, fsynced, renamed) and never replaces another.
     */
    exportCsv(dir: string): { filename: string; path: string; rows: number } {
      if (run.state !== 'done') throw new TillError('InvalidState', 'Run a reconciliation first.');
      ensureDir(dir);
      const base = `reconciliation_${run.from ?? ''}_${run.to ?? ''}`;
      let filename = `${base}.csv`;
      for (let n = 2; existsSync(join(dir, filename)); n++) filename = `${base} (${n}).csv`;
      const path = join(dir, filename);
      const tmp = `${path}.part`;
      const fd = openPrivateFile(tmp, 'w');
      let rows = 0;
      try {
        // A BOM so spreadsheet apps read the UTF-8 (order and rate-source names) correctly.
        let chunk = `\ufeff${CSV_HEADER}`;
        for (const r of out.prepare('SELECT * FROM results ORDER BY time, seq').iterate()) {
          chunk += csvLine(toRow(r as Record<string, unknown>));
          rows++;
          if (chunk.length >= 1 << 20) {
            writeSync(fd, chunk);
            chunk = '';
          }
        }
        writeSync(fd, chunk);
        fsyncSync(fd);
      } catch (err) {
        closeSync(fd);
        rmSync(tmp, { force: true });
        const cause = storageCause(err);
        throw new TillError(
          cause ? 'StorageError' : 'Internal',
          `The CSV could not be written to ${dir}: ${cause ? storageCauses[cause].cause : err instanceof Error ? err.message : String(err)}.`,
        );
      }
      closeSync(fd);
      renameSync(tmp, path);
      return { filename, path, rows };
    },
    /**
     * Applies every safe repair not yet applied, each through the till's own journaled path
     * (recordPayment asks the node again first). Returns how many were applied and, for the
     * rest, why not.
     */
    async applySafeRepairs(): Promise<{ applied: number; skipped: string[] }> {
      if (running) throw new TillError('InvalidState', 'Wait for the reconciliation to finish.');
      if (run.state !== 'done') throw new TillError('InvalidState', 'Run a reconciliation first.');
      const rows = out
        .prepare(
          'SELECT seq, repair, sale_id, sale_number, payment_hash FROM results WHERE safe = 1 AND applied = 0 ORDER BY seq',
        )
        .all() as {
        seq: bigint;
        repair: string;
        sale_id: string | null;
        sale_number: bigint | null;
        payment_hash: string | null;
      }[];
      let applied = 0;
      const skipped: string[] = [];
      const done = out.prepare('UPDATE results SET applied = 1, detail = ? WHERE seq = ?');
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
          done.run(`Repaired: ${note}`, r.seq);
          applied++;
        } catch (err) {
          deps.log(`repair of ${r.sale_id ?? r.payment_hash ?? '?'} failed`, err);
          skipped.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      publish({ repairable: countRepairable() });
      return { applied, skipped };
    },
    close(): Promise<void> {
      abort?.abort();
      return (running ?? Promise.resolve()).finally(() => out.close());
    },
  };
}
