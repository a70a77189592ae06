import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { invoiceKey, orderKey, partitionOf, saleKey } from './classify.js';
import { decodeResults, encodeInvoice, encodeOrder, encodeSale } from './codec.js';
import { SAFE_REPAIRS, addToSummary, emptySummary } from './types.js';
import type {
  JournalSale,
  NodeInvoice,
  ReconcileResult,
  ReconcileSummary,
  Repair,
  ShopifyOrder,
} from './types.js';
import type { ClassifyReply, ClassifyTask, MapReply, MapTask } from './worker.js';

/** A checkpoint holds a period's sales and payments: readable by the till's user only, whatever the umask. */
const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;

/**
 * The reconciliation engine: node invoices ↔ journal sales ↔ Shopify orders on every core.
 *
 * 1. Read. The three sources are streamed concurrently, never collected. Each record is encoded
 *    (codec.ts) and appended to the partition its join key hashes to (classify.ts). A partition
 *    holds at most `memoryBytes / partitions` in memory; beyond that it spills to its file, so
 *    memory stays flat however long the period.
 * 2. Classify. Partitions are coalesced into tasks of about `taskBytes` and handed to a piscina
 *    pool: whichever worker is idle takes the next task; at most two tasks per worker are in
 *    flight, so the queue is bounded too. A task carries its in-memory bytes as one transferred
 *    ArrayBuffer and the paths of its spill files, never one message per record. Its reply is
 *    the partition's results, encoded the same way, transferred back, with a partial summary.
 * 3. Faults. A task whose worker throws or dies is retried (`retries` times) on a fresh worker.
 *    With a `checkpointDir`, the read partitions and each finished task's results are written
 *    there (fsynced, renamed into place) so a run killed half-way resumes where it stopped,
 *    without reading the sources again, and ends with exactly the results of an uninterrupted run.
 */

type AnyIterable<T> = AsyncIterable<T> | Iterable<T>;

/**
 * A source the workers read themselves, shard by shard: `module` exports
 * `readShard(args, shard, shards)` returning the records of that shard (an iterable or async
 * iterable), and the shards together are the whole source, in shard order. Encoding and
 * partitioning then run on every core instead of the main thread.
 */
export interface ShardedSource {
  module: string;
  args: unknown;
  shards: number;
}

export interface ReconcileSources {
  node: AnyIterable<NodeInvoice> | ShardedSource;
  journal: AnyIterable<JournalSale> | ShardedSource;
  shopify: AnyIterable<ShopifyOrder> | ShardedSource;
}

type SourceName = keyof ReconcileSources;
const SOURCES: readonly SourceName[] = ['node', 'journal', 'shopify'];

const isSharded = (s: unknown): s is ShardedSource =>
  typeof s === 'object' && s !== null && 'module' in s && 'shards' in s;

/** One shard read by a worker: its records, laid out partition by partition in one file. */
interface MapOutput {
  source: SourceName;
  shard: number;
  file: string;
  /** Byte offset of each partition's records in `file`; `partitions + 1` entries. */
  offsets: number[];
}

export interface ReconcileProgress {
  stage: 'reading' | 'classifying' | 'done';
  /** Records read so far, all sources. */
  records: number;
  tasksDone: number;
  tasks: number;
  /** Results so far. */
  items: number;
  /** True when this run picked up a checkpoint instead of reading the sources. */
  resumed: boolean;
}

