import { z } from 'zod';
import { Tip } from './index.js';

const money = z.bigint();

/**
 * What the customer-facing display shows, computed by the till from the cart and the sale on
 * screen. Only what the customer may see: no staff names, no other sales, no settings beyond the
 * shop's name and the tip choices.
 */
export const DisplayState = z.object({
  shopName: z.string(),
  /** idle: nothing rung up; cart: lines being added; invoice: the QR; paid: thank you. */
  phase: z.enum(['idle', 'cart', 'invoice', 'paid']),
  currency: z.string(),
  lines: z.array(
    z.object({
      lineId: z.string(),
      title: z.string(),
      variantTitle: z.string().nullable(),
      quantity: z.number().int(),
      /** What this line costs after its discounts (as priced). */
      amount: money,
    }),
  ),
  /** Σ discounts (line and cart), 0 when none. */
  discounts: money,
  taxes: z.array(z.object({ title: z.string(), amount: money })),
  tip: money,
  total: money,
  /** Sats at the current rate while ringing up; the invoice's own amount once issued. */
  msat: money.nullable(),
  /** Tips on and the cart not charged yet: the choices the customer may tap, percent strings. */
  tipChoices: z.array(z.string()).nullable(),
  /** The customer's tap, until the sale is charged or the cart changes hands. */
  customerTip: Tip.nullable(),
  /** What to scan: a BOLT11 invoice, or (charged offline, issue 17) the signed LNURL-pay link. */
  invoice: z.object({ bolt11: z.string(), amountMsat: money, expiresAt: z.string() }).nullable(),
  /** Cash: what goes back to the customer. */
  change: money.nullable(),
});
export type DisplayState = z.infer<typeof DisplayState>;
