import { Readable } from 'node:stream';
import { parseFiat } from '../../shared/money/index.js';
import { reindexProducts, setCatalogCurrency } from '../journal/catalog.js';
import type { Db } from '../journal/db.js';
import { runBulkQuery, type BulkOperation } from './bulk.js';
import { ShopifyError, type ShopifyClient } from './client.js';
import { createImageCache, IMAGE_URL_PREFIX, type ImageCache } from './images.js';
import { readLines } from './jsonl.js';

/**
 * Shopify catalog → the till's SQLite catalog.
 *
 * full(): one bulk query operation (shopify.dev, "Perform bulk operations"): Shopify runs the
 * query in the background and leaves a JSONL file; the till polls, then streams the file line
 * by line into staging tables and swaps them into the live catalog in one transaction, so the
 * register sees the old catalog or the new one, never half of either.
 *
 * incremental(): products whose updated_at is at or after the cursor (sortKey UPDATED_AT,
 * cursor paging), their variants by product_ids, and deletionEvents for products deleted
 * since. Anything no longer ACTIVE leaves the till.
 */

export interface SyncProgress {
  phase: 'starting' | 'running' | 'downloading' | 'saving' | 'incremental' | 'done';
  done: number;
  total: number | null;
}

export interface CatalogSyncOptions {
  db: Db;
  client: ShopifyClient;
  /** The till's location (gid://shopify/Location/…): stock is read there. */
  locationId: string;
  dataDir: string;
  fetch?: typeof fetch;
  now?: () => Date;
  onProgress?: (p: SyncProgress) => void;
  /** How often a running bulk operation is polled. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * The currency the till sells in. A store whose prices are in another one is refused: its
   * prices would be relabelled (connecting the store again switches the till's currency).
   */
  tillCurrency?: () => string;
}

export interface SyncResult {
  products: number;
  variants: number;
  deleted: number;
}

export interface CatalogSync {
  full(): Promise<SyncResult>;
  incremental(): Promise<SyncResult>;
  images: ImageCache;
}

export interface CatalogSyncState {
  lastFullSyncAt: string | null;
  lastSyncAt: string | null;
  updatedAtCursor: string | null;
  deletedCursor: string | null;
}

const META = {
  lastFullSyncAt: 'shopify.catalog.lastFullSyncAt',
  lastSyncAt: 'shopify.catalog.lastSyncAt',
  updatedAtCursor: 'shopify.catalog.updatedAtCursor',
  deletedCursor: 'shopify.catalog.deletedCursor',
} as const satisfies Record<keyof CatalogSyncState, string>;

