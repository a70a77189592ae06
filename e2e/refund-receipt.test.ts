import { describe, expect, it } from 'vitest';
import { refundPrintHash, salePrintHash } from '../shared/receipt/print-url.js';
import { SHOTS, noSidewaysScroll, payCash, productTile } from './browser.js';
import { signInAtTill, tillInBrowser } from './served-till.js';
import { needPoppler, pdfText, printViewToPdf, toPngs } from './pdf.js';
import { invokeInPage } from './till-page.js';

/**
 * Issue 14 in the browser: a receipt scanned at the Register asks "Return items?" (the cart is
 * left alone), Return items opens on that sale, the refund completes and offers its receipt, the
 * refund receipt prints to PDF with everything it must carry (read back with poppler), the sale's
 * receipt printed again lists the refund, and a receipt scanned into Sales' search opens the sale.
 */

describe('refund receipts and finding the sale by its receipt, in Chromium', () => {
  const till = tillInBrowser('till-e2e-refund-receipt-', {
    before: () => needPoppler('pdftoppm', 'pdftotext'),
  });

  /** Both screen sizes, each checked for sideways scrolling. */
  async function shots(name: string, before?: () => Promise<void>) {
    const { page } = till;
    for (const [w, h] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      expect(await noSidewaysScroll(page), `${name} at ${w}x${h}`).toBe(true);
      await before?.();
      await page.screenshot({ path: `${SHOTS}/${name}-${w}x${h}.png` });
    }
    await page.setViewportSize({ width: 1024, height: 768 });
  }

  async function pdfOf(hash: string, name: string) {
    const origin = new URL(till.served.url).origin;
    const file = await printViewToPdf(till.browser, till.page, `${origin}/${hash}`, name);
    return { text: pdfText(file), pngs: toPngs(file) };
  }

  it('scan the receipt at the Register, return a line, print the refund receipt, find the sale again by scanning', async () => {
    const { page } = till;
    const errors = await signInAtTill(till);
    await productTile(page, 'Flat White').click();
    await productTile(page, 'Flat White').click();
    await productTile(page, 'Butter Croissant').click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(2);
    await payCash(page);
    await page.getByTestId('new-sale').click();

    // A keyboard-wedge scanner types the receipt's QR into the catalog search, fast, then Enter.
    const search = page.getByTestId('catalog-search');
    await search.click();
    await page.keyboard.type('sale:000001');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('return-prompt-title').innerText())
      .toBe('Sale #000001 — Return items?');
    expect(await page.getByTestId('cart-line').count()).toBe(0);
    await shots('return-prompt');

    await page.getByTestId('return-prompt-yes').click();
    const rows = page.getByTestId('refund-line');
    await expect.poll(() => rows.count()).toBe(2);
    await rows.first().getByTestId('refund-more').click();
    await rows.first().getByTestId('refund-restock').uncheck();
    await page.getByTestId('refund-reason').fill('Too cold');

    // The Lightning option takes a Lightning Address as well as an invoice.
    await page.getByTestId('refund-tender-lightning').click();
    await page.getByTestId('refund-invoice').fill('alice@wallet.example');
    await expect
      .poll(() => page.getByTestId('refund-address-note').innerText())
      .toContain('asks wallet.example for an invoice of exactly the refund');
    await shots('refund-lightning-address');
    await page.getByTestId('refund-tender-cash').click();

    await expect
      .poll(() => page.getByTestId('refund-amount').innerText())
      .toMatch(/Refund \$\d+\.\d{2} in cash/);
    const amount = /\$\d+\.\d{2}/.exec(await page.getByTestId('refund-amount').innerText())![0];
    await page.getByTestId('refund-approve').click();
    await expect
      .poll(() => page.getByTestId('refund-hand-over').innerText())
      .toBe(`Give the customer ${amount} in cash`);
    const sheet = page.locator('.refund-sheet');
    await sheet.getByTestId('print-refund-receipt').waitFor();
    await shots('refund-done-receipt');

    // "Print refund receipt" in a browser: the refund's print view with the print dialog.
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      sheet.getByTestId('print-refund-receipt').click(),
    ]);
    await popup.locator('body[data-receipt-ready="1"]').waitFor();
    const refundId = new URLSearchParams(new URL(popup.url()).hash.split('?')[1]).get('refund')!;
    expect(new URL(popup.url()).hash).toContain('print=1');
    expect(await popup.getByTestId('print-refund-number').innerText()).toBe('000001-R1');
    await popup.close();

    for (const paper of ['80mm', '58mm'] as const) {
      const refundPdf = await pdfOf(refundPrintHash(refundId, { paper }), `refund-receipt-${paper}`);
      expect(refundPdf.pngs.length).toBe(1);
      for (const words of [
        "Satoshi's Corner Café",
        'REFUND',
        '000001-R1',
        'Of sale #000001',
        'Flat White',
        'Not restocked',
        `Refunded −${amount}`,
        `Cash given back ${amount}`,
        'Reason Too cold',
        'Refunded by Owner',
        'Approved by Owner',
        'sale:000001',
      ])
        expect(refundPdf.text, `${paper}: ${words}`).toContain(words);
    }

    await page.getByTestId('refund-done').click();
    await expect
      .poll(() => page.getByTestId('sale-refund').first().innerText())
      .toContain(`Refunded ${amount} in cash`);
    const listed = page.getByTestId('sale-refund').first().getByTestId('print-refund-receipt');
    await listed.waitFor();
    // The sale's detail scrolled to its end: the refunds, under the receipt.
    const toEnd = async () => {
      await page.evaluate('document.querySelector(".sales-detail").scrollTop = 1e6');
    };
    await shots('sale-refunds-receipt', toEnd);

    // The sale's receipt, printed again, shows the refund and what the sale came to after it.
    const { sales } = await invokeInPage(page, 'listSales', { number: '1' });
    const salePdf = await pdfOf(
      salePrintHash(sales.find((x) => x.number === 1)!.id, { paper: '80mm' }),
      'refunded-sale-receipt-80mm',
    );
    expect(salePdf.text).toContain('Refunded since');
    for (const words of ['Refund 000001-R1', `−${amount}`, '· Cash']) expect(salePdf.text).toContain(words);
    expect(salePdf.text).toContain('After refunds');

    // In Sales, a scanned receipt opens its sale with Return items ready.
    await page.getByTestId('nav-register').click();
    await page.getByTestId('nav-sales').click();
    await page.getByTestId('sales-search').click();
    await page.keyboard.type('sale:000001');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.evaluate<string | null>('document.activeElement?.getAttribute("data-testid") ?? null'))
      .toBe('return-items');
    await page.getByTestId('sale-refund').first().waitFor();
    await shots('sales-scanned');
    expect(errors).toEqual([]);
  }, 180_000);
});
