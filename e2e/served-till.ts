import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from '../electron/test-support/fixtures.js';
import { openBrowser, signIn } from './browser.js';
import { serveTill, type ServedTill } from './serve.js';

/** A till served for a describe block's tests and the Chromium page they drive (set in beforeAll). */
export interface TillInBrowser {
  readonly dir: { path: string; remove: () => void };
  readonly served: ServedTill;
  readonly browser: Browser;
  readonly page: Page;
}

/**
 * For the describe block it is called in: `npm run serve` on a fresh data directory and Chromium
 * with one page, at the smallest till screen (1024×768) unless `viewport` is null (then
 * openBrowser's own). `before` runs first (a check for the tools the block needs), `env` is the
 * served till's extra environment, `onPage` sees the page once open (a dialog handler). After the
 * block: the browser closed, the till stopped, the directory removed.
 */
export function tillInBrowser(
  dirPrefix: string,
  opts: {
    viewport?: { width: number; height: number } | null;
    before?: () => void;
    env?: (dataDir: string) => Record<string, string>;
    onPage?: (page: Page) => void;
  } = {},
): TillInBrowser {
  const dir = tempDir(dirPrefix);
  let served: ServedTill | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    opts.before?.();
    served = await serveTill(dir.path, opts.env?.(dir.path));
    ({ browser, page } = await openBrowser());
    const viewport = opts.viewport === undefined ? { width: 1024, height: 768 } : opts.viewport;
    if (viewport) await page.setViewportSize(viewport);
    opts.onPage?.(page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    dir.remove();
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} is not started yet (used outside a test?)`);
    return value;
  };
  return {
    dir,
    get served() {
      return started(served, 'till');
    },
    get browser() {
      return started(browser, 'browser');
    },
    get page() {
      return started(page, 'page');
    },
  };
}

/**
 * Opens the till in the page and signs in on its PIN pad as the demo owner; the page's uncaught
 * errors from then on, for the test to expect none.
 */
export async function signInAtTill(t: TillInBrowser): Promise<string[]> {
  const errors: string[] = [];
  t.page.on('pageerror', (e) => errors.push(e.message));
  await t.page.goto(t.served.url);
  await signIn(t.page);
  return errors;
}
