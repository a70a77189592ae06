import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  classifyAll,
  reconcile,
  type EngineOptions,
  type ReconcileProgress,
  type ReconcileSources,
} from './engine.js';
import { encodeResult } from './codec.js';
import { faults } from './test-support/faults.js';
import {
  EXPECTED,
  IGNORED_INVOICES,
  KINDS,
  dataset,
  datasetOf,
  item,
  type Dataset,
  type Kind,
} from './test-support/generate.js';
import {
  OUTCOMES,
  Repair,
  SAFE_REPAIRS,
  type JournalSale,
  type NodeInvoice,
  type ReconcileResult,
  type ShopifyOrder,
} from './types.js';

const dirs: string[] = [];
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'reconcile-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Results in a canonical order: the engine emits partitions in whichever order they finish. */
const canonical = (rs: ReconcileResult[]): string[] => rs.map(encodeResult).sort();

async function run(data: ReconcileSources, options: EngineOptions = {}) {
  const results: ReconcileResult[] = [];
  const summary = await reconcile(data, { ...options, onResult: (r) => results.push(r) });
  return { results, summary };
}

function reference(data: Pick<Dataset, 'node' | 'journal' | 'shopify'>, orders = true) {
  return classifyAll(
    { node: [...data.node], journal: [...data.journal], shopify: [...data.shopify] },
    { orders },
  );
}

const expectedOf = (kind: Kind): string[] =>
  EXPECTED[kind].map((e) => `${e.outcome}/${e.repair}/${SAFE_REPAIRS[e.repair]}`).sort();

/**
 * Each planted item's results (outcome/repair/safe, sorted), in item order: a result belongs to the
 * item whose payment hash, sale id or order id it names. A result that names no item fails.
 */
function perItem(seed: number, kinds: readonly Kind[], results: ReconcileResult[]): string[][] {
  const owner = new Map<string, number>();
  const own = (id: string | null, i: number) => {
    if (id === null) return;
    expect(owner.get(id) ?? i, `${id} belongs to two items`).toBe(i);
    owner.set(id, i);
  };
  kinds.forEach((kind, i) => {
    const it = item(seed, i, kind);
    const ids = [
      ...it.node.map((n) => n.paymentHash),
      ...it.journal.flatMap((s) => [s.paymentHash, s.saleId]),
      ...it.shopify.flatMap((o) => [o.paymentHash, o.saleId, o.orderId]),
    ];
    for (const id of ids) own(id, i);
  });
  const got: string[][] = kinds.map(() => []);
  for (const r of results) {
    const i = [r.paymentHash, r.saleId, r.orderId]
      .map((id) => (id === null ? undefined : owner.get(id)))
      .find((x) => x !== undefined);
    if (i === undefined) throw new Error(`a result no planted item accounts for: ${encodeResult(r)}`);
    got[i]!.push(`${r.outcome}/${r.repair}/${r.safe}`);
  }
  return got.map((g) => g.sort());
}

function counts(rs: ReconcileResult[]): Record<string, number> {
  const c: Record<string, number> = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  for (const r of rs) c[r.outcome]!++;
  return c;
}

