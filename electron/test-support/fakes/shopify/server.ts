import { readFileSync } from 'node:fs';
import { mulberry32 } from '../../../../shared/random.js';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  buildClientSchema,
  execute,
  getDirectiveValues,
  getNamedType,
  GraphQLObjectType,
  isCompositeType,
  Kind,
  OperationTypeNode,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type IntrospectionQuery,
  type SelectionSetNode,
} from 'graphql';

/**
 * An in-process Shopify Admin GraphQL API (2026-10) built from Shopify's own schema: every
 * document the till sends is parsed and validated against it, variables are coerced by
 * graphql-js, and anything unknown is recorded as a violation that fails the test at close.
 * Resolvers are plain functions per top-level field; store state lives in `state` so tests
 * and the bench can read and seed it. Faults are injected per request on demand.
 */

const SCHEMA_FILE = join(import.meta.dirname, '../../../../contracts/shopify/admin_2026-10.json.gz');
let schemaCache: GraphQLSchema | null = null;

export function shopifySchema(): GraphQLSchema {
  schemaCache ??= buildClientSchema(
    (JSON.parse(gunzipSync(readFileSync(SCHEMA_FILE)).toString('utf8')) as { data: IntrospectionQuery }).data,
  );
  return schemaCache;
}

export const API_PATH = '/admin/api/2026-10/graphql.json';

export type Fault =
  /** HTTP 500 before anything is done. */
  | '500'
  /** HTTP 503 before anything is done. */
  | '503'
  /** Never answered (the client must time out). */
  | 'hang'
  /** Done — an order really is created — then the connection is cut: the answer is lost. */
  | 'reset-after'
  /** Done, then answered HTTP 503 (an overloaded edge in front of a shop that did the work). */
  | '503-after'
  /** Done, then never answered: the client times out not knowing the order exists. */
  | 'hang-after'
  /** Refused as THROTTLED (cost exceeded), nothing done. */
  | 'throttled'
  /** HTTP 401 before anything is done. */
  | '401';

export type Resolver = (args: Record<string, unknown>, ctx: RequestContext) => unknown;

export interface RequestContext {
  /** Top-level field names of the operation, for tests that count calls. */
  operation: string;
  /**
   * The directives on this top-level field with their arguments, variables applied
   * (`@idempotent(key: $key)` → { idempotent: { key: '…' } }).
   */
  directives: Record<string, Record<string, unknown>>;
}

