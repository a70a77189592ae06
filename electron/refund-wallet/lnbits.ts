import { z } from 'zod';
import { BackendError } from '../lightning/backend.js';
import { requestJson, transportError, type HttpTarget } from '../lightning/http.js';
import { ErrorBody, isoToMicros, PaymentList } from '../lightning/lnbits/mappers.js';
import {
  RefundPaymentFailed,
  type RefundPaymentStatus,
  type RefundWallet,
  type WalletPaymentRecord,
} from './wallet.js';

/** Payments a page when the refund wallet's payments are listed for reconciliation. */
const PAGE = 100;

/**
 * A refund wallet in LNbits: a wallet of its own (not the one the till receives into), reached
 * with its admin key, the only LNbits key that can spend. Pays with POST /api/v1/payments
 * `{out: true, bolt11}` and looks a payment up with GET /api/v1/payments/{payment_hash}
 * (contracts/lnbits/api.md), through the REST backends' one HTTP client.
 */

export interface LnbitsRefundConfig {
  /** Normalised by electron/lightning/lnbits/config.ts normaliseUrl. */
  url: string;
  adminKey: string;
}

export interface LnbitsRefundOptions {
  timeoutMs?: number;
}

const Hex32 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/)
  .transform((s) => s.toLowerCase());

// models/payments.py Payment, the fields a refund reads.
const PaymentRow = z.looseObject({
  payment_hash: Hex32,
  amount: z.int(),
  status: z.enum(['pending', 'success', 'failed']),
  preimage: z.string().nullish(),
});

// payment_api.py api_payment: {paid, status?, preimage?, details?}.
const Lookup = z.looseObject({
  paid: z.boolean(),
  status: z.string().nullish(),
  preimage: z.string().nullish(),
  details: PaymentRow.nullish(),
});

// wallet_api.py: `id` only for the admin key.
const WalletInfo = z.looseObject({ name: z.string(), balance: z.int(), id: z.string().nullish() });

const ZERO_PREIMAGE = /^0{64}$/;

/** An LNbits preimage: 64 hex digits; a pending payment's all-zero placeholder is none. */
function preimageOf(text: string | null | undefined): string | null {
  if (!text || !/^[0-9a-fA-F]{64}$/.test(text) || ZERO_PREIMAGE.test(text)) return null;
  return text.toLowerCase();
}

