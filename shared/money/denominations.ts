/**
 * The notes and coins in circulation, in minor units, largest first: what the float and the
 * drawer are counted in. A currency not listed is counted as a typed total.
 */
const DENOMINATIONS: Record<string, readonly bigint[]> = {
  USD: [10000n, 5000n, 2000n, 1000n, 500n, 100n, 25n, 10n, 5n, 1n],
  CAD: [10000n, 5000n, 2000n, 1000n, 500n, 200n, 100n, 25n, 10n, 5n],
  AUD: [10000n, 5000n, 2000n, 1000n, 500n, 200n, 100n, 50n, 20n, 10n, 5n],
  EUR: [50000n, 20000n, 10000n, 5000n, 2000n, 1000n, 500n, 200n, 100n, 50n, 20n, 10n, 5n, 2n, 1n],
  GBP: [5000n, 2000n, 1000n, 500n, 200n, 100n, 50n, 20n, 10n, 5n, 2n, 1n],
  CHF: [100000n, 20000n, 10000n, 5000n, 2000n, 1000n, 500n, 200n, 100n, 50n, 20n, 10n, 5n],
  JPY: [10000n, 5000n, 2000n, 1000n, 500n, 100n, 50n, 10n, 5n, 1n],
};

export function denominationsOf(currency: string): readonly bigint[] {
  return DENOMINATIONS[currency.toUpperCase()] ?? [];
}
