import { signedInTill } from './till-calls.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Product, Sale } from '../../shared/domain/index.js';
import { parseFiat } from '../../shared/money/index.js';
import { DEFAULT_PRICING, type PricingSettings } from '../../shared/pricing/settings.js';
import { replaceCatalog } from '../journal/catalog.js';
import { openJournal } from '../journal/db.js';
import { SALE_ID_KEY, SALE_ID_NAMESPACE } from '../shopify/orders.js';
import { installOrders, type FakeOrder, type OrdersFake } from './fakes/shopify/orders.js';
import { startShopifyFake, type ShopifyFake } from './fakes/shopify/server.js';
import { manualClock, RESOURCES_DIR, tempDir } from './fixtures.js';
import type { Till, TillDeps } from '../till.js';
import { call } from './till-calls.js';

export { call, refused } from './till-calls.js';

/**
 * A till with the demo node and a catalog of Shopify products, beside an in-process Shopify
 * fake with the orders API installed; the helpers drive it as a cashier and a manager would.
 */
export const ALL_SCOPES = ['read_products', 'read_inventory', 'read_locations', 'write_orders'];
export const LOCATION = 'gid://shopify/Location/1';

/** A small Shopify catalog with real variant gids, and its stock at the till's location. */
export function catalog(n: number): { products: Product[]; stock: Map<string, Map<string, number>> } {
  const products: Product[] = [];
  const stock = new Map<string, Map<string, number>>();
  for (let i = 1; i <= n; i++) {
    const variantId = `gid://shopify/ProductVariant/${i}`;
    products.push({
      id: `gid://shopify/Product/${i}`,
      title: `Product ${i}`,
      vendor: 'Roastery',
      productType: 'Coffee',
      status: 'ACTIVE',
      imageUrl: null,
      variants: [
        {
          id: variantId,
          productId: `gid://shopify/Product/${i}`,
          title: 'Default Title',
          sku: `SKU-${i}`,
          barcode: `400000000${String(i).padStart(4, '0')}`,
          price: BigInt(100 * i + 50),
          compareAtPrice: null,
          taxable: true,
          inventoryQuantity: 1000,
          imageUrl: null,
          options: [],
        },
      ],
    });
    stock.set(variantId, new Map([[LOCATION, 1000]]));
  }
  return { products, stock };
}

export interface World {
  dir: ReturnType<typeof tempDir>;
  clock: ReturnType<typeof manualClock>;
  fake: ShopifyFake;
  orders: OrdersFake;
  till: Till;
  products: Product[];
}

export async function world(
  opts: {
    scopes?: string[];
    products?: number;
    client?: boolean;
    till?: Partial<TillDeps>;
    /** The shop's Shop.taxesIncluded (the fake's default: true). */
    taxesIncluded?: boolean;
  } = {},
): Promise<World> {
  const dir = tempDir('till-shopify-');
  const clock = manualClock();
  const { products, stock } = catalog(opts.products ?? 5);
  const db = openJournal(join(dir.path, 'journal.sqlite'));
  replaceCatalog(db, products, 'USD');
  db.close();
  const fake = await startShopifyFake({
    scopes: opts.scopes ?? ALL_SCOPES,
    now: clock.now,
    ...(opts.client ? { client: { id: 'client-1', secret: 'shpss_secret', tokenTtlSec: 3600 } } : {}),
    ...(opts.taxesIncluded !== undefined ? { taxesIncluded: opts.taxesIncluded } : {}),
  });
  fake.define('locations', () => ({
    nodes: [
      { __typename: 'Location', id: LOCATION, name: 'Café counter', isActive: true },
      { __typename: 'Location', id: 'gid://shopify/Location/2', name: 'Warehouse', isActive: true },
      { __typename: 'Location', id: 'gid://shopify/Location/3', name: 'Closed shop', isActive: false },
    ],
  }));
  const orders = installOrders(fake, { stock });
  const till = await signedInTill({
    dataDir: dir.path,
    resourcesDir: RESOURCES_DIR,
    now: clock.now,
    timers: false,
    log: () => undefined,
    shopifyBaseUrl: fake.url,
    // Long enough for a busy CI machine; tests of a Shopify that hangs pass their own.
    shopifyTimeoutMs: 1_500,
    shopifySleep: () => Promise.resolve(),
    exportDir: join(dir.path, 'exports'),
    ...opts.till,
  });
  const w = { dir, clock, fake, orders, till, products };
  return w;
}

export const tokenInput = (w: World) => ({
  shopify: { shopDomain: w.fake.shopDomain, accessToken: 'shpat_test_token' },
});

export async function connect(w: World): Promise<void> {
  await call(w.till, 'saveShopify', { ...tokenInput(w), locationId: LOCATION });
}

export async function sellCash(w: World, variantIndexes: number[]): Promise<Sale> {
  for (const i of variantIndexes)
    await call(w.till, 'addToCart', { variantId: w.products[i]!.variants[0]!.id });
  const cart = await call(w.till, 'getCart');
  return call(w.till, 'payCash', { tendered: cart.total + 500n });
}

