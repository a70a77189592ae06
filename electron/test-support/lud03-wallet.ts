import { bech32 } from '@scure/base';

/**
 * A wallet-side LNURL-withdraw client written from the specs in ../shared/contracts/lnurl (LUD-01,
 * LUD-03), not from the `lnurl` package the till serves with, so the two check each other. It
 * does what a phone's Lightning wallet does with a scanned withdraw QR.
 */

/** LUD-03 step 3: the service's answer to the GET of the decoded LNURL. */
export interface WithdrawRequest {
  tag: 'withdrawRequest';
  callback: string;
  k1: string;
  defaultDescription: string;
  minWithdrawable: number;
  maxWithdrawable: number;
}

/** LUD-01: bech32 with hrp "lnurl" (no 90-character limit), its data the URL's UTF-8 bytes; either case. */
export function decodeLnurl(text: string): string {
  const s = text.trim().replace(/^lightning:/i, '');
  if (s !== s.toLowerCase() && s !== s.toUpperCase()) throw new Error('LNURL: mixed case is not bech32');
  const { prefix, words } = bech32.decode(s.toLowerCase() as `${string}1${string}`, false);
  if (prefix !== 'lnurl') throw new Error(`LNURL: prefix ${prefix}, expected lnurl`);
  return new TextDecoder('utf-8', { fatal: true }).decode(bech32.fromWords(words));
}

/** LUD-01: status codes and headers mean nothing; the body is JSON, an ERROR object or the answer. */
async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  return JSON.parse(await res.text()) as unknown;
}

export type LnurlError = { status: 'ERROR'; reason: string };
const isError = (v: unknown): v is LnurlError =>
  typeof v === 'object' && v !== null && (v as { status?: unknown }).status === 'ERROR';

/** LUD-03 steps 1–3: decode, GET, check the answer's shape. An ERROR answer comes back as is. */
export async function readWithdraw(lnurl: string): Promise<WithdrawRequest | LnurlError> {
  const url = decodeLnurl(lnurl);
  // LUD-01: https, or http to an onion; a test (and a shop's LAN) uses http on a private address.
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new Error(`LNURL: ${parsed.protocol}`);
  const body = await getJson(url);
  if (isError(body)) return body;
  const r = body as Partial<WithdrawRequest>;
  if (r.tag !== 'withdrawRequest') throw new Error(`LUD-03: tag ${String(r.tag)}`);
  for (const key of ['callback', 'k1', 'defaultDescription'] as const) {
    if (typeof r[key] !== 'string') throw new Error(`LUD-03: ${key} is not a string`);
  }
  for (const key of ['minWithdrawable', 'maxWithdrawable'] as const) {
    if (typeof r[key] !== 'number' || !Number.isInteger(r[key]) || r[key] < 0) {
      throw new Error(`LUD-03: ${key} is not a whole number of msat`);
    }
  }
  if (r.maxWithdrawable! < r.minWithdrawable!) throw new Error('LUD-03: max below min');
  return r as WithdrawRequest;
}

/** LUD-03 step 5: the callback, with '?' or '&' as the callback already has a query or not. */
export function callbackUrl(req: Pick<WithdrawRequest, 'callback' | 'k1'>, invoice: string): string {
  const sep = req.callback.includes('?') ? '&' : '?';
  return `${req.callback}${sep}k1=${encodeURIComponent(req.k1)}&pr=${encodeURIComponent(invoice)}`;
}

export async function sendInvoice(
  req: Pick<WithdrawRequest, 'callback' | 'k1'>,
  invoice: string,
): Promise<{ status: 'OK' } | LnurlError> {
  const body = await getJson(callbackUrl(req, invoice));
  if (isError(body)) return body;
  if ((body as { status?: unknown }).status !== 'OK')
    throw new Error(`LUD-03: answer ${JSON.stringify(body)}`);
  return { status: 'OK' };
}

/**
 * The whole withdrawal as a wallet does it: reads the link, makes an invoice for the most it
 * may take (min = max for a refund), sends it. `makeInvoice` is the wallet's own node.
 */
export async function withdraw(
  lnurl: string,
  makeInvoice: (msat: bigint, description: string) => string,
): Promise<{ request: WithdrawRequest; invoice: string; answer: { status: 'OK' } | LnurlError }> {
  const request = await readWithdraw(lnurl);
  if (isError(request)) throw new Error(`the service refused the link: ${request.reason}`);
  const invoice = makeInvoice(BigInt(request.maxWithdrawable), request.defaultDescription);
  return { request, invoice, answer: await sendInvoice(request, invoice) };
}
