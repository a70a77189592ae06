import { z } from 'zod';

/**
 * LNURL-withdraw refunds (issue 14, LUD-03): the till shows a one-time withdraw QR for exactly the
 * refund's sats and the customer's wallet pulls them. The link is a refund paid over Lightning
 * (tender `lightning`, through the refund wallet) with a link of its own: open until the wallet
 * claims it, it expires or the cashier cancels it. An expired or cancelled link ends its refund
 * failed (the quantities may be returned again); a claimed one goes paying → paid / failed.
 */

const money = z.bigint();

/** Which rate turns the refund into sats: today's, or the one the sale's invoice was locked at (as BTCPay offers). */
export const WithdrawRateBasis = z.enum(['current', 'sale']);
export type WithdrawRateBasis = z.infer<typeof WithdrawRateBasis>;

export const LnurlWithdrawSettings = z
  .object({
    /** Off by default: the till opens no port until the owner turns it on. */
    enabled: z.boolean(),
    /** The address the till listens on: 0.0.0.0 (every interface), a LAN address, or 127.0.0.1 behind a proxy. */
    listenHost: z
      .string()
      .trim()
      .min(1, 'Say which address the till listens on, e.g. 0.0.0.0')
      .max(253)
      .regex(/^[A-Za-z0-9.:-]+$/, 'An address like 0.0.0.0, 192.168.1.20 or 127.0.0.1'),
    /** 0: any free port (tests). */
    listenPort: z.number().int().min(0).max(65535, 'A port is 1–65535'),
    /**
     * The address the customer's phone reaches the till at: a LAN http URL (http://192.168.1.20:3001)
     * or a public https URL behind the shop's reverse proxy. Empty: http://listenHost:port.
     */
    publicUrl: z.string().trim().max(300, 'That address is too long'),
    /** How long a shown QR may be claimed. */
    expirySec: z.number().int().min(60, 'Give the customer at least a minute').max(3600, 'An hour at most'),
    rateBasis: WithdrawRateBasis,
  })
  .strict();
export type LnurlWithdrawSettings = z.infer<typeof LnurlWithdrawSettings>;

export const DEFAULT_LNURL_WITHDRAW: LnurlWithdrawSettings = {
  enabled: false,
  listenHost: '0.0.0.0',
  listenPort: 3001,
  publicUrl: '',
  expirySec: 600,
  rateBasis: 'current',
};

/** Whether the withdraw server runs, where wallets reach it, and why not when it does not. */
export const LnurlWithdrawStatus = z.object({
  running: z.boolean(),
  url: z.string().nullable(),
  problem: z.string().nullable(),
});
export type LnurlWithdrawStatus = z.infer<typeof LnurlWithdrawStatus>;

export const LnurlWithdrawLinkState = z.enum(['open', 'claimed', 'expired', 'cancelled']);
export type LnurlWithdrawLinkState = z.infer<typeof LnurlWithdrawLinkState>;

/** A refund's withdraw link, as the QR screen shows it. */
export const RefundWithdraw = z.object({
  state: LnurlWithdrawLinkState,
  /** The bech32 LNURL (LUD-01), only while open and only from the till that made it; null otherwise. */
  lnurl: z.string().nullable(),
  expiresAt: z.string(),
  rate: z.string(),
  rateBasis: WithdrawRateBasis,
});
export type RefundWithdraw = z.infer<typeof RefundWithdraw>;

/** What a withdraw refund would pay, shown to the manager before approval. */
export const LnurlRefundQuote = z.object({
  currency: z.string(),
  amount: money,
  amountMsat: money,
  rate: z.string(),
  /** The basis actually used (a cash sale has no rate of its own: today's is used). */
  rateBasis: WithdrawRateBasis,
  /** Words for the manager: which rate, from when. */
  rateNote: z.string(),
  expirySec: z.number().int(),
  /** Null when a link can be shown now; else why not (server off, no refund wallet, over a limit). */
  problem: z.string().nullable(),
});
export type LnurlRefundQuote = z.infer<typeof LnurlRefundQuote>;
