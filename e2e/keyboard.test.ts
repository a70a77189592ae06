import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SHOTS, inView } from './browser.js';
import { signInAtTill, tillInBrowser } from './served-till.js';

type Box = { x: number; y: number; width: number; height: number };

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Every toast on screen leaves `targets` uncovered. */
async function toastsClear(page: Page, targets: Locator[], where: string) {
  // Measured in one go: a toast times out on its own, and must not vanish between two looks.
  const toasts = await page.evaluate<Box[]>(
    `[...document.querySelectorAll('[data-testid="toast"]')].map((e) => {
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    })`,
  );
  expect(toasts.length, `toasts at ${where}`).toBeGreaterThan(0);
  for (const target of targets) {
    const box = (await target.boundingBox())!;
    for (const t of toasts)
      expect(overlaps(t, box), `a toast covers ${target.toString()} at ${where}`).toBe(false);
  }
}

/**
 * A scanner's burst: the code and Enter in one instant, as the hardware sends them, dispatched
 * in the page at once. Playwright's keys each wait for a round trip, which on a loaded machine
 * can be slower than a person types, and would make a scan look typed by hand.
 */
async function scanBurst(page: Page, code: string) {
  await page.evaluate(`(() => {
    const target = document.activeElement ?? document.body;
    for (const key of [...${JSON.stringify(code)}, 'Enter'])
      target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  })()`);
}

describe('a cashier works the register from the keyboard at 1024×768', () => {
  const till = tillInBrowser('till-e2e-keys-');

  it('types and names a custom amount, types a quantity, and Escape closes the cash sheet', async () => {
    const { page } = till;
    const errors = await signInAtTill(till);
    const tiles = page.locator('[data-testid="product-tile"][data-variants="1"]');
    await tiles.first().waitFor();
    const lines = page.getByTestId('cart-line');

    // A custom amount typed on the keyboard, at a person's pace (a scanner types faster).
    await page.getByTestId('keypad-tab').click();
    await page.keyboard.type('4.5', { delay: 90 });
    await expect.poll(() => page.getByTestId('keypad-display').innerText()).toBe('$4.50');
    await page.getByLabel('Name (optional)').fill('Gift wrap');
    await page.keyboard.press('Enter');
    await expect.poll(() => lines.count()).toBe(1);
    expect(await lines.first().innerText()).toMatch(/Gift wrap[\s\S]*\$4\.50/);
    expect(await page.getByTestId('keypad-display').innerText()).toBe('$0.00');

    // Out of the name field, then digits and Enter with nothing focused.
    await page.keyboard.press('Escape');
    await page.keyboard.type('1250', { delay: 90 });
    await page.keyboard.press('Enter');
    await expect.poll(() => lines.count()).toBe(2);
    expect(await lines.nth(1).innerText()).toMatch(/Custom amount[\s\S]*\$12\.50/);

    // Escape leaves the keypad for the products.
    await page.keyboard.press('Escape');
    await tiles.first().waitFor();
    expect(await page.getByTestId('keypad').isVisible()).toBe(false);

    // A quantity typed: tap it, type, Enter.
    await lines.first().getByTestId('qty-value').click();
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');
    await expect.poll(() => lines.first().getByTestId('qty-value').innerText()).toBe('3');
    expect(await lines.first().innerText()).toMatch(/\$13\.50/);

    // A scanner while a quantity is being typed: a scan, and the quantity stays as it was.
    await lines.nth(1).getByTestId('qty-value').click();
    await scanBurst(page, '0000000000017');
    await page.getByText('No product has the barcode 0000000000017.').waitFor();
    await expect.poll(() => lines.nth(1).getByTestId('qty-value').count()).toBe(1);
    expect(await lines.nth(1).getByTestId('qty-value').innerText()).toBe('1');

    // Escape on the cash sheet closes it and keeps the cart.
    await page.getByTestId('cash-button').click();
    const sheet = page.getByRole('dialog', { name: 'Take cash' });
    await sheet.waitFor();
    await page.keyboard.type('50.', { delay: 90 });
    await expect.poll(() => page.getByTestId('cash-tendered').innerText()).toBe('$50.00');
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    expect(await lines.count()).toBe(2);
    expect(errors).toEqual([]);
  }, 120_000);

  it('keeps the total, Charge, the keypad and the fields clear of toasts, and fills a big screen', async () => {
    const { page } = till;
    // About eight lines, as a busy café's cart.
    for (let i = 0; i < 6; i++)
      await page.locator('[data-testid="product-tile"][data-variants="1"]').nth(i).click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(8);
    const charge = page.getByTestId('charge-button');
    const total = page.locator('.total-figures');
    const search = page.getByTestId('catalog-search');
    for (const [width, height] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      const where = `${width}×${height}`;
      await page.setViewportSize({ width, height });
      await inView(page, charge, 'Charge');
      await inView(page, total, 'the total');
      // A toast (an unknown barcode typed by a scanner) over a full cart.
      await page.keyboard.type('0000000000017', { delay: 5 });
      await page.keyboard.press('Enter');
      await page.getByTestId('toast').first().waitFor();
      await toastsClear(page, [charge, total, search, page.getByTestId('cash-button')], where);
      await page.screenshot({ path: `${SHOTS}/register-cart-${width}x${height}.png` });

      await page.getByTestId('keypad-tab').click();
      await scanBurst(page, '0000000000017');
      await inView(page, page.getByRole('button', { name: /^Add/ }), 'the keypad’s Add');
      await toastsClear(page, [page.getByTestId('keypad'), charge, total], where);
      // The scanner's digits were a scan, not an amount.
      expect(await page.getByTestId('keypad-display').innerText()).toBe('$0.00');
      await page.screenshot({ path: `${SHOTS}/register-keypad-${width}x${height}.png` });
      await page.keyboard.press('Escape');

      await page.getByTestId('cash-button').click();
      await scanBurst(page, '0000000000017');
      await page.getByTestId('toast').first().waitFor();
      await toastsClear(page, [page.getByRole('dialog', { name: 'Take cash' })], where);
      await page.screenshot({ path: `${SHOTS}/cash-sheet-${width}x${height}.png` });
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
    }
    // The big screen's cart is wider than the small one's.
    const cart = page.locator('.cart');
    const big = (await cart.boundingBox())!.width;
    await page.setViewportSize({ width: 1024, height: 768 });
    expect(big).toBeGreaterThan((await cart.boundingBox())!.width * 1.2);
  }, 120_000);

  it('takes the cart in cash from the keyboard, then finds the sale by its receipt’s number', async () => {
    const { page } = till;
    await page.getByTestId('cash-button').click();
    await page.getByRole('dialog', { name: 'Take cash' }).waitFor();
    await page.keyboard.press('Enter');
    await page.getByTestId('sale-paid').waitFor();
    const printed = /Sale #(\d{6})/.exec(await page.getByTestId('receipt').innerText())![1]!;
    await page.getByTestId('new-sale').click();
    await page.getByTestId('nav-sales').click();
    await page.getByTestId('sale-row').first().waitFor();
    for (const [width, height] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.getByTestId('sales-search').fill(`#${printed}`);
      await expect.poll(() => page.getByTestId('sales-found').innerText()).toBe('1 found');
      await page.getByTestId('sale-row').click();
      expect(await page.getByTestId('receipt').innerText()).toContain(`Sale #${printed}`);
      await page.screenshot({ path: `${SHOTS}/sales-search-${width}x${height}.png` });
    }
    await page.getByTestId('sales-search').fill('999999');
    await expect.poll(() => page.getByTestId('sales-found').innerText()).toBe('0 found');
  }, 60_000);
});