export function catalogSyncState(db: Db): CatalogSyncState {
  const get = (key: string) =>
    (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ??
    null;
  return {
    lastFullSyncAt: get(META.lastFullSyncAt),
    lastSyncAt: get(META.lastSyncAt),
    updatedAtCursor: get(META.updatedAtCursor),
    deletedCursor: get(META.deletedCursor),
  };
}

function setMeta(db: Db, key: string, value: string): void {
  db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}

// --- documents -------------------------------------------------------------------------------

/** GraphQL string literal (JSON's escaping is a subset GraphQL accepts). */
const lit = (s: string) => JSON.stringify(s);

const PRODUCT_FIELDS = `id handle title vendor productType status updatedAt
  options { name values }
  featuredMedia { preview { image { url(transform: { maxWidth: 512, maxHeight: 512 }) } } }`;

const variantFields = (
  locationId: string,
  media: string,
) => `id title sku barcode price compareAtPrice taxable position
  selectedOptions { name value }
  ${media}
  inventoryItem { id tracked inventoryLevel(locationId: ${lit(locationId)}) { quantities(names: ["available"]) { name quantity } } }`;

const MEDIA_NODE = 'preview { image { url(transform: { maxWidth: 512, maxHeight: 512 }) } }';

/** Bulk: no pagination arguments; nested connections come back as lines with __parentId. */
export function bulkCatalogQuery(locationId: string): string {
  return `{
  products(query: "status:active") {
    edges { node {
      ${PRODUCT_FIELDS}
      variants { edges { node {
        ${variantFields(locationId, `media { edges { node { ${MEDIA_NODE} } } }`)}
      } } }
    } }
  }
}`;
}

const SHOP = `query CatalogShop { shop { currencyCode } }`;

const PRODUCTS_PAGE = 50;
const changedProductsQuery = `query CatalogChanges($query: String!, $after: String) {
  products(first: ${PRODUCTS_PAGE}, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ${PRODUCT_FIELDS} }
  }
}`;
const VARIANTS_PAGE = 50;
const variantsQuery = (locationId: string) => `query CatalogVariants($query: String!, $after: String) {
  productVariants(first: ${VARIANTS_PAGE}, after: $after, query: $query, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      product { id }
      ${variantFields(locationId, `media(first: 1) { nodes { ${MEDIA_NODE} } }`)}
    }
  }
}`;
const DELETIONS_PAGE = 50;
const DELETIONS = `query CatalogDeletions($query: String!, $after: String) {
  deletionEvents(first: ${DELETIONS_PAGE}, after: $after, subjectTypes: [PRODUCT], query: $query, sortKey: CREATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { subjectId occurredAt }
  }
}`;

// Requested query costs as Shopify computes them (each object 1, a connection 2 plus
// `first` times its node's cost): passed to the client so it paces before sending.
const COST = {
  shop: 1,
  products: 2 + PRODUCTS_PAGE * 4,
  variants: 2 + VARIANTS_PAGE * 10,
  deletions: 2 + DELETIONS_PAGE * 2,
};

// --- shapes Shopify answers with -----------------------------------------------------------------

interface ImageRef {
  preview: { image: { url: string } | null } | null;
}
interface ProductNode {
  id: string;
  handle: string;
  title: string;
  vendor: string;
  productType: string;
  status: 'ACTIVE' | 'ARCHIVED' | 'DRAFT' | 'UNLISTED';
  updatedAt: string;
  options: { name: string; values: string[] }[];
  featuredMedia: ImageRef | null;
}
interface VariantNode {
  id: string;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  taxable: boolean;
  position: number;
  selectedOptions: { name: string; value: string }[];
  inventoryItem: {
    id: string;
    tracked: boolean;
    inventoryLevel: { quantities: { name: string; quantity: number }[] } | null;
  };
}
interface Page<T> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: T[];
}

const imageOf = (m: ImageRef | null | undefined): string | null => m?.preview?.image?.url ?? null;
const gidType = (id: string) => /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(id)?.[1] ?? null;
const gidNumber = (id: string) => id.split('/').pop()!.split('?')[0]!;

interface StagedProduct {
  id: string;
  title: string;
  handle: string;
  vendor: string | null;
  productType: string | null;
  status: string;
  updatedAt: string;
  optionsJson: string;
  image: string | null;
}
type PricedVariant = StagedVariant & { position: number; image: string | null };

interface StagedVariant {
  id: string;
  productId: string;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: bigint;
  compareAtPrice: bigint | null;
  taxable: number;
  inventory: number | null;
  inventoryItemId: string;
  optionsJson: string;
}

function toProduct(p: ProductNode): StagedProduct {
  return {
    id: p.id,
    title: p.title,
    handle: p.handle,
    vendor: p.vendor || null,
    productType: p.productType || null,
    status: p.status,
    updatedAt: p.updatedAt,
    optionsJson: JSON.stringify(p.options),
    image: imageOf(p.featuredMedia),
  };
}

function toVariant(v: VariantNode, productId: string, currency: string): StagedVariant {
  const available = v.inventoryItem.inventoryLevel?.quantities.find((q) => q.name === 'available');
  return {
    id: v.id,
    productId,
    // Shopify names the only variant of a product "Default Title"; a till shows nothing.
    title: v.title === 'Default Title' ? '' : v.title,
    sku: v.sku || null,
    barcode: v.barcode || null,
    price: parseFiat(v.price, currency),
    compareAtPrice: v.compareAtPrice === null ? null : parseFiat(v.compareAtPrice, currency),
    taxable: v.taxable ? 1 : 0,
    // Untracked stock is unlimited (null); tracked but not stocked here is none.
    inventory: v.inventoryItem.tracked ? (available?.quantity ?? 0) : null,
    inventoryItemId: v.inventoryItem.id,
    optionsJson: JSON.stringify(
      v.selectedOptions.filter((o) => !(o.name === 'Title' && o.value === 'Default Title')),
    ),
  };
}

const BATCH = 2_000;