/** Pumps until the queue is empty, moving the clock past each back-off. */
export async function drain(w: World, rounds = 2000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await w.till.tick();
    const { shopify } = await call(w.till, 'getStatus');
    if (shopify.pendingOrders === 0) return;
    w.clock.advance(5 * 60_000);
  }
  throw new Error('the outbox never drained');
}

export async function sellLightning(w: World, variantIndexes: number[]): Promise<Sale> {
  for (const i of variantIndexes)
    await call(w.till, 'addToCart', { variantId: w.products[i]!.variants[0]!.id });
  const sale = await call(w.till, 'charge');
  return call(w.till, 'demoPay', { saleId: sale.id });
}

/** Taxes added at the till (a US shop): 8.875 % on coffee, 15 % tips untaxed. */
export const PRICED_SHOP: PricingSettings = {
  ...DEFAULT_PRICING,
  taxesIncluded: false,
  rates: [{ id: 'nyc', title: 'NYC sales tax 8.875%', percent: '8.875' }],
  defaultRateId: 'nyc',
  tips: { enabled: true, presets: ['15', '18', '20'], taxRateId: null },
};

/**
 * A taxed, discounted cart (a line 15 % off, $0.37 off the cart, a custom amount), the shop's
 * pricing set to `PRICED_SHOP`; the tip is chosen as it is paid.
 */
export async function ringUpPriced(w: World) {
  await call(w.till, 'updatePricingSettings', PRICED_SHOP);
  const first = await call(w.till, 'addToCart', { variantId: w.products[0]!.variants[0]!.id, quantity: 3 });
  await call(w.till, 'setLineDiscount', {
    lineId: first.lines[0]!.lineId,
    discount: { kind: 'percentage', percent: '15', reason: 'Staff' },
  });
  await call(w.till, 'addToCart', { variantId: w.products[1]!.variants[0]!.id });
  await call(w.till, 'addCustomAmount', { amount: 199n, title: 'Cake of the day' });
  return call(w.till, 'setCartDiscount', { discount: { kind: 'fixed', amount: 37n, reason: 'Regular' } });
}

/** Closes the till and the fake and removes the data. */
export async function closeWorld(w: World): Promise<void> {
  await w.till.close();
  await w.fake.close();
  w.dir.remove();
}

/** The orders the fake really created, grouped by the sale id in their metafield. */
export function ordersBySale(orders: OrdersFake): Map<string, FakeOrder[]> {
  const by = new Map<string, FakeOrder[]>();
  for (const o of orders.orders) {
    const id = o.metafields.get(`${SALE_ID_NAMESPACE}.${SALE_ID_KEY}`) ?? '(no sale id)';
    by.set(id, [...(by.get(id) ?? []), o]);
  }
  return by;
}

/**
 * What each paid sale's order must total, worked out apart from the till's own stored total:
 * Σ price × quantity over the sale's journaled lines, a catalog line at the catalog's price
 * (`prices` by variant id), a custom amount at the price the cashier typed.
 */
export function expectedTotals(dataDir: string, prices: Map<string, bigint>): Map<string, bigint> {
  const journal = new Database(join(dataDir, 'journal.sqlite'), { readonly: true, fileMustExist: true });
  journal.defaultSafeIntegers(true);
  try {
    const lines = journal
      .prepare(
        `SELECT l.sale_id, l.variant_id, l.unit_price, l.quantity FROM sale_lines l
         JOIN sales s ON s.id = l.sale_id WHERE s.state = 'paid'`,
      )
      .all() as { sale_id: string; variant_id: string | null; unit_price: bigint; quantity: bigint }[];
    const totals = new Map<string, bigint>();
    for (const l of lines) {
      const price = (l.variant_id !== null ? prices.get(l.variant_id) : undefined) ?? l.unit_price;
      totals.set(l.sale_id, (totals.get(l.sale_id) ?? 0n) + price * l.quantity);
    }
    return totals;
  } finally {
    journal.close();
  }
}

/** An order's total in minor units, from both its transaction and its line items (they must agree). */
export function orderTotal(order: FakeOrder): { paid: bigint; lines: bigint } {
  const currency = order.input.currency ?? 'USD';
  const tx = order.input.transactions?.[0]?.amountSet.shopMoney;
  const lines = (order.input.lineItems ?? []).reduce(
    (sum, l) => sum + parseFiat(l.priceSet?.shopMoney.amount ?? '0', currency) * BigInt(l.quantity),
    0n,
  );
  return { paid: tx ? parseFiat(tx.amount, currency) : -1n, lines };
}

/** Catalog prices by variant id, as the products a world was seeded with. */
export function pricesOf(products: Product[]): Map<string, bigint> {
  return new Map(products.flatMap((p) => p.variants.map((v) => [v.id, v.price] as const)));
}
