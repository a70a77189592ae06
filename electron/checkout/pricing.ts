import type { CartLine, Discount, Pricing, Tip } from '../../shared/domain/index.js';
import { priceCart, taxBreakdown } from '../../shared/pricing/index.js';
import { lineTaxRate, tipTaxRate, type PricingSettings } from '../../shared/pricing/settings.js';
import { findVariant } from '../journal/catalog.js';
import type { Db } from '../journal/db.js';

export interface PriceInput {
  currency: string;
  lines: readonly CartLine[];
  discount: Discount | null;
  tip?: Tip | null;
  settings: PricingSettings;
}

/**
 * Prices the till's cart (or a sale being rung up) with the owner's pricing settings: each
 * line's tax rate from its product (its own rate, its type's, the default; none when Shopify
 * marks the variant not taxable), the line and cart discounts, the tip. One function, so the
 * register, the charge, the journal and the receipt never price the same cart two ways.
 */
export function priceLines(db: Db, input: PriceInput): Pricing {
  const priced = priceCart({
    currency: input.currency,
    taxesIncluded: input.settings.taxesIncluded,
    lines: input.lines.map((l) => {
      // A keypad amount, or a product gone from the catalog since: taxable at the default rate.
      const found = l.variantId === null ? null : findVariant(db, l.variantId);
      const rated = found
        ? {
            productId: found.product.id,
            productType: found.product.productType,
            taxable: found.variant.taxable,
          }
        : { productId: null, productType: null, taxable: true };
      return {
        lineId: l.lineId,
        unitPrice: l.unitPrice,
        quantity: l.quantity,
        taxable: rated.taxable,
        taxRate: lineTaxRate(input.settings, rated),
        discount: l.discount,
      };
    }),
    cartDiscount: input.discount,
    tip: input.tip ?? null,
    tipTaxRate: tipTaxRate(input.settings),
  });
  return {
    ...priced,
    lines: [...priced.lines],
    taxLines: taxBreakdown(priced),
  };
}
