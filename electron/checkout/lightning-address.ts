import { createHash } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';
import { formatSats } from '../../shared/money/index.js';
import { decodeInvoice, type DecodedInvoice } from '../lightning/bolt11/decode.js';

/**
 * Lightning Address refunds (LUD-16 over LUD-06 payRequest): the customer gives name@wallet.com
 * instead of an invoice, and the till asks that wallet's service for an invoice of exactly the
 * refund's msat. The answer is checked before anything is paid — the amount, and the invoice's
 * description hash against the service's metadata (LUD-06 step 6) — and then handed to the
 * ordinary Lightning refund (electron/checkout/refunds.ts), which checks network and expiry,
 * journals and pays it once. Everything the service sends is untrusted: sizes and times are
 * bounded, and every failure is a TillError in words a cashier can act on.
 */

export interface LightningAddressDeps {
  /** The HTTP client (tests pass one that counts calls); the global fetch by default. */
  fetch?: typeof fetch;
  /**
   * Hosts (host or host:port) reached over plain http: for tests against an in-process fake on
   * 127.0.0.1 only. Every other host is https, and .onion http (LUD-16).
   */
  insecureHosts?: readonly string[];
  timeoutMs?: number;
}

export interface LightningAddress {
  user: string;
  /** The host, with a port when one was given. */
  domain: string;
}

/** How long each of the two requests may take. */
const TIMEOUT_MS = 10_000;
/** LUD-06 allows a 136,536-character image in the metadata; nothing sane is larger than this. */
const MAX_BODY_BYTES = 256 * 1024;
/** A service's own error words are shown, but never a page of them. */
const MAX_REASON = 160;

// LUD-16: "The <username> is limited to a-z0-9-_." (a customer's phone may capitalise it).
const ADDRESS =
  /^([a-z0-9\-_.+]+)@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?::\d{1,5})?)$/;

/** The Lightning Address in what was typed or scanned ("lightning:" and case forgiven), or null. */
export function parseLightningAddress(text: string): LightningAddress | null {
  const t = text
    .trim()
    .replace(/^lightning:/i, '')
    .toLowerCase();
  if (t.length > 320) return null;
  const m = ADDRESS.exec(t);
  if (!m) return null;
  // LUD-16 allows no '+'; a tag some wallets add is not something to guess about.
  if (m[1]!.includes('+')) return null;
  return { user: m[1]!, domain: m[2]! };
}

export const formatAddress = (a: LightningAddress) => `${a.user}@${a.domain}`;

const hostOf = (domain: string) => domain.replace(/:\d+$/, '');

