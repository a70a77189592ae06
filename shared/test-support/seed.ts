import { randomInt } from 'node:crypto';

/**
 * The seed of a randomised test run: the one in `process.env[name]` to replay a failure, else a
 * fresh one. Every caller puts it in its test's name and failure messages, so a red run in CI
 * can be replayed exactly with `name=<seed>`.
 */
export function runSeed(name: string): number {
  const given = process.env[name];
  if (given === undefined || given === '') return randomInt(2 ** 31);
  const seed = Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`${name} must be an integer seed, not "${given}"`);
  return seed;
}
