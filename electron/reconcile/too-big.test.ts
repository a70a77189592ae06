import { afterEach, describe, expect, it } from 'vitest';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { reconcileDay, reconcilePeriod } from '../test-support/reconcile-run.js';
import { signedInTill } from '../test-support/till-calls.js';
import { fillYearOfSales } from '../test-support/year-of-sales.js';

/**
 * A period too large for the memory reconciliation may use: the run fails in words a manager can
 * act on (a shorter period), not in DuckDB's advice to tune threads; the till goes on, and a
 * shorter period then runs.
 */

const dirs: { remove: () => void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

describe('a reconciliation too large for its memory', () => {
  it('fails in a manager’s words, and a shorter period runs', async () => {
    const dir = tempDir('till-reconcile-too-big-');
    dirs.push(dir);
    const open = () =>
      signedInTill({
        dataDir: dir.path,
        resourcesDir: RESOURCES_DIR,
        timers: false,
        log: () => undefined,
        reconcileEngine: { threads: 1, memoryLimit: '24MB' },
      });
    await (await open()).close();
    fillYearOfSales(dir.path, 40_000);
    const till = await open();
    try {
      // The whole year: 40,000 sales.
      const all = await reconcilePeriod(till, '2025-11-25', '2026-11-24');
      expect(all.state).toBe('failed');
      expect(all.error).toBe(
        'This period needs more memory than reconciliation may use (24MB): reconcile a shorter period, a month at a time.',
      );
      const day = await reconcileDay(till, '2026-06-01');
      expect(day.state).toBe('done');
      expect(day.items).toBeGreaterThan(0);
    } finally {
      await till.close();
    }
  }, 120_000);
});
