import { TillError } from '../../shared/contract/index.js';
import type { Settings } from '../../shared/domain/index.js';
import { currencyExponent, formatFiat } from '../../shared/money/index.js';

/**
 * Amounts a careless finger cannot pass: a line or a sale above its soft limit needs the
 * cashier's confirmation, above its hard limit the till refuses, whatever the screen sends.
 */

type AmountLimits = Pick<
  Settings,
  'lineSoftLimit' | 'lineHardLimit' | 'saleSoftLimit' | 'saleHardLimit' | 'maxCashChange'
>;

/** Café and shop defaults, in major units of the till's currency (README, "Limits"). */
const DEFAULT_MAJOR: Record<keyof AmountLimits, bigint> = {
  lineSoftLimit: 1_000n,
  lineHardLimit: 10_000n,
  saleSoftLimit: 2_000n,
  saleHardLimit: 20_000n,
  maxCashChange: 500n,
};

export function defaultLimits(currency: string): AmountLimits {
  const unit = 10n ** BigInt(currencyExponent(currency));
  return {
    lineSoftLimit: DEFAULT_MAJOR.lineSoftLimit * unit,
    lineHardLimit: DEFAULT_MAJOR.lineHardLimit * unit,
    saleSoftLimit: DEFAULT_MAJOR.saleSoftLimit * unit,
    saleHardLimit: DEFAULT_MAJOR.saleHardLimit * unit,
    maxCashChange: DEFAULT_MAJOR.maxCashChange * unit,
  };
}

/**
 * The same limits in another currency's minor units, keeping the figures a manager typed
 * ($1,000.00 → ¥1,000): minor units of the old currency mean nothing in the new one.
 */
export function limitsInCurrency(s: AmountLimits, from: string, to: string): AmountLimits {
  const shift = currencyExponent(to) - currencyExponent(from);
  const scale = (v: bigint) => {
    const scaled = shift >= 0 ? v * 10n ** BigInt(shift) : v / 10n ** BigInt(-shift);
    return scaled > 0n ? scaled : 1n;
  };
  return {
    lineSoftLimit: scale(s.lineSoftLimit),
    lineHardLimit: scale(s.lineHardLimit),
    saleSoftLimit: scale(s.saleSoftLimit),
    saleHardLimit: scale(s.saleHardLimit),
    maxCashChange: scale(s.maxCashChange),
  };
}

/** A soft limit above its hard one would ask to confirm what the till then refuses. */
export function checkLimitPairs(s: Settings): void {
  const issues = [
    ...(s.lineSoftLimit > s.lineHardLimit
      ? [{ path: 'lineSoftLimit', message: 'Ask to confirm at or below the amount a line is refused at' }]
      : []),
    ...(s.saleSoftLimit > s.saleHardLimit
      ? [{ path: 'saleSoftLimit', message: 'Ask to confirm at or below the amount a sale is refused at' }]
      : []),
  ];
  if (issues.length > 0) {
    throw new TillError('ValidationError', issues.map((i) => i.message).join('; '), issues);
  }
}

const refuseAdvice = 'A manager can change the limit in Settings.';

/**
 * A change to the cart that takes one line from `lineBefore` to `lineAfter` (0 for a new line)
 * in a sale of `saleBefore`. Only a change that adds money is checked: taking an item off is
 * always allowed. Soft limits ask when the change crosses them, so a sale confirmed once is
 * not asked again for each item after.
 */
export function checkCartChange(
  s: Settings,
  change: { lineBefore: bigint; lineAfter: bigint; saleBefore: bigint; confirmLarge: boolean },
): void {
  const { lineBefore, lineAfter, saleBefore, confirmLarge } = change;
  if (lineAfter <= lineBefore) return;
  const saleAfter = saleBefore - lineBefore + lineAfter;
  const money = (v: bigint) => formatFiat(v, s.currency);
  if (lineAfter > s.lineHardLimit) {
    throw new TillError(
      'ValidationError',
      `${money(lineAfter)} is more than one line may be on this till (${money(s.lineHardLimit)}). ${refuseAdvice}`,
    );
  }
  if (saleAfter > s.saleHardLimit) {
    throw new TillError(
      'ValidationError',
      `That would make the sale ${money(saleAfter)}, more than one sale may be on this till (${money(s.saleHardLimit)}). ${refuseAdvice}`,
    );
  }
  if (confirmLarge) return;
  if (lineAfter > s.lineSoftLimit && lineBefore <= s.lineSoftLimit) {
    throw new TillError('NeedsConfirmation', `This is ${money(lineAfter)} — is that right?`);
  }
  if (saleAfter > s.saleSoftLimit && saleBefore <= s.saleSoftLimit) {
    throw new TillError('NeedsConfirmation', `This sale comes to ${money(saleAfter)} — is that right?`);
  }
}

/** A sale about to be charged: its total is never above the hard limit (limits may have been lowered). */
export function checkSaleTotal(s: Settings, total: bigint): void {
  if (total > s.saleHardLimit) {
    throw new TillError(
      'ValidationError',
      `This sale is ${formatFiat(total, s.currency)}, more than one sale may be on this till (${formatFiat(s.saleHardLimit, s.currency)}). Take items off the cart; ${refuseAdvice.toLowerCase()}`,
    );
  }
}

/** Cash handed over: at least the total, and no more than the total plus the most change the till gives. */
export function checkTendered(s: Settings, total: bigint, tendered: bigint): void {
  const money = (v: bigint) => formatFiat(v, s.currency);
  if (tendered < total) {
    throw new TillError('ValidationError', 'The cash handed over is less than the total.', [
      { path: 'tendered', message: 'Less than the total' },
    ]);
  }
  if (tendered - total > s.maxCashChange) {
    const message = `${money(tendered)} handed over for ${money(total)} would be ${money(tendered - total)} change, more than this till gives (${money(s.maxCashChange)}). Check the amount handed over.`;
    throw new TillError('ValidationError', message, [{ path: 'tendered', message }]);
  }
}
