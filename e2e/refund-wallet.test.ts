import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLnbitsFake, type LnbitsFake } from '../electron/test-support/fakes/lnbits.js';
import { startNwcFake, TILL_METHODS, type NwcFake } from '../electron/test-support/fakes/nwc.js';
import { noSidewaysScroll, SHOTS } from './browser.js';
import { signInAtTill, tillInBrowser } from './served-till.js';

/**
 * Settings → Refund wallet in the browser: the demo wallet by default in demo mode; an NWC
 * connection that cannot spend is told so by Test; one that can is saved and shown back only as a
 * hint; an LNbits read key is refused by Test in words the owner can act on.
 */
describe('Settings → Refund wallet', () => {
  let nwc: NwcFake;
  let lnbits: LnbitsFake;

  beforeAll(async () => {
    nwc = await startNwcFake({ now: () => new Date() });
    lnbits = await startLnbitsFake({ now: () => new Date(), spends: true });
  });

  afterAll(async () => {
    await nwc?.close();
    await lnbits?.close();
  });

  const till = tillInBrowser('till-e2e-rwallet-');

  const card = () => till.page.getByTestId('refund-wallet');
  const shot = async (name: string) => {
    await card().scrollIntoViewIfNeeded();
    await card().screenshot({ path: `${SHOTS}/refund-wallet-${name}.png` });
  };

  it('sets up an NWC refund wallet, tests it, and never shows the secret again', async () => {
    const { page } = till;
    const errors = await signInAtTill(till);
    await page.getByTestId('nav-settings').click();
    await expect.poll(() => page.getByTestId('rw-saved').innerText()).toContain('demo refund wallet');
    await page.getByTestId('rw-demo-note').waitFor();
    await shot('demo-1024x768');

    // A connection made for receiving: Test says it cannot spend.
    await page.getByTestId('rw-kind-nwc').click();
    await page.getByTestId('rw-credential').fill(nwc.connect(TILL_METHODS));
    await page.getByTestId('rw-test').click();
    await expect
      .poll(() => page.getByTestId('rw-check').innerText())
      .toContain('cannot spend (no pay_invoice)');
    await shot('nwc-cannot-spend-1024x768');

    const uri = nwc.connect(['get_info', 'pay_invoice', 'lookup_invoice']);
    const secret = /secret=([0-9a-f]{64})/.exec(uri)![1]!;
    await page.getByTestId('rw-credential').fill(uri);
    await page.getByTestId('rw-per-refund').fill('50000');
    await page.getByTestId('rw-test').click();
    await expect.poll(() => page.getByTestId('rw-check').innerText()).toContain('can pay invoices');
    expect(await page.getByTestId('rw-saved').innerText()).toMatch(
      /Saved: NWC wallet [0-9a-f]{8}… via .* fingerprint/,
    );
    expect(await page.getByTestId('rw-credential').inputValue()).toBe('');
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByTestId('rw-per-refund').inputValue()).toBe('50000');
    expect(await noSidewaysScroll(page)).toBe(true);
    await shot('nwc-ok-1024x768');
    await page.screenshot({ path: `${SHOTS}/refund-wallet-settings-1024x768.png`, fullPage: true });

    await page.setViewportSize({ width: 1920, height: 1080 });
    expect(await noSidewaysScroll(page)).toBe(true);
    await shot('nwc-ok-1920x1080');
    await page.screenshot({ path: `${SHOTS}/refund-wallet-settings-1920x1080.png`, fullPage: true });
    await page.setViewportSize({ width: 1024, height: 768 });

    // LNbits with the read key: saved, but Test says it cannot pay.
    await page.getByTestId('rw-kind-lnbits').click();
    await page.getByTestId('rw-url').fill(lnbits.url);
    await page.getByTestId('rw-credential').fill(lnbits.invoiceKey);
    await page.getByTestId('rw-test').click();
    await expect
      .poll(() => page.getByTestId('rw-check').innerText())
      .toContain('Invoice/read key: it cannot pay');
    await shot('lnbits-read-key-1024x768');
    // A malformed key is refused at the field, in words.
    await page.getByTestId('rw-credential').fill('not a key');
    await page.getByTestId('rw-save').click();
    await expect
      .poll(() => page.getByTestId('rw-error-credential').innerText())
      .toContain('not an LNbits key');
    await shot('lnbits-bad-key-1024x768');
    expect(errors).toEqual([]);
  }, 120_000);
});
