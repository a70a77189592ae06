import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFiat } from '../../shared/money/index.js';
import { loadDemoCatalog } from '../catalog/demo.js';
import {
  countProducts,
  findByBarcode,
  findVariant,
  catalogCurrency,
  replaceCatalog,
  searchCatalog,
} from '../journal/catalog.js';
import { openJournal, type Db } from '../journal/db.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import {
  generateCatalog,
  installCatalog,
  type CatalogFake,
  type FakeProduct,
} from '../test-support/fakes/shopify/catalog.js';
import { startShopifyFake, type ShopifyFake } from '../test-support/fakes/shopify/server.js';
import { catalogSyncState, createCatalogSync, type SyncProgress } from './catalog-sync.js';
import { createShopifyClient } from './client.js';
import { readLines } from './jsonl.js';

const LOCATION = 'gid://shopify/Location/1';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(opts: {
  products: FakeProduct[];
  bucket?: { maximumAvailable: number; restoreRate: number };
  tillCurrency?: () => string;
}): Promise<{
  fake: ShopifyFake;
  shop: CatalogFake;
  db: Db;
  sync: ReturnType<typeof createCatalogSync>;
  dataDir: string;
  progress: SyncProgress[];
  clock: ReturnType<typeof manualClock>;
}> {
  const fake = await startShopifyFake(opts.bucket ? { bucket: opts.bucket } : {});
  const shop = installCatalog(fake, { products: opts.products, bulkDelayMs: 5 });
  const dir = tempDir('catalog-sync-');
  const db = openJournal(join(dir.path, 'journal.sqlite'));
  const client = createShopifyClient({
    shopDomain: fake.shopDomain,
    token: () => Promise.resolve('shpat_test_token'),
    baseUrl: fake.url,
    timeoutMs: 20_000,
  });
  const clock = manualClock();
  const progress: SyncProgress[] = [];
  const sync = createCatalogSync({
    db,
    client,
    locationId: LOCATION,
    dataDir: dir.path,
    pollMs: 5,
    now: clock.now,
    onProgress: (p) => progress.push(p),
    ...(opts.tillCurrency ? { tillCurrency: opts.tillCurrency } : {}),
  });
  cleanups.push(async () => {
    await sync.images.stop();
    db.close();
    shop.cleanup();
    dir.remove();
    await fake.close();
  });
  return { fake, shop, db, sync, dataDir: dir.path, progress, clock };
}

/** Every ACTIVE product of the fake shop is in the till exactly as Shopify has it, and nothing else. */
function expectTillMatches(db: Db, products: FakeProduct[]): void {
  const active = products.filter((p) => p.status === 'ACTIVE');
  expect(countProducts(db)).toBe(active.length);
  for (const p of active) {
    for (const v of p.variants) {
      const found = findVariant(db, v.id);
      expect(found, `${p.title} / ${v.title}`).not.toBeNull();
      const { product, variant } = found!;
      expect(product).toMatchObject({
        id: p.id,
        title: p.title,
        vendor: p.vendor,
        productType: p.productType,
        status: 'ACTIVE',
      });
      expect(variant).toMatchObject({
        productId: p.id,
        title: v.title === 'Default Title' ? '' : v.title,
        sku: v.sku,
        barcode: v.barcode,
        price: parseFiat(v.price, 'USD'),
        compareAtPrice: v.compareAtPrice === null ? null : parseFiat(v.compareAtPrice, 'USD'),
        taxable: v.taxable,
        inventoryQuantity: v.tracked ? (v.available[LOCATION] ?? 0) : null,
        options: v.selectedOptions.filter((o) => o.name !== 'Title'),
      });
    }
    expect(findVariant(db, p.variants[0]!.id)!.product.variants.map((v) => v.id)).toEqual(
      p.variants.map((v) => v.id),
    );
  }
}

