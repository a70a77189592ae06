import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_CERT } from '../electron/test-support/fakes/http-fake.js';
import { INVOICE_OPS, startLndFake, type LndFake } from '../electron/test-support/fakes/lnd.js';
import { SHOTS, signIn } from './browser.js';
import { tillInBrowser } from './served-till.js';

describe('a cashier sells in demo mode through the browser host', () => {
  const till = tillInBrowser('till-e2e-', { viewport: null });

  it('adds by tapping and by barcode, charges, takes the demo payment and shows the receipt', async () => {
    const { page } = till;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const catalog = demoCatalog();
    const tapped = catalog.products.find((p) => p.variants.length === 1)!;
    const scanned = catalog.products.find((p) => p.id !== tapped.id && p.variants.some((v) => v.barcode))!;
    const barcode = scanned.variants.find((v) => v.barcode)!.barcode!;

    await page.goto(till.served.url);
    await signIn(page);
    await page
      .getByText(/demo mode/i)
      .first()
      .waitFor();
    const tiles = page.getByTestId('product-tile');
    await tiles.first().waitFor();
    expect(await tiles.count()).toBeGreaterThanOrEqual(20);

    await page.locator(`[data-testid="product-tile"][data-product-id="${tapped.id}"]`).click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);

    // A scanner types digits then Enter; the cashier never focuses anything first.
    await page.keyboard.type(barcode, { delay: 5 });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(2);
    await page.getByTestId('toast').first().waitFor();
    expect(await page.getByTestId('cart-line').nth(1).innerText()).toContain(scanned.title);
    await page.screenshot({ path: `${SHOTS}/register.png` });
    // The smallest and the largest screens a till runs on: the whole cart, pay buttons included,
    // stays on screen beside the catalog.
    for (const [width, height] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      const pay = await page.getByTestId('charge-button').boundingBox();
      expect(pay!.x + pay!.width, `Charge button at ${width}×${height}`).toBeLessThanOrEqual(width);
      expect(pay!.y + pay!.height, `Charge button at ${width}×${height}`).toBeLessThanOrEqual(height);
      await page.screenshot({ path: `${SHOTS}/register-${width}x${height}.png` });
    }
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByTestId('charge-button').click();
    await page.getByTestId('invoice-qr').waitFor();
    const qrBox = await page.getByTestId('invoice-qr').boundingBox();
    expect(qrBox!.width).toBeGreaterThanOrEqual(360);
    await expect.poll(() => page.getByTestId('invoice-countdown').innerText()).toMatch(/\d+:\d{2}/);
    await page.screenshot({ path: `${SHOTS}/charge.png` });
    // On the smallest screen the QR, the amount, the countdown and the pay button all show at once.
    await page.setViewportSize({ width: 1024, height: 768 });
    for (const id of ['invoice-qr', 'invoice-countdown', 'demo-pay']) {
      const box = await page.getByTestId(id).boundingBox();
      expect(box!.x + box!.width, `${id} at 1024×768`).toBeLessThanOrEqual(1024);
      expect(box!.y + box!.height, `${id} at 1024×768`).toBeLessThanOrEqual(768);
    }
    await page.screenshot({ path: `${SHOTS}/charge-1024x768.png` });
    await page.setViewportSize({ width: 1280, height: 800 });

    // The window crashing or reloading loses nothing: the till holds the sale, the screen returns to it.
    const qrBefore = await page.getByTestId('invoice-qr').screenshot();
    await page.reload();
    await page.getByTestId('invoice-qr').waitFor();
    expect(Buffer.compare(await page.getByTestId('invoice-qr').screenshot(), qrBefore)).toBe(0);

    await page.getByTestId('demo-pay').click();
    await page.getByTestId('sale-paid').waitFor();
    const receipt = page.getByTestId('receipt');
    await receipt.waitFor();
    const text = await receipt.innerText();
    expect(text).toMatch(/[0-9a-f]{64}/);
    expect(text).toContain(tapped.title);
    expect(text).toContain(scanned.title);
    expect(text).toMatch(/sats/);
    await page.screenshot({ path: `${SHOTS}/receipt.png` });

    await page.getByTestId('new-sale').click();
    await page.getByTestId('nav-sales').click();
    const row = page.getByTestId('sale-row').first();
    await row.waitFor();
    expect(await row.innerText()).toMatch(/Paid/);
    await row.click();
    await page.getByTestId('receipt').waitFor();
    await page.screenshot({ path: `${SHOTS}/sales.png` });
    expect(errors).toEqual([]);
  }, 120_000);

  it('a manager connects an LND node in Settings, and the next sale is paid through it', async () => {
    const { page } = till;
    const lnd = await startLndFake({ now: () => new Date(), alias: 'corner-cafe-lnd' });
    try {
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('backend-lnd').click();
      await page.getByRole('combobox', { name: /^Network/ }).selectOption('regtest');
      await page.getByPlaceholder('192.168.1.20:8080').fill(lnd.url.replace('https://', ''));
      await page.getByPlaceholder('-----BEGIN CERTIFICATE-----').fill(TEST_CERT);
      await page.getByPlaceholder('0201036c6e64…').fill(lnd.macaroon(INVOICE_OPS));
      await page.getByTestId('test-connection').click();
      const check = page.getByTestId('node-check');
      await check.waitFor();
      expect(await check.innerText()).toMatch(/create invoices[\s\S]*read invoices[\s\S]*not spend funds/);
      await page.screenshot({ path: `${SHOTS}/settings-node.png`, fullPage: true });

      await page.getByTestId('save-backend').click();
      await expect
        .poll(() => page.getByTestId('node-status').innerText())
        .toMatch(/LND [0-9a-f]{8} · regtest · connected/);
      // No exchange is reachable from here: the manager prices in a rate of their own.
      await page.getByTestId('rate-source').selectOption('manual');
      await page.getByTestId('save-rates').click();
      await page.getByTestId('manual-rate').fill('91234.50');
      await page.getByRole('button', { name: 'Use this rate' }).click();
      // No quote has ever come from an exchange here: nothing to compare with, so it is asked twice.
      expect(await page.getByTestId('rate-preview').innerText()).toContain('no quote to compare');
      await page.getByTestId('confirm-yes').click();
      await page.getByText(/^Are you sure\?/).waitFor();
      await page.screenshot({ path: `${SHOTS}/settings-manual-rate-twice.png` });
      await page.getByTestId('confirm-yes').click();
      await expect
        .poll(() => page.getByTestId('rate-now').innerText())
        .toMatch(/91234\.50 USD · Manual rate/);
      await page.screenshot({ path: `${SHOTS}/settings.png`, fullPage: true });

      await page.getByTestId('nav-register').click();
      await page.locator('[data-testid="product-tile"][data-variants="1"]').first().click();
      await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);
      await page.getByTestId('charge-button').click();
      await page.getByTestId('invoice-qr').waitFor();
      expect(await page.getByTestId('demo-pay').count()).toBe(0);
      const hash = await waitForInvoice(lnd);
      lnd.pay(hash);
      await page.getByTestId('sale-paid').waitFor();
      expect(await page.getByTestId('receipt').innerText()).toContain(hash);
      await page.screenshot({ path: `${SHOTS}/paid-lnd.png` });
    } finally {
      await lnd.close();
    }
  }, 120_000);

  it('takes cash: change due shown before, recorded on the receipt after', async () => {
    const { page } = till;
    await page.getByTestId('new-sale').click();
    const tile = page.locator('[data-testid="product-tile"][data-variants="1"]').nth(1);
    await tile.click();
    await tile.click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);
    await page.getByTestId('cash-button').click();
    const total = await page.getByTestId('cash-total').innerText();
    await page.getByTestId('cash-quick').last().click();
    const change = await page.getByTestId('cash-change').innerText();
    expect(change).toMatch(/^\$\d+\.\d{2}$/);
    await page.screenshot({ path: `${SHOTS}/cash.png` });
    await page.getByTestId('cash-take').click();
    await page.getByTestId('sale-paid').waitFor();
    expect(await page.getByTestId('paid-change').innerText()).toBe(`Change ${change}`);
    expect(await page.getByTestId('receipt').innerText()).toContain(total);
    await page.screenshot({ path: `${SHOTS}/paid-cash.png` });
  }, 60_000);
});

/** The invoice the till just asked the node for (the probe GetInfo made aside). */
async function waitForInvoice(lnd: LndFake): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const hash = lnd.invoices().findLast((inv) => inv.memo.includes('sale #'))?.hash;
    if (hash) return hash;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the till never asked LND for an invoice');
}

interface DemoCatalogFile {
  products: { id: string; title: string; variants: { barcode: string | null }[] }[];
}

function demoCatalog(): DemoCatalogFile {
  return JSON.parse(
    readFileSync(resolve(import.meta.dirname, '../resources/demo-catalog.json'), 'utf8'),
  ) as DemoCatalogFile;
}
