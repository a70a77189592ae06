import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../shared/contract/index.js';
import type { Sale, TillStatus } from '../shared/domain/index.js';
import { fromWire, toWire } from '../shared/contract/wire.js';
import { rawText } from '../electron/web-host/server.js';
import {
  startBoltCardService,
  type BoltCardService,
} from '../electron/test-support/fakes/bolt-card-service.js';
import { tempDir } from '../electron/test-support/fixtures.js';
import { openBrowser, SHOTS, signIn } from './browser.js';
import { serveTill, type ServedTill } from './serve.js';

/**
 * A keyboard-wedge NFC reader types a Bolt Card's link and Enter on the charge screen: the
 * served till asks the card's service (an in-process LUD-03 service that pays through the demo
 * node), and the sale shows Paid. The browser host never has a USB reader; the hint and the
 * status-bar badge a reader brings are shown by rewriting the status the page receives.
 */
describe('a Bolt Card tapped on a keyboard-wedge reader pays the sale', () => {
  const dir = tempDir('till-e2e-card-');
  let served: ServedTill;
  let service: BoltCardService;
  let browser: Browser;
  let page: Page;
  let socket: WebSocket;
  let nextId = 1;

  /** One command to the served till over its own socket, as a second screen would send it. */
  function invoke<T>(name: string, input: unknown): Promise<T> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (data: WebSocket.RawData) => {
        const message = fromWire(rawText(data)) as ServerMessage;
        if (message.type !== 'reply' || message.id !== id) return;
        socket.off('message', onMessage);
        if (message.reply.ok) resolve(message.reply.value as T);
        else reject(new Error(`${name}: ${message.reply.error.message}`));
      };
      socket.on('message', onMessage);
      socket.send(toWire({ type: 'invoke', id, name, input }));
    });
  }

  /** The card's service pays the invoice it was sent: the demo node's payment of the sale on screen. */
  async function payThroughDemoNode(pr: string): Promise<void> {
    const { activeSaleId } = await invoke<TillStatus>('getStatus', {});
    if (activeSaleId === null) throw new Error('no sale on screen to pay');
    const sale = await invoke<Sale>('getSale', { saleId: activeSaleId });
    if (sale.invoice?.bolt11 !== pr)
      throw new Error('the service was sent another invoice than the one on screen');
    await invoke<Sale>('demoPay', { saleId: activeSaleId });
  }

  beforeAll(async () => {
    served = await serveTill(dir.path, { TILL_CARD_HTTP_HOSTS: '127.0.0.1' });
    const origin = new URL(served.url).origin;
    const res = await fetch(served.url, { redirect: 'manual' });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    socket = new WebSocket(`${origin.replace('http', 'ws')}/ws`, { headers: { cookie, origin } });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    service = await startBoltCardService({ pay: payThroughDemoNode });
    ({ browser, page } = await openBrowser());
    // Stand-in for a USB reader plugged in: the status the page receives names one.
    await page.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        const message = fromWire(String(m)) as ServerMessage;
        const withReader = (s: unknown) =>
          s !== null && typeof s === 'object' && 'demoOwnerPin' in s
            ? { ...s, cardReader: 'ACS ACR122U' }
            : s;
        if (message.type === 'event' && message.event === 'statusChanged')
          ws.send(toWire({ ...message, payload: withReader(message.payload) }));
        else if (message.type === 'reply' && message.reply.ok)
          ws.send(toWire({ ...message, reply: { ok: true, value: withReader(message.reply.value) } }));
        else ws.send(String(m));
      });
    });
  }, 180_000);

  afterAll(async () => {
    socket?.close();
    await browser?.close();
    await service?.close();
    await served?.stop();
    dir.remove();
  });

  async function chargeSomething(): Promise<void> {
    const tile = page.locator('[data-testid="product-tile"][data-variants="1"]').first();
    await tile.waitFor();
    await tile.click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);
    await page.getByTestId('charge-button').click();
    await page.getByTestId('invoice-qr').waitFor();
  }

  async function tap(text: string): Promise<void> {
    // A wedge reader types fast, then Enter; nothing was focused first.
    await page.keyboard.type(text, { delay: 2 });
    await page.keyboard.press('Enter');
  }

  it('shows the reader, refuses a declined card in words, then a good card pays', async () => {
    await page.goto(served.url);
    await signIn(page);
    await page.getByTestId('card-reader-badge').waitFor();
    await chargeSomething();
    await page.getByTestId('card-hint').waitFor();
    for (const [width, height] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: `${SHOTS}/bolt-card-hint-${width}x${height}.png` });
    }

    service.declineWith('Card blocked by its owner');
    await tap(service.tap());
    const card = page.getByTestId('card-tap');
    await expect
      .poll(() => card.innerText())
      .toBe('The card was declined: Card blocked by its owner. Take another payment.');
    for (const [width, height] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: `${SHOTS}/bolt-card-declined-${width}x${height}.png` });
    }

    service.declineWith(null);
    const release = service.hold();
    await tap(service.tap());
    await expect.poll(() => card.innerText()).toBe('Card read — asking the card’s service…');
    for (const [width, height] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: `${SHOTS}/bolt-card-reading-${width}x${height}.png` });
    }
    release();
    await page.getByTestId('sale-paid').waitFor();
    expect(service.accepted).toHaveLength(1);
    expect(service.paid).toHaveLength(1);
    await page.screenshot({ path: `${SHOTS}/bolt-card-paid-1920x1080.png` });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.screenshot({ path: `${SHOTS}/bolt-card-paid-1024x768.png` });
    const { sales } = await invoke<{ sales: { state: string }[] }>('listSales', {});
    expect(sales.map((s) => s.state)).toEqual(['paid']);
  }, 120_000);
});
