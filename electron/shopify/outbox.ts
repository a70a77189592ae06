import type { Db } from '../journal/db.js';
import { int } from '../journal/db.js';

/**
 * The outbox: work that must reach Shopify exactly once. A row is written in the same
 * transaction as the sale becoming paid, so a crash can lose neither; the pump drains rows
 * in order, and a row parked as failed never blocks the ones behind it.
 */

export type OutboxKind = 'orderCreate' | 'refundCreate';

export interface OutboxRow {
  seq: number;
  kind: OutboxKind;
  saleId: string;
  /** A refundCreate row's refund; null for an order. */
  refundId: string | null;
  attempts: number;
}

interface RawRow {
  seq: bigint;
  kind: OutboxKind;
  sale_id: string;
  refund_id: string | null;
  attempts: bigint;
}

/** Inside the caller's transaction. A second call for the same sale is a no-op. */
export function enqueueOrder(db: Db, saleId: string, at: Date): void {
  db.prepare(
    `INSERT INTO outbox (kind, sale_id, state, next_attempt_at, created_at)
     VALUES ('orderCreate', ?, 'pending', ?, ?) ON CONFLICT DO NOTHING`,
  ).run(saleId, at.toISOString(), at.toISOString());
}

/**
 * A refund to send to Shopify, inside the transaction that journals it. Its sale's order is
 * queued first when it never was (a sale rung up before the store was connected): the queue
 * drains in order, so Shopify gets the order, then its refund.
 */
export function enqueueRefund(db: Db, saleId: string, refundId: string, at: Date): void {
  enqueueOrder(db, saleId, at);
  db.prepare(
    `INSERT INTO outbox (kind, sale_id, refund_id, state, next_attempt_at, created_at)
     VALUES ('refundCreate', ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING`,
  ).run(saleId, refundId, at.toISOString(), at.toISOString());
}

/** Where a sale's order stands in the outbox; null when it was never queued. */
export function orderOutboxState(db: Db, saleId: string): 'pending' | 'done' | 'failed' | null {
  const row = db
    .prepare(`SELECT state FROM outbox WHERE kind = 'orderCreate' AND sale_id = ?`)
    .get(saleId) as { state: 'pending' | 'done' | 'failed' } | undefined;
  return row?.state ?? null;
}

/** The oldest pending row, due or not: the queue drains in order. */
export function headOfQueue(db: Db): (OutboxRow & { due: Date }) | null {
  const r = db
    .prepare(
      `SELECT seq, kind, sale_id, refund_id, attempts, next_attempt_at FROM outbox
       WHERE state = 'pending' ORDER BY seq LIMIT 1`,
    )
    .get() as (RawRow & { next_attempt_at: string }) | undefined;
  return r
    ? {
        seq: int(r.seq),
        kind: r.kind,
        saleId: r.sale_id,
        refundId: r.refund_id,
        attempts: int(r.attempts),
        due: new Date(r.next_attempt_at),
      }
    : null;
}

/** A refund reached Shopify (created now, or found from an attempt whose answer was lost). */
export function markRefundDone(db: Db, seq: number, shopifyRefundId: string, at: Date): void {
  db.transaction(() => {
    const row = db.prepare('SELECT refund_id FROM outbox WHERE seq = ?').get(seq) as { refund_id: string };
    db.prepare(`UPDATE outbox SET state = 'done', done_at = ?, last_error = NULL WHERE seq = ?`).run(
      at.toISOString(),
      seq,
    );
    db.prepare('UPDATE refunds SET shopify_refund_id = ? WHERE id = ?').run(shopifyRefundId, row.refund_id);
  })();
}

export function markDone(db: Db, seq: number, orderId: string, orderName: string, at: Date): void {
  db.transaction(() => {
    const row = db.prepare('SELECT sale_id FROM outbox WHERE seq = ?').get(seq) as { sale_id: string };
    db.prepare(`UPDATE outbox SET state = 'done', done_at = ?, last_error = NULL WHERE seq = ?`).run(
      at.toISOString(),
      seq,
    );
    db.prepare('UPDATE sales SET shopify_order_id = ?, shopify_order_name = ? WHERE id = ?').run(
      orderId,
      orderName,
      row.sale_id,
    );
  })();
}

/** A transient failure: try again at `next`, keeping the row at the head of the queue. */
export function markRetry(db: Db, seq: number, error: string, next: Date): void {
  db.prepare('UPDATE outbox SET last_error = ?, next_attempt_at = ? WHERE seq = ?').run(
    error,
    next.toISOString(),
    seq,
  );
}

/** Counts an attempt that is about to be made (so a crash mid-call still makes the next try look first). */
export function markAttempt(db: Db, seq: number): void {
  db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?').run(seq);
}

/** Nothing a retry can fix: parked for a manager, out of the queue's way. */
export function markFailed(db: Db, seq: number, error: string): void {
  db.prepare(`UPDATE outbox SET state = 'failed', last_error = ? WHERE seq = ?`).run(error, seq);
}

/**
 * A manager's retry of a parked order: back in the queue, behind what is waiting, and its parked
 * refunds behind it (in the order they were made), since a refund waits for its order.
 */
export function requeue(db: Db, saleId: string, at: Date): boolean {
  return db.transaction(() => {
    const order =
      db
        .prepare(
          `UPDATE outbox SET state = 'pending', next_attempt_at = ?, seq = (SELECT max(seq) + 1 FROM outbox)
           WHERE sale_id = ? AND kind = 'orderCreate' AND state = 'failed'`,
        )
        .run(at.toISOString(), saleId).changes === 1;
    const refunds = db
      .prepare(
        `SELECT seq FROM outbox WHERE sale_id = ? AND kind = 'refundCreate' AND state = 'failed' ORDER BY seq`,
      )
      .all(saleId) as { seq: bigint }[];
    for (const r of refunds) {
      db.prepare(
        `UPDATE outbox SET state = 'pending', next_attempt_at = ?, seq = (SELECT max(seq) + 1 FROM outbox)
         WHERE seq = ?`,
      ).run(at.toISOString(), r.seq);
    }
    return order || refunds.length > 0;
  })();
}

export function outboxCounts(db: Db): { pending: number; failed: number } {
  const rows = db.prepare(`SELECT state, count(*) AS n FROM outbox GROUP BY state`).all() as {
    state: string;
    n: bigint;
  }[];
  const n = (state: string) => int(rows.find((r) => r.state === state)?.n ?? 0n);
  return { pending: n('pending'), failed: n('failed') };
}
