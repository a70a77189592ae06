import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeInvoice } from '../electron/lightning/bolt11/encode.js';
import { refundPrintHash } from '../shared/receipt/print-url.js';
import { withdraw } from '../electron/test-support/lud03-wallet.js';
import { SHOTS, noSidewaysScroll, payCash, productTile } from './browser.js';
import { signInAtTill, tillInBrowser } from './served-till.js';
import { needPoppler, pdfText, printViewToPdf } from './pdf.js';

/**
 * Issue 14's LNURL-withdraw refund in the browser, as its Tests ask: the owner turns it on in
 * Settings; a sale; its receipt scanned at the Register → Return items → one line → "Customer
 * scans (LNURL)" → approve → the QR shows the sats and a countdown; a wallet (the LUD-03 test
 * client, in this process) claims it over HTTP, the screen says Refunded from the till's event,
 * and the refund receipt prints (to PDF, read back with poppler's pdftotext).
 */
describe('an LNURL-withdraw refund through the browser', () => {
  const till = tillInBrowser('till-e2e-lnurlw-', { before: () => needPoppler('pdftotext') });

  it('scan the receipt, return a line, approve, the wallet claims the QR, the refund receipt prints', async () => {
    const { page } = till;
    const errors = await signInAtTill(till);

    // The owner turns LNURL refunds on (this test listens on loopback, any free port).
    await page.getByTestId('nav-settings').click();
    const card = page.getByTestId('lnurlw-settings');
    await card.scrollIntoViewIfNeeded();
    await card.getByTestId('lnurlw-enabled').check();
    await card.getByTestId('lnurlw-host').fill('127.0.0.1');
    await card.getByTestId('lnurlw-port').fill('0');
    await card.getByTestId('lnurlw-url').fill('');
    await card.getByTestId('lnurlw-save').click();
    await expect
      .poll(() => card.getByTestId('lnurlw-status').innerText())
      .toMatch(/Running: wallets reach http:\/\/127\.0\.0\.1:\d+/);
    await card.screenshot({ path: `${SHOTS}/lnurlw-settings.png` });

    await page.getByTestId('nav-register').click();
    await productTile(page, 'Flat White').click();
    await payCash(page);
    await page.getByTestId('new-sale').click();

    // The customer brings the receipt back: its QR, scanned (a keyboard-wedge scanner types it).
    await page.getByTestId('catalog-search').click();
    await page.keyboard.type('sale:000001');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('return-prompt-title').innerText())
      .toBe('Sale #000001 — Return items?');
    await page.getByTestId('return-prompt-yes').click();
    await page.getByTestId('refund-line').first().getByTestId('refund-more').click();
    await page.getByTestId('refund-reason').fill('Too cold');
    await page.getByTestId('refund-tender-lnurl-withdraw').click();
    await expect.poll(() => page.getByTestId('refund-quote').innerText()).toMatch(/today’s rate/);
    const satsNow = async () =>
      BigInt((await page.getByTestId('refund-sats').innerText()).replace(/[^\d]/g, ''));
    await expect.poll(satsNow).toBeGreaterThan(0n);
    const sats = await satsNow();
    expect(await page.getByTestId('refund-approve').innerText()).toBe('Approve and show the QR');
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/lnurlw-approve-1024x768.png` });
    await page.getByTestId('refund-approve').click();

    const qr = page.getByTestId('lnurl-qr');
    await qr.waitFor();
    await expect.poll(() => qr.getAttribute('data-lnurl')).toMatch(/^LNURL1/);
    const lnurl = (await qr.getAttribute('data-lnurl'))!;
    expect(await page.getByTestId('lnurl-sats').innerText()).toContain(sats.toLocaleString('en-US'));
    await expect.poll(() => page.getByTestId('lnurl-countdown').innerText()).toMatch(/Expires in \d+:\d\d/);
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/lnurlw-qr-1024x768.png` });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: `${SHOTS}/lnurlw-qr-1920x1080.png` });

    // The customer's wallet: decode, GET, invoice for exactly what it offers, callback.
    let n = 0;
    const { request, answer } = await withdraw(lnurl, (msat) => {
      n++;
      return encodeInvoice(
        {
          network: 'regtest',
          amountMsat: msat,
          timestamp: Math.floor(Date.now() / 1000),
          paymentHash: createHash('sha256').update(`e2e lnurl preimage ${n}`).digest('hex'),
          paymentSecret: createHash('sha256').update(`e2e lnurl secret ${n}`).digest('hex'),
          description: 'Refund',
          expirySec: 600,
        },
        new Uint8Array(32).fill(7),
      );
    });
    expect(BigInt(request.maxWithdrawable)).toBe(sats * 1000n);
    expect(answer).toEqual({ status: 'OK' });

    await expect.poll(() => page.getByTestId('lnurl-outcome').innerText()).toBe('Refunded');
    await page.screenshot({ path: `${SHOTS}/lnurlw-paid-1920x1080.png` });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.screenshot({ path: `${SHOTS}/lnurlw-paid-1024x768.png` });

    // The refund receipt, offered once paid: the browser opens its print view.
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.locator('.lnurl-sheet').getByTestId('print-refund-receipt').click(),
    ]);
    await popup.locator('body[data-receipt-ready="1"]').waitFor();
    const refundId = new URLSearchParams(new URL(popup.url()).hash.split('?')[1]).get('refund')!;
    await popup.close();
    const file = await printViewToPdf(
      till.browser,
      page,
      `${new URL(till.served.url).origin}/${refundPrintHash(refundId, { paper: '80mm' })}`,
      'lnurlw-refund-receipt',
    );
    const text = pdfText(file);
    for (const words of [
      'REFUND',
      '000001-R1',
      'Of sale #000001',
      'Flat White',
      'Sent via Lightning',
      sats.toLocaleString('en-US'),
      'Reason Too cold',
      'Approved by Owner',
    ])
      expect(text, words).toContain(words);

    await page.getByTestId('refund-done').click();
    await expect
      .poll(() => page.getByTestId('sale-refunds').innerText())
      .toMatch(/Refunded .* over Lightning/);
    expect(errors).toEqual([]);
  }, 180_000);
});
