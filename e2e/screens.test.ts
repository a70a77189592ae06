import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../electron/test-support/fixtures.js';
import { inView as inViewport, openBrowser, SHOTS, signIn } from './browser.js';
import { serveTill, type ServedTill } from './serve.js';

/**
 * The cashier's day on the smallest POS monitor and on a full-HD one: register, cart, charge,
 * paid and sales each show their main action without scrolling, nothing spills sideways, and
 * every screen is saved to test-results/ to be looked at.
 */
const SIZES = [
  [1024, 768],
  [1920, 1080],
] as const;

describe.each(SIZES)('the cashier’s screens at %i×%i', (width, height) => {
  const dir = tempDir('till-e2e-screens-');
  let served: ServedTill;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    served = await serveTill(dir.path);
    ({ browser, page } = await openBrowser());
    await page.setViewportSize({ width, height });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    dir.remove();
  });

  const inView = (target: Locator, what: string) => inViewport(page, target, what);

  async function noSidewaysScroll(screen: string): Promise<void> {
    // A string, so Node's typecheck does not need the DOM's types.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow, `${screen} scrolls sideways at ${width}×${height}`).toBeLessThanOrEqual(0);
  }

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: `${SHOTS}/${name}-${width}x${height}.png` });
  }

  it('register, cart, charge, paid and sales', async () => {
    await page.goto(served.url);
    await signIn(page);
    const tiles = page.getByTestId('product-tile');
    await tiles.first().waitFor();
    await noSidewaysScroll('the register');
    await shot('screen-register');

    // A busy cart: eight different single-variant products, one of them three times.
    const single = page.locator('[data-testid="product-tile"][data-variants="1"]');
    for (let i = 0; i < 8; i++) {
      await single.nth(i).click();
      await expect.poll(() => page.getByTestId('cart-line').count()).toBe(i + 1);
    }
    await single.nth(0).click();
    await single.nth(0).click();
    await expect.poll(() => page.getByTestId('cart-line').first().innerText()).toMatch(/3/);
    await inView(page.getByTestId('charge-button'), 'Charge');
    await inView(page.getByTestId('cash-button'), 'Cash');
    await noSidewaysScroll('the cart');
    await shot('screen-cart');

    await page.getByTestId('charge-button').click();
    await page.getByTestId('invoice-qr').waitFor();
    await expect.poll(() => page.getByTestId('invoice-countdown').innerText()).toMatch(/\d+:\d{2}/);
    for (const [id, what] of [
      ['invoice-qr', 'the QR'],
      ['invoice-countdown', 'the countdown'],
      ['demo-pay', 'the demo pay button'],
    ] as const)
      await inView(page.getByTestId(id), what);
    await inView(page.getByRole('button', { name: 'Cancel', exact: true }), 'Cancel');
    await noSidewaysScroll('the charge screen');
    await shot('screen-charge');

    await page.getByTestId('demo-pay').click();
    await page.getByTestId('sale-paid').waitFor();
    await inView(page.getByTestId('sale-paid'), 'Paid');
    await inView(page.getByTestId('new-sale'), 'New sale');
    await noSidewaysScroll('the paid screen');
    await shot('screen-paid');

    await page.getByTestId('new-sale').click();
    await page.getByTestId('nav-sales').click();
    const row = page.getByTestId('sale-row').first();
    await row.waitFor();
    await inView(row, 'the first sale');
    await inView(page.getByTestId('sales-total').first(), 'the day’s total');
    await row.click();
    await page.getByTestId('receipt').waitFor();
    await noSidewaysScroll('sales');
    await shot('screen-sales');
    expect(errors).toEqual([]);
  }, 150_000);
});
