import { signedInTill } from '../test-support/till-calls.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, OWNER_PIN, refused } from '../test-support/till-calls.js';
import type { Till } from '../till.js';
import { aboveLimit } from './discount-approval.js';

const MANAGER_PIN = '4821';
const CASHIER_PIN = '2468';

describe('a discount above the owner’s limit needs a manager, checked by the till', () => {
  let dir: ReturnType<typeof tempDir>;
  let clock: ReturnType<typeof manualClock>;
  let till: Till;
  let lineId: string;

  beforeEach(async () => {
    dir = tempDir();
    clock = manualClock();
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers: false,
    });
    await call(till, 'addStaff', { name: 'Maya', role: 'manager', pin: MANAGER_PIN });
    await call(till, 'addStaff', { name: 'Casey', role: 'cashier', pin: CASHIER_PIN });
    await call(till, 'unlock', { pin: CASHIER_PIN });
    const { products } = await call(till, 'searchCatalog', {});
    const flatWhite = products.find((p) => p.title === 'Flat White')!;
    lineId = (await call(till, 'addToCart', { variantId: flatWhite.variants[0]!.id })).lines[0]!.lineId;
  });
  afterEach(async () => {
    await till.close();
    dir.remove();
  });

  const half = { kind: 'percentage' as const, percent: '50', reason: 'Friend' };

  it('lets a cashier give up to the limit (20 % by default) alone', async () => {
    const cart = await call(till, 'setLineDiscount', {
      lineId,
      discount: { kind: 'percentage', percent: '20', reason: 'Regular' },
    });
    expect(cart.pricing.totals.discounts).toBe(90n);
    // $0.90 off $4.50 is exactly 20 %.
    await call(till, 'setCartDiscount', { discount: { kind: 'fixed', amount: 72n, reason: '' } });
  });

  it('asks for a manager above it, refuses a wrong PIN or a cashier’s, and takes a manager’s once, attributed to both', async () => {
    expect(await refused(till, 'setLineDiscount', { lineId, discount: half })).toEqual({
      kind: 'NeedsManager',
      message: 'A discount above 20% needs a manager: ask one to enter their PIN.',
    });
    expect(await refused(till, 'setLineDiscount', { lineId, discount: half, managerPin: '1111' })).toEqual({
      kind: 'NotAuthorized',
      message: 'That PIN is not right. Try again.',
    });
    expect(
      await refused(till, 'setLineDiscount', { lineId, discount: half, managerPin: CASHIER_PIN }),
    ).toEqual({
      kind: 'NotAuthorized',
      message: 'Casey cannot approve this: it needs a manager.',
    });
    expect((await call(till, 'getCart')).lines[0]!.discount).toBeNull();
    const cart = await call(till, 'setLineDiscount', { lineId, discount: half, managerPin: MANAGER_PIN });
    expect(cart.lines[0]!.discount).toEqual(half);
    const { entries } = await call(till, 'listAudit', { managerPin: MANAGER_PIN });
    const done = entries.filter((e) => e.action === 'setLineDiscount' && e.outcome === 'done');
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ staffName: 'Casey', approverName: 'Maya' });
    expect(done[0]!.detail).toContain('Friend');
    expect(JSON.stringify(entries)).not.toContain(MANAGER_PIN);
    // An amount off is measured against what it comes off: 50 ¢ of the $2.25 left is 22 %
    // (of the $4.50 before the line's own discount it would be 11 %).
    expect(
      (await refused(till, 'setCartDiscount', { discount: { kind: 'fixed', amount: 50n, reason: '' } })).kind,
    ).toBe('NeedsManager');
    // Taking a discount off never needs anyone.
    await call(till, 'setLineDiscount', { lineId, discount: null });
  });

  it('lets a manager signed in give it alone', async () => {
    await call(till, 'unlock', { pin: MANAGER_PIN });
    const cart = await call(till, 'setLineDiscount', { lineId, discount: half });
    expect(cart.lines[0]!.discount).toEqual(half);
  });

  it('stops listening after three wrong PINs, for longer each time', async () => {
    for (let i = 0; i < 3; i++)
      await refused(till, 'setLineDiscount', { lineId, discount: half, managerPin: '9876' });
    // Even the right PIN waits out the lock: guessing gets no faster for knowing when it ends.
    expect(
      await refused(till, 'setLineDiscount', { lineId, discount: half, managerPin: MANAGER_PIN }),
    ).toEqual({
      kind: 'NotAuthorized',
      message: 'Too many wrong PINs: try again in 30 s.',
    });
    clock.advance(30_000);
    await refused(till, 'setLineDiscount', { lineId, discount: half, managerPin: '9999' });
    expect(
      (await refused(till, 'setLineDiscount', { lineId, discount: half, managerPin: MANAGER_PIN })).message,
    ).toBe('Too many wrong PINs: try again in 60 s.');
    clock.advance(60_000);
    await call(till, 'setLineDiscount', { lineId, discount: half, managerPin: MANAGER_PIN });
  });

  it('follows the limit the owner sets', async () => {
    await call(till, 'updateSettings', { discountApprovalPercent: 50, managerPin: OWNER_PIN });
    await call(till, 'setLineDiscount', { lineId, discount: half });
    await call(till, 'updateSettings', { discountApprovalPercent: 0, managerPin: OWNER_PIN });
    expect(
      (
        await refused(till, 'setLineDiscount', {
          lineId,
          discount: { kind: 'percentage', percent: '0.5', reason: '' },
        })
      ).kind,
    ).toBe('NeedsManager');
  });
});

describe('aboveLimit', () => {
  it('compares exactly, without floats', () => {
    expect(aboveLimit({ kind: 'percentage', percent: '20.0001', reason: '' }, 0n, 20)).toBe(true);
    expect(aboveLimit({ kind: 'percentage', percent: '20.000', reason: '' }, 0n, 20)).toBe(false);
    expect(aboveLimit({ kind: 'fixed', amount: 200n, reason: '' }, 1000n, 20)).toBe(false);
    expect(aboveLimit({ kind: 'fixed', amount: 201n, reason: '' }, 1000n, 20)).toBe(true);
    expect(aboveLimit({ kind: 'fixed', amount: 1n, reason: '' }, 0n, 20)).toBe(true);
    // 100 is "never": even more than the whole line (capped to a free line).
    expect(aboveLimit({ kind: 'fixed', amount: 10_000n, reason: '' }, 450n, 100)).toBe(false);
  });
});
