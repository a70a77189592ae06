import { createHash } from 'node:crypto';
import { mulberry32 } from '../../../../shared/random.js';
import { installBulk, shopifyTime, type BulkFake } from './bulk.js';
import { connection, type ShopifyFake } from './server.js';

/**
 * The catalog side of the Shopify fake: products with variants, options, media and inventory
 * levels; `products` paging with the search syntax the till uses; `locations`; bulk query
 * operations (bulk.ts, installed with it); and `deletionEvents` for products deleted since a time.
 * Store state is plain data (`FakeProduct`), turned into GraphQL objects on demand.
 */

export type FakeStatus = 'ACTIVE' | 'ARCHIVED' | 'DRAFT' | 'UNLISTED';

export interface FakeVariant {
  id: string;
  title: string;
  sku: string | null;
  barcode: string | null;
  /** Shopify's Money scalar: a decimal string. */
  price: string;
  compareAtPrice: string | null;
  taxable: boolean;
  selectedOptions: { name: string; value: string }[];
  /** Path on the fake (served by it), e.g. /cdn/shop/files/v12.svg. */
  imagePath: string | null;
  inventoryItemId: string;
  tracked: boolean;
  /** Available quantity per location id; absent = not stocked there. */
  available: Record<string, number>;
}

export interface FakeProduct {
  id: string;
  handle: string;
  title: string;
  vendor: string;
  productType: string;
  status: FakeStatus;
  createdAt: string;
  updatedAt: string;
  options: { name: string; values: string[] }[];
  imagePath: string | null;
  variants: FakeVariant[];
}

export interface FakeLocation {
  id: string;
  name: string;
  isActive: boolean;
}

interface DeletionEvent {
  occurredAt: string;
  subjectId: string;
  subjectType: 'PRODUCT' | 'COLLECTION';
}

export interface CatalogFake {
  products: FakeProduct[];
  locations: FakeLocation[];
  deletions: DeletionEvent[];
  bulkOperations: BulkFake['bulkOperations'];
  /** Changes a product (title, a variant's price…) and bumps its updatedAt. */
  change(id: string, edit: (p: FakeProduct) => void): void;
  /** Deletes a product and records its deletion event. */
  remove(id: string): void;
  /** Sets a product's status and bumps its updatedAt. */
  setStatus(id: string, status: FakeStatus): void;
  add(product: FakeProduct): void;
  /** The next bulk result download is cut off half way (the connection is reset). */
  failNextDownload(): void;
  /** The next bulk operation ends FAILED (INTERNAL_SERVER_ERROR). */
  failNextBulk(): void;
  /** The next `n` requests for image files get HTTP 500. */
  failImages(n: number): void;
  /** Requests per image path. */
  imageRequests: Map<string, number>;
  /** Removes the bulk result files. */
  cleanup(): void;
}

export interface InstallCatalogOptions {
  products: FakeProduct[];
  locations?: FakeLocation[];
  now?: () => Date;
  /** How long a bulk operation stays RUNNING before it starts writing (ms). */
  bulkDelayMs?: number;
}

export const DEFAULT_LOCATIONS: FakeLocation[] = [
  { id: 'gid://shopify/Location/1', name: 'Corner Café — counter', isActive: true },
  { id: 'gid://shopify/Location/2', name: 'Warehouse', isActive: true },
  { id: 'gid://shopify/Location/3', name: 'Old market stall', isActive: false },
];

/** Shopify's DateTime has whole seconds. */
export { shopifyTime };

function violation(fake: ShopifyFake, text: string): void {
  fake.violations.push(`catalog: ${text}`);
}

/** Splits a search query into terms, keeping quoted values whole. */
function terms(query: string): string[] {
  return query.match(/(?:[^\s']+|'[^']*')+/g) ?? [];
}

const gidNum = (id: string) => id.split('/').pop() ?? '';

type Filter<T> = (item: T) => boolean;

function timeFilter(value: string, get: (x: { at: string }) => string): Filter<{ at: string }> | null {
  const m = /^(>=|<=|>|<)?'?([^']+)'?$/.exec(value);
  if (!m) return null;
  const [, op = '=', text = ''] = m;
  const t = Date.parse(text);
  if (Number.isNaN(t)) return null;
  return (x) => {
    const v = Date.parse(get(x));
    return op === '>' ? v > t : op === '>=' ? v >= t : op === '<' ? v < t : op === '<=' ? v <= t : v === t;
  };
}

