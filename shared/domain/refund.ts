import { z } from 'zod';
import { RefundWithdraw } from './lnurl-withdraw.js';
import { MAX_LENGTH } from './limits.js';

/**
 * Returns and refunds (issue 14). A refund gives back some of a paid sale — lines and
 * quantities, optionally the tip — at what the customer paid for them under the pricing model
 * (each line's share of discounts and taxes), in the sale's currency.
 *
 * Its states: requested → approved → paying → paid, or failed. A cash refund goes through all of
 * them in one journal transaction (the cash leaves the drawer as it is approved). A Lightning
 * refund (electron/checkout/refunds.ts createLightning) stops at each: approved before anything is paid, paying with the payment hash
 * stored before the pay call returns, paid or failed once the wallet says so. A failed refund
 * gives its quantities back to what may still be returned.
 */

const id = z.string().min(1).max(MAX_LENGTH.id);
const money = z.bigint();

export const RefundState = z.enum(['requested', 'approved', 'paying', 'paid', 'failed']);
export type RefundState = z.infer<typeof RefundState>;

/** How the money goes back: cash from the drawer, or Lightning to the customer's invoice through the refund wallet. */
export const RefundTender = z.enum(['cash', 'lightning']);
export type RefundTender = z.infer<typeof RefundTender>;

/** A line the cashier chose to take back: how many, and whether it goes back on the shelf. */
export const RefundLineRequest = z
  .object({
    lineId: id,
    quantity: z.number().int().min(1, 'Return at least one').max(9999),
    restock: z.boolean().default(true),
  })
  .strict();
export type RefundLineRequest = z.infer<typeof RefundLineRequest>;

export const RefundReason = z
  .string()
  .trim()
  .min(1, 'Say why it came back')
  .max(MAX_LENGTH.refundReason, `Keep the reason under ${MAX_LENGTH.refundReason} characters`);

/** A sale line as a refund sees it: what was sold, what came back, and this refund's share. */
export const RefundLine = z.object({
  lineId: id,
  title: z.string(),
  variantTitle: z.string().nullable(),
  /** Returned by this refund. */
  quantity: z.number().int(),
  restock: z.boolean(),
  /** What these units cost the customer: after discounts, tax included (minor units). */
  amount: money,
  /** The tax inside `amount`. */
  tax: money,
  /** The discounts these units had (their line discount and cart-discount share). */
  discount: money,
});
export type RefundLine = z.infer<typeof RefundLine>;

/** Who did it, as the staff list named them then. */
export const RefundPerson = z.object({ staffId: z.string(), name: z.string() });
export type RefundPerson = z.infer<typeof RefundPerson>;

/** Where the refund stands with Shopify: none when no store was connected. */
export const RefundSync = z.object({
  state: z.enum(['pending', 'done', 'failed']),
  /** Shopify's refund id, once created. */
  shopifyRefundId: z.string().nullable(),
  /** Why it is parked or waiting, for a manager to act on. */
  error: z.string().nullable(),
});
export type RefundSync = z.infer<typeof RefundSync>;

export const Refund = z.object({
  id,
  saleId: id,
  saleNumber: z.number().int(),
  state: RefundState,
  tender: RefundTender,
  currency: z.string(),
  lines: z.array(RefundLine),
  /** The tip given back (0 when kept). */
  tip: money,
  /** The tax inside `amount`. */
  tax: money,
  /** What goes back to the customer: Σ lines + tip. */
  amount: money,
  reason: z.string(),
  requestedBy: RefundPerson.nullable(),
  approvedBy: RefundPerson.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  paidAt: z.string().nullable(),
  stateReason: z.string().nullable(),
  shopify: RefundSync.nullable(),
  /** Lightning: the sats paid to the customer's invoice (msat); absent for cash. */
  amountMsat: z.bigint().nullable().optional(),
  /** LNURL-withdraw (the customer's wallet pulls it): its one-time link. */
  withdraw: RefundWithdraw.nullable().optional(),
  /** Lightning: the payment hash of the customer's invoice; absent for cash. */
  paymentHash: z.string().nullable().optional(),
  /**
   * Which refund of its sale this is, 1 for the first (failed ones counted: a number once printed
   * never moves). The refund receipt's number is the sale's and this: "000042-R1".
   */
  number: z.number().int().min(1).optional(),
});
export type Refund = z.infer<typeof Refund>;

