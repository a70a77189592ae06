import { z } from 'zod';
import { MAX_LENGTH } from './limits.js';

/**
 * Shifts and the cash drawer: a shift is opened with a counted float, collects this till's sales
 * (and the ones rung up while no shift was open), paid in / paid out and no-sale drawer opens, and
 * is closed with the drawer counted. Its X report is read live while it is open; its Z report is
 * frozen when it closes. Money is bigint minor units of the currency it is in, msat for Lightning.
 */

const money = z.bigint();
const amountMax = 10n ** 12n;

/**
 * Cash as counted: a typed total, or how many of each note and coin (face value in minor units →
 * count), whose sum is the total.
 */
export const CashCount = z.union([
  z
    .object({
      total: z.bigint().min(0n, 'Enter an amount of zero or more').max(amountMax, 'That amount is too large'),
    })
    .strict(),
  z
    .object({
      denominations: z
        .array(
          z
            .object({
              value: z.bigint().positive().max(amountMax),
              count: z
                .number()
                .int()
                .min(0, 'A count is zero or more')
                .max(100_000, 'That count is too large'),
            })
            .strict(),
        )
        .max(40),
    })
    .strict(),
]);
export type CashCount = z.infer<typeof CashCount>;

/** What a cash count adds up to, in minor units. */
export function cashCountTotal(count: CashCount): bigint {
  if ('total' in count) return count.total;
  return count.denominations.reduce((sum, d) => sum + d.value * BigInt(d.count), 0n);
}

export const MovementReason = z
  .string()
  .trim()
  .max(MAX_LENGTH.cashReason, `Keep the reason under ${MAX_LENGTH.cashReason} characters`);

/** Paid in / paid out: an amount above zero and why. */
export const CashMovementInput = z
  .object({
    amount: z.bigint().positive('Enter an amount above zero').max(amountMax, 'That amount is too large'),
    reason: MovementReason.min(1, 'Say what the money is for'),
  })
  .strict();

const person = z.object({ id: z.string().nullable(), name: z.string().nullable() });

export const CashMovementKind = z.enum(['paid_in', 'paid_out', 'no_sale']);
export type CashMovementKind = z.infer<typeof CashMovementKind>;

export const CashMovement = z.object({
  id: z.number().int(),
  kind: CashMovementKind,
  currency: z.string(),
  /** 0 for a no-sale. */
  amount: money,
  reason: z.string(),
  at: z.string(),
  by: person,
  /** The manager who approved it in place; null when the person could do it alone. */
  approvedBy: person.nullable(),
});
export type CashMovement = z.infer<typeof CashMovement>;

/** A shift as anyone signed in may see it: no takings. */
export const Shift = z.object({
  id: z.string(),
  tillId: z.string(),
  number: z.number().int().positive(),
  currency: z.string(),
  openedAt: z.string(),
  openedBy: person,
  /** The counted opening float. */
  float: money,
  closedAt: z.string().nullable(),
  closedBy: person.nullable(),
});
export type Shift = z.infer<typeof Shift>;

const countTotal = z.object({ count: z.number().int(), total: money });

/** One currency's part of a shift report. Minor units of two currencies never add up. */
export const ShiftCurrencyReport = z.object({
  currency: z.string(),
  /** Paid sales: how many and what the customers paid (tax and tips included). */
  sales: countTotal,
  tenders: z.object({
    cash: countTotal,
    /** total is fiat; msat what arrived over Lightning. */
    lightning: countTotal.extend({ msat: money }),
  }),
  /** Tax per rate, from each sale's journaled pricing; the untaxed part has title null. */
  taxes: z.array(
    z.object({ title: z.string().nullable(), percent: z.string().nullable(), net: money, tax: money }),
  ),
  taxTotal: money,
  discounts: money,
  tips: z.array(z.object({ staffName: z.string().nullable(), count: z.number().int(), total: money })),
  tipTotal: money,
  /** Refunds paid in this shift (any tender), in this currency. */
  refunds: countTotal,
  /** The drawer, in this currency. */
  cash: z.object({
    float: money,
    /** What customers handed over for cash sales, and the change given back. */
    tendered: money,
    change: money,
    paidIn: money,
    paidOut: money,
    /** Cash handed back to customers for returns. */
    refunded: money,
    /** float + tendered − change − refunded + paid in − paid out. */
    expected: money,
    /** The count at close (Z report); null in an X report or for a currency not counted. */
    counted: money.nullable(),
    /** counted − expected: negative is cash missing. */
    difference: money.nullable(),
  }),
  /**
   * Sales of earlier (closed) shifts paid during this one: a late payment of an expired or
   * cancelled invoice. Their Z report is frozen, so they are shown here, not in the totals above.
   */
  paidForEarlierShifts: countTotal.extend({ msat: money }),
  /** Lightning by the rate each sale's invoice was locked at: fiat and sats per rate. */
  lightningRates: z.array(
    z.object({ rate: z.string(), source: z.string(), count: z.number().int(), total: money, msat: money }),
  ),
});
export type ShiftCurrencyReport = z.infer<typeof ShiftCurrencyReport>;

/**
 * The node's settled total for the shift's period beside the journal's (this till's invoices only,
 * by payment hash), or why the node could not be asked.
 */
export const NodeCheckLine = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('checked'),
    from: z.string(),
    to: z.string(),
    nodeCount: z.number().int(),
    nodeMsat: money,
    journalCount: z.number().int(),
    journalMsat: money,
    /** node − journal. */
    differenceMsat: money,
  }),
  z.object({
    state: z.literal('unreachable'),
    from: z.string(),
    to: z.string(),
    journalCount: z.number().int(),
    journalMsat: money,
    message: z.string(),
  }),
]);
export type NodeCheckLine = z.infer<typeof NodeCheckLine>;

/** X (the open shift, live) or Z (frozen when the shift closed). */
export const ShiftReport = z.object({
  kind: z.enum(['X', 'Z']),
  shift: Shift,
  shopName: z.string(),
  generatedAt: z.string(),
  /** Who closed it and the manager who approved, for a Z report. */
  approvedBy: person.nullable(),
  /** Paid sales of the shift, all currencies. */
  saleCount: z.number().int(),
  /** Sales of the shift not paid (cancelled, expired, still awaiting): not counted above. */
  unpaidCount: z.number().int(),
  currencies: z.array(ShiftCurrencyReport),
  movements: z.array(CashMovement),
  noSales: z.number().int(),
  node: NodeCheckLine.nullable(),
  /** The shift's paid sales whose Shopify order is not yet created, or failed. */
  shopify: z.object({
    pending: z.number().int(),
    failed: z.number().int(),
    orders: z.array(
      z.object({
        saleNumber: z.number().int(),
        state: z.enum(['pending', 'failed']),
        error: z.string().nullable(),
      }),
    ),
  }),
});
export type ShiftReport = z.infer<typeof ShiftReport>;
