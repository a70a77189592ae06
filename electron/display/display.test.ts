import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DisplayState } from '../../shared/domain/display.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused, signedInTill } from '../test-support/till-calls.js';
import type { Till } from '../till.js';

describe('the customer display follows the till and shows nothing private', () => {
  let dir: ReturnType<typeof tempDir>;
  let till: Till;
  let seen: DisplayState[];

  beforeEach(async () => {
    dir = tempDir();
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: manualClock().now,
      timers: false,
    });
    seen = [];
    till.subscribe((event, payload) => {
      if (event === 'displayChanged') seen.push(payload as DisplayState);
    });
  });
  afterEach(async () => {
    await till.close();
    dir.remove();
  });

  it('idle → cart line by line → customer tip → invoice with the tip → paid', async () => {
    const idle = await call(till, 'getDisplay');
    expect(idle.phase).toBe('idle');
    expect(idle.lines).toEqual([]);
    const pricing = await call(till, 'getPricingSettings');
    await call(till, 'updatePricingSettings', {
      ...pricing,
      tips: { ...pricing.tips, enabled: true, presets: ['10', '15'] },
    });
    const { products } = await call(till, 'searchCatalog', {});
    const flatWhite = products.find((p) => p.title === 'Flat White')!;
    await call(till, 'addToCart', { variantId: flatWhite.variants[0]!.id });
    expect(seen.at(-1)?.phase).toBe('cart');
    expect(seen.at(-1)?.lines.map((l) => l.title)).toEqual(['Flat White']);
    expect(seen.at(-1)?.tipChoices).toEqual(['10', '15']);
    await call(till, 'addToCart', { variantId: flatWhite.variants[0]!.id });
    expect(seen.at(-1)?.lines[0]?.quantity).toBe(2);
    expect(seen.at(-1)?.total).toBe(900n);

    // Only a tip shown may be chosen.
    expect((await refused(till, 'chooseTip', { tip: { kind: 'percentage', percent: '50' } })).kind).toBe(
      'ValidationError',
    );
    expect((await refused(till, 'chooseTip', { tip: { kind: 'fixed', amount: 10_000n } })).kind).toBe(
      'ValidationError',
    );
    const tipped = await call(till, 'chooseTip', { tip: { kind: 'percentage', percent: '10' } });
    expect(tipped.customerTip).toEqual({ kind: 'percentage', percent: '10' });
    expect(seen.at(-1)?.customerTip).toEqual({ kind: 'percentage', percent: '10' });

    const sale = await call(till, 'charge', { tip: tipped.customerTip });
    const qr = seen.at(-1)!;
    expect(qr.phase).toBe('invoice');
    expect(qr.invoice?.bolt11).toBe(sale.invoice?.bolt11);
    expect(qr.tip).toBe(90n);
    expect(qr.total).toBe(990n);
    // A tip cannot be changed once the invoice is out.
    expect((await refused(till, 'chooseTip', { tip: null })).kind).toBe('InvalidState');

    await call(till, 'demoPay', { saleId: sale.id });
    const paid = seen.at(-1)!;
    expect(paid.phase).toBe('paid');
    expect(paid.invoice).toBeNull();
    // Nothing private: no staff name anywhere on what the display receives.
    const wire = JSON.stringify(seen, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    expect(wire).not.toMatch(/staff|Owner|pin/i);
  });

  it('shows the change for a cash sale', async () => {
    const { products } = await call(till, 'searchCatalog', {});
    await call(till, 'addToCart', { variantId: products[0]!.variants[0]!.id });
    const cart = await call(till, 'getCart');
    await call(till, 'payCash', { tendered: cart.total + 550n });
    expect(seen.at(-1)).toMatchObject({ phase: 'paid', change: 550n });
  });
});
