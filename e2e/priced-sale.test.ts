import { describe, expect, it } from 'vitest';
import { SHOTS, addStaff, productTile, signIn } from './browser.js';
import { signInAtTill, tillInBrowser } from './served-till.js';

/**
 * Issue 12's day at the counter: taxes set in Settings, a regular's discount, a cart parked while
 * another customer pays, resumed, a tip chosen before the invoice, and a receipt with its tax
 * lines — at the smallest till screen.
 */
describe('a taxed, discounted, tipped sale through the browser', () => {
  const till = tillInBrowser('till-e2e-priced-');

  it('prices, parks, resumes, tips and prints the tax lines', async () => {
    const { page } = till;
    const errors = await signInAtTill(till);
    await page.getByTestId('product-tile').first().waitFor();

    // The owner: VAT 20 % included by default, 5.5 % on the bakery, tips of 10/15/20 %.
    await page.getByTestId('nav-settings').click();
    const card = page.getByTestId('pricing-settings');
    await card.getByTestId('save-pricing').waitFor();
    await card.getByRole('button', { name: 'Add a tax rate' }).click();
    await card.getByTestId('tax-rate').nth(0).getByLabel('Name').fill('VAT 20%');
    await card.getByTestId('tax-rate').nth(0).getByLabel('Percent').fill('20');
    await card.getByRole('button', { name: 'Add a tax rate' }).click();
    await card.getByTestId('tax-rate').nth(1).getByLabel('Name').fill('Reduced 5.5%');
    await card.getByTestId('tax-rate').nth(1).getByLabel('Percent').fill('5.5');
    await card.getByLabel('Default rate').selectOption({ label: 'VAT 20%' });
    await card.getByLabel('Tax rate for Bakery').selectOption({ label: 'Reduced 5.5%' });
    await card.getByLabel('Offer a tip on the charge screen').check();
    await card.getByLabel('VAT or tax id').fill('FR 12 345678901');
    await card.getByRole('button', { name: 'Save taxes and tips' }).click();
    await card.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    // Discounts above 5 % need a manager: the owner sets the limit and adds Mia (manager, PIN 4821)
    // and Cam (cashier, PIN 2580), then locks the till for Cam.
    const staff = page.getByTestId('staff');
    await staff.getByTestId('approval-percent').fill('5');
    await staff.getByTestId('save-approval').click();
    await page.getByTestId('toast').filter({ hasText: 'Approval limit saved' }).waitFor();
    await addStaff(page, 'Mia', 'manager', '4821');
    await addStaff(page, 'Cam', 'cashier', '2580');
    await page.getByTestId('lock').click();
    await signIn(page, '2580');

    // The cashier: a flat white for a regular (10 % off), a croissant, 50 ¢ off the cart.
    await page.getByTestId('nav-register').click();
    await productTile(page, 'Flat White').click();
    await productTile(page, 'Butter Croissant').click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(2);
    await page.getByTestId('line-title').first().click();
    await page.getByTestId('discount-reason').fill('Regular');
    await page.getByTestId('discount-percent').filter({ hasText: '10%' }).click();
    // 10 % is above the 5 % a cashier may give alone: the manager types their PIN right here.
    await page.getByTestId('manager-pin').fill('1111');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('manager-error').innerText())
      .toBe('That PIN is not right. Try again.');
    await page.getByTestId('manager-pin').fill('4821');
    await page.screenshot({ path: `${SHOTS}/manager-approval-1024x768.png` });
    // A click, not Enter: it fails if the PIN sheet is hidden under the discount sheet.
    await page.getByTestId('manager-approve').click({ timeout: 5_000 });
    await expect
      .poll(() => page.getByTestId('line-discount').innerText(), { timeout: 10_000 })
      .toBe('−10% · Regular');
    // A note on the flat white, from the same sheet, and one on the order: Enter saves each.
    await page.getByTestId('line-title').first().click();
    await page.getByTestId('discount-note').click();
    await page.getByTestId('note-input').fill('oat milk');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('line-note').innerText()).toBe('oat milk');
    await page.getByTestId('cart-note-button').click();
    await page.getByTestId('note-input').fill('For here');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('cart-note').innerText()).toBe('Note: For here');
    await page.getByTestId('cart-discount').click();
    await page.getByTestId('discount-amount').fill('0.50');
    await page.keyboard.press('Enter');
    // 50 ¢ of $7.30 is 6.8 %: the manager again.
    await page.getByTestId('manager-pin').fill('4821');
    await page.keyboard.press('Enter');
    // A PIN is checked against each person's scrypt hash in turn: longer than a second on a busy machine.
    await expect.poll(() => page.getByTestId('cart-total').innerText(), { timeout: 10_000 }).toBe('$6.80');
    expect(await page.getByTestId('cart-breakdown').innerText()).toMatch(
      /Subtotal \$7\.75\s+Discounts −\$0\.95\s+Tax included \$0\.79/,
    );
    await page.screenshot({ path: `${SHOTS}/priced-cart-1024x768.png` });

    // Parked while the regular finds their wallet; the next customer pays cash, no tip.
    await page.getByTestId('park-cart').click();
    await page.getByTestId('park-name').fill('Regular');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(0);
    await productTile(page, 'Espresso').click();
    await page.getByTestId('variant-option').first().click();
    await page.getByTestId('cash-button').click();
    await page.getByTestId('tip-none').click();
    await page.getByTestId('cash-take').click();
    await page.getByTestId('sale-paid').waitFor();
    await page.getByTestId('new-sale').click();

    await page.getByTestId('held-carts').click();
    await page.getByTestId('resume-cart').first().click();
    await expect.poll(() => page.getByTestId('cart-total').innerText()).toBe('$6.80');
    expect(await page.getByTestId('line-note').innerText()).toBe('oat milk');
    expect(await page.getByTestId('cart-note').innerText()).toBe('Note: For here');

    // A 10 % tip, asked before the invoice: 68 ¢ on $6.80.
    await page.getByTestId('charge-button').click();
    await page.getByTestId('tip-preset').first().waitFor();
    expect(await page.getByTestId('tip-preset').first().innerText()).toMatch(/10%\s*\+\$0\.68/);
    await page.screenshot({ path: `${SHOTS}/tip-choice-1024x768.png` });
    await page.getByTestId('tip-preset').first().click();
    await page.getByTestId('invoice-qr').waitFor();
    await page.getByTestId('demo-pay').click();
    await page.getByTestId('sale-paid').waitFor();

    const receipt = page.getByTestId('receipt');
    await expect.poll(() => receipt.innerText()).toContain('VAT / tax id FR 12 345678901');
    expect(await page.getByTestId('receipt-line-note').innerText()).toBe('Note: oat milk');
    expect(await page.getByTestId('receipt-note').innerText()).toBe('Note: For here');
    expect(await page.getByTestId('receipt-tip').innerText()).toBe('$0.68');
    const taxRows = await page.getByTestId('receipt-taxes').locator('tbody tr').allInnerTexts();
    expect(taxRows.map((r) => r.split(/\s+/).join(' '))).toEqual([
      'Reduced 5.5% $2.87 $0.16 $3.03',
      'VAT 20% $3.14 $0.63 $3.77',
      'Untaxed $0.68 $0.00 $0.68',
    ]);
    expect(await receipt.locator('.receipt-total').innerText()).toMatch(/Total\s+\$7\.48/);
    await page.screenshot({ path: `${SHOTS}/priced-receipt-1024x768.png`, fullPage: true });

    // Sales: the row says what was taken off, the tax and the tip; the day adds the tax and tips.
    await page.getByTestId('nav-sales').click();
    const row = page.getByTestId('sale-row').filter({ hasText: '$7.48' });
    await expect
      .poll(() => row.getByTestId('sale-parts').innerText())
      .toBe('−$0.95 off · tax $0.79 · tip $0.68');
    expect(await page.getByTestId('sales-total-tips').innerText()).toBe('tips $0.68');
    // $0.79 here and the espresso's $0.50 (20 % inside its $3.00); its cash sale had no tip.
    expect(await page.getByTestId('sales-total-tax').innerText()).toBe('tax $1.29');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow, 'Sales scrolls sideways at 1024×768').toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/priced-sales-1024x768.png` });
    expect(errors).toEqual([]);
  }, 150_000);
});
