import { afterEach, describe, expect, it } from 'vitest';
import {
  closeWorld,
  connect,
  drain,
  ordersBySale,
  ringUpPriced,
  world,
  type World,
} from '../test-support/shopify-world.js';
import { call } from '../test-support/till-calls.js';

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await closeWorld(w);
});

describe('a taxed, discounted, tipped sale reaches Shopify with the till’s totals', () => {
  for (const tender of ['cash', 'lightning'] as const) {
    it(`paid in ${tender}`, async () => {
      const w = await world();
      worlds.push(w);
      await connect(w);
      await ringUpPriced(w);
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
