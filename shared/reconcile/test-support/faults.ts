import { fileURLToPath } from 'node:url';
import type { EngineOptions } from '../engine.js';

/**
 * Faults a test plants in the reconciliation pool. The engine runs fault-worker.ts (worker.ts
 * behind a check) instead of its own worker, and hands it the plan as `workerData`; the plan's
 * counters live in a SharedArrayBuffer, so the test and every worker thread see them at once and
 * synchronise through Atomics, never sleeps.
 */

/** Int32 slots of `FaultPlan.shared`. */
export const SLOT = { started: 0, crashes: 1, held: 2, release: 3 } as const;
const SLOTS = 4;

export interface FaultPlan {
  shared: SharedArrayBuffer;
  /** Fail this classify task (1-based count of tasks started, across workers and retries), once. */
  crashAt?: number;
  /** 'throw' rejects the task; 'exit' kills the worker thread mid-task. */
  crash?: 'throw' | 'exit';
  /** On this classify task, signal `SLOT.held` and block until the test calls `release()`. */
  holdAt?: number;
}

export interface Faults {
  /** Spread into the engine's options (or the till's `reconcileEngine`). */
  options: { worker: NonNullable<EngineOptions['worker']>; workerData: FaultPlan };
  /** Classify tasks started so far, all workers. */
  started(): number;
  /** Crashes injected so far. */
  crashes(): number;
  /** Resolves once a worker is parked on its `holdAt` task. */
  held(): Promise<void>;
  /** Lets the held task go on. */
  release(): void;
}

export function faults(plan: Omit<FaultPlan, 'shared'>): Faults {
  const shared = new SharedArrayBuffer(SLOTS * 4);
  const slots = new Int32Array(shared);
  return {
    options: {
      worker: {
        filename: fileURLToPath(new URL('./fault-worker.ts', import.meta.url)),
        execArgv: ['--import', 'tsx'],
      },
      workerData: { ...plan, shared },
    },
    started: () => Atomics.load(slots, SLOT.started),
    crashes: () => Atomics.load(slots, SLOT.crashes),
    async held() {
      // Node 20's lib types predate Atomics.waitAsync (ES2024); the runtime has it.
      const atomics = Atomics as unknown as {
        waitAsync: (
          a: Int32Array,
          i: number,
          v: number,
        ) => { async: boolean; value: Promise<string> | string };
      };
      const held = atomics.waitAsync(slots, SLOT.held, 0);
      if (held.async) await held.value;
    },
    release() {
      Atomics.store(slots, SLOT.release, 1);
      Atomics.notify(slots, SLOT.release);
    },
  };
}
