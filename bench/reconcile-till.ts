import { signedInTill } from '../electron/test-support/till-calls.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ReconcileRun } from '../shared/domain/index.js';
import { reconcileOnDuckDB } from '../shared/reconcile/runner.js';
import { dataset } from '../shared/reconcile/test-support/generate.js';
import { mulberry32 } from '../shared/random.js';
import { STORE_FILE } from '../electron/lightning/demo/store.js';
import { RESOURCES_DIR, tempDir } from '../electron/test-support/fixtures.js';

/**
 * The till's own reconciliation of a year, end to end: `n` sales written straight into the
 * journal (85% Lightning with their invoices in the demo node, 15% cash; 1% of the Lightning
 * payments missing from the journal), then startReconcile → done through the Command, with the
 * node listed page by page, the journal read through its own connection, every result stored in
 * DuckDB's results table, and the CSV written by COPY. Beside it, in the same run: the bare DuckDB
 * runner on the same number of generated sales (no I/O), so the till's own overhead shows as a ratio.
 */
export async function benchTillReconcile(n: number) {
  const dir = tempDir('till-bench-reconcile-');
  try {
    const dataDir = join(dir.path, 'till');
    const exportDir = join(dir.path, 'exports');
    // A first start creates the journal and the demo node's store.
    await (await signedInTill({ dataDir, resourcesDir: RESOURCES_DIR, timers: false, exportDir })).close();

    const start = Date.UTC(2025, 10, 25);
    const span = 365 * 24 * 3600 * 1000;
    const journal = new Database(join(dataDir, 'journal.sqlite'));
    const node = new Database(join(dataDir, STORE_FILE));
    const rand = mulberry32(20261125);
    const hex = (k: number) => (Math.floor(rand() * 2 ** 32) >>> 0).toString(16).padStart(8, '0') + k;
    const insertSale = journal.prepare(
      `INSERT INTO sales (id, number, state, currency, total, created_at, updated_at, paid_at, amount_paid_msat, invoice_hash)
       VALUES (?, ?, ?, 'USD', ?, ?, ?, ?, ?, ?)`,
    );
    const insertSaleInvoice = journal.prepare(
      `INSERT INTO sale_invoices (payment_hash, sale_id, backend, bolt11, amount_msat, created_at, expires_at, rate,
         rate_currency, rate_source, rate_fetched_at, settled_at, amount_paid_msat)
       VALUES (?, ?, 'demo', 'lnbcrt1', ?, ?, ?, '70000', 'USD', 'Demo rate', ?, ?, ?)`,
    );
    const insertInvoice = node.prepare(
      `INSERT INTO invoices (payment_hash, preimage, bolt11, description, amount_msat, created_at, expires_at, state,
         settle_index, settled_at, amount_paid_msat)
       VALUES (?, ?, 'lnbcrt1', 'bench', ?, ?, ?, 'settled', ?, ?, ?)`,
    );
    const cashTender = journal.prepare(`UPDATE sales SET invoice_hash = NULL WHERE id = ?`);
    let settleIndex = 0;
    let lightning = 0;
    const fill = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const t = start + Math.floor((span * i) / n);
        const at = new Date(t).toISOString();
        const paid = new Date(t + 20_000).toISOString();
        const cents = 100 + Math.floor(rand() * 5_000);
        // 70,000 USD/BTC: a cent is 14,285.7 msat; invoices round up to a whole sat.
        const msat = BigInt(Math.ceil((cents * 1e9) / 70_000 / 1000) * 1000);
        const id = `sale-${i}`;
        const cash = rand() < 0.15;
        // One Lightning payment in a hundred never reached the journal: the sale expired unpaid.
        const lost = !cash && rand() < 0.01;
        const hash = cash
          ? null
          : (hex(0) + hex(1) + hex(2) + hex(3) + hex(4) + hex(5) + hex(6)).slice(0, 57) +
            String(i).padStart(7, '0');
        insertSale.run(
          id,
          i + 1,
          lost ? 'expired' : 'paid',
          BigInt(cents),
          at,
          paid,
          lost ? null : paid,
          cash || lost ? null : msat,
          hash,
        );
        if (cash) {
          cashTender.run(id);
          continue;
        }
        lightning++;
        insertSaleInvoice.run(
          hash,
          id,
          msat,
          at,
          new Date(t + 600_000).toISOString(),
          at,
          lost ? null : paid,
          lost ? null : msat,
        );
        insertInvoice.run(
          hash,
          hash,
          msat,
          BigInt(t),
          BigInt(t + 600_000),
          ++settleIndex,
          BigInt(t + 20_000),
          msat,
        );
      }
    };
    const tFill = Date.now();
    const batch = 50_000;
    for (let i = 0; i < n; i += batch) {
      journal.transaction(() => node.transaction(() => fill(i, Math.min(n, i + batch)))())();
    }
    // The tender column arrived with migration 2; cash sales say so.
    journal.prepare(`UPDATE sales SET tender = 'cash' WHERE invoice_hash IS NULL`).run();
    // The till has heard every settlement up to here (else it would replay and heal the lost
    // payments on start, which is its job, but not this benchmark's).
    journal.prepare('UPDATE backend_cursors SET cursor = ?').run(String(settleIndex));
    journal.close();
    node.close();
    const fillSeconds = (Date.now() - tFill) / 1000;

    const till = await signedInTill({ dataDir, resourcesDir: RESOURCES_DIR, timers: false, exportDir });
    try {
      const done = new Promise<ReconcileRun>((resolve) =>
        till.subscribe((event, payload) => {
          const run = payload as ReconcileRun;
          if (event === 'reconcileProgress' && run.state !== 'running') resolve(run);
        }),
      );
      const t0 = process.hrtime.bigint();
      const started = await till.invoke('startReconcile', { from: '2025-11-25', to: '2026-11-24' });
      if (!started.ok) throw new Error(started.error.message);
      const run = await done;
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (run.state !== 'done') throw new Error(`reconciliation ${run.state}: ${run.error ?? ''}`);
      const t1 = process.hrtime.bigint();
      const csv = await till.invoke('exportReconcileCsv', {});
      if (!csv.ok) throw new Error(csv.error.message);
      const csvSeconds = Number(process.hrtime.bigint() - t1) / 1e9;

      // The bare DuckDB runner on as many generated sales (in memory before the clock), same process.
      const generated = dataset(7, n);
      const input = {
        node: [...generated.node],
        journal: [...generated.journal],
        shopify: [...generated.shopify],
      };
      const t2 = process.hrtime.bigint();
      await reconcileOnDuckDB(input);
      const engineSeconds = Number(process.hrtime.bigint() - t2) / 1e9;

      const round = (x: number) => Math.round(x * 100) / 100;
      return {
        sales: n,
        lightning_sales: lightning,
        setup_fill_s: round(fillSeconds),
        till_reconcile_s: round(wall),
        till_records_per_s: Math.round(run.progress.records / wall),
        records: run.progress.records,
        items: run.items,
        outcomes: Object.fromEntries(
          run.outcomes.filter((o) => o.count > 0).map((o) => [o.outcome, o.count]),
        ),
        csv_export_s: round(csvSeconds),
        csv_rows: (csv.value as { rows: number }).rows,
        baseline_bare_engine_s: round(engineSeconds),
        ratio_till_vs_bare_engine: round(wall / engineSeconds),
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      };
    } finally {
      await till.close();
    }
  } finally {
    dir.remove();
  }
}

if (process.argv[1]?.endsWith('reconcile-till.ts')) {
  console.log(
    JSON.stringify(await benchTillReconcile(Number(process.env.BENCH_TILL_RECONCILE_N ?? 100_000)), null, 2),
  );
}
