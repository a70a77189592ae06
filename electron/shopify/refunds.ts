import type { Refund, Sale } from '../../shared/domain/index.js';
import { fiatToDecimalString } from '../../shared/money/index.js';
import type { Db } from '../journal/db.js';
import { getRefund } from '../journal/refunds.js';
import { getSale } from '../journal/sales.js';
import { ShopifyError, type ShopifyClient } from './client.js';
import { markAttempt, markFailed, markRefundDone, orderOutboxState, type OutboxRow } from './outbox.js';

/**
 * A journaled refund sent to Shopify exactly once, from the same outbox as orders and behind its
 * sale's order. Two nets, each enough alone:
 *
 * - the idempotency key. refundCreate (2026-10 schema): "As of 2026-04, the idempotency key is
 *   required and must be provided using the `@idempotent` directive"; the directive
 *   "enables idempotent mutation execution using a provided key". The key is the refund's own id
 *   (a UUID, never empty), so every retry of one refund sends the same key and Shopify answers
 *   the refund it already made.
 * - the look-up before sending, as the order pump does: the order's refunds are read first (the
 *   same read gives the line item and transaction ids the refund needs), and one whose note
 *   carries this refund's id means an earlier attempt landed and lost its answer.
 */

const ORDER_FOR_REFUND = `query TillOrderForRefund($id: ID!) {
  order(id: $id) {
    id
    lineItems(first: 250) { nodes { id quantity } }
    transactions { id kind status }
    refunds(first: 250) { id note }
  }
}`;

export const REFUND_CREATE = `mutation TillRefundCreate($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id }
    userErrors { field message }
  }
}`;

interface OrderForRefund {
  order: {
    id: string;
    lineItems: { nodes: { id: string; quantity: number }[] };
    transactions: { id: string; kind: string; status: string }[];
    refunds: { id: string; note: string | null }[];
  } | null;
}

interface Created {
  refundCreate: {
    refund: { id: string } | null;
    userErrors: { field: string[] | null; message: string }[];
  };
}

/** What a refund's Shopify note carries so a later attempt can find it. */
export const refundMarker = (refundId: string): string => `till refund ${refundId}`;

/** A mapping the till cannot make (the order in Shopify does not look like the sale): parked for a manager. */
class Unmappable extends Error {}

/**
 * The refundCreate input for a paid refund of `sale`, whose Shopify order is `order`. The
 * order's line items are the sale's priced lines in order, then the tip's custom line
 * (orders.ts pricedOrderInput sends them so); restocked units go back at the till's location
 * (`RETURN`: "use this when restocking line items that were fulfilled"; the till's orders are
 * created FULFILLED), the others — and custom amounts, which are no Shopify product —
 * `NO_RESTOCK`. The money is one REFUND transaction of the refund's amount through the sale's
 * gateway name, parented on the order's SALE transaction.
 */
export function refundInput(
  sale: Sale,
  refund: Refund,
  order: NonNullable<OrderForRefund['order']>,
  locationId: string,
) {
  const saleLineIds = (sale.pricing?.lines ?? sale.lines).map((l) => l.lineId);
  const hasTip = (sale.pricing?.tip?.amount ?? 0n) > 0n;
  const items = order.lineItems.nodes;
  if (items.length !== saleLineIds.length + (hasTip ? 1 : 0)) {
    throw new Unmappable(
      `Shopify's order has ${items.length} line items but sale #${sale.number} had ${saleLineIds.length}${hasTip ? ' and a tip' : ''}: refund it in Shopify by hand.`,
    );
  }
  const variants = new Map(sale.lines.map((l) => [l.lineId, l.variantId]));
  const lineItems = refund.lines.map((l) => {
    const item = items[saleLineIds.indexOf(l.lineId)];
    if (!item) throw new Unmappable(`Sale #${sale.number} has no line ${l.lineId} in Shopify.`);
    // A custom amount is no product on a shelf: Shopify has no stock to put it back in.
    const onShelf = variants.get(l.lineId)?.startsWith('gid://shopify/ProductVariant/') ?? false;
    return l.restock && onShelf
      ? { lineItemId: item.id, quantity: l.quantity, restockType: 'RETURN', locationId }
      : { lineItemId: item.id, quantity: l.quantity, restockType: 'NO_RESTOCK' };
  });
  if (refund.tip > 0n) {
    lineItems.push({ lineItemId: items.at(-1)!.id, quantity: 1, restockType: 'NO_RESTOCK' });
  }
  const parent = order.transactions.find((t) => t.kind === 'SALE' && t.status === 'SUCCESS');
  if (refund.amount > 0n && !parent) {
    throw new Unmappable(`Shopify's order for sale #${sale.number} has no payment to refund against.`);
  }
  const who = [
    refund.requestedBy ? `by ${refund.requestedBy.name}` : null,
    refund.approvedBy && refund.approvedBy.staffId !== refund.requestedBy?.staffId
      ? `approved by ${refund.approvedBy.name}`
      : null,
  ].filter((x) => x !== null);
  return {
    orderId: order.id,
    note: `${refund.reason} (${refundMarker(refund.id)}, sale #${sale.number}${who.length ? `, ${who.join(', ')}` : ''})`,
    notify: false,
    processedAt: refund.paidAt ?? refund.updatedAt,
    refundLineItems: lineItems,
    transactions:
      refund.amount > 0n && parent
        ? [
            {
              orderId: order.id,
              kind: 'REFUND',
              gateway: refund.tender === 'cash' ? 'Cash' : 'Lightning',
              amount: fiatToDecimalString(refund.amount, refund.currency),
              parentId: parent.id,
            },
          ]
        : [],
  };
}

