import type {
  Refund,
  RefundLine,
  RefundPerson,
  RefundState,
  RefundTender,
} from '../../shared/domain/index.js';
import { currentActor } from '../staff/actor.js';
import { big, int, type Db } from './db.js';

/**
 * Refunds and their history (shared/domain/refund.ts). Every state change goes through
 * `refundTransition`, which writes the new state and its refund_events row together, attributed
 * to whoever the command runs for (electron/staff/actor.ts); callers hold the transaction.
 */

const allowed: Record<RefundState, readonly RefundState[]> = {
  requested: ['approved', 'failed'],
  approved: ['paying', 'paid', 'failed'],
  // Lightning: the hash is stored before the pay call; the wallet's answer (or a look-up after a
  // crash) ends it.
  paying: ['paid', 'failed'],
  paid: [],
  failed: [],
};

export function canRefundTransition(from: RefundState, to: RefundState): boolean {
  return allowed[from].includes(to);
}

export interface NewRefund {
  id: string;
  saleId: string;
  tender: RefundTender;
  currency: string;
  lines: readonly {
    lineId: string;
    quantity: number;
    restock: boolean;
    amount: bigint;
    tax: bigint;
    discount: bigint;
  }[];
  tip: bigint;
  tax: bigint;
  amount: bigint;
  reason: string;
  at: Date;
}

const INSERT_EVENT = `INSERT INTO refund_events
  (refund_id, at, from_state, to_state, detail, staff_id, staff_name, approver_id, approver_name)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

function actorColumns(): [string | null, string | null, string | null, string | null] {
  const actor = currentActor();
  return [
    actor?.staff.staffId ?? null,
    actor?.staff.name ?? null,
    actor?.approver?.staffId ?? null,
    actor?.approver?.name ?? null,
  ];
}

/**
 * Journals a refund as requested by the person the command runs for. Inside the caller's
 * transaction; the refund_lines trigger refuses more back than was sold.
 */
export function insertRefund(db: Db, r: NewRefund): void {
  const at = r.at.toISOString();
  const who = currentActor()?.staff ?? null;
  db.prepare(
    // The shift open now takes the refund (its cash leaves that drawer); with none open, the next
    // shift adopts it (electron/journal/shifts.ts).
    `INSERT INTO refunds (id, sale_id, state, tender, currency, amount, tax, tip, reason,
       requested_by_id, requested_by_name, created_at, updated_at, shift_id)
     VALUES (?, ?, 'requested', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT id FROM shifts WHERE closed_at IS NULL))`,
  ).run(
    r.id,
    r.saleId,
    r.tender,
    r.currency,
    r.amount,
    r.tax,
    r.tip,
    r.reason,
    who?.staffId ?? null,
    who?.name ?? null,
    at,
    at,
  );
  const line = db.prepare(
    `INSERT INTO refund_lines (refund_id, sale_id, line_id, quantity, restock, amount, tax, discount)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const l of r.lines) {
    line.run(r.id, r.saleId, l.lineId, l.quantity, l.restock ? 1 : 0, l.amount, l.tax, l.discount);
  }
  db.prepare(INSERT_EVENT).run(
    r.id,
    at,
    null,
    'requested',
    JSON.stringify({ reason: r.reason }),
    ...actorColumns(),
  );
}

/**
 * Approval: by the manager who approved in place, or by the signed-in person whose own role
 * covers it. Inside the caller's transaction.
 */
export function approveRefund(db: Db, refundId: string, at: Date): void {
  const actor = currentActor();
  const approver = actor?.approver ?? actor?.staff ?? null;
  db.prepare('UPDATE refunds SET approved_by_id = ?, approved_by_name = ? WHERE id = ?').run(
    approver?.staffId ?? null,
    approver?.name ?? null,
    refundId,
  );
  refundTransition(db, refundId, 'approved', at);
}

export function refundTransition(
  db: Db,
  refundId: string,
  to: RefundState,
  at: Date,
  detail: { reason?: string | null; [key: string]: unknown } = {},
): void {
  const row = db.prepare('SELECT state FROM refunds WHERE id = ?').get(refundId) as
    { state: RefundState } | undefined;
  if (!row) throw new Error(`refund ${refundId} does not exist`);
  if (!canRefundTransition(row.state, to))
    throw new Error(`refund ${refundId} cannot go from ${row.state} to ${to}`);
  db.prepare(
    `UPDATE refunds SET state = ?, updated_at = ?, state_reason = ?,
       paid_at = CASE WHEN ? = 'paid' THEN ? ELSE paid_at END WHERE id = ?`,
  ).run(to, at.toISOString(), detail.reason ?? null, to, at.toISOString(), refundId);
  db.prepare(INSERT_EVENT).run(
    refundId,
    at.toISOString(),
    row.state,
    to,
    JSON.stringify(detail),
    ...actorColumns(),
  );
}

