import { currentActor } from '../staff/actor.js';
import { fromWire, toWire } from '../../shared/contract/wire.js';
import {
  Pricing,
  type CartLine,
  type RateQuote,
  type Sale,
  type SaleState,
  type SaleSummary,
} from '../../shared/domain/index.js';
import { toCartLine, writeDiscount, type LineRow } from './cart.js';
import { SALE_NUMBER_DIGITS } from '../../shared/domain/sale-number.js';
import { big, bigOrNull, int, type Db } from './db.js';

/**
 * Sales and their history. Every state change goes through `transition`, which writes the new
 * state and its sale_events row together; callers wrap it in the transaction that also writes
 * whatever else the change implies (invoice, cursor, cart), and push Events only after commit.
 */

interface SaleRow {
  id: string;
  number: bigint;
  state: SaleState;
  currency: string;
  total: bigint;
  created_at: string;
  updated_at: string;
  paid_at: string | null;
  amount_paid_msat: bigint | null;
  paid_late: bigint;
  state_reason: string | null;
  invoice_hash: string | null;
  tender: 'lightning' | 'cash';
  offline_tender: 'lightning-offline' | null;
  cash_tendered: bigint | null;
  shopify_order_name: string | null;
  pricing_json: string | null;
  note: string | null;
  staff_name: string | null;
  outbox_state: 'pending' | 'done' | 'failed' | null;
  outbox_error: string | null;
}

/** Sales with their outbox row (the Shopify order), one query. */
// A sale paid offline (issue 17) keeps 'lightning' in sales.tender (its CHECK predates it); its
// tender reads as lightning-offline from its offline payment.
const SALE_SELECT = `SELECT s.*, o.state AS outbox_state, o.last_error AS outbox_error,
  (SELECT 'lightning-offline' FROM offline_payments op WHERE op.sale_id = s.id
     AND op.state IN ('paid','confirmed','flagged')) AS offline_tender
  FROM sales s LEFT JOIN outbox o ON o.sale_id = s.id AND o.kind = 'orderCreate'`;

function orderOf(r: SaleRow): Sale['order'] {
  if (r.outbox_state === null) return null;
  return { state: r.outbox_state, orderName: r.shopify_order_name, error: r.outbox_error };
}

interface InvoiceRow {
  payment_hash: string;
  sale_id: string;
  backend: string;
  bolt11: string;
  amount_msat: bigint;
  created_at: string;
  expires_at: string;
  rate: string;
  rate_currency: string;
  rate_source: string;
  rate_fetched_at: string;
  settled_at: string | null;
  amount_paid_msat: bigint | null;
}

/** The state machine of ARCHITECTURE.md; a late payment may settle an expired or cancelled sale. */
const allowed: Record<SaleState, readonly SaleState[]> = {
  // open → paid: a cash sale, paid the moment it is rung up.
  open: ['awaiting_payment', 'cancelled', 'paid'],
  awaiting_payment: ['paid', 'expired', 'cancelled', 'awaiting_payment'],
  expired: ['awaiting_payment', 'paid', 'cancelled'],
  cancelled: ['paid'],
  paid: [],
};

export function canTransition(from: SaleState, to: SaleState): boolean {
  return allowed[from].includes(to);
}

export interface NewSale {
  id: string;
  currency: string;
  lines: CartLine[];
  /** As priced when rung up; its totals.total is the sale's total. */
  pricing: Pricing;
  /** The order note; null: none. */
  note: string | null;
  at: Date;
}

/** The sale's pricing as stored; a value this version cannot read is reported, never guessed. */
function readPricing(r: SaleRow): Pricing | null {
  if (r.pricing_json === null) return null;
  const parsed = Pricing.safeParse(fromWire(r.pricing_json));
  if (!parsed.success) throw new Error(`sale ${r.id} has a pricing this till cannot read`);
  return parsed.data;
}

/**
 * Who a history row is for: the person the command runs as and the manager who approved it
 * (electron/staff/actor.ts); nobody for the till's own background work (a payment settling).
 */
function eventActor(): [string | null, string | null, string | null, string | null] {
  const actor = currentActor();
  return [
    actor?.staff.staffId ?? null,
    actor?.staff.name ?? null,
    actor?.approver?.staffId ?? null,
    actor?.approver?.name ?? null,
  ];
}

