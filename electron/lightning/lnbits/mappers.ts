import { z } from 'zod';
import { BackendError, type Invoice, type InvoiceState } from '../backend.js';
import { decodeInvoice, type DecodedInvoice } from '../bolt11/decode.js';

/**
 * LNbits answers, as its source defines them (contracts/lnbits/api.md, read at
 * lnbits/lnbits@7d98c6b0), and the pure mapping from its Payment to the till's Invoice and
 * settlement cursor. Only the fields the till reads are checked; LNbits may add others.
 */

// pydantic v1 isoformat() of a UTC datetime; the fraction is left out when it is zero.
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$/;
const IsoTime = z.string().regex(ISO, 'expected an ISO 8601 time');
const HASH = z.string().regex(/^[0-9a-f]{64}$/, 'expected a payment hash (64 lowercase hex digits)');

export const PaymentStatus = z.enum(['pending', 'success', 'failed']);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

export const Payment = z.object({
  payment_hash: HASH,
  /** msat; positive for an incoming payment (an invoice of this wallet). */
  amount: z.number().int().refine(Number.isSafeInteger, 'expected an integer msat amount'),
  bolt11: z.string().min(1),
  status: PaymentStatus,
  memo: z.string().nullish(),
  fiat_provider: z.string().nullish(),
  /**
   * Free data kept with the payment; a till puts its id in `till` (CreateInvoice.extra). Another
   * app's odd `extra` reads as none rather than failing the whole list.
   */
  extra: z.record(z.string(), z.unknown()).nullish().catch(null),
  /** When LNbits recorded the payment: the invoice's creation. */
  time: IsoTime,
  /** Stamped by update_payment when the status turns success: the nearest thing to a settle time. */
  updated_at: IsoTime,
});
export type Payment = z.infer<typeof Payment>;

export const WalletResponse = z.object({
  name: z.string(),
  /** msat. */
  balance: z.number(),
  /** Present only when the key is the wallet's admin key (core/views/wallet_api.py). */
  id: z.string().optional(),
});

export const PaymentList = z.array(Payment);

/** GET /api/v1/payments/{hash}: `details` only when the key belongs to the payment's wallet. */
export const PaymentLookup = z.object({
  paid: z.boolean(),
  status: z.string().optional(),
  details: Payment.optional(),
});

/** send_ws_payment_notification: `wallet_balance` in sat and the Payment. */
export const WsPaymentMessage = z.object({ wallet_balance: z.number(), payment: Payment });

/** LNbits error bodies: HTTPException / ValueError (string) or RequestValidationError (list). */
export const ErrorBody = z
  .object({
    detail: z.union([z.string(), z.array(z.object({ msg: z.string() }).loose())]),
  })
  .loose();

/** Microseconds since the epoch: LNbits keeps microsecond times, a Date only milliseconds. */
export function isoToMicros(text: string): bigint {
  const m = ISO.exec(text);
  if (!m) throw new BackendError('BadResponse', `LNbits gave a time that is not ISO 8601: ${text}`);
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const seconds = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  let offsetMin = 0;
  // A naive time is UTC: LNbits stores and hands out UTC (lnbits/db.py dict_to_model).
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  return BigInt(seconds - offsetMin * 60) * 1_000_000n + BigInt(frac.padEnd(6, '0') || '0');
}

export const microsToDate = (micros: bigint): Date => new Date(Number(micros / 1000n));

/**
 * LNbits has no settle index. The cursor is the settle time (updated_at, in µs) with the payment
 * hash to order payments stamped in the same microsecond: `${updatedAtMicros}:${paymentHash}`.
 * '0' is "before every payment".
 */
export interface Cursor {
  micros: bigint;
  hash: string;
}

export const START_CURSOR = '0';
const CURSOR = /^(\d{1,20}):([0-9a-f]{64})$/;

export function parseCursor(text: string): Cursor | null {
  if (text === START_CURSOR) return null;
  const m = CURSOR.exec(text);
  if (!m) throw new BackendError('Rejected', `"${text}" is not an LNbits settlement cursor.`);
  return { micros: BigInt(m[1]!), hash: m[2]! };
}

export const formatCursor = (c: Cursor): string => `${c.micros}:${c.hash}`;

export const cursorOf = (p: Payment): Cursor => ({ micros: isoToMicros(p.updated_at), hash: p.payment_hash });

/** Negative, zero or positive as a is before, equal to or after b; null is the start. */
export function compareCursors(a: Cursor | null, b: Cursor | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (a.micros !== b.micros) return a.micros < b.micros ? -1 : 1;
  return a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0;
}

export function decodeBolt11(bolt11: string, what: string): DecodedInvoice {
  try {
    return decodeInvoice(bolt11);
  } catch (err) {
    throw new BackendError(
      'BadResponse',
      `LNbits returned ${what} whose BOLT11 invoice does not decode (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

const STATE: Record<PaymentStatus, (expired: boolean) => InvoiceState> = {
  pending: (expired) => (expired ? 'expired' : 'open'),
  success: () => 'settled',
  // A failed incoming payment: an LNURL-withdraw that did not go through, or a cancelled hold invoice.
  failed: () => 'cancelled',
};

/** An incoming Payment as the till's Invoice, checked against its own BOLT11 invoice. */
export function toInvoice(p: Payment, now: Date): Invoice {
  const decoded = decodeBolt11(p.bolt11, `payment ${p.payment_hash}`);
  if (decoded.paymentHash !== p.payment_hash) {
    throw new BackendError(
      'BadResponse',
      `LNbits returned payment ${p.payment_hash} with an invoice for another payment hash (${decoded.paymentHash})`,
    );
  }
  const amountMsat = BigInt(p.amount);
  if (decoded.amountMsat !== amountMsat) {
    throw new BackendError(
      'BadResponse',
      `LNbits returned payment ${p.payment_hash} for ${amountMsat} msat with an invoice for ${decoded.amountMsat ?? 'any amount'}`,
    );
  }
  // The invoice's own timestamp and expiry: what the payer's wallet enforces.
  const createdAt = new Date(decoded.timestamp * 1000);
  const expiresAt = new Date((decoded.timestamp + decoded.expirySec) * 1000);
  const settled = p.status === 'success';
  return {
    paymentHash: p.payment_hash,
    bolt11: p.bolt11,
    amountMsat,
    description: decoded.description ?? p.memo ?? '',
    createdAt,
    expiresAt,
    state: STATE[p.status](expiresAt.getTime() <= now.getTime()),
    settledAt: settled ? microsToDate(isoToMicros(p.updated_at)) : null,
    amountPaidMsat: settled ? amountMsat : null,
    till: tillOfExtra(p.extra),
  };
}

/** The till that made a payment, as it marked `extra`; null when none did (or the mark is not text). */
export function tillOfExtra(extra: Record<string, unknown> | null | undefined): string | null {
  const till = extra?.till;
  return typeof till === 'string' && till !== '' ? till : null;
}

/** Where zod found a wrong shape, for a BadResponse message. */
export function shapeError(what: string, err: z.ZodError): BackendError {
  const issue = err.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'the answer';
  return new BackendError(
    'BadResponse',
    `LNbits' ${what} answer is not what its API defines (${where}: ${issue?.message ?? 'unexpected shape'})`,
  );
}