/** `updated_at:>'2026-…'`, `status:active[,draft]`; anything else is a violation. */
function productFilter(fake: ShopifyFake, query: unknown): Filter<FakeProduct> {
  if (typeof query !== 'string' || query.trim() === '') return () => true;
  const filters: Filter<FakeProduct>[] = [];
  for (const term of terms(query)) {
    if (term === 'AND') continue;
    const [field, ...rest] = term.split(':');
    const value = rest.join(':');
    if (field === 'updated_at') {
      const f = timeFilter(value, (x) => x.at);
      if (!f) violation(fake, `products query: bad time ${value}`);
      else filters.push((p) => f({ at: p.updatedAt }));
    } else if (field === 'status') {
      const wanted = new Set(value.split(',').map((s) => s.toUpperCase()));
      filters.push((p) => wanted.has(p.status));
    } else {
      violation(fake, `products query: the fake does not implement "${term}"`);
    }
  }
  return (p) => filters.every((f) => f(p));
}

const imageSvg = (path: string): string => {
  const hue = parseInt(createHash('sha256').update(path).digest('hex').slice(0, 4), 16) % 24;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="hsl(${hue * 15} 60% 60%)"/></svg>`;
};

/** Every field name of a selection set that is a connection (has edges/nodes under it). */
export function installCatalog(fake: ShopifyFake, opts: InstallCatalogOptions): CatalogFake {
  const now = opts.now ?? (() => new Date());
  const bulk = installBulk(fake, {
    now,
    ...(opts.bulkDelayMs === undefined ? {} : { bulkDelayMs: opts.bulkDelayMs }),
  });
  let lastStamp = 0;
  let imageFaults = 0;
  const imageRequests = new Map<string, number>();
  const imageRoutes = new Set<string>();

  const state: CatalogFake = {
    products: opts.products,
    locations: opts.locations ?? DEFAULT_LOCATIONS,
    deletions: [],
    bulkOperations: bulk.bulkOperations,
    change(id, edit) {
      const p = find(id);
      edit(p);
      p.updatedAt = stamp();
      serveImages(p);
    },
    remove(id) {
      const i = state.products.findIndex((p) => p.id === id);
      if (i < 0) throw new Error(`no product ${id}`);
      state.products.splice(i, 1);
      state.deletions.push({ occurredAt: stamp(), subjectId: id, subjectType: 'PRODUCT' });
    },
    setStatus(id, status) {
      const p = find(id);
      p.status = status;
      p.updatedAt = stamp();
    },
    add(product) {
      product.updatedAt = stamp();
      state.products.push(product);
      serveImages(product);
    },
    failNextDownload: () => bulk.failNextDownload(),
    failNextBulk: () => bulk.failNextBulk(),
    failImages: (n) => void (imageFaults = n),
    imageRequests,
    cleanup: () => bulk.cleanup(),
  };

  function find(id: string): FakeProduct {
    const p = state.products.find((x) => x.id === id);
    if (!p) throw new Error(`no product ${id}`);
    return p;
  }

  /** Seconds, strictly after anything the store already holds. */
  function stamp(): string {
    let latest = lastStamp;
    for (const p of state.products) latest = Math.max(latest, Date.parse(p.updatedAt));
    lastStamp = Math.max(Math.floor(now().getTime() / 1000) * 1000, latest);
    return shopifyTime(new Date(lastStamp));
  }

  function serveImages(p: FakeProduct): void {
    for (const path of [p.imagePath, ...p.variants.map((v) => v.imagePath)]) {
      if (path === null || imageRoutes.has(path)) continue;
      imageRoutes.add(path);
      fake.route(path, (_req, res) => {
        imageRequests.set(path, (imageRequests.get(path) ?? 0) + 1);
        if (imageFaults > 0) {
          imageFaults--;
          res.writeHead(500).end();
          return;
        }
        const body = imageSvg(path);
        res.writeHead(200, { 'content-type': 'image/svg+xml', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    }
  }
  for (const p of state.products) serveImages(p);

  // --- GraphQL objects ------------------------------------------------------------------

  const locationNode = (l: FakeLocation) => ({ __typename: 'Location', ...l });

  const imageNode = (path: string) => {
    const id = createHash('sha1').update(path).digest('hex').slice(0, 10);
    const image = {
      __typename: 'Image',
      id: `gid://shopify/ImageSource/${parseInt(id, 16)}`,
      url: () => `${fake.url}${path}`,
      altText: null,
      width: 64,
      height: 64,
    };
    return {
      __typename: 'MediaImage',
      id: `gid://shopify/MediaImage/${parseInt(id, 16)}`,
      alt: '',
      mediaContentType: 'IMAGE',
      status: 'READY',
      image,
      preview: { __typename: 'MediaPreviewImage', status: 'READY', image },
    };
  };

  const variantNode = (v: FakeVariant, p: FakeProduct, position: number) => {
    const inventoryItemNumber = v.inventoryItemId.split('/').pop();
    const level = (locationId: string) => {
      const qty = v.available[locationId];
      const location = state.locations.find((l) => l.id === locationId);
      if (qty === undefined || !location) return null;
      return {
        __typename: 'InventoryLevel',
        id: `gid://shopify/InventoryLevel/${inventoryItemNumber}?inventory_item_id=${inventoryItemNumber}`,
        isActive: true,
        location: locationNode(location),
        quantities: ({ names }: { names: string[] }) =>
          names.map((name) => ({
            __typename: 'InventoryQuantity',
            id: `gid://shopify/InventoryQuantity/${inventoryItemNumber}?name=${name}`,
            name,
            quantity: name === 'available' || name === 'on_hand' ? qty : 0,
          })),
      };
    };
    return {
      __typename: 'ProductVariant',
      id: v.id,
      title: v.title,
      displayName: `${p.title} - ${v.title}`,
      sku: v.sku,
      barcode: v.barcode,
      price: v.price,
      compareAtPrice: v.compareAtPrice,
      taxable: v.taxable,
      position,
      availableForSale: p.status === 'ACTIVE',
      inventoryQuantity: Object.values(v.available).reduce((a, b) => a + b, 0),
      selectedOptions: v.selectedOptions.map((o) => ({
        __typename: 'SelectedOption',
        ...o,
        optionValue: {
          __typename: 'ProductOptionValue',
          id: `gid://shopify/ProductOptionValue/1`,
          name: o.value,
        },
      })),
      media: (args: Record<string, unknown>) =>
        connection(v.imagePath ? [imageNode(v.imagePath)] : [], args, (m) => m.id),
      inventoryItem: {
        __typename: 'InventoryItem',
        id: v.inventoryItemId,
        sku: v.sku,
        tracked: v.tracked,
        inventoryLevel: ({ locationId }: { locationId: string }) => level(locationId),
        inventoryLevels: (args: Record<string, unknown>) =>
          connection(
            Object.keys(v.available).flatMap((l) => level(l) ?? []),
            args,
            (x) => x.id + x.location.id,
          ),
      },
      product: () => productNode(p),
    };
  };

  const productNode = (p: FakeProduct) => ({
    __typename: 'Product',
    id: p.id,
    handle: p.handle,
    title: p.title,
    vendor: p.vendor,
    productType: p.productType,
    status: p.status,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    tags: [],
    hasOnlyDefaultVariant: p.variants.length === 1 && p.variants[0]?.title === 'Default Title',
    options: ({ first }: { first?: number }) =>
      p.options.slice(0, first ?? p.options.length).map((o, i) => ({
        __typename: 'ProductOption',
        id: `${p.id.replace('Product', 'ProductOption')}${i}`,
        name: o.name,
        position: i + 1,
        values: o.values,
      })),
    featuredMedia: p.imagePath ? imageNode(p.imagePath) : null,
    variants: (args: Record<string, unknown>) =>
      connection(
        p.variants.map((v, i) => variantNode(v, p, i + 1)),
        args,
        (v) => v.id,
      ),
  });

  const sortedProducts = (args: Record<string, unknown>): FakeProduct[] => {
    const filter = productFilter(fake, args.query);
    const list = state.products.filter(filter);
    const key = (args.sortKey as string | undefined) ?? 'ID';
    const num = (id: string) => Number(id.split('/').pop());
    if (key === 'UPDATED_AT') {
      list.sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || num(a.id) - num(b.id));
    } else if (key === 'ID') {
      list.sort((a, b) => num(a.id) - num(b.id));
    } else {
      violation(fake, `products: sortKey ${key} not implemented by the fake`);
    }
    if (args.reverse === true) list.reverse();
    return list;
  };

  const productsConnection = (args: Record<string, unknown>) => {
    const page = connection(sortedProducts(args), args, (p) => Buffer.from(p.id).toString('base64'));
    return {
      pageInfo: page.pageInfo,
      edges: page.edges.map((e) => ({ cursor: e.cursor, node: productNode(e.node) })),
      nodes: page.nodes.map(productNode),
    };
  };

  // --- root fields ----------------------------------------------------------------------

  const roots: Record<string, (args: Record<string, unknown>) => unknown> = {
    products: productsConnection,
    product: (args) => {
      const p = state.products.find((x) => x.id === args.id);
      return p ? productNode(p) : null;
    },
    productVariants: (args) => {
      const wanted = new Set<string>();
      for (const term of terms(typeof args.query === 'string' ? args.query : '')) {
        const [field, ...rest] = term.split(':');
        if (field === 'product_ids' || field === 'product_id') {
          for (const n of rest.join(':').split(',')) wanted.add(`gid://shopify/Product/${n}`);
        } else violation(fake, `productVariants query: the fake does not implement "${term}"`);
      }
      if (args.sortKey !== undefined && args.sortKey !== 'ID') {
        violation(
          fake,
          `productVariants: sortKey ${JSON.stringify(args.sortKey)} not implemented by the fake`,
        );
      }
      const list = state.products
        .filter((p) => wanted.size === 0 || wanted.has(p.id))
        .flatMap((p) => p.variants.map((v, i) => ({ v, p, i })))
        .sort((a, b) => Number(gidNum(a.v.id)) - Number(gidNum(b.v.id)));
      const page = connection(list, args, (x) => Buffer.from(x.v.id).toString('base64'));
      const node = (x: (typeof list)[number]) => variantNode(x.v, x.p, x.i + 1);
      return {
        pageInfo: page.pageInfo,
        edges: page.edges.map((e) => ({ cursor: e.cursor, node: node(e.node) })),
        nodes: page.nodes.map(node),
      };
    },
    locations: (args) =>
      connection(
        state.locations.filter((l) => l.isActive || args.includeInactive === true).map(locationNode),
        args,
        (l) => l.id,
      ),
    deletionEvents: (args) => {
      const types = new Set((args.subjectTypes as string[] | undefined) ?? ['PRODUCT', 'COLLECTION']);
      const filters: Filter<DeletionEvent>[] = [];
      for (const term of terms(typeof args.query === 'string' ? args.query : '')) {
        const [field, ...rest] = term.split(':');
        const f = field === 'occurred_at' ? timeFilter(rest.join(':'), (x) => x.at) : null;
        if (!f) violation(fake, `deletionEvents query: the fake does not implement "${term}"`);
        else filters.push((e) => f({ at: e.occurredAt }));
      }
      const list = state.deletions.filter((e) => types.has(e.subjectType) && filters.every((f) => f(e)));
      return connection(
        list.map((e) => ({ __typename: 'DeletionEvent', ...e })),
        args,
        (e) => Buffer.from(`${e.subjectId}@${e.occurredAt}`).toString('base64'),
      );
    },
  };
  for (const [name, fn] of Object.entries(roots)) fake.define(name, fn);

  fake.define('node', (args) => {
    const op = bulk.node(args.id);
    if (op) return op;
    const p = state.products.find((x) => x.id === args.id);
    return p ? productNode(p) : null;
  });

  return state;
}

