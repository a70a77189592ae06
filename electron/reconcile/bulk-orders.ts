import { createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import type { ReconcileDb } from '../../shared/reconcile/runner.js';
import { openPrivateFile } from '../files.js';
import { runBulkQuery } from '../shopify/bulk.js';
import { ShopifyError, type ShopifyClient } from '../shopify/client.js';
import { ORDER_FIELDS, pages, shopifyOrders, tillOrdersSearch } from './sources.js';

/**
 * The till's Shopify orders for a long period through one bulk operation (shopify.dev, "Perform
 * bulk operations") instead of 100-order pages: Shopify writes them to a JSONL file, the till
 * downloads it to a private file in the reconcile folder, and DuckDB reads it (`read_json`)
 * straight into `shopify_orders` in one INSERT … SELECT — no appender, no order as a JS object.
 * Any failure of the export or of the download falls back to paging (logged); a run never fails
 * for it. A short period pages: a bulk operation's start and polls cost more than a few pages.
 */

/** Periods longer than this many days read their orders in bulk. */
export const BULK_ORDERS_AFTER_DAYS = 31;
const DAY_MS = 24 * 60 * 60 * 1000;

export const wantsBulk = (from: Date, to: Date): boolean =>
  to.getTime() - from.getTime() > BULK_ORDERS_AFTER_DAYS * DAY_MS;

/** The paged query's selection (sources.ts ORDER_FIELDS), unpaged: bulk ignores `first`. */
export const bulkOrdersQuery = (from: Date, to: Date): string => `{
  orders(query: ${JSON.stringify(tillOrdersSearch(from, to))}, sortKey: PROCESSED_AT) {
    edges { node {
      ${ORDER_FIELDS}
    } }
  }
}`;

const sqlText = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/**
 * The export's lines as shopify_orders rows, exactly as sources.ts shopifyOrders maps a page:
 * the sale id metafield, the shop money total in minor units (money/index.ts parseFiat: the
 * currency's exponent, more decimals than it allows refused, never rounded), the first
 * `Lightning` transaction's authorization code as the payment hash, the `till_id` attribute.
 * Lists (custom attributes, transactions) stay inline in an order's line; a line with
 * `__parentId` (a nested connection's node, none in this selection) is not an order.
 */
export function bulkOrdersSelect(path: string): string {
  const columns = `{
    id: 'VARCHAR', name: 'VARCHAR', processedAt: 'VARCHAR', __parentId: 'VARCHAR',
    metafield: 'STRUCT(value VARCHAR)',
    customAttributes: 'STRUCT("key" VARCHAR, "value" VARCHAR)[]',
    totalPriceSet: 'STRUCT(shopMoney STRUCT(amount VARCHAR, currencyCode VARCHAR))',
    transactions: 'STRUCT(authorizationCode VARCHAR, gateway VARCHAR)[]'
  }`;
  return `
  WITH lines AS (
    SELECT id, name, processedAt, metafield.value AS sale_id,
           trim(totalPriceSet.shopMoney.amount) AS amount, totalPriceSet.shopMoney.currencyCode AS currency,
           list_filter(transactions[1:5], t -> t.gateway = 'Lightning')[1].authorizationCode AS payment_hash,
           list_filter(customAttributes, a -> a."key" = 'till_id')[1]."value" AS till
    FROM read_json(${sqlText(path)}, format = 'newline_delimited', columns = ${columns})
    WHERE __parentId IS NULL
  ), parsed AS (
    SELECT *,
           CASE WHEN regexp_full_match(amount, '-?[0-9]+(\\.[0-9]+)?') THEN
             regexp_extract(amount, '^(-?)([0-9]+)(?:\\.([0-9]+))?$', ['sign', 'whole', 'frac'])
           ELSE error('"' || amount || '" is not a decimal number') END AS d,
           CASE WHEN regexp_full_match(currency, '[A-Z]{3}') THEN exponent_of(currency)
           ELSE error('"' || currency || '" is not an ISO 4217 currency code') END AS exponent
    FROM lines
  ), minor AS (
    SELECT *, CAST(d.whole || d.frac AS HUGEINT) * CASE d.sign WHEN '-' THEN -1 ELSE 1 END AS units,
           length(d.frac) AS scale
    FROM parsed
  )
  SELECT id AS order_id, name, sale_id,
         CAST(CASE WHEN scale <= exponent THEN units * pow10(exponent - scale)
                   WHEN units % pow10(scale - exponent) = 0 THEN units // pow10(scale - exponent)
                   ELSE error('"' || amount || '" has more decimals than ' || currency || ' allows ('
                              || exponent || ')') END AS BIGINT) AS total,
         currency, payment_hash, till,
         -- sortKey PROCESSED_AT, as the pages come.
         {'at': CAST(processedAt AS TIMESTAMPTZ), 'id': id} AS ord
  FROM minor`;
}

export interface ReadOrdersOptions {
  db: ReconcileDb;
  client: ShopifyClient;
  from: Date;
  to: Date;
  /** The reconcile folder (private): the export's file is written there, then removed. */
  dir: string;
  signal: AbortSignal;
  /** How many orders were read so far. */
  onCount: (n: number) => void;
  log: (message: string, err?: unknown) => void;
  fetch?: typeof fetch;
  /** How often the bulk operation is polled (default 1 s). */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The till's orders for [from, to) into `db`: in bulk for a long period, else (or failing that) paged. */
export async function readShopifyOrders(opts: ReadOrdersOptions): Promise<{ orders: number; bulk: boolean }> {
  const { db, client, from, to, signal } = opts;
  if (wantsBulk(from, to)) {
    try {
      const n = await loadBulkOrders(opts);
      opts.onCount(n);
      return { orders: n, bulk: true };
    } catch (err) {
      signal.throwIfAborted();
      opts.log('reconciliation: Shopify’s bulk export of the orders failed; reading them page by page', err);
    }
  }
  const n = await db.appendOrders(pages(shopifyOrders(client, from, to)), signal, opts.onCount);
  return { orders: n, bulk: false };
}

async function loadBulkOrders(opts: ReadOrdersOptions): Promise<number> {
  const { signal } = opts;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const op = await runBulkQuery(opts.client, bulkOrdersQuery(opts.from, opts.to), {
    what: 'export of the orders',
    fallback: 'reading them page by page',
    // Another bulk query under way (the catalog's) is not this one: page instead.
    adoptRunning: false,
    pollMs: opts.pollMs ?? 1_000,
    sleep: async (ms) => {
      signal.throwIfAborted();
      await sleep(ms);
      signal.throwIfAborted();
    },
  });
  const expect = Number(op.rootObjectCount);
  // Nothing matched: Shopify leaves no file.
  if (op.url === null) {
    if (expect !== 0) throw new ShopifyError('BadResponse', `the export of ${expect} orders has no file`);
    return 0;
  }
  const res = await (opts.fetch ?? fetch)(op.url, { signal });
  if (!res.ok || !res.body) {
    throw new ShopifyError(
      'Unreachable',
      `the export of the orders could not be downloaded (HTTP ${res.status})`,
    );
  }
  const file = join(opts.dir, `shopify-orders-${randomUUID()}.jsonl`);
  try {
    // 0600 from its first byte: a period's orders (sale ids, payment hashes) are the shop's own.
    const fd = openPrivateFile(file, 'wx');
    try {
      // The stream closes the descriptor when it finishes or is destroyed.
      await pipeline(Readable.fromWeb(res.body), createWriteStream('', { fd }));
    } catch (err) {
      signal.throwIfAborted();
      throw new ShopifyError('Unreachable', 'the export of the orders was cut off while downloading', {
        cause: err,
      });
    }
    signal.throwIfAborted();
    // A file cut short (a dropped download) has fewer orders than Shopify counted: nothing inserted.
    return await opts.db.insertOrders(bulkOrdersSelect(file), expect);
  } finally {
    rmSync(file, { force: true });
  }
}