export interface Bucket {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface ShopifyFakeOptions {
  now?: () => Date;
  shopDomain?: string;
  /** Scope handles the app was granted. */
  scopes?: string[];
  /** Static Admin API tokens the fake accepts. */
  tokens?: string[];
  /** Dev Dashboard app credentials for the client-credentials grant. */
  client?: { id: string; secret: string; tokenTtlSec: number };
  bucket?: { maximumAvailable: number; restoreRate: number };
  /** Shop.taxesIncluded: whether the shop's prices include tax (default true). */
  taxesIncluded?: boolean;
}

export interface ShopifyFake {
  url: string;
  shopDomain: string;
  schema: GraphQLSchema;
  violations: string[];
  /** Adds or replaces a Query or Mutation field's resolver. */
  define(field: string, resolver: Resolver): void;
  /** The resolver of a Query or Mutation field (a bulk operation runs its query through them). */
  resolver(field: string): Resolver | undefined;
  /** Adds a plain HTTP route (bulk result files, images). */
  route(path: string, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): void;
  /** The next request gets this fault. */
  failNext(fault: Fault): void;
  /** The next request for this top-level field (say `refundCreate`) gets this fault. */
  failNextOn(field: string, fault: Fault): void;
  /** Each GraphQL request gets a fault with this probability (0 turns it off); seeded. */
  failRandomly(rate: number, faults: Fault[], seed?: number): void;
  /** Requests by top-level field, including ones that met a fault. */
  calls: Map<string, number>;
  /** Faults injected so far, by kind and top-level field ("reset-after orderCreate"): tests
   * assert the fault they rely on really happened, so they cannot pass vacuously. */
  faults: Map<string, number>;
  /** Requests refused as THROTTLED because the bucket was short (injected faults excluded). */
  throttled(): number;
  bucket(): Bucket;
  /** Tokens issued by the grant, with their expiry. */
  issuedTokens: Map<string, number>;
  close(): Promise<void>;
}

/** A cost in the spirit of Shopify's: 1 per object, connections by their `first`, 10 per mutation. */
function queryCost(schema: GraphQLSchema, doc: DocumentNode, variables: Record<string, unknown>): number {
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!op || op.kind !== Kind.OPERATION_DEFINITION) return 1;
  if (op.operation === OperationTypeNode.MUTATION) return 10;
  const argValue = (field: FieldNode, name: string): number | null => {
    const arg = field.arguments?.find((a) => a.name.value === name);
    if (!arg) return null;
    if (arg.value.kind === Kind.INT) return Number(arg.value.value);
    if (arg.value.kind === Kind.VARIABLE) {
      const v = variables[arg.value.name.value];
      return typeof v === 'number' ? v : null;
    }
    return null;
  };
  const walk = (set: SelectionSetNode | undefined, type: GraphQLObjectType | null): number => {
    if (!set) return 0;
    let cost = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        cost += walk(sel.selectionSet, type);
        continue;
      }
      if (sel.kind !== Kind.FIELD) continue;
      const fieldType = type?.getFields()[sel.name.value]?.type;
      const named = fieldType ? getNamedType(fieldType) : null;
      if (!named || !isCompositeType(named)) continue;
      const child = named instanceof GraphQLObjectType ? named : null;
      const first = argValue(sel, 'first') ?? argValue(sel, 'last');
      cost +=
        first !== null
          ? 2 + first * Math.max(1, walk(sel.selectionSet, child))
          : 1 + walk(sel.selectionSet, child);
    }
    return cost;
  };
  return Math.max(1, walk(op.selectionSet, schema.getQueryType() ?? null));
}

function isMutation(doc: DocumentNode): boolean {
  return doc.definitions.some(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === OperationTypeNode.MUTATION,
  );
}

/** Objects in an answer (not counting connection wrappers): what an actual cost is made of. */
function countObjects(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countObjects(v), 0);
  if (value === null || typeof value !== 'object') return 0;
  let n = 1;
  for (const v of Object.values(value)) n += countObjects(v);
  return n;
}

