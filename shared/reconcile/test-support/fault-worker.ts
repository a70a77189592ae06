import { workerData } from 'node:worker_threads';
import task from '../worker.js';
import type { ClassifyTask, MapTask } from '../worker.js';
import { SLOT, type FaultPlan } from './faults.js';

/**
 * The pool worker for fault tests: worker.ts, after the plan in `workerData` (faults.ts) has had
 * its say on each classify task — fail it, kill the thread, or hold it until the test lets go.
 */
export default function faultyTask(t: ClassifyTask | MapTask): ReturnType<typeof task> {
  if (t.kind === 'classify') beforeClassify(workerData as FaultPlan);
  return task(t);
}

function beforeClassify(plan: FaultPlan): void {
  const slots = new Int32Array(plan.shared);
  const n = Atomics.add(slots, SLOT.started, 1) + 1;
  if (n === plan.holdAt) {
    Atomics.store(slots, SLOT.held, 1);
    Atomics.notify(slots, SLOT.held);
    Atomics.wait(slots, SLOT.release, 0);
  }
  if (n === plan.crashAt) {
    Atomics.add(slots, SLOT.crashes, 1);
    if (plan.crash === 'exit') process.exit(1);
    throw new Error(`injected crash on task ${n}`);
  }
}