export function createLnbitsRefundWallet(
  config: LnbitsRefundConfig,
  opts: LnbitsRefundOptions = {},
): RefundWallet {
  const target: HttpTarget = {
    baseUrl: config.url,
    timeoutMs: opts.timeoutMs ?? 60_000,
    headers: { 'X-Api-Key': config.adminKey },
  };
  const where = `LNbits at ${new URL(config.url).host}`;
  const scrub = (text: string) => text.split(config.adminKey).join('…');

  function detailOf(body: unknown, status: number): string {
    const parsed = ErrorBody.safeParse(body);
    if (!parsed.success) return `HTTP ${status}`;
    const { detail } = parsed.data;
    const text = typeof detail === 'string' ? detail : detail.map((d) => d.msg).join('; ');
    return scrub(text.replace(/\s+/g, ' ').trim()).slice(0, 200) || `HTTP ${status}`;
  }

  async function send(method: 'GET' | 'POST', path: string, body?: unknown) {
    try {
      return await requestJson(target, { method, path, body });
    } catch (err) {
      const mapped = transportError(err, where);
      throw new BackendError(mapped.kind, scrub(mapped.message), { cause: err });
    }
  }

  /** decorators.py: no key 401, a non-admin key on an admin route 403, an unknown key 404 "Wallet not found." */
  function keyProblem(status: number, detail: string): string | null {
    if (status === 401 || status === 403) {
      return `the key cannot spend (${detail}): paste the Admin key of the refund wallet, not its Invoice/read key.`;
    }
    if (status === 404 && /wallet not found/i.test(detail)) {
      return `LNbits does not know this key (${detail}): the wallet was deleted or the key changed.`;
    }
    return null;
  }

  async function lookup(paymentHash: string): Promise<RefundPaymentStatus> {
    const res = await send('GET', `/api/v1/payments/${paymentHash}`);
    if (res.status === 404) {
      const detail = detailOf(res.body, res.status);
      if (/wallet not found/i.test(detail)) throw new Error(`${where}: ${detail}`);
      return { state: 'unknown' }; // "Payment does not exist."
    }
    if (res.status < 200 || res.status >= 300) {
      throw new Error(`${where} did not look the payment up (${detailOf(res.body, res.status)}).`);
    }
    const parsed = Lookup.safeParse(res.body);
    if (!parsed.success) throw new Error(`${where} answered the look-up in a shape LNbits does not use.`);
    const found = parsed.data;
    // No details: the payment belongs to another wallet on that server; an incoming one is an
    // invoice of this wallet's, not a payment it made. Either way it never paid it.
    if (!found.details || found.details.amount >= 0) return { state: 'unknown' };
    if (found.details.payment_hash !== paymentHash) {
      throw new Error(`${where} answered the look-up with another payment.`);
    }
    if (found.details.status === 'success') {
      return { state: 'paid', preimage: preimageOf(found.details.preimage ?? found.preimage) };
    }
    if (found.details.status === 'failed')
      return { state: 'failed', reason: 'LNbits says the payment failed.' };
    return { state: 'pending' };
  }

  /**
   * The wallet's outgoing payments that succeeded in [from, to), oldest first, 100 a page: LNbits
   * lists a payment sent as a negative amount. Its time filter is whole seconds, so ask a little
   * wide and cut exactly here (as the receiving backend does).
   */
  async function* outgoing(from: Date, to: Date): AsyncGenerator<WalletPaymentRecord[]> {
    const fromMicros = BigInt(from.getTime()) * 1000n;
    const toMicros = BigInt(to.getTime()) * 1000n;
    for (let offset = 0; ; offset += PAGE) {
      const query = new URLSearchParams({
        'amount[lt]': '0',
        status: 'success',
        'time[ge]': String(Math.floor(from.getTime() / 1000)),
        'time[lt]': String(Math.ceil(to.getTime() / 1000)),
        sortby: 'time',
        direction: 'asc',
        limit: String(PAGE),
        offset: String(offset),
      });
      const res = await send('GET', `/api/v1/payments?${query.toString()}`);
      if (res.status !== 200)
        throw new Error(`${where} answered ${detailOf(res.body, res.status)} to the payment list.`);
      const parsed = PaymentList.safeParse(res.body);
      if (!parsed.success)
        throw new Error(`${where} answered the payment list in a shape LNbits does not use.`);
      const rows = parsed.data;
      yield rows
        .filter((p) => p.amount < 0)
        .filter((p) => {
          const t = isoToMicros(p.time);
          return t >= fromMicros && t < toMicros;
        })
        .map((p) => ({
          paymentHash: p.payment_hash,
          amountMsat: BigInt(-p.amount),
          paidAt: new Date(p.time),
        }));
      if (rows.length < PAGE) return;
    }
  }

  return {
    kind: 'lnbits',
    async pay(invoice, paymentHash) {
      const res = await send('POST', '/api/v1/payments', { out: true, bolt11: invoice });
      if (res.status >= 200 && res.status < 300) {
        const parsed = PaymentRow.safeParse(res.body);
        if (!parsed.success) throw new Error(`${where} answered the payment in a shape LNbits does not use.`);
        const row = parsed.data;
        if (row.payment_hash !== paymentHash) throw new Error(`${where} answered with another payment.`);
        switch (row.status) {
          case 'success':
            return { preimage: preimageOf(row.preimage) };
          case 'failed':
            throw new RefundPaymentFailed('LNbits says the payment failed.');
          case 'pending':
            // Still in flight: the till's look-ups settle it.
            throw new Error(`${where} is still paying it.`);
        }
      }
      const detail = detailOf(res.body, res.status);
      const key = keyProblem(res.status, detail);
      // Refused at the door: nothing was attempted.
      if (key) throw new RefundPaymentFailed(key);
      // exceptions.py PaymentError → 520 {detail, status}: "failed" is LNbits saying nothing went out.
      const status = (res.body as { status?: unknown } | null)?.status;
      if (res.status === 520 && status === 'failed') throw new RefundPaymentFailed(`LNbits: ${detail}`);
      // ValueError → 400 / validation → 422: the request was refused before paying.
      if (res.status === 400 || res.status === 422)
        throw new RefundPaymentFailed(`LNbits refused it: ${detail}`);
      throw new Error(`${where} answered ${detail}; the payment is looked up before anything else.`);
    },
    lookup,
    listPayments(from, to) {
      return outgoing(from, to);
    },
    async check() {
      let res;
      try {
        res = await send('GET', '/api/v1/wallet');
      } catch (err) {
        return {
          ok: false,
          message: `LNbits did not answer: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
      const detail = detailOf(res.body, res.status);
      const key = keyProblem(res.status, detail);
      if (key) return { ok: false, message: `LNbits: ${key}` };
      if (res.status !== 200) return { ok: false, message: `LNbits answered ${detail}.` };
      const parsed = WalletInfo.safeParse(res.body);
      if (!parsed.success) return { ok: false, message: `${where} answered in a shape LNbits does not use.` };
      // contracts/lnbits/api.md: `id` comes only with the admin key, the one that can spend.
      if (!parsed.data.id) {
        return {
          ok: false,
          message:
            'This is the wallet’s Invoice/read key: it cannot pay. Paste the Admin key of a separate LNbits wallet kept for refunds.',
        };
      }
      const sats = Math.floor(parsed.data.balance / 1000);
      return {
        ok: true,
        message: `The admin key of “${parsed.data.name.slice(0, 60)}” can pay refunds; it holds ${sats.toLocaleString('en-US')} sats.`,
      };
    },
  };
}