/** What earlier refunds of a sale took back, by line id, and whether one gave the tip back (failed ones not counted). */
export function returnedSoFar(
  db: Db,
  saleId: string,
): { lines: Map<string, number>; tipRefunded: boolean; amount: bigint } {
  const rows = db
    .prepare(
      `SELECT l.line_id, sum(l.quantity) AS quantity FROM refund_lines l JOIN refunds r ON r.id = l.refund_id
       WHERE l.sale_id = ? AND r.state <> 'failed' GROUP BY l.line_id`,
    )
    .all(saleId) as { line_id: string; quantity: bigint }[];
  const totals = db
    .prepare(
      `SELECT coalesce(sum(amount), 0) AS amount, coalesce(max(tip), 0) AS tip FROM refunds
       WHERE sale_id = ? AND state <> 'failed'`,
    )
    .get(saleId) as { amount: bigint; tip: bigint };
  return {
    lines: new Map(rows.map((r) => [r.line_id, int(r.quantity)])),
    tipRefunded: big(totals.tip) > 0n,
    amount: big(totals.amount),
  };
}

interface RefundRow {
  id: string;
  sale_id: string;
  sale_number: bigint;
  state: RefundState;
  tender: RefundTender;
  currency: string;
  amount: bigint;
  tax: bigint;
  tip: bigint;
  reason: string;
  requested_by_id: string | null;
  requested_by_name: string | null;
  approved_by_id: string | null;
  approved_by_name: string | null;
  created_at: string;
  updated_at: string;
  paid_at: string | null;
  state_reason: string | null;
  shopify_refund_id: string | null;
  amount_msat: bigint | null;
  payment_hash: string | null;
  number: bigint;
  outbox_state: 'pending' | 'done' | 'failed' | null;
  outbox_error: string | null;
}

interface RefundLineRow {
  refund_id: string;
  line_id: string;
  quantity: bigint;
  restock: bigint;
  amount: bigint;
  tax: bigint;
  discount: bigint;
  title: string | null;
  variant_title: string | null;
}

// A refund's number within its sale counts in the order listRefunds shows them.
const SELECT = `SELECT r.*, s.number AS sale_number, o.state AS outbox_state, o.last_error AS outbox_error,
    (SELECT count(*) FROM refunds r2 WHERE r2.sale_id = r.sale_id
      AND (r2.created_at < r.created_at OR (r2.created_at = r.created_at AND r2.rowid <= r.rowid))) AS number
  FROM refunds r JOIN sales s ON s.id = r.sale_id
  LEFT JOIN outbox o ON o.refund_id = r.id AND o.kind = 'refundCreate'`;

const person = (id: string | null, name: string | null): RefundPerson | null =>
  id !== null && name !== null ? { staffId: id, name } : null;

function toRefund(db: Db, r: RefundRow): Refund {
  const lines = (
    db
      .prepare(
        `SELECT l.*, sl.title, sl.variant_title FROM refund_lines l
         LEFT JOIN sale_lines sl ON sl.sale_id = l.sale_id AND sl.line_id = l.line_id
         WHERE l.refund_id = ? ORDER BY sl.position`,
      )
      .all(r.id) as RefundLineRow[]
  ).map((l): RefundLine => ({
    lineId: l.line_id,
    title: l.title ?? '',
    variantTitle: l.variant_title,
    quantity: int(l.quantity),
    restock: l.restock !== 0n,
    amount: big(l.amount),
    tax: big(l.tax),
    discount: big(l.discount),
  }));
  return {
    id: r.id,
    saleId: r.sale_id,
    saleNumber: int(r.sale_number),
    state: r.state,
    tender: r.tender,
    currency: r.currency,
    lines,
    tip: big(r.tip),
    tax: big(r.tax),
    amount: big(r.amount),
    reason: r.reason,
    requestedBy: person(r.requested_by_id, r.requested_by_name),
    approvedBy: person(r.approved_by_id, r.approved_by_name),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    paidAt: r.paid_at,
    stateReason: r.state_reason,
    shopify:
      r.outbox_state === null
        ? null
        : { state: r.outbox_state, shopifyRefundId: r.shopify_refund_id, error: r.outbox_error },
    number: int(r.number),
    ...(r.tender === 'lightning'
      ? { amountMsat: r.amount_msat === null ? null : big(r.amount_msat), paymentHash: r.payment_hash }
      : {}),
  };
}

export function getRefund(db: Db, refundId: string): Refund | null {
  const r = db.prepare(`${SELECT} WHERE r.id = ?`).get(refundId) as RefundRow | undefined;
  return r ? toRefund(db, r) : null;
}

/** A sale's refunds, oldest first. */
export function listRefunds(db: Db, saleId: string): Refund[] {
  const rows = db
    .prepare(`${SELECT} WHERE r.sale_id = ? ORDER BY r.created_at, r.rowid`)
    .all(saleId) as RefundRow[];
  return rows.map((r) => toRefund(db, r));
}
