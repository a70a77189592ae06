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
import type { ShopifyFake } from './server.js';

/**
 * Bulk query operations on the Shopify fake: `bulkOperationRunQuery` really executes the till's
 * inner query against the 2026-10 schema through every root field the fake serves (the catalog's,
 * the orders' …), `bulkOperation` / `currentBulkOperation` report it, and the JSONL file is
 * written and served the way Shopify does. Faults: the next operation FAILED, the next download
 * cut off half way.
 */

export interface BulkOp {
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

export interface BulkFake {
  bulkOperations: BulkOp[];
  /** The next bulk result download is cut off half way (the connection is reset). */
  failNextDownload(): void;
  /** The next bulk operation ends FAILED (INTERNAL_SERVER_ERROR). */
  failNextBulk(): void;
  /** The operation as a GraphQL object (for a `node` resolver), or null when `id` is none. */
  node(id: unknown): Record<string, unknown> | null;
  /** Removes the bulk result files. */
  cleanup(): void;
}

export interface InstallBulkOptions {
  now?: () => Date;
  /** How long a bulk operation stays RUNNING before it starts writing (ms). */
  bulkDelayMs?: number;
}

/** Shopify's DateTime has whole seconds. */
export function shopifyTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function violation(fake: ShopifyFake, text: string): void {
  fake.violations.push(`bulk: ${text}`);
}

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

export function installBulk(fake: ShopifyFake, opts: InstallBulkOptions = {}): BulkFake {
  const now = opts.now ?? (() => new Date());
  const bulkDelayMs = opts.bulkDelayMs ?? 20;
  const files = mkdtempSync(join(tmpdir(), 'shopify-bulk-'));
  let downloadFault = false;
  let bulkFault = false;
  const bulkNode = (op: BulkOp) => ({
    __typename: 'BulkOperation',
    type: 'QUERY',
    partialDataUrl: null,
    ...op,
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: op.fileSize === null ? null : String(op.fileSize),
  });
  const state: BulkFake = {
    bulkOperations: [],
    failNextDownload: () => void (downloadFault = true),
    failNextBulk: () => void (bulkFault = true),
    node: (id) => {
      const op = state.bulkOperations.find((o) => o.id === id);
      return op ? bulkNode(op) : null;
    },
    cleanup: () => rmSync(files, { recursive: true, force: true }),
  };
  fake.define('node', (args) => state.node(args.id));

  fake.define('currentBulkOperation', (args) => {
    if (args.type === 'MUTATION') return null;
    const op = state.bulkOperations.at(-1);
    return op ? bulkNode(op) : null;
  });
  fake.define('bulkOperation', (args) => {
    const op = state.bulkOperations.find((o) => o.id === args.id);
    return op ? bulkNode(op) : null;
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
