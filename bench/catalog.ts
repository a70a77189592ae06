import { signedInTill } from '../electron/test-support/till-calls.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Product } from '../shared/domain/index.js';
import { parseFiat } from '../shared/money/index.js';
import { replaceCatalog, searchCatalog } from '../electron/journal/catalog.js';
import { openJournal, type Db } from '../electron/journal/db.js';
import { createCatalogSync } from '../electron/shopify/catalog-sync.js';
import { createShopifyClient } from '../electron/shopify/client.js';
import {
  generateCatalog,
  installCatalog,
  type FakeProduct,
} from '../electron/test-support/fakes/shopify/catalog.js';
import { API_PATH, startShopifyFake } from '../electron/test-support/fakes/shopify/server.js';
import { RESOURCES_DIR, tempDir } from '../electron/test-support/fixtures.js';
import { ratio, summarize, time } from './stats.js';

/**
 * The catalog figures of `npm run bench`: a full sync of 100,000 variants by bulk operation
 * against the naive way (paging products(first: 250) with their variants), an incremental
 * sync of 100 changed products, search (FTS5 against the LIKE scan it replaced) and start-up
 * to a ready register with that catalog. All against the in-process Shopify fake.
 */

const LOCATION = 'gid://shopify/Location/1';
const secs = (ns: bigint) => Math.round(Number(ns) / 1e6) / 1e3;

/** The naive baseline: page products(first: 250) with variants, then one replaceCatalog. */
async function naiveSync(url: string, db: Db): Promise<{ requests: number; cost: number; variants: number }> {
  const doc = `query Naive($after: String) {
    products(first: 250, after: $after, query: "status:active") {
      pageInfo { hasNextPage endCursor }
      nodes { id title vendor productType status
        featuredMedia { preview { image { url } } }
        variants(first: 100) { nodes { id title sku barcode price compareAtPrice taxable selectedOptions { name value }
          inventoryItem { tracked inventoryLevel(locationId: "${LOCATION}") { quantities(names: ["available"]) { name quantity } } } } }
      }
    }
  }`;
  interface Node {
    id: string;
    title: string;
    vendor: string;
    productType: string;
    status: Product['status'];
    variants: {
      nodes: {
        id: string;
        title: string;
        sku: string | null;
        barcode: string | null;
        price: string;
        compareAtPrice: string | null;
        taxable: boolean;
        selectedOptions: { name: string; value: string }[];
        inventoryItem: { tracked: boolean; inventoryLevel: { quantities: { quantity: number }[] } | null };
      }[];
    };
  }
  const products: Product[] = [];
  let after: string | null = null;
  let requests = 0;
  let cost = 0;
  do {
    const res = await fetch(url + API_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': 'shpat_test_token' },
      body: JSON.stringify({ query: doc, variables: { after } }),
    });
    const body = (await res.json()) as {
      data: { products: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Node[] } };
      extensions: { cost: { requestedQueryCost: number } };
    };
    requests++;
    cost += body.extensions.cost.requestedQueryCost;
    for (const p of body.data.products.nodes) {
      products.push({
        id: p.id,
        title: p.title,
        vendor: p.vendor,
        productType: p.productType,
        status: p.status,
        imageUrl: null,
        variants: p.variants.nodes.map((v) => ({
          id: v.id,
          productId: p.id,
          title: v.title,
          sku: v.sku,
          barcode: v.barcode,
          price: parseFiat(v.price, 'USD'),
          compareAtPrice: v.compareAtPrice === null ? null : parseFiat(v.compareAtPrice, 'USD'),
          taxable: v.taxable,
          inventoryQuantity: v.inventoryItem.tracked
            ? (v.inventoryItem.inventoryLevel?.quantities[0]?.quantity ?? 0)
            : null,
          imageUrl: null,
          options: v.selectedOptions,
        })),
      });
    }
    const page = body.data.products.pageInfo;
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  replaceCatalog(db, products, 'USD');
  return { requests, cost, variants: products.reduce((n, p) => n + p.variants.length, 0) };
}

/** The search the FTS index replaced, kept here as the baseline. */
function likeSearch(db: Db, query: string, limit: number): unknown[] {
  const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db
    .prepare(
      `SELECT p.* FROM catalog_products p WHERE p.status = 'ACTIVE' AND (
        p.title LIKE @pattern ESCAPE '\\' OR p.vendor LIKE @pattern ESCAPE '\\' OR p.product_type LIKE @pattern ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM catalog_variants v WHERE v.product_id = p.id AND (v.sku LIKE @pattern ESCAPE '\\'
          OR v.barcode LIKE @pattern ESCAPE '\\' OR v.title LIKE @pattern ESCAPE '\\')))
       ORDER BY p.position LIMIT @limit`,
    )
    .all({ pattern, limit });
}

