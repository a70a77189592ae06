import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const RESOURCES_DIR = resolve(import.meta.dirname, '../../resources');

/** A fresh data directory per test, removed afterwards. */
export function tempDir(prefix = 'till-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A resources folder whose demo catalog has no products: a keypad-only till, the one kind of
 * till whose currency may change (electron/checkout/currency.ts).
 */
export function keypadOnlyResources(currency = 'USD'): { path: string; remove: () => void } {
  const dir = tempDir('till-resources-');
  const catalog = { shop: { name: 'Keypad Kiosk', currency }, products: [] };
  writeFileSync(join(dir.path, 'demo-catalog.json'), JSON.stringify(catalog));
  return dir;
}

/** A clock tests move by hand. */
export function manualClock(start = new Date('2026-11-24T10:00:00Z')): {
  now: () => Date;
  advance: (ms: number) => void;
} {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

/** Timers that fire only when the test advances them (a TimerClock for electron/backoff.ts). */
export function manualTimers() {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    clock: {
      setTimeout: (fn: () => void, ms: number): unknown => {
        const id = next++;
        timers.set(id, { at: now + ms, fn });
        return id;
      },
      clearTimeout: (id: unknown) => void timers.delete(id as number),
    },
    /** How long each pending timer has left. */
    waits: () => [...timers.values()].map((t) => t.at - now),
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers]) {
        if (t.at <= now) {
          timers.delete(id);
          t.fn();
        }
      }
    },
  };
}
