import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  currencyExponent,
  divRound,
  fiatToDecimalString,
  fiatToMsat,
  invoiceMsat,
  formatFiat,
  formatSats,
  MoneyError,
  msatToFiat,
  parseFiat,
  roundToSat,
  split,
  toJsonExact,
  type Rounding,
} from './index.js';

const rounding = fc.constantFrom<Rounding>('down', 'up', 'half-up', 'half-even');
const currency = fc.constantFrom('USD', 'EUR', 'JPY', 'KWD', 'CHF');
const rateString = fc
  .tuple(fc.bigInt({ min: 1n, max: 10n ** 9n }), fc.integer({ min: 0, max: 8 }))
  .map(([units, scale]) => {
    const s = units.toString().padStart(scale + 1, '0');
    return scale === 0 ? s : `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  });

describe('divRound', () => {
  it('brackets the exact quotient and rounds the way its name says', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        rounding,
        (n, d, r) => {
          const q = divRound(n, d, r);
          // q is floor or ceil of n/d
          const lo = q * d;
          expect(lo - n < d && n - lo < d).toBe(true);
          const floorQ = n >= 0n || n % d === 0n ? n / d : n / d - 1n;
          const exact = n % d === 0n;
          if (exact) expect(q).toBe(n / d);
          else if (r === 'down') expect(q).toBe(floorQ);
          else if (r === 'up') expect(q).toBe(floorQ + 1n);
          else {
            const twiceRem = 2n * (n - floorQ * d);
            if (twiceRem > d) expect(q).toBe(floorQ + 1n);
            else if (twiceRem < d) expect(q).toBe(floorQ);
            else if (r === 'half-up') expect(q).toBe(floorQ + 1n);
            else expect(q % 2n).toBe(0n);
          }
        },
      ),
    );
  });

  it('rounds known halves', () => {
    expect(divRound(5n, 2n, 'half-even')).toBe(2n);
    expect(divRound(7n, 2n, 'half-even')).toBe(4n);
    expect(divRound(5n, 2n, 'half-up')).toBe(3n);
    expect(divRound(-5n, 2n, 'half-up')).toBe(-2n);
    expect(divRound(-5n, 2n, 'down')).toBe(-3n);
    expect(divRound(-5n, 2n, 'up')).toBe(-2n);
  });
});

describe('parsing and formatting fiat', () => {
  it('knows currency exponents', () => {
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
    expect(() => currencyExponent('usd')).toThrow(MoneyError);
  });

  it('parses decimal strings exactly', () => {
    expect(parseFiat('12.50', 'USD')).toBe(1250n);
    expect(parseFiat('12.5', 'USD')).toBe(1250n);
    expect(parseFiat('12', 'USD')).toBe(1200n);
    expect(parseFiat('1200', 'JPY')).toBe(1200n);
    expect(parseFiat('1.234', 'KWD')).toBe(1234n);
    expect(parseFiat('0.10', 'USD')).toBe(10n);
    expect(parseFiat('19.990', 'USD')).toBe(1999n);
  });

  it('refuses more precision than the currency has, and non-numbers', () => {
    expect(() => parseFiat('1.005', 'USD')).toThrow(/more decimals/);
    expect(() => parseFiat('12.5', 'JPY')).toThrow(/more decimals/);
    expect(() => parseFiat('1e3', 'USD')).toThrow(MoneyError);
    expect(() => parseFiat('', 'USD')).toThrow(MoneyError);
    expect(() => parseFiat('12,50', 'USD')).toThrow(MoneyError);
  });

  it('round-trips minor units through the decimal string', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), currency, (minor, cur) => {
        expect(parseFiat(fiatToDecimalString(minor, cur), cur)).toBe(minor);
      }),
    );
  });

  it('formats with Intl without losing precision', () => {
    expect(formatFiat(1250n, 'USD', 'en-US')).toBe('$12.50');
    expect(formatFiat(123456789012345678n, 'USD', 'en-US')).toBe('$1,234,567,890,123,456.78');
    expect(formatFiat(1200n, 'JPY', 'en-US')).toBe('¥1,200');
    expect(formatSats(12_345_000n, 'en-US')).toBe('12,345 sats');
    expect(formatSats(1_500n, 'en-US')).toBe('1.500 sats');
  });
});

describe('fiat ↔ msat', () => {
  it('converts known amounts', () => {
    // 12.50 USD at 100 000 USD/BTC = 0.000125 BTC = 12 500 sats
    expect(fiatToMsat(1250n, 'USD', '100000', 'up')).toBe(12_500_000n);
    expect(fiatToMsat(1250n, 'USD', '100000.00', 'down')).toBe(12_500_000n);
    // 1 USD at 3 USD/BTC = 1/3 BTC
    expect(fiatToMsat(100n, 'USD', '3', 'down')).toBe(33_333_333_333n);
    expect(fiatToMsat(100n, 'USD', '3', 'up')).toBe(33_333_333_334n);
    expect(fiatToMsat(1000n, 'JPY', '15000000', 'half-even')).toBe(6_666_666n + 1n);
    expect(msatToFiat(12_500_000n, 'USD', '100000', 'half-up')).toBe(1250n);
  });

  it('rounds the way it says: down never exceeds the exact value, up never falls below it', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), currency, rateString, (minor, cur, rate) => {
        const down = fiatToMsat(minor, cur, rate, 'down');
        const up = fiatToMsat(minor, cur, rate, 'up');
        expect(up - down === 0n || up - down === 1n).toBe(true);
        // Converting back: down msat is worth at most the price, up msat at least the price.
        expect(msatToFiat(down, cur, rate, 'down') <= minor).toBe(true);
        expect(msatToFiat(up, cur, rate, 'up') >= minor).toBe(true);
      }),
    );
  });

  it('rejects zero, negative and malformed rates', () => {
    expect(() => fiatToMsat(100n, 'USD', '0', 'up')).toThrow(/greater than zero/);
    expect(() => fiatToMsat(100n, 'USD', '-5', 'up')).toThrow(/greater than zero/);
    expect(() => fiatToMsat(100n, 'USD', 'NaN', 'up')).toThrow(MoneyError);
  });

  it('rounds to whole sats', () => {
    expect(roundToSat(12_345_001n, 'up')).toBe(12_346_000n);
    expect(roundToSat(12_345_999n, 'down')).toBe(12_345_000n);
    expect(roundToSat(12_345_000n, 'up')).toBe(12_345_000n);
  });

  it('prices an invoice in whole sats, never below the price', () => {
    // €4.95 at 92 000 EUR/BTC is 5 380.4347… sats: the invoice asks 5 381.
    expect(invoiceMsat(495n, 'EUR', '92000.00')).toBe(5_381_000n);
    expect(invoiceMsat(1250n, 'USD', '100000')).toBe(12_500_000n);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), currency, rateString, (minor, cur, rate) => {
        const msat = invoiceMsat(minor, cur, rate);
        expect(msat % 1000n).toBe(0n);
        expect(msatToFiat(msat, cur, rate, 'up') >= minor).toBe(true);
      }),
    );
  });
});

describe('splits', () => {
  it('allocate always sums exactly and stays within one unit of the exact share', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc
          .array(fc.bigInt({ min: 0n, max: 10n ** 6n }), { minLength: 1, maxLength: 20 })
          .filter((w) => w.some((x) => x > 0n)),
        (total, weights) => {
          const parts = allocate(total, weights);
          const sum = weights.reduce((a, b) => a + b, 0n);
          expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
          parts.forEach((p, i) => {
            const exactTimesSum = total * weights[i]!;
            const diff = p * sum - exactTimesSum;
            expect(diff < sum && diff > -sum).toBe(true);
          });
        },
      ),
    );
  });

  it('split gives parts that differ by at most one', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 1, max: 50 }), (total, n) => {
        const parts = split(total, n);
        expect(parts).toHaveLength(n);
        expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
        const max = parts.reduce((a, b) => (a > b ? a : b));
        const min = parts.reduce((a, b) => (a < b ? a : b));
        expect(max - min <= 1n).toBe(true);
      }),
    );
    expect(split(100n, 3)).toEqual([34n, 33n, 33n]);
  });

  it('rejects impossible splits', () => {
    expect(() => allocate(10n, [])).toThrow(MoneyError);
    expect(() => allocate(10n, [0n, 0n])).toThrow(MoneyError);
    expect(() => split(10n, 0)).toThrow(MoneyError);
  });
});

describe('toJsonExact', () => {
  it('writes bigints as JSON integers from their digits, exact beyond 2^53, and nothing else changes', () => {
    const big = 2n ** 64n - 1n;
    const text = toJsonExact({
      amount: big,
      less: -9_007_199_254_740_993n,
      list: [1n, 'bigint-x:5', 2.5],
      s: '"q"',
    });
    expect(text).toBe(
      '{"amount":18446744073709551615,"less":-9007199254740993,"list":[1,"bigint-x:5",2.5],"s":"\\"q\\""}',
    );
    // A float could not have carried them: the digits are the bigint's own.
    expect(text).toContain(big.toString());
    expect(JSON.parse(text)).toMatchObject({ list: [1, 'bigint-x:5', 2.5], s: '"q"' });
  });
});
