import type { Handlers, TillContext } from './context.js';

/** The customer-facing display: what it shows, and the one thing the customer may do (tip). */
export function displayCommands({ display }: TillContext) {
  return {
    getDisplay: () => display.get(),
    chooseTip: ({ tip }) => display.chooseTip(tip),
  } satisfies Partial<Handlers>;
}
