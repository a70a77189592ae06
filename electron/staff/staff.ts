import { randomUUID } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';
import { roleCovers, type Role, type Session, type StaffMember } from '../../shared/domain/index.js';
import type { Db } from '../journal/db.js';
import { readSettingValue } from '../journal/settings.js';
import type { Person } from './actor.js';
import { createPinGuard, hashPin, pinMatches, type PinHash } from './pins.js';

/** The documented PIN of the demo owner a new till starts with (README "Staff"). */
export const DEMO_OWNER_PIN = '1234';

interface StaffRow {
  id: string;
  name: string;
  role: Role;
  pin_salt: string;
  pin_hash: string;
  active: bigint;
  created_at: string;
  demo_pin: bigint;
}

function member(r: StaffRow): StaffMember {
  return { id: r.id, name: r.name, role: r.role, active: r.active !== 0n, createdAt: r.created_at };
}

function person(r: StaffRow): Person {
  return { staffId: r.id, name: r.name, role: r.role };
}

const stored = (r: StaffRow): PinHash => ({ salt: r.pin_salt, hash: r.pin_hash });

export interface StaffDeps {
  db: Db;
  now: () => Date;
  /** Seconds without a command before the till locks itself (0: never). */
  idleLockSec: () => number;
}

export type StaffService = Awaited<ReturnType<typeof createStaff>>;

/**
 * Staff, their PINs and who is signed in. A PIN is the person: signing in checks it against
 * every active member's salted scrypt hash (no two members share a PIN), one check at a time so
 * a burst of guesses cannot outrun the lock-out. The session lives in the till, not a window:
 * the cashier's screen and a reloaded tab see the same person, and the idle lock locks both.
 */
