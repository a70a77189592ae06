import { expect } from 'vitest';
import type { ReconcileRun } from '../../shared/domain/index.js';
import type { Till } from '../till.js';
import { call } from './till-calls.js';

/**
 * Starts a reconciliation of local days [from, to] on `till` and resolves with the run once it
 * has ended (done, failed or cancelled), heard from its events; `progress` hears every update.
 */
export async function reconcilePeriod(
  till: Till,
  from: string,
  to: string,
  opts: { everything?: boolean; progress?: (p: ReconcileRun['progress']) => void } = {},
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
    from,
    to,
    ...(opts.everything === undefined ? {} : { everything: opts.everything }),
  });
  expect(started.state).toBe('running');
  return ended;
}

/** One local day: reconcilePeriod(till, day, day). */
export const reconcileDay = (
  till: Till,
  day: string,
  opts: { everything?: boolean; progress?: (p: ReconcileRun['progress']) => void } = {},
): Promise<ReconcileRun> => reconcilePeriod(till, day, day, opts);
