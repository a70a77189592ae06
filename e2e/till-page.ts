import type { Page } from 'playwright-core';
import type { CommandInput, CommandName, CommandOutput } from '../shared/contract/index.js';
import { fromWire, toWire } from '../shared/contract/wire.js';
import { DEMO_OWNER_PIN } from '../electron/staff/staff.js';
import { signIn } from './browser.js';

export { DEMO_OWNER_PIN };

/**
 * Runs one command as the page would, over the page's own socket to the web host (same origin,
 * the page's cookie): for what an E2E sets up rather than tests.
 */
export async function invokeInPage<K extends CommandName>(
  page: Page,
  name: K,
  input: CommandInput<K>,
): Promise<CommandOutput<K>> {
  // Runs in the page (a string: this project's Node types have no DOM).
  const message = toWire({ type: 'invoke', id: 1, name, input });
  const replyWire = await page.evaluate<string>(`new Promise((resolve, reject) => {
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss' : 'ws') + '://' + location.host + '/ws');
    ws.onopen = () => ws.send(${JSON.stringify(message)});
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type !== 'reply' || m.id !== 1) return;
      ws.close();
      resolve(JSON.stringify(m.reply));
    };
    ws.onerror = () => reject(new Error('the till socket did not open'));
  })`);
  const reply = fromWire(replyWire) as
    { ok: true; value: unknown } | { ok: false; error: { message: string } };
  if (!reply.ok) throw new Error(`${name} failed: ${reply.error.message}`);
  return reply.value as CommandOutput<K>;
}

/** Opens the till at `url` and signs in on the PIN pad as the demo owner. */
export async function openSignedIn(page: Page, url: string, pin = DEMO_OWNER_PIN): Promise<void> {
  await page.goto(url);
  await signIn(page, pin);
  await page.getByTestId('product-tile').first().waitFor();
}
