import { divRound, type MinorUnits } from '../money/index.js';

/**
 * What a refund gives back under the pricing model (shared/pricing/index.ts): a unit returned
 * is worth its share of what the customer paid for its line — after the line's discount and
 * its cart-discount share, tax as charged — never its catalog price. Pure, so the till, the
 * screen's preview and the tests agree to the minor unit.
 *
 * R6, a line's partial return, **cumulative half-up**: with Q sold and a line figure X (gross,
 * tax, discount), the first k units returned are worth round½↑(X × k / Q); a refund of q more
 * after r already returned is worth round(X·(r+q)/Q) − round(X·r/Q). So however a line comes
 * back — all at once or one unit at a time — its refunds add up to exactly X, and every sale
 * returned in full, tip included, refunds exactly its total. Each refund is within one minor
 * unit of its exact proportional value.
 *
 * The tip is given back whole or not at all, once.
 */

/** A sold line's figures as priced when rung up (a sale from before pricing: its lines' sum, untaxed). */
export interface SoldLine {
  readonly lineId: string;
  /** How the cashier knows the line (for messages). */
  readonly title: string;
  readonly quantity: number;
  /** After discounts, tax included: what the customer paid for the line. */
  readonly gross: MinorUnits;
  readonly tax: MinorUnits;
  /** The line's own discount and its cart-discount share. */
  readonly discount: MinorUnits;
}

export interface SoldTip {
  readonly amount: MinorUnits;
  readonly tax: MinorUnits;
}

export interface RefundPart {
  readonly lineId: string;
  readonly quantity: number;
}

export interface RefundedLine {
  readonly lineId: string;
  readonly quantity: number;
  readonly amount: MinorUnits;
  readonly tax: MinorUnits;
  readonly discount: MinorUnits;
}

export interface RefundAmounts {
  readonly lines: readonly RefundedLine[];
  readonly tip: MinorUnits;
  /** The tax inside `amount` (the lines' and the tip's). */
  readonly tax: MinorUnits;
  readonly amount: MinorUnits;
}

export class RefundAmountError extends Error {
  override readonly name = 'RefundAmountError';
}

/** The first k of q units' share of x (R6). */
const upTo = (x: MinorUnits, k: number, q: number): MinorUnits =>
  divRound(x * BigInt(k), BigInt(q), 'half-up');

/**
 * The refund of `parts` (and the tip when `refundTip`), given what earlier refunds already took
 * back (`returned` by line id; `tipRefunded`). Throws RefundAmountError when a part names no
 * line of the sale, asks more than what remains, or the tip is asked twice.
 */
export function refundAmounts(
  sold: readonly SoldLine[],
  tip: SoldTip | null,
  returned: ReadonlyMap<string, number>,
  tipRefunded: boolean,
  parts: readonly RefundPart[],
  refundTip: boolean,
): RefundAmounts {
  const byId = new Map(sold.map((l) => [l.lineId, l]));
  const seen = new Set<string>();
  const lines = parts.map((p): RefundedLine => {
    const line = byId.get(p.lineId);
    if (!line) throw new RefundAmountError('That line is not on this sale.');
    if (seen.has(p.lineId)) throw new RefundAmountError('A line is chosen twice.');
    seen.add(p.lineId);
    const before = returned.get(p.lineId) ?? 0;
    if (!Number.isSafeInteger(p.quantity) || p.quantity < 1)
      throw new RefundAmountError('Return at least one.');
    if (before + p.quantity > line.quantity) throw new RefundAmountError(overRefund(line, before));
    const share = (x: MinorUnits) =>
      upTo(x, before + p.quantity, line.quantity) - upTo(x, before, line.quantity);
    return {
      lineId: p.lineId,
      quantity: p.quantity,
      amount: share(line.gross),
      tax: share(line.tax),
      discount: share(line.discount),
    };
  });
  if (refundTip && tipRefunded) throw new RefundAmountError('The tip was already given back.');
  if (refundTip && (!tip || tip.amount === 0n)) throw new RefundAmountError('This sale had no tip.');
  const tipBack = refundTip && tip ? tip : { amount: 0n, tax: 0n };
  const sum = (pick: (l: RefundedLine) => MinorUnits) => lines.reduce((a, l) => a + pick(l), 0n);
  return {
    lines,
    tip: tipBack.amount,
    tax: sum((l) => l.tax) + tipBack.tax,
    amount: sum((l) => l.amount) + tipBack.amount,
  };
}

function overRefund(line: SoldLine, before: number): string {
  const left = line.quantity - before;
  return left === 0
    ? `${line.title}: all ${line.quantity} sold already came back, nothing more to return.`
    : `${line.title}: only ${left} of the ${line.quantity} sold can still come back (${before} already returned).`;
}
