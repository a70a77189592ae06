import { TillError } from '../../shared/contract/index.js';
import type { Discount } from '../../shared/domain/index.js';
import { parseDecimal } from '../../shared/money/index.js';
import type { ManagerPin } from './manager.js';

/**
 * True when `discount` takes more than `limitPercent` % off `base` (exactly, no floats). A limit
 * of 100 is "never": an amount larger than what it comes off is capped to it (a free line), and
 * that is all a cashier may then give.
 */
export function aboveLimit(discount: Discount, base: bigint, limitPercent: number): boolean {
  if (limitPercent >= 100) return false;
  const limit = BigInt(limitPercent);
  if (discount.kind === 'percentage') {
    const d = parseDecimal(discount.percent);
    return d.units > limit * 10n ** BigInt(d.scale);
  }
  return discount.amount * 100n > limit * base;
}

/**
 * A discount above the owner's limit runs only with the manager's PIN (checked here, in the
 * till, whatever the screen sends). Taking a discount off never needs one.
 */
export function approveDiscount(
  manager: ManagerPin,
  request: { discount: Discount | null; base: bigint; limitPercent: number; managerPin: string | undefined },
): void {
  const { discount, base, limitPercent, managerPin } = request;
  if (discount === null || !aboveLimit(discount, base, limitPercent)) return;
  if (managerPin === undefined) {
    throw new TillError('NeedsManager', `A discount above ${limitPercent}% needs a manager’s PIN.`);
  }
  manager.verify(managerPin);
}
