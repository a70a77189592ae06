import type { Handlers, TillContext } from './context.js';

/** The customer-facing display: what it shows, and the one thing the customer may do (tip). */
export function displayCommands({ display, displayPairing }: TillContext) {
  return {
    getDisplay: () => display.get(),
    chooseTip: ({ tip }) => display.chooseTip(tip),
    getCustomerDisplay: () => displayPairing.config(),
    updateCustomerDisplay: ({ settings }) => displayPairing.update(settings),
    startDisplayPairing: () => displayPairing.startPairing(),
    revokeDisplay: ({ id }) => displayPairing.revoke(id),
  } satisfies Partial<Handlers>;
}
