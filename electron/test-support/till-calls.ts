import type { CommandName, CommandOutput, Reply, TillErrorShape } from '../../shared/contract/index.js';
import type { Till } from '../till.js';

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
