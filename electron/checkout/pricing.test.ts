import { signedInTill } from '../test-support/till-calls.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Product } from '../../shared/domain/index.js';
import { DEFAULT_PRICING, type PricingSettings } from '../../shared/pricing/settings.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused } from '../test-support/till-calls.js';
import type { Till } from '../till.js';

/** A French café: prices include VAT, 20 % by default, 5.5 % on the bakery's goods. */
const CAFE: PricingSettings = {
  ...DEFAULT_PRICING,
  taxesIncluded: true,
  rates: [
    { id: 'std', title: 'VAT 20%', percent: '20' },
    { id: 'red', title: 'Reduced 5.5%', percent: '5.5' },
  ],
  defaultRateId: 'std',
  productTypeRates: { Bakery: 'red' },
  tips: { enabled: true, presets: ['10', '15', '20'], taxRateId: null },
};

describe('a priced sale: taxes, discounts and a tip, from the cart to the journal', () => {
  let dir: ReturnType<typeof tempDir>;
  let till: Till;
  let products: Product[];
  const open = () =>
    signedInTill({ dataDir: dir.path, resourcesDir: RESOURCES_DIR, now: manualClock().now, timers: false });
  const variant = (title: string) => products.find((p) => p.title === title)!.variants[0]!.id;

  beforeEach(async () => {
    dir = tempDir();
    till = await open();
    products = (await call(till, 'searchCatalog', { limit: 500 })).products;
    await call(till, 'updatePricingSettings', CAFE);
  });
  afterEach(async () => {
    await till.close();
    dir.remove();
  });

  /** Flat White $4.50 less 10 %, a croissant $3.25, and 50 ¢ off the cart. */
  async function ringUp() {
    const flatWhite = await call(till, 'addToCart', { variantId: variant('Flat White') });
    await call(till, 'setLineDiscount', {
      lineId: flatWhite.lines[0]!.lineId,
      discount: { kind: 'percentage', percent: '10', reason: 'Regular' },
    });
    await call(till, 'addToCart', { variantId: variant('Butter Croissant') });
    return call(till, 'setCartDiscount', {
      discount: { kind: 'fixed', amount: 50n, reason: 'Yesterday’s bake' },
    });
  }

  it('prices the cart line by line, as worked by hand', async () => {
    const cart = await ringUp();
    // Flat White 450 − 45 = 405; croissant 325. The 50 ¢ split 405:325 by largest remainder:
    // 27.74 → 28 and 22.26 → 22. Tax inside the price, per line, half-up:
    // 377 × 20/120 = 62.83 → 63; 303 × 5.5/105.5 = 15.80 → 16.
    expect(cart.pricing.lines.map((l) => [l.cartDiscountShare, l.gross, l.tax, l.net])).toEqual([
      [28n, 377n, 63n, 314n],
      [22n, 303n, 16n, 287n],
    ]);
    expect(cart.pricing.totals).toMatchObject({ subtotal: 775n, discounts: 95n, tax: 79n, total: 680n });
    expect(cart.total).toBe(680n);
    expect(cart.pricing.taxLines).toEqual([
      { taxRate: { title: 'Reduced 5.5%', percent: '5.5' }, net: 287n, tax: 16n, gross: 303n },
      { taxRate: { title: 'VAT 20%', percent: '20' }, net: 314n, tax: 63n, gross: 377n },
    ]);
    // Sats shown are the sats the invoice will ask for the goods.
    expect(cart.estimatedMsat).toBe(6_800_000n);
  });

  it('charges the priced total with the tip, in the invoice and the journal, across a restart', async () => {
    await ringUp();
    const sale = await call(till, 'charge', { tip: { kind: 'percentage', percent: '10' } });
    // 10 % of the goods (680, tax included) is 68: the invoice asks for 7.48 at 100 000 USD/BTC.
    expect(sale.total).toBe(748n);
    expect(sale.invoice!.amountMsat).toBe(7_480_000n);
    expect(sale.pricing!.tip).toMatchObject({ amount: 68n, tax: 0n });
    expect(sale.pricing!.totals).toMatchObject({ goods: 680n, tip: 68n, tax: 79n, total: 748n });
    expect(sale.lines.map((l) => l.discount)).toEqual([
      { kind: 'percentage', percent: '10', reason: 'Regular' },
      null,
    ]);

    await till.close();
    till = await open();
    expect(await call(till, 'getSale', { saleId: sale.id })).toEqual(sale);
  });

  it('takes cash for the priced total with a fixed tip, and the change follows', async () => {
    await ringUp();
    const cart = await call(till, 'getCart');
    expect(
      await refused(till, 'payCash', { tendered: 779n, tip: { kind: 'fixed', amount: 100n } }),
    ).toMatchObject({
      kind: 'ValidationError',
      message: 'The cash handed over is less than the total.',
    });
    const sale = await call(till, 'payCash', { tendered: 1000n, tip: { kind: 'fixed', amount: 100n } });
    expect(sale.total).toBe(cart.total + 100n);
    expect(sale.cashTendered).toBe(1000n);
    const { cart: after } = { cart: await call(till, 'getCart') };
    expect(after.discount).toBeNull();
    expect(after.lines).toEqual([]);
  });

  it('adds tax on top when shelf prices exclude it, and never taxes a non-taxable variant', async () => {
    await call(till, 'updatePricingSettings', { ...CAFE, taxesIncluded: false });
    await call(till, 'addToCart', { variantId: variant('Flat White') });
    // Coffee beans are marked not taxable in the catalog (Shopify's taxable flag).
    const beans = products.find((p) => p.variants.some((v) => !v.taxable))!;
    const bag = beans.variants.find((v) => !v.taxable)!;
    const cart = await call(till, 'addToCart', { variantId: bag.id });
    expect(cart.pricing.lines.map((l) => l.tax)).toEqual([90n, 0n]);
    expect(cart.total).toBe(450n + 90n + bag.price);
  });

  it('re-prices the cart on screen when the owner changes the rates', async () => {
    await call(till, 'addToCart', { variantId: variant('Flat White') });
    const cart = await call(till, 'getCart');
    expect(cart.pricing.totals.tax).toBe(75n);
    await call(till, 'updatePricingSettings', { ...CAFE, defaultRateId: null });
    expect((await call(till, 'getCart')).pricing.totals.tax).toBe(0n);
  });

  it('refuses a discount that is not one, and one on an empty cart', async () => {
    // Any discount goes without a manager here (discount-approval.test.ts covers the limit).
    await call(till, 'updateSettings', { discountApprovalPercent: 100 });
    await call(till, 'clearCart');
    expect(
      await refused(till, 'setCartDiscount', { discount: { kind: 'percentage', percent: '10', reason: '' } }),
    ).toMatchObject({ kind: 'InvalidState', message: 'The cart is empty: add something before a discount.' });
    const cart = await call(till, 'addToCart', { variantId: variant('Flat White') });
    for (const percent of ['110', '-5', 'ten'])
      expect(
        await refused(till, 'setLineDiscount', {
          lineId: cart.lines[0]!.lineId,
          discount: { kind: 'percentage', percent, reason: '' },
        }),
      ).toMatchObject({ kind: 'ValidationError', message: 'Enter a percentage such as 10 or 12.5' });
    // A discount larger than the line makes it free, never negative.
    const free = await call(till, 'setLineDiscount', {
      lineId: cart.lines[0]!.lineId,
      discount: { kind: 'fixed', amount: 10_000n, reason: 'Spilt' },
    });
    expect(free.total).toBe(0n);
    expect(await refused(till, 'charge', {})).toMatchObject({ kind: 'InvalidState' });
  });
});
