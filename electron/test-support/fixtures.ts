import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const RESOURCES_DIR = resolve(import.meta.dirname, '../../resources');

/** A fresh data directory per test, removed afterwards. */
export function tempDir(prefix = 'till-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A clock tests move by hand. */
export function manualClock(start = new Date('2026-11-24T10:00:00Z')): {
  now: () => Date;
  advance: (ms: number) => void;
} {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}
