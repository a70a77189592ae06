import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { lockDataDir } from '../data-lock.js';
import { openTill } from '../open-till.js';
import { guardProcess } from '../process-guard.js';
import type { Till } from '../till.js';
import { startWebHost, type WebHost } from './server.js';
import { webHostToken } from './token.js';

/**
 * `npm run serve`: the till without Electron, for machines without a display and for E2E.
 * TILL_DATA_DIR chooses where the journal lives; TILL_PORT the port (default 4242, 0 for any free);
 * TILL_NEW_TOKEN=1 replaces the web host's token kept in the data folder (token.ts);
 * TILL_EXPORT_DIR where CSV exports go (default ~/Downloads, else <data>/exports).
 * TILL_SHOPIFY_BASE_URL points the store's https://<shop>.myshopify.com at a local Shopify fake
 * (for tests on a machine without the internet); never set it for a real store.
 */
const root = resolve(import.meta.dirname, '../..');
const dataDir = process.env.TILL_DATA_DIR ?? join(homedir(), '.lightning-till');
const rendererDir = join(root, 'out/renderer');
const resourcesDir = join(root, 'resources');

if (!existsSync(join(rendererDir, 'index.html'))) {
  console.error(
    'The cashier screen is not built yet: run `npm run build` (npm run serve does this for you).',
  );
  process.exit(1);
}
/**
 * The same address every run, so a tab left open finds the till again after a restart. When
 * another program has it, the till still starts, on another port, and says so.
 */
const DEFAULT_PORT = 4242;
const portChosen = (process.env.TILL_PORT ?? '') !== '';
const port = portChosen ? Number(process.env.TILL_PORT) : DEFAULT_PORT;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`TILL_PORT must be a port number, not "${process.env.TILL_PORT}".`);
  process.exit(1);
}

guardProcess(process, (message, err) => console.error(`[till] ${message}`, err ?? ''));

const shopifyBaseUrl = process.env.TILL_SHOPIFY_BASE_URL;
const exportDir = process.env.TILL_EXPORT_DIR;
// Tests: Bolt Card services on these hosts may be plain http (a loopback fake); https otherwise.
const cardHttpHosts = (process.env.TILL_CARD_HTTP_HOSTS ?? '').split(',').filter((h) => h !== '');
let till: Till;
let host: WebHost;
let lock: { release: () => void };
try {
  lock = lockDataDir(dataDir);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
let tokenNote: string | null;
try {
  const kept = webHostToken(dataDir, { renew: process.env.TILL_NEW_TOKEN === '1' });
  tokenNote = kept.note;
  // A journal it cannot trust gives a till that shows why and sells nothing (open-till.ts).
  till = await openTill({
    dataDir,
    resourcesDir,
    ...(exportDir ? { exportDir } : {}),
    ...(shopifyBaseUrl ? { shopifyBaseUrl } : {}),
    ...(cardHttpHosts.length > 0 ? { cardClient: { httpHosts: cardHttpHosts } } : {}),
  });
  host = await startWebHost({
    till,
    rendererDir,
    imagesDirs: [join(dataDir, 'catalog-images'), join(resourcesDir, 'images')],
    port,
    anyPortIfTaken: !portChosen,
    token: kept.token,
  });
} catch (err) {
  // Nothing is running yet, so there is nothing to survive for: say why and stop.
  if (err instanceof Error && 'code' in err && err.code === 'EADDRINUSE') {
    console.error(
      `The till could not start: port ${port} (TILL_PORT) is in use. Stop what uses it or choose another.`,
    );
  } else {
    console.error('The till could not start:', err);
  }
  process.exit(1);
}
console.log(`Lightning Till is running (data in ${dataDir}).`);
if (tokenNote) console.log(tokenNote);
if (!portChosen && host.port !== port) {
  console.log(
    `Port ${port} is in use by another program, so this till is on port ${host.port}: a tab opened at port ${port} will not find it.`,
  );
}
console.log(`Open ${host.url}`);

/** Closing waits this long at most: every sale is committed before it is shown, so nothing is lost. */
const STOP_WAIT_MS = 10_000;
let stopping = false;
async function stop(): Promise<void> {
  if (stopping) {
    // A second Ctrl+C: the person means it.
    console.error('[till] stopping now, without waiting');
    process.exit(1);
  }
  stopping = true;
  console.log('Stopping the till… (Ctrl+C again stops it at once)');
  setTimeout(() => {
    console.error(`[till] did not close within ${STOP_WAIT_MS / 1000} s; stopping anyway`);
    process.exit(1);
  }, STOP_WAIT_MS).unref();
  try {
    await host.close();
    await till.close();
  } catch (err) {
    // The guard would log a rejection here and keep the process alive: a stop must stop.
    console.error('[till] could not close cleanly', err);
    process.exitCode = 1;
  }
  lock.release();
  process.exit();
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
