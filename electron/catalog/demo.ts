import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseFiat } from '../../shared/money/index.js';
import type { Product } from '../../shared/domain/index.js';

/**
 * resources/demo-catalog.json is written in the shape the Shopify sync produces (Shopify's
 * Money scalar is a decimal string), so the demo catalog and a real one load the same way.
 */
const DemoVariant = z.object({
  id: z.string(),
  title: z.string(),
  sku: z.string().nullable(),
  barcode: z.string().nullable(),
  price: z.string(),
  compareAtPrice: z.string().nullable(),
  taxable: z.boolean(),
  inventoryQuantity: z.number().int().nullable(),
  image: z.string().nullable(),
  options: z.array(z.object({ name: z.string(), value: z.string() })),
});

const DemoCatalog = z.object({
  shop: z.object({ name: z.string(), currency: z.string() }),
  products: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      vendor: z.string().nullable(),
      productType: z.string().nullable(),
      status: z.enum(['ACTIVE', 'ARCHIVED', 'DRAFT']),
      image: z.string().nullable(),
      variants: z.array(DemoVariant).min(1),
    }),
  ),
});

export interface DemoCatalogData {
  shopName: string;
  currency: string;
  products: Product[];
}

/** Images are served by the host under /catalog-images/ (web host route, Electron app:// protocol). */
function imageUrl(path: string | null): string | null {
  return path === null ? null : `/catalog-images/${path.replace(/^images\//, '')}`;
}

export function loadDemoCatalog(resourcesDir: string): DemoCatalogData {
  const file = join(resourcesDir, 'demo-catalog.json');
  const parsed = DemoCatalog.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a valid demo catalog: ${parsed.error.message}`);
  const { shop, products } = parsed.data;
  return {
    shopName: shop.name,
    currency: shop.currency,
    products: products.map((p) => ({
      id: p.id,
      title: p.title,
      vendor: p.vendor,
      productType: p.productType,
      status: p.status,
      imageUrl: imageUrl(p.image),
      variants: p.variants.map((v) => ({
        id: v.id,
        productId: p.id,
        // Shopify names the only variant of a product "Default Title"; a till shows nothing.
        title: v.title === 'Default Title' ? '' : v.title,
        sku: v.sku,
        barcode: v.barcode,
        price: parseFiat(v.price, shop.currency),
        compareAtPrice: v.compareAtPrice === null ? null : parseFiat(v.compareAtPrice, shop.currency),
        taxable: v.taxable,
        inventoryQuantity: v.inventoryQuantity,
        imageUrl: imageUrl(v.image),
        options: v.options,
      })),
    })),
  };
}