// --- a generated catalog --------------------------------------------------------------------

const ADJECTIVES = [
  'Smoky',
  'Velvet',
  'Golden',
  'Midnight',
  'Crème',
  'Nordic',
  'Rustic',
  'Bright',
  'Spiced',
  'Honey',
  'Wild',
  'Toasted',
  'Frozen',
  'Silky',
  'Bitter',
  'Sunny',
  'Forest',
  'Ocean',
  'Crispy',
  'Café',
];
const NOUNS = [
  'Latte',
  'Espresso',
  'Cortado',
  'Mocha',
  'Croissant',
  'Brioche',
  'Muffin',
  'Scone',
  'Bagel',
  'Tea',
  'Chai',
  'Matcha',
  'Cookie',
  'Brownie',
  'Tart',
  'Mug',
  'Tumbler',
  'Beans',
  'Grinder',
  'Filter',
  'Sandwich',
  'Salad',
  'Juice',
  'Smoothie',
  'Waffle',
  'Crêpe',
  'Éclair',
  'Macaron',
  'Panini',
  'Soup',
];
const VENDORS = [
  'Satoshi Roasters',
  'Brasserie Élan',
  'Café Nørd',
  'Lightning Bakery',
  'Mühle & Co',
  'Tea Säntis',
];
const TYPES = ['Coffee', 'Bakery', 'Tea', 'Merch', 'Kitchen', 'Drinks'];
const OPTION_SETS: { name: string; values: string[] }[] = [
  { name: 'Size', values: ['Small', 'Medium', 'Large', 'XL', 'XXL'] },
  { name: 'Milk', values: ['Whole', 'Oat', 'Almond', 'Soy', 'None'] },
  { name: 'Colour', values: ['Black', 'White', 'Orange', 'Teal', 'Sand'] },
];

