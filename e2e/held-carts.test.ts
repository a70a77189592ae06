import { describe, expect, it } from 'vitest';
import { SHOTS, payCash } from './browser.js';
import { signInAtTill, tillInBrowser } from './served-till.js';

describe('a cashier parks a cart while the customer fetches their wallet', () => {
  const till = tillInBrowser('till-e2e-held-');

  it('parks, sells to the next customer, resumes the first and takes their payment', async () => {
    const { page } = till;
    const errors = await signInAtTill(till);
    const single = page.locator('[data-testid="product-tile"][data-variants="1"]');
    await single.first().waitFor();

    await single.nth(0).click();
    await single.nth(1).click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(2);
    const firstTotal = await page.getByTestId('charge-button').innerText();

    await page.getByTestId('park-cart').click();
    await page.getByTestId('park-name').fill('Anna, blue coat');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(0);
    await expect.poll(() => page.getByTestId('held-carts').innerText()).toMatch(/Held\s*1/);

    // The next customer pays cash meanwhile.
    await single.nth(2).click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);
    await payCash(page);
    await page.getByTestId('new-sale').click();

    await page.getByTestId('held-carts').click();
    await page.getByTestId('held-cart').first().waitFor();
    expect(await page.getByTestId('held-cart').first().innerText()).toContain('Anna, blue coat');
    await page.screenshot({ path: `${SHOTS}/held-carts-1024x768.png` });
    await page.getByTestId('resume-cart').first().click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(2);
    expect(await page.getByTestId('charge-button').innerText()).toBe(firstTotal);
    expect(await page.getByTestId('held-carts').count()).toBe(0);

    await page.getByTestId('charge-button').click();
    await page.getByTestId('demo-pay').click();
    await page.getByTestId('sale-paid').waitFor();
    expect(errors).toEqual([]);
  }, 120_000);
});