export interface EngineOptions {
  /** Worker threads; default every core. */
  workers?: number;
  /** Hash partitions; default 512. Any value gives the same results. */
  partitions?: number;
  /**
   * Target bytes of encoded records per task; default 1 MiB. A task's records all live until it
   * ends, so small tasks keep them in the workers' young generation (measured ~20% faster than 4 MiB).
   */
  taskBytes?: number;
  /** In-memory budget for read records before partitions spill to disk; default 64 MiB. */
  memoryBytes?: number;
  /** Where checkpoints live; a run with the same `runKey` resumes from them. */
  checkpointDir?: string;
  /** What identifies the run's inputs (e.g. the period); a checkpoint of another key is discarded. */
  runKey?: string;
  /** Retries of a task whose worker failed; default 2. */
  retries?: number;
  signal?: AbortSignal;
  onProgress?: (p: ReconcileProgress) => void;
  /** Every result, once, in no particular order. Without it results are summarised only. */
  onResult?: (r: ReconcileResult) => void;
  /**
   * The worker module; default worker.ts beside this file (under tsx) or reconcile-worker.js.
   * Another module must answer tasks as worker.ts does (typically by calling its default export):
   * the injection point for tests that make a worker fail or wait (test-support/faults.ts).
   */
  worker?: { filename: string; execArgv?: string[] };
  /**
   * Opaque data for such a worker module, handed to every worker thread as piscina's
   * `workerData` (structured-cloned, so a SharedArrayBuffer in it is shared). The default
   * worker ignores it.
   */
  workerData?: unknown;
  /** Whether paid sales should have Shopify orders; default true (classify.ts ClassifyOptions). */
  orders?: boolean;
  /** Keep the checkpoint after a successful run (tests inspect it). */
  keepCheckpoint?: boolean;
}

export class ReconcileAbortedError extends Error {
  override name = 'AbortError';
  constructor() {
    super('Reconciliation cancelled.');
  }
}

const MANIFEST = 'manifest.json';
const DONE_LOG = 'done.log';
/** 3: result lines carry the sale state. 4: sales and results carry its price breakdown. */
const VERSION = 4;

interface Manifest {
  version: number;
  runKey: string;
  partitions: number;
  records: ReconcileSummary['records'];
  /** Bytes per partition read by the main thread (all in p<N>.tsv once a manifest exists). */
  sizes: number[];
  /** Shards read by workers (file names relative to the checkpoint directory). */
  maps: MapOutput[];
}

/** Where the worker module is: worker.ts under tsx (tests, bench), reconcile-worker.js when built. */
export function defaultWorker(): { filename: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts'))
    return { filename: join(dirname(here), 'worker.ts'), execArgv: ['--import', 'tsx'] };
  return { filename: join(dirname(here), 'reconcile-worker.js'), execArgv: [] };
}

/** The single-threaded reference: every record in one partition, classified in this thread. */
export { classifyPartition as classifyAll } from './classify.js';

function mergeSummary(into: ReconcileSummary, part: ReconcileSummary): void {
  for (const [outcome, t] of Object.entries(part.outcomes) as [
    keyof typeof part.outcomes,
    typeof part.outcomes.matched,
  ][]) {
    const to = into.outcomes[outcome];
    to.count += t.count;
    to.unpaid += t.unpaid;
    to.msat += t.msat;
    for (const [cur, v] of Object.entries(t.fiat)) to.fiat[cur] = (to.fiat[cur] ?? 0n) + v;
  }
  into.items += part.items;
  into.ignoredInvoices += part.ignoredInvoices;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ReconcileAbortedError();
}

/**
 * Partitions the records of the three sources into `dir` (and memory). Each partition's lines
 * are written straight into its own byte buffer, so a line is garbage the moment it is written
 * and the heap holds a few large buffers, not millions of small strings.
 */
class Partitioner {
  readonly buffers: (Buffer | null)[];
  readonly used: number[];
  readonly sizes: number[];
  readonly spilled: boolean[];
  private readonly fds: (number | null)[];
  readonly records = { node: 0, journal: 0, shopify: 0 };
  private readonly limit: number;

  constructor(
    private readonly dir: string,
    readonly partitions: number,
    memoryBytes: number,
  ) {
    this.buffers = new Array<Buffer | null>(partitions).fill(null);
    this.used = new Array<number>(partitions).fill(0);
    this.sizes = new Array<number>(partitions).fill(0);
    this.spilled = new Array<boolean>(partitions).fill(false);
    this.fds = new Array<number | null>(partitions).fill(null);
    this.limit = Math.max(16 * 1024, Math.floor(memoryBytes / partitions));
  }

