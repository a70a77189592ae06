import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseFiat } from '../../shared/money/index.js';
import type { Product } from '../../shared/domain/index.js';
import { catalogCurrency, countProducts, replaceCatalog, setCatalogCurrency } from '../journal/catalog.js';
import type { Db } from '../journal/db.js';
import { readSettingValue, writeSettings } from '../journal/settings.js';

/** A file this size is not a demo catalog; refusing it before parsing keeps start-up bounded. */
const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** The contract's ceiling for one amount (addCustomAmount): 10^12 minor units. */
const MAX_PRICE = 10n ** 12n;

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const optionalText = (max: number) => z.string().max(max, `must be at most ${max} characters`).nullable();
const decimal = z.string().regex(/^\d{1,13}(\.\d{1,4})?$/, 'must be a decimal amount such as "3.50"');

/**
 * resources/demo-catalog.json is written in the shape the Shopify sync produces (Shopify's
 * Money scalar is a decimal string), so the demo catalog and a real one load the same way.
 * It is checked as hostile input: whatever is in it reaches the register and the journal.
 */
const DemoVariant = z.object({
  id: text(200),
  title: z.string().max(255, 'must be at most 255 characters'),
  sku: optionalText(100),
  barcode: optionalText(64),
  price: decimal,
  compareAtPrice: decimal.nullable(),
  taxable: z.boolean(),
  inventoryQuantity: z.number().int().min(-1_000_000_000).max(1_000_000_000).nullable(),
  image: optionalText(300),
  options: z.array(z.object({ name: text(100), value: text(255) })).max(3),
});

const DemoCatalog = z.object({
  shop: z.object({
    name: text(100),
    currency: z
      .string()
      .refine((c) => Intl.supportedValuesOf('currency').includes(c), 'must be an ISO 4217 currency code'),
  }),
  products: z
    .array(
      z.object({
        id: text(200),
        title: text(255),
        vendor: optionalText(255),
        productType: optionalText(255),
        status: z.enum(['ACTIVE', 'ARCHIVED', 'DRAFT']),
        image: optionalText(300),
        variants: z.array(DemoVariant).min(1, 'a product needs at least one variant').max(100),
      }),
    )
    .max(10_000, 'at most 10,000 products'),
});

export class DemoCatalogError extends Error {
  override readonly name = 'DemoCatalogError';
}

/** "products[3].variants[0].price" from zod's path. */
function where(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

export interface DemoCatalogData {
  shopName: string;
  currency: string;
  products: Product[];
}

/** Images are served by the host under /catalog-images/ (web host route, Electron app:// protocol). */
function imageUrl(path: string | null): string | null {
  return path === null ? null : `/catalog-images/${path.replace(/^images\//, '')}`;
}

/** The demo catalog, checked; DemoCatalogError names the file and its first problem. */
export function loadDemoCatalog(resourcesDir: string): DemoCatalogData {
  const file = join(resourcesDir, 'demo-catalog.json');
  const fail = (problem: string) =>
    new DemoCatalogError(`The demo catalog ${file} cannot be used: ${problem}.`);
  let raw: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES)
      throw fail(`it is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof DemoCatalogError) throw err;
    throw fail(`it cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw fail(`it is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = DemoCatalog.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(issue ? `${where(issue.path) || 'the file'} ${issue.message}` : 'it is not a catalog');
  }
  const { shop, products } = parsed.data;
  const seen = { product: new Set<string>(), variant: new Set<string>(), barcode: new Set<string>() };
  const once = (kind: keyof typeof seen, value: string, at: string) => {
    if (seen[kind].has(value))
      throw fail(`${at} repeats the ${kind} ${kind === 'barcode' ? '' : 'id '}"${value}"`);
    seen[kind].add(value);
  };
  const price = (value: string, at: string, min: bigint) => {
    let minor: bigint;
    try {
      minor = parseFiat(value, shop.currency);
    } catch (err) {
      throw fail(`${at} ${err instanceof Error ? err.message : String(err)}`);
    }
    if (minor < min) throw fail(`${at} must be above zero`);
    if (minor > MAX_PRICE) throw fail(`${at} is larger than a till can charge`);
    return minor;
  };
  return {
    shopName: shop.name,
    currency: shop.currency,
    products: products.map((p, i) => {
      once('product', p.id, `products[${i}].id`);
      return {
        id: p.id,
        title: p.title,
        vendor: p.vendor,
        productType: p.productType,
        status: p.status,
        imageUrl: imageUrl(p.image),
        variants: p.variants.map((v, j) => {
          const at = `products[${i}].variants[${j}]`;
          once('variant', v.id, `${at}.id`);
          if (v.barcode !== null) once('barcode', v.barcode, `${at}.barcode`);
          return {
            id: v.id,
            productId: p.id,
            // Shopify names the only variant of a product "Default Title"; a till shows nothing.
            title: v.title === 'Default Title' ? '' : v.title,
            sku: v.sku,
            barcode: v.barcode,
            price: price(v.price, `${at}.price`, 1n),
            compareAtPrice:
              v.compareAtPrice === null ? null : price(v.compareAtPrice, `${at}.compareAtPrice`, 0n),
            taxable: v.taxable,
            inventoryQuantity: v.inventoryQuantity,
            imageUrl: imageUrl(v.image),
            options: v.options,
          };
        }),
      };
    }),
  };
}

/** The shop a till shows before anything names one (no settings, no usable demo catalog). */
const FALLBACK_SHOP = { shopName: 'Lightning Till', currency: 'USD' };

export interface DemoSeed {
  shopName: string;
  currency: string;
  /** Why the register is empty, while it is; null otherwise. */
  problem(): string | null;
}

/**
 * Until a Shopify store is connected the register sells the demo catalog. The file is read
 * only while the journal lacks a catalog or the shop's name and currency (first start), and
 * those are then written as settings, so a till with a journal never depends on the file again.
 * A file that cannot be used leaves an empty register that says why, never a till that will
 * not start.
 */
export function seedDemoCatalog(
  db: Db,
  resourcesDir: string,
  log: (message: string, err?: unknown) => void,
): DemoSeed {
  const shopName = readSettingValue(db, 'shopName');
  const currency = readSettingValue(db, 'currency');
  const hasShop = typeof shopName === 'string' && typeof currency === 'string';
  const needsCatalog = countProducts(db) === 0;
  let problem: string | null = null;
  let shop = hasShop ? { shopName, currency } : FALLBACK_SHOP;
  if (needsCatalog || !hasShop) {
    try {
      const demo = loadDemoCatalog(resourcesDir);
      if (!hasShop) shop = { shopName: demo.shopName, currency: demo.currency };
      db.transaction(() => {
        if (needsCatalog) replaceCatalog(db, demo.products, demo.currency);
        if (!hasShop) writeSettings(db, shop);
      })();
    } catch (err) {
      if (!(err instanceof DemoCatalogError)) throw err;
      log(err.message);
      if (needsCatalog)
        problem = `${err.message} The register has no products until it is fixed or a Shopify store is connected.`;
    }
  }
  // A journal from before the catalog named its currency: its prices are in the one it sold in.
  if (!needsCatalog && catalogCurrency(db) === null) setCatalogCurrency(db, shop.currency);
  return {
    ...shop,
    problem: () => (problem !== null && countProducts(db) === 0 ? problem : null),
  };
}