const INSERT_EVENT = `INSERT INTO sale_events
  (sale_id, at, from_state, to_state, detail, staff_id, staff_name, approver_id, approver_name)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function insertSale(db: Db, sale: NewSale): void {
  const at = sale.at.toISOString();
  const who = currentActor()?.staff ?? null;
  db.prepare(
    // The shift open now takes the sale (electron/journal/shifts.ts); with none open it waits for
    // the next one to adopt it.
    `INSERT INTO sales (id, number, state, currency, total, created_at, updated_at, pricing_json, note, staff_id, staff_name, shift_id)
     VALUES (?, (SELECT coalesce(max(number), 0) + 1 FROM sales), 'open', ?, ?, ?, ?, ?, ?, ?, ?,
       (SELECT id FROM shifts WHERE closed_at IS NULL))`,
  ).run(
    sale.id,
    sale.currency,
    sale.pricing.totals.total,
    at,
    at,
    toWire(sale.pricing),
    sale.note,
    who?.staffId ?? null,
    who?.name ?? null,
  );
  const line = db.prepare(
    `INSERT INTO sale_lines (sale_id, position, line_id, variant_id, title, variant_title, sku, unit_price, quantity, discount_json, note)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  sale.lines.forEach((l, i) =>
    line.run(
      sale.id,
      i,
      l.lineId,
      l.variantId,
      l.title,
      l.variantTitle,
      l.sku,
      l.unitPrice,
      l.quantity,
      writeDiscount(l.discount),
      l.note,
    ),
  );
  db.prepare(INSERT_EVENT).run(sale.id, at, null, 'open', null, ...eventActor());
}

export function transition(
  db: Db,
  saleId: string,
  to: SaleState,
  at: Date,
  detail: { reason?: string | null; [key: string]: unknown } = {},
): void {
  const row = db.prepare('SELECT state FROM sales WHERE id = ?').get(saleId) as
    { state: SaleState } | undefined;
  if (!row) throw new Error(`sale ${saleId} does not exist`);
  if (!canTransition(row.state, to)) throw new Error(`sale ${saleId} cannot go from ${row.state} to ${to}`);
  db.prepare('UPDATE sales SET state = ?, updated_at = ?, state_reason = ? WHERE id = ?').run(
    to,
    at.toISOString(),
    detail.reason ?? null,
    saleId,
  );
  db.prepare(INSERT_EVENT).run(
    saleId,
    at.toISOString(),
    row.state,
    to,
    JSON.stringify(detail),
    ...eventActor(),
  );
}

/**
 * A history row on a paid sale that does not change its state: a second payment of it, a
 * reconciliation's repair. Inside the caller's transaction.
 */
export function notePaidSale(db: Db, saleId: string, at: Date, detail: Record<string, unknown>): void {
  db.prepare(INSERT_EVENT).run(
    saleId,
    at.toISOString(),
    'paid',
    'paid',
    JSON.stringify(detail),
    ...eventActor(),
  );
}

/** Flags a paid sale as paid late (its invoice settled after expiry). Inside the caller's transaction. */
export function markPaidLate(db: Db, saleId: string): void {
  db.prepare('UPDATE sales SET paid_late = 1 WHERE id = ?').run(saleId);
}

export interface NewInvoice {
  saleId: string;
  backend: string;
  paymentHash: string;
  bolt11: string;
  amountMsat: bigint;
  createdAt: Date;
  expiresAt: Date;
  rate: RateQuote;
}

