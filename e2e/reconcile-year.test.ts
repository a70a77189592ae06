import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../electron/test-support/fixtures.js';
import { fillYearOfSales } from '../electron/test-support/year-of-sales.js';
import { openBrowser, SHOTS, signIn } from './browser.js';
import { serveTill, type ServedTill } from './serve.js';

/**
 * A manager reconciles a year of a busy till on the Reconcile screen: while it runs, the screen
 * names the source being read with each source's count, then the engine's steps on a bar that
 * counts them; at the end, the year's figures. Looked at on the smallest POS monitor and on a
 * full-HD one.
 */
const SALES = 60_000;

describe('reconciling a year on the Reconcile screen', () => {
  const dir = tempDir('till-e2e-reconcile-year-');
  let served: ServedTill;
  let browser: Browser;
  let page: Page;
  let lightning = 0;

  beforeAll(async () => {
    // A first start makes the journal and the demo node's store; the year goes in while it is stopped.
    served = await serveTill(dir.path);
    await served.stop();
    ({ lightning } = fillYearOfSales(dir.path, SALES));
    served = await serveTill(dir.path);
    ({ browser, page } = await openBrowser());
    await page.goto(served.url);
    await signIn(page);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    dir.remove();
  });

  it.each([
    [1024, 768],
    [1920, 1080],
  ])(
    'at %i×%i: shows each source as it is read, then the engine’s steps, then the year',
    async (width, height) => {
      await page.setViewportSize({ width, height });
      await page.getByTestId('nav-reconcile').click();
      await page.getByTestId('rc-from').fill('2025-11-25');
      await page.getByTestId('rc-to').fill('2026-11-24');
      await page.getByTestId('rc-start').click();

      // Reading: the journal's sales first, counted as they arrive.
      const text = page.getByTestId('rc-progress-text');
      await expect.poll(() => text.textContent(), { timeout: 60_000 }).toMatch(/^Reading /);
      await expect
        .poll(
          async () =>
            Number(
              (await page.getByTestId('rc-sources').innerText())
                .match(/Sales: ([\d,]+)/)?.[1]
                ?.replaceAll(',', ''),
            ),
          {
            timeout: 60_000,
          },
        )
        .toBeGreaterThan(0);
      await page.screenshot({ path: `${SHOTS}/reconcile-year-reading-${width}x${height}.png` });

      // Comparing: the engine's steps, the bar filling as they finish.
      await expect
        .poll(() => text.textContent(), { timeout: 120_000 })
        .toMatch(/^Comparing [\d,]+ records on every core: .+ \(step \d+ of \d+\)$/);
      await page.screenshot({ path: `${SHOTS}/reconcile-year-comparing-${width}x${height}.png` });

      await page.getByTestId('rc-summary').waitFor({ timeout: 180_000 });
      // Every sale is an item; the Lightning payments the journal lost are the problems found.
      const all = await page.getByTestId('rc-card-all').innerText();
      expect(Number(all.match(/All items\s+([\d,]+)/)?.[1]?.replaceAll(',', ''))).toBe(SALES);
      const lost = Number(
        (await page.getByTestId('rc-card-paid_on_node_no_sale').locator('strong').innerText()).replaceAll(
          ',',
          '',
        ),
      );
      expect(lost).toBeGreaterThan(0);
      expect(lost).toBeLessThan(lightning / 50);
      expect(await page.getByTestId('rc-done').innerText()).toMatch(/records compared in [\d.]+ s\.$/);
      await page.screenshot({ path: `${SHOTS}/reconcile-year-done-${width}x${height}.png` });
    },
    400_000,
  );
});
