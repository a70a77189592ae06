import type { ReconcileRow } from '../../shared/domain/index.js';
import type { SaleState } from '../../shared/domain/index.js';
import { fiatToDecimalString } from '../../shared/money/index.js';
import { takesMoney, type Outcome } from '../../shared/reconcile/types.js';

/**
 * The bookkeeper's export: one row per item (time, sale id, tender, the sale's state, payment
 * hash, sats, fiat, rate, rate source, Shopify order name, outcome), RFC 4180 quoting, CRLF line
 * ends and a header, so a spreadsheet opens it as is. Amounts are exact decimals, never floats.
 * A row's amounts are money taken only when `money_taken` is `yes`: a cancelled or expired cart
 * nobody paid keeps its total (and `sale_state`) but says `no`, so a sum filtered on it (or on
 * `sale_state` = paid) never counts an unpaid cart. Appended after `money_taken` (so older
 * columns keep their place): the sale's `net`, `tax`, `tip` and `discount` as journaled, in
 * `currency` — net + tax = fiat, the tip is inside fiat, the discount was taken off before it. A
 * sale from before pricing reads net = fiat and 0 for the rest; a row without a sale leaves them
 * empty.
 */
const HEADER = [
  'time',
  'sale_number',
  'sale_id',
  'tender',
  'sale_state',
  'payment_hash',
  'sats',
  'fiat',
  'currency',
  'rate',
  'rate_source',
  'shopify_order',
  'outcome',
  'suggested_repair',
  'detail',
  'money_taken',
  'net',
  'tax',
  'tip',
  'discount',
];

/** One RFC 4180 cell, with a formula-looking text defused for spreadsheets. */
export function cell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  // A leading = + - @ would be read as a formula by a spreadsheet.
  const safe = /^[=+\-@]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function sats(msat: bigint | null): string | null {
  if (msat === null) return null;
  const whole = msat / 1000n;
  const rest = msat % 1000n;
  return rest === 0n ? whole.toString() : `${whole}.${rest.toString().padStart(3, '0')}`;
}

const money = (amount: bigint | null, currency: string | null): string | null =>
  amount !== null && currency ? fiatToDecimalString(amount, currency) : null;

export const CSV_HEADER = `${HEADER.join(',')}\r\n`;

/** One CRLF-terminated line of the export. */
export function csvLine(r: ReconcileRow): string {
  return `${[
    r.time,
    r.saleNumber,
    r.saleId,
    r.tender,
    r.saleState,
    r.paymentHash,
    sats(r.msat),
    money(r.fiat, r.currency),
    r.currency,
    r.rate,
    r.rateSource,
    r.orderName,
    r.outcome,
    r.repair,
    r.detail,
    takesMoney({ outcome: r.outcome as Outcome, saleState: r.saleState as SaleState | null }) ? 'yes' : 'no',
    money(r.net, r.currency),
    money(r.tax, r.currency),
    money(r.tip, r.currency),
    money(r.discount, r.currency),
  ]
    .map(cell)
    .join(',')}\r\n`;
}
