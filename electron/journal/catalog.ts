import type { Product, Variant } from '../../shared/domain/index.js';
import { big, bigOrNull, int, type Db } from './db.js';
import { readSettingValue, writeSettingValue } from './settings.js';

/**
 * The local catalog the register sells from. The demo catalog and (later) the Shopify sync
 * both write here, so the register works the same offline and in demo mode.
 */

interface ProductRow {
  id: string;
  title: string;
  vendor: string | null;
  product_type: string | null;
  status: Product['status'];
  image_url: string | null;
}

interface VariantRow {
  id: string;
  product_id: string;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: bigint;
  compare_at_price: bigint | null;
  taxable: bigint;
  inventory_quantity: bigint | null;
  image_url: string | null;
  options_json: string;
}

const CATALOG_CURRENCY = 'catalogCurrency';

/**
 * The currency the catalog's prices are in (its minor units mean nothing without it): the demo
 * file's or the Shopify store's. The till sells in this currency while the catalog has
 * products, so a currency change can never relabel $4.50 as ¥450.
 */
export function catalogCurrency(db: Db): string | null {
  const v = readSettingValue(db, CATALOG_CURRENCY);
  return typeof v === 'string' ? v : null;
}

export function setCatalogCurrency(db: Db, currency: string): void {
  writeSettingValue(db, CATALOG_CURRENCY, currency);
}

/** Replaces the whole catalog; `currency` is what its prices are in. */
export function replaceCatalog(db: Db, products: readonly Product[], currency: string): void {
  const insertProduct = db.prepare(
    `INSERT INTO catalog_products (id, title, vendor, product_type, status, image_url, position)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertVariant = db.prepare(
    `INSERT INTO catalog_variants (id, product_id, title, sku, barcode, price, compare_at_price, taxable,
       inventory_quantity, image_url, options_json, position)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    db.prepare('DELETE FROM catalog_variants').run();
    db.prepare('DELETE FROM catalog_products').run();
    products.forEach((p, i) => {
      insertProduct.run(p.id, p.title, p.vendor, p.productType, p.status, p.imageUrl, i);
      p.variants.forEach((v, j) => {
        insertVariant.run(
          v.id,
          p.id,
          v.title,
          v.sku,
          v.barcode,
          v.price,
          v.compareAtPrice,
          v.taxable ? 1 : 0,
          v.inventoryQuantity,
          v.imageUrl,
          JSON.stringify(v.options),
          j,
        );
      });
    });
    setCatalogCurrency(db, currency);
    reindexProducts(db, 'all');
  })();
}

export function countProducts(db: Db): number {
  return int((db.prepare('SELECT count(*) AS n FROM catalog_products').get() as { n: bigint }).n);
}

function toVariant(r: VariantRow): Variant {
  return {
    id: r.id,
    productId: r.product_id,
    title: r.title,
    sku: r.sku,
    barcode: r.barcode,
    price: big(r.price),
    compareAtPrice: bigOrNull(r.compare_at_price),
    taxable: r.taxable !== 0n,
    inventoryQuantity: r.inventory_quantity === null ? null : int(r.inventory_quantity),
    imageUrl: r.image_url,
    options: JSON.parse(r.options_json) as Variant['options'],
  };
}

function withVariants(db: Db, rows: ProductRow[]): Product[] {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const variants = db
    .prepare(
      `SELECT * FROM catalog_variants WHERE product_id IN (SELECT value FROM json_each(?)) ORDER BY product_id, position`,
    )
    .all(JSON.stringify(ids)) as VariantRow[];
  const byProduct = new Map<string, Variant[]>();
  for (const v of variants) {
    const list = byProduct.get(v.product_id) ?? [];
    list.push(toVariant(v));
    byProduct.set(v.product_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    vendor: r.vendor,
    productType: r.product_type,
    status: r.status,
    imageUrl: r.image_url,
    variants: byProduct.get(r.id) ?? [],
  }));
}

const INDEX_SELECT = `SELECT p.id, p.title, coalesce(p.vendor, ''), coalesce(p.product_type, ''),
    (SELECT group_concat(v.title || ' ' || coalesce(v.sku, '') || ' ' || coalesce(v.barcode, ''), ' ')
       FROM catalog_variants v WHERE v.product_id = p.id)
  FROM catalog_products p`;

