import { createHash } from 'node:crypto';
import { mulberry32 } from '../../../../shared/random.js';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  execute,
  Kind,
  OperationTypeNode,
  parse,
  validate,
  visit,
  type DocumentNode,
  type FieldNode,
  type SelectionSetNode,
} from 'graphql';
import { connection, type ShopifyFake } from './server.js';

/**
 * The catalog side of the Shopify fake: products with variants, options, media and inventory
 * levels; `products` paging with the search syntax the till uses; `locations`; bulk query
 * operations that really execute the till's inner query against the schema and write the
 * JSONL file the way Shopify does; and `deletionEvents` for products deleted since a time.
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

interface BulkOp {
  id: string;
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED';
  errorCode: string | null;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
  query: string;
}

export interface CatalogFake {
  products: FakeProduct[];
  locations: FakeLocation[];
  deletions: DeletionEvent[];
  bulkOperations: BulkOp[];
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
export function shopifyTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

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
function isConnectionValue(v: unknown): v is { edges?: { node: unknown }[]; nodes?: unknown[] } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return Array.isArray((v as { edges?: unknown }).edges) || Array.isArray((v as { nodes?: unknown }).nodes);
}

function connectionNodes(v: { edges?: { node: unknown }[]; nodes?: unknown[] }): unknown[] {
  return v.nodes ?? v.edges?.map((e) => e.node) ?? [];
}

interface Line {
  depth: number;
  obj: Record<string, unknown>;
}

/**
 * Bulk JSONL (shopify.dev, bulk operations): every node of a connection is its own line;
 * nodes of a nested connection carry `__parentId`, the id of the node that holds it, and
 * the connection itself disappears from the parent. Plain objects and lists stay inline.
 */
function flatten(fake: ShopifyFake, data: Record<string, unknown>): Line[] {
  const out: Line[] = [];
  const emit = (node: unknown, parentId: string | null, depth: number) => {
    if (typeof node !== 'object' || node === null) return;
    const obj: Record<string, unknown> = {};
    const nested: { nodes: unknown[] }[] = [];
    const strip = (src: Record<string, unknown>, dst: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(src)) {
        if (isConnectionValue(v)) nested.push({ nodes: connectionNodes(v) });
        else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
          const inner: Record<string, unknown> = {};
          strip(v as Record<string, unknown>, inner);
          dst[k] = inner;
        } else dst[k] = v;
      }
    };
    strip(node as Record<string, unknown>, obj);
    if (parentId !== null) obj.__parentId = parentId;
    out.push({ depth, obj });
    if (nested.length > 0 && typeof obj.id !== 'string') {
      violation(fake, 'bulk query: a node with a nested connection must select id');
    }
    for (const c of nested) for (const n of c.nodes) emit(n, obj.id as string, depth + 1);
  };
  for (const v of Object.values(data)) {
    if (isConnectionValue(v)) for (const n of connectionNodes(v)) emit(n, null, 0);
  }
  return out;
}

/** Connection nesting of a bulk query: Shopify allows 5 connections, 2 levels deep. */
function connectionShape(set: SelectionSetNode, depth = 0): { count: number; depth: number } {
  let count = 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD && sel.selectionSet) {
      const conn = sel.selectionSet.selections.some(
        (s) => s.kind === Kind.FIELD && (s.name.value === 'edges' || s.name.value === 'nodes'),
      );
      const inner = connectionShape(sel.selectionSet, conn ? depth + 1 : depth);
      count += inner.count + (conn ? 1 : 0);
      max = Math.max(max, conn ? Math.max(depth + 1, inner.depth) : inner.depth);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const inner = connectionShape(sel.selectionSet, depth);
      count += inner.count;
      max = Math.max(max, inner.depth);
    }
  }
  return { count, depth: max };
}

