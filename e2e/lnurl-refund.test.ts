import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeInvoice } from '../electron/lightning/bolt11/encode.js';
import { refundPrintHash } from '../shared/receipt/print-url.js';
import { tempDir } from '../electron/test-support/fixtures.js';
import { withdraw } from '../electron/test-support/lud03-wallet.js';
import { openBrowser, SHOTS, signIn } from './browser.js';
import { serveTill, type ServedTill } from './serve.js';

/**
 * Issue 14's LNURL-withdraw refund in the browser, as its Tests ask: the owner turns it on in
 * Settings; a sale; its receipt scanned at the Register → Return items → one line → "Customer
 * scans (LNURL)" → approve → the QR shows the sats and a countdown; a wallet (the LUD-03 test
 * client, in this process) claims it over HTTP, the screen says Refunded from the till's event,
 * and the refund receipt prints (to PDF, read back with poppler's pdftotext).
 */
describe('an LNURL-withdraw refund through the browser', () => {
  const dir = tempDir('till-e2e-lnurlw-');
  let served: ServedTill;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync('/usr/bin/pdftotext'))
      throw new Error('pdftotext is missing: apt-get install -y poppler-utils');
    served = await serveTill(dir.path);
    ({ browser, page } = await openBrowser());
    await page.setViewportSize({ width: 1024, height: 768 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    dir.remove();
  });

  const tile = (title: string) => page.getByTestId('product-tile').filter({ hasText: title }).first();
  const noSidewaysScroll = async () =>
    (await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')) <= 0;

  it('scan the receipt, return a line, approve, the wallet claims the QR, the refund receipt prints', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
    await signIn(page);

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
    await tile('Flat White').click();
    await page.getByTestId('cash-button').click();
    await page.getByTestId('cash-quick').last().click();
    await page.getByTestId('cash-take').click();
    await page.getByTestId('sale-paid').waitFor();
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
    expect(await noSidewaysScroll()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/lnurlw-approve-1024x768.png` });
    await page.getByTestId('refund-approve').click();

    const qr = page.getByTestId('lnurl-qr');
    await qr.waitFor();
    await expect.poll(() => qr.getAttribute('data-lnurl')).toMatch(/^LNURL1/);
    const lnurl = (await qr.getAttribute('data-lnurl'))!;
    expect(await page.getByTestId('lnurl-sats').innerText()).toContain(sats.toLocaleString('en-US'));
    await expect.poll(() => page.getByTestId('lnurl-countdown').innerText()).toMatch(/Expires in \d+:\d\d/);
    expect(await noSidewaysScroll()).toBe(true);
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
    const context = await browser.newContext();
    await context.addCookies(await page.context().cookies());
    const view = await context.newPage();
    const file = join(SHOTS, 'lnurlw-refund-receipt.pdf');
    rmSync(file, { force: true });
    await view.goto(`${new URL(served.url).origin}/${refundPrintHash(refundId, { paper: '80mm' })}`);
    await view.locator('body[data-receipt-ready="1"]').waitFor();
    await view.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
    await context.close();
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
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
