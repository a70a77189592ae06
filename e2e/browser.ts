import { DEMO_OWNER_PIN } from '../electron/staff/staff.js';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium (never a downloaded one); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the E2E screenshots go, to be looked at as a cashier would. */
export const SHOTS = resolve(import.meta.dirname, '../test-results');

/** Chromium headless with nothing that phones home, and one page at a till screen's size. */
export async function openBrowser(): Promise<{ browser: Browser; page: Page }> {
  // E2E is part of the suite: a missing browser is a failure, never a skip.
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  return { browser, page };
}

/** Wholly inside the window: reachable without scrolling. */
export async function inView(page: Page, target: Locator, what: string): Promise<void> {
  const { width, height } = page.viewportSize()!;
  const box = await target.boundingBox();
  expect(box, `${what} at ${width}×${height}`).not.toBeNull();
  expect(box!.x, `${what} left edge at ${width}×${height}`).toBeGreaterThanOrEqual(0);
  expect(box!.y, `${what} top edge at ${width}×${height}`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${what} right edge at ${width}×${height}`).toBeLessThanOrEqual(width);
  expect(box!.y + box!.height, `${what} bottom edge at ${width}×${height}`).toBeLessThanOrEqual(height);
}

/**
 * Signs in on the PIN pad the till starts with (the demo owner's PIN unless told), tapping its
 * keys as a cashier would, and waits for the register behind it.
 */
export async function signIn(page: Page, pin = DEMO_OWNER_PIN): Promise<void> {
  const lock = page.getByTestId('lock-screen');
  await lock.waitFor();
  for (const digit of pin) await page.getByTestId(`pin-${digit}`).click();
  await page.getByTestId('pin-enter').click();
  await lock.waitFor({ state: 'detached' });
}

/** The owner adds a person in Settings → Staff (the Settings tab open) and waits for them in the list. */
export async function addStaff(page: Page, name: string, role: 'cashier' | 'manager' | 'owner', pin: string) {
  const form = page.getByTestId('staff-add');
  await form.getByTestId('add-name').fill(name);
  await form.getByTestId('add-role').selectOption(role);
  await form.getByTestId('add-pin').fill(pin);
  await form.getByTestId('add-pin-again').fill(pin);
  await form.getByTestId('add-staff').click();
  await page.getByTestId('staff-name').filter({ hasText: name }).waitFor();
}

/** The Register's tile for a product (its first, where a title repeats). */
export function productTile(page: Page, title: string): Locator {
  return page.getByTestId('product-tile').filter({ hasText: title }).first();
}

/** Whether the page fits the window's width (nothing to scroll sideways to). */
export async function noSidewaysScroll(page: Page): Promise<boolean> {
  return (await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')) <= 0;
}

/** Pays the cart in cash with the largest quick amount, and waits for the paid screen. */
export async function payCash(page: Page): Promise<void> {
  await page.getByTestId('cash-button').click();
  await page.getByTestId('cash-quick').last().click();
  await page.getByTestId('cash-take').click();
  await page.getByTestId('sale-paid').waitFor();
}

/** Sales → the newest sale → Return items. */
export async function returnItemsOfLastSale(page: Page): Promise<void> {
  await page.getByTestId('nav-sales').click();
  await page.getByTestId('sale-row').first().click();
  await page.getByTestId('return-items').click();
}