export function createLightningAddressClient(deps: LightningAddressDeps = {}) {
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? TIMEOUT_MS;
  const insecure = new Set(deps.insecureHosts ?? []);

  /** https, except http for .onion (LUD-16) and for the hosts tests name. */
  function allowedScheme(url: URL): boolean {
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && (hostOf(url.host).endsWith('.onion') || insecure.has(url.host));
  }

  function unreachable(address: string, domain: string): TillError {
    return new TillError(
      'BackendUnavailable',
      `The till could not reach ${domain} to pay ${address}. Check the address with the customer, or refund in cash or to an invoice.`,
    );
  }

  function notUnderstood(address: string, domain: string, what: string): TillError {
    return new TillError(
      'BackendUnavailable',
      `${domain} did not answer as a Lightning Address service should (${what}), so nothing was paid to ${address}. Refund in cash or to an invoice.`,
    );
  }

  /** GETs JSON with a time limit and a size limit; what the service says, or a TillError. */
  async function getJson(
    url: URL,
    address: string,
    domain: string,
  ): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      // No redirects: one could take the till off https, or to a host nobody checked.
      res = await doFetch(url, {
        redirect: 'error',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw unreachable(address, domain);
    }
    let text: string;
    try {
      text = await readCapped(res);
    } catch (err) {
      if (err instanceof TillError) throw err;
      throw unreachable(address, domain);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    return { status: res.status, body };

    async function readCapped(r: Response): Promise<string> {
      const declared = Number(r.headers.get('content-length') ?? '0');
      if (declared > MAX_BODY_BYTES) throw notUnderstood(address, domain, 'its answer was far too long');
      if (!r.body) return '';
      const reader = (r.body as ReadableStream<Uint8Array>).getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > MAX_BODY_BYTES) {
          await reader.cancel().catch(() => undefined);
          throw notUnderstood(address, domain, 'its answer was far too long');
        }
        chunks.push(value);
      }
      return Buffer.concat(chunks).toString('utf8');
    }
  }

  /** LUD-06: `{"status": "ERROR", "reason": …}`, in the service's own words (trimmed). */
  function serviceError(body: unknown): string | null {
    if (typeof body !== 'object' || body === null) return null;
    const b = body as Record<string, unknown>;
    if (typeof b.status !== 'string' || b.status.toUpperCase() !== 'ERROR') return null;
    const reason = typeof b.reason === 'string' ? b.reason : '';
    // Control characters (a newline, an escape) would break the cashier's one-line message.
    const clean = [...reason]
      .map((c) => (c < ' ' || c === '\u007f' ? ' ' : c))
      .join('')
      .trim()
      .slice(0, MAX_REASON);
    return clean || 'no reason given';
  }

  /**
   * An invoice for exactly `amountMsat` to the Lightning Address, checked against what LUD-06
   * says a wallet must check. Pays nothing.
   */
  async function invoiceFor(
    addr: LightningAddress,
    amountMsat: bigint,
  ): Promise<{ invoice: string; decoded: DecodedInvoice }> {
    const address = formatAddress(addr);
    const { domain } = addr;
    const scheme = hostOf(domain).endsWith('.onion') || insecure.has(domain) ? 'http' : 'https';
    let first: URL;
    try {
      first = new URL(`${scheme}://${domain}/.well-known/lnurlp/${encodeURIComponent(addr.user)}`);
    } catch {
      throw new TillError('ValidationError', `${address} is not a Lightning Address the till can use.`);
    }

    // LUD-16 → LUD-06 step 3: the payRequest.
    const info = await getJson(first, address, domain);
    const refused = serviceError(info.body);
    if (info.status === 404 || (refused !== null && info.status >= 400 && info.status < 500)) {
      throw new TillError(
        'NotFound',
        `${domain} has no Lightning Address “${addr.user}”: check the spelling with the customer.`,
      );
    }
    if (refused !== null) {
      throw new TillError(
        'BackendUnavailable',
        `${domain} refused the refund to ${address}: “${refused}”. Refund in cash or to an invoice.`,
      );
    }
    if (info.status < 200 || info.status >= 300) {
      throw notUnderstood(address, domain, `it answered HTTP ${info.status}`);
    }
    const pay = info.body;
    if (typeof pay !== 'object' || pay === null) throw notUnderstood(address, domain, 'no JSON');
    const p = pay as Record<string, unknown>;
    if (p.tag !== 'payRequest') throw notUnderstood(address, domain, 'it is not a pay request');
    if (typeof p.callback !== 'string' || typeof p.metadata !== 'string')
      throw notUnderstood(address, domain, 'no callback or metadata');
    const min = wholeMsat(p.minSendable);
    const max = wholeMsat(p.maxSendable);
    if (min === null || max === null || min < 1n || min > max)
      throw notUnderstood(address, domain, 'its amount limits make no sense');
    if (amountMsat < min || amountMsat > max) {
      throw new TillError(
        'ValidationError',
        `${address} takes between ${formatSats(min)} and ${formatSats(max)}, but this refund is ${formatSats(amountMsat)}: refund in cash, or ask the customer for an invoice.`,
      );
    }
    let callback: URL;
    try {
      callback = new URL(p.callback);
    } catch {
      throw notUnderstood(address, domain, 'its callback is not an address');
    }
    if (!allowedScheme(callback)) throw notUnderstood(address, domain, 'its callback is not https');

    // LUD-06 step 4: `<callback><?|&>amount=<milliSatoshi>`.
    callback.searchParams.set('amount', amountMsat.toString());
    const answer = await getJson(callback, address, domain);
    const declined = serviceError(answer.body);
    if (declined !== null) {
      throw new TillError(
        'BackendUnavailable',
        `${domain} would not make an invoice for ${address}: “${declined}”. Refund in cash or to an invoice.`,
      );
    }
    if (answer.status < 200 || answer.status >= 300)
      throw notUnderstood(address, domain, `its callback answered HTTP ${answer.status}`);
    const pr =
      typeof answer.body === 'object' && answer.body !== null
        ? (answer.body as Record<string, unknown>).pr
        : undefined;
    if (typeof pr !== 'string' || pr.length === 0 || pr.length > 4096)
      throw notUnderstood(address, domain, 'no invoice in its answer');

    let decoded: DecodedInvoice;
    try {
      decoded = decodeInvoice(pr);
    } catch {
      throw notUnderstood(address, domain, 'its invoice cannot be read');
    }
    // LUD-06 steps 6 and 7: the invoice is for this metadata and this amount, or it is not paid.
    const hash = createHash('sha256').update(Buffer.from(p.metadata, 'utf8')).digest('hex');
    if (decoded.descriptionHash !== hash) {
      throw new TillError(
        'ValidationError',
        `The invoice ${domain} sent for ${address} does not match its own description, so it was not paid. Refund in cash, or ask the customer for an invoice.`,
      );
    }
    if (decoded.amountMsat !== amountMsat) {
      throw new TillError(
        'ValidationError',
        `The invoice ${domain} sent for ${address} asks for ${decoded.amountMsat === null ? 'any amount' : formatSats(decoded.amountMsat)}, not the refund's ${formatSats(amountMsat)}, so it was not paid. Refund in cash, or ask the customer for an invoice.`,
      );
    }
    return { invoice: pr, decoded };
  }

  return { invoiceFor };
}

export type LightningAddressClient = ReturnType<typeof createLightningAddressClient>;

/** A JSON number of whole msat (LUD-06 sends numbers); null for anything else. */
function wholeMsat(v: unknown): bigint | null {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return null;
  return BigInt(v);
}
