import { COMMAND_ACCESS } from '../../shared/contract/access.js';
import type { CommandName } from '../../shared/contract/index.js';
import { roleCovers, type Role, type Session } from '../../shared/domain/index.js';
import { useShell } from './context.js';

/** How the screens name each role. */
export const ROLE_LABEL: Record<Role, string> = { cashier: 'Cashier', manager: 'Manager', owner: 'Owner' };

/**
 * True when whoever is signed in may run `name` alone (shared/contract/access.ts, the table the
 * till enforces). The screens hide what a role may not use, or keep it behind the approval sheet
 * where a manager's PIN on the spot makes sense; the till decides either way.
 */
export function mayRun(session: Session | null, name: CommandName): boolean {
  const needed = COMMAND_ACCESS[name].role;
  if (needed === 'locked') return true;
  return session !== null && roleCovers(session.role, needed);
}

/** `mayRun` for the person signed in now. */
export function useMayRun(): (name: CommandName) => boolean {
  const { status } = useShell();
  const session = status?.session ?? null;
  return (name) => mayRun(session, name);
}
