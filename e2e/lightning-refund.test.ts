import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeInvoice } from '../electron/lightning/bolt11/encode.js';
import { SHOTS, noSidewaysScroll, payCash, productTile, returnItemsOfLastSale } from './browser.js';
import { signInAtTill, tillInBrowser } from './served-till.js';

/**
 * Issue 14's Lightning tender in the browser: Return items → Lightning shows the sats the
 * customer's invoice must ask for and takes the invoice as a scanner types it; with the refund
 * wallet set to none (Settings → Refund wallet), the till refuses in the sheet's words and nothing
 * is refunded.
 */
describe('a Lightning refund through the browser', () => {
  const till = tillInBrowser('till-e2e-lnrefund-');

  it('shows the sats, takes the scanned invoice, and says there is no refund wallet', async () => {
    const { page } = till;
    const errors = await signInAtTill(till);
    // The demo node starts with the demo refund wallet: the owner turns refunds off first.
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('rw-kind-none').click();
    await page.getByTestId('rw-save').click();
    await expect.poll(() => page.getByTestId('rw-saved').innerText()).toContain('No refund wallet');
    await page.getByTestId('nav-register').click();
    await productTile(page, 'Flat White').click();
    await payCash(page);

    await returnItemsOfLastSale(page);
    await page.getByTestId('refund-line').first().getByTestId('refund-more').click();
    await page.getByTestId('refund-reason').fill('Too cold');
    await page.getByTestId('refund-tender-lightning').click();
    // The sats follow the till's preview of the refund: wait for it, not for the first paint.
    const satsNow = async () =>
      BigInt((await page.getByTestId('refund-sats').innerText()).replace(/[^\d]/g, ''));
    await expect.poll(satsNow).toBeGreaterThan(0n);
    const sats = await satsNow();
    expect(await page.getByTestId('refund-approve').innerText()).toBe('Scan the customer’s invoice');

    const invoice = encodeInvoice(
      {
        network: 'regtest',
        amountMsat: sats * 1000n,
        timestamp: Math.floor(Date.now() / 1000),
        paymentHash: createHash('sha256').update('e2e preimage').digest('hex'),
        paymentSecret: createHash('sha256').update('e2e secret').digest('hex'),
        description: 'Refund',
        expirySec: 600,
      },
      new Uint8Array(32).fill(7),
    );
    // A scanner is a keyboard: it types the invoice.
    await page.getByTestId('refund-invoice').click();
    await page.keyboard.type(invoice);
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/lnrefund-invoice-1024x768.png` });
    await page.getByTestId('refund-approve').click();
    await expect
      .poll(() => page.getByTestId('refund-error').innerText())
      .toContain('No refund wallet is set up for Lightning refunds');
    await page.screenshot({ path: `${SHOTS}/lnrefund-no-wallet-1024x768.png` });

    await page.setViewportSize({ width: 1920, height: 1080 });
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/lnrefund-no-wallet-1920x1080.png` });
    expect(errors).toEqual([]);
  }, 120_000);
});
