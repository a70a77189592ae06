import { describe, expect, it } from 'vitest';
import { backoffDelay, createRetrier } from './backoff.js';
import { manualTimers } from './test-support/fixtures.js';

describe('backoff', () => {
  it('doubles from the base and stops at the cap', () => {
    const policy = { baseMs: 1_000, maxMs: 60_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 7, 100].map((a) => backoffDelay(a, policy))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('spreads a wait over half to one and a half of itself', () => {
    const policy = { baseMs: 1_000, maxMs: 60_000 };
    expect(backoffDelay(1, { ...policy, jitter: () => 0 })).toBe(1_000);
    expect(backoffDelay(1, { ...policy, jitter: () => 0.999 })).toBe(2_998);
  });

  it('retries once per schedule, later each time, and from the start after a reset', () => {
    const t = manualTimers();
    const retry = createRetrier({ baseMs: 100, maxMs: 1_000 }, t.clock);
    let runs = 0;
    const again = () => retry.schedule(() => runs++);

    again();
    again(); // already scheduled: not a second timer
    expect(t.waits()).toEqual([100]);
    t.advance(100);
    expect(runs).toBe(1);
    again();
    expect(t.waits()).toEqual([200]);
    t.advance(200);
    again();
    expect(t.waits()).toEqual([400]);
    retry.cancel();
    expect(retry.pending).toBe(false);
    t.advance(1_000);
    expect(runs).toBe(2);
    again();
    expect(t.waits()).toEqual([100]);
    t.advance(100);
    retry.reset();
    again();
    expect(t.waits()).toEqual([100]);
  });
});
