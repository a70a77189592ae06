import type { Handlers, TillContext } from './context.js';

/** Settings → Taxes and tips. */
export function pricingCommands({ pricing, cart, statusChanged }: TillContext) {
  return {
    getPricingSettings: () => pricing.get(),
    updatePricingSettings: (next) => {
      const saved = pricing.save(next);
      // The cart on screen is priced again with the new rates.
      cart.changed();
      statusChanged();
      return saved;
    },
    setLineDiscount: ({ lineId, discount }) => cart.setLineDiscount(lineId, discount),
    setCartDiscount: ({ discount }) => cart.setCartDiscount(discount),
  } satisfies Partial<Handlers>;
}