describe('the Shopify catalog sync', () => {
  it('replaces the demo catalog with the shop’s own through one bulk operation', async () => {
    const products = generateCatalog({ variants: 120, seed: 7, inactiveShare: 0.2 });
    const { db, sync, fake, progress } = await setup({ products });
    replaceCatalog(db, loadDemoCatalog(RESOURCES_DIR).products, 'USD');
    expect(searchCatalog(db, 'espresso', 10).total).toBeGreaterThan(0);

    const result = await sync.full();

    const active = products.filter((p) => p.status === 'ACTIVE');
    expect(active.length).toBeLessThan(products.length);
    expect(result.products).toBe(active.length);
    expect(result.variants).toBe(active.reduce((n, p) => n + p.variants.length, 0));
    expectTillMatches(db, products);
    expect(searchCatalog(db, 'espresso', 10).products.every((p) => p.id.includes('/Product/1'))).toBe(true);
    expect(fake.calls.get('bulkOperationRunQuery')).toBe(1);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['running', 'downloading', 'done']));
    const state = catalogSyncState(db);
    expect(state.lastFullSyncAt).not.toBeNull();
    expect(state.updatedAtCursor).toBe(state.deletedCursor);
  });

  it('refuses a store whose prices are no longer in the till’s currency, and keeps the catalog it has', async () => {
    const products = generateCatalog({ variants: 20, seed: 5, inactiveShare: 0 });
    let selling = 'USD';
    const { db, sync, fake } = await setup({ products, tillCurrency: () => selling });
    await sync.full();
    expect(catalogCurrency(db)).toBe('USD');
    // Ids and prices: images keep arriving in the background.
    const prices = () =>
      searchCatalog(db, '', 500).products.flatMap((p) => p.variants.map((v) => [v.id, v.price]));
    const before = prices();

    // The merchant switched the store to euros in Shopify: $4.50 must not ring up as €4.50.
    fake.define('shop', () => ({
      __typename: 'Shop',
      id: 'gid://shopify/Shop/1',
      name: 'Corner Café',
      myshopifyDomain: fake.shopDomain,
      currencyCode: 'EUR',
      ianaTimezone: 'Europe/Berlin',
      taxesIncluded: true,
    }));
    for (const run of [() => sync.full(), () => sync.incremental()]) {
      await expect(run()).rejects.toThrow(
        "the store's prices are in EUR but the till sells in USD. Connect the store again (Settings → Shopify) to switch the till to EUR.",
      );
      expect(prices()).toEqual(before);
      expect(catalogCurrency(db)).toBe('USD');
    }

    selling = 'EUR';
    await sync.full();
    expect(catalogCurrency(db)).toBe('EUR');
  });

  it('links variant media lines to their variant by __parentId', async () => {
    const products = generateCatalog({ variants: 80, seed: 11, inactiveShare: 0 });
    const { db, sync, shop } = await setup({ products });
    await sync.full();
    const withImage = products.flatMap((p) => p.variants).filter((v) => v.imagePath);
    expect(withImage.length).toBeGreaterThan(0);
    // The fake wrote parents first and children later (groupObjects: false).
    const rows = db
      .prepare('SELECT id, source_image_url FROM catalog_variants WHERE source_image_url IS NOT NULL')
      .all() as { id: string; source_image_url: string }[];
    expect(new Map(rows.map((r) => [r.id, new URL(r.source_image_url).pathname]))).toEqual(
      new Map(withImage.map((v) => [v.id, v.imagePath])),
    );
    expect(shop.bulkOperations[0]!.query).toContain('media { edges');
  });

  it('reads the JSONL body line by line, pulling no further ahead than one chunk', async () => {
    const LINES = 200_000;
    let produced = 0;
    let maxLead = 0;
    async function* body(): AsyncGenerator<Uint8Array> {
      const enc = new TextEncoder();
      // 100 lines per chunk, cut mid-line so lines span chunks, like a socket delivers them.
      let carry = '';
      for (let i = 0; i < LINES; i += 100) {
        // Each chunk arrives on a later tick, as from a socket.
        await Promise.resolve();
        let text = carry;
        for (let k = i; k < i + 100; k++)
          text += `{"id":"gid://shopify/ProductVariant/${k}","title":"é ${k}"}\n`;
        const cut = text.length - 17;
        carry = text.slice(cut);
        produced = i + 100;
        yield enc.encode(text.slice(0, cut));
      }
      yield enc.encode(carry);
    }
    let consumed = 0;
    for await (const line of readLines(body())) {
      const row = JSON.parse(line) as { id: string; title: string };
      expect(row.title).toBe(`é ${consumed}`);
      consumed++;
      maxLead = Math.max(maxLead, produced - consumed);
    }
    expect(consumed).toBe(LINES);
    expect(maxLead).toBeLessThanOrEqual(200);
  });

  it('applies changed, deleted and archived products incrementally', async () => {
    const products = generateCatalog({ variants: 90, seed: 5, inactiveShare: 0 });
    const { db, sync, shop, fake } = await setup({ products });
    await sync.full();
    const [a, b, d, e] = products.filter((p) => p.variants.length === 1);
    const c = products.find((p) => p.variants.length > 1);
    shop.change(a!.id, (p) => {
      p.title = 'Crème Brûlée Latte';
      p.variants[0]!.price = '7.25';
    });
    shop.change(b!.id, (p) => {
      p.variants[0]!.barcode = '4006381333931';
      p.variants[0]!.available[LOCATION] = 3;
      p.variants[0]!.tracked = true;
    });
    shop.change(c!.id, (p) => {
      p.vendor = 'Brasserie Élan';
      p.variants.push({
        ...p.variants[0]!,
        id: 'gid://shopify/ProductVariant/999001',
        title: 'Extra',
        sku: 'NEW-999001',
        barcode: null,
        selectedOptions: [{ name: p.options[0]!.name, value: 'Extra' }],
        inventoryItemId: 'gid://shopify/InventoryItem/999001',
      });
    });
    shop.remove(d!.id);
    shop.setStatus(e!.id, 'ARCHIVED');
    const bulkBefore = fake.calls.get('bulkOperationRunQuery');

    const result = await sync.incremental();

    expect(fake.calls.get('bulkOperationRunQuery')).toBe(bulkBefore);
    expect(result.deleted).toBe(2);
    expectTillMatches(db, shop.products);
    expect(findVariant(db, d!.variants[0]!.id)).toBeNull();
    expect(findVariant(db, e!.variants[0]!.id)).toBeNull();
    expect(searchCatalog(db, 'brulee', 10).products.map((p) => p.id)).toEqual([a!.id]);
    expect(findByBarcode(db, '4006381333931')?.variant.inventoryQuantity).toBe(3);
    expect(searchCatalog(db, 'NEW-999001', 10).products.map((p) => p.id)).toEqual([c!.id]);
    expect(findByBarcode(db, e!.variants[0]!.barcode ?? 'none')).toBeNull();

    // Nothing changed since: a second pass fetches the same-second overlap and changes nothing.
    const again = await sync.incremental();
    expect(again.deleted).toBe(0);
    expectTillMatches(db, shop.products);
  });

  it('keeps the previous catalog whole when a full sync is cut off', async () => {
    const products = generateCatalog({ variants: 300, seed: 9, inactiveShare: 0 });
    const { db, sync, shop } = await setup({ products });
    await sync.full();
    await sync.images.idle();
    const before = searchCatalog(db, '', 10_000);
    const syncedAt = catalogSyncState(db).lastFullSyncAt;
    shop.change(products[0]!.id, (p) => void (p.title = 'Renamed Mid Sync'));

    shop.failNextDownload();
    await expect(sync.full()).rejects.toThrow();
    expect(searchCatalog(db, '', 10_000)).toEqual(before);
    expect(searchCatalog(db, 'renamed', 10).total).toBe(0);

    shop.failNextBulk();
    await expect(sync.full()).rejects.toMatchObject({ kind: 'Unreachable' });
    expect(searchCatalog(db, '', 10_000)).toEqual(before);
    expect(catalogSyncState(db).lastFullSyncAt).toBe(syncedAt);

    await sync.full();
    expect(searchCatalog(db, 'renamed', 10).products.map((p) => p.id)).toEqual([products[0]!.id]);
    expectTillMatches(db, shop.products);
  });

  it('paces itself by the throttle bucket and is never THROTTLED', async () => {
    const products = generateCatalog({ variants: 400, seed: 13, inactiveShare: 0 });
    const { db, sync, shop, fake } = await setup({
      products,
      bucket: { maximumAvailable: 1_000, restoreRate: 2_000 },
    });
    await sync.full();
    for (const p of products.slice(0, 80)) shop.change(p.id, (x) => void (x.title = `${x.title} v2`));
    await sync.incremental();
    expect(fake.calls.get('productVariants')).toBeGreaterThan(1);
    expect(fake.throttled()).toBe(0);
    expectTillMatches(db, shop.products);
  });

  it('searches by title prefix, SKU, vendor and barcode, folding case and diacritics', async () => {
    const products = generateCatalog({ variants: 400, seed: 21, inactiveShare: 0 });
    const { db, sync } = await setup({ products });
    await sync.full();
    const ids = (q: string) => searchCatalog(db, q, 1_000).products.map((p) => p.id);
    const lattes = products.filter((p) => / Latte /.test(p.title)).map((p) => p.id);
    expect(lattes.length).toBeGreaterThan(0);
    expect(ids('lat').sort()).toEqual(expect.arrayContaining(lattes.sort()));
    expect(ids('lat').every((id) => /Lat/i.test(products.find((p) => p.id === id)!.title))).toBe(true);
    const elan = products.filter((p) => p.vendor === 'Brasserie Élan').map((p) => p.id);
    expect(ids('elan').sort()).toEqual(elan.sort());
    const creme = products.filter((p) => p.title.startsWith('Crème')).map((p) => p.id);
    expect(ids('CREME').sort()).toEqual(creme.sort());
    const v = products[17]!.variants.at(-1)!;
    expect(ids(v.sku!)).toEqual([products[17]!.id]);
    expect(ids(v.barcode!)).toEqual([products[17]!.id]);
    expect(findByBarcode(db, v.barcode!)?.variant.id).toBe(v.id);
    expect(ids('zzzz')).toEqual([]);
    expect(ids('"); DROP TABLE x; --')).toEqual([]);
  });

  it('caches images on disk under content-addressed names and retries failures later', async () => {
    const products = generateCatalog({ variants: 30, seed: 3, inactiveShare: 0 });
    const { db, sync, shop, dataDir, clock } = await setup({ products });
    shop.failImages(3);
    await sync.full();
    await sync.images.idle();
    const missing = () =>
      (
        db
          .prepare(
            `SELECT count(*) AS n FROM catalog_products WHERE source_image_url IS NOT NULL AND image_url IS NULL`,
          )
          .get() as { n: bigint }
      ).n;
    expect(missing()).toBe(3n);
    // Not due yet: nothing is fetched again.
    expect(await sync.images.run()).toEqual({ downloaded: 0, failed: 0 });
    clock.advance(120_000);
    const pass = await sync.images.run();
    expect(pass).toMatchObject({ downloaded: 3, failed: 0 });
    expect(missing()).toBe(0n);
    const rows = db.prepare('SELECT image_url FROM catalog_products WHERE image_url IS NOT NULL').all() as {
      image_url: string;
    }[];
    expect(rows.length).toBe(products.filter((p) => p.imagePath).length);
    for (const r of rows) {
      expect(r.image_url).toMatch(/^\/catalog-images\/[0-9a-f]{64}\.svg$/);
      expect(existsSync(join(dataDir, 'catalog-images', r.image_url.split('/').pop()!))).toBe(true);
    }
    // A re-sync keeps the cached pictures without downloading them again.
    const requests = [...shop.imageRequests.values()].reduce((a, b) => a + b, 0);
    await sync.full();
    await sync.images.idle();
    expect(missing()).toBe(0n);
    expect([...shop.imageRequests.values()].reduce((a, b) => a + b, 0)).toBe(requests);
  });

  it('syncs 100,000 variants and finds the right products', { timeout: 180_000 }, async () => {
    const products = generateCatalog({ variants: 100_000, seed: 42 });
    const { db, sync } = await setup({ products });
    const result = await sync.full();
    const active = products.filter((p) => p.status === 'ACTIVE');
    expect(result.products).toBe(active.length);
    expect(result.variants).toBe(active.reduce((n, p) => n + p.variants.length, 0));
    for (const p of [active[0]!, active[Math.floor(active.length / 2)]!, active.at(-1)!]) {
      const v = p.variants.at(-1)!;
      if (v.sku) expect(searchCatalog(db, v.sku, 5).products.map((x) => x.id)).toEqual([p.id]);
      if (v.barcode) expect(findByBarcode(db, v.barcode)?.variant.id).toBe(v.id);
      const number = p.title.split(' ').at(-1)!;
      expect(
        searchCatalog(db, `${p.title.split(' ')[1]!.slice(0, 3)} ${number}`, 50).products.map((x) => x.id),
      ).toContain(p.id);
      expect(findVariant(db, v.id)?.variant.price).toBe(parseFiat(v.price, 'USD'));
    }
    const inactive = products.find((p) => p.status !== 'ACTIVE')!;
    expect(findVariant(db, inactive.variants[0]!.id)).toBeNull();
  });
});
