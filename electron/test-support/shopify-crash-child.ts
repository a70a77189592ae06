import type { Sale } from '../../shared/domain/index.js';
import { createTill } from '../till.js';
import { RESOURCES_DIR } from './fixtures.js';

/**
 * Sells for cash, with Shopify connected, as fast as it can until it is killed; the order pump
 * runs beside it. Prints "paid <id>" once the till has answered that a sale is paid.
 */
const [dataDir, shopifyUrl] = process.argv.slice(2);
if (!dataDir || !shopifyUrl) throw new Error('usage: shopify-crash-child <dataDir> <shopifyUrl>');
const till = await createTill({
  dataDir,
  resourcesDir: RESOURCES_DIR,
  timers: true,
  log: () => {},
  shopifyBaseUrl: shopifyUrl,
  shopifyTimeoutMs: 500,
});

for (let i = 0; ; i++) {
  const reply = await till.invoke('addCustomAmount', { amount: BigInt(100 + i) });
  if (!reply.ok) throw new Error(reply.error.message);
  const paid = await till.invoke('payCash', { tendered: 100_000n });
  if (!paid.ok) throw new Error(paid.error.message);
  process.stdout.write(`paid ${(paid.value as Sale).id}\n`);
  // Let the pump have a go between sales, as it would between customers.
  if (i % 3 === 0) await till.tick();
}
