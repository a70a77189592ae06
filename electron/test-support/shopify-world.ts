import { join } from 'node:path';
import type { Product, Sale } from '../../shared/domain/index.js';
import { replaceCatalog } from '../journal/catalog.js';
import { openJournal } from '../journal/db.js';
import { installOrders, type OrdersFake } from './fakes/shopify/orders.js';
import { startShopifyFake, type ShopifyFake } from './fakes/shopify/server.js';
import { manualClock, RESOURCES_DIR, tempDir } from './fixtures.js';
import { createTill, type Till, type TillDeps } from '../till.js';
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
  opts: { scopes?: string[]; products?: number; client?: boolean; till?: Partial<TillDeps> } = {},
): Promise<World> {
  const dir = tempDir('till-shopify-');
  const clock = manualClock();
  const { products, stock } = catalog(opts.products ?? 5);
  const db = openJournal(join(dir.path, 'journal.sqlite'));
  replaceCatalog(db, products);
  db.close();
  const fake = await startShopifyFake({
    scopes: opts.scopes ?? ALL_SCOPES,
    now: clock.now,
    ...(opts.client ? { client: { id: 'client-1', secret: 'shpss_secret', tokenTtlSec: 3600 } } : {}),
  });
  fake.define('locations', () => ({
    nodes: [
      { __typename: 'Location', id: LOCATION, name: 'Café counter', isActive: true },
      { __typename: 'Location', id: 'gid://shopify/Location/2', name: 'Warehouse', isActive: true },
      { __typename: 'Location', id: 'gid://shopify/Location/3', name: 'Closed shop', isActive: false },
    ],
  }));
  const orders = installOrders(fake, { stock });
  const till = await createTill({
    dataDir: dir.path,
    resourcesDir: RESOURCES_DIR,
    now: clock.now,
    timers: false,
    log: () => undefined,
    shopifyBaseUrl: fake.url,
    shopifyTimeoutMs: 400,
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

/** Closes the till and the fake and removes the data. */
export async function closeWorld(w: World): Promise<void> {
  await w.till.close();
  await w.fake.close();
  w.dir.remove();
}