// Arbitrary records whose keys come from small pools, so they collide: several invoices for one
// hash, sales and orders sharing hashes and ids, cash and Lightning mixed, every state.
const hashes = fc.constantFrom('aa', 'bb', 'cc', 'dd', 'ee', 'ff', 'a\tb', 'ü');
const saleIds = fc.constantFrom('s1', 's2', 's3', 's4', 's5');
const invoiceArb: fc.Arbitrary<NodeInvoice> = fc.record({
  paymentHash: hashes,
  amountMsat: fc.bigInt({ min: 1000n, max: 5_000_000n }),
  amountPaidMsat: fc.option(fc.bigInt({ min: 0n, max: 5_000_000n })),
  state: fc.constantFrom('open', 'settled', 'expired', 'cancelled'),
  createdAt: fc.integer({ min: 0, max: 1_000 }),
  expiresAt: fc.integer({ min: 0, max: 2_000 }),
  settledAt: fc.option(fc.integer({ min: 0, max: 3_000 })),
});
const saleArb: fc.Arbitrary<JournalSale> = fc.record({
  saleId: saleIds,
  number: fc.integer({ min: 1, max: 50 }),
  paymentHash: fc.option(hashes),
  tender: fc.constantFrom('lightning', 'cash'),
  state: fc.constantFrom('open', 'awaiting_payment', 'paid', 'expired', 'cancelled'),
  total: fc.bigInt({ min: 0n, max: 100_000n }),
  currency: fc.constantFrom('USD', 'EUR', 'JPY'),
  amountPaidMsat: fc.option(fc.bigInt({ min: 0n, max: 5_000_000n })),
  rate: fc.option(fc.constantFrom('65000.12', '1', '9000000')),
  rateSource: fc.option(fc.constantFrom('coingecko', 'manual', 'tab\there')),
  paidAt: fc.option(fc.integer({ min: 0, max: 3_000 })),
  paidLate: fc.boolean(),
  orderName: fc.option(fc.constantFrom('#1001', '#1002', 'new\nline')),
  net: fc.bigInt({ min: 0n, max: 100_000n }),
  tax: fc.bigInt({ min: 0n, max: 10_000n }),
  tip: fc.bigInt({ min: 0n, max: 10_000n }),
  discounts: fc.bigInt({ min: 0n, max: 10_000n }),
});
const orderArb: fc.Arbitrary<ShopifyOrder> = fc.record({
  orderId: fc.constantFrom('o1', 'o2', 'o3', 'o4'),
  name: fc.constantFrom('#1001', '#1002', '#1003', '\\odd'),
  saleId: fc.option(saleIds),
  total: fc.bigInt({ min: 0n, max: 100_000n }),
  currency: fc.constantFrom('USD', 'EUR'),
  paymentHash: fc.option(hashes),
});
const inputArb = fc.record({
  node: fc.array(invoiceArb, { maxLength: 40 }),
  journal: fc.array(saleArb, { maxLength: 40 }),
  shopify: fc.array(orderArb, { maxLength: 40 }),
});

