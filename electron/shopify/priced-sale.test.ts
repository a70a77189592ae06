import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRICING, type PricingSettings } from '../../shared/pricing/settings.js';
import {
  closeWorld,
  connect,
  drain,
  ordersBySale,
  world,
  type World,
} from '../test-support/shopify-world.js';
import { call } from '../test-support/till-calls.js';

/** Taxes added at the till (a US shop): 8.875 % on coffee, 15 % tips untaxed. */
const SHOP: PricingSettings = {
  ...DEFAULT_PRICING,
  taxesIncluded: false,
  rates: [{ id: 'nyc', title: 'NYC sales tax 8.875%', percent: '8.875' }],
  defaultRateId: 'nyc',
  tips: { enabled: true, presets: ['15', '18', '20'], taxRateId: null },
};

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await closeWorld(w);
});

async function ringUp(w: World) {
  await call(w.till, 'updatePricingSettings', SHOP);
  const first = await call(w.till, 'addToCart', { variantId: w.products[0]!.variants[0]!.id, quantity: 3 });
  await call(w.till, 'setLineDiscount', {
    lineId: first.lines[0]!.lineId,
    discount: { kind: 'percentage', percent: '15', reason: 'Staff' },
  });
  await call(w.till, 'addToCart', { variantId: w.products[1]!.variants[0]!.id });
  await call(w.till, 'addCustomAmount', { amount: 199n, title: 'Cake of the day' });
  return call(w.till, 'setCartDiscount', { discount: { kind: 'fixed', amount: 37n, reason: 'Regular' } });
}

describe('a taxed, discounted, tipped sale reaches Shopify with the till’s totals', () => {
  for (const tender of ['cash', 'lightning'] as const) {
    it(`paid in ${tender}`, async () => {
      const w = await world();
      worlds.push(w);
      await connect(w);
      await ringUp(w);
      const tip = { kind: 'percentage' as const, percent: '18' };
      const sale =
        tender === 'cash'
          ? await call(w.till, 'payCash', { tendered: 10_000n, tip })
          : await call(w.till, 'demoPay', { saleId: (await call(w.till, 'charge', { tip })).id });
      expect(sale.state).toBe('paid');
      await drain(w);

      const [order, ...more] = ordersBySale(w.orders).get(sale.id) ?? [];
      expect(more).toEqual([]);
      const pricing = sale.pricing!;
      expect(pricing.totals.tax).toBeGreaterThan(0n);
      expect(pricing.totals.discounts).toBeGreaterThan(0n);
      expect(pricing.totals.tip).toBeGreaterThan(0n);
      // Shopify's own figures, as the fake computes them from what the till sent.
      expect(order!.totals).toMatchObject({
        total: sale.total,
        tax: pricing.totals.tax,
        discounts: pricing.totals.discounts,
        paid: sale.total,
        outstanding: 0n,
      });
    });
  }
});
