import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/fixtures.js';
import { enqueueOrder, enqueueRefund, headOfQueue } from '../shopify/outbox.js';
import { openJournal } from './db.js';
import { migrations } from './migrations.js';

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

/** The migration that brings refunds: the last one this branch adds. */
const REFUNDS = migrations.findIndex((m) => m.includes('CREATE TABLE refunds'));

describe('the refunds migration on a journal already in use', () => {
  it('keeps every outbox row and its place in the queue, and still refuses a second order row', () => {
    const dir = tempDir('till-refund-migration-');
    dirs.push(dir);
    const path = join(dir.path, 'journal.sqlite');
    // A journal as the release before refunds left it: an order sent, one waiting.
    const old = new Database(path);
    for (const sql of migrations.slice(0, REFUNDS)) old.exec(sql);
    old.pragma(`user_version = ${REFUNDS}`);
    for (const [id, n] of [
      ['s1', 1],
      ['s2', 2],
    ] as const) {
      old
        .prepare(
          `INSERT INTO sales (id, number, state, currency, total, created_at, updated_at) VALUES (?, ?, 'paid', 'USD', 100, 'x', 'x')`,
        )
        .run(id, n);
    }
    old.exec(`INSERT INTO outbox (kind, sale_id, state, attempts, next_attempt_at, created_at)
      VALUES ('orderCreate', 's1', 'done', 1, 'x', 'x'), ('orderCreate', 's2', 'pending', 3, 'x', 'x')`);
    old.close();

    const db = openJournal(path);
    try {
      expect(Number(db.pragma('user_version', { simple: true }))).toBe(migrations.length);
      expect(
        db.prepare('SELECT seq, kind, sale_id, refund_id, state, attempts FROM outbox ORDER BY seq').all(),
      ).toEqual([
        { seq: 1n, kind: 'orderCreate', sale_id: 's1', refund_id: null, state: 'done', attempts: 1n },
        { seq: 2n, kind: 'orderCreate', sale_id: 's2', refund_id: null, state: 'pending', attempts: 3n },
      ]);
      expect(headOfQueue(db)).toMatchObject({ seq: 2, kind: 'orderCreate', saleId: 's2', attempts: 3 });
      // A sale's order is queued once; a refund row joins the queue after what was there.
      enqueueOrder(db, 's2', new Date());
      db.prepare(
        `INSERT INTO refunds (id, sale_id, state, tender, currency, amount, tax, reason, created_at, updated_at)
         VALUES ('r1', 's1', 'paid', 'cash', 'USD', 50, 0, 'x', 'x', 'x')`,
      ).run();
      enqueueRefund(db, 's1', 'r1', new Date());
      enqueueRefund(db, 's1', 'r1', new Date());
      // (An insert that did nothing may still use up a seq: only the order counts.)
      expect(db.prepare('SELECT kind, sale_id, refund_id FROM outbox ORDER BY seq').all()).toEqual([
        { kind: 'orderCreate', sale_id: 's1', refund_id: null },
        { kind: 'orderCreate', sale_id: 's2', refund_id: null },
        { kind: 'refundCreate', sale_id: 's1', refund_id: 'r1' },
      ]);
      // The outbox still says what each kind needs.
      expect(() =>
        db
          .prepare(
            `INSERT INTO outbox (kind, sale_id, state, next_attempt_at, created_at) VALUES ('refundCreate', 's1', 'pending', 'x', 'x')`,
          )
          .run(),
      ).toThrow(/CHECK constraint failed/);
    } finally {
      db.close();
    }
  });
});
