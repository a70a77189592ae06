import { signedInTill } from '../test-support/till-calls.js';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_LENGTH } from '../../shared/domain/limits.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused } from '../test-support/till-calls.js';
import type { Till } from '../till.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function open(dataDir: string): Promise<Till> {
  const till = await signedInTill({
    dataDir,
    resourcesDir: RESOURCES_DIR,
    now: manualClock().now,
    timers: false,
  });
  cleanups.push(() => till.close());
  return till;
}

async function freshTill() {
  const dir = tempDir();
  cleanups.push(() => dir.remove());
  const till = await open(dir.path);
  const { products } = await call(till, 'searchCatalog', {});
  return { till, dir: dir.path, variants: products.map((p) => p.variants[0]!.id) };
}

/** Closes the till and opens it again on the same journal. */
async function restart(till: Till, dir: string): Promise<Till> {
  await till.close();
  cleanups.pop();
  return open(dir);
}

describe('order and line notes', () => {
  it('are trimmed, and an empty note is none', async () => {
    const { till, variants } = await freshTill();
    const cart = await call(till, 'addToCart', { variantId: variants[0] });
    const lineId = cart.lines[0]!.lineId;
    const noted = await call(till, 'setLineNote', { lineId, note: '  oat milk ' });
    expect(noted.lines[0]!.note).toBe('oat milk');
    expect((await call(till, 'setCartNote', { note: ' Table 4, for here ' })).note).toBe('Table 4, for here');

    expect((await call(till, 'setLineNote', { lineId, note: '   ' })).lines[0]!.note).toBeNull();
    expect((await call(till, 'setCartNote', { note: '' })).note).toBeNull();
    await call(till, 'setCartNote', { note: 'again' });
    expect((await call(till, 'setCartNote', { note: null })).note).toBeNull();
  });

  it('leave with the last line, never waiting for the next customer', async () => {
    const { till, variants } = await freshTill();
    expect((await refused(till, 'setCartNote', { note: 'to go' })).message).toBe(
      'The cart is empty: add something before a note.',
    );
    const cart = await call(till, 'addToCart', { variantId: variants[0] });
    await call(till, 'setCartNote', { note: 'to go' });
    await call(till, 'setCartDiscount', { discount: { kind: 'percentage', percent: '5', reason: '' } });
    const emptied = await call(till, 'removeLine', { lineId: cart.lines[0]!.lineId });
    expect([emptied.note, emptied.discount]).toEqual([null, null]);
    const next = await call(till, 'addToCart', { variantId: variants[1] });
    expect([next.note, next.discount]).toEqual([null, null]);
  });

  it('refuses a note too long, in words, and a line that is gone', async () => {
    const { till, variants } = await freshTill();
    const cart = await call(till, 'addToCart', { variantId: variants[0] });
    const long = await refused(till, 'setLineNote', {
      lineId: cart.lines[0]!.lineId,
      note: 'x'.repeat(MAX_LENGTH.lineNote + 1),
    });
    expect(long.message).toContain(`Keep the note under ${MAX_LENGTH.lineNote} characters`);
    const order = await refused(till, 'setCartNote', { note: 'x'.repeat(MAX_LENGTH.orderNote + 1) });
    expect(order.message).toContain(`Keep the note under ${MAX_LENGTH.orderNote} characters`);
    expect((await refused(till, 'setLineNote', { lineId: 'no-such-line', note: 'x' })).kind).toBe('NotFound');
  });

  it('stay with a parked cart across a restart, reach the sale, and leave with it', async () => {
    const { till, dir, variants } = await freshTill();
    await call(till, 'addToCart', { variantId: variants[0] });
    const cart = await call(till, 'addToCart', { variantId: variants[1] });
    const [first, second] = cart.lines;
    await call(till, 'setLineNote', { lineId: first!.lineId, note: 'oat milk' });
    await call(till, 'setCartNote', { note: 'Anna picks it up at 5' });
    const { parked, cart: emptied } = await call(till, 'parkCart', { name: 'Anna' });
    expect(parked.note).toBe('Anna picks it up at 5');
    expect(parked.lines.map((l) => l.note)).toEqual(['oat milk', null]);
    // The next customer's cart starts without the parked cart's note.
    expect(emptied.note).toBeNull();

    const again = await restart(till, dir);
    expect((await call(again, 'listParkedCarts')).carts[0]!.note).toBe('Anna picks it up at 5');
    const { cart: resumed } = await call(again, 'resumeParkedCart', { parkedId: parked.id });
    expect(resumed.note).toBe('Anna picks it up at 5');
    expect(resumed.lines.map((l) => [l.lineId, l.note])).toEqual([
      [first!.lineId, 'oat milk'],
      [second!.lineId, null],
    ]);

    const sale = await call(again, 'payCash', { tendered: resumed.total });
    expect(sale.note).toBe('Anna picks it up at 5');
    expect(sale.lines.map((l) => l.note)).toEqual(['oat milk', null]);
    // Sold: the cart is empty again, note and all.
    expect((await call(again, 'getCart')).note).toBeNull();

    const later = await restart(again, dir);
    const kept = await call(later, 'getSale', { saleId: sale.id });
    expect(kept.note).toBe('Anna picks it up at 5');
    expect(kept.lines.map((l) => l.note)).toEqual(['oat milk', null]);
  });

  it('reach a Lightning sale too', async () => {
    const { till, variants } = await freshTill();
    const cart = await call(till, 'addToCart', { variantId: variants[0] });
    await call(till, 'setLineNote', { lineId: cart.lines[0]!.lineId, note: 'no sugar' });
    await call(till, 'setCartNote', { note: 'to go' });
    const sale = await call(till, 'demoPay', { saleId: (await call(till, 'charge')).id });
    expect(sale.note).toBe('to go');
    expect(sale.lines[0]!.note).toBe('no sugar');
  });
});