  add(key: string, line: string): void {
    const p = partitionOf(key, this.partitions);
    // UTF-8 takes at most three bytes per UTF-16 unit.
    const worst = line.length * 3;
    let buf = this.buffers[p]!;
    let used = this.used[p]!;
    if (buf === null || used + worst > buf.length) {
      if (buf !== null && buf.length >= this.limit) {
        this.spill(p);
        used = 0;
      }
      if (buf === null || used + worst > buf.length) {
        const grown = Buffer.allocUnsafe(
          Math.max(used + worst, Math.min(this.limit, Math.max(4096, (buf?.length ?? 0) * 2))),
        );
        if (buf !== null && used > 0) buf.copy(grown, 0, 0, used);
        buf = grown;
        this.buffers[p] = buf;
      }
    }
    const n = buf.write(line, used, 'utf8');
    this.used[p] = used + n;
    this.sizes[p]! += n;
  }

  private spill(p: number): void {
    const buf = this.buffers[p];
    const used = this.used[p]!;
    if (!buf || used === 0) return;
    let fd = this.fds[p]!;
    if (fd === null) {
      fd = openSync(join(this.dir, `p${p}.tsv`), 'a', PRIVATE_FILE);
      this.fds[p] = fd;
      this.spilled[p] = true;
    }
    writeSync(fd, buf, 0, used);
    this.used[p] = 0;
  }

  /** Everything to disk, durably (for a checkpoint). */
  spillAll(): void {
    for (let p = 0; p < this.partitions; p++) {
      this.spill(p);
      this.buffers[p] = null;
      const fd = this.fds[p];
      if (fd !== null && fd !== undefined) fsyncSync(fd);
    }
  }

  /** The bytes of partition `p` still in memory (a view, not a copy). */
  inMemory(p: number): Uint8Array {
    const buf = this.buffers[p];
    return buf ? buf.subarray(0, this.used[p]) : new Uint8Array(0);
  }

  /** Frees partition `p`'s memory once its task has finished. */
  release(p: number): void {
    this.buffers[p] = null;
    this.used[p] = 0;
  }

  close(): void {
    for (const fd of this.fds) if (fd !== null) closeSync(fd);
    this.fds.fill(null);
  }
}

async function pump<T>(
  source: AnyIterable<T> | ShardedSource,
  each: (record: T) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (isSharded(source)) return;
  if (Symbol.asyncIterator in source) {
    for await (const record of source) {
      throwIfAborted(signal);
      each(record);
    }
    return;
  }
  // A synchronous source is read in runs, without a promise per record; between runs the other
  // sources, progress and cancellation get their turn.
  let n = 0;
  for (const record of source) {
    each(record);
    if (++n % 4096 === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      throwIfAborted(signal);
    }
  }
  throwIfAborted(signal);
}

/**
 * Group partitions into tasks of about `target` bytes, in partition order. A task is always a
 * run of consecutive partitions (a finished one in between starts a new task), so each shard
 * file gives a task one contiguous byte range.
 */
function planTasks(partitions: number[], sizes: number[], target: number): number[][] {
  const tasks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  let last = -2;
  const close = () => {
    if (current.length) tasks.push(current);
    current = [];
    bytes = 0;
  };
  for (const p of partitions) {
    if (p !== last + 1) close();
    last = p;
    if (sizes[p] === 0) continue;
    current.push(p);
    bytes += sizes[p]!;
    if (bytes >= target) close();
  }
  close();
  return tasks;
}

