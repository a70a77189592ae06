import { describe, expect, it } from 'vitest';
import { addStaff, payCash, SHOTS, signIn } from './browser.js';
import { tillInBrowser } from './served-till.js';

/**
 * Issue 13's staff through the browser: the till starts at its PIN pad, the demo owner signs in
 * with the PIN the pad shows, adds a cashier and a manager, and locks; the cashier sells, a
 * discount above the limit is approved by the manager's PIN on the cashier's screen; then the
 * owner, signing in again, reads in the audit who gave that discount and who approved it.
 */
describe('staff, roles and approval in place through the browser', () => {
  const errors: string[] = [];
  const till = tillInBrowser('till-e2e-staff-', {
    viewport: null,
    onPage: (page) => page.on('pageerror', (e) => errors.push(e.message)),
  });

  const overflow = () =>
    till.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  const tabs = () => till.page.locator('nav.nav button').allInnerTexts();

  it('PIN pad, staff, a cashier’s sale with a manager’s approval, switching user, the audit', async () => {
    const { page } = till;
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(till.served.url);
    const lock = page.getByTestId('lock-screen');
    await lock.waitFor();
    expect(await page.getByTestId('demo-owner-pin').innerText()).toBe(
      'Demo owner PIN: 1234 — change it in Settings → Staff',
    );
    // A wrong PIN from the keyboard: the pad says so in the till's words and stays.
    await page.keyboard.type('9999');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('pin-error').innerText())
      .toBe('That PIN did not open the till. Try again.');
    await page.keyboard.type('12');
    await expect.poll(() => page.locator('[data-testid="pin-dots"] .dot.on').count()).toBe(2);
    expect(await overflow()).toBeLessThanOrEqual(0);
    for (const key of ['pin-1', 'pin-enter', 'pin-0', 'pin-back']) {
      const box = (await page.getByTestId(key).boundingBox())!;
      expect(box.height, `${key} is a big touch target`).toBeGreaterThanOrEqual(56);
      expect(box.y + box.height, `${key} fits 1024×768`).toBeLessThanOrEqual(768);
    }
    await page.screenshot({ path: `${SHOTS}/pin-pad-1024x768.png` });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: `${SHOTS}/pin-pad-1920x1080.png` });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');

    // The demo owner signs in from the keyboard.
    await page.keyboard.type('1234');
    await page.keyboard.press('Enter');
    await lock.waitFor({ state: 'detached' });
    expect(await page.getByTestId('signed-in').innerText()).toMatch(/Owner\s+Owner/);
    expect(await tabs()).toEqual(['Register', 'Sales', 'Shift', 'Reconcile', 'Audit', 'Settings']);

    // Settings → Staff: a cashier and a manager; a PIN already taken is refused beside the field.
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('staff').waitFor();
    await addStaff(page, 'Cam Cashier', 'cashier', '2580');
    await addStaff(page, 'Mia Manager', 'manager', '4821');
    const add = page.getByTestId('staff-add');
    await add.getByTestId('add-name').fill('Copycat');
    await add.getByTestId('add-pin').fill('2580');
    await add.getByTestId('add-pin-again').fill('2580');
    await add.getByTestId('add-staff').click();
    await expect
      .poll(() => add.getByTestId('add-pin-error').innerText())
      .toBe('Someone already has that PIN: choose another.');
    await add.getByTestId('add-name').fill('');
    await add.getByTestId('add-pin').fill('');
    await add.getByTestId('add-pin-again').fill('');
    // The last owner cannot stop being one.
    await page.getByTestId('staff-row').filter({ hasText: 'Owner' }).getByTestId('staff-edit').click();
    await page.getByTestId('edit-role').selectOption('manager');
    await page.getByTestId('edit-save').click();
    await expect
      .poll(() => page.getByTestId('edit-role-error').innerText())
      .toBe('The till needs an owner: make someone else owner first.');
    await page.getByTestId('edit-cancel').click();
    expect(await page.getByTestId('staff-name').allInnerTexts()).toEqual([
      'Cam Cashier',
      'Mia Manager',
      'Owner',
    ]);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await expect.poll(() => page.getByTestId('toast').count(), { timeout: 10_000 }).toBe(0);
    await page.getByTestId('staff').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/staff-1024x768.png` });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.getByTestId('staff').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/staff-1920x1080.png` });
    await page.setViewportSize({ width: 1024, height: 768 });

    // Lock; the cashier signs in on the pad: no Settings, Reconcile or Audit for them.
    await page.getByTestId('lock').click();
    await signIn(page, '2580');
    expect(await page.getByTestId('signed-in').innerText()).toMatch(/Cam Cashier\s+Cashier/);
    expect(await tabs()).toEqual(['Register', 'Sales', 'Shift']);

    // A sale: a flat white, 50 % off (above the 20 % a cashier may give alone), cash.
    await page
      .locator('[data-testid="product-tile"][data-variants="1"]')
      .filter({ hasText: 'Flat White' })
      .click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);
    await page.getByTestId('cart-discount').click();
    await page.getByTestId('discount-reason').fill('Damaged cup');
    await page.getByTestId('discount-percent').filter({ hasText: '50%' }).click();
    expect(await page.getByTestId('manager-reason').innerText()).toBe(
      'A discount above 20% needs a manager: ask one to enter their PIN.',
    );
    // The cashier's own PIN is not a manager's.
    await page.getByTestId('manager-pin').fill('2580');
    await page.getByTestId('manager-approve').click();
    await expect
      .poll(() => page.getByTestId('manager-error').innerText())
      .toBe('Cam Cashier cannot approve this: it needs a manager.');
    await page.getByTestId('manager-pin').fill('4821');
    await page.screenshot({ path: `${SHOTS}/staff-approval-1024x768.png` });
    await page.getByTestId('manager-approve').click();
    // A PIN is checked against each person's scrypt hash in turn: longer than a second on a busy machine.
    await expect.poll(() => page.getByTestId('cart-total').innerText(), { timeout: 10_000 }).toBe('$2.25');
    await payCash(page);
    await page.getByTestId('new-sale').click();

    // The cashier changes their own PIN (tap their name), then signs in with the new one.
    await page.getByTestId('signed-in').click();
    await page.getByTestId('my-current-pin').fill('2580');
    await page.getByTestId('my-new-pin').fill('1357');
    await page.getByTestId('my-new-pin-again').fill('1357');
    await page.screenshot({ path: `${SHOTS}/change-my-pin-1024x768.png` });
    await page.getByTestId('my-pin-save').click();
    await page.getByTestId('my-pin-save').waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByTestId('lock').click();
    await signIn(page, '1357');
    expect(await page.getByTestId('signed-in').innerText()).toMatch(/Cam Cashier/);

    // Switch user: lock, the manager signs in and sees the sale rung up by the cashier.
    await page.getByTestId('lock').click();
    await signIn(page, '4821');
    expect(await tabs()).toEqual(['Register', 'Sales', 'Shift', 'Reconcile', 'Audit', 'Settings']);
    await page.getByTestId('nav-sales').click();
    await page.getByTestId('sale-row').first().click();
    expect(await page.getByTestId('rung-up-by').innerText()).toBe('Rung up by Cam Cashier');

    // The audit: the discount with both names.
    await page.getByTestId('nav-audit').click();
    const discounts = page.getByTestId('audit-row').filter({ hasText: 'Discount on the cart' });
    await discounts.first().waitFor();
    // The newest first: the approved one, then the refused try with the cashier's own PIN.
    expect(await discounts.count()).toBe(2);
    const discount = discounts.first();
    const refused = discounts.last();
    expect(await refused.getByTestId('audit-who').innerText()).toBe('Cam Cashier');
    expect(await refused.getByTestId('audit-outcome').innerText()).toBe('Refused');
    expect(await discount.getByTestId('audit-who').innerText()).toBe('Cam Cashier');
    expect(await discount.getByTestId('audit-approver').innerText()).toBe('Mia Manager');
    expect(await discount.getByTestId('audit-detail').innerText()).toBe('50% off (Damaged cup)');
    expect(await discount.getByTestId('audit-outcome').innerText()).toBe('Done');
    // And the cash sale.
    await page.getByTestId('audit-row').filter({ hasText: 'Cash sale' }).first().waitFor();
    // One person's doings: the manager's, as approver too.
    await page.getByTestId('audit-staff').selectOption({ label: 'Mia Manager' });
    await expect.poll(() => page.getByTestId('audit-row').filter({ hasText: 'Cam Cashier' }).count()).toBe(1);
    await page.getByTestId('audit-staff').selectOption({ label: 'Everyone' });
    await expect.poll(() => page.getByTestId('audit-row').count()).toBeGreaterThan(5);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/audit-1024x768.png` });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: `${SHOTS}/audit-1920x1080.png` });
    expect(errors).toEqual([]);
  }, 150_000);
});
