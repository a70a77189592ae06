import { TillError } from '../../shared/contract/index.js';
import { approveDiscount } from '../checkout/discount-approval.js';
import type { Handlers, TillContext } from './context.js';

/** Settings → Taxes and tips. */
export function pricingCommands({ pricing, cart, settings }: TillContext) {
  const limitPercent = () => settings.get().discountApprovalPercent;
  return {
    getPricingSettings: () => pricing.get(),
    // Saving re-prices the cart on screen and tells every screen (createPricingSettings).
    updatePricingSettings: (next) => pricing.save(next),
    setLineDiscount: ({ lineId, discount }) => {
      const line = cart.get().lines.find((l) => l.lineId === lineId);
      if (!line) throw new TillError('NotFound', 'That line is no longer in the cart.');
      approveDiscount({ discount, base: line.lineTotal, limitPercent: limitPercent() });
      return cart.setLineDiscount(lineId, discount);
    },
    setCartDiscount: ({ discount }) => {
      // The cart discount is taken off what the lines cost after their own discounts.
      const { totals } = cart.get().pricing;
      const base = totals.subtotal - totals.lineDiscounts;
      approveDiscount({ discount, base, limitPercent: limitPercent() });
      return cart.setCartDiscount(discount);
    },
  } satisfies Partial<Handlers>;
}
