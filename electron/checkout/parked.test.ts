import { signedInTill } from '../test-support/till-calls.js';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Product } from '../../shared/domain/index.js';
import { keypadOnlyResources, manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused } from '../test-support/till-calls.js';
import type { Till } from '../till.js';
import { MAX_PARKED_CARTS } from './parked.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function open(dataDir: string, resourcesDir = RESOURCES_DIR): Promise<Till> {
  const clock = manualClock();
  const till = await signedInTill({ dataDir, resourcesDir, now: clock.now, timers: false });
  cleanups.push(() => till.close());
  return till;
}

async function freshTill(): Promise<{ till: Till; dir: string; products: Product[] }> {
  const dir = tempDir();
  cleanups.push(() => dir.remove());
  const till = await open(dir.path);
  const { products } = await call(till, 'searchCatalog', {});
  return { till, dir: dir.path, products: products.filter((p) => p.variants.length === 1) };
}

/** The catalog as a Shopify sync would leave it after the shop changed a price or a product. */
function editCatalog(dir: string, sql: string, ...params: unknown[]): void {
  const db = new Database(join(dir, 'journal.sqlite'));
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

describe('held carts', () => {
  it('parks a cart, sells to the next customer, and resumes the first exactly as it was', async () => {
    const { till, products } = await freshTill();
    const [a, b, c] = products;
    await call(till, 'addToCart', { variantId: a!.variants[0]!.id, quantity: 2 });
    await call(till, 'addToCart', { variantId: b!.variants[0]!.id });
    await call(till, 'addCustomAmount', { amount: 350n, title: 'Cake of the day' });
    const before = await call(till, 'getCart');

    const { cart, parked } = await call(till, 'parkCart', { name: '  Anna, blue coat ' });
    expect(cart.lines).toEqual([]);
    expect(parked).toMatchObject({
      name: 'Anna, blue coat',
      currency: 'USD',
      itemCount: 4,
      total: before.total,
    });
    expect(parked.lines).toEqual(before.lines);

    await call(till, 'addToCart', { variantId: c!.variants[0]!.id });
    const next = await call(till, 'getCart');
    await call(till, 'payCash', { tendered: next.total });

    const resumed = await call(till, 'resumeParkedCart', { parkedId: parked.id });
    expect(resumed.changes).toEqual([]);
    expect(resumed.cart.lines).toEqual(before.lines);
    expect(resumed.cart.total).toBe(before.total);
    expect((await call(till, 'listParkedCarts')).carts).toEqual([]);
  });

  it('keeps parked carts across a restart', async () => {
    const { till, dir, products } = await freshTill();
    await call(till, 'addToCart', { variantId: products[0]!.variants[0]!.id });
    const { parked } = await call(till, 'parkCart', { name: 'Table 4' });
    await till.close();
    cleanups.pop();

    const again = await open(dir);
    expect((await call(again, 'listParkedCarts')).carts).toEqual([parked]);
    const { cart } = await call(again, 'resumeParkedCart', { parkedId: parked.id });
    expect(cart.lines).toEqual(parked.lines);
  });

  it('keeps the prices it was parked with, and says what changed when it is resumed', async () => {
    const { till, dir, products } = await freshTill();
    const [kept, dearer, dropped] = products;
    for (const p of [kept, dearer, dropped]) await call(till, 'addToCart', { variantId: p!.variants[0]!.id });
    const { parked } = await call(till, 'parkCart', { name: 'Regular' });

    const newPrice = dearer!.variants[0]!.price + 25n;
    editCatalog(dir, 'UPDATE catalog_variants SET price = ? WHERE id = ?', newPrice, dearer!.variants[0]!.id);
    editCatalog(dir, `UPDATE catalog_products SET status = 'ARCHIVED' WHERE id = ?`, dropped!.id);
    // Parked, the old prices stand.
    expect((await call(till, 'listParkedCarts')).carts[0]!.total).toBe(parked.total);

    const { cart, changes } = await call(till, 'resumeParkedCart', { parkedId: parked.id });
    expect(changes).toEqual([
      {
        title: dearer!.title,
        variantTitle: null,
        kind: 'repriced',
        was: dearer!.variants[0]!.price,
        now: newPrice,
      },
      {
        title: dropped!.title,
        variantTitle: null,
        kind: 'removed',
        was: dropped!.variants[0]!.price,
        now: null,
      },
    ]);
    expect(cart.lines.map((l) => [l.variantId, l.unitPrice])).toEqual([
      [kept!.variants[0]!.id, kept!.variants[0]!.price],
      [dearer!.variants[0]!.id, newPrice],
    ]);
  });

  it('refuses what would lose or merge a cart, in words a cashier can act on', async () => {
    const { till, products } = await freshTill();
    const variantId = products[0]!.variants[0]!.id;
    expect(await refused(till, 'parkCart', { name: 'Empty' })).toMatchObject({
      kind: 'InvalidState',
      message: 'The cart is empty: nothing to park.',
    });
    await call(till, 'addToCart', { variantId });
    expect(await refused(till, 'parkCart', { name: '   ' })).toMatchObject({
      kind: 'ValidationError',
      message: 'Give the cart a name, such as the customer’s',
    });
    const { parked } = await call(till, 'parkCart', { name: 'First' });

    await call(till, 'addToCart', { variantId });
    expect(await refused(till, 'resumeParkedCart', { parkedId: parked.id })).toMatchObject({
      kind: 'InvalidState',
      message: 'Park or clear the current cart before resuming another.',
    });
    expect((await call(till, 'getCart')).lines).toHaveLength(1);

    // A payment on screen freezes the cart: it can be neither parked nor replaced.
    const sale = await call(till, 'charge');
    expect((await refused(till, 'parkCart', { name: 'Second' })).kind).toBe('InvalidState');
    await call(till, 'cancelSale', { saleId: sale.id });

    await call(till, 'clearCart');
    await call(till, 'resumeParkedCart', { parkedId: parked.id });
    // A second tap on Resume finds nothing to resume, and the cart is not doubled.
    expect(await refused(till, 'resumeParkedCart', { parkedId: parked.id })).toMatchObject({
      kind: 'NotFound',
      message: 'That cart is no longer parked: it was resumed or discarded.',
    });
    expect((await call(till, 'getCart')).itemCount).toBe(1);
  });

  it('discards a parked cart, once', async () => {
    const { till, products } = await freshTill();
    await call(till, 'addToCart', { variantId: products[0]!.variants[0]!.id });
    const { parked } = await call(till, 'parkCart', { name: 'Walked out' });
    expect(await call(till, 'discardParkedCart', { parkedId: parked.id })).toEqual({ carts: [] });
    expect((await refused(till, 'discardParkedCart', { parkedId: parked.id })).kind).toBe('NotFound');
  });

  it(`holds at most ${MAX_PARKED_CARTS} carts`, async () => {
    const { till } = await freshTill();
    for (let i = 0; i < MAX_PARKED_CARTS; i++) {
      await call(till, 'addCustomAmount', { amount: 100n });
      await call(till, 'parkCart', { name: `Cart ${i + 1}` });
    }
    await call(till, 'addCustomAmount', { amount: 100n });
    expect(await refused(till, 'parkCart', { name: 'One too many' })).toMatchObject({
      kind: 'InvalidState',
      message: `${MAX_PARKED_CARTS} carts are parked already: resume or discard one first.`,
    });
    expect((await call(till, 'getCart')).lines).toHaveLength(1);
    const { carts } = await call(till, 'listParkedCarts');
    expect(carts.map((c) => c.name)).toEqual(
      Array.from({ length: MAX_PARKED_CARTS }, (_, i) => `Cart ${i + 1}`),
    );
  });

  it('will not resume a cart in a currency the till no longer sells in', async () => {
    const resources = keypadOnlyResources('USD');
    cleanups.push(() => resources.remove());
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const till = await open(dir.path, resources.path);
    await call(till, 'addCustomAmount', { amount: 500n, title: 'Gift card' });
    const { parked } = await call(till, 'parkCart', { name: 'Dollars' });
    await call(till, 'updateSettings', { currency: 'EUR' });
    expect(await refused(till, 'resumeParkedCart', { parkedId: parked.id })).toMatchObject({
      kind: 'InvalidState',
      message: 'This cart was parked in USD and the till now sells in EUR: discard it and ring it up again.',
    });
  });
});
