import { z } from 'zod';
import type { RateQuote } from '../../shared/domain/index.js';
import { parseDecimal } from '../../shared/money/index.js';
import type { RateSource } from './source.js';

/**
 * Public BTC spot prices, no API key. Each source is a URL and a parser of its published
 * response; the shared part (timeout, HTTP errors, sanity of the number) is written once.
 * Prices stay decimal strings end to end: they are never parsed into a float.
 */

export type RateSourceId = 'kraken' | 'coinbase' | 'bitstamp' | 'coingecko';

export class RateError extends Error {
  override readonly name = 'RateError';
}

interface SourceSpec {
  label: string;
  baseUrl: string;
  path(currency: string): string;
  /** The price as the decimal literal the source sent, or null when it has none for `currency`. */
  price(body: string, currency: string): string | null;
}

const KrakenTicker = z.object({
  error: z.array(z.string()),
  result: z.record(z.string(), z.object({ c: z.tuple([z.string(), z.string()]) })).optional(),
});
const CoinbaseSpot = z.object({
  data: z.object({ amount: z.string(), base: z.literal('BTC'), currency: z.string() }),
});
const BitstampTicker = z.object({ last: z.string() });

const specs = {
  kraken: {
    label: 'Kraken',
    baseUrl: 'https://api.kraken.com',
    path: (c) => `/0/public/Ticker?pair=XBT${c}`,
    price(body) {
      const t = KrakenTicker.parse(JSON.parse(body));
      // Kraken answers an unknown pair with HTTP 200 and an error list.
      if (t.error.length > 0 || !t.result) return null;
      const [pair] = Object.values(t.result);
      return pair ? pair.c[0] : null;
    },
  },
  coinbase: {
    label: 'Coinbase',
    baseUrl: 'https://api.coinbase.com',
    path: (c) => `/v2/prices/BTC-${c}/spot`,
    price(body, currency) {
      const { data } = CoinbaseSpot.parse(JSON.parse(body));
      return data.currency === currency ? data.amount : null;
    },
  },
  bitstamp: {
    label: 'Bitstamp',
    baseUrl: 'https://www.bitstamp.net',
    path: (c) => `/api/v2/ticker/btc${c.toLowerCase()}/`,
    price: (body) => BitstampTicker.parse(JSON.parse(body)).last,
  },
  coingecko: {
    label: 'CoinGecko',
    baseUrl: 'https://api.coingecko.com',
    path: (c) => `/api/v3/simple/price?ids=bitcoin&vs_currencies=${c.toLowerCase()}`,
    price(body, currency) {
      // CoinGecko sends the price as a JSON number; JSON.parse would turn 97000.12 into a
      // binary float. The literal is read from the text instead (after checking the shape).
      const parsed = z.object({ bitcoin: z.record(z.string(), z.number()) }).parse(JSON.parse(body));
      if (!(currency.toLowerCase() in parsed.bitcoin)) return null;
      const m = new RegExp(`"${currency.toLowerCase()}"\\s*:\\s*(-?[0-9][0-9.eE+-]*)`).exec(body);
      return m?.[1] ?? null;
    },
  },
} satisfies Record<RateSourceId, SourceSpec>;

export interface PublicSourceOptions {
  fetch?: typeof fetch;
  /** Points the source at a test fake. */
  baseUrl?: string;
  timeoutMs?: number;
  now?: () => Date;
}

/** Prices above this are nonsense for any currency we support (it would be 10^12 per BTC). */
const ABSURD = 10n ** 12n;

export function createPublicRateSource(id: RateSourceId, opts: PublicSourceOptions = {}): RateSource {
  const spec: SourceSpec = specs[id];
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? (() => new Date());
  return {
    id,
    label: spec.label,
    async quote(currency): Promise<RateQuote> {
      const url = `${opts.baseUrl ?? spec.baseUrl}${spec.path(currency)}`;
      let res: Response;
      let body: string;
      try {
        res = await doFetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000) });
        body = await res.text();
      } catch (err) {
        const timedOut =
          err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError');
        throw new RateError(
          timedOut ? `${spec.label} did not answer in time` : `${spec.label} is unreachable (${String(err)})`,
        );
      }
      if (res.status === 429)
        throw new RateError(`${spec.label} is rate-limiting the till; try again in a minute`);
      if (res.status === 404) throw new RateError(`${spec.label} has no BTC price for ${currency}`);
      if (!res.ok) throw new RateError(`${spec.label} answered HTTP ${res.status}`);
      let literal: string | null;
      try {
        literal = spec.price(body, currency);
      } catch {
        throw new RateError(`${spec.label} sent an answer the till does not understand`);
      }
      if (literal === null) throw new RateError(`${spec.label} has no BTC price for ${currency}`);
      let value;
      try {
        value = parseDecimal(literal);
      } catch {
        throw new RateError(`${spec.label} sent a price that is not a positive number ("${literal}")`);
      }
      if (value.units <= 0n) throw new RateError(`${spec.label} sent a price that is not a positive number`);
      if (value.units / 10n ** BigInt(value.scale) >= ABSURD) {
        throw new RateError(`${spec.label} sent an implausible price (${literal} ${currency}/BTC)`);
      }
      return { currency, rate: literal, source: spec.label, fetchedAt: now().toISOString() };
    },
  };
}
