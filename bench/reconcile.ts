import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { classifyAll, reconcile } from '../shared/reconcile/engine.js';
import { dataset } from '../shared/reconcile/test-support/generate.js';
import { addToSummary, emptySummary, type ReconcileSummary } from '../shared/reconcile/types.js';

/**
 * Reconciliation of a busy shop's year: `n` sales (default one million) with their invoices and
 * orders, generated from a fixed seed, 3% of them discrepancies of every kind. Three ways, each
 * in its own process so its peak RSS is its own:
 *   (a) naive  — the obvious single-threaded loop: read every source into arrays, then classify
 *                (join by hash / sale id in Maps) in one pass;
 *   (b) engine with one worker;
 *   (c) engine on every core;
 * the engine both with the sources streamed through the main thread (as the till reads its
 * node, journal and Shopify today) and as sharded sources the workers read themselves.
 * Every variant reads the same generated sources, visits every result and ends with the same
 * summary, which the parent checks.
 */

type Variant = 'naive' | 'engine1' | 'engineAll' | 'sharded1' | 'shardedAll';

interface Measured {
  variant: Variant;
  workers: number;
  wall_s: number;
  records_per_s: number;
  peak_rss_mb: number;
  records: number;
  items: number;
  discrepancies: number;
  summary_digest: string;
}

function digest(s: ReconcileSummary): string {
  return JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

async function child(variant: Variant, n: number, seed: number): Promise<Measured> {
  const data = dataset(seed, n);
  const workers =
    variant === 'engine1' || variant === 'sharded1'
      ? 1
      : variant === 'engineAll' || variant === 'shardedAll'
        ? availableParallelism()
        : 0;
  let discrepancies = 0;
  const t0 = process.hrtime.bigint();
  let summary: ReconcileSummary;
  if (variant === 'naive') {
    const input = { node: [...data.node], journal: [...data.journal], shopify: [...data.shopify] };
    const { results, ignoredInvoices } = classifyAll(input);
    summary = emptySummary();
    summary.records = {
      node: input.node.length,
      journal: input.journal.length,
      shopify: input.shopify.length,
    };
    summary.ignoredInvoices = ignoredInvoices;
    for (const r of results) {
      addToSummary(summary, r);
      if (r.outcome !== 'matched') discrepancies++;
    }
  } else if (variant === 'sharded1' || variant === 'shardedAll') {
    const module = fileURLToPath(new URL('../shared/reconcile/test-support/generate.ts', import.meta.url));
    const shard = (source: 'node' | 'journal' | 'shopify') => ({
      module,
      args: { seed, n, source },
      shards: 16,
    });
    summary = await reconcile(
      { node: shard('node'), journal: shard('journal'), shopify: shard('shopify') },
      {
        workers,
        onResult: (r) => {
          if (r.outcome !== 'matched') discrepancies++;
        },
      },
    );
  } else {
    summary = await reconcile(data, {
      workers,
      onResult: (r) => {
        if (r.outcome !== 'matched') discrepancies++;
      },
    });
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const records = summary.records.node + summary.records.journal + summary.records.shopify;
  return {
    variant,
    workers,
    wall_s: Math.round(wall * 100) / 100,
    records_per_s: Math.round(records / wall),
    // maxRSS is in KiB and covers every thread of the process, workers included.
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    records,
    items: summary.items,
    discrepancies,
    summary_digest: digest(summary),
  };
}

function spawn(variant: Variant, n: number, seed: number): Measured {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), variant, String(n), String(seed)],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, RECONCILE_BENCH_CHILD: '1' } },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measured;
}

export function benchReconcile(n: number, seed = 20261124) {
  const runs = (['naive', 'engine1', 'engineAll', 'sharded1', 'shardedAll'] as const).map((v) =>
    spawn(v, n, seed),
  );
  const [naive, one, all, sOne, sAll] = runs as [Measured, Measured, Measured, Measured, Measured];
  if (runs.some((m) => m.summary_digest !== naive.summary_digest)) {
    throw new Error('reconcile bench: the engine and the naive loop disagree');
  }
  const strip = ({ summary_digest: _d, ...m }: Measured) => m;
  const r = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  return {
    sales: n,
    seed,
    cores: availableParallelism(),
    naive_single_thread: strip(naive),
    engine_streamed_one_worker: strip(one),
    engine_streamed_all_cores: strip(all),
    engine_sharded_one_worker: strip(sOne),
    engine_sharded_all_cores: strip(sAll),
    speedup_vs_naive: {
      streamed_one_worker: r(naive.wall_s, one.wall_s),
      streamed_all_cores: r(naive.wall_s, all.wall_s),
      sharded_one_worker: r(naive.wall_s, sOne.wall_s),
      sharded_all_cores: r(naive.wall_s, sAll.wall_s),
    },
    scaling_all_cores_vs_one_worker: {
      streamed: r(one.wall_s, all.wall_s),
      sharded: r(sOne.wall_s, sAll.wall_s),
    },
    peak_rss_ratio_vs_naive: {
      streamed_all_cores: r(all.peak_rss_mb, naive.peak_rss_mb),
      sharded_all_cores: r(sAll.peak_rss_mb, naive.peak_rss_mb),
    },
    outcomes: Object.fromEntries(
      Object.entries(
        (JSON.parse(naive.summary_digest) as { outcomes: Record<string, { count: number }> }).outcomes,
      ).map(([k, v]) => [k, v.count]),
    ),
  };
}

if (process.env.RECONCILE_BENCH_CHILD && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [variant, n, seed] = process.argv.slice(2);
  console.log(JSON.stringify(await child(variant as Variant, Number(n), Number(seed))));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(benchReconcile(Number(process.env.BENCH_RECONCILE_N ?? 1_000_000)), null, 2));
}
