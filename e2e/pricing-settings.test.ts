import { describe, expect, it } from 'vitest';
import { SHOTS, signIn } from './browser.js';
import { tillInBrowser } from './served-till.js';

describe('an owner sets up taxes and tips in Settings', () => {
  const till = tillInBrowser('till-e2e-pricing-', { viewport: null });

  const card = () => till.page.getByTestId('pricing-settings');
  const rate = (n: number) => card().getByTestId('tax-rate').nth(n);

  async function openSettings() {
    await till.page.getByTestId('nav-settings').click();
    await card().getByTestId('save-pricing').waitFor();
  }

  it('VAT 20% by default, 5.5% on the bakery, tips of 10/15/20 %: saved, and there after a reload', async () => {
    const { page } = till;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(till.served.url);
    await signIn(page);
    await page.getByTestId('product-tile').first().waitFor();
    await openSettings();

    await card().getByRole('button', { name: 'Add a tax rate' }).click();
    await rate(0).getByLabel('Name').fill('VAT 20%');
    await rate(0).getByLabel('Percent').fill('20');
    await card().getByRole('button', { name: 'Add a tax rate' }).click();
    await rate(1).getByLabel('Name').fill('Reduced 5.5%');
    await rate(1).getByLabel('Percent').fill('5.5');
    await card().getByLabel('Default rate').selectOption({ label: 'VAT 20%' });
    await card().getByLabel('Tax rate for Bakery').selectOption({ label: 'Reduced 5.5%' });
    // A bottle taken away is taxed like food: its own rate, found by a search.
    await card().getByPlaceholder('Find a product').fill('cold brew');
    const result = card().getByRole('button', { name: /Cold Brew, 330 ml Bottle/ });
    await result.waitFor();
    await card().screenshot({ path: `${SHOTS}/settings-taxes-product-search.png` });
    await result.click();
    await card().getByLabel('Tax rate for Cold Brew, 330 ml Bottle').selectOption({ label: 'Reduced 5.5%' });
    await card().getByLabel('Offer a tip on the charge screen').check();
    for (const [i, tip] of ['10', '15', '20'].entries())
      await card()
        .getByLabel(`Tip choice ${i + 1}`, { exact: true })
        .fill(tip);
    await card().getByLabel('VAT or tax id').fill('GB 123 4567 89');
    await card().getByLabel('Shop address').fill('12 High Street, Bristol BS1 4DJ');
    await card().getByRole('button', { name: 'Save taxes and tips' }).click();
    await card().getByRole('status').filter({ hasText: 'Saved' }).waitFor();

    // The smallest and the largest screens a till runs on.
    for (const [width, height] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      await card().scrollIntoViewIfNeeded();
      const box = (await card().boundingBox())!;
      expect(box.x + box.width, `card at ${width}×${height}`).toBeLessThanOrEqual(width);
      await page.screenshot({ path: `${SHOTS}/settings-taxes-${width}x${height}.png`, fullPage: true });
      await card().screenshot({ path: `${SHOTS}/settings-taxes-card-${width}x${height}.png` });
    }

    await page.reload();
    await openSettings();
    // Loaded once the catalog's product types are listed against the saved rates.
    await card().getByLabel('Tax rate for Bakery').waitFor();
    expect(await card().getByTestId('tax-rate').count()).toBe(2);
    expect(await rate(0).getByLabel('Name').inputValue()).toBe('VAT 20%');
    expect(await rate(0).getByLabel('Percent').inputValue()).toBe('20');
    expect(await rate(1).getByLabel('Name').inputValue()).toBe('Reduced 5.5%');
    expect(await rate(1).getByLabel('Percent').inputValue()).toBe('5.5');
    const selected = (label: string) => card().getByLabel(label).locator('option:checked').innerText();
    expect(await selected('Default rate')).toBe('VAT 20%');
    expect(await selected('Tax rate for Bakery')).toBe('Reduced 5.5%');
    expect(await selected('Tax rate for Coffee')).toBe('Default');
    expect(await selected('Tax on tips')).toMatch(/^None/);
    expect(await selected('Tax rate for Cold Brew, 330 ml Bottle')).toBe('Reduced 5.5%');
    expect(await card().getByLabel('Offer a tip on the charge screen').isChecked()).toBe(true);
    const tips = card().getByRole('textbox', { name: /^Tip choice/ });
    expect(await tips.count()).toBe(3);
    expect(await Promise.all([0, 1, 2].map((i) => tips.nth(i).inputValue()))).toEqual(['10', '15', '20']);
    expect(await card().getByLabel('VAT or tax id').inputValue()).toBe('GB 123 4567 89');
    expect(await card().getByLabel('Shop address').inputValue()).toBe('12 High Street, Bristol BS1 4DJ');
    expect(
      await card().getByRole('button', { name: 'Prices include tax' }).getAttribute('aria-pressed'),
    ).toBe('true');

    // A rate still in use is not removed on a tap: the owner is told where it is used first.
    await rate(0).getByRole('button', { name: 'Remove VAT 20%' }).click();
    const question = card().getByRole('alert');
    expect(await question.innerText()).toContain('“VAT 20%” is the default rate');
    await card().screenshot({ path: `${SHOTS}/settings-taxes-remove-used-rate.png` });
    await question.getByRole('button', { name: 'Keep the rate' }).click();
    expect(await card().getByTestId('tax-rate').count()).toBe(2);
    expect(errors).toEqual([]);
  }, 120_000);
});
