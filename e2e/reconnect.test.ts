import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../electron/test-support/fixtures.js';
import { openBrowser, signIn, SHOTS } from './browser.js';
import { serveTill, type ServedTill } from './serve.js';

/** A port nobody listens on now, for a till that must come back on the same one. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * The cashier's tab stays open while the till behind it stops: killed, then started again on the
 * same data folder (the tab must come back by itself), then started with a new token (the tab
 * must say exactly what to do, and come back once that is done).
 */
describe('an open tab lives through the till stopping and starting again', () => {
  const dir = tempDir('till-e2e-restart-');
  let served: ServedTill | undefined;
  let browser: Browser;
  let page: Page;
  let env: Record<string, string>;

  beforeAll(async () => {
    env = { TILL_PORT: String(await freePort()) };
    served = await serveTill(dir.path, env);
    let first: Page;
    ({ browser, page: first } = await openBrowser());
    await first.close();
    // A context of its own, so a second tab can share the first one's cookies.
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    dir.remove();
  });

  const overlay = () => page.getByTestId('till-unreachable');
  const cartLines = () => page.getByTestId('cart-line').count();
  const sameTab = () => page.evaluate(() => (globalThis as { sameTab?: boolean }).sameTab === true);

  it('says the till is not answering when it is killed, and recovers by itself, cart intact, when it restarts', async () => {
    await page.goto(served!.url);
    await signIn(page);
    await page.locator('[data-testid="product-tile"][data-variants="1"]').first().click();
    await expect.poll(cartLines).toBe(1);
    // Set in this page only: a reload would lose it.
    await page.evaluate(() => Object.assign(globalThis, { sameTab: true }));

    const url = served!.url;
    await served!.stop('SIGKILL');
    await overlay().waitFor({ timeout: 15_000 });
    expect(await overlay().getAttribute('data-state')).toBe('down');
    const text = await overlay().innerText();
    expect(text).toMatch(/The till is not answering/);
    expect(text).toMatch(/npm run serve/);
    expect(text).toMatch(/reconnects by itself/);
    await page.screenshot({ path: `${SHOTS}/not-answering-1024x768.png` });

    // Charge, reached anyway (the notice covers it, a keyboard still can), answers at once instead of spinning.
    await page.getByTestId('charge-button').dispatchEvent('click');
    await page.getByTestId('toast').filter({ hasText: 'not answering' }).first().waitFor();
    await expect.poll(() => page.getByTestId('charge-button').innerText()).toMatch(/^Charge /);

    served = await serveTill(dir.path, env);
    // Same port, same token kept in the data folder: the address, and the tab's cookie, still work.
    expect(served.url).toBe(url);
    await overlay().waitFor({ state: 'detached', timeout: 30_000 });
    // A restarted till starts locked; the cart it kept is there for whoever signs in.
    await signIn(page);
    await expect.poll(cartLines).toBe(1);
    expect(await sameTab()).toBe(true);
  }, 180_000);

  it('after a restart with a new token, says to open the printed address, and recovers once it is opened', async () => {
    await served!.stop();
    served = await serveTill(dir.path, { ...env, TILL_NEW_TOKEN: '1' });
    expect(served.output()).toMatch(/new web host token/);
    await expect.poll(() => overlay().getAttribute('data-state'), { timeout: 30_000 }).toBe('refused');
    const text = await overlay().innerText();
    expect(text).toMatch(/Open the till’s address again/);
    expect(text).toContain(`http://127.0.0.1:${env.TILL_PORT}/?token=`);
    await page.screenshot({ path: `${SHOTS}/refused-1024x768.png` });

    // The cashier opens the new address in another tab of the same browser: the first tab comes back.
    const other = await page.context().newPage();
    await other.goto(served.url);
    await overlay().waitFor({ state: 'detached', timeout: 30_000 });
    // A restarted till starts locked; the cart it kept is there for whoever signs in.
    await signIn(page);
    await expect.poll(cartLines).toBe(1);
    expect(await sameTab()).toBe(true);
    await other.close();
  }, 180_000);
});
