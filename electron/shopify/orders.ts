import type { Sale } from '../../shared/domain/index.js';
import { fiatToDecimalString, MSAT_PER_SAT } from '../../shared/money/index.js';
import type { Db } from '../journal/db.js';
import { getSale } from '../journal/sales.js';
import { backoffDelay, type BackoffPolicy } from '../backoff.js';
import { ShopifyError, type ShopifyClient } from './client.js';
import { headOfQueue, markAttempt, markDone, markFailed, markRetry, outboxCounts } from './outbox.js';

/**
 * Drains the outbox into Shopify orders, exactly once. orderCreate has no idempotency key in
 * 2026-10, so every order carries the sale id in a metafield whose definition has the
 * `uniqueValues` capability, and before any retry the pump asks `orderByIdentifier` (a
 * strongly consistent lookup) whether the last attempt did land. A unique-value refusal also
 * means "already created". Transient failures back off and keep the queue in order; answers no
 * retry can fix park the row as failed, for a manager, and the queue moves on.
 */

export const SALE_ID_NAMESPACE = 'lightning_till';
export const SALE_ID_KEY = 'sale_id';

const ORDER_BY_IDENTIFIER = `query TillOrderBySaleId($identifier: OrderIdentifierInput!) {
  orderByIdentifier(identifier: $identifier) { id name }
}`;

const ORDER_CREATE = `mutation TillOrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id name }
    userErrors { field message code }
  }
}`;

export interface PumpContext {
  db: Db;
  client: ShopifyClient;
  locationId: string;
  tillId: string;
  now: () => Date;
  log: (message: string, err?: unknown) => void;
  /** A sale's order was created or parked (the screen shows its order name or problem). */
  onOrder?: (saleId: string) => void;
}

export type PumpResult =
  /** Nothing left that is due. */
  | { state: 'idle'; pending: number; failed: number }
  /** Shopify could not be reached: the head of the queue waits for `retryAt`. */
  | { state: 'offline'; pending: number; failed: number; retryAt: Date; reason: string };

/** Shopify down: wait 1 s, 2 s, 4 s … up to five minutes between tries of the queue's head. */
const RETRY: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };

const isShopifyVariant = (id: string | null): id is string =>
  id !== null && id.startsWith('gid://shopify/ProductVariant/');

/** The orderCreate input for a paid sale, prices as sold. */
export function orderInput(sale: Sale, ctx: Pick<PumpContext, 'locationId' | 'tillId'>) {
  const money = (minor: bigint) => ({
    amount: fiatToDecimalString(minor, sale.currency),
    currencyCode: sale.currency,
  });
  const lightning = sale.tender === 'lightning';
  const invoice = sale.invoice;
  const attributes = [
    { key: 'till_id', value: ctx.tillId },
    { key: 'till_sale_number', value: String(sale.number) },
    { key: 'tender', value: lightning ? 'Lightning' : 'Cash' },
  ];
  if (lightning && invoice) {
    attributes.push(
      { key: 'sats', value: String((sale.amountPaidMsat ?? invoice.amountMsat) / MSAT_PER_SAT) },
      { key: 'rate', value: `${invoice.rate.rate} ${invoice.rate.currency}/BTC` },
      { key: 'rate_source', value: invoice.rate.source },
      { key: 'payment_hash', value: invoice.paymentHash },
    );
  }
  return {
    order: {
      currency: sale.currency,
      processedAt: sale.paidAt ?? sale.updatedAt,
      sourceIdentifier: sale.id,
      tags: ['lightning-till', lightning ? 'lightning' : 'cash'],
      customAttributes: attributes,
      metafields: [
        { namespace: SALE_ID_NAMESPACE, key: SALE_ID_KEY, type: 'single_line_text_field', value: sale.id },
      ],
      fulfillmentStatus: 'FULFILLED',
      lineItems: sale.lines.map((l) =>
        isShopifyVariant(l.variantId)
          ? { variantId: l.variantId, quantity: l.quantity, priceSet: { shopMoney: money(l.unitPrice) } }
          : {
              title: l.variantTitle ? `${l.title} — ${l.variantTitle}` : l.title,
              quantity: l.quantity,
              priceSet: { shopMoney: money(l.unitPrice) },
              requiresShipping: false,
              taxable: false,
              ...(l.sku ? { sku: l.sku } : {}),
            },
      ),
      transactions: [
        {
          kind: 'SALE',
          status: 'SUCCESS',
          gateway: lightning ? 'Lightning' : 'Cash',
          amountSet: { shopMoney: money(sale.total) },
          locationId: ctx.locationId,
          processedAt: sale.paidAt ?? sale.updatedAt,
          ...(lightning && invoice ? { authorizationCode: invoice.paymentHash } : {}),
        },
      ],
    },
    options: {
      inventoryBehaviour: 'DECREMENT_OBEYING_POLICY',
      sendReceipt: false,
      sendFulfillmentReceipt: false,
    },
  };
}

