import { DEMO_OWNER_PIN } from '../staff/staff.js';
import type { CommandName, CommandOutput, Reply, TillErrorShape } from '../../shared/contract/index.js';
import { createTill, type Till, type TillDeps } from '../till.js';

/** A command that must succeed: its output, or the till's error as a thrown Error. */
export async function call<K extends CommandName>(
  till: Till,
  name: K,
  input: unknown = {},
): Promise<CommandOutput<K>> {
  const reply = await till.invoke(name, input);
  if (!reply.ok) throw new Error(`${name} failed: ${reply.error.kind}: ${reply.error.message}`);
  return reply.value as CommandOutput<K>;
}

/** A command that must fail: the till's error. */
export async function refused(till: Till, name: CommandName, input: unknown): Promise<TillErrorShape> {
  const reply: Reply<unknown> = await till.invoke(name, input);
  if (reply.ok) throw new Error(`${name} was expected to fail`);
  return reply.error;
}

/** The demo owner's PIN every new till starts with. */
export const OWNER_PIN = DEMO_OWNER_PIN;

/** Signs `till` in as its demo owner, as the PIN pad would: tests of other areas start here. */
export async function signIn(till: Till, pin = OWNER_PIN): Promise<Till> {
  await call(till, 'unlock', { pin });
  return till;
}

/**
 * createTill, signed in as the demo owner, with the idle lock off: tests of other areas jump
 * their clocks by minutes or hours, which would lock the till (electron/staff tests the lock).
 */
export async function signedInTill(deps: TillDeps): Promise<Till> {
  const till = await signIn(await createTill(deps));
  await call(till, 'updateSettings', { idleLockSec: 0 });
  return till;
}

/**
 * Signs in as the demo owner unless the till could not open its journal (a till answering
 * JournalUnavailable has no staff to sign in as): for tests that open tills through openTill.
 */
export async function signInIfOpen(till: Till, pin = OWNER_PIN): Promise<Till> {
  const reply = await till.invoke('unlock', { pin });
  if (!reply.ok && reply.error.kind !== 'JournalUnavailable') {
    throw new Error(`unlock failed: ${reply.error.kind}: ${reply.error.message}`);
  }
  if (reply.ok) await call(till, 'updateSettings', { idleLockSec: 0 });
  return till;
}