/** One line of a sale in a refund's preview. */
export const RefundPreviewLine = RefundLine.extend({
  sold: z.number().int(),
  /** Taken back by earlier refunds (not failed ones). */
  returned: z.number().int(),
  /** What may still come back before this refund. */
  returnable: z.number().int(),
});
export type RefundPreviewLine = z.infer<typeof RefundPreviewLine>;

/** What a refund would give back, and what stays returnable: the cashier may look, a manager approves. */
export const RefundPreview = z.object({
  saleId: id,
  saleNumber: z.number().int(),
  currency: z.string(),
  /** Every line of the sale; `quantity` is what this refund takes (0 for lines not chosen). */
  lines: z.array(RefundPreviewLine),
  /** The sale's tip, and whether an earlier refund already gave it back. */
  saleTip: money,
  tipRefunded: z.boolean(),
  tip: money,
  tax: money,
  amount: money,
  /** Given back by earlier refunds. */
  refundedBefore: money,
  /** Still returnable after this refund (the sale's total less every refund with this one). */
  remaining: money,
});
export type RefundPreview = z.infer<typeof RefundPreview>;

/**
 * Which wallet pays Lightning refunds: none (the till refuses them), demo (no money moves), or a
 * spending connection of its own, apart from the receiving node — an NWC connection with
 * `pay_invoice`, or an LNbits wallet's admin key.
 */
export const RefundWalletKind = z.enum(['none', 'demo', 'nwc', 'lnbits']);
export type RefundWalletKind = z.infer<typeof RefundWalletKind>;

const limitSats = z.bigint().min(1n, 'A limit is at least 1 sat').max(2_100_000_000_000_000n).nullable();

/**
 * The refund wallet as the owner sees it: its kind, the till's own limits on what one refund,
 * and one day of refunds, may pay out, and — never the credential itself — a hint that tells
 * which credential is saved (where it points and a fingerprint). Secrets never travel in it.
 */
export const RefundWalletSettings = z
  .object({
    kind: RefundWalletKind,
    /** The most one refund may pay, in sats; null: no limit of the till's own. */
    perRefundLimitSats: limitSats,
    /** The most the refunds of one day (the till's UTC day) may pay together, in sats; null: none. */
    perDayLimitSats: limitSats,
    /** LNbits: the server's address; null for the other kinds. */
    url: z.string().nullable(),
    /** Which credential is saved, e.g. "LNbits wallet key · fingerprint 3f9a21c0"; null: none saved. */
    credentialHint: z.string().nullable(),
  })
  .strict();
export type RefundWalletSettings = z.infer<typeof RefundWalletSettings>;

/**
 * What the owner saves. The credential is write-only: pasted here, kept in the SecretStore and
 * never sent back; left out (or blank), the one saved for the same kind is kept.
 */
export const RefundWalletInput = z
  .object({
    kind: RefundWalletKind,
    perRefundLimitSats: limitSats,
    perDayLimitSats: limitSats,
    url: z.string().trim().max(500, 'That address is too long').nullable().optional(),
    credential: z.string().trim().max(4000, 'That is too long to be a wallet credential').optional(),
  })
  .strict();
export type RefundWalletInput = z.infer<typeof RefundWalletInput>;

export const DEFAULT_REFUND_WALLET: RefundWalletSettings = {
  kind: 'none',
  perRefundLimitSats: 100_000n,
  perDayLimitSats: 500_000n,
  url: null,
  credentialHint: null,
};