export function insertInvoice(db: Db, inv: NewInvoice): void {
  db.prepare(
    `INSERT INTO sale_invoices (payment_hash, sale_id, backend, bolt11, amount_msat, created_at, expires_at,
       rate, rate_currency, rate_source, rate_fetched_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    inv.paymentHash,
    inv.saleId,
    inv.backend,
    inv.bolt11,
    inv.amountMsat,
    inv.createdAt.toISOString(),
    inv.expiresAt.toISOString(),
    inv.rate.rate,
    inv.rate.currency,
    inv.rate.source,
    inv.rate.fetchedAt,
  );
  db.prepare('UPDATE sales SET invoice_hash = ? WHERE id = ?').run(inv.paymentHash, inv.saleId);
}

export interface InvoiceRecord {
  paymentHash: string;
  saleId: string;
  backend: string;
  amountMsat: bigint;
  expiresAt: Date;
  settledAt: Date | null;
}

export function findInvoice(db: Db, paymentHash: string): InvoiceRecord | null {
  const r = db.prepare('SELECT * FROM sale_invoices WHERE payment_hash = ?').get(paymentHash) as
    InvoiceRow | undefined;
  return r
    ? {
        paymentHash: r.payment_hash,
        saleId: r.sale_id,
        backend: r.backend,
        amountMsat: big(r.amount_msat),
        expiresAt: new Date(r.expires_at),
        settledAt: r.settled_at ? new Date(r.settled_at) : null,
      }
    : null;
}

export function markInvoiceSettled(
  db: Db,
  paymentHash: string,
  settledAt: Date,
  amountPaidMsat: bigint,
): void {
  db.prepare('UPDATE sale_invoices SET settled_at = ?, amount_paid_msat = ? WHERE payment_hash = ?').run(
    settledAt.toISOString(),
    amountPaidMsat,
    paymentHash,
  );
}

export function markSalePaid(
  db: Db,
  saleId: string,
  paidAt: Date,
  amountPaidMsat: bigint | null,
  late: boolean,
): void {
  db.prepare('UPDATE sales SET paid_at = ?, amount_paid_msat = ?, paid_late = ? WHERE id = ?').run(
    paidAt.toISOString(),
    amountPaidMsat,
    late ? 1 : 0,
    saleId,
  );
}

export function recordUnmatchedPayment(
  db: Db,
  p: {
    paymentHash: string;
    backend: string;
    amountPaidMsat: bigint | null;
    settledAt: Date | null;
    seenAt: Date;
  },
): void {
  db.prepare(
    `INSERT OR IGNORE INTO unmatched_payments (payment_hash, backend, amount_paid_msat, settled_at, seen_at)
     VALUES (?, ?, ?, ?, ?)`,
  ).run(
    p.paymentHash,
    p.backend,
    p.amountPaidMsat,
    p.settledAt?.toISOString() ?? null,
    p.seenAt.toISOString(),
  );
}

export function getSale(db: Db, saleId: string): Sale | null {
  const r = db.prepare(`${SALE_SELECT} WHERE s.id = ?`).get(saleId) as SaleRow | undefined;
  if (!r) return null;
  const lines = (
    db.prepare('SELECT * FROM sale_lines WHERE sale_id = ? ORDER BY position').all(saleId) as LineRow[]
  ).map(toCartLine);
  const inv = r.invoice_hash
    ? (db.prepare('SELECT * FROM sale_invoices WHERE payment_hash = ?').get(r.invoice_hash) as InvoiceRow)
    : null;
  const off = db
    .prepare(
      'SELECT nonce, amount_msat, rate, rate_source, rate_at, currency, state FROM offline_payments WHERE sale_id = ?',
    )
    .get(saleId) as
    | {
        nonce: string;
        amount_msat: bigint;
        rate: string;
        rate_source: string;
        rate_at: string;
        currency: string;
        state: NonNullable<Sale['offline']>['state'];
      }
    | undefined;
  return {
    id: r.id,
    tender: r.offline_tender ?? r.tender,
    cashTendered: bigOrNull(r.cash_tendered),
    number: int(r.number),
    state: r.state,
    currency: r.currency,
    lines,
    total: big(r.total),
    pricing: readPricing(r),
    note: r.note,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    invoice: inv
      ? {
          paymentHash: inv.payment_hash,
          bolt11: inv.bolt11,
          amountMsat: big(inv.amount_msat),
          createdAt: inv.created_at,
          expiresAt: inv.expires_at,
          rate: {
            rate: inv.rate,
            currency: inv.rate_currency,
            source: inv.rate_source,
            fetchedAt: inv.rate_fetched_at,
          },
        }
      : null,
    paidAt: r.paid_at,
    amountPaidMsat: bigOrNull(r.amount_paid_msat),
    paidLate: r.paid_late !== 0n,
    stateReason: r.state_reason,
    order: orderOf(r),
    staffName: r.staff_name,
    offline: off
      ? {
          nonce: off.nonce,
          amountMsat: big(off.amount_msat),
          rate: { currency: off.currency, rate: off.rate, source: off.rate_source, fetchedAt: off.rate_at },
          state: off.state,
        }
      : null,
  };
}

/** Sales created in [from, to), newest first. */
export function listSales(db: Db, from: Date, to: Date): SaleSummary[] {
  return summaries(db, 's.created_at >= ? AND s.created_at < ?', [from.toISOString(), to.toISOString()], -1);
}

/**
 * The newest `limit` sales whose number, as printed on the receipt, starts with `digits`, or is
 * `digits` as typed without the zeros ("42" finds #000042; "00004" finds #000040–#000049).
 */
export function findSalesByNumber(db: Db, digits: string, limit: number): SaleSummary[] {
  return summaries(
    db,
    `(printf('%0${SALE_NUMBER_DIGITS}d', s.number) LIKE ? || '%' OR s.number = ?)`,
    [digits, digits.startsWith('0') ? -1 : Number(digits)],
    limit,
  );
}

/**
 * SQL for one of a sale's journaled pricing totals (`Pricing.totals`: money is {"$bigint": "…"}
 * in its wire form), on the sales table aliased `s`; NULL for a sale from before pricing.
 */
export const pricingTotalSql = (field: 'net' | 'tax' | 'tip' | 'discounts'): string =>
  `CAST(json_extract(s.pricing_json, '$.totals.${field}."$bigint"') AS INTEGER)`;

/** `limit` -1 is all of them (SQLite's LIMIT). */
function summaries(db: Db, where: string, params: unknown[], limit: number): SaleSummary[] {
  const rows = db
    .prepare(
      `SELECT s.*, o.state AS outbox_state, o.last_error AS outbox_error,
         (SELECT 'lightning-offline' FROM offline_payments op WHERE op.sale_id = s.id
            AND op.state IN ('paid','confirmed','flagged')) AS offline_tender,
         (SELECT coalesce(sum(quantity), 0) FROM sale_lines l WHERE l.sale_id = s.id) AS item_count,
         coalesce(${pricingTotalSql('discounts')}, 0) AS priced_discounts,
         coalesce(${pricingTotalSql('tax')}, 0) AS priced_tax, coalesce(${pricingTotalSql('tip')}, 0) AS priced_tip
       FROM sales s LEFT JOIN outbox o ON o.sale_id = s.id AND o.kind = 'orderCreate'
       WHERE ${where} ORDER BY s.number DESC LIMIT ?`,
    )
    .all(...params, limit) as (SaleRow & {
    item_count: bigint;
    priced_discounts: bigint;
    priced_tax: bigint;
    priced_tip: bigint;
  })[];
  return rows.map((r) => ({
    id: r.id,
    number: int(r.number),
    state: r.state,
    currency: r.currency,
    total: big(r.total),
    createdAt: r.created_at,
    paidAt: r.paid_at,
    amountPaidMsat: bigOrNull(r.amount_paid_msat),
    paidLate: r.paid_late !== 0n,
    tender: r.offline_tender ?? r.tender,
    order: orderOf(r),
    itemCount: int(r.item_count),
    discounts: big(r.priced_discounts),
    tax: big(r.priced_tax),
    tip: big(r.priced_tip),
  }));
}

/** Sales whose latest invoice is still on a screen or may still be paid: watched by lookup. */
export function salesAwaitingPayment(db: Db): { saleId: string; paymentHash: string; expiresAt: Date }[] {
  const rows = db
    .prepare(
      `SELECT s.id, i.payment_hash, i.expires_at FROM sales s JOIN sale_invoices i ON i.payment_hash = s.invoice_hash
       WHERE s.state = 'awaiting_payment'`,
    )
    .all() as { id: string; payment_hash: string; expires_at: string }[];
  return rows.map((r) => ({ saleId: r.id, paymentHash: r.payment_hash, expiresAt: new Date(r.expires_at) }));
}

/**
 * Unsettled invoices of sales that may still be paid (awaiting, or expired within `since`):
 * watched by lookup so a late payment is caught even when no subscription reports it.
 */
/** Unsettled invoices of awaiting or expired sales issued by `backend` (a cursor key), expiring after `since`. */
export function invoicesToWatch(
  db: Db,
  since: Date,
  backend: string,
): { saleId: string; paymentHash: string }[] {
  const rows = db
    .prepare(
      `SELECT i.sale_id, i.payment_hash FROM sale_invoices i JOIN sales s ON s.id = i.sale_id
       WHERE i.settled_at IS NULL AND s.state IN ('awaiting_payment', 'expired') AND i.expires_at >= ?
         AND i.backend = ?`,
    )
    .all(since.toISOString(), backend) as { sale_id: string; payment_hash: string }[];
  return rows.map((r) => ({ saleId: r.sale_id, paymentHash: r.payment_hash }));
}

/** A cash sale: tender and what was handed over, inside the caller's transaction. */
export function markCashTender(db: Db, saleId: string, tendered: bigint): void {
  db.prepare(`UPDATE sales SET tender = 'cash', cash_tendered = ? WHERE id = ?`).run(tendered, saleId);
}
