import decode from 'lnurl/lib/decode.js';
import { z } from 'zod';

/**
 * The till as an LNURL-withdraw client (LUD-03) for a Bolt Card: the card's text to the
 * service's URL (LUD-17 `lnurlw://`, or a bech32 LNURL per LUD-01), the withdraw request, and
 * the callback carrying the sale's invoice. Each failure is a CardError whose reason the
 * screen turns into what the cashier can do. Answers are bounded in size and time; anything
 * malformed is a failure, never a crash.
 */

export type CardFailure = 'unrecognised' | 'overLimit' | 'unreachable' | 'declined';

export class CardError extends Error {
  override readonly name = 'CardError';
  constructor(
    readonly reason: CardFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface WithdrawClientOptions {
  /** Injectable for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Largest answer read; default 64 KiB (a withdraw request is a few hundred bytes). */
  maxBytes?: number;
  /**
   * Hosts that may be reached over plain http besides .onion ones (LUD-17): tests' loopback
   * services only. Empty in the product.
   */
  httpHosts?: readonly string[];
}

/** LUD-03 step 3: the service's withdraw request, amounts in msat. */
export interface WithdrawRequest {
  callback: URL;
  k1: string;
  minWithdrawable: bigint;
  maxWithdrawable: bigint;
  defaultDescription: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 64 * 1024;
const NOT_A_CARD = 'This card is not recognised: it holds no Bolt Card link. Take another payment.';

const msat = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const WithdrawResponse = z.object({
  tag: z.literal('withdrawRequest'),
  callback: z.string().min(1).max(2000),
  k1: z.string().min(1).max(1000),
  minWithdrawable: msat,
  maxWithdrawable: msat,
  defaultDescription: z.string().max(1000).optional(),
});
const ErrorResponse = z.object({ status: z.string().regex(/^error$/i), reason: z.string().optional() });
const OkResponse = z.object({ status: z.string().regex(/^ok$/i) });

function allowsHttp(host: string, opts: WithdrawClientOptions): boolean {
  return host.endsWith('.onion') || (opts.httpHosts ?? []).includes(host);
}

/** A URL the till may ask: https, or http for .onion and the allowed test hosts (LUD-17). */
function checkedUrl(raw: string, opts: WithdrawClientOptions): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CardError('unrecognised', NOT_A_CARD);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && allowsHttp(url.hostname, opts)) return url;
  throw new CardError(
    'unrecognised',
    'This card’s service is not on a secure (https) address, so the till will not use it. Take another payment.',
  );
}

/**
 * The service's URL from what the card holds: `lnurlw://host/path` (LUD-17: https, or http for
 * .onion), or a bech32 `LNURL1…` (LUD-01), either one behind an optional `lightning:`.
 */
export function withdrawUrl(text: string, opts: WithdrawClientOptions = {}): URL {
  const trimmed = text.trim().replace(/^lightning:/i, '');
  const scheme = /^lnurlw:\/\//i.exec(trimmed);
  if (scheme) {
    const rest = trimmed.slice(scheme[0].length);
    let host: string;
    try {
      host = new URL(`https://${rest}`).hostname;
    } catch {
      throw new CardError('unrecognised', NOT_A_CARD);
    }
    return checkedUrl(`${allowsHttp(host, opts) ? 'http' : 'https'}://${rest}`, opts);
  }
  if (/^lnurl1/i.test(trimmed)) {
    let decoded: string;
    try {
      decoded = decode(trimmed.toLowerCase());
    } catch {
      throw new CardError('unrecognised', NOT_A_CARD);
    }
    return checkedUrl(decoded, opts);
  }
  throw new CardError('unrecognised', NOT_A_CARD);
}

/** GET `url` and parse its JSON, reading at most maxBytes within timeoutMs. */
async function getJson(url: URL, opts: WithdrawClientOptions): Promise<unknown> {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const unreachable = (why: string) =>
    new CardError(
      'unreachable',
      `The card’s service (${url.host}) ${why}. Ask the customer to tap again, or take another payment.`,
    );
  const signal = AbortSignal.timeout(timeoutMs);
  let text: string;
  let responded = false;
  try {
    // A redirect could lead from https to plain http: none is followed.
    const res = await doFetch(url, { signal, redirect: 'error', headers: { accept: 'application/json' } });
    responded = true;
    const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = res.body?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          await reader.cancel();
          throw unreachable('sent an answer far too long to be a card’s');
        }
        chunks.push(value);
      }
    }
    text = Buffer.concat(chunks).toString('utf8');
    if (!res.ok && text.trim() === '') throw unreachable(`answered HTTP ${res.status}`);
  } catch (err) {
    if (err instanceof CardError) throw err;
    if (signal.aborted) throw unreachable(`did not answer within ${timeoutMs / 1000} s`);
    throw unreachable(responded ? 'cut its answer off' : 'cannot be reached');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw unreachable('sent an answer the till cannot read');
  }
}

function declinedBy(body: unknown): CardError | null {
  const error = ErrorResponse.safeParse(body);
  if (!error.success) return null;
  const reason = (error.data.reason ?? '').replace(/\s+/g, ' ').trim().slice(0, 200);
  return new CardError(
    'declined',
    reason
      ? `The card was declined: ${reason}. Take another payment.`
      : 'The card was declined. Take another payment.',
  );
}

/** LUD-03 steps 2–3: the withdraw request behind the card's URL. */
export async function requestWithdraw(url: URL, opts: WithdrawClientOptions = {}): Promise<WithdrawRequest> {
  const body = await getJson(url, opts);
  const declined = declinedBy(body);
  if (declined) throw declined;
  const parsed = WithdrawResponse.safeParse(body);
  if (!parsed.success) {
    const tag = (body as { tag?: unknown } | null)?.tag;
    if (typeof tag === 'string' && tag !== 'withdrawRequest') {
      throw new CardError('unrecognised', NOT_A_CARD);
    }
    throw new CardError(
      'unreachable',
      `The card’s service (${url.host}) sent an answer that is not a withdraw request. Take another payment.`,
    );
  }
  const r = parsed.data;
  return {
    callback: checkedUrl(r.callback, opts),
    k1: r.k1,
    minWithdrawable: BigInt(r.minWithdrawable),
    maxWithdrawable: BigInt(r.maxWithdrawable),
    defaultDescription: r.defaultDescription ?? '',
  };
}

/** LUD-03 steps 5–6: the invoice to the callback with k1; resolves once the service said OK. */
export async function sendInvoice(
  request: Pick<WithdrawRequest, 'callback' | 'k1'>,
  bolt11: string,
  opts: WithdrawClientOptions = {},
): Promise<void> {
  const url = new URL(request.callback);
  // LUD-03: `?` or `&` depending on whether the callback already has a query string.
  url.searchParams.set('k1', request.k1);
  url.searchParams.set('pr', bolt11);
  const body = await getJson(url, opts);
  const declined = declinedBy(body);
  if (declined) throw declined;
  if (!OkResponse.safeParse(body).success) {
    throw new CardError(
      'unreachable',
      `The card’s service (${url.host}) gave an answer that is neither OK nor an error. Wait a moment: if the sale does not turn paid, take another payment.`,
    );
  }
}