export function createCatalogSync(opts: CatalogSyncOptions): CatalogSync {
  const { db, client, locationId } = opts;
  const fetchImpl = opts.fetch ?? fetch;
  const now = opts.now ?? (() => new Date());
  const pollMs = opts.pollMs ?? 1_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const progress = (p: SyncProgress) => opts.onProgress?.(p);
  const images = createImageCache({ db, dataDir: opts.dataDir, fetch: fetchImpl, now });
  let queue: Promise<unknown> = Promise.resolve();

  /** One sync at a time: a second call waits for the first. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  async function currency(): Promise<string> {
    const data = await client.request<{ shop: { currencyCode: string } }>(SHOP, undefined, COST.shop);
    const cur = data.shop.currencyCode;
    const selling = opts.tillCurrency?.();
    if (selling !== undefined && cur !== selling) {
      throw new Error(
        `the store's prices are in ${cur} but the till sells in ${selling}. Connect the store again (Settings → Shopify) to switch the till to ${cur}.`,
      );
    }
    return cur;
  }

  // --- full ---------------------------------------------------------------------------------

  /** The catalog as one bulk operation, waited for (a catalog export left running is ours). */
  const bulkCatalog = (): Promise<BulkOperation> =>
    runBulkQuery(client, bulkCatalogQuery(locationId), {
      what: 'catalog export',
      fallback: 'the till keeps its current catalog and will try again',
      adoptRunning: true,
      pollMs,
      sleep,
      onPoll: (op) => progress({ phase: 'running', done: Number(op.objectCount), total: null }),
    });

  const stageProduct = db.prepare(
    `INSERT INTO catalog_stage_products (id, title, handle, vendor, product_type, status, updated_at, options_json, source_image_url)
     VALUES (@id, @title, @handle, @vendor, @productType, @status, @updatedAt, @optionsJson, @image)`,
  );
  const stageVariant = db.prepare(
    `INSERT INTO catalog_stage_variants (id, product_id, title, sku, barcode, price, compare_at_price, taxable,
       inventory_quantity, inventory_item_id, options_json)
     VALUES (@id, @productId, @title, @sku, @barcode, @price, @compareAtPrice, @taxable, @inventory, @inventoryItemId, @optionsJson)`,
  );
  const stageMedia = db.prepare('INSERT OR IGNORE INTO catalog_stage_media (parent_id, url) VALUES (?, ?)');
  const clearStage = () =>
    db.exec(
      'DELETE FROM catalog_stage_products; DELETE FROM catalog_stage_variants; DELETE FROM catalog_stage_media;',
    );

  /** Streams the JSONL file into the staging tables; returns the counts staged. */
  async function download(
    url: string,
    total: number,
    cur: string,
  ): Promise<{ products: number; variants: number }> {
    const res = await fetchImpl(url);
    if (!res.ok || !res.body) {
      throw new ShopifyError(
        'Unreachable',
        `the catalog export could not be downloaded (HTTP ${res.status})`,
      );
    }
    db.transaction(clearStage)();
    let batch: string[] = [];
    let lines = 0;
    let products = 0;
    let variants = 0;
    const flush = db.transaction((rows: string[]) => {
      for (const text of rows) {
        const row = JSON.parse(text) as Record<string, unknown> & { id?: string; __parentId?: string };
        const type = typeof row.id === 'string' ? gidType(row.id) : null;
        if (type === 'Product') {
          stageProduct.run(toProduct(row as unknown as ProductNode));
          products++;
        } else if (type === 'ProductVariant' && row.__parentId) {
          stageVariant.run(toVariant(row as unknown as VariantNode, row.__parentId, cur));
          variants++;
        } else if (row.__parentId && 'preview' in row) {
          // A variant's media: the first one seen is its picture.
          const src = imageOf(row as unknown as ImageRef);
          if (src) stageMedia.run(row.__parentId, src);
        }
      }
    });
    const body = Readable.fromWeb(res.body);
    for await (const line of readLines(body)) {
      batch.push(line);
      lines++;
      if (batch.length >= BATCH) {
        flush(batch);
        batch = [];
        progress({ phase: 'downloading', done: lines, total });
      }
    }
    flush(batch);
    if (lines < total) {
      throw new ShopifyError(
        'Unreachable',
        `the catalog export was cut short (${lines} of ${total} objects)`,
      );
    }
    progress({ phase: 'downloading', done: lines, total });
    return { products, variants };
  }

  /** The staged catalog becomes the live one in one transaction. */
  const swap = db.transaction((startedAt: string, cur: string) => {
    const cached = (col: string) =>
      `(SELECT '${IMAGE_URL_PREFIX}' || i.file FROM catalog_images i WHERE i.url = ${col} AND i.file IS NOT NULL)`;
    db.exec(`
      DELETE FROM catalog_variants;
      DELETE FROM catalog_products;
      INSERT OR IGNORE INTO catalog_products (id, title, vendor, product_type, status, image_url, position,
          handle, updated_at, options_json, source_image_url)
        SELECT s.id, s.title, s.vendor, s.product_type, s.status, ${cached('s.source_image_url')}, s.rowid,
          s.handle, s.updated_at, s.options_json, s.source_image_url
        FROM catalog_stage_products s WHERE s.status = 'ACTIVE' ORDER BY s.rowid;
      INSERT OR IGNORE INTO catalog_variants (id, product_id, title, sku, barcode, price, compare_at_price, taxable,
          inventory_quantity, image_url, options_json, position, inventory_item_id, source_image_url)
        SELECT v.id, v.product_id, v.title, v.sku, v.barcode, v.price, v.compare_at_price, v.taxable,
          v.inventory_quantity, ${cached('m.url')}, v.options_json, v.rowid, v.inventory_item_id, m.url
        FROM catalog_stage_variants v
        JOIN catalog_products p ON p.id = v.product_id
        LEFT JOIN catalog_stage_media m ON m.parent_id = v.id
        ORDER BY v.rowid;
    `);
    reindexProducts(db, 'all');
    setCatalogCurrency(db, cur);
    clearStage();
    // Anything changed or deleted after the export began is picked up by incremental().
    setMeta(db, META.updatedAtCursor, startedAt);
    setMeta(db, META.deletedCursor, startedAt);
    const at = now().toISOString();
    setMeta(db, META.lastFullSyncAt, at);
    setMeta(db, META.lastSyncAt, at);
  });

  async function full(): Promise<SyncResult> {
    progress({ phase: 'starting', done: 0, total: null });
    const cur = await currency();
    const done = await bulkCatalog();
    if (!done.url) {
      // An empty shop: Shopify leaves no file.
      db.transaction(clearStage)();
    } else {
      await download(done.url, Number(done.objectCount), cur);
    }
    progress({ phase: 'saving', done: 0, total: null });
    swap(done.createdAt, cur);
    const counts = {
      products: Number((db.prepare('SELECT count(*) AS n FROM catalog_products').get() as { n: bigint }).n),
      variants: Number((db.prepare('SELECT count(*) AS n FROM catalog_variants').get() as { n: bigint }).n),
      deleted: 0,
    };
    progress({ phase: 'done', done: counts.variants, total: counts.variants });
    images.kick();
    return counts;
  }

  // --- incremental ----------------------------------------------------------------------------

  const upsertProduct = db.prepare(
    `INSERT INTO catalog_products (id, title, vendor, product_type, status, image_url, position, handle, updated_at,
        options_json, source_image_url)
     VALUES (@id, @title, @vendor, @productType, @status,
        (SELECT '${IMAGE_URL_PREFIX}' || file FROM catalog_images WHERE url = @image AND file IS NOT NULL),
        (SELECT coalesce(max(position), 0) + 1 FROM catalog_products), @handle, @updatedAt, @optionsJson, @image)
     ON CONFLICT(id) DO UPDATE SET title = excluded.title, vendor = excluded.vendor,
        product_type = excluded.product_type, status = excluded.status, image_url = excluded.image_url,
        handle = excluded.handle, updated_at = excluded.updated_at, options_json = excluded.options_json,
        source_image_url = excluded.source_image_url`,
  );
  const insertVariant = db.prepare(
    `INSERT INTO catalog_variants (id, product_id, title, sku, barcode, price, compare_at_price, taxable,
        inventory_quantity, image_url, options_json, position, inventory_item_id, source_image_url)
     VALUES (@id, @productId, @title, @sku, @barcode, @price, @compareAtPrice, @taxable, @inventory,
        (SELECT '${IMAGE_URL_PREFIX}' || file FROM catalog_images WHERE url = @image AND file IS NOT NULL),
        @optionsJson, @position, @inventoryItemId, @image)`,
  );
  const deleteVariants = db.prepare('DELETE FROM catalog_variants WHERE product_id = ?');
  const deleteProduct = db.prepare('DELETE FROM catalog_products WHERE id = ?');

  /** Returns how many of them the till had. */
  const removeProducts = (ids: string[]): number => {
    let removed = 0;
    for (const id of ids) {
      deleteVariants.run(id);
      removed += deleteProduct.run(id).changes;
    }
    reindexProducts(db, ids);
    return removed;
  };

  async function variantsOf(
    productIds: string[],
    cur: string,
  ): Promise<Map<string, (StagedVariant & { position: number; image: string | null })[]>> {
    const out = new Map<string, (StagedVariant & { position: number; image: string | null })[]>();
    const doc = variantsQuery(locationId);
    const query = `product_ids:${productIds.map(gidNumber).join(',')}`;
    let after: string | null = null;
    do {
      const data: {
        productVariants: Page<VariantNode & { product: { id: string }; media: { nodes: ImageRef[] } }>;
      } = await client.request(doc, { query, after }, COST.variants);
      for (const v of data.productVariants.nodes) {
        const list = out.get(v.product.id) ?? [];
        list.push({
          ...toVariant(v, v.product.id, cur),
          position: v.position,
          image: imageOf(v.media.nodes[0]),
        });
        out.set(v.product.id, list);
      }
      after = data.productVariants.pageInfo.hasNextPage ? data.productVariants.pageInfo.endCursor : null;
    } while (after);
    return out;
  }

  async function incremental(): Promise<SyncResult> {
    const state = catalogSyncState(db);
    if (!state.updatedAtCursor || !state.deletedCursor) return full();
    progress({ phase: 'incremental', done: 0, total: null });
    const cur = await currency();
    const result: SyncResult = { products: 0, variants: 0, deleted: 0 };

    // `>=`: Shopify's times have whole seconds, so a change in the cursor's own second is
    // fetched again rather than missed; applying a product twice is harmless.
    let after: string | null = null;
    do {
      const data: { products: Page<ProductNode> } = await client.request(
        changedProductsQuery,
        { query: `updated_at:>='${state.updatedAtCursor}'`, after },
        COST.products,
      );
      const page = data.products.nodes;
      const active = page.filter((p) => p.status === 'ACTIVE');
      const variants: Awaited<ReturnType<typeof variantsOf>> =
        active.length > 0
          ? await variantsOf(
              active.map((p) => p.id),
              cur,
            )
          : new Map<string, PricedVariant[]>();
      db.transaction(() => {
        const gone = page.filter((p) => p.status !== 'ACTIVE').map((p) => p.id);
        result.deleted += removeProducts(gone);
        for (const p of active) {
          upsertProduct.run(toProduct(p));
          deleteVariants.run(p.id);
          const list = (variants.get(p.id) ?? []).sort((a, b) => a.position - b.position);
          for (const v of list) insertVariant.run(v);
          result.products++;
          result.variants += list.length;
        }
        reindexProducts(
          db,
          active.map((p) => p.id),
        );
        const last = page.at(-1);
        if (last) setMeta(db, META.updatedAtCursor, last.updatedAt);
      })();
      progress({ phase: 'incremental', done: result.products, total: null });
      after = data.products.pageInfo.hasNextPage ? data.products.pageInfo.endCursor : null;
    } while (after);

    after = null;
    do {
      const data: { deletionEvents: Page<{ subjectId: string; occurredAt: string }> } = await client.request(
        DELETIONS,
        { query: `occurred_at:>='${state.deletedCursor}'`, after },
        COST.deletions,
      );
      const events = data.deletionEvents.nodes;
      db.transaction(() => {
        result.deleted += removeProducts(events.map((e) => e.subjectId));
        const last = events.at(-1);
        if (last) setMeta(db, META.deletedCursor, last.occurredAt);
      })();
      after = data.deletionEvents.pageInfo.hasNextPage ? data.deletionEvents.pageInfo.endCursor : null;
    } while (after);

    setMeta(db, META.lastSyncAt, now().toISOString());
    progress({ phase: 'done', done: result.products, total: result.products });
    images.kick();
    return result;
  }

  return {
    full: () => serial(full),
    incremental: () => serial(incremental),
    images,
  };
}