export async function createStaff({ db, now, idleLockSec }: StaffDeps) {
  const guard = createPinGuard(now);
  let session: (Session & { lastSeen: number }) | null = null;
  // One PIN check at a time (each is ~50 ms of scrypt on the thread pool).
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  }

  const rows = (): StaffRow[] =>
    db
      .prepare('SELECT * FROM staff ORDER BY active DESC, name COLLATE NOCASE, created_at')
      .all() as StaffRow[];
  const row = (id: string): StaffRow | undefined =>
    db.prepare('SELECT * FROM staff WHERE id = ?').get(id) as StaffRow | undefined;

  // A new till has one person: the demo owner, whose PIN the demo banner shows until changed.
  if ((db.prepare('SELECT count(*) AS n FROM staff').get() as { n: bigint }).n === 0n) {
    const pin = await hashPin(DEMO_OWNER_PIN);
    db.prepare(
      `INSERT INTO staff (id, name, role, pin_salt, pin_hash, active, created_at, demo_pin)
       VALUES (?, 'Owner', 'owner', ?, ?, 1, ?, 1)`,
    ).run(randomUUID(), pin.salt, pin.hash, now().toISOString());
    // The single manager PIN of earlier versions becomes a manager named "Manager" (same scrypt
    // parameters, so the hash carries over and the PIN keeps working).
    const old = readSettingValue(db, 'managerPin') as Partial<PinHash> | null;
    if (old && typeof old.salt === 'string' && typeof old.hash === 'string') {
      db.prepare(
        `INSERT INTO staff (id, name, role, pin_salt, pin_hash, active, created_at, demo_pin)
         VALUES (?, 'Manager', 'manager', ?, ?, 1, ?, 0)`,
      ).run(randomUUID(), old.salt, old.hash, now().toISOString());
    }
  }

  /** The active member whose PIN this is, or null. Not rate-limited: callers go through `checked`. */
  async function find(pin: string, among: StaffRow[] = rows()): Promise<StaffRow | null> {
    const active = among.filter((r) => r.active !== 0n);
    // Every hash is checked (on the thread pool, side by side), so how long it takes never says
    // how far down the list a PIN matched.
    const matches = await Promise.all(active.map((r) => pinMatches(pin, stored(r))));
    return active[matches.indexOf(true)] ?? null;
  }

  /** `find` behind the lock-out: a wrong PIN counts, a right one resets it. */
  function checked(pin: string): Promise<StaffRow | null> {
    return serial(async () => {
      guard.check();
      const found = await find(pin);
      if (found) guard.succeeded();
      else guard.failed();
      return found;
    });
  }

  async function assertPinFree(pin: string, except: string | null): Promise<void> {
    const taken = await find(
      pin,
      rows().filter((r) => r.id !== except),
    );
    if (taken) {
      throw new TillError('ValidationError', 'Someone already has that PIN: choose another.', [
        { path: 'pin', message: 'Someone already has that PIN: choose another.' },
      ]);
    }
  }

  function activeOwners(): number {
    return Number(
      (
        db.prepare(`SELECT count(*) AS n FROM staff WHERE role = 'owner' AND active = 1`).get() as {
          n: bigint;
        }
      ).n,
    );
  }

  /** Locks the till when it has been idle longer than the owner allows. True when it just locked. */
  function expireIdle(): boolean {
    const limit = idleLockSec();
    if (session && limit > 0 && now().getTime() - session.lastSeen >= limit * 1000) {
      session = null;
      return true;
    }
    return false;
  }

  return {
    /** Who is signed in (after locking an idle till), without touching the idle clock. */
    session(): Session | null {
      expireIdle();
      if (!session) return null;
      const { lastSeen: _, ...s } = session;
      return s;
    },
    /** The signed-in person as a command runs for them; refreshes the idle clock. */
    touch(): Person | null {
      expireIdle();
      if (!session) return null;
      session.lastSeen = now().getTime();
      return { staffId: session.staffId, name: session.name, role: session.role };
    },
    expireIdle,
    /** Signs in whoever's PIN this is; NotAuthorized (one wording) when it is nobody's. */
    async unlock(pin: string): Promise<Person> {
      const found = await checked(pin);
      if (!found) throw new TillError('NotAuthorized', 'That PIN did not open the till. Try again.');
      const at = now();
      session = {
        staffId: found.id,
        name: found.name,
        role: found.role,
        since: at.toISOString(),
        lastSeen: at.getTime(),
      };
      return person(found);
    },
    lock(): void {
      session = null;
    },
    /**
     * A manager's approval in place: the person whose PIN this is, when their role covers `needed`.
     * The same lock-out and the same wording as signing in.
     */
    async approver(pin: string, needed: Role): Promise<Person> {
      const found = await checked(pin);
      if (!found) throw new TillError('NotAuthorized', 'That PIN is not right. Try again.');
      if (!roleCovers(found.role, needed)) {
        throw new TillError('NotAuthorized', `${found.name} cannot approve this: it needs a ${needed}.`);
      }
      return person(found);
    },
    list: (): StaffMember[] => rows().map(member),
    get(id: string): StaffMember | null {
      const r = row(id);
      return r ? member(r) : null;
    },
    async add(input: { name: string; role: Role; pin: string }): Promise<StaffMember> {
      return serial(async () => {
        await assertPinFree(input.pin, null);
        const pin = await hashPin(input.pin);
        const id = randomUUID();
        db.prepare(
          `INSERT INTO staff (id, name, role, pin_salt, pin_hash, active, created_at, demo_pin)
           VALUES (?, ?, ?, ?, ?, 1, ?, 0)`,
        ).run(id, input.name, input.role, pin.salt, pin.hash, now().toISOString());
        return member(row(id) as StaffRow);
      });
    },
    /**
     * Changes a member. `self` is a person changing only their own PIN (with `currentPin`, checked
     * behind the lock-out); everything else is the owner's, checked by the caller.
     */
    async update(
      id: string,
      patch: { name?: string; role?: Role; pin?: string; active?: boolean },
      opts: { currentPin?: string; self: boolean },
    ): Promise<StaffMember> {
      return serial(async () => {
        const r = row(id);
        if (!r) throw new TillError('NotFound', 'That person is no longer on the staff list.');
        if (opts.self) {
          guard.check();
          if (opts.currentPin === undefined || !(await pinMatches(opts.currentPin, stored(r)))) {
            guard.failed();
            throw new TillError('NotAuthorized', 'Enter your current PIN to change it.');
          }
          guard.succeeded();
        }
        const demoting = (patch.role !== undefined && patch.role !== 'owner') || patch.active === false;
        if (r.role === 'owner' && r.active !== 0n && demoting && activeOwners() <= 1) {
          throw new TillError('InvalidState', 'The till needs an owner: make someone else owner first.');
        }
        let pin: PinHash | null = null;
        if (patch.pin !== undefined) {
          await assertPinFree(patch.pin, id);
          pin = await hashPin(patch.pin);
        }
        db.prepare(
          `UPDATE staff SET name = coalesce(?, name), role = coalesce(?, role),
             active = coalesce(?, active), pin_salt = coalesce(?, pin_salt), pin_hash = coalesce(?, pin_hash),
             demo_pin = CASE WHEN ? IS NULL THEN demo_pin ELSE 0 END
           WHERE id = ?`,
        ).run(
          patch.name ?? null,
          patch.role ?? null,
          patch.active === undefined ? null : patch.active ? 1 : 0,
          pin?.salt ?? null,
          pin?.hash ?? null,
          pin?.hash ?? null,
          id,
        );
        const next = row(id) as StaffRow;
        // A change to the signed-in person shows at once; deactivating them signs them out.
        if (session?.staffId === id) {
          if (next.active === 0n) session = null;
          else session = { ...session, name: next.name, role: next.role };
        }
        return member(next);
      });
    },
    /** The demo owner's PIN while an active owner still has it; null once changed. */
    demoOwnerPin(): string | null {
      const r = db.prepare(`SELECT 1 FROM staff WHERE demo_pin = 1 AND active = 1 AND role = 'owner'`).get();
      return r ? DEMO_OWNER_PIN : null;
    },
  };
}