export async function benchCatalog(variants = Number(process.env.BENCH_CATALOG_VARIANTS ?? 100_000)) {
  const dir = tempDir('till-bench-catalog-');
  const products: FakeProduct[] = generateCatalog({ variants, seed: 42 });
  const fake = await startShopifyFake();
  const shop = installCatalog(fake, { products, bulkDelayMs: 5 });
  const bigBucket = await startShopifyFake({ bucket: { maximumAvailable: 1e12, restoreRate: 1e12 } });
  const naiveShop = installCatalog(bigBucket, { products: generateCatalog({ variants, seed: 42 }) });
  try {
    // 1. Full sync: bulk operation + streamed JSONL, against naive paging.
    const dataDir = join(dir.path, 'till');
    mkdirSync(dataDir, { recursive: true });
    const db = openJournal(join(dataDir, 'journal.sqlite'));
    const client = createShopifyClient({
      shopDomain: fake.shopDomain,
      token: () => Promise.resolve('shpat_test_token'),
      baseUrl: fake.url,
    });
    const sync = createCatalogSync({ db, client, locationId: LOCATION, dataDir, pollMs: 50 });
    let t = process.hrtime.bigint();
    const full = await sync.full();
    const fullNs = process.hrtime.bigint() - t;
    await sync.images.stop();

    const naiveDb = openJournal(join(dir.path, 'naive.sqlite'));
    t = process.hrtime.bigint();
    const naive = await naiveSync(bigBucket.url, naiveDb);
    const naiveNs = process.hrtime.bigint() - t;
    naiveDb.close();

    // 2. Incremental: 100 products changed in Shopify, with the standard bucket (2000, 100/s).
    const changed = products.filter((p) => p.status === 'ACTIVE').slice(0, 100);
    for (const p of changed) shop.change(p.id, (x) => void (x.variants[0]!.price = '9.99'));
    const calls = (name: string) => fake.calls.get(name) ?? 0;
    const before = { p: calls('products'), v: calls('productVariants'), d: calls('deletionEvents') };
    const sync2 = createCatalogSync({ db, client, locationId: LOCATION, dataDir, pollMs: 50 });
    t = process.hrtime.bigint();
    const inc = await sync2.incremental();
    const incNs = process.hrtime.bigint() - t;
    await sync2.images.stop();
    const incRequests =
      calls('products') - before.p + calls('productVariants') - before.v + calls('deletionEvents') - before.d;

    // 3. Search over the synced catalog: FTS5 against the LIKE scan.
    const sample = products.filter((p) => p.status === 'ACTIVE');
    const queries = [
      'lat',
      'latte',
      'crème',
      'brasserie',
      'mug',
      sample[Math.floor(sample.length / 3)]!.variants[0]!.sku ?? 'cof',
      sample[Math.floor((sample.length * 2) / 3)]!.variants[0]!.barcode ?? '2000',
      'zzz',
    ];
    const N = Number(process.env.BENCH_SEARCH_N ?? 200);
    const fts = await time(N, (i) => searchCatalog(db, queries[i % queries.length]!, 50));
    const like = await time(N, (i) => likeSearch(db, queries[i % queries.length]!, 50));
    db.close();

    // 4. Start-up to a ready register: open the synced journal and answer a search.
    t = process.hrtime.bigint();
    const till = await signedInTill({ dataDir, resourcesDir: RESOURCES_DIR, timers: false });
    const reply = await till.invoke('searchCatalog', { query: 'latte' });
    const startNs = process.hrtime.bigint() - t;
    if (!reply.ok) throw new Error(reply.error.message);
    await till.close();

    const s = { fts: summarize(fts), like: summarize(like) };
    return {
      variants_in_shop: variants,
      full_sync: {
        bulk: {
          seconds: secs(fullNs),
          variants_per_s: Math.round(full.variants / (Number(fullNs) / 1e9)),
          products: full.products,
          variants: full.variants,
        },
        naive_paging_products_first_250: {
          note: 'unthrottled fake; Shopify refuses single queries over 1000 points and restores 100/s (standard) or 1000/s (Plus)',
          seconds_unthrottled: secs(naiveNs),
          variants_per_s_unthrottled: Math.round(naive.variants / (Number(naiveNs) / 1e9)),
          requests: naive.requests,
          total_query_cost: naive.cost,
          throttle_bound_seconds_standard: Math.round(naive.cost / 100),
          throttle_bound_seconds_plus: Math.round(naive.cost / 1000),
        },
        ratio_bulk_vs_naive_unthrottled: Math.round((Number(naiveNs) / Number(fullNs)) * 100) / 100,
      },
      incremental_100_changed: {
        seconds: secs(incNs),
        products: inc.products,
        variants: inc.variants,
        requests: incRequests,
        note: 'standard bucket (2000 points, 100/s): paced, never THROTTLED',
      },
      search_p50_p95: { fts5: s.fts, like_scan: s.like, ratio_p50_fts_vs_like: ratio(s.fts, s.like) },
      startup_to_ready_register_s: secs(startNs),
    };
  } finally {
    shop.cleanup();
    naiveShop.cleanup();
    await fake.close();
    await bigBucket.close();
    dir.remove();
  }
}

if (process.argv[1]?.endsWith('bench/catalog.ts')) {
  console.log(JSON.stringify(await benchCatalog(), null, 2));
}
