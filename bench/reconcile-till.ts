import { signedInTill } from '../electron/test-support/till-calls.js';
import { join } from 'node:path';
import type { ReconcileRun } from '../shared/domain/index.js';
import { reconcileOnDuckDB } from '../shared/reconcile/runner.js';
import { dataset } from '../shared/reconcile/test-support/generate.js';
import { fillYearOfSales } from '../electron/test-support/year-of-sales.js';
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

    const tFill = Date.now();
    const { lightning } = fillYearOfSales(dataDir, n);
    const fillSeconds = (Date.now() - tFill) / 1000;

    const till = await signedInTill({ dataDir, resourcesDir: RESOURCES_DIR, timers: false, exportDir });
    try {
      // Per phase, from the run's own progress: each source read, then the engine's steps.
      const phases: Record<string, number> = {};
      let phase: string | null = null;
      let phaseStart = 0n;
      const enter = (next: string | null) => {
        if (next === phase) return;
        const now = process.hrtime.bigint();
        if (phase !== null) phases[phase] = (phases[phase] ?? 0) + Number(now - phaseStart) / 1e9;
        [phase, phaseStart] = [next, now];
      };
      const done = new Promise<ReconcileRun>((resolve) =>
        till.subscribe((event, payload) => {
          const run = payload as ReconcileRun;
          if (event !== 'reconcileProgress') return;
          if (run.state !== 'running') {
            enter(null);
            resolve(run);
          } else if (run.progress.stage === 'reading') enter(`read_${run.progress.source ?? 'start'}`);
          else if (run.progress.stage === 'classifying') {
            const label = run.progress.stepLabel;
            enter(
              label === 'sorting the results'
                ? 'write_results'
                : label === 'totalling'
                  ? 'summary'
                  : 'join_classify',
            );
          }
        }),
      );
      // The till's own memory while it reconciles: sampled, since the process's peak also covers
      // the fill before and the bare engine's in-memory baseline after.
      global.gc?.();
      const rssBefore = process.memoryUsage.rss();
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 20);
      const t0 = process.hrtime.bigint();
      const started = await till.invoke('startReconcile', { from: '2025-11-25', to: '2026-11-24' });
      if (!started.ok) throw new Error(started.error.message);
      const run = await done;
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      clearInterval(sampler);
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
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
        till_phases_s: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, round(v)])),
        records: run.progress.records,
        items: run.items,
        outcomes: Object.fromEntries(
          run.outcomes.filter((o) => o.count > 0).map((o) => [o.outcome, o.count]),
        ),
        csv_export_s: round(csvSeconds),
        csv_rows: (csv.value as { rows: number }).rows,
        baseline_bare_engine_s: round(engineSeconds),
        ratio_till_vs_bare_engine: round(wall / engineSeconds),
        till_rss_before_mb: Math.round(rssBefore / 2 ** 20),
        till_rss_peak_during_reconcile_mb: Math.round(rssPeak / 2 ** 20),
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