/**
 * Brings the search index up to date with the catalog tables: for the given products, or all
 * of them. Call inside the transaction that changed them, so search never disagrees.
 */
export function reindexProducts(db: Db, productIds: readonly string[] | 'all'): void {
  const insert = 'INSERT INTO catalog_search (product_id, title, vendor, product_type, variants) ';
  if (productIds === 'all') {
    db.prepare('DELETE FROM catalog_search').run();
    db.prepare(insert + INDEX_SELECT).run();
    return;
  }
  if (productIds.length === 0) return;
  const ids = JSON.stringify(productIds);
  db.prepare('DELETE FROM catalog_search WHERE product_id IN (SELECT value FROM json_each(?))').run(ids);
  db.prepare(`${insert}${INDEX_SELECT} WHERE p.id IN (SELECT value FROM json_each(?))`).run(ids);
}

/**
 * As-you-type query → FTS5 MATCH: every word must start a word of the product ("lat"
 * finds "Latte"; "cof-esp" finds SKU COF-ESP-1). Words are quoted, so no FTS syntax gets
 * through; the tokenizer folds case and diacritics on both sides.
 */
export function ftsQuery(text: string): string | null {
  const words = text.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  return words.length === 0 ? null : words.map((w) => `"${w}"*`).join(' ');
}

/** Word-prefix search (FTS5) over title, vendor, type, variant title, SKU and barcode; active products only. */
export function searchCatalog(db: Db, query: string, limit: number): { products: Product[]; total: number } {
  const match = ftsQuery(query);
  if (match === null) {
    if (query.trim() !== '') return { products: [], total: 0 };
    const total = int(
      (
        db.prepare(`SELECT count(*) AS n FROM catalog_products WHERE status = 'ACTIVE'`).get() as {
          n: bigint;
        }
      ).n,
    );
    const rows = db
      .prepare(`SELECT * FROM catalog_products WHERE status = 'ACTIVE' ORDER BY position LIMIT ?`)
      .all(limit) as ProductRow[];
    return { products: withVariants(db, rows), total };
  }
  const from = `FROM catalog_search s JOIN catalog_products p ON p.id = s.product_id
    WHERE catalog_search MATCH @match AND p.status = 'ACTIVE'`;
  const total = int((db.prepare(`SELECT count(*) AS n ${from}`).get({ match }) as { n: bigint }).n);
  const rows = db
    .prepare(`SELECT p.* ${from} ORDER BY p.position LIMIT @limit`)
    .all({ match, limit }) as ProductRow[];
  return { products: withVariants(db, rows), total };
}

export function findVariant(db: Db, variantId: string): { product: Product; variant: Variant } | null {
  const row = db.prepare('SELECT product_id FROM catalog_variants WHERE id = ?').get(variantId) as
    { product_id: string } | undefined;
  if (!row) return null;
  const product = db.prepare('SELECT * FROM catalog_products WHERE id = ?').get(row.product_id) as ProductRow;
  const [full] = withVariants(db, [product]);
  const variant = full?.variants.find((v) => v.id === variantId);
  return full && variant ? { product: full, variant } : null;
}

/** Exact barcode match for the scanner; falls back to an exact SKU (many shops label with SKUs). */
export function findByBarcode(db: Db, code: string): { product: Product; variant: Variant } | null {
  const row = (db
    .prepare(
      `SELECT v.id FROM catalog_variants v JOIN catalog_products p ON p.id = v.product_id
       WHERE p.status = 'ACTIVE' AND v.barcode = ? ORDER BY p.position, v.position LIMIT 1`,
    )
    .get(code) ??
    db
      .prepare(
        `SELECT v.id FROM catalog_variants v JOIN catalog_products p ON p.id = v.product_id
         WHERE p.status = 'ACTIVE' AND v.sku = ? COLLATE NOCASE ORDER BY p.position, v.position LIMIT 1`,
      )
      .get(code)) as { id: string } | undefined;
  return row ? findVariant(db, row.id) : null;
}
