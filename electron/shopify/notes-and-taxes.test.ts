import { signedInTill } from '../test-support/till-calls.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cart } from '../../shared/domain/index.js';
import { DEFAULT_PRICING } from '../../shared/pricing/settings.js';
import { RESOURCES_DIR } from '../test-support/fixtures.js';
import {
  closeWorld,
  connect,
  drain,
  ordersBySale,
  world,
  type World,
} from '../test-support/shopify-world.js';
import { call } from '../test-support/till-calls.js';
import type { Till } from '../till.js';

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await closeWorld(w);
});

/** The world's till closed and opened again on the same journal. */
async function restart(w: World): Promise<Till> {
  await w.till.close();
  w.till = await signedInTill({
    dataDir: w.dir.path,
    resourcesDir: RESOURCES_DIR,
    now: w.clock.now,
    timers: false,
    log: () => undefined,
    shopifyBaseUrl: w.fake.url,
  });
  return w.till;
}

async function opened(opts: { taxesIncluded?: boolean } = {}): Promise<World> {
  const w = await world(opts);
  worlds.push(w);
  return w;
}

describe('notes reach the Shopify order', () => {
  it('the order note as the order’s note, a line’s note as its "Note" property', async () => {
    const w = await opened();
    await connect(w);
    await call(w.till, 'addToCart', { variantId: w.products[0]!.variants[0]!.id });
    const cart = await call(w.till, 'addToCart', { variantId: w.products[1]!.variants[0]!.id });
    await call(w.till, 'setLineNote', { lineId: cart.lines[0]!.lineId, note: 'oat milk' });
    const noted = await call(w.till, 'setCartNote', { note: 'For Anna, table 4' });
    const sale = await call(w.till, 'payCash', { tendered: noted.total });
    await drain(w);

    const [order, ...more] = ordersBySale(w.orders).get(sale.id) ?? [];
    expect(more).toEqual([]);
    expect(w.fake.violations).toEqual([]);
    expect(order!.input.note).toBe('For Anna, table 4');
    const lines = order!.input.lineItems ?? [];
    expect(lines.map((l) => l.properties ?? [])).toEqual([[{ name: 'Note', value: 'oat milk' }], []]);
  });

  it('an order without notes carries none', async () => {
    const w = await opened();
    await connect(w);
    const cart = await call(w.till, 'addToCart', { variantId: w.products[0]!.variants[0]!.id });
    const sale = await call(w.till, 'payCash', { tendered: cart.total });
    await drain(w);
    const [order] = ordersBySale(w.orders).get(sale.id) ?? [];
    expect(order!.input.note).toBeUndefined();
    expect(order!.input.lineItems?.[0]?.properties ?? []).toEqual([]);
  });
});

describe('taxes included, by default as the Shopify shop says', () => {
  it('a shop that adds tax makes the till add it, when the owner has set nothing', async () => {
    const w = await opened({ taxesIncluded: false });
    expect((await call(w.till, 'getPricingSettings')).taxesIncluded).toBe(true);
    await call(w.till, 'addToCart', { variantId: w.products[0]!.variants[0]!.id });
    const pushed: boolean[] = [];
    const off = w.till.subscribe((event, payload) => {
      if (event === 'cartChanged') pushed.push((payload as Cart).pricing.taxesIncluded);
    });
    await connect(w);
    off();
    expect(await call(w.till, 'getPricingSettings')).toEqual({ ...DEFAULT_PRICING, taxesIncluded: false });
    // The cart on screen is priced the shop's way at once.
    expect(pushed).toEqual([false]);
    expect((await call(w.till, 'getCart')).pricing.taxesIncluded).toBe(false);
    // The shop's answer is kept in the journal: still the till's after a restart.
    expect((await call(await restart(w), 'getPricingSettings')).taxesIncluded).toBe(false);
  });

  it('never overrides what the owner saved', async () => {
    const w = await opened({ taxesIncluded: false });
    const owner = {
      ...DEFAULT_PRICING,
      taxesIncluded: true,
      rates: [{ id: 'vat', title: 'VAT 20%', percent: '20' }],
      defaultRateId: 'vat',
    };
    await call(w.till, 'updatePricingSettings', owner);
    await connect(w);
    expect(await call(w.till, 'getPricingSettings')).toEqual(owner);
    expect(await call(await restart(w), 'getPricingSettings')).toEqual(owner);
  });

  it('a shop whose prices include tax keeps the till including it', async () => {
    const w = await opened({ taxesIncluded: true });
    await connect(w);
    expect((await call(w.till, 'getPricingSettings')).taxesIncluded).toBe(true);
  });
});
