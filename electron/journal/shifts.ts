import { fromWire, toWire } from '../../shared/contract/wire.js';
import {
  cashCountTotal,
  ShiftReport,
  type CashCount,
  type CashMovement,
  type CashMovementKind,
  type Shift,
} from '../../shared/domain/index.js';
import { currentActor } from '../staff/actor.js';
import { big, int, type Db } from './db.js';

/**
 * Shifts and cash movements as the journal keeps them (migration 6). Every write here runs inside
 * the caller's transaction; a closed shift is refused here and, should anything slip past, by the
 * journal's own triggers.
 */

interface ShiftRow {
  id: string;
  till_id: string;
  number: bigint;
  currency: string;
  opened_at: string;
  opened_by_id: string | null;
  opened_by_name: string | null;
  float_total: bigint;
  closed_at: string | null;
  closed_by_id: string | null;
  closed_by_name: string | null;
  report_json: string | null;
}

interface MovementRow {
  id: bigint;
  kind: CashMovementKind;
  currency: string;
  amount: bigint;
  reason: string;
  at: string;
  staff_id: string | null;
  staff_name: string | null;
  approver_id: string | null;
  approver_name: string | null;
}

function toShift(r: ShiftRow): Shift {
  return {
    id: r.id,
    tillId: r.till_id,
    number: int(r.number),
    currency: r.currency,
    openedAt: r.opened_at,
    openedBy: { id: r.opened_by_id, name: r.opened_by_name },
    float: big(r.float_total),
    closedAt: r.closed_at,
    closedBy: r.closed_at === null ? null : { id: r.closed_by_id, name: r.closed_by_name },
  };
}

/** Who a shift row is for: the person the command runs as and the manager who approved it. */
function who(): {
  id: string | null;
  name: string | null;
  approverId: string | null;
  approverName: string | null;
} {
  const actor = currentActor();
  return {
    id: actor?.staff.staffId ?? null,
    name: actor?.staff.name ?? null,
    approverId: actor?.approver?.staffId ?? null,
    approverName: actor?.approver?.name ?? null,
  };
}

/** Denomination counts as stored: {"<face value>": count}; null for a typed total. */
function countJson(count: CashCount): string | null {
  if ('total' in count) return null;
  return JSON.stringify(
    Object.fromEntries(
      count.denominations.filter((d) => d.count > 0).map((d) => [d.value.toString(), d.count]),
    ),
  );
}

export function openShiftRow(db: Db): Shift | null {
  const r = db.prepare('SELECT * FROM shifts WHERE closed_at IS NULL').get() as ShiftRow | undefined;
  return r ? toShift(r) : null;
}

export function shiftById(db: Db, shiftId: string): Shift | null {
  const r = db.prepare('SELECT * FROM shifts WHERE id = ?').get(shiftId) as ShiftRow | undefined;
  return r ? toShift(r) : null;
}

/** The newest first. */
export function listShiftRows(db: Db, limit: number): Shift[] {
  return (db.prepare('SELECT * FROM shifts ORDER BY number DESC LIMIT ?').all(limit) as ShiftRow[]).map(
    toShift,
  );
}

/**
 * Opens a shift with its counted float and adopts every sale rung up while none was open, so the
 * next Z report covers everything since the last close. Returns how many it adopted.
 */
export function insertShift(
  db: Db,
  shift: { id: string; tillId: string; currency: string; float: CashCount; at: Date },
): number {
  const by = who();
  db.prepare(
    `INSERT INTO shifts (id, till_id, number, currency, opened_at, opened_by_id, opened_by_name, float_total, float_json)
     VALUES (?, ?, (SELECT coalesce(max(number), 0) + 1 FROM shifts), ?, ?, ?, ?, ?, ?)`,
  ).run(
    shift.id,
    shift.tillId,
    shift.currency,
    shift.at.toISOString(),
    by.id,
    by.name,
    cashCountTotal(shift.float),
    countJson(shift.float),
  );
  db.prepare('UPDATE refunds SET shift_id = ? WHERE shift_id IS NULL').run(shift.id);
  return db.prepare('UPDATE sales SET shift_id = ? WHERE shift_id IS NULL').run(shift.id).changes;
}

export function insertMovement(
  db: Db,
  m: { shiftId: string; kind: CashMovementKind; currency: string; amount: bigint; reason: string; at: Date },
): void {
  const by = who();
  db.prepare(
    `INSERT INTO cash_movements (shift_id, kind, currency, amount, reason, at, staff_id, staff_name, approver_id, approver_name)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    m.shiftId,
    m.kind,
    m.currency,
    m.amount,
    m.reason,
    m.at.toISOString(),
    by.id,
    by.name,
    by.approverId,
    by.approverName,
  );
}

export function movementsOf(db: Db, shiftId: string): CashMovement[] {
  const rows = db
    .prepare('SELECT * FROM cash_movements WHERE shift_id = ? ORDER BY id')
    .all(shiftId) as MovementRow[];
  return rows.map((r) => ({
    id: int(r.id),
    kind: r.kind,
    currency: r.currency,
    amount: big(r.amount),
    reason: r.reason,
    at: r.at,
    by: { id: r.staff_id, name: r.staff_name },
    approvedBy:
      r.approver_id === null && r.approver_name === null
        ? null
        : { id: r.approver_id, name: r.approver_name },
  }));
}

/** Closes the open shift `shiftId` with the drawer's count and its frozen Z report; false if it was not open. */
export function closeShiftRow(
  db: Db,
  close: { shiftId: string; counted: CashCount; at: Date; report: ShiftReport },
): boolean {
  const by = who();
  return (
    db
      .prepare(
        `UPDATE shifts SET closed_at = ?, closed_by_id = ?, closed_by_name = ?, approver_id = ?, approver_name = ?,
           counted_total = ?, counted_json = ?, report_json = ?
         WHERE id = ? AND closed_at IS NULL`,
      )
      .run(
        close.at.toISOString(),
        by.id,
        by.name,
        by.approverId,
        by.approverName,
        cashCountTotal(close.counted),
        countJson(close.counted),
        toWire(close.report),
        close.shiftId,
      ).changes === 1
  );
}

/** The Z report frozen at close; null for an open shift. */
export function frozenReport(db: Db, shiftId: string): ShiftReport | null {
  const r = db.prepare('SELECT report_json FROM shifts WHERE id = ?').get(shiftId) as
    { report_json: string | null } | undefined;
  if (!r?.report_json) return null;
  const parsed = ShiftReport.safeParse(fromWire(r.report_json));
  if (!parsed.success) throw new Error(`shift ${shiftId} has a report this till cannot read`);
  return parsed.data;
}
