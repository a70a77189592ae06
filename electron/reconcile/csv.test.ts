import fc from 'fast-check';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EXPONENT_EXCEPTIONS, fiatToDecimalString } from '../../shared/money/index.js';
import { openReconcileDb } from '../../shared/reconcile/runner.js';

/**
 * The exports write amounts and texts with SQL macros (plan.ts MACROS_SQL) so DuckDB's COPY can
 * stream them; they must say exactly what the till's own TypeScript says: fiat_text as
 * money/index.ts fiatToDecimalString; defuse as the rule below (OWASP's CSV injection advice).
 */

/** fast-check prints its seed with any counterexample; FC_SEED replays one. */
const seeded = (numRuns: number) => ({
  numRuns,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
});

/** A text starting = + - @ is a formula to a spreadsheet, unless it reads as a number: quote it. */
const defused = (text: string): string => (/^[=+\-@]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text);

describe('the exports’ SQL helpers', () => {
  it('write an amount as money/index.ts does, in every currency exponent, sign and size', async () => {
    const db = await openReconcileDb({ threads: 1 });
    onTestFinished(() => db.close());
    const currencies = ['USD', 'EUR', 'XYZ', ...Object.keys(EXPONENT_EXCEPTIONS)];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.bigInt({ min: -(2n ** 63n) + 1n, max: 2n ** 63n - 1n }),
          fc.bigInt({ min: -20_000n, max: 20_000n }),
        ),
        fc.constantFrom(...currencies),
        async (amount, currency) => {
          const reader = await db.connection.runAndReadAll('SELECT fiat_text($amount::BIGINT, $currency)', {
            amount: amount.toString(),
            currency,
          });
          expect(reader.getRows()[0]![0]).toBe(fiatToDecimalString(amount, currency));
        },
      ),
      seeded(300),
    );
    const nulls = await db.connection.runAndReadAll(
      "SELECT fiat_text(NULL::BIGINT, 'USD'), fiat_text(5::BIGINT, NULL::VARCHAR)",
    );
    expect(nulls.getRows()[0]).toEqual([null, null]);
  }, 60_000);

  it('defuse a text a spreadsheet would read as a formula, and only such a text', async () => {
    const db = await openReconcileDb({ threads: 1 });
    onTestFinished(() => db.close());
    const texts = fc.oneof(
      fc.string(),
      fc.tuple(fc.constantFrom('=', '+', '-', '@', '-1', '1', "'", ''), fc.string()).map(([a, b]) => a + b),
    );
    await fc.assert(
      fc.asyncProperty(texts, async (text) => {
        const reader = await db.connection.runAndReadAll('SELECT defuse($text)', { text });
        expect(reader.getRows()[0]![0]).toBe(defused(text));
      }),
      seeded(300),
    );
  }, 60_000);
});
