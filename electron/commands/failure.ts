import type { CommandName, TillErrorShape } from '../../shared/contract/index.js';
import { storageCause, storageCauses } from '../journal/storage-errors.js';

/**
 * What an unexpected failure of a command means for the money, where something must be said.
 * "Nothing was charged" is only true where no invoice reached the screen; a cash sale that
 * failed means the cashier holds money the till has not recorded.
 */
const consequences: Partial<Record<CommandName, { storage: string; other: string }>> = {
  payCash: {
    storage: 'The cash sale was NOT recorded',
    other: 'The cash sale may not have been recorded: check Sales before ringing it up again',
  },
  charge: {
    storage: 'No invoice was shown, so nothing was charged',
    other: 'No invoice was shown, so nothing was charged',
  },
  reissueInvoice: {
    storage: 'No new invoice was shown, so nothing was charged',
    other: 'No new invoice was shown, so nothing was charged',
  },
  // A refund is journaled whole or not at all, before any cash leaves the drawer.
  createRefund: {
    storage: 'The refund was NOT recorded: hand over no cash',
    other: 'The refund may not have been recorded: check the sale’s refunds before handing over any cash',
  },
};

const CASH_KEPT =
  'The cart is kept: keep the customer’s cash apart and take the sale again once the till can write.';

/**
 * The one mapping, at the till's boundary, of an error no handler expected into a kind and a
 * message a cashier can act on: the cause when it is the disk (full, read-only, failing,
 * damaged journal), and what it means for the money in hand.
 */
export function commandFailure(command: CommandName, err: unknown): TillErrorShape {
  const cause = storageCause(err);
  const consequence = consequences[command];
  if (cause !== null) {
    const { cause: words, remedy } = storageCauses[cause];
    const opening = consequence?.storage ?? 'Nothing was saved';
    const tail = command === 'payCash' ? `${CASH_KEPT} ${remedy}` : remedy;
    return { kind: 'StorageError', message: `${opening}: ${words}. ${tail}` };
  }
  return {
    kind: 'Internal',
    message: consequence
      ? `Something went wrong in the till. ${consequence.other}.`
      : 'Something went wrong in the till; try again.',
  };
}

/** A command the contract does not have; the name is shown only when it is a short string. */
export function unknownCommand(name: unknown): TillErrorShape {
  const shown = typeof name === 'string' ? `"${name.slice(0, 64)}"` : `of type ${typeof name}`;
  return { kind: 'ValidationError', message: `Unknown command ${shown}.` };
}
