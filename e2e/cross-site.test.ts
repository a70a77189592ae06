import { signedInTill } from '../electron/test-support/till-calls.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Till } from '../electron/till.js';
import { RESOURCES_DIR, tempDir } from '../electron/test-support/fixtures.js';
import { startWebHost, type WebHost } from '../electron/web-host/server.js';
import { openBrowser } from './browser.js';

/**
 * What a real Chromium sends when another page on this machine points at the till: a page on
 * another port of 127.0.0.1 is same-site, so the till's SameSite=Strict cookie goes along.
 * The host must tell it apart (Fetch Metadata) from the cashier's own navigation.
 */
describe('a page on another local port cannot reach the till through the cashier’s browser', () => {
  const dir = tempDir('till-xsite-');
  let till: Till;
  let host: WebHost;
  let other: Server;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const renderer = join(dir.path, 'renderer');
    mkdirSync(renderer, { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>till</title>');
    till = await signedInTill({
      dataDir: join(dir.path, 'data'),
      resourcesDir: RESOURCES_DIR,
      timers: false,
    });
    host = await startWebHost({ till, rendererDir: renderer, imagesDirs: [join(RESOURCES_DIR, 'images')] });
    const target = `http://127.0.0.1:${host.port}`;
    // The hostile page: an image with an undecodable path and a credentialed no-cors fetch.
    other = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<!doctype html><title>other</title><img src="${target}/catalog-images/%E0%A4%A.svg">` +
          `<script>fetch('${target}/', { mode: 'no-cors', credentials: 'include' })</script>`,
      );
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    ({ browser, page } = await openBrowser());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => other?.close(resolve));
    await host?.close();
    await till?.close();
    dir.remove();
  });

  it('opens the till from its printed address, then refuses what the other page asks', async () => {
    const opened = await page.goto(host.url);
    expect(opened?.status()).toBe(200);
    expect(await page.title()).toBe('till');

    const fromOther = (path: string) =>
      page.waitForResponse((r) => r.url().startsWith(`http://127.0.0.1:${host.port}${path}`));
    const image = fromOther('/catalog-images/');
    const fetched = fromOther('/');
    await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    for (const response of [await image, await fetched]) {
      const sent = await response.request().allHeaders();
      // The threat is real: the browser sent the cookie along...
      expect(sent.cookie, response.url()).toMatch(/till_token_\d+=/);
      expect(sent['sec-fetch-site'], response.url()).toBe('same-site');
      // ...and the host refused, by Fetch Metadata rather than by the missing token.
      expect(response.status(), response.url()).toBe(403);
    }
    // Still serving the cashier.
    expect((await page.goto(`http://127.0.0.1:${host.port}/`))?.status()).toBe(200);
  });
});
