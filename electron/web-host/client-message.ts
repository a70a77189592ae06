import { isCommandName, type CommandName } from '../../shared/contract/index.js';
import { fromWire } from '../../shared/contract/wire.js';

/**
 * What a socket message asks for, read without trusting any of it: the text came from a
 * browser page, and a `name` that is an object, an id that is a string or a JSON body that is
 * not an object must each get a clear answer, never an exception in the host.
 */
export type ClientRequest =
  | { kind: 'invoke'; id: number; name: CommandName; input: unknown }
  /** A well-formed request for a command the contract does not have: answered as a reply. */
  | { kind: 'unknownCommand'; id: number }
  /** Not our protocol at all: nothing to reply to, so the socket is closed with this reason. */
  | { kind: 'refuse'; reason: string };

export function readClientMessage(text: string): ClientRequest {
  let msg: unknown;
  try {
    msg = fromWire(text);
  } catch {
    // Malformed JSON, or nesting so deep the parser runs out of stack.
    return { kind: 'refuse', reason: 'Messages must be JSON' };
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg))
    return { kind: 'refuse', reason: 'Unknown message' };
  const { type, id, name, input } = msg as Record<string, unknown>;
  if (type !== 'invoke' || typeof id !== 'number' || !Number.isSafeInteger(id)) {
    return { kind: 'refuse', reason: 'Unknown message' };
  }
  if (!isCommandName(name)) return { kind: 'unknownCommand', id };
  return { kind: 'invoke', id, name, input };
}
