import { expect } from 'vitest';
import type { ReconcileRun } from '../../shared/domain/index.js';
import type { Till } from '../till.js';
import { call } from './till-calls.js';

/**
 * Starts a reconciliation of one local day on `till` and resolves with the run once it has
 * ended (done, failed or cancelled), heard from its events; `progress` hears every update.
 */
export async function reconcileDay(
  till: Till,
  day: string,
  opts: {
    everything?: boolean;
    progress?: (p: ReconcileRun['progress']) => void;
    /** The last day of a longer period (`day` its first). */
    to?: string;
  } = {},
): Promise<ReconcileRun> {
  const ended = new Promise<ReconcileRun>((resolve) => {
    const off = till.subscribe((event, payload) => {
      if (event !== 'reconcileProgress') return;
      const run = payload as ReconcileRun;
      opts.progress?.(run.progress);
      if (run.state === 'done' || run.state === 'failed' || run.state === 'cancelled') {
        off();
        resolve(run);
      }
    });
  });
  const started = await call(till, 'startReconcile', {
    from: day,
    to: opts.to ?? day,
    ...(opts.everything === undefined ? {} : { everything: opts.everything }),
  });
  expect(started.state).toBe('running');
  return ended;
}