export async function startShopifyFake(opts: ShopifyFakeOptions = {}): Promise<ShopifyFake> {
  const schema = shopifySchema();
  const now = opts.now ?? (() => new Date());
  const shopDomain = opts.shopDomain ?? 'corner-cafe.myshopify.com';
  const tokens = new Set(opts.tokens ?? ['shpat_test_token']);
  const issuedTokens = new Map<string, number>();
  const violations: string[] = [];
  const resolvers: Record<string, Resolver> = {};
  const routes = new Map<string, (req: http.IncomingMessage, res: http.ServerResponse) => void>();
  const calls = new Map<string, number>();
  const faults = new Map<string, number>();
  const sockets = new Set<Socket>();
  const max = opts.bucket?.maximumAvailable ?? 2000;
  const rate = opts.bucket?.restoreRate ?? 100;
  let available = max;
  let lastRestore = Date.now();
  let nextFault: Fault | null = null;
  const nextFaultOn = new Map<string, Fault>();
  let throttledCount = 0;
  let random: { rate: number; faults: Fault[]; next: () => number } | null = null;

  const restore = () => {
    const t = Date.now();
    available = Math.min(max, available + ((t - lastRestore) / 1000) * rate);
    lastRestore = t;
  };

  resolvers.shop = () => ({
    __typename: 'Shop',
    id: 'gid://shopify/Shop/1',
    name: 'Corner Café',
    myshopifyDomain: shopDomain,
    currencyCode: 'USD',
    ianaTimezone: 'Europe/Berlin',
    taxesIncluded: opts.taxesIncluded ?? true,
  });
  resolvers.currentAppInstallation = () => ({
    __typename: 'AppInstallation',
    id: 'gid://shopify/AppInstallation/1',
    accessScopes: (opts.scopes ?? []).map((handle) => ({
      __typename: 'AccessScope',
      handle,
      description: handle,
    })),
  });

  function send(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  function tokenGrant(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    // Dev Dashboard apps: POST /admin/oauth/access_token, client_credentials.
    const params = (req.headers['content-type'] ?? '').includes('json')
      ? new URLSearchParams(Object.entries(JSON.parse(body || '{}') as Record<string, string>))
      : new URLSearchParams(body);
    const known = new Set(['client_id', 'client_secret', 'grant_type']);
    for (const key of params.keys())
      if (!known.has(key)) violations.push(`token grant: unknown parameter ${key}`);
    if (params.get('grant_type') !== 'client_credentials') {
      send(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    const client = opts.client;
    if (!client || params.get('client_id') !== client.id || params.get('client_secret') !== client.secret) {
      send(res, 400, { error: 'invalid_client', error_description: 'Client authentication failed' });
      return;
    }
    const token = `shpat_grant_${issuedTokens.size + 1}_${Math.random().toString(36).slice(2)}`;
    issuedTokens.set(token, now().getTime() + client.tokenTtlSec * 1000);
    send(res, 200, {
      access_token: token,
      scope: (opts.scopes ?? []).join(','),
      expires_in: client.tokenTtlSec,
    });
  }

  function authorised(req: http.IncomingMessage): boolean {
    const token = req.headers['x-shopify-access-token'];
    if (typeof token !== 'string') return false;
    if (tokens.has(token)) return true;
    const expires = issuedTokens.get(token);
    return expires !== undefined && expires > now().getTime();
  }

  async function graphql(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    let payload: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      payload = JSON.parse(body) as typeof payload;
    } catch {
      violations.push('a GraphQL request whose body is not JSON');
      send(res, 400, { errors: 'body is not JSON' });
      return;
    }
    const known = new Set(['query', 'variables', 'operationName']);
    for (const key of Object.keys(payload)) if (!known.has(key)) violations.push(`request body field ${key}`);
    if (typeof payload.query !== 'string') {
      violations.push('a GraphQL request with no query');
      send(res, 400, { errors: 'no query' });
      return;
    }
    let doc: DocumentNode;
    try {
      doc = parse(payload.query);
    } catch (err) {
      violations.push(`unparseable document: ${String(err)}`);
      send(res, 200, { errors: [{ message: String(err) }] });
      return;
    }
    const invalid = validate(schema, doc);
    if (invalid.length > 0) {
      violations.push(...invalid.map((e) => `document invalid against the 2026-10 schema: ${e.message}`));
      send(res, 200, { errors: invalid.map((e) => ({ message: e.message })) });
      return;
    }
    const variables = (payload.variables ?? {}) as Record<string, unknown>;
    const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    const fields =
      op?.kind === Kind.OPERATION_DEFINITION
        ? op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []))
        : [];
    for (const f of fields) calls.set(f, (calls.get(f) ?? 0) + 1);
    const directives: Record<string, Record<string, Record<string, unknown>>> = {};
    if (op?.kind === Kind.OPERATION_DEFINITION) {
      for (const sel of op.selectionSet.selections) {
        if (sel.kind !== Kind.FIELD) continue;
        for (const d of sel.directives ?? []) {
          const def = schema.getDirective(d.name.value);
          const values = def ? getDirectiveValues(def, sel, variables) : undefined;
          (directives[sel.name.value] ??= {})[d.name.value] = values ?? {};
        }
      }
    }

    let fault = nextFault;
    nextFault = null;
    const onField = fields.find((f) => nextFaultOn.has(f));
    if (!fault && onField !== undefined) {
      fault = nextFaultOn.get(onField)!;
      nextFaultOn.delete(onField);
    }
    if (!fault && random && random.next() < random.rate) {
      fault = random.faults[Math.floor(random.next() * random.faults.length)] ?? null;
    }
    if (fault) {
      const name = `${fault} ${fields.join(',')}`;
      faults.set(name, (faults.get(name) ?? 0) + 1);
    }
    if (fault === 'hang') return;
    if (fault === '500' || fault === '503') {
      send(res, Number(fault), { errors: 'Internal error' });
      return;
    }
    if (fault === '401' || !authorised(req)) {
      send(res, 401, {
        errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
      });
      return;
    }
    const cost = queryCost(schema, doc, variables);
    restore();
    const throttleStatus = () => ({
      maximumAvailable: max,
      currentlyAvailable: Math.floor(available),
      restoreRate: rate,
    });
    if (fault !== 'throttled' && cost > available) throttledCount++;
    if (fault === 'throttled' || cost > available) {
      send(res, 200, {
        errors: [
          {
            message: 'Throttled',
            extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
        extensions: {
          cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: throttleStatus() },
        },
      });
      return;
    }
    available -= cost;
    const rootValue = Object.fromEntries(
      Object.entries(resolvers).map(([name, fn]) => [
        name,
        (args: Record<string, unknown>) =>
          fn(args, { operation: fields.join(','), directives: directives[name] ?? {} }),
      ]),
    );
    const result = await execute({ schema, document: doc, rootValue, variableValues: variables });
    if (result.errors?.length) {
      for (const e of result.errors) {
        // Variables of the wrong type are the till's fault; anything else is the fake's.
        violations.push(`${fields.join(',')}: ${e.message}`);
      }
    }
    // Shopify takes the requested cost up front and refunds the difference to the actual cost
    // (objects really returned), as its rate-limit documentation describes.
    const actual = isMutation(doc) ? cost : Math.min(cost, Math.max(1, countObjects(result.data)));
    available = Math.min(max, available + (cost - actual));
    const body200 = {
      ...(result.data ? { data: result.data } : {}),
      ...(result.errors?.length
        ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path })) }
        : {}),
      extensions: {
        cost: { requestedQueryCost: cost, actualQueryCost: actual, throttleStatus: throttleStatus() },
      },
    };
    // The work is done; the answer is lost one way or another.
    if (fault === 'reset-after') {
      res.socket?.destroy();
      return;
    }
    if (fault === '503-after') {
      send(res, 503, { errors: 'Service Unavailable' });
      return;
    }
    if (fault === 'hang-after') return;
    send(res, 200, body200);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      if (req.method === 'POST' && path === API_PATH) {
        graphql(req, body, res).catch((err: unknown) => {
          violations.push(`the fake failed: ${String(err)}`);
          send(res, 500, { errors: 'fake failure' });
        });
      } else if (req.method === 'POST' && path === '/admin/oauth/access_token') {
        tokenGrant(req, body, res);
      } else if (routes.has(path)) {
        routes.get(path)!(req, res);
      } else {
        violations.push(`${req.method} ${path}: not an Admin API endpoint`);
        send(res, 404, { errors: 'Not Found' });
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    shopDomain,
    schema,
    violations,
    define: (field, resolver) => void (resolvers[field] = resolver),
    resolver: (field) => resolvers[field],
    route: (path, handler) => void routes.set(path, handler),
    failNext: (fault) => void (nextFault = fault),
    failNextOn: (field, fault) => void nextFaultOn.set(field, fault),
    failRandomly(p, faults, seed = 1) {
      random = p > 0 ? { rate: p, faults, next: mulberry32(seed) } : null;
    },
    calls,
    faults,
    throttled: () => throttledCount,
    bucket: () => {
      restore();
      return { maximumAvailable: max, currentlyAvailable: available, restoreRate: rate };
    },
    issuedTokens,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (violations.length > 0) {
        throw new Error(
          `the Shopify fake saw requests outside the 2026-10 schema:\n${violations.join('\n')}`,
        );
      }
    },
  };
}

/** A Relay connection over `items`, paged by `first`/`after` with index cursors. */
export function connection<T>(items: T[], args: Record<string, unknown>, cursorOf?: (item: T) => string) {
  const first = typeof args.first === 'number' ? args.first : items.length;
  const afterArg = typeof args.after === 'string' ? args.after : null;
  const cursor = (item: T, i: number) =>
    cursorOf ? cursorOf(item) : Buffer.from(String(i)).toString('base64');
  let start = 0;
  if (afterArg !== null) {
    const idx = items.findIndex((item, i) => cursor(item, i) === afterArg);
    start = idx + 1;
  }
  const page = items.slice(start, start + first);
  const edges = page.map((node, k) => ({ node, cursor: cursor(node, start + k) }));
  return {
    edges,
    nodes: page,
    pageInfo: {
      hasNextPage: start + first < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
