import { searchCatalog } from '../journal/catalog.js';
import type { Handlers, TillContext } from './context.js';

/** The register: catalog search and the cart. */
export function registerCommands({ db, cart }: TillContext) {
  return {
    searchCatalog: ({ query, limit }) => searchCatalog(db, query, limit),
    getCart: () => cart.get(),
    addToCart: ({ variantId, quantity }) => cart.addVariant(variantId, quantity),
    addCustomAmount: ({ amount, title }) => cart.addCustom(amount, title),
    scanBarcode: ({ code }) => cart.scan(code),
    setLineQuantity: ({ lineId, quantity }) => cart.setQuantity(lineId, quantity),
    changeLineQuantity: ({ lineId, by }) => cart.changeQuantity(lineId, by),
    removeLine: ({ lineId }) => cart.remove(lineId),
    clearCart: () => cart.clear(),
  } satisfies Partial<Handlers>;
}
