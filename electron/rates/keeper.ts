import type { RateQuote } from '../../shared/domain/index.js';
import { parseDecimal } from '../../shared/money/index.js';
import { RateError } from './public-sources.js';
import type { RateSource } from './source.js';

/**
 * Keeps the last good quote per currency. A charge gets the last quote while it is a minute
 * old at most, else a fresh one; when the source fails, the last good quote while it is
 * younger than `maxAgeMs`, then a manager's rate; past that the till refuses to price a
 * Lightning charge rather than sell at a stale rate.
 */
export interface RateKeeper {
  current(currency: string): Promise<RateQuote>;
  /** Fetches now (the background refresh); never throws. */
  refresh(currency: string): Promise<RateQuote | null>;
  last(currency: string): RateQuote | null;
  setSource(source: RateSource): void;
  /** A manager's rate, used while the source cannot give a fresh one. */
  setManual(quote: RateQuote | null): void;
}

/** A quote this young is reused as is: no round trip to the exchange per charge. */
const REUSE_MS = 60_000;
/** A manager's rate stands in for at most a working day. */
const MANUAL_MAX_AGE_MS = 12 * 3600_000;

export function createRateKeeper(opts: {
  source: RateSource;
  maxAgeMs: () => number;
  now: () => Date;
  /** A source answered (the journal keeps it for a restart while offline). */
  onFresh?: (quote: RateQuote) => void;
}): RateKeeper {
  const last = new Map<string, RateQuote>();
  let source = opts.source;
  let manual: RateQuote | null = null;
  const age = (q: RateQuote) => opts.now().getTime() - Date.parse(q.fetchedAt);

  async function fetchFresh(currency: string): Promise<RateQuote> {
    const quote = await source.quote(currency);
    last.set(currency, quote);
    try {
      opts.onFresh?.(quote);
    } catch {
      // Keeping it for a restart is a convenience: the quote stands for this run all the same.
    }
    return quote;
  }

  return {
    async current(currency) {
      const prev = last.get(currency);
      if (prev && age(prev) <= Math.min(REUSE_MS, opts.maxAgeMs()) && prev.source === source.label)
        return prev;
      try {
        return await fetchFresh(currency);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        if (prev && age(prev) <= opts.maxAgeMs()) return prev;
        if (manual && manual.currency === currency && age(manual) <= MANUAL_MAX_AGE_MS) return manual;
        const stale =
          prev === undefined
            ? 'there is no earlier rate'
            : `the last rate is ${Math.round(age(prev) / 60_000)} minutes old`;
        throw new RateError(
          `${reason}; ${stale}. A manager must enter a rate in Settings to take Lightning payments.`,
        );
      }
    },
    async refresh(currency) {
      try {
        return await fetchFresh(currency);
      } catch {
        return null;
      }
    },
    last: (currency) => last.get(currency) ?? null,
    setSource(next) {
      source = next;
      last.clear();
    },
    setManual(quote) {
      manual = quote;
    },
  };
}

export const MANUAL_RATE_LABEL = 'Manual rate';

/** A rate a manager typed in, labelled as such on every receipt that uses it. */
export function createManualRateSource(rate: string, currency: string, enteredAt: Date): RateSource {
  let value;
  try {
    value = parseDecimal(rate);
  } catch {
    throw new RateError(`"${rate}" is not a number: enter the price of one bitcoin, e.g. 97250.50`);
  }
  if (value.units <= 0n) throw new RateError('The rate must be greater than zero');
  return {
    id: 'manual',
    label: MANUAL_RATE_LABEL,
    quote(c) {
      if (c !== currency) return Promise.reject(new RateError(`The manual rate is in ${currency}, not ${c}`));
      return Promise.resolve({
        currency,
        rate,
        source: MANUAL_RATE_LABEL,
        fetchedAt: enteredAt.toISOString(),
      });
    },
  };
}