export interface RefundPumpContext {
  db: Db;
  client: ShopifyClient;
  locationId: string;
  now: () => Date;
  log: (message: string, err?: unknown) => void;
}

/**
 * Sends the refund at the head of the queue. Done or parked: returns; Shopify unreachable:
 * throws the ShopifyError for the pump to back off on (the row stays at the head).
 */
export async function sendRefund(ctx: RefundPumpContext, head: OutboxRow): Promise<void> {
  const { db, client, now } = ctx;
  const refund = head.refundId ? getRefund(db, head.refundId) : null;
  const sale = getSale(db, head.saleId);
  if (!refund || !sale || refund.state !== 'paid') {
    markFailed(db, head.seq, 'The refund was not paid: nothing to send.');
    return;
  }
  const orderState = orderOutboxState(db, sale.id);
  const orderId = (
    db.prepare('SELECT shopify_order_id FROM sales WHERE id = ?').get(sale.id) as {
      shopify_order_id: string | null;
    }
  ).shopify_order_id;
  if (orderState !== 'done' || orderId === null) {
    // The order goes first; while it is parked, so is its refund (a manager's retry of the
    // order puts both back, in order).
    markFailed(
      db,
      head.seq,
      `Waiting for sale #${sale.number}'s order to reach Shopify: retry the order, its refund follows.`,
    );
    return;
  }
  try {
    const found = await client.request<OrderForRefund>(ORDER_FOR_REFUND, { id: orderId }, 20);
    const order = found.order;
    if (!order) {
      markFailed(
        db,
        head.seq,
        `Sale #${sale.number}'s order is no longer in Shopify: nothing to refund there.`,
      );
      return;
    }
    const landed = order.refunds.find((r) => r.note?.includes(refundMarker(refund.id)));
    if (landed) {
      markRefundDone(db, head.seq, landed.id, now());
      return;
    }
    const input = refundInput(sale, refund, order, ctx.locationId);
    markAttempt(db, head.seq);
    const created = await client.request<Created>(REFUND_CREATE, { input, key: refund.id }, 10);
    const { refund: made, userErrors } = created.refundCreate;
    if (made) {
      markRefundDone(db, head.seq, made.id, now());
      return;
    }
    const message =
      userErrors.map((e) => e.message).join('; ') || 'Shopify made no refund and gave no reason.';
    markFailed(db, head.seq, `Shopify refused the refund for sale #${sale.number}: ${message}`);
    ctx.log(`refund ${refund.id} parked: ${message}`);
  } catch (err) {
    if (err instanceof Unmappable) {
      markFailed(db, head.seq, err.message);
      return;
    }
    if (err instanceof ShopifyError && (err.kind === 'Rejected' || err.kind === 'BadResponse')) {
      markFailed(db, head.seq, `Shopify refused the refund for sale #${sale.number}: ${err.message}`);
      return;
    }
    throw err;
  }
}
