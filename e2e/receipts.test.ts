import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sale } from '../shared/domain/index.js';
import { DEFAULT_PRICING, type PricingSettings } from '../shared/pricing/settings.js';
import type { PaperWidth } from '../shared/receipt/settings.js';
import { salePrintHash } from '../shared/receipt/print-url.js';
import { SHOTS, inView } from './browser.js';
import { tillInBrowser } from './served-till.js';
import { needPoppler, pdfInfo, pdfText, printViewToPdf, toPngs } from './pdf.js';
import { invokeInPage, openSignedIn } from './till-page.js';

const PRICING: PricingSettings = {
  ...DEFAULT_PRICING,
  taxesIncluded: false,
  rates: [{ id: 'vat', title: 'VAT 20%', percent: '20' }],
  defaultRateId: 'vat',
  tips: { enabled: false, presets: ['10', '15', '20'], taxRateId: null },
  receipt: { taxId: 'GB123456789', address: '1 Market Street, Bristol BS1' },
};

describe('receipts print for real: the print view to PDF in Chromium, read back with poppler', () => {
  const till = tillInBrowser('till-e2e-receipts-', {
    viewport: null,
    before: () => needPoppler('pdftoppm', 'pdftotext', 'pdfinfo'),
  });

  async function pdfOf(saleId: string, paper: PaperWidth, name: string) {
    const origin = new URL(till.served.url).origin;
    const file = await printViewToPdf(
      till.browser,
      till.page,
      `${origin}/${salePrintHash(saleId, { paper })}`,
      name,
    );
    return { file, text: pdfText(file, { layout: false }), info: pdfInfo(file), pngs: toPngs(file) };
  }

  it('prints a Lightning sale and a cash sale with every line a receipt must carry, on 58 mm, 80 mm and A4', async () => {
    const { page } = till;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await openSignedIn(page, till.served.url);
    await invokeInPage(page, 'updatePricingSettings', PRICING);

    // The owner sets the receipt up in Settings: a logo (the till's own top bar, as a PNG), a header, a footer.
    const logo = await page.locator('.brand').screenshot();
    const logoFile = join(till.dir.path, 'logo.png');
    writeFileSync(logoFile, logo);
    await page.getByTestId('nav-settings').click();
    const card = page.getByTestId('receipt-settings');
    await card.waitFor();
    await card.getByTestId('receipt-logo-file').setInputFiles(logoFile);
    await card.getByTestId('receipt-logo-preview').waitFor();
    await card.getByTestId('receipt-header').fill('Open daily 8–18');
    await card.getByTestId('receipt-footer').fill('Returns within 30 days with this receipt');
    await card.getByTestId('receipt-paper-58mm').click();
    await card.getByTestId('receipt-save').click();
    await page.getByText('Receipt settings saved').waitFor();
    expect(await card.getByTestId('receipt-browser-note').innerText()).toMatch(/browser’s print dialog/);
    for (const [w, h] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await card.scrollIntoViewIfNeeded();
      expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= innerWidth')).toBe(true);
      await page.screenshot({ path: `${SHOTS}/receipt-settings-${w}x${h}.png` });
    }
    await page.setViewportSize({ width: 1280, height: 800 });

    // A Lightning sale rung up on the screen.
    const { products } = await invokeInPage(page, 'searchCatalog', {});
    const single = products.filter((p) => p.variants.length === 1);
    await page.getByTestId('nav-register').click();
    await page.locator(`[data-testid="product-tile"][data-product-id="${single[0]!.id}"]`).click();
    await page.getByTestId('cart-line').first().waitFor();
    await page.getByTestId('charge-button').click();
    await page.getByTestId('demo-pay').click();
    await page.getByTestId('sale-paid').waitFor();

    // "Print receipt" in a browser: the print view in a new tab, with the browser's print dialog.
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.getByTestId('print-receipt').click(),
    ]);
    await popup.locator('body[data-receipt-ready="1"]').waitFor();
    const saleId = new URLSearchParams(new URL(popup.url()).hash.split('?')[1]).get('sale')!;
    expect(new URL(popup.url()).hash).toContain('print=1');
    expect(await popup.getByTestId('print-sale-number').innerText()).toBe('#000001');
    await popup.close();
    for (const [w, h] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.screenshot({ path: `${SHOTS}/paid-receipt-actions-${w}x${h}.png` });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    const ln = await invokeInPage(page, 'getSale', { saleId });

    // A cash sale with a discount and a tip, rung up through the till.
    await invokeInPage(page, 'updatePricingSettings', {
      ...PRICING,
      tips: { ...PRICING.tips, enabled: true },
    });
    const cart = await invokeInPage(page, 'addToCart', {
      variantId: single[1]!.variants[0]!.id,
      quantity: 2,
    });
    await invokeInPage(page, 'setLineDiscount', {
      lineId: cart.lines[0]!.lineId,
      discount: { kind: 'percentage', percent: '10', reason: 'Regular' },
    });
    const cash: Sale = await invokeInPage(page, 'payCash', {
      tendered: 5_000n,
      tip: { kind: 'percentage', percent: '15' },
    });

    const everyReceipt = [
      "Satoshi's Corner Café",
      '1 Market Street, Bristol BS1',
      'VAT / tax id GB123456789',
      'Open daily 8–18',
      'Returns within 30 days with this receipt',
      'Served by',
      'Owner',
      'VAT 20%',
      'Total',
    ];
    const hash = ln.invoice!.paymentHash;
    for (const paper of ['58mm', '80mm', 'a4'] as const) {
      const out = await pdfOf(ln.id, paper, `receipt-lightning-${paper}`);
      for (const words of [
        ...everyReceipt,
        '#000001',
        'sale:000001',
        'Paid via Lightning',
        'sats',
        'USD/BTC',
        'Rate source',
        ln.invoice!.rate.source,
        `${hash.slice(0, 8)}…${hash.slice(-8)}`,
        ln.lines[0]!.title,
      ])
        expect(out.text, `${words} on ${paper}`).toContain(words);
      expect(out.text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
      // A roll is one page as long as the receipt, exactly the roll's width; A4 is A4.
      expect(out.info).toMatch(/Pages:\s+1\n/);
      const [, wPt, hPt] = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(out.info)!;
      const widthMm = (Number(wPt) * 25.4) / 72;
      const heightMm = (Number(hPt) * 25.4) / 72;
      if (paper === 'a4') {
        expect(Math.round(widthMm)).toBe(210);
        expect(Math.round(heightMm)).toBe(297);
      } else {
        expect(Math.round(widthMm)).toBe(paper === '58mm' ? 58 : 80);
        expect(heightMm).toBeGreaterThan(100);
      }
      expect(out.pngs).toHaveLength(1);
    }

    const out = await pdfOf(cash.id, '80mm', 'receipt-cash-80mm');
    for (const words of [
      ...everyReceipt,
      '#000002',
      'sale:000002',
      'Discount 10% · Regular',
      'Subtotal',
      'Tip',
      'Cash',
      '$50.00',
      'Change',
    ])
      expect(out.text, words).toContain(words);
    expect(out.text).not.toContain('Lightning');
    expect(out.pngs).toHaveLength(1);

    // A return: the receipt's QR scanned into Sales' search finds the sale, to reprint it.
    await page.getByTestId('new-sale').click();
    await page.getByTestId('nav-sales').click();
    await page.getByTestId('sales-search').fill('sale:000002');
    await expect.poll(() => page.getByTestId('sales-found').innerText()).toBe('1 found');
    const row = page.getByTestId('sale-row');
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toContain('#000002');
    await row.click();
    await page.getByTestId('receipt').waitFor();
    for (const [w, h] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await inView(page, page.getByTestId('print-receipt'), 'Print receipt in Sales');
      await inView(page, page.getByTestId('save-receipt-pdf'), 'Save as PDF in Sales');
      expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= innerWidth')).toBe(true);
      await page.screenshot({ path: `${SHOTS}/sales-reprint-${w}x${h}.png` });
    }
    const [again] = await Promise.all([
      page.waitForEvent('popup'),
      page.getByTestId('print-receipt').click(),
    ]);
    await again.locator('body[data-receipt-ready="1"]').waitFor();
    expect(await again.getByTestId('print-sale-number').innerText()).toBe('#000002');
    await again.setViewportSize({ width: 1024, height: 768 });
    await again.screenshot({ path: `${SHOTS}/receipt-print-view.png`, fullPage: true });
    await again.close();
    expect(errors).toEqual([]);
  }, 180_000);
});
