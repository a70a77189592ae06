import { randomUUID } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';
import {
  cashCountTotal,
  type CashMovementKind,
  type Shift,
  type ShiftReport,
} from '../../shared/domain/index.js';
import {
  closeShiftRow,
  frozenReport,
  insertMovement,
  insertShift,
  listShiftRows,
  openShiftRow,
  shiftById,
} from '../journal/shifts.js';
import { formatFiat } from '../../shared/money/index.js';
import { writeShiftCsv } from '../shifts/csv.js';
import { buildShiftReport, nodeCheck, periodStart } from '../shifts/report.js';
import { currentActor } from '../staff/actor.js';
import type { Handlers, TillContext } from './context.js';

const NO_SHIFT = 'No shift is open: open a shift first.';

/**
 * The Shift screen: open with a counted float, paid in / paid out, no sale, the X report, close
 * with the drawer counted (the Z report frozen with it), past shifts and their CSV. Each change is
 * one journal transaction, attributed to who did it and the manager who approved it.
 */
export function shiftCommands({
  db,
  now,
  settings,
  node,
  events,
  exportDir,
  status,
  flow,
  receipts,
}: TillContext) {
  const mustBeOpen = (): Shift => {
    const shift = openShiftRow(db);
    if (!shift) throw new TillError('InvalidState', NO_SHIFT);
    return shift;
  };

  function move(kind: CashMovementKind, amount: bigint, reason: string): Shift {
    return db.transaction(() => {
      const shift = mustBeOpen();
      const currency = settings.get().currency;
      if (kind === 'paid_out') {
        // The drawer cannot pay out cash it should not hold: float, sales, change, refunds and
        // paid in/out so far, as the X report counts them, in the shift's currency.
        const x = buildShiftReport(db, {
          kind: 'X',
          shift,
          shopName: settings.get().shopName,
          at: now(),
          counted: null,
          approvedBy: null,
          node: null,
        });
        const inDrawer = x.currencies.find((c) => c.currency === currency)?.cash.expected ?? 0n;
        if (amount > inDrawer) {
          const held = formatFiat(inDrawer < 0n ? 0n : inDrawer, currency);
          throw new TillError(
            'ValidationError',
            `The drawer should hold ${held}: a paid out of ${formatFiat(amount, currency)} is more than that. Count the drawer, or pay it from elsewhere.`,
          );
        }
      }
      insertMovement(db, {
        shiftId: shift.id,
        kind,
        currency,
        amount,
        reason,
        at: now(),
      });
      return shift;
    })();
  }

  /** The open shift's live X report, or a closed shift's Z report as frozen. */
  async function report(shiftId: string): Promise<ShiftReport> {
    const shift = shiftById(db, shiftId);
    if (!shift) throw new TillError('NotFound', 'No shift with that id.');
    if (shift.closedAt !== null) {
      const frozen = frozenReport(db, shiftId);
      if (!frozen) throw new TillError('Internal', `Shift #${shift.number} was closed without its report.`);
      return frozen;
    }
    const at = now();
    const line = await nodeCheck(db, node.backend(), periodStart(db, shift), at.toISOString());
    return buildShiftReport(db, {
      kind: 'X',
      shift,
      shopName: settings.get().shopName,
      at,
      counted: null,
      approvedBy: null,
      node: line,
    });
  }

  return {
    openShift: ({ float }) => {
      const currency = settings.get().currency;
      const shift = db.transaction(() => {
        const open = openShiftRow(db);
        if (open)
          throw new TillError('InvalidState', `Shift #${open.number} is already open: close it first.`);
        const id = randomUUID();
        insertShift(db, { id, tillId: status().tillId, currency, float, at: now() });
        return shiftById(db, id)!;
      })();
      events.emit('shiftChanged', { shift });
      return shift;
    },
    getShift: () => ({ shift: openShiftRow(db) }),
    paidIn: ({ amount, reason }) => move('paid_in', amount, reason),
    paidOut: ({ amount, reason }) => move('paid_out', amount, reason),
    noSale: ({ reason }) => move('no_sale', 0n, reason),
    closeShift: async ({ counted }) => {
      const shift = mustBeOpen();
      if (flow.activeSaleId() !== null) {
        throw new TillError(
          'InvalidState',
          'A sale is still on the charge screen: finish or cancel it before closing the shift.',
        );
      }
      // The node is asked before the journal is written: a transaction never waits on the network.
      const asked = now();
      const line = await nodeCheck(db, node.backend(), periodStart(db, shift), asked.toISOString());
      const actor = currentActor();
      const closed = db.transaction(() => {
        const still = openShiftRow(db);
        if (still?.id !== shift.id)
          throw new TillError('InvalidState', `Shift #${shift.number} is already closed.`);
        const at = now();
        const final: Shift = {
          ...still,
          closedAt: at.toISOString(),
          closedBy: { id: actor?.staff.staffId ?? null, name: actor?.staff.name ?? null },
        };
        const z = buildShiftReport(db, {
          kind: 'Z',
          shift: final,
          shopName: settings.get().shopName,
          at,
          counted: cashCountTotal(counted),
          approvedBy: actor?.approver ? { id: actor.approver.staffId, name: actor.approver.name } : null,
          node: line,
        });
        if (!closeShiftRow(db, { shiftId: shift.id, counted, at, report: z })) {
          throw new TillError('InvalidState', `Shift #${shift.number} is already closed.`);
        }
        return { shift: shiftById(db, shift.id)!, report: z };
      })();
      events.emit('shiftChanged', { shift: null });
      return closed;
    },
    listShifts: ({ limit }) => ({ shifts: listShiftRows(db, limit) }),
    getShiftReport: ({ shiftId }) => report(shiftId),
    exportShiftCsv: async ({ shiftId }) => writeShiftCsv(exportDir, await report(shiftId)),
    printShiftReport: async ({ shiftId, copies }) => receipts.printShiftReport(await report(shiftId), copies),
    saveShiftReportPdf: async ({ shiftId }) => receipts.saveShiftReportPdf(await report(shiftId)),
  } satisfies Partial<Handlers>;
}
