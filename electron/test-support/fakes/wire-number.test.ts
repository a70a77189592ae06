import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { msatToJsonNumber } from './wire-number.js';

describe('msatToJsonNumber', () => {
  const MAX = 2n ** 53n - 1n;

  it('gives the same integer for every amount up to 2^53 - 1', () => {
    expect(msatToJsonNumber(0n)).toBe(0);
    expect(msatToJsonNumber(1_000n)).toBe(1000);
    expect(msatToJsonNumber(MAX)).toBe(Number.MAX_SAFE_INTEGER);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX }), (msat) => {
        const n = msatToJsonNumber(msat);
        expect(Number.isSafeInteger(n)).toBe(true);
        expect(BigInt(n)).toBe(msat);
      }),
      { seed: Number(process.env.FC_SEED ?? 20261127) },
    );
  });

  it('refuses 2^53 and above, which a number would round, and negative amounts', () => {
    // 2^53 itself is exact as a float but 2^53 + 1 is not: both are past the last safe integer.
    expect(() => msatToJsonNumber(MAX + 1n)).toThrow(RangeError);
    expect(() => msatToJsonNumber(MAX + 2n)).toThrow(/more than a JSON number holds exactly/);
    expect(() => msatToJsonNumber(2n ** 64n)).toThrow(RangeError);
    expect(() => msatToJsonNumber(-1n)).toThrow(/negative/);
  });
});
