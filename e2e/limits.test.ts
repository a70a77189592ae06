import { describe, expect, it } from 'vitest';
import { SHOTS, signIn } from './browser.js';
import { tillInBrowser } from './served-till.js';

/**
 * At the smallest till screen (1024×768): a large keypad amount is asked about before it goes
 * in, and the largest amounts the till allows fit their boxes (never cut, never spilling out).
 */
describe('limits a careless finger cannot pass, in Chromium at 1024×768', () => {
  const till = tillInBrowser('till-e2e-limits-', {
    onPage: (page) => page.on('dialog', (d) => void d.accept()),
  });

  async function keyIn(digits: string) {
    const { page } = till;
    const keypad = page.getByTestId('keypad');
    for (const d of digits) await keypad.getByRole('button', { name: d, exact: true }).click();
  }

  /** The element shows all its text, uncut, inside its panel and the window. */
  async function expectFits(testId: string, text: string | RegExp, panel: string) {
    const { page } = till;
    const el = page.getByTestId(testId).first();
    expect(await el.innerText()).toMatch(text);
    const cut = await el.evaluate(
      (node: { scrollWidth: number; clientWidth: number }) => node.scrollWidth > node.clientWidth + 1,
    );
    expect(cut, `${testId} cut at 1024×768`).toBe(false);
    const box = (await el.boundingBox())!;
    const outer = (await page.locator(panel).first().boundingBox())!;
    expect(box.x, `${testId} inside ${panel}`).toBeGreaterThanOrEqual(outer.x - 1);
    expect(box.x + box.width, `${testId} inside ${panel}`).toBeLessThanOrEqual(
      Math.min(outer.x + outer.width, 1024) + 1,
    );
    expect(box.y + box.height).toBeLessThanOrEqual(768);
  }

  it('asks "This is $1,500.00 — is that right?" before a keypad amount above the line limit', async () => {
    const { page } = till;
    await page.goto(till.served.url);
    await signIn(page);
    await page.getByTestId('product-tile').first().waitFor();
    await page.getByTestId('keypad-tab').click();
    await keyIn('150000');
    await page.getByRole('button', { name: /^Add/ }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    expect(await page.getByTestId('confirm-question').innerText()).toBe('This is $1,500.00 — is that right?');
    for (const id of ['confirm-yes', 'confirm-no']) {
      const b = await page.getByTestId(id).boundingBox();
      expect(b!.height).toBeGreaterThanOrEqual(64);
      expect(b!.y + b!.height).toBeLessThanOrEqual(768);
    }
    await page.screenshot({ path: `${SHOTS}/limits-confirm-1024x768.png` });
    expect(await page.getByTestId('cart-line').count()).toBe(0);
    await page.getByTestId('confirm-yes').click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);
    expect(await page.getByTestId('charge-button').innerText()).toBe('Charge $1,500.00');
  }, 60_000);

  it('fits the largest amounts the till allows in the cart, the keypad, the cash sheet and the charge screen', async () => {
    const { page } = till;
    // A manager raises the hard limits to the most Settings accepts.
    await page.getByTestId('nav-settings').click();
    for (const id of ['limit-lineHardLimit', 'limit-saleHardLimit']) {
      await page.getByTestId(id).fill('100000000.00');
    }
    await page.getByTestId('save-limits').click();
    await page.getByText('Limits saved').waitFor();

    await page.getByTestId('nav-register').click();
    await page.getByRole('button', { name: 'Clear', exact: true }).first().click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(0);
    await page.getByTestId('keypad-tab').click();
    await keyIn('9999999999');
    await page.getByRole('button', { name: /^Add/ }).click();
    await page.getByTestId('confirm-yes').click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);
    // The keypad takes twelve digits, more than any limit: they fit too (the till refuses them).
    await keyIn('999999999999');
    await page.screenshot({ path: `${SHOTS}/limits-largest-register-1024x768.png` });
    await expectFits('keypad-display', '$9,999,999,999.99', '.keypad');
    await expectFits('line-total', '$99,999,999.99', '.cart');
    await expectFits('cart-total', '$99,999,999.99', '.cart');
    await expectFits('charge-button', 'Charge $99,999,999.99', '.cart');

    await page.getByTestId('cash-button').click();
    const sheet = page.getByRole('dialog', { name: 'Take cash' });
    for (const d of '999999999999') await sheet.getByRole('button', { name: d, exact: true }).click();
    await page.screenshot({ path: `${SHOTS}/limits-largest-cash-1024x768.png` });
    await expectFits('cash-total', '$99,999,999.99', '.sheet');
    await expectFits('cash-tendered', '$9,999,999,999.99', '.sheet');
    await expectFits('cash-change', '$9,900,000,000.00', '.sheet');
    // The screen says so before the till would refuse it: Take is off.
    expect(await page.getByTestId('cash-too-much').innerText()).toMatch(
      /More change than the till gives \(\$500\.00\)/,
    );
    expect(await page.getByTestId('cash-take').isDisabled()).toBe(true);
    await sheet.getByRole('button', { name: 'Cancel' }).click();

    await page.getByTestId('charge-button').click();
    await page.getByTestId('invoice-qr').waitFor();
    await page.screenshot({ path: `${SHOTS}/limits-largest-charge-1024x768.png` });
    await expectFits('charge-fiat', '$99,999,999.99', '.charge');
  }, 90_000);
});
