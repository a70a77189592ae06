import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SHOTS, payCash, productTile, returnItemsOfLastSale } from './browser.js';
import { signInAtTill, tillInBrowser } from './served-till.js';

/**
 * Issue 14's refund reconciliation on the Reconcile screen: a cash refund (journal only, no store
 * connected) is _Refund matched_; a payment the demo refund wallet made that no refund names is
 * _Refund paid out, not in the books_, in a bookkeeper's words.
 */
describe('refunds on the Reconcile screen', () => {
  const till = tillInBrowser('till-e2e-rcrefund-');

  it('shows a matched refund and a wallet payment no refund names', async () => {
    const { page } = till;
    const errors = await signInAtTill(till);
    await productTile(page, 'Flat White').click();
    await payCash(page);
    await returnItemsOfLastSale(page);
    await page.getByTestId('refund-line').first().getByTestId('refund-more').click();
    await page.getByTestId('refund-reason').fill('Too cold');
    await expect.poll(() => page.getByTestId('refund-amount').innerText()).toMatch(/in cash/);
    await page.getByTestId('refund-approve').click();
    await page.getByTestId('refund-done').click();

    // The demo refund wallet paid something no refund names (as if paid by hand with its key).
    const journal = new Database(join(till.dir.path, 'journal.sqlite'));
    journal
      .prepare(
        'INSERT INTO demo_refund_payments (payment_hash, invoice, amount_msat, paid_at) VALUES (?, ?, ?, ?)',
      )
      .run('ab'.repeat(32), 'lnbc1stray', 21_000, new Date().toISOString());
    journal.close();

    await page.getByTestId('nav-reconcile').click();
    await page.getByTestId('rc-start').click();
    await page.getByTestId('rc-summary').waitFor();
    await expect
      .poll(() => page.getByTestId('rc-card-refund_matched').innerText())
      .toContain('Refund matched');
    expect(await page.getByTestId('rc-card-refund_paid_not_recorded').innerText()).toContain(
      'Refund paid out, not in the books',
    );
    await page.screenshot({ path: `${SHOTS}/reconcile-refunds-1024x768.png`, fullPage: true });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: `${SHOTS}/reconcile-refunds-1920x1080.png`, fullPage: true });
    expect(errors).toEqual([]);
  }, 180_000);
});
