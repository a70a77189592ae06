import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';

/**
 * scrypt's cost: about 50 ms per check on this kind of machine, run on libuv's thread pool so
 * the till keeps answering while a PIN is checked. Slow enough that an offline guesser pays
 * 50 ms per try; the lock-out below is what stops guessing at the till.
 */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

export interface PinHash {
  salt: string;
  hash: string;
}

function derive(pin: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A new salted hash of `pin` (hex), never the PIN. */
export async function hashPin(pin: string): Promise<PinHash> {
  const salt = randomBytes(16);
  return { salt: salt.toString('hex'), hash: (await derive(pin, salt)).toString('hex') };
}

export async function pinMatches(pin: string, stored: PinHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'hex');
  const actual = await derive(pin, Buffer.from(stored.salt, 'hex'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Wrong PINs allowed before the pad stops listening for a while, then twice as long each time. */
export const FREE_TRIES = 3;
export const LOCK_MS = 30_000;
/** The longest the pad ever waits: a quarter of an hour. */
const MAX_LOCK_MS = 15 * 60_000;

/**
 * The till's one lock-out for every PIN typed on it (signing in, a manager's approval, changing
 * one's own PIN): after three wrong PINs the pad refuses everything for 30 s, then 60 s, 120 s …
 * A right PIN resets it. The refusal says how long to wait, never which part was wrong.
 */
export function createPinGuard(now: () => Date) {
  let failures = 0;
  let lockedUntil = 0;
  return {
    /** Throws NotAuthorized while the pad is locked out. */
    check(): void {
      const t = now().getTime();
      if (t < lockedUntil) {
        const seconds = Math.ceil((lockedUntil - t) / 1000);
        throw new TillError('NotAuthorized', `Too many wrong PINs: try again in ${seconds} s.`);
      }
    },
    failed(): void {
      failures += 1;
      if (failures >= FREE_TRIES) {
        lockedUntil = now().getTime() + Math.min(MAX_LOCK_MS, LOCK_MS * 2 ** (failures - FREE_TRIES));
      }
    },
    succeeded(): void {
      failures = 0;
      lockedUntil = 0;
    },
  };
}
export type PinGuard = ReturnType<typeof createPinGuard>;
