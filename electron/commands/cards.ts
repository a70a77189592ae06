import type { Handlers, TillContext } from './context.js';

/** Bolt Cards: a card tapped (read by a keyboard-wedge reader on the charge screen) pays the sale. */
export function cardCommands({ cards }: TillContext) {
  return {
    tapCard: ({ saleId, text }) => cards.tap(saleId, text),
  } satisfies Partial<Handlers>;
}