function readDoneLog(dir: string): { partitions: number[]; ignored: number; file: string }[] {
  const path = join(dir, DONE_LOG);
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const done: { partitions: number[]; ignored: number; file: string }[] = [];
  // A line is only whole once its newline is written; a torn last line is a task to run again.
  for (const line of text.split('\n').slice(0, -1)) {
    const [first, parts, ignored] = line.split('\t');
    const file = join(dir, `r${first}.tsv`);
    if (!parts || ignored === undefined || !existsSync(file)) continue;
    done.push({ partitions: parts.split(',').map(Number), ignored: Number(ignored), file });
  }
  return done;
}

function readManifest(dir: string): Manifest | null {
  try {
    const m = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
    return m.version === VERSION ? m : null;
  } catch {
    return null;
  }
}

function writeDurably(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', PRIVATE_FILE);
  try {
    if (typeof data === 'string') writeSync(fd, data);
    else writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

const safeOf = (repair: Repair): boolean => SAFE_REPAIRS[repair];
const utf8 = new TextDecoder();

/**
 * Runs `items` through the pool: at most `limit` in flight (a bounded queue), each retried up
 * to `retries` times when its worker throws or dies, `commit`ted in completion order. Rejects
 * on abort or on a task that keeps failing; no new task starts after that.
 */
function runTasks<T, R>(
  items: readonly T[],
  opts: {
    limit: number;
    retries: number;
    signal: AbortSignal | undefined;
    run: (item: T) => Promise<R>;
    commit: (item: T, reply: R) => void;
    name: (item: T) => string;
  },
): Promise<void> {
  if (items.length === 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let inflight = 0;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      opts.signal?.removeEventListener('abort', onAbort);
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const onAbort = () => fail(new ReconcileAbortedError());
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const submit = (item: T, attempt: number) => {
      inflight++;
      opts.run(item).then(
        (reply) => {
          inflight--;
          if (failed) return;
          try {
            opts.commit(item, reply);
          } catch (err) {
            fail(err);
            return;
          }
          launch();
        },
        (err: unknown) => {
          inflight--;
          if (failed) return;
          if (attempt < opts.retries) submit(item, attempt + 1);
          else
            fail(
              new Error(
                `reconciliation task for ${opts.name(item)} failed ${attempt + 1} times: ${
                  err instanceof Error ? err.message : String(err)
                }`,
                { cause: err },
              ),
            );
        },
      );
    };
    const launch = () => {
      while (!failed && inflight < opts.limit && next < items.length) submit(items[next++]!, 0);
      if (!failed && inflight === 0 && next >= items.length) {
        opts.signal?.removeEventListener('abort', onAbort);
        resolve();
      }
    };
    launch();
  });
}

/**
 * Reconciles the three sources. Resolves with the summary once every item is classified;
 * rejects with ReconcileAbortedError when `signal` aborts, or with the error of a task that
 * failed more than `retries` times.
 */
export async function reconcile(
  sources: ReconcileSources,
  options: EngineOptions = {},
): Promise<ReconcileSummary> {
  const { signal, onResult } = options;
  const partitions = options.partitions ?? 512;
  const workers = Math.max(1, options.workers ?? availableParallelism());
  const taskBytes = options.taskBytes ?? 1024 * 1024;
  const memoryBytes = options.memoryBytes ?? 64 * 1024 * 1024;
  const retries = options.retries ?? 2;
  const runKey = options.runKey ?? '';
  const checkpoint = options.checkpointDir ?? null;
  throwIfAborted(signal);

  const dir = checkpoint ?? mkdtempSync(join(tmpdir(), 'till-reconcile-'));
  if (checkpoint) mkdirSync(checkpoint, { recursive: true, mode: PRIVATE_DIR });
  const summary = emptySummary();
  const progress: ReconcileProgress = {
    stage: 'reading',
    records: 0,
    tasksDone: 0,
    tasks: 0,
    items: 0,
    resumed: false,
  };
  const report = () => options.onProgress?.({ ...progress });

  let succeeded = false;
  let partitioner: Partitioner | null = null;
  // Workers boot while the sources are read.
  const worker = options.worker ?? defaultWorker();
  const pool = new Piscina<ClassifyTask | MapTask, ClassifyReply | MapReply>({
    filename: worker.filename,
    execArgv: worker.execArgv ?? [],
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
    workerData: options.workerData,
    // Results carry bigints and buffers; workers never share a task's memory.
    concurrentTasksPerWorker: 1,
    // A task allocates tens of MB of short-lived records: a roomy young generation keeps
    // them out of the old one.
    resourceLimits: { maxYoungGenerationSizeMb: 64 },
  });
  try {
    // ── 1. Read (or pick up the checkpoint's reading) ────────────────────────────────────────
    let manifest = checkpoint ? readManifest(checkpoint) : null;
    if (manifest && (manifest.runKey !== runKey || manifest.partitions !== partitions)) manifest = null;
    let sizes: number[];
    let inMemory: (p: number) => Uint8Array = () => new Uint8Array(0);
    let onDisk: (p: number) => boolean;
    let maps: MapOutput[] = [];
    const fileOf = (p: number) => join(dir, `p${p}.tsv`);
    let done: { partitions: number[]; ignored: number; file: string }[] = [];

    if (manifest) {
      progress.resumed = true;
      const mainSizes = manifest.sizes;
      sizes = [...mainSizes];
      maps = manifest.maps.map((m) => ({ ...m, file: join(dir, m.file) }));
      summary.records = manifest.records;
      progress.records = manifest.records.node + manifest.records.journal + manifest.records.shopify;
      onDisk = (p) => mainSizes[p]! > 0;
      done = readDoneLog(dir);
    } else {
      if (checkpoint) {
        // Whatever is there belongs to another run (or a reading that never finished).
        rmSync(checkpoint, { recursive: true, force: true });
        mkdirSync(checkpoint, { recursive: true, mode: PRIVATE_DIR });
      }
      const part = new Partitioner(dir, partitions, memoryBytes);
      partitioner = part;
      report();
      let sinceReport = 0;
      const tick = () => {
        progress.records++;
        if (++sinceReport >= 10_000) {
          sinceReport = 0;
          report();
        }
      };
      // Sharded sources are read by the workers meanwhile, every core encoding and partitioning.
      const shards: MapTask[] = [];
      for (const source of SOURCES) {
        const s = sources[source];
        if (!isSharded(s)) continue;
        for (let shard = 0; shard < s.shards; shard++) {
          shards.push({
            kind: 'map',
            source,
            module: s.module,
            args: s.args,
            shard,
            shards: s.shards,
            partitions,
            file: join(dir, `m-${source}-${shard}.tsv`),
          });
        }
      }
      const mapped = runTasks(shards, {
        limit: workers * 2,
        retries,
        signal,
        run: (t) => pool.run(t) as Promise<MapReply>,
        commit: (t, reply) => {
          maps.push({ source: t.source, shard: t.shard, file: t.file, offsets: reply.offsets });
          part.records[t.source] += reply.records;
          progress.records += reply.records;
          report();
        },
        name: (t) => `${t.source} shard ${t.shard}`,
      });
      await Promise.all([
        mapped,
        pump(
          sources.node,
          (i) => {
            part.add(invoiceKey(i), encodeInvoice(i));
            part.records.node++;
            tick();
          },
          signal,
        ),
        pump(
          sources.journal,
          (s) => {
            part.add(saleKey(s), encodeSale(s));
            part.records.journal++;
            tick();
          },
          signal,
        ),
        pump(
          sources.shopify,
          (o) => {
            part.add(orderKey(o), encodeOrder(o));
            part.records.shopify++;
            tick();
          },
          signal,
        ),
      ]);
      // Within a source, shard order is record order (the classifier keeps firsts first).
      maps.sort((a, b) => SOURCES.indexOf(a.source) - SOURCES.indexOf(b.source) || a.shard - b.shard);
      summary.records = { ...part.records };
      const mainSizes = part.sizes;
      sizes = [...mainSizes];
      if (checkpoint) {
        part.spillAll();
        part.close();
        const m: Manifest = {
          version: VERSION,
          runKey,
          partitions,
          records: summary.records,
          sizes: mainSizes,
          maps: maps.map((x) => ({ ...x, file: basename(x.file) })),
        };
        writeDurably(join(checkpoint, MANIFEST), JSON.stringify(m));
        onDisk = (p) => mainSizes[p]! > 0;
      } else {
        part.close();
        onDisk = (p) => part.spilled[p]!;
        inMemory = (p) => part.inMemory(p);
      }
    }
    for (const m of maps) for (let p = 0; p < partitions; p++) sizes[p]! += m.offsets[p + 1]! - m.offsets[p]!;
    throwIfAborted(signal);

    // ── 2. Classify ──────────────────────────────────────────────────────────────────────────
    const finished = new Set<number>();
    for (const d of done) {
      for (const p of d.partitions) finished.add(p);
      summary.ignoredInvoices += d.ignored;
      for (const r of decodeResults(readFileSync(d.file, 'utf8'), safeOf)) {
        addToSummary(summary, r);
        onResult?.(r);
      }
    }
    const remaining: number[] = [];
    for (let p = 0; p < partitions; p++) if (!finished.has(p)) remaining.push(p);
    const tasks = planTasks(remaining, sizes, taskBytes);
    progress.stage = 'classifying';
    progress.tasks = tasks.length + done.length;
    progress.tasksDone = done.length;
    progress.items = summary.items;
    report();

    await runTasks(tasks, {
      limit: workers * 2,
      retries,
      signal,
      run: (task) => {
        // One copy of the task's in-memory bytes, transferred: a retry copies them again.
        const parts = task.map(inMemory);
        const data = new ArrayBuffer(parts.reduce((n, b) => n + b.length, 0));
        const view = new Uint8Array(data);
        let at = 0;
        for (const b of parts) {
          view.set(b, at);
          at += b.length;
        }
        // The task's partitions are consecutive, so each shard file gives one byte range.
        const first = task[0]!;
        const last = task[task.length - 1]!;
        const message: ClassifyTask = {
          kind: 'classify',
          partition: first,
          data,
          files: task.filter(onDisk).map(fileOf),
          ranges: maps
            .map((m) => ({ file: m.file, start: m.offsets[first]!, end: m.offsets[last + 1]! }))
            .filter((r) => r.end > r.start),
          orders: options.orders ?? true,
        };
        return pool.run(message, { transferList: [data] }) as Promise<ClassifyReply>;
      },
      commit: (task, reply) => {
        const bytes = new Uint8Array(reply.data);
        if (checkpoint) {
          writeDurably(join(dir, `r${task[0]}.tsv`), bytes);
          const fd = openSync(join(dir, DONE_LOG), 'a', PRIVATE_FILE);
          try {
            writeSync(fd, `${task[0]}\t${task.join(',')}\t${reply.ignoredInvoices}\n`);
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
        }
        mergeSummary(summary, reply.summary);
        if (onResult) for (const r of decodeResults(utf8.decode(bytes), safeOf)) onResult(r);
        // Memory of a finished partition goes now, not at the end of the run.
        for (const p of task) partitioner?.release(p);
        progress.tasksDone++;
        progress.items = summary.items;
        report();
      },
      name: (task) => `partitions ${task.join(',')}`,
    });
    throwIfAborted(signal);
    progress.stage = 'done';
    progress.items = summary.items;
    report();
    succeeded = true;
    return summary;
  } finally {
    await pool.destroy().catch(() => {});
    partitioner?.close();
    if (!checkpoint || (succeeded && !options.keepCheckpoint)) rmSync(dir, { recursive: true, force: true });
  }
}

/** Drops a run's checkpoint (a manager cancelled it, or its inputs are stale). */
export function discardCheckpoint(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
