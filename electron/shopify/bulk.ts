import { backoffDelay } from '../backoff.js';
import { ShopifyError, type ShopifyClient } from './client.js';

/**
 * One bulk query operation (shopify.dev, "Perform bulk operations"): started, then polled until
 * Shopify has written its JSONL file. Shared by the catalog's full sync and reconciliation's
 * long periods; each reads the file its own way.
 */

export interface BulkOperation {
  id: string;
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELING' | 'CANCELED' | 'FAILED' | 'EXPIRED';
  errorCode: string | null;
  objectCount: string;
  rootObjectCount: string;
  /** Null when the query matched nothing (Shopify leaves no file). */
  url: string | null;
  createdAt: string;
}

export interface BulkRunOptions {
  /** What the operation is, in a manager's words ("catalog export"). */
  what: string;
  /** What happens after it failed, appended to the message ("the till keeps its catalog"). */
  fallback: string;
  /**
   * Take over a bulk query already running (OPERATION_IN_PROGRESS) as this one: right for the
   * catalog export (one left running before a restart is the same query), wrong for any other.
   */
  adoptRunning: boolean;
  pollMs: number;
  sleep: (ms: number) => Promise<void>;
  onPoll?: (op: BulkOperation) => void;
}

const BULK_RUN = `mutation TillBulkQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status errorCode objectCount rootObjectCount url createdAt }
    userErrors { field message code }
  }
}`;
const BULK_POLL = `query TillBulkPoll($id: ID!) {
  bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount url createdAt }
}`;
const BULK_CURRENT = `query TillBulkCurrent {
  currentBulkOperation(type: QUERY) { id status errorCode objectCount rootObjectCount url createdAt }
}`;

// Requested query costs as Shopify computes them (a mutation 10, an object 1).
const COST = { mutation: 10, poll: 1 };

/** Runs `query` as a bulk operation and waits for it; the completed operation (its file's url). */
export async function runBulkQuery(
  client: ShopifyClient,
  query: string,
  opts: BulkRunOptions,
): Promise<BulkOperation> {
  return awaitBulk(client, await startBulk(client, query, opts), opts);
}

async function startBulk(client: ShopifyClient, query: string, opts: BulkRunOptions): Promise<BulkOperation> {
  const data = await client.request<{
    bulkOperationRunQuery: {
      bulkOperation: BulkOperation | null;
      userErrors: { message: string; code: string | null }[];
    };
  }>(BULK_RUN, { query }, COST.mutation);
  const { bulkOperation, userErrors } = data.bulkOperationRunQuery;
  if (bulkOperation) return bulkOperation;
  if (opts.adoptRunning && userErrors.some((e) => e.code === 'OPERATION_IN_PROGRESS')) {
    const current = await client.request<{ currentBulkOperation: BulkOperation | null }>(
      BULK_CURRENT,
      undefined,
      COST.poll,
    );
    if (current.currentBulkOperation) return current.currentBulkOperation;
  }
  throw new ShopifyError(
    'Rejected',
    `Shopify refused the ${opts.what}: ${userErrors.map((e) => e.message).join('; ')}`,
  );
}

/** A poll is a read: a dropped connection or a timeout is worth a few more tries. */
async function poll(
  client: ShopifyClient,
  id: string,
  opts: BulkRunOptions,
  attempt = 0,
): Promise<{ bulkOperation: BulkOperation | null }> {
  try {
    return await client.request<{ bulkOperation: BulkOperation | null }>(BULK_POLL, { id }, COST.poll);
  } catch (err) {
    const transient = err instanceof ShopifyError && (err.kind === 'Unreachable' || err.kind === 'Timeout');
    if (!transient || attempt >= 5) throw err;
    await opts.sleep(backoffDelay(attempt, { baseMs: opts.pollMs, maxMs: 32 * opts.pollMs }));
    return poll(client, id, opts, attempt + 1);
  }
}

async function awaitBulk(
  client: ShopifyClient,
  op: BulkOperation,
  opts: BulkRunOptions,
): Promise<BulkOperation> {
  let current = op;
  for (;;) {
    opts.onPoll?.(current);
    switch (current.status) {
      case 'COMPLETED':
        return current;
      case 'FAILED':
      case 'CANCELED':
      case 'CANCELING':
      case 'EXPIRED':
        throw new ShopifyError(
          'Unreachable',
          `Shopify's ${opts.what} ended ${current.status.toLowerCase()}${current.errorCode ? ` (${current.errorCode})` : ''}; ${opts.fallback}`,
        );
      case 'CREATED':
      case 'RUNNING':
        break;
    }
    await opts.sleep(opts.pollMs);
    const data = await poll(client, current.id, opts);
    if (!data.bulkOperation) throw new ShopifyError('BadResponse', `bulk operation ${current.id} vanished`);
    current = data.bulkOperation;
  }
}