interface Found {
  orderByIdentifier: { id: string; name: string } | null;
}
interface Created {
  orderCreate: {
    order: { id: string; name: string } | null;
    userErrors: { field: string[] | null; message: string; code: string | null }[];
  };
}

async function findOrder(
  client: ShopifyClient,
  saleId: string,
): Promise<{ id: string; name: string } | null> {
  const found = await client.request<Found>(
    ORDER_BY_IDENTIFIER,
    { identifier: { customId: { namespace: SALE_ID_NAMESPACE, key: SALE_ID_KEY, value: saleId } } },
    2,
  );
  return found.orderByIdentifier;
}

/** Sends what is due, in order, until the queue is empty or Shopify is unreachable. */
export async function drainOutbox(ctx: PumpContext): Promise<PumpResult> {
  const { db, client, now } = ctx;
  for (;;) {
    const head = headOfQueue(db);
    if (!head) return { state: 'idle', ...outboxCounts(db) };
    if (head.due.getTime() > now().getTime()) {
      return { state: 'offline', ...outboxCounts(db), retryAt: head.due, reason: 'waiting to retry' };
    }
    const sale = getSale(db, head.saleId);
    if (!sale || sale.state !== 'paid') {
      markFailed(db, head.seq, 'The sale is not paid: nothing to send.');
      continue;
    }
    try {
      // A previous attempt may have created the order and lost the answer: look first.
      const existing = head.attempts > 0 ? await findOrder(client, sale.id) : null;
      if (existing) {
        markDone(db, head.seq, existing.id, existing.name, now());
        ctx.onOrder?.(sale.id);
        continue;
      }
      markAttempt(db, head.seq);
      const input = orderInput(sale, ctx);
      const created = await client.request<Created>(ORDER_CREATE, input, 10);
      const { order, userErrors } = created.orderCreate;
      if (order) {
        markDone(db, head.seq, order.id, order.name, now());
        ctx.onOrder?.(sale.id);
        continue;
      }
      const message =
        userErrors.map((e) => e.message).join('; ') || 'Shopify created no order and gave no reason.';
      if (userErrors.some((e) => /already (been )?taken|must be unique|already exists/i.test(e.message))) {
        // The unique sale id is taken: the order exists. Find it to record its name.
        const again = await findOrder(client, sale.id);
        if (again) {
          markDone(db, head.seq, again.id, again.name, now());
          ctx.onOrder?.(sale.id);
          continue;
        }
      }
      markFailed(db, head.seq, `Shopify refused order for sale #${sale.number}: ${message}`);
      ctx.onOrder?.(sale.id);
      ctx.log(`order for sale ${sale.id} parked: ${message}`);
    } catch (err) {
      if (err instanceof ShopifyError && (err.kind === 'Rejected' || err.kind === 'BadResponse')) {
        markFailed(db, head.seq, `Shopify refused order for sale #${sale.number}: ${err.message}`);
        ctx.onOrder?.(sale.id);
        continue;
      }
      const reason = err instanceof Error ? err.message : String(err);
      const retryAt = new Date(now().getTime() + backoffDelay(head.attempts, RETRY));
      markRetry(db, head.seq, reason, retryAt);
      return { state: 'offline', ...outboxCounts(db), retryAt, reason };
    }
  }
}
