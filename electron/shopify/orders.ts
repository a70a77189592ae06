import type { Sale } from '../../shared/domain/index.js';
import { fiatToDecimalString, MSAT_PER_SAT } from '../../shared/money/index.js';
import {
  rateProportion,
  type PricedCart,
  type PricedLine,
  type TaxRate,
} from '../../shared/pricing/index.js';
import type { Db } from '../journal/db.js';
import { getSale } from '../journal/sales.js';
import { backoffDelay, type BackoffPolicy } from '../backoff.js';
import { ShopifyError, type ShopifyClient } from './client.js';
import { headOfQueue, markAttempt, markDone, markFailed, markRetry, outboxCounts } from './outbox.js';
import { sendRefund } from './refunds.js';

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

export const ORDER_CREATE = `mutation TillOrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
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

/**
 * The sale's notes as Shopify takes them: the order note becomes the order's `note`; a line's
 * note a line item property named "Note" (`OrderCreateLineItemPropertyInput`).
 */
export interface OrderNotes {
  readonly order?: string | null;
  /** By `lineId`. */
  readonly lines?: Readonly<Record<string, string>>;
}

/** The title of the custom line that carries a tip. */
export const TIP_TITLE = 'Tip';
/** The discount code's text when no discount gave a reason. */
export const DISCOUNT_CODE_FALLBACK = 'Till discount';
const DISCOUNT_CODE_MAX = 255;

/**
 * A sale as it was sold before pricing existed (journal rows without tax, discount or tip):
 * every line at its unit price, untaxed, no discount, no tip. Built directly, not through
 * priceCart, so an old row the pricing rules would refuse still goes to Shopify as it went.
 */
function unpriced(sale: Sale): PricedCart {
  const lines = sale.lines.map((l): PricedLine => {
    const subtotal = l.unitPrice * BigInt(l.quantity);
    return {
      lineId: l.lineId,
      unitPrice: l.unitPrice,
      quantity: l.quantity,
      subtotal,
      lineDiscount: null,
      cartDiscountShare: 0n,
      discountedPrice: subtotal,
      taxRate: null,
      net: subtotal,
      tax: 0n,
      gross: subtotal,
    };
  });
  const sum = lines.reduce((a, l) => a + l.subtotal, 0n);
  return {
    currency: sale.currency,
    taxesIncluded: false,
    lines,
    cartDiscount: null,
    tip: null,
    totals: {
      subtotal: sum,
      lineDiscounts: 0n,
      cartDiscount: 0n,
      discounts: 0n,
      goods: sum,
      tip: 0n,
      net: sum,
      tax: 0n,
      total: sum,
    },
  };
}

/**
 * The orderCreate input for a paid sale: priced as it was rung up (taxes, discounts, tip), or,
 * for a sale from before pricing, at its lines' prices and nothing else.
 */
export function orderInput(sale: Sale, ctx: Pick<PumpContext, 'locationId' | 'tillId'>) {
  return pricedOrderInput(sale, sale.pricing ?? unpriced(sale), ctx, notesOf(sale));
}

/** The order note and each line's note, as rung up. */
function notesOf(sale: Sale): OrderNotes {
  const lines: Record<string, string> = {};
  for (const l of sale.lines) if (l.note !== null) lines[l.lineId] = l.note;
  return { order: sale.note, lines };
}

/**
 * The orderCreate input for a paid sale priced by shared/pricing, so that Shopify's order
 * totals (`totalPriceSet`, `totalTaxSet`, `totalDiscountsSet`, `subtotalPriceSet`) are the
 * till's to the minor unit. `sale` gives the order its identity (sale id, number, tender,
 * invoice, times) and each line's variant, title and SKU by `lineId`; `priced` the figures.
 *
 * - Line items at their unit price as entered (`priceSet`: "the price of the item before
 *   discounts have been applied"), tax included when `taxesIncluded`.
 * - Tax per line (`OrderCreateLineItemInput.taxLines`: rate as a proportion, title, the line's
 *   own rounded tax R4 after discounts), never on the order: order tax lines "are split across
 *   the taxable line items" by Shopify, its way, and the per-line figures would drift from ours.
 *   `taxesIncluded` is sent whenever a tax line is; with no tax line it changes nothing and is
 *   left out, so an unpriced sale sends exactly what it always did.
 * - Discounts: orderCreate has no per-line discount input, and the order takes one discount
 *   code only (`OrderCreateDiscountCodeInput`: "Only one type of discount can be applied").
 *   Line and cart discounts together go as ONE fixed-amount code (`itemFixedDiscountCode`,
 *   "the monetary amount to deduct") of `totals.discounts`, the sum of the till's own rounded
 *   discounts. Why not the alternatives:
 *     · reduced line prices: a discounted line total is not always quantity × a unit price in
 *       minor units (3 × €3.20 less a €0.95 cart-discount share is €8.65: no price in cents
 *       times 3 makes it), and Shopify would report no discount at all;
 *     · a percentage code: Shopify would round its own percentage of its own base, and a line
 *       discount plus a cart discount is no single percentage.
 *   The fixed code deducts exactly what the till deducted; the taxes we send are already
 *   after discounts (`OrderCreateTaxLineInput.priceSet`), so Shopify's total is
 *   Σ price × quantity − discounts (+ Σ tax when taxes are added) = the till's total. How
 *   Shopify then spreads the code over line items (its `discountAllocations`) may differ from
 *   our R3 shares by a minor unit per line; no order total depends on it.
 * - The tip as its own custom line "Tip", quantity 1, `requiresShipping: false`. Untaxed it is
 *   `taxable: false` at the tip's amount. Taxed (the tip's tax is carved out of it, R5) it
 *   carries its tax line and is `taxable: true` (a tax line on a line marked not taxable would
 *   contradict itself); its price is the tip as the order states prices: the whole tip when
 *   taxes are included, the tip less its tax when taxes are added — either way the customer's
 *   tip is what the line adds to the total.
 * - The transaction is what the sale was paid: `sale.total`, which the till prices from this
 *   same cart. Were they ever to differ, Shopify's outstanding amount shows it and
 *   reconciliation's "order total differs" catches it, rather than the order hiding it.
 */
export function pricedOrderInput(
  sale: Sale,
  priced: PricedCart,
  ctx: Pick<PumpContext, 'locationId' | 'tillId'>,
  notes: OrderNotes = {},
) {
  if (priced.currency !== sale.currency) {
    throw new Error(`sale ${sale.id} is in ${sale.currency} but was priced in ${priced.currency}`);
  }
  const money = (minor: bigint) => ({
    amount: fiatToDecimalString(minor, sale.currency),
    currencyCode: sale.currency,
  });
  const taxLine = (rate: TaxRate, tax: bigint) => ({
    title: rate.title,
    rate: rateProportion(rate),
    priceSet: { shopMoney: money(tax) },
  });
  const saleLines = new Map(sale.lines.map((l) => [l.lineId, l]));
  const lightning = sale.tender === 'lightning';
  const invoice = sale.invoice;
  const attributes = [
    { key: 'till_id', value: ctx.tillId },
    { key: 'till_sale_number', value: String(sale.number) },
    {
      key: 'tender',
      value: lightning ? 'Lightning' : sale.tender === 'lightning-offline' ? 'Lightning (offline)' : 'Cash',
    },
  ];
  // Who rang it up, as the till's staff list names them (sales from before staff have nobody).
  if (sale.staffName) attributes.push({ key: 'staff', value: sale.staffName });
  if (lightning && invoice) {
    attributes.push(
      { key: 'sats', value: String((sale.amountPaidMsat ?? invoice.amountMsat) / MSAT_PER_SAT) },
      { key: 'rate', value: `${invoice.rate.rate} ${invoice.rate.currency}/BTC` },
      { key: 'rate_source', value: invoice.rate.source },
      { key: 'payment_hash', value: invoice.paymentHash },
    );
  }
  // Paid with the till offline (issue 17): the link's nonce finds it on the companion server.
  if (sale.tender === 'lightning-offline' && sale.offline) {
    attributes.push(
      { key: 'sats', value: String(sale.offline.amountMsat / MSAT_PER_SAT) },
      { key: 'rate', value: `${sale.offline.rate.rate} ${sale.offline.rate.currency}/BTC` },
      { key: 'rate_source', value: `${sale.offline.rate.source} (offline)` },
      { key: 'offline_nonce', value: sale.offline.nonce },
    );
  }

  const lineItems = priced.lines.map((p) => {
    const l = saleLines.get(p.lineId);
    if (!l) throw new Error(`sale ${sale.id} has no line ${p.lineId} to send`);
    const taxed = p.taxRate ? { taxLines: [taxLine(p.taxRate, p.tax)] } : {};
    const note = notes.lines?.[p.lineId];
    const properties = note ? { properties: [{ name: 'Note', value: note }] } : {};
    const priceSet = { shopMoney: money(p.unitPrice) };
    return isShopifyVariant(l.variantId)
      ? { variantId: l.variantId, quantity: p.quantity, priceSet, ...taxed, ...properties }
      : {
          title: l.variantTitle ? `${l.title} — ${l.variantTitle}` : l.title,
          quantity: p.quantity,
          priceSet,
          requiresShipping: false,
          taxable: p.taxRate !== null,
          ...(l.sku ? { sku: l.sku } : {}),
          ...taxed,
          ...properties,
        };
  });
  const tip = priced.tip;
  const tipItems =
    tip && tip.amount > 0n
      ? [
          {
            title: TIP_TITLE,
            quantity: 1,
            priceSet: { shopMoney: money(priced.taxesIncluded ? tip.amount : tip.net) },
            requiresShipping: false,
            taxable: tip.taxRate !== null,
            ...(tip.taxRate ? { taxLines: [taxLine(tip.taxRate, tip.tax)] } : {}),
          },
        ]
      : [];
  const anyTax = priced.lines.some((l) => l.taxRate !== null) || tipItems.some((t) => t.taxable);

  const reasons = [
    ...priced.lines.flatMap((l) => (l.lineDiscount ? [l.lineDiscount.discount.reason.trim()] : [])),
    ...(priced.cartDiscount ? [priced.cartDiscount.discount.reason.trim()] : []),
  ].filter((r, i, all) => r !== '' && all.indexOf(r) === i);
  const code = (reasons.join(', ') || DISCOUNT_CODE_FALLBACK).slice(0, DISCOUNT_CODE_MAX);
  const discount =
    priced.totals.discounts > 0n
      ? {
          discountCode: {
            itemFixedDiscountCode: { code, amountSet: { shopMoney: money(priced.totals.discounts) } },
          },
        }
      : {};

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
      ...(anyTax ? { taxesIncluded: priced.taxesIncluded } : {}),
      ...(notes.order ? { note: notes.order } : {}),
      ...discount,
      lineItems: [...lineItems, ...tipItems],
      transactions: [
        {
          kind: 'SALE',
          status: 'SUCCESS',
          gateway: lightning || sale.tender === 'lightning-offline' ? 'Lightning' : 'Cash',
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
    if (head.kind === 'refundCreate') {
      try {
        await sendRefund(ctx, head);
        ctx.onOrder?.(head.saleId);
        continue;
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const retryAt = new Date(now().getTime() + backoffDelay(head.attempts, RETRY));
        markRetry(db, head.seq, reason, retryAt);
        return { state: 'offline', ...outboxCounts(db), retryAt, reason };
      }
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
