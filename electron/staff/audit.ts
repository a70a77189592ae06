import type { AuditEntry } from '../../shared/domain/index.js';
import type { Db } from '../journal/db.js';
import type { Actor } from './actor.js';

/**
 * Input fields an audit line may repeat. Anything else (PINs, macaroons, runes, NWC URIs,
 * tokens, any field added later) is left out: the audit is safe by default, never by a
 * deny-list someone forgets to extend.
 */
const SHOWN = new Set([
  'saleId',
  'lineId',
  'variantId',
  'parkedId',
  'staffId',
  'quantity',
  'by',
  'amount',
  'title',
  'code',
  'name',
  'role',
  'active',
  'discount',
  'kind',
  'percent',
  'reason',
  'note',
  'tendered',
  'tip',
  'full',
  'from',
  'to',
  'day',
  'number',
  'rate',
  'locationId',
  'acceptSpending',
  'confirmLarge',
  'shiftId',
  'float',
  'counted',
  'total',
  'denominations',
  'value',
  'count',
]);

function shown(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object')
    return typeof value === 'bigint' ? value.toString() : value;
  if (depth > 3 || Array.isArray(value)) return '…';
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (SHOWN.has(k) && v !== undefined) out[k] = shown(v, depth + 1);
  }
  return out;
}

/** A command's input in a few words for the audit: the allowed fields only, at most 500 characters. */
export function auditDetail(input: unknown): string {
  const text = JSON.stringify(shown(input) ?? {});
  return text === '{}' ? '' : text.length > 500 ? `${text.slice(0, 499)}…` : text;
}

interface AuditRow {
  id: bigint;
  at: string;
  till_id: string;
  staff_id: string | null;
  staff_name: string | null;
  approver_id: string | null;
  approver_name: string | null;
  action: string;
  detail: string;
  outcome: 'done' | 'refused';
  sale_id: string | null;
}

export function createAudit(db: Db, tillId: string, now: () => Date) {
  const insert = db.prepare(
    `INSERT INTO audit (at, till_id, staff_id, staff_name, approver_id, approver_name, action, detail, outcome, sale_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return {
    record(entry: {
      actor: Actor | null;
      action: string;
      detail: string;
      outcome: 'done' | 'refused';
      saleId?: string | null;
    }): void {
      const { actor } = entry;
      insert.run(
        now().toISOString(),
        tillId,
        actor?.staff.staffId ?? null,
        actor?.staff.name ?? null,
        actor?.approver?.staffId ?? null,
        actor?.approver?.name ?? null,
        entry.action,
        entry.detail,
        entry.outcome,
        entry.saleId ?? null,
      );
    },
    list(filter: { staffId?: string; saleId?: string; offset: number; limit: number }): {
      entries: AuditEntry[];
      total: number;
    } {
      const where: string[] = [];
      const args: string[] = [];
      if (filter.staffId) {
        where.push('(staff_id = ? OR approver_id = ?)');
        args.push(filter.staffId, filter.staffId);
      }
      if (filter.saleId) {
        where.push('sale_id = ?');
        args.push(filter.saleId);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = Number(
        (db.prepare(`SELECT count(*) AS n FROM audit ${clause}`).get(...args) as { n: bigint }).n,
      );
      const rows = db
        .prepare(`SELECT * FROM audit ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
        .all(...args, filter.limit, filter.offset) as AuditRow[];
      return {
        total,
        entries: rows.map((r) => ({
          id: Number(r.id),
          at: r.at,
          tillId: r.till_id,
          staffId: r.staff_id,
          staffName: r.staff_name,
          approverId: r.approver_id,
          approverName: r.approver_name,
          action: r.action,
          detail: r.detail,
          outcome: r.outcome,
          saleId: r.sale_id,
        })),
      };
    },
  };
}
export type Audit = ReturnType<typeof createAudit>;