export function installCatalog(fake: ShopifyFake, opts: InstallCatalogOptions): CatalogFake {
  const now = opts.now ?? (() => new Date());
  const bulkDelayMs = opts.bulkDelayMs ?? 20;
  const files = mkdtempSync(join(tmpdir(), 'shopify-bulk-'));
  let lastStamp = 0;
  let downloadFault = false;
  let bulkFault = false;
  let imageFaults = 0;
  const imageRequests = new Map<string, number>();
  const imageRoutes = new Set<string>();

  const state: CatalogFake = {
    products: opts.products,
    locations: opts.locations ?? DEFAULT_LOCATIONS,
    deletions: [],
    bulkOperations: [],
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
    failNextDownload: () => void (downloadFault = true),
    failNextBulk: () => void (bulkFault = true),
    failImages: (n) => void (imageFaults = n),
    imageRequests,
    cleanup: () => rmSync(files, { recursive: true, force: true }),
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

  const bulkNode = (op: BulkOp) => ({
    __typename: 'BulkOperation',
    type: 'QUERY',
    partialDataUrl: null,
    ...op,
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: op.fileSize === null ? null : String(op.fileSize),
  });

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

  fake.define('currentBulkOperation', (args) => {
    if (args.type === 'MUTATION') return null;
    const op = state.bulkOperations.at(-1);
    return op ? bulkNode(op) : null;
  });
  fake.define('bulkOperation', (args) => {
    const op = state.bulkOperations.find((o) => o.id === args.id);
    return op ? bulkNode(op) : null;
  });
  fake.define('node', (args) => {
    const op = state.bulkOperations.find((o) => o.id === args.id);
    if (op) return bulkNode(op);
    const p = state.products.find((x) => x.id === args.id);
    return p ? productNode(p) : null;
  });

  fake.define('bulkOperationRunQuery', (args) => {
    const query = String(args.query);
    const refuse = (message: string) => ({
      bulkOperation: null,
      userErrors: [{ __typename: 'BulkOperationUserError', field: ['query'], message, code: 'INVALID' }],
    });
    let doc: DocumentNode;
    try {
      doc = parse(query);
    } catch (err) {
      violation(fake, `bulk query does not parse: ${String(err)}`);
      return refuse(String(err));
    }
    const errors = validate(fake.schema, doc);
    if (errors.length > 0) {
      for (const e of errors) violation(fake, `bulk query invalid against the 2026-10 schema: ${e.message}`);
      return refuse(errors.map((e) => e.message).join('; '));
    }
    const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (!op || op.kind !== Kind.OPERATION_DEFINITION || op.operation !== OperationTypeNode.QUERY) {
      violation(fake, 'bulk query: not a query');
      return refuse('Bulk queries must be a query');
    }
    const shape = connectionShape(op.selectionSet);
    if (shape.count === 0 || shape.count > 5 || shape.depth > 3) {
      violation(fake, `bulk query: ${shape.count} connections, ${shape.depth} deep`);
      return refuse('Bulk queries need 1 to 5 connections, nested at most two levels');
    }
    if (state.bulkOperations.some((o) => o.status === 'RUNNING' || o.status === 'CREATED')) {
      return {
        bulkOperation: null,
        userErrors: [
          {
            __typename: 'BulkOperationUserError',
            field: null,
            message: 'A bulk query operation for this app and shop is already in progress',
            code: 'OPERATION_IN_PROGRESS',
          },
        ],
      };
    }
    const bulk: BulkOp = {
      id: `gid://shopify/BulkOperation/${state.bulkOperations.length + 1}`,
      status: 'CREATED',
      errorCode: null,
      createdAt: shopifyTime(now()),
      completedAt: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: null,
      url: null,
      query,
    };
    state.bulkOperations.push(bulk);
    setTimeout(() => {
      bulk.status = 'RUNNING';
      runBulk(bulk, doc, args.groupObjects === true).catch((err: unknown) => {
        violation(fake, `bulk run failed: ${String(err)}`);
        bulk.status = 'FAILED';
        bulk.errorCode = 'INTERNAL_SERVER_ERROR';
      });
    }, bulkDelayMs);
    return { bulkOperation: bulkNode(bulk), userErrors: [] };
  });

  async function runBulk(bulk: BulkOp, doc: DocumentNode, grouped: boolean): Promise<void> {
    if (bulkFault) {
      bulkFault = false;
      bulk.status = 'FAILED';
      bulk.errorCode = 'INTERNAL_SERVER_ERROR';
      return;
    }
    // Bulk operations ignore pagination: every connection yields all of its nodes.
    const unpaged = visit(doc, {
      Field(node: FieldNode) {
        const kept = node.arguments?.filter(
          (a) => !['first', 'last', 'after', 'before'].includes(a.name.value),
        );
        return kept?.length === node.arguments?.length ? undefined : { ...node, arguments: kept };
      },
    });
    // Every root field the fake serves (the catalog's, the orders' …), as a bulk query may ask any.
    const rootValue = new Proxy(
      {},
      {
        get: (_, name) => {
          const fn = typeof name === 'string' ? fake.resolver(name) : undefined;
          return (
            fn &&
            ((a: Record<string, unknown>) => fn(a, { operation: 'bulkOperationRunQuery', directives: {} }))
          );
        },
      },
    );
    const result = await execute({ schema: fake.schema, document: unpaged, rootValue });
    if (result.errors?.length) {
      for (const e of result.errors) violation(fake, `bulk execution: ${e.message}`);
      bulk.status = 'FAILED';
      bulk.errorCode = 'INTERNAL_SERVER_ERROR';
      return;
    }
    const lines = flatten(fake, result.data ?? {});
    // Without groupObjects Shopify does not keep children next to their parent; the fake
    // writes parents first, then each level of children, so the till must link by id.
    const ordered = grouped ? lines : [...lines].sort((a, b) => a.depth - b.depth);
    const file = join(files, `${bulk.id.split('/').pop()}.jsonl`);
    const out = createWriteStream(file);
    const CHUNK = 5000;
    for (let i = 0; i < ordered.length; i += CHUNK) {
      const text = ordered
        .slice(i, i + CHUNK)
        .map((l) => `${JSON.stringify(l.obj)}\n`)
        .join('');
      if (!out.write(text)) await once(out, 'drain');
      bulk.objectCount = Math.min(ordered.length, i + CHUNK);
    }
    out.end();
    await once(out, 'finish');
    const path = `/bulk-results/${bulk.id.split('/').pop()}.jsonl`;
    fake.route(path, (_req, res) => {
      const size = statSync(file).size;
      if (downloadFault) {
        downloadFault = false;
        res.writeHead(200, { 'content-type': 'application/jsonl', 'content-length': size });
        const half = createReadStream(file, { end: Math.floor(size / 2) });
        half.on('end', () => res.socket?.destroy());
        half.pipe(res, { end: false });
        return;
      }
      res.writeHead(200, { 'content-type': 'application/jsonl', 'content-length': size });
      createReadStream(file).pipe(res);
    });
    bulk.rootObjectCount = lines.filter((l) => l.depth === 0).length;
    bulk.objectCount = lines.length;
    bulk.fileSize = statSync(file).size;
    bulk.url = `${fake.url}${path}`;
    bulk.completedAt = shopifyTime(now());
    bulk.status = 'COMPLETED';
  }

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
