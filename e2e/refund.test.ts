import { describe, expect, it } from 'vitest';
import { SHOTS, noSidewaysScroll, payCash, productTile, returnItemsOfLastSale } from './browser.js';
import { signInAtTill, tillInBrowser } from './served-till.js';

/**
 * Issue 14's first slice in the browser: a cash sale, then Sales → the sale → Return items, one
 * flat white back on the shelf, the refund priced by the till, and the amount to hand over — at
 * the smallest till screen and a large one.
 */
describe('returning items for cash through the browser', () => {
  const till = tillInBrowser('till-e2e-refund-');

  it('returns one of two flat whites and says what to hand over', async () => {
    const { page } = till;
    const errors = await signInAtTill(till);
    await productTile(page, 'Flat White').click();
    await productTile(page, 'Flat White').click();
    await productTile(page, 'Butter Croissant').click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(2);
    await payCash(page);

    await returnItemsOfLastSale(page);
    const rows = page.getByTestId('refund-line');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.first().innerText()).toContain('2 of 2 can come back');
    await rows.first().getByTestId('refund-more').click();
    await page.getByTestId('refund-reason').fill('Too cold');
    await expect
      .poll(() => page.getByTestId('refund-amount').innerText())
      .toMatch(/Refund \$\d+\.\d{2} in cash/);
    const amount = /\$\d+\.\d{2}/.exec(await page.getByTestId('refund-amount').innerText())![0];
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/refund-choose-1024x768.png` });

    await page.getByTestId('refund-approve').click();
    // The owner is signed in: a manager's command runs without a PIN sheet.
    expect(await page.getByTestId('refund-hand-over').innerText()).toBe(
      `Give the customer ${amount} in cash`,
    );
    await page.screenshot({ path: `${SHOTS}/refund-done-1024x768.png` });
    await page.getByTestId('refund-done').click();
    await expect
      .poll(() => page.getByTestId('sale-refunds').innerText())
      .toContain(`Refunded ${amount} in cash`);
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/refund-sale-1024x768.png` });

    // The other flat white is all that may still come back of that line.
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.getByTestId('return-items').click();
    await expect.poll(() => rows.first().innerText()).toContain('1 of 2 can come back');
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/refund-choose-1920x1080.png` });
    expect(errors).toEqual([]);
  }, 120_000);
});
