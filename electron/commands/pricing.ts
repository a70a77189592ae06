import type { Handlers, TillContext } from './context.js';

/** Settings → Taxes and tips. */
export function pricingCommands({ pricing, statusChanged }: TillContext) {
  return {
    getPricingSettings: () => pricing.get(),
    updatePricingSettings: (next) => {
      const saved = pricing.save(next);
      statusChanged();
      return saved;
    },
  } satisfies Partial<Handlers>;
}
