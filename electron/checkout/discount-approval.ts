import type { Discount } from '../../shared/domain/index.js';
import { roleCovers } from '../../shared/domain/index.js';
import { parseDecimal } from '../../shared/money/index.js';
import { currentActor } from '../staff/actor.js';
import { needsApproval } from '../staff/gate.js';

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
 * A discount above the owner's limit runs only for a manager, or a cashier with a manager's
 * approval in place (the gate checked that PIN: electron/staff/gate.ts); checked here, in the
 * till, whatever the screen sends. Taking a discount off never needs one.
 */
export function approveDiscount(request: {
  discount: Discount | null;
  base: bigint;
  limitPercent: number;
}): void {
  const { discount, base, limitPercent } = request;
  if (discount === null || !aboveLimit(discount, base, limitPercent)) return;
  const actor = currentActor();
  if (actor && (roleCovers(actor.staff.role, 'manager') || actor.approver !== null)) return;
  const refusal = needsApproval('manager');
  refusal.message = `A discount above ${limitPercent}% needs a manager: ask one to enter their PIN.`;
  throw refusal;
}
