/**
 * Money never touches a float (ARCHITECTURE.md, "Invariants of money and data").
 * Lightning amounts are bigint millisatoshis; fiat is bigint minor units of a currency
 * whose exponent we know. A rate is a decimal string: fiat major units per 1 BTC.
 */

export type Msat = bigint;
export type MinorUnits = bigint;

export const MSAT_PER_SAT = 1000n;
export const MSAT_PER_BTC = 100_000_000_000n;

export class MoneyError extends Error {
  override readonly name = 'MoneyError';
}

/** ISO 4217 exponents that differ from 2; Intl agrees for every currency we list. */
export const EXPONENT_EXCEPTIONS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

const CURRENCY_CODE = /^[A-Z]{3}$/;

export function currencyExponent(currency: string): number {
  if (!CURRENCY_CODE.test(currency)) throw new MoneyError(`"${currency}" is not an ISO 4217 currency code`);
  return EXPONENT_EXCEPTIONS[currency] ?? 2;
}

export type Rounding = 'down' | 'up' | 'half-up' | 'half-even';

/** Divide n / d (d > 0) to an integer with the given rounding rule. Exact for any sizes. */
export function divRound(n: bigint, d: bigint, rounding: Rounding): bigint {
  if (d <= 0n) throw new MoneyError('divisor must be positive');
  const q = n / d; // truncates toward zero
  const r = n % d;
  if (r === 0n) return q;
  const negative = n < 0n;
  const floor = negative ? q - 1n : q;
  const ceil = floor + 1n;
  const rem = negative ? r + d : r; // remainder of floor division, 0 < rem < d
  switch (rounding) {
    case 'down':
      return floor;
    case 'up':
      return ceil;
    case 'half-up':
      return 2n * rem >= d ? ceil : floor;
    case 'half-even': {
      if (2n * rem > d) return ceil;
      if (2n * rem < d) return floor;
      return floor % 2n === 0n ? floor : ceil;
    }
  }
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** A decimal string as an exact fraction: value = units / 10^scale. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

export function parseDecimal(text: string): Decimal {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new MoneyError(`"${text}" is not a decimal number`);
  const [, sign, whole, frac = ''] = m;
  const units = BigInt(`${whole}${frac}`) * (sign ? -1n : 1n);
  return { units, scale: frac.length };
}

/**
 * Parse a price as Shopify writes it ("12.50", "1200", "0.125") into minor units.
 * Refuses more precision than the currency has rather than rounding silently.
 */
export function parseFiat(text: string, currency: string): MinorUnits {
  const exp = currencyExponent(currency);
  const d = parseDecimal(text);
  if (d.scale <= exp) return d.units * 10n ** BigInt(exp - d.scale);
  const factor = 10n ** BigInt(d.scale - exp);
  if (d.units % factor !== 0n) {
    throw new MoneyError(`"${text}" has more decimals than ${currency} allows (${exp})`);
  }
  return d.units / factor;
}

/** Minor units back to the canonical decimal string ("12.50"). */
/**
 * An amount as a cashier types it ("2.50", "2,5", "300" in yen): minor units, or null when it is
 * not a plain amount with at most the currency's decimals.
 */
export function parseTypedFiat(text: string, currency: string): MinorUnits | null {
  const t = text.trim().replace(',', '.');
  const exponent = currencyExponent(currency);
  const pattern = exponent === 0 ? /^\d{1,9}$/ : new RegExp(`^\\d{1,9}(\\.\\d{1,${exponent}})?$`);
  return pattern.test(t) ? parseFiat(t, currency) : null;
}

export function fiatToDecimalString(minor: MinorUnits, currency: string): string {
  const exp = currencyExponent(currency);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  if (exp === 0) return `${negative ? '-' : ''}${abs}`;
  const s = abs.toString().padStart(exp + 1, '0');
  return `${negative ? '-' : ''}${s.slice(0, -exp)}.${s.slice(-exp)}`;
}

function positiveRate(rate: string): Decimal {
  const r = parseDecimal(rate);
  if (r.units <= 0n) throw new MoneyError(`rate "${rate}" must be greater than zero`);
  return r;
}

/**
 * fiat minor units → msat at `rate` (fiat major units per BTC).
 * msat = minor / 10^exp / rate * 1e11  =  minor * 1e11 * 10^scale / (rate.units * 10^exp)
 */
export function fiatToMsat(minor: MinorUnits, currency: string, rate: string, rounding: Rounding): Msat {
  const exp = BigInt(currencyExponent(currency));
  const r = positiveRate(rate);
  return divRound(minor * MSAT_PER_BTC * 10n ** BigInt(r.scale), r.units * 10n ** exp, rounding);
}

/** msat → fiat minor units at `rate`. */
export function msatToFiat(msat: Msat, currency: string, rate: string, rounding: Rounding): MinorUnits {
  const exp = BigInt(currencyExponent(currency));
  const r = positiveRate(rate);
  return divRound(msat * r.units * 10n ** exp, MSAT_PER_BTC * 10n ** BigInt(r.scale), rounding);
}

/** Invoices are issued in whole satoshis: wallets display sats and some refuse msat precision. */
export function roundToSat(msat: Msat, rounding: Rounding): Msat {
  return divRound(msat, MSAT_PER_SAT, rounding) * MSAT_PER_SAT;
}

/**
 * The sats a Lightning invoice asks for `minor` at `rate`: whole sats, rounded up twice so the
 * merchant never receives less than the price. The invoice and every estimate shown before it
 * (the cart's "≈ … sats") come from here, so the two never disagree.
 */
export function invoiceMsat(minor: MinorUnits, currency: string, rate: string): Msat {
  return roundToSat(fiatToMsat(minor, currency, rate, 'up'), 'up');
}

/**
 * Split `total` into parts proportional to `weights` using the largest-remainder method:
 * the parts always sum to exactly `total`. Ties go to the earlier weight.
 */
export function allocate(total: bigint, weights: readonly bigint[]): bigint[] {
  if (weights.length === 0) throw new MoneyError('allocate needs at least one weight');
  if (weights.some((w) => w < 0n)) throw new MoneyError('weights must not be negative');
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) throw new MoneyError('weights must not all be zero');
  const negative = total < 0n;
  const abs = negative ? -total : total;
  const parts = weights.map((w) => (abs * w) / sum);
  const remainders = weights.map((w, i) => ({ i, rem: (abs * w) % sum }));
  let left = abs - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    left -= 1n;
  }
  return negative ? parts.map((p) => -p) : parts;
}