/** Integer cents → Shopify's Money string ("12.50"); never through a float. */
export function moneyString(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** EAN-13 with its check digit. */
function ean13(n: number): string {
  const body = `2${String(n).padStart(11, '0')}`;
  const sum = [...body].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return body + String((10 - (sum % 10)) % 10);
}

export interface GenerateOptions {
  variants: number;
  seed?: number;
  /** Share of products that are not ACTIVE (drafts and archived), 0..1. */
  inactiveShare?: number;
  start?: Date;
}

/**
 * A realistic shop: 1–5 variants per product (exactly `variants` in all), options, SKUs,
 * EAN-13 barcodes, prices and compare-at prices as Money strings, images, inventory at two
 * locations (one product in four untracked), a few drafts and archived products.
 */
export function generateCatalog(opts: GenerateOptions): FakeProduct[] {
  const rand = mulberry32(opts.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const inactive = opts.inactiveShare ?? 0.05;
  const start = (opts.start ?? new Date('2026-01-01T00:00:00Z')).getTime();
  const products: FakeProduct[] = [];
  let made = 0;
  for (let i = 0; made < opts.variants; i++) {
    const n = Math.min(opts.variants - made, 1 + Math.floor(rand() * 5));
    const productNo = 100_000 + i;
    const type = pick(TYPES);
    const title = `${pick(ADJECTIVES)} ${pick(NOUNS)} ${i + 1}`;
    const option = n === 1 ? null : pick(OPTION_SETS);
    const tracked = rand() < 0.75;
    const basePrice = 150 + Math.floor(rand() * 4000);
    const r = rand();
    const status: FakeStatus = r < inactive / 2 ? 'DRAFT' : r < inactive ? 'ARCHIVED' : 'ACTIVE';
    const withVariantImages = rand() < 0.2;
    const variants: FakeVariant[] = [];
    for (let j = 0; j < n; j++) {
      const k = made + j;
      const value = option ? option.values[j]! : 'Default Title';
      const cents = basePrice + j * 50;
      variants.push({
        id: `gid://shopify/ProductVariant/${500_000 + k}`,
        title: value,
        sku: rand() < 0.97 ? `${type.slice(0, 3).toUpperCase()}-${productNo}-${j + 1}` : null,
        barcode: rand() < 0.95 ? ean13(k + 1) : null,
        price: moneyString(cents),
        compareAtPrice: rand() < 0.15 ? moneyString(cents + 100 + Math.floor(rand() * 500)) : null,
        taxable: rand() < 0.9,
        selectedOptions: [{ name: option ? option.name : 'Title', value }],
        imagePath: withVariantImages ? `/cdn/shop/files/v${k}.svg` : null,
        inventoryItemId: `gid://shopify/InventoryItem/${900_000 + k}`,
        tracked,
        available: tracked
          ? {
              'gid://shopify/Location/1': Math.floor(rand() * 60),
              'gid://shopify/Location/2': Math.floor(rand() * 500),
            }
          : {},
      });
    }
    made += n;
    const stampAt = shopifyTime(new Date(start + i * 1000));
    products.push({
      id: `gid://shopify/Product/${productNo}`,
      handle: title
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[^a-z0-9]+/g, '-'),
      title,
      vendor: pick(VENDORS),
      productType: type,
      status,
      createdAt: stampAt,
      updatedAt: stampAt,
      options: option
        ? [{ name: option.name, values: option.values.slice(0, n) }]
        : [{ name: 'Title', values: ['Default Title'] }],
      imagePath: rand() < 0.9 ? `/cdn/shop/files/p${productNo}.svg` : null,
      variants,
    });
  }
  return products;
}
