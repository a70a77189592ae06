import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TillError } from '../../shared/contract/index.js';
import type { ShiftReport } from '../../shared/domain/index.js';
import { fiatToDecimalString } from '../../shared/money/index.js';
import { ensureDir, writePrivateFile } from '../files.js';
import { storageCause, storageCauses } from '../journal/storage-errors.js';
import { cell } from '../reconcile/csv.js';

/**
 * A shift report for the bookkeeper: one row per figure (section, item, currency, amount, count,
 * detail), RFC 4180 quoting, CRLF line ends, exact decimals (sats with their msat), never floats.
 */
const HEADER = ['section', 'item', 'currency', 'amount', 'count', 'detail'];

function sats(msat: bigint): string {
  const rest = msat % 1000n;
  return rest === 0n
    ? (msat / 1000n).toString()
    : `${msat / 1000n}.${(rest < 0n ? -rest : rest).toString().padStart(3, '0')}`;
}

export function shiftReportCsv(report: ShiftReport): string {
  const rows: (string | number | null)[][] = [];
  const s = report.shift;
  rows.push(['shift', 'number', null, null, s.number, `${report.kind} report`]);
  rows.push(['shift', 'till', null, null, null, s.tillId]);
  rows.push(['shift', 'opened', null, null, null, `${s.openedAt} ${s.openedBy.name ?? ''}`.trim()]);
  if (s.closedAt)
    rows.push(['shift', 'closed', null, null, null, `${s.closedAt} ${s.closedBy?.name ?? ''}`.trim()]);
  if (report.approvedBy) rows.push(['shift', 'approved by', null, null, null, report.approvedBy.name]);
  rows.push(['sales', 'paid', null, null, report.saleCount, null]);
  rows.push(['sales', 'not paid', null, null, report.unpaidCount, null]);
  for (const c of report.currencies) {
    const m = (v: bigint) => fiatToDecimalString(v, c.currency);
    const cur = c.currency;
    rows.push(['sales', 'total', cur, m(c.sales.total), c.sales.count, null]);
    rows.push(['tender', 'cash', cur, m(c.tenders.cash.total), c.tenders.cash.count, null]);
    rows.push([
      'tender',
      'lightning',
      cur,
      m(c.tenders.lightning.total),
      c.tenders.lightning.count,
      `${sats(c.tenders.lightning.msat)} sats`,
    ]);
    for (const t of c.taxes) rows.push(['tax', t.title ?? 'untaxed', cur, m(t.tax), null, `net ${m(t.net)}`]);
    rows.push(['tax', 'total', cur, m(c.taxTotal), null, null]);
    rows.push(['discounts', 'total', cur, m(c.discounts), null, null]);
    for (const t of c.tips) rows.push(['tips', t.staffName ?? 'unknown', cur, m(t.total), t.count, null]);
    rows.push(['tips', 'total', cur, m(c.tipTotal), null, null]);
    rows.push(['refunds', 'total', cur, m(c.refunds.total), c.refunds.count, null]);
    rows.push(['cash', 'float', cur, m(c.cash.float), null, null]);
    rows.push(['cash', 'cash sales tendered', cur, m(c.cash.tendered), null, null]);
    rows.push(['cash', 'change given', cur, m(c.cash.change), null, null]);
    rows.push(['cash', 'refunds', cur, m(c.cash.refunded), null, null]);
    rows.push(['cash', 'paid in', cur, m(c.cash.paidIn), null, null]);
    rows.push(['cash', 'paid out', cur, m(c.cash.paidOut), null, null]);
    rows.push(['cash', 'expected', cur, m(c.cash.expected), null, null]);
    if (c.cash.counted !== null) rows.push(['cash', 'counted', cur, m(c.cash.counted), null, null]);
    if (c.cash.difference !== null) rows.push(['cash', 'difference', cur, m(c.cash.difference), null, null]);
    const late = c.paidForEarlierShifts;
    if (late.count > 0) {
      rows.push([
        'sales',
        'paid for earlier shifts',
        cur,
        m(late.total),
        late.count,
        `${sats(late.msat)} sats`,
      ]);
    }
    for (const r of c.lightningRates) {
      rows.push(['lightning rate', r.rate, cur, m(r.total), r.count, `${sats(r.msat)} sats · ${r.source}`]);
    }
  }
  for (const mv of report.movements) {
    rows.push([
      'drawer',
      mv.kind.replace('_', ' '),
      mv.kind === 'no_sale' ? null : mv.currency,
      mv.kind === 'no_sale' ? null : fiatToDecimalString(mv.amount, mv.currency),
      null,
      `${mv.at} ${mv.by.name ?? ''}${mv.approvedBy ? ` (approved by ${mv.approvedBy.name ?? ''})` : ''}: ${mv.reason}`,
    ]);
  }
  const n = report.node;
  if (n) {
    rows.push(['node', 'journal settled', null, null, n.journalCount, `${sats(n.journalMsat)} sats`]);
    if (n.state === 'checked') {
      rows.push(['node', 'node settled', null, null, n.nodeCount, `${sats(n.nodeMsat)} sats`]);
      rows.push(['node', 'difference', null, null, null, `${sats(n.differenceMsat)} sats`]);
    } else rows.push(['node', 'unreachable', null, null, null, n.message]);
  }
  rows.push(['shopify', 'pending', null, null, report.shopify.pending, null]);
  rows.push(['shopify', 'failed', null, null, report.shopify.failed, null]);
  return [HEADER, ...rows].map((r) => `${r.map(cell).join(',')}\r\n`).join('');
}

/** Writes the report to `dir` as shift_<number>.csv (or (2), (3)… beside an older one). */
export function writeShiftCsv(
  dir: string,
  report: ShiftReport,
): { filename: string; path: string; rows: number } {
  const text = shiftReportCsv(report);
  try {
    ensureDir(dir);
    const base = `shift_${report.shift.number}_${report.kind}`;
    let filename = `${base}.csv`;
    for (let n = 2; existsSync(join(dir, filename)); n++) filename = `${base} (${n}).csv`;
    const path = join(dir, filename);
    const tmp = `${path}.part`;
    try {
      // A BOM so spreadsheet apps read the UTF-8 (names, reasons) correctly.
      writePrivateFile(tmp, `\ufeff${text}`);
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    return { filename, path, rows: text.split('\r\n').length - 2 };
  } catch (err) {
    const cause = storageCause(err);
    throw new TillError(
      cause ? 'StorageError' : 'Internal',
      `The CSV could not be written to ${dir}: ${cause ? storageCauses[cause].cause : err instanceof Error ? err.message : String(err)}.`,
    );
  }
}
