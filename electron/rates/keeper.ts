import type { RateQuote } from '../../shared/domain/index.js';
import { parseDecimal } from '../../shared/money/index.js';
import { RateError } from './public-sources.js';
import type { RateSource } from './source.js';

/**
 * Keeps the last good quote per currency. A charge gets a fresh quote, or the last one while
 * it is younger than `maxAgeMs`; past that the till refuses to price a Lightning charge
 * rather than sell at a stale rate, until a manager enters one.
 */
export interface RateKeeper {
  current(currency: string): Promise<RateQuote>;
  last(currency: string): RateQuote | null;
}

export function createRateKeeper(opts: {
  source: RateSource;
  maxAgeMs: number;
  now: () => Date;
}): RateKeeper {
  const last = new Map<string, RateQuote>();
  return {
    async current(currency) {
      try {
        const quote = await opts.source.quote(currency);
        last.set(currency, quote);
        return quote;
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const prev = last.get(currency);
        const ageMs = prev ? opts.now().getTime() - Date.parse(prev.fetchedAt) : null;
        if (prev && ageMs !== null && ageMs <= opts.maxAgeMs) return prev;
        const age =
          ageMs === null
            ? 'there is no earlier rate'
            : `the last rate is ${Math.round(ageMs / 60_000)} minutes old`;
        throw new RateError(`${reason}; ${age}. A manager must enter a rate to take Lightning payments.`);
      }
    },
    last: (currency) => last.get(currency) ?? null,
  };
}

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
    label: 'Manual rate',
    quote(c) {
      if (c !== currency) return Promise.reject(new RateError(`The manual rate is in ${currency}, not ${c}`));
      return Promise.resolve({ currency, rate, source: 'Manual rate', fetchedAt: enteredAt.toISOString() });
    },
  };
}
