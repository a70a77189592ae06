import type { RateSource } from './source.js';

/**
 * A fixed, clearly labelled rate for demo mode: round numbers near the market so amounts
 * look plausible, never fetched, never mistaken for a live price.
 */
const DEMO_RATES: Readonly<Record<string, string>> = {
  USD: '100000.00',
  EUR: '92000.00',
  GBP: '79000.00',
  CHF: '88000.00',
  CAD: '138000.00',
  AUD: '152000.00',
  JPY: '15000000',
  SEK: '1050000.00',
  NOK: '1080000.00',
  DKK: '686000.00',
  PLN: '395000.00',
  CZK: '2300000.00',
  BRL: '560000.00',
  MXN: '1800000.00',
  ZAR: '1800000.00',
  INR: '8400000.00',
  KWD: '30700.000',
};

export const DEMO_RATE_LABEL = 'Demo fixed rate';

export function createDemoRateSource(now: () => Date): RateSource {
  return {
    id: 'demo',
    label: DEMO_RATE_LABEL,
    quote(currency) {
      const rate = DEMO_RATES[currency];
      if (rate === undefined) {
        return Promise.reject(new Error(`The demo rate has no price for ${currency}`));
      }
      return Promise.resolve({ currency, rate, source: DEMO_RATE_LABEL, fetchedAt: now().toISOString() });
    },
  };
}
