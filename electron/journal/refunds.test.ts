import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RefundState } from '../../shared/domain/index.js';
import { tempDir } from '../test-support/fixtures.js';
import { openJournal, type Db } from './db.js';
import { canRefundTransition, insertRefund, refundTransition, returnedSoFar } from './refunds.js';

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function journal(): Db {
  const dir = tempDir('till-refunds-journal-');
  dirs.push(dir);
  const db = openJournal(join(dir.path, 'journal.sqlite'));
  db.prepare(
    `INSERT INTO sales (id, number, state, currency, total, created_at, updated_at) VALUES ('s1', 1, 'paid', 'USD', 900, 'x', 'x')`,
  ).run();
  db.prepare(
    `INSERT INTO sale_lines (sale_id, position, line_id, title, unit_price, quantity) VALUES ('s1', 0, 'l1', 'Flat White', 450, 2)`,
  ).run();
  return db;
}

const refundOf = (id: string, quantity: number, at = new Date('2026-11-27T10:00:00Z')) => ({
  id,
  saleId: 's1',
  tender: 'lightning' as const,
  currency: 'USD',
  lines: [{ lineId: 'l1', quantity, restock: true, amount: 450n * BigInt(quantity), tax: 0n, discount: 0n }],
  tip: 0n,
  tax: 0n,
  amount: 450n * BigInt(quantity),
  reason: 'Cold',
  at,
});

describe('the refund state machine, ready for Lightning', () => {
  it('requested → approved → paying → paid, or failed; paid and failed are final', () => {
    const next = Object.fromEntries(
      RefundState.options.map((from) => [
        from,
        RefundState.options.filter((to) => canRefundTransition(from, to)),
      ]),
    );
    expect(next).toEqual({
      requested: ['approved', 'failed'],
      approved: ['paying', 'paid', 'failed'],
      paying: ['paid', 'failed'],
      paid: [],
      failed: [],
    });
  });

  it('a failed refund gives its quantities back; a paying one holds them', () => {
    const db = journal();
    try {
      db.transaction(() => insertRefund(db, refundOf('r1', 2)))();
      expect(() => db.transaction(() => insertRefund(db, refundOf('r2', 1)))()).toThrow(
        /more returned than sold/,
      );
      const at = new Date('2026-11-27T10:01:00Z');
      db.transaction(() => {
        refundTransition(db, 'r1', 'approved', at);
        refundTransition(db, 'r1', 'paying', at);
      })();
      expect(returnedSoFar(db, 's1').lines.get('l1')).toBe(2);
      expect(() => refundTransition(db, 'r1', 'approved', at)).toThrow(/cannot go from paying to approved/);
      db.transaction(() =>
        refundTransition(db, 'r1', 'failed', at, { reason: 'The wallet refused the invoice' }),
      )();
      expect(returnedSoFar(db, 's1')).toMatchObject({ lines: new Map(), amount: 0n });
      db.transaction(() => insertRefund(db, refundOf('r2', 2)))();
      expect(returnedSoFar(db, 's1').lines.get('l1')).toBe(2);
      const events = db
        .prepare(`SELECT from_state, to_state FROM refund_events WHERE refund_id = 'r1' ORDER BY seq`)
        .all();
      expect(events).toEqual([
        { from_state: null, to_state: 'requested' },
        { from_state: 'requested', to_state: 'approved' },
        { from_state: 'approved', to_state: 'paying' },
        { from_state: 'paying', to_state: 'failed' },
      ]);
      expect(() => db.prepare(`DELETE FROM refund_events`).run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });
});