/** Split `total` into `n` parts that differ by at most one unit and sum exactly. */
export function split(total: bigint, n: number): bigint[] {
  if (!Number.isInteger(n) || n < 1) throw new MoneyError('split needs a positive whole number of parts');
  return allocate(
    total,
    Array.from({ length: n }, () => 1n),
  );
}

/** Format fiat for people, with Intl, without passing through a float. */
export function formatFiat(minor: MinorUnits, currency: string, locale?: string): string {
  // Intl.NumberFormat.format accepts a decimal string exactly (ES2023 "intl.numberformat v3").
  const fmt = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: currencyExponent(currency),
    maximumFractionDigits: currencyExponent(currency),
  });
  return fmt.format(fiatToDecimalString(minor, currency) as unknown as number);
}

/** Whole sats with thin grouping: "12 345 sats". Fractions of a sat are shown when present. */
export function formatSats(msat: Msat, locale?: string): string {
  const whole = msat / MSAT_PER_SAT;
  const frac = msat % MSAT_PER_SAT;
  const grouped = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(whole);
  const fracText = frac === 0n ? '' : `.${(frac < 0n ? -frac : frac).toString().padStart(3, '0')}`;
  return `${grouped}${fracText} sats`;
}

/** A rate string for display: "97 512.30 USD/BTC". */
export function formatRate(rate: string, currency: string, locale?: string): string {
  const r = parseDecimal(rate);
  const text = new Intl.NumberFormat(locale, {
    maximumFractionDigits: Math.min(r.scale, 8),
    minimumFractionDigits: 0,
  }).format(rate as unknown as number);
  return `${text} ${currency}/BTC`;
}

/**
 * JSON in which every bigint is written as an integer literal from its own digits, never
 * through a float: for the protocols whose msat amounts are JSON numbers (NIP-47, clnrest).
 * `JSON.stringify` cannot write a bigint and `JSON.rawJSON` is newer than Node 20, so each
 * bigint stands in as a tagged string (the tag unique to the call) that is then unquoted.
 */
export function toJsonExact(value: unknown): string {
  const tag = `bigint-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}:`;
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${tag}${v}` : v));
  return text
    .split(`"${tag}`)
    .reduce((out, part, i) => (i === 0 ? part : out + part.replace(/^(-?\d+)"/, '$1')));
}
