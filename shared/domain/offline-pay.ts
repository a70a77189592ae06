import { z } from 'zod';

/**
 * Lightning with the till offline (issue 17), as the owner sets it up and the Charge screen shows
 * it. The shared key itself is write-only: pasted here, kept in the SecretStore, shown back as a
 * hint (its id and a fingerprint), never sent to a screen.
 */

const fiatLimit = z
  .bigint()
  .min(1n, 'A limit is at least one cent (one minor unit)')
  .max(1_000_000_000_000n, 'That limit is too large');

export const OfflinePaySettings = z
  .object({
    enabled: z.boolean(),
    /** The companion server's public address (`npm run lnurl-server`); null: not set yet. */
    serverUrl: z.string().nullable(),
    /** The most one offline sale may be, in minor units of the shop currency. */
    perSaleLimit: fiatLimit,
    /** The most the offline sales of one UTC day may add up to, in minor units. */
    perDayLimit: fiatLimit,
    /** The oldest exchange rate an offline sale may use, in minutes. */
    maxRateAgeMin: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
    /** Offer it on Charge even while the node answers (else only while it is unreachable). */
    alwaysOffer: z.boolean(),
    /** The key that signs now: e.g. "key 0a1b2c3d · fingerprint 3f9a21c0"; null: none saved. */
    keyHint: z.string().nullable(),
    /** The key it replaced at the last rotation (the server must still accept it for a while). */
    previousKeyHint: z.string().nullable(),
  })
  .strict();
export type OfflinePaySettings = z.infer<typeof OfflinePaySettings>;

export const OfflinePayInput = z
  .object({
    enabled: z.boolean(),
    serverUrl: z.string().trim().max(500, 'That address is too long').nullable(),
    perSaleLimit: fiatLimit,
    perDayLimit: fiatLimit,
    maxRateAgeMin: z
      .number()
      .int('Whole minutes')
      .min(1, 'At least one minute')
      .max(7 * 24 * 60, 'At most a week'),
    alwaysOffer: z.boolean(),
    /** A new key (rotation), as the companion server has it; left out: the saved one is kept. */
    key: z
      .object({
        id: z.string().trim().max(32, 'The key id is 8 to 32 hex digits'),
        key: z.string().trim().max(64, 'The key is 64 hex digits'),
      })
      .strict()
      .optional(),
  })
  .strict();
export type OfflinePayInput = z.infer<typeof OfflinePayInput>;

export const OfflinePaymentState = z.enum(['pending', 'paid', 'locked', 'confirmed', 'flagged', 'cancelled']);
export type OfflinePaymentState = z.infer<typeof OfflinePaymentState>;

/** What the Charge screen shows for an offline payment. */
export const OfflineCharge = z.object({
  saleId: z.string(),
  saleNumber: z.number().int(),
  state: OfflinePaymentState,
  /** LUD-01 bech32 LNURL, upper-cased for a compact QR. */
  qr: z.string(),
  amountMsat: z.bigint(),
  total: z.bigint(),
  currency: z.string(),
  expiresAt: z.string(),
  /** e.g. "Rate from 14:05, offline". */
  rateLabel: z.string(),
  pinAttempts: z.number().int(),
  pinTriesLeft: z.number().int(),
});
export type OfflineCharge = z.infer<typeof OfflineCharge>;

export const DEFAULT_OFFLINE_PAY = {
  enabled: false,
  serverUrl: null,
  perSaleLimit: 10_000n,
  perDayLimit: 50_000n,
  maxRateAgeMin: 240,
  alwaysOffer: false,
  keyHint: null,
  previousKeyHint: null,
} satisfies OfflinePaySettings;

/** Wrong PINs a sale's offline payment takes before it locks. */
export const OFFLINE_PIN_TRIES = 3;

/**
 * "Proof later" (issue 17), for a manager: the offline payments waiting for the companion
 * server's word, and what the till's last question to it found.
 */
export const OfflineProofReport = z.object({
  /** Offline Lightning is set up (a companion address and a key): the till can ask. */
  configured: z.boolean(),
  /** PINs accepted, the companion has not confirmed the payment yet. */
  unproven: z.number().int(),
  /** PINs accepted, the companion has no matching payment: for a manager. */
  flagged: z.number().int(),
  /** Links paid though their sale was not (PIN locked, sale cancelled): refund or ring up. */
  paidUnsold: z.number().int(),
  /** ISO 8601: when the till last asked the companion (null: never). */
  lastCheckedAt: z.string().nullable(),
  /** Why the last question failed, for a manager; null when it was answered. */
  lastError: z.string().nullable(),
  /** What the last answered question changed. */
  last: z
    .object({
      asked: z.number().int(),
      confirmed: z.number().int(),
      flagged: z.number().int(),
      paidUnsold: z.number().int(),
    })
    .nullable(),
});
export type OfflineProofReport = z.infer<typeof OfflineProofReport>;

/** A question to the companion, in a manager's words (Reconcile and the offline panel). */
export function proofSummary(last: NonNullable<OfflineProofReport['last']>): string {
  const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
  const found = [
    `${last.confirmed} confirmed`,
    ...(last.flagged > 0 ? [`${last.flagged} with no payment (flagged for a manager)`] : []),
    ...(last.paidUnsold > 0 ? [`${n(last.paidUnsold, 'link')} paid though the sale was not`] : []),
  ];
  return `Companion server asked about ${n(last.asked, 'offline payment')}: ${found.join(', ')}.`;
}
