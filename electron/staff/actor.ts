import { AsyncLocalStorage } from 'node:async_hooks';
import type { Role } from '../../shared/domain/index.js';

/** A person as a command runs for them. */
export interface Person {
  staffId: string;
  name: string;
  role: Role;
}

/** Who a command runs for: the signed-in person, and the manager who approved it in place, if one did. */
export interface Actor {
  staff: Person;
  approver: Person | null;
}

const current = new AsyncLocalStorage<Actor | null>();

/**
 * Runs `fn` as `actor`: everything it journals (sale events, audit rows, orders) is attributed
 * to them. The till's gate (electron/staff/gate.ts) is the only caller; background work (a
 * payment settling, the outbox) runs as nobody.
 */
export function runAs<T>(actor: Actor | null, fn: () => T): T {
  return current.run(actor, fn);
}

/** Who the command being run is for; null for the till's own background work. */
export function currentActor(): Actor | null {
  return current.getStore() ?? null;
}
