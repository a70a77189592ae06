import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import lnurl from 'lnurl';
import { describe, expect, it } from 'vitest';
import { offlinePin, type OfflineKey } from '../shared/offline-pay/index.js';
import { noSidewaysScroll, productTile, SHOTS } from './browser.js';
import { signInAtTill, tillInBrowser } from './served-till.js';

/**
 * Lightning with the till offline (issue 17) in the browser: the owner sets it up in Settings
 * ("always offer", the simplest honest way on the served till, whose demo node answers), the
 * cashier charges "Lightning (offline)", the customer's PIN — computed here with the key the test
 * configured, standing in for the companion's page — is typed on the PIN pad, the receipt shows
 * the offline tender.
 */
const KEY: OfflineKey = { id: '0a1b2c3d', key: '5e'.repeat(32) };

describe('Lightning (offline) at the till', () => {
  const till = tillInBrowser('till-e2e-offline-', { onPage: (p) => p.on('dialog', (d) => void d.accept()) });

  it('sets it up, charges offline, refuses a wrong PIN, takes the right one and prints the tender', async () => {
    const { page } = till;
    const errors = await signInAtTill(till);
    await page.getByTestId('nav-settings').click();
    const card = page.getByTestId('offline-settings');
    await card.scrollIntoViewIfNeeded();
    await page.getByTestId('offline-enabled').check();
    await page.getByTestId('offline-always').check();
    // Nothing listens there: the companion cannot be reached from this till (no internet here).
    await page.getByTestId('offline-url').fill('http://127.0.0.1:9');
    await page.getByTestId('offline-keyId').fill(KEY.id);
    await page.getByTestId('offline-key').fill(KEY.key);
    await page.getByTestId('offline-save').click();
    await expect
      .poll(() => page.getByTestId('offline-key-hint').innerText())
      .toMatch(/Key 0a1b2c3d · fingerprint/);
    expect(await page.content()).not.toContain(KEY.key);
    await card.screenshot({ path: `${SHOTS}/offline-settings-1024x768.png` });

    await page.getByTestId('nav-register').click();
    const catalog = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../resources/demo-catalog.json'), 'utf8'),
    ) as { products: { id: string; variants: unknown[] }[] };
    const single = catalog.products.find((p) => p.variants.length === 1)!;
    await page.locator(`[data-testid="product-tile"][data-product-id="${single.id}"]`).click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);
    await page.getByTestId('charge-offline-button').click();
    const screen = page.getByTestId('offline-charge');
    await screen.waitFor();
    expect(await page.getByTestId('offline-rate').innerText()).toMatch(/^Rate from \d\d:\d\d, offline$/);
    expect(await page.getByTestId('offline-countdown').innerText()).toMatch(/Link good for 1[45]:\d\d/);
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/offline-charge-1024x768.png` });

    // What the companion reads from the link: its nonce and amount; the PIN it would show once paid.
    const url = new URL(lnurl.decode((await screen.getAttribute('data-lnurl'))!));
    const nonce = url.searchParams.get('nonce')!;
    const msat = BigInt(url.searchParams.get('minSendable')!);
    const pin = offlinePin(KEY, nonce, msat);
    const wrong = pin === '111111' ? '222222' : '111111';
    for (const d of wrong) await page.getByTestId(`pin-key-${d}`).click();
    await expect.poll(() => page.getByTestId('offline-error').innerText()).toMatch(/Wrong PIN.*2 tries left/);
    await page.screenshot({ path: `${SHOTS}/offline-wrong-pin-1024x768.png` });

    await page.setViewportSize({ width: 1920, height: 1080 });
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/offline-charge-1920x1080.png` });
    await page.setViewportSize({ width: 1024, height: 768 });

    for (const d of pin) await page.getByTestId(`pin-key-${d}`).click();
    const receipt = page.getByTestId('receipt');
    await receipt.waitFor();
    expect(await page.getByTestId('offline-tender').innerText()).toMatch(
      /Lightning \(offline\) — to be confirmed/,
    );
    await page.screenshot({ path: `${SHOTS}/offline-receipt-1024x768.png` });

    // Proof later: Reconcile names the sale waiting for the companion's word, asks it on a tap
    // (unreachable here: said so, nothing changes) and lists the sale as not yet confirmed.
    await page.getByTestId('nav-reconcile').click();
    await expect
      .poll(() => page.getByTestId('rc-offline-counts').innerText())
      .toBe('1 paid offline, waiting for the companion server’s confirmation');
    await page.getByTestId('rc-offline-check').click();
    await expect
      .poll(() => page.getByTestId('rc-offline-last').innerText())
      .toMatch(/The companion server at 127\.0\.0\.1:9 cannot be reached/);
    await page.getByTestId('rc-start').click();
    await page.getByTestId('rc-card-offline_unproven').waitFor();
    expect(await page.getByTestId('rc-card-offline_unproven').innerText()).toMatch(
      /Paid offline, not yet confirmed\s+1/,
    );
    expect(await page.getByTestId('rc-offline-proof').innerText()).toMatch(/cannot be reached/);
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/offline-reconcile-1024x768.png`, fullPage: true });
    await page.setViewportSize({ width: 1920, height: 1080 });
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/offline-reconcile-1920x1080.png`, fullPage: true });
    await page.setViewportSize({ width: 1024, height: 768 });
    expect(errors).toEqual([]);
  }, 120_000);

  // After the test above (offline Lightning set up on this till, "always offer").
  it('asks for the tip before signing the link, as Charge does; the tip is in the link’s sats and on the receipt', async () => {
    const { page } = till;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByTestId('nav-settings').click();
    const pricing = page.getByTestId('pricing-settings');
    await pricing.getByTestId('save-pricing').waitFor();
    await pricing.getByLabel('Offer a tip on the charge screen').check();
    await pricing.getByRole('button', { name: 'Save taxes and tips' }).click();
    await pricing.getByRole('status').filter({ hasText: 'Saved' }).waitFor();

    await page.getByTestId('nav-register').click();
    await productTile(page, 'Flat White').click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);
    const goods = await page.getByTestId('cart-total').innerText();
    expect(goods).toBe('$4.50');
    await page.getByTestId('charge-offline-button').click();
    // The same tip sheet as Charge's: 10 % of $4.50 is 45 ¢.
    await page.getByTestId('tip-preset').first().waitFor();
    expect(await page.getByTestId('tip-preset').first().innerText()).toMatch(/10%\s*\+\$0\.45/);
    await page.screenshot({ path: `${SHOTS}/offline-tip-1024x768.png` });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: `${SHOTS}/offline-tip-1920x1080.png` });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.getByTestId('tip-preset').first().click();

    const screen = page.getByTestId('offline-charge');
    await screen.waitFor();
    expect(await page.getByTestId('charge-fiat').innerText()).toBe('$4.95');
    const url = new URL(lnurl.decode((await screen.getAttribute('data-lnurl'))!));
    const msat = BigInt(url.searchParams.get('minSendable')!);
    // At the demo rate ($100,000 a bitcoin) $4.95 is 4,950 sats.
    expect(msat).toBe(4_950_000n);
    expect(url.searchParams.get('maxSendable')).toBe(msat.toString());
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/offline-charge-tip-1024x768.png` });
    await page.setViewportSize({ width: 1920, height: 1080 });
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/offline-charge-tip-1920x1080.png` });
    await page.setViewportSize({ width: 1024, height: 768 });

    for (const d of offlinePin(KEY, url.searchParams.get('nonce')!, msat))
      await page.getByTestId(`pin-key-${d}`).click();
    await page.getByTestId('receipt').waitFor();
    expect(await page.getByTestId('receipt-tip').innerText()).toBe('$0.45');
    expect(errors).toEqual([]);
  }, 120_000);
});
