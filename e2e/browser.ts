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
