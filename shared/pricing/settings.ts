import { z } from 'zod';
import type { TaxRate } from './index.js';

/**
 * The owner's pricing settings: named tax rates and which lines they apply to, whether shelf
 * prices include tax, tips, and what the receipt prints for the tax office. Pure data, shared
 * by the till (which prices with them) and Settings (which edits them).
 */

const PERCENT = /^(100(\.0{1,4})?|\d{1,2}(\.\d{1,4})?)$/;
const percent = (what: string) =>
  z
    .string()
    .trim()
    .max(9, { message: `Enter ${what} such as 20 or 5.5`, abort: true })
    .regex(PERCENT, `Enter ${what} such as 20 or 5.5`);

const rateId = z.string().min(1).max(40);

export const TaxRateSetting = z.object({
  id: rateId,
  title: z.string().trim().min(1, 'Name the rate as the receipt shows it, e.g. VAT 20%').max(40),
  percent: percent('a rate'),
});
export type TaxRateSetting = z.infer<typeof TaxRateSetting>;

export const MAX_TAX_RATES = 20;
export const MAX_TIP_PRESETS = 4;

export const PricingSettings = z
  .object({
    /** Shelf prices include tax (EU, UK, Australia) or tax is added at the till (US, Canada). */
    taxesIncluded: z.boolean(),
    rates: z.array(TaxRateSetting).max(MAX_TAX_RATES, `At most ${MAX_TAX_RATES} tax rates`),
    /** The rate of a line no rule below names; null: untaxed unless a rule says otherwise. */
    defaultRateId: rateId.nullable(),
    /** Shopify's product type → rate id ("Bakery" → the reduced rate). */
    productTypeRates: z.record(z.string().max(255), rateId),
    /** A product's own rate, above its type's. */
    productRates: z.record(z.string().max(200), rateId),
    tips: z.object({
      enabled: z.boolean(),
      presets: z.array(percent('a tip')).max(MAX_TIP_PRESETS, `At most ${MAX_TIP_PRESETS} tip choices`),
      /** The rate on tips, where the law taxes them; null: untaxed. */
      taxRateId: rateId.nullable(),
    }),
    receipt: z.object({
      /** VAT or tax id, printed on every receipt when set. */
      taxId: z.string().trim().max(40),
      address: z.string().trim().max(200),
    }),
  })
  .superRefine((s, ctx) => {
    const ids = new Set<string>();
    for (const r of s.rates) {
      if (ids.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rates'], message: 'Two rates share one id' });
      ids.add(r.id);
    }
    const named = (id: string | null, path: (string | number)[]) => {
      if (id !== null && !ids.has(id))
        ctx.addIssue({ code: 'custom', path, message: 'That tax rate no longer exists: choose another' });
    };
    named(s.defaultRateId, ['defaultRateId']);
    named(s.tips.taxRateId, ['tips', 'taxRateId']);
    for (const [type, id] of Object.entries(s.productTypeRates)) named(id, ['productTypeRates', type]);
    for (const [product, id] of Object.entries(s.productRates)) named(id, ['productRates', product]);
  });
export type PricingSettings = z.infer<typeof PricingSettings>;

/** A new till: prices as labelled (no tax added), no tips — it sells as it did before taxes existed. */
export const DEFAULT_PRICING: PricingSettings = {
  taxesIncluded: true,
  rates: [],
  defaultRateId: null,
  productTypeRates: {},
  productRates: {},
  tips: { enabled: false, presets: ['10', '15', '20'], taxRateId: null },
  receipt: { taxId: '', address: '' },
};

/** What a cart line is, for choosing its rate. A keypad amount has no product. */
export interface RatedLine {
  productId: string | null;
  productType: string | null;
  /** Shopify's `taxable` flag; a keypad amount is taxable. */
  taxable: boolean;
}

function rateById(s: PricingSettings, id: string | null | undefined): TaxRate | null {
  const r = id == null ? undefined : s.rates.find((x) => x.id === id);
  return r ? { title: r.title, percent: r.percent } : null;
}

/**
 * The rate a line is taxed at: none when the variant is not taxable; else the product's own
 * rate, else its product type's, else the default.
 */
export function lineTaxRate(s: PricingSettings, line: RatedLine): TaxRate | null {
  if (!line.taxable) return null;
  const own = line.productId === null ? undefined : s.productRates[line.productId];
  if (own !== undefined) return rateById(s, own);
  const byType = line.productType === null ? undefined : s.productTypeRates[line.productType];
  if (byType !== undefined) return rateById(s, byType);
  return rateById(s, s.defaultRateId);
}

export function tipTaxRate(s: PricingSettings): TaxRate | null {
  return rateById(s, s.tips.taxRateId);
}
