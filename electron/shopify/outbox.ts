import type { Db } from '../journal/db.js';
import { int } from '../journal/db.js';

/**
 * The outbox: work that must reach Shopify exactly once. A row is written in the same
 * transaction as the sale becoming paid, so a crash can lose neither; the pump drains rows
 * in order, and a row parked as failed never blocks the ones behind it.
 */

export interface OutboxRow {
  seq: number;
  saleId: string;
  attempts: number;
}

interface RawRow {
  seq: bigint;
  sale_id: string;
  attempts: bigint;
}

/** Inside the caller's transaction. A second call for the same sale is a no-op. */
export function enqueueOrder(db: Db, saleId: string, at: Date): void {
  db.prepare(
    `INSERT INTO outbox (kind, sale_id, state, next_attempt_at, created_at)
     VALUES ('orderCreate', ?, 'pending', ?, ?) ON CONFLICT (kind, sale_id) DO NOTHING`,
  ).run(saleId, at.toISOString(), at.toISOString());
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
      `SELECT seq, sale_id, attempts, next_attempt_at FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT 1`,
    )
    .get() as (RawRow & { next_attempt_at: string }) | undefined;
  return r
    ? { seq: int(r.seq), saleId: r.sale_id, attempts: int(r.attempts), due: new Date(r.next_attempt_at) }
    : null;
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

/** A manager's retry of a parked order: back in the queue, behind what is waiting. */
export function requeue(db: Db, saleId: string, at: Date): boolean {
  return (
    db
      .prepare(
        `UPDATE outbox SET state = 'pending', next_attempt_at = ?, seq = (SELECT max(seq) + 1 FROM outbox)
         WHERE sale_id = ? AND kind = 'orderCreate' AND state = 'failed'`,
      )
      .run(at.toISOString(), saleId).changes === 1
  );
}

export function outboxCounts(db: Db): { pending: number; failed: number } {
  const rows = db.prepare(`SELECT state, count(*) AS n FROM outbox GROUP BY state`).all() as {
    state: string;
    n: bigint;
  }[];
  const n = (state: string) => int(rows.find((r) => r.state === state)?.n ?? 0n);
  return { pending: n('pending'), failed: n('failed') };
}
