import { createServer } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../electron/test-support/fixtures.js';
import { openBrowser, SHOTS, signIn } from './browser.js';
import { serveTill, type ServedTill } from './serve.js';
import { invokeInPage } from './till-page.js';

/** 127.0.0.2 stands in for the shop's network: another address than the cashier's loopback one. */
const LAN = '127.0.0.2';

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Issue 16, customer display: the cashier's page and a tablet paired over the LAN. The display
 * follows the cart line by line, the customer taps a tip, the invoice includes it, both show
 * paid; the display's credential can do nothing else, is cut off when revoked, and the LAN
 * listener serves nothing but the display.
 */
describe('the customer display, paired over the shop network', () => {
  const dir = tempDir('till-e2e-display-');
  let served: ServedTill;
  let browser: Browser;
  let cashier: Page;
  let displayContext: BrowserContext;
  let display: Page;
  let lanOrigin: string;

  beforeAll(async () => {
    served = await serveTill(dir.path);
    ({ browser, page: cashier } = await openBrowser());
    await cashier.setViewportSize({ width: 1024, height: 768 });
    displayContext = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    display = await displayContext.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    dir.remove();
  });

  const shots = async (name: string) => {
    // A till's second monitor (1280×800, 1920×1080), the smallest POS monitor, a phone (390×844).
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await display.setViewportSize({ width, height });
      await display.screenshot({ path: `${SHOTS}/display-${name}-${width}x${height}.png` });
    }
    await display.setViewportSize({ width: 1024, height: 768 });
  };
  const phase = (p: string) => display.locator(`[data-testid="display"][data-phase="${p}"]`).waitFor();

  it('follows the sale, takes the tip, shows paid; refuses everything else; revoked is cut off', async () => {
    const errors: string[] = [];
    display.on('pageerror', (e) => errors.push(e.message));
    await cashier.goto(served.url);
    await signIn(cashier);
    await cashier.getByTestId('product-tile').first().waitFor();

    const pricing = await invokeInPage(cashier, 'getPricingSettings', {});
    await invokeInPage(cashier, 'updatePricingSettings', {
      ...pricing,
      tips: { ...pricing.tips, enabled: true, presets: ['10', '15', '20'] },
    });
    const port = await freePort(LAN);
    lanOrigin = `http://${LAN}:${port}`;
    await invokeInPage(cashier, 'updateCustomerDisplay', {
      settings: { lanEnabled: true, lanAddress: LAN, lanPort: port, monitorId: null },
    });
    await expect.poll(() => served.output(), { timeout: 15_000 }).toContain(`listening on ${lanOrigin}`);

    // Unpaired, the LAN listener serves nothing at all.
    expect((await fetch(`${lanOrigin}/display`)).status).toBe(401);
    const { code } = await invokeInPage(cashier, 'startDisplayPairing', {});
    await display.goto(`${lanOrigin}/pair?code=${code}`);
    await phase('idle');
    await display.getByText('Welcome').waitFor();
    await shots('idle');
    // The pairing code pairs one device, once.
    expect((await fetch(`${lanOrigin}/pair?code=${code}`, { redirect: 'manual' })).status).toBe(401);

    // Line by line.
    const tile = (title: string) => cashier.getByTestId('product-tile').filter({ hasText: title }).first();
    await tile('Flat White').click();
    await expect.poll(() => display.getByTestId('display-lines').locator('li').count()).toBe(1);
    await tile('Butter Croissant').click();
    await expect.poll(() => display.getByTestId('display-lines').locator('li').count()).toBe(2);
    await tile('Butter Croissant').click();
    await expect
      .poll(() => display.getByTestId('display-lines').locator('li').first().textContent())
      .toMatch(/1×/);
    await display.getByText('2×').waitFor();
    await phase('cart');
    const goods = await invokeInPage(cashier, 'getCart', {});

    // The customer taps 15 %; the cashier's screen shows it and the invoice includes it.
    await display.getByRole('button', { name: '15%' }).click();
    await cashier.getByTestId('customer-tip').filter({ hasText: '15%' }).waitFor();
    await shots('cart');
    await cashier.getByTestId('charge-button').click();
    await phase('invoice');
    const sale = await invokeInPage(cashier, 'getSale', {
      saleId: (await invokeInPage(cashier, 'getStatus', {})).activeSaleId!,
    });
    expect(sale.pricing?.tip?.tip).toEqual({ kind: 'percentage', percent: '15' });
    expect(sale.total).toBeGreaterThan(goods.total);
    await display.getByTestId('invoice-qr').waitFor();
    await shots('qr');

    await cashier.getByTestId('demo-pay').click();
    await cashier.getByTestId('sale-paid').waitFor();
    await phase('paid');
    await display.getByText('Paid — thank you!').waitFor();
    await shots('paid');

    // A display credential trying a cashier Command is refused and changes nothing.
    const before = await invokeInPage(cashier, 'getCart', {});
    const reply = await display.evaluate<string>(`new Promise((resolve, reject) => {
      const ws = new WebSocket('ws://' + location.host + '/ws');
      ws.onopen = () => ws.send(JSON.stringify({ type: 'invoke', id: 7, name: 'clearCart', input: {} })
        + '') ;
      ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.type === 'reply') { ws.close(); resolve(JSON.stringify(m.reply)); } };
      ws.onerror = () => reject(new Error('no socket'));
    })`);
    expect(JSON.parse(reply)).toMatchObject({ ok: false, error: { kind: 'NotAuthorized' } });
    expect(await invokeInPage(cashier, 'getCart', {})).toEqual(before);
    // The LAN listener serves nothing but the display, even to a paired device.
    for (const path of ['/', '/index.html', '/catalog-images/espresso.jpg', `/?token=x`]) {
      const status = await display.evaluate<number>(`fetch(${JSON.stringify(path)}).then((r) => r.status)`);
      expect(status, path).toBe(404);
    }

    // Revoked: cut off at once, and told to pair again.
    const { displays } = await invokeInPage(cashier, 'getCustomerDisplay', {});
    expect(displays).toHaveLength(1);
    await invokeInPage(cashier, 'revokeDisplay', { id: displays[0]!.id });
    await phase('wait');
    await display.getByText('Please wait').waitFor();
    await display.getByText('This display needs pairing again.').waitFor();
    await shots('revoked');
    expect(errors).toEqual([]);
  }, 240_000);

  it('Settings → Customer display shows the pairing QR and the paired displays', async () => {
    await cashier.getByTestId('nav-settings').click();
    const card = cashier.getByTestId('customer-display');
    await card.getByTestId('pair-display').click();
    await card.getByTestId('pairing-qr').waitFor();
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: `${SHOTS}/display-settings-card.png` });
  }, 60_000);
});
