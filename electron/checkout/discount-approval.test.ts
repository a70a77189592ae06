import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused } from '../test-support/till-calls.js';
import { createTill, type Till } from '../till.js';
import { aboveLimit } from './discount-approval.js';

describe('a discount above the owner’s limit needs the manager’s PIN, checked by the till', () => {
  let dir: ReturnType<typeof tempDir>;
  let clock: ReturnType<typeof manualClock>;
  let till: Till;
  let lineId: string;

  beforeEach(async () => {
    dir = tempDir();
    clock = manualClock();
    till = await createTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers: false,
    });
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

  it('asks for the manager above it, refuses a wrong PIN, and takes the right one', async () => {
    await call(till, 'setManagerPin', { pin: '4821' });
    expect(await refused(till, 'setLineDiscount', { lineId, discount: half })).toEqual({
      kind: 'NeedsManager',
      message: 'A discount above 20% needs a manager’s PIN.',
    });
    expect(await refused(till, 'setLineDiscount', { lineId, discount: half, managerPin: '1111' })).toEqual({
      kind: 'NotAuthorized',
      message: 'That is not the manager’s PIN.',
    });
    expect((await call(till, 'getCart')).lines[0]!.discount).toBeNull();
    const cart = await call(till, 'setLineDiscount', { lineId, discount: half, managerPin: '4821' });
    expect(cart.lines[0]!.discount).toEqual(half);
    // An amount off is measured against what it comes off: 50 ¢ of the $2.25 left is 22 %
    // (of the $4.50 before the line's own discount it would be 11 %).
    expect(
      (await refused(till, 'setCartDiscount', { discount: { kind: 'fixed', amount: 50n, reason: '' } })).kind,
    ).toBe('NeedsManager');
    // Taking a discount off never needs anyone.
    await call(till, 'setLineDiscount', { lineId, discount: null });
  });

  it('says how to set a PIN when there is none', async () => {
    expect(await refused(till, 'setLineDiscount', { lineId, discount: half, managerPin: '0000' })).toEqual({
      kind: 'NotAuthorized',
      message: 'No manager PIN is set yet: the owner sets one in Settings → Manager approval.',
    });
  });

  it('stops listening after three wrong PINs, for longer each time', async () => {
    await call(till, 'setManagerPin', { pin: '4821' });
    for (let i = 0; i < 3; i++)
      await refused(till, 'setLineDiscount', { lineId, discount: half, managerPin: '1234' });
    // Even the right PIN waits out the lock: guessing gets no faster for knowing when it ends.
    expect(await refused(till, 'setLineDiscount', { lineId, discount: half, managerPin: '4821' })).toEqual({
      kind: 'NotAuthorized',
      message: 'Too many wrong PINs: try again in 30 s.',
    });
    clock.advance(30_000);
    await refused(till, 'setLineDiscount', { lineId, discount: half, managerPin: '9999' });
    expect(
      (await refused(till, 'setLineDiscount', { lineId, discount: half, managerPin: '4821' })).message,
    ).toBe('Too many wrong PINs: try again in 60 s.');
    clock.advance(60_000);
    await call(till, 'setLineDiscount', { lineId, discount: half, managerPin: '4821' });
  });

  it('keeps only a salted hash of the PIN, and a change needs the current one', async () => {
    await call(till, 'setManagerPin', { pin: '482193' });
    expect(await call(till, 'getManagerPin')).toEqual({ set: true });
    const db = new Database(join(dir.path, 'journal.sqlite'), { readonly: true });
    const everything = JSON.stringify(db.prepare('SELECT * FROM settings').all());
    db.close();
    expect(everything).not.toContain('482193');
    expect((await refused(till, 'setManagerPin', { pin: '1111' })).kind).toBe('NotAuthorized');
    expect((await refused(till, 'setManagerPin', { pin: '1111', currentPin: '0000' })).kind).toBe(
      'NotAuthorized',
    );
    await call(till, 'setManagerPin', { pin: '1111', currentPin: '482193' });
    expect(await refused(till, 'setManagerPin', { pin: '12' })).toMatchObject({
      kind: 'ValidationError',
      message: 'A PIN is 4 to 8 digits',
    });
  });

  it('follows the limit the owner sets', async () => {
    await call(till, 'updateSettings', { discountApprovalPercent: 50 });
    await call(till, 'setLineDiscount', { lineId, discount: half });
    await call(till, 'updateSettings', { discountApprovalPercent: 0 });
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
