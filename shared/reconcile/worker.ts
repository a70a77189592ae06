import { readFileSync } from 'node:fs';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { classifyPartition } from './classify.js';
import { decodeRecords, encodeResult } from './codec.js';
import { addToSummary, emptySummary } from './types.js';
import type { ReconcileSummary } from './types.js';

/**
 * Pool worker: one task is one or more whole partitions: the records still in the main
 * thread's memory as one transferred ArrayBuffer, plus the paths of the partitions' spill files
 * (read here, so spilled bytes never cross threads). The reply is the results, encoded by
 * codec.ts in one transferred buffer, and their summary.
 */

/** Test hooks, shared with the main thread through a SharedArrayBuffer (Int32 slots below). */
export interface WorkerHooks {
  shared: SharedArrayBuffer;
  /** Fail this task (1-based count of tasks started, across all workers and retries), once. */
  crashAt?: number;
  /** 'throw' rejects the task; 'exit' kills the worker thread mid-task. */
  crash?: 'throw' | 'exit';
  /** On this task, signal `HOOK.held` and block until the main thread sets `HOOK.release`. */
  holdAt?: number;
}

export const HOOK = { started: 0, crashes: 1, held: 2, release: 3 } as const;
export const HOOK_SLOTS = 4;

export interface ClassifyTask {
  /** The task's first partition (names its checkpoint file). */
  partition: number;
  data: ArrayBuffer;
  files: string[];
  hooks?: WorkerHooks;
}

export interface ClassifyReply {
  partition: number;
  data: ArrayBuffer;
  ignoredInvoices: number;
  summary: ReconcileSummary;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function runHooks(h: WorkerHooks): void {
  const slots = new Int32Array(h.shared);
  const n = Atomics.add(slots, HOOK.started, 1) + 1;
  if (n === h.holdAt) {
    Atomics.store(slots, HOOK.held, 1);
    Atomics.notify(slots, HOOK.held);
    Atomics.wait(slots, HOOK.release, 0);
  }
  if (n === h.crashAt) {
    Atomics.add(slots, HOOK.crashes, 1);
    if (h.crash === 'exit') process.exit(1);
    throw new Error(`injected crash on task ${n}`);
  }
}

export default function classifyTask(task: ClassifyTask): ClassifyReply {
  if (task.hooks) runHooks(task.hooks);
  // Spill files first, then what was still in memory: each source's records keep their order.
  const input = { node: [], journal: [], shopify: [] };
  for (const file of task.files) decodeRecords(readFileSync(file, 'utf8'), input);
  decodeRecords(decoder.decode(new Uint8Array(task.data)), input);
  const { results, ignoredInvoices } = classifyPartition(input);
  const summary = emptySummary();
  summary.ignoredInvoices = ignoredInvoices;
  const lines = new Array<string>(results.length);
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    addToSummary(summary, r);
    lines[i] = encodeResult(r);
  }
  const bytes = encoder.encode(lines.join(''));
  const reply: ClassifyReply = {
    partition: task.partition,
    data: bytes.buffer,
    ignoredInvoices,
    summary,
  };
  // piscina's Transferable protocol: the reply travels as is, its buffer moved, not copied.
  return move({ [transferableSymbol]: [reply.data], [valueSymbol]: reply }) as unknown as ClassifyReply;
}
