import { signedInTill } from '../test-support/till-calls.js';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogCurrency } from '../journal/catalog.js';
import { openJournal } from '../journal/db.js';
import { writeSettingValue } from '../journal/settings.js';
import { join } from 'node:path';
import { keypadOnlyResources, manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { closeWorld, connect, world, type World } from '../test-support/shopify-world.js';
import { call, refused } from '../test-support/till-calls.js';
import type { Till } from '../till.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function openTill(resourcesDir: string, dataDir = tempDir()): Promise<Till> {
  const till = await signedInTill({
    dataDir: dataDir.path,
    resourcesDir,
    now: manualClock().now,
    timers: false,
  });
  cleanups.push(() => dataDir.remove());
  cleanups.push(() => till.close());
  return till;
}

async function keypadTill(currency = 'USD'): Promise<Till> {
  const resources = keypadOnlyResources(currency);
  cleanups.push(() => resources.remove());
  return openTill(resources.path);
}

function euroStore(w: World): void {
  w.fake.define('shop', () => ({
    __typename: 'Shop',
    id: 'gid://shopify/Shop/1',
    name: 'Corner Café',
    myshopifyDomain: w.fake.shopDomain,
    currencyCode: 'EUR',
    ianaTimezone: 'Europe/Berlin',
    taxesIncluded: true,
  }));
}

describe('the till’s currency and the catalog’s prices', () => {
  it('refuses a currency that would relabel the catalog’s prices, and keeps selling in dollars', async () => {
    const till = await openTill(RESOURCES_DIR);
    const { products } = await call(till, 'searchCatalog', {});
    const variant = products[0]!.variants[0]!;

    const error = await refused(till, 'updateSettings', { currency: 'JPY' });
    expect(error.kind).toBe('ValidationError');
    // A $4.50 coffee would have rung up as ¥450.
    expect(error.message).toBe(
      "The catalog's prices are in USD, so the till sells in USD. A Shopify store sets the currency it sells in.",
    );
    expect(error.issues).toEqual([{ path: 'currency', message: error.message }]);
    expect((await call(till, 'getSettings')).currency).toBe('USD');
    const cart = await call(till, 'addToCart', { variantId: variant.id });
    expect(cart).toMatchObject({ currency: 'USD', total: variant.price });
    // Saving the other settings with the same currency is not a change.
    await call(till, 'updateSettings', { currency: 'USD', shopName: 'Corner Café' });
  });

  it('lets a keypad-only till (no products) change its currency, never during a sale', async () => {
    const till = await keypadTill();
    await call(till, 'addCustomAmount', { amount: 500n, title: 'Tea' });
    expect((await refused(till, 'updateSettings', { currency: 'EUR' })).kind).toBe('InvalidState');
    await call(till, 'clearCart');
    expect(await call(till, 'updateSettings', { currency: 'EUR' })).toMatchObject({ currency: 'EUR' });
    expect(await call(till, 'addCustomAmount', { amount: 500n })).toMatchObject({ currency: 'EUR' });
  });

  it('totals the day per currency: dollars and euros are never added together', async () => {
    const till = await keypadTill();
    await call(till, 'addCustomAmount', { amount: 1250n, title: 'Coffee beans' });
    expect(await call(till, 'payCash', { tendered: 2000n })).toMatchObject({
      state: 'paid',
      currency: 'USD',
    });
    await call(till, 'updateSettings', { currency: 'EUR' });
    await call(till, 'addCustomAmount', { amount: 900n, title: 'Filter papers' });
    expect(await call(till, 'payCash', { tendered: 1000n })).toMatchObject({
      state: 'paid',
      currency: 'EUR',
    });

    const { sales, totals } = await call(till, 'listSales', {});
    expect(sales).toHaveLength(2);
    expect(totals).toEqual([
      { currency: 'EUR', paidCount: 1, paidTotal: 900n, paidMsat: 0n, paidTax: 0n, paidTip: 0n },
      { currency: 'USD', paidCount: 1, paidTotal: 1250n, paidMsat: 0n, paidTax: 0n, paidTip: 0n },
    ]);
  });

  it('shows the cart in the whole sats its invoice will ask', async () => {
    // €4.95 at the demo 92 000 EUR/BTC is 5 380.4347… sats, which once read "≈ 5,380.435 sats".
    const till = await keypadTill('EUR');
    const cart = await call(till, 'addCustomAmount', { amount: 495n, title: 'Postcard' });
    expect(cart.estimatedMsat).toBe(5_381_000n);
    const sale = await call(till, 'charge');
    expect(sale.invoice!.amountMsat).toBe(cart.estimatedMsat);
  });

  it('names the currency of a journal’s catalog from before catalogs had one: the one it sold in', async () => {
    const dir = tempDir();
    const first = await openTill(RESOURCES_DIR, dir);
    await first.close();
    const db = openJournal(join(dir.path, 'journal.sqlite'));
    writeSettingValue(db, 'catalogCurrency', null);
    db.close();
    const again = await openTill(RESOURCES_DIR, { path: dir.path, remove: () => undefined });
    expect((await refused(again, 'updateSettings', { currency: 'EUR' })).kind).toBe('ValidationError');
    const check = openJournal(join(dir.path, 'journal.sqlite'));
    expect(catalogCurrency(check)).toBe('USD');
    check.close();
  });
});

describe('connecting a Shopify store priced in another currency', () => {
  it('switches the till to the store’s currency', async () => {
    const w = await world();
    cleanups.push(() => closeWorld(w));
    euroStore(w);
    await connect(w);
    expect((await call(w.till, 'getSettings')).currency).toBe('EUR');
  });

  it('is refused while a sale is under way, and saves nothing', async () => {
    const w = await world();
    cleanups.push(() => closeWorld(w));
    euroStore(w);
    await call(w.till, 'addToCart', { variantId: w.products[0]!.variants[0]!.id });
    await expect(connect(w)).rejects.toThrow(
      'Finish or clear the current sale before changing the currency.',
    );
    expect((await call(w.till, 'getStatus')).shopify.connected).toBe(false);
    expect((await call(w.till, 'getSettings')).currency).toBe('USD');
    expect((await call(w.till, 'getCart')).currency).toBe('USD');
  });
});