describe('reconciliation engine', () => {
  it('gives the single-threaded result for any input, worker count and partitioning', async () => {
    await fc.assert(
      fc.asyncProperty(
        inputArb,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 32 }),
        fc.integer({ min: 1, max: 4096 }),
        fc.boolean(),
        fc.boolean(),
        async (input, workers, partitions, taskBytes, spill, orders) => {
          const expected = reference(input, orders);
          const { results, summary } = await run(input, {
            workers,
            partitions,
            taskBytes,
            orders,
            // A tiny budget makes partitions spill to disk mid-read: disk and memory must agree.
            memoryBytes: spill ? 1 : undefined,
          });
          expect(canonical(results)).toEqual(canonical(expected.results));
          expect(summary.items).toBe(expected.results.length);
          expect(summary.ignoredInvoices).toBe(expected.ignoredInvoices);
          expect(summary.records).toEqual({
            node: input.node.length,
            journal: input.journal.length,
            shopify: input.shopify.length,
          });
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('finds every planted discrepancy, of every kind, and nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 3 }),
        async (kinds, seed, workers) => {
          const data = datasetOf(seed, kinds);
          const { results, summary } = await run(data, { workers, partitions: 16, taskBytes: 2048 });
          expect(perItem(seed, kinds, results)).toEqual(kinds.map(expectedOf));
          expect(counts(results)).toEqual(data.expected);
          expect(summary.ignoredInvoices).toBe(data.ignoredInvoices);
          for (const o of OUTCOMES) expect(summary.outcomes[o].count).toBe(data.expected[o]);
        },
      ),
      { numRuns: 15 },
    );
    // Every kind at least once, so no outcome or repair goes untested however the runs above fell.
    const { results, summary } = await run(datasetOf(7, KINDS), { workers: 2 });
    expect(perItem(7, KINDS, results)).toEqual(KINDS.map(expectedOf));
    expect(summary.ignoredInvoices).toBe(KINDS.reduce((n, k) => n + IGNORED_INVOICES[k], 0));
    const planted = KINDS.flatMap((k) => EXPECTED[k]);
    expect(new Set(planted.map((e) => e.outcome))).toEqual(new Set(OUTCOMES));
    expect(new Set(planted.map((e) => e.repair))).toEqual(new Set(Object.values(Repair)));
  }, 120_000);

  it('survives a worker that throws and one whose thread dies, retrying their tasks', async () => {
    const data = dataset(3, 2_000);
    const expected = canonical(reference(data).results);
    for (const crash of ['throw', 'exit'] as const) {
      const f = faults({ crashAt: 3, crash });
      const { results } = await run(data, { workers: 2, partitions: 32, taskBytes: 8 * 1024, ...f.options });
      expect(f.crashes()).toBe(1);
      expect(canonical(results)).toEqual(expected);
    }
  }, 60_000);

  it('fails clearly when a task keeps failing', async () => {
    // Only one task and no retries: its single crash is final.
    await expect(
      run(dataset(4, 50), {
        workers: 1,
        partitions: 1,
        retries: 0,
        ...faults({ crashAt: 1, crash: 'throw' }).options,
      }),
    ).rejects.toThrow(/failed 1 times: injected crash on task 1/);
  });

  it('resumes a killed run from its checkpoint with exactly the results of an uninterrupted one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 2, max: 9 }),
        async (seed, stopAfter) => {
          const data = dataset(seed, 600);
          const whole = await run(data, { workers: 2, partitions: 24, taskBytes: 4 * 1024 });

          const dir = join(scratch(), 'checkpoint');
          const f = faults({ holdAt: stopAfter });
          const abort = new AbortController();
          // One worker; task `stopAfter` blocks in the worker until released. Once it is held,
          // every earlier task has been committed, so the run is cancelled mid-classification.
          const first = run(data, {
            workers: 1,
            partitions: 24,
            taskBytes: 4 * 1024,
            checkpointDir: dir,
            runKey: `seed ${seed}`,
            signal: abort.signal,
            ...f.options,
          });
          await f.held();
          abort.abort();
          f.release();
          await expect(first).rejects.toThrow('cancelled');
          const log = readFileSync(join(dir, 'done.log'), 'utf8').trim().split('\n');
          expect(log.length).toBeGreaterThanOrEqual(stopAfter - 2);

          // The sources must not be read again: a resumed run takes them from the checkpoint.
          const untouchable = {
            node: throwing<NodeInvoice>(),
            journal: throwing<JournalSale>(),
            shopify: throwing<ShopifyOrder>(),
          };
          const progress: ReconcileProgress[] = [];
          const resumed = await run(untouchable, {
            workers: 2,
            partitions: 24,
            taskBytes: 4 * 1024,
            checkpointDir: dir,
            runKey: `seed ${seed}`,
            onProgress: (p) => progress.push(p),
          });
          expect(progress.every((p) => p.resumed)).toBe(true);
          expect(canonical(resumed.results)).toEqual(canonical(whole.results));
          expect(resumed.summary).toEqual(whole.summary);
          expect(existsSync(dir)).toBe(false);
        },
      ),
      { numRuns: 4 },
    );
  }, 120_000);

  it('reads sharded sources on the workers with the same result, alone or mixed with streamed ones', async () => {
    const module = fileURLToPath(new URL('./test-support/generate.ts', import.meta.url));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_500 }),
        fc.tuple(
          fc.integer({ min: 0, max: 5 }),
          fc.integer({ min: 0, max: 5 }),
          fc.integer({ min: 0, max: 5 }),
        ),
        fc.integer({ min: 1, max: 3 }),
        async (seed, n, [nodeShards, journalShards, shopifyShards], workers) => {
          const data = dataset(seed, n);
          // 0 shards: that source streams through the main thread as before.
          const sharded = (source: 'node' | 'journal' | 'shopify', shards: number) =>
            shards === 0 ? data[source] : { module, args: { seed, n, source }, shards };
          const { results, summary } = await run(
            {
              node: sharded('node', nodeShards) as ReconcileSources['node'],
              journal: sharded('journal', journalShards) as ReconcileSources['journal'],
              shopify: sharded('shopify', shopifyShards) as ReconcileSources['shopify'],
            },
            { workers, partitions: 16, taskBytes: 8 * 1024 },
          );
          const expected = reference(data);
          expect(canonical(results)).toEqual(canonical(expected.results));
          expect(summary.ignoredInvoices).toBe(expected.ignoredInvoices);
          expect(counts(results)).toEqual(data.expected);
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);

  it('resumes a run of sharded sources from its checkpoint', async () => {
    const module = fileURLToPath(new URL('./test-support/generate.ts', import.meta.url));
    const n = 800;
    const sources: ReconcileSources = {
      node: { module, args: { seed: 21, n, source: 'node' }, shards: 3 },
      journal: { module, args: { seed: 21, n, source: 'journal' }, shards: 2 },
      shopify: { module, args: { seed: 21, n, source: 'shopify' }, shards: 4 },
    };
    const whole = await run(sources, { workers: 2, partitions: 24, taskBytes: 4 * 1024 });
    expect(canonical(whole.results)).toEqual(canonical(reference(dataset(21, n)).results));
    const dir = join(scratch(), 'sharded');
    const f = faults({ holdAt: 4 });
    const abort = new AbortController();
    const first = run(sources, {
      workers: 1,
      partitions: 24,
      taskBytes: 4 * 1024,
      checkpointDir: dir,
      runKey: 'sharded',
      signal: abort.signal,
      ...f.options,
    });
    await f.held();
    abort.abort();
    f.release();
    await expect(first).rejects.toThrow('cancelled');
    const resumed = await run(sources, {
      workers: 2,
      partitions: 24,
      taskBytes: 4 * 1024,
      checkpointDir: dir,
      runKey: 'sharded',
    });
    expect(canonical(resumed.results)).toEqual(canonical(whole.results));
    expect(resumed.summary).toEqual(whole.summary);
  }, 60_000);

  it('reads the sources again when the checkpoint is of another period', async () => {
    const dir = join(scratch(), 'other');
    const a = dataset(11, 300);
    await run(a, { workers: 1, checkpointDir: dir, runKey: 'period A', keepCheckpoint: true });
    expect(readdirSync(dir)).toContain('manifest.json');
    const b = dataset(12, 200);
    const { results } = await run(b, { workers: 1, checkpointDir: dir, runKey: 'period B' });
    expect(canonical(results)).toEqual(canonical(reference(b).results));
  });

  it('keeps a checkpoint readable by the till’s user only, whatever the umask', async () => {
    const dir = join(scratch(), 'private');
    const mask = process.umask(0);
    try {
      // A tiny memory budget spills every partition to disk, so spill files are checked too.
      await run(dataset(13, 300), { workers: 1, checkpointDir: dir, keepCheckpoint: true, memoryBytes: 1 });
    } finally {
      process.umask(mask);
    }
    const loose = [dir, ...readdirSync(dir).map((f) => join(dir, f))]
      .map((path) => ({ path, mode: statSync(path).mode & 0o777, dir: statSync(path).isDirectory() }))
      .filter((m) => m.mode !== (m.dir ? 0o700 : 0o600))
      .map((m) => `${m.path} ${m.mode.toString(8)}`);
    expect(readdirSync(dir).length).toBeGreaterThan(2);
    expect(loose).toEqual([]);
  });

  it('stops reading the sources when cancelled', async () => {
    const abort = new AbortController();
    let read = 0;
    async function* endless(): AsyncGenerator<JournalSale> {
      for (const s of dataset(5, 1_000_000).journal) {
        if (++read === 5_000) abort.abort();
        yield await Promise.resolve(s);
      }
    }
    await expect(
      reconcile({ node: [], journal: endless(), shopify: [] }, { signal: abort.signal, memoryBytes: 1 }),
    ).rejects.toThrow('cancelled');
    expect(read).toBe(5_000);
  });

  it('keeps a bounded number of tasks in flight, and cancels while a worker is busy', async () => {
    const f = faults({ holdAt: 1 });
    const abort = new AbortController();
    const progress: ReconcileProgress[] = [];
    const running = run(dataset(9, 3_000), {
      workers: 2,
      partitions: 64,
      taskBytes: 1,
      signal: abort.signal,
      ...f.options,
      onProgress: (p) => progress.push(p),
    });
    await f.held();
    const tasks = progress.at(-1)!.tasks;
    expect(tasks).toBeGreaterThan(8);
    abort.abort();
    f.release();
    await expect(running).rejects.toThrow('cancelled');
    // Two per worker were submitted at most: nowhere near all of them started.
    expect(f.started()).toBeLessThan(tasks);
  });

  it('reports progress through reading and classifying to done', async () => {
    const progress: ReconcileProgress[] = [];
    await run(dataset(1, 25_000), { workers: 2, onProgress: (p) => progress.push(p) });
    expect(progress[0]!.stage).toBe('reading');
    expect(progress.some((p) => p.stage === 'reading' && p.records > 0)).toBe(true);
    const last = progress.at(-1)!;
    expect(last.stage).toBe('done');
    expect(last.tasksDone).toBe(last.tasks);
    for (let k = 1; k < progress.length; k++)
      expect(progress[k]!.records).toBeGreaterThanOrEqual(progress[k - 1]!.records);
  });
});

function throwing<T>(): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      throw new Error('a resumed run read its sources again');
    },
  };
}
