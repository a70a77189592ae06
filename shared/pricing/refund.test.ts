import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSeed } from '../test-support/seed.js';
import { refundAmounts, RefundAmountError, type SoldLine } from './refund.js';

const SEED = runSeed('REFUND_SEED');

/** A sold line: 1–12 units, a gross, its tax and discount at most the gross. */
const soldLine = (i: number): fc.Arbitrary<SoldLine> =>
  fc
    .tuple(
      fc.integer({ min: 1, max: 12 }),
      fc.bigInt({ min: 0n, max: 10n ** 7n }),
      fc.double({ min: 0, max: 1, noNaN: true }),
    )
    .map(([quantity, gross, f]) => {
      const tax = (gross * BigInt(Math.floor(f * 1000))) / 1000n;
      return { lineId: `l${i}`, title: `Line ${i}`, quantity, gross, tax, discount: tax / 2n };
    });

const sale = fc
  .integer({ min: 1, max: 5 })
  .chain((n) =>
    fc.tuple(
      fc.tuple(...Array.from({ length: n }, (_, i) => soldLine(i))),
      fc.bigInt({ min: 0n, max: 10n ** 5n }),
      fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 40 }),
    ),
  );

describe(`refund amounts (R6, cumulative half-up), seed ${SEED}`, () => {
  it('however a sale comes back, piece by piece, its refunds add up to exactly its total and tax', () => {
    fc.assert(
      fc.property(sale, ([lines, tipAmount, picks]) => {
        const returned = new Map<string, number>();
        let tipRefunded = false;
        let amount = 0n;
        let tax = 0n;
        // Random partial refunds until everything is back.
        for (let k = 0; ; k++) {
          const open = lines.filter((l) => (returned.get(l.lineId) ?? 0) < l.quantity);
          if (open.length === 0 && tipRefunded) break;
          const pick = picks[k % picks.length]!;
          const chosen = open.filter((_, i) => (pick >> i) % 2 === 0);
          // Always something: the chosen lines, else the first still open (else only the tip).
          const parts = (chosen.length > 0 ? chosen : open.slice(0, 1)).map((l) => {
            const left = l.quantity - (returned.get(l.lineId) ?? 0);
            return { lineId: l.lineId, quantity: 1 + (pick % left) };
          });
          const refundTip: boolean = !tipRefunded && (parts.length === 0 || pick % 3 === 0);
          const r = refundAmounts(
            lines,
            { amount: tipAmount + 1n, tax: 0n },
            returned,
            tipRefunded,
            parts,
            refundTip,
          );
          for (const p of r.lines) {
            const line = lines.find((l) => l.lineId === p.lineId)!;
            // Within one minor unit of the exact proportional value.
            const exact = (line.gross * BigInt(p.quantity) * 2n) / BigInt(line.quantity);
            expect(p.amount * 2n - exact <= 2n && exact - p.amount * 2n <= 2n).toBe(true);
            returned.set(p.lineId, (returned.get(p.lineId) ?? 0) + p.quantity);
          }
          tipRefunded ||= refundTip;
          amount += r.amount;
          tax += r.tax;
        }
        const total = lines.reduce((a, l) => a + l.gross, 0n) + tipAmount + 1n;
        expect(amount).toBe(total);
        expect(tax).toBe(lines.reduce((a, l) => a + l.tax, 0n));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('refuses more than remains, a line twice, a line not on the sale, and the tip twice', () => {
    const lines: SoldLine[] = [
      { lineId: 'a', title: 'Flat White', quantity: 2, gross: 800n, tax: 0n, discount: 0n },
    ];
    const r = (returned: number, quantity: number) =>
      refundAmounts(lines, null, new Map([['a', returned]]), false, [{ lineId: 'a', quantity }], false);
    expect(r(0, 2).amount).toBe(800n);
    expect(() => r(1, 2)).toThrow(
      new RefundAmountError('Flat White: only 1 of the 2 sold can still come back (1 already returned).'),
    );
    expect(() => r(2, 1)).toThrow(/all 2 sold already came back/);
    expect(() =>
      refundAmounts(
        lines,
        null,
        new Map(),
        false,
        [
          { lineId: 'a', quantity: 1 },
          { lineId: 'a', quantity: 1 },
        ],
        false,
      ),
    ).toThrow(/chosen twice/);
    expect(() => refundAmounts(lines, null, new Map(), false, [{ lineId: 'b', quantity: 1 }], false)).toThrow(
      /not on this sale/,
    );
    expect(() => refundAmounts(lines, { amount: 5n, tax: 0n }, new Map(), true, [], true)).toThrow(
      /already given back/,
    );
  });
});
