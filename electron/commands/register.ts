import { searchCatalog } from '../journal/catalog.js';
import type { Handlers, TillContext } from './context.js';

/** The register: catalog search and the cart. */
export function registerCommands({ db, cart }: TillContext) {
  return {
    searchCatalog: ({ query, limit }) => searchCatalog(db, query, limit),
    getCart: () => cart.get(),
    addToCart: ({ variantId, quantity, confirmLarge }) => cart.addVariant(variantId, quantity, confirmLarge),
    addCustomAmount: ({ amount, title, confirmLarge }) => cart.addCustom(amount, title, confirmLarge),
    scanBarcode: ({ code, confirmLarge }) => cart.scan(code, confirmLarge),
    setLineQuantity: ({ lineId, quantity, confirmLarge }) => cart.setQuantity(lineId, quantity, confirmLarge),
    changeLineQuantity: ({ lineId, by, confirmLarge }) => cart.changeQuantity(lineId, by, confirmLarge),
    removeLine: ({ lineId }) => cart.remove(lineId),
    clearCart: () => cart.clear(),
    setLineNote: ({ lineId, note }) => cart.setLineNote(lineId, note),
    setCartNote: ({ note }) => cart.setCartNote(note),
  } satisfies Partial<Handlers>;
}
