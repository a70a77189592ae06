import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';
import type { Db } from '../journal/db.js';
import { readSettingValue, writeSettingValue } from '../journal/settings.js';

const KEY = 'managerPin';
/** scrypt's cost: about 50 ms per check here, slow enough that guessing 10^4 PINs offline takes minutes. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
/** Wrong PINs allowed before the till stops listening for a while (then twice as long each time). */
const FREE_TRIES = 3;
const LOCK_MS = 30_000;

interface StoredPin {
  salt: string;
  hash: string;
}

function hashPin(pin: string, salt: Buffer): Buffer {
  return scryptSync(pin, salt, 32, SCRYPT);
}

export type ManagerPin = ReturnType<typeof createManagerPin>;

/**
 * The manager's PIN, until staff and roles exist (issue 13 replaces it): a salted scrypt hash in
 * the settings, never the PIN. A discount above the owner's limit needs it. Wrong PINs lock the
 * check for 30 s after three, doubling each time, and the answer never says what was wrong
 * beyond "not the manager's PIN".
 */
export function createManagerPin(db: Db, now: () => Date) {
  let failures = 0;
  let lockedUntil = 0;

  function stored(): StoredPin | null {
    const v = readSettingValue(db, KEY) as Partial<StoredPin> | null;
    return v && typeof v.salt === 'string' && typeof v.hash === 'string'
      ? { salt: v.salt, hash: v.hash }
      : null;
  }

  function matches(pin: string): boolean {
    const s = stored();
    if (!s) return false;
    const expected = Buffer.from(s.hash, 'hex');
    const actual = hashPin(pin, Buffer.from(s.salt, 'hex'));
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  /** Throws NotAuthorized unless `pin` is the manager's. */
  function verify(pin: string): void {
    const t = now().getTime();
    if (t < lockedUntil) {
      const seconds = Math.ceil((lockedUntil - t) / 1000);
      throw new TillError('NotAuthorized', `Too many wrong PINs: try again in ${seconds} s.`);
    }
    if (!stored()) {
      throw new TillError(
        'NotAuthorized',
        'No manager PIN is set yet: the owner sets one in Settings → Manager approval.',
      );
    }
    if (matches(pin)) {
      failures = 0;
      return;
    }
    failures += 1;
    if (failures >= FREE_TRIES) lockedUntil = t + LOCK_MS * 2 ** (failures - FREE_TRIES);
    throw new TillError('NotAuthorized', 'That is not the manager’s PIN.');
  }

  return {
    isSet: (): boolean => stored() !== null,
    verify,
    /** Sets or changes the PIN; changing it needs the current one. */
    set(pin: string, currentPin: string | undefined): void {
      if (stored()) {
        if (currentPin === undefined) {
          throw new TillError('NotAuthorized', 'Enter the current manager PIN to change it.');
        }
        verify(currentPin);
      }
      const salt = randomBytes(16);
      writeSettingValue(db, KEY, { salt: salt.toString('hex'), hash: hashPin(pin, salt).toString('hex') });
    },
  };
}
