import type { Sale } from '../../shared/domain/index.js';
import { createTill } from '../till.js';
import { RESOURCES_DIR } from './fixtures.js';

/**
 * Sells as fast as it can until it is killed. Prints "paid <id>" only after the till has
 * answered that a sale is paid, so the parent knows which sales the cashier saw as paid.
 */
const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: crash-child <dataDir>');
const till = await createTill({ dataDir, resourcesDir: RESOURCES_DIR, timers: false, log: () => {} });

async function call(name: string, input: unknown = {}): Promise<unknown> {
  const reply = await till.invoke(name, input);
  if (!reply.ok) throw new Error(`${name}: ${reply.error.message}`);
  return reply.value;
}

// Killed mid-sale last time: finish the sale on screen first, as a cashier would.
const { activeSaleId } = (await call('getStatus')) as { activeSaleId: string | null };
if (activeSaleId !== null) {
  const paid = (await call('demoPay', { saleId: activeSaleId })) as Sale;
  process.stdout.write(`paid ${paid.id}\n`);
}

for (let i = 0; ; i++) {
  await call('addCustomAmount', { amount: BigInt(100 + i) });
  const sale = (await call('charge')) as Sale;
  const paid = (await call('demoPay', { saleId: sale.id })) as Sale;
  if (paid.state !== 'paid') throw new Error(`sale ${sale.id} is ${paid.state}`);
  process.stdout.write(`paid ${paid.id}\n`);
}
