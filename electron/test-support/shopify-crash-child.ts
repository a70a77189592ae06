import { signedInTill } from './till-calls.js';
import { mulberry32 } from '../../shared/random.js';
import { manualClock } from './fixtures.js';
import { killPoints, report } from './kill-child.js';
import { call } from './till-calls.js';

/**
 * Sells for cash, with Shopify connected, until it is killed; between customers the order pump
 * has a go (now and then, drawn from the seed). Its clock is its own and moves ten minutes a
 * customer, so a back-off never leaves the queue waiting on the wall clock. It dies where its
 * arguments say — `kill-after` ("sell" or "pump"), the `nth` such step, `turns` microtasks into
 * it — unless the parent kills it first (the parent also kills it from inside the Shopify fake,
 * the moment an order is created, so that answer is never heard).
 *
 * Lines to the parent: `paid <sale>` once the till answered that the sale is paid.
 */
const [dataDir, resourcesDir, shopifyUrl, startText, seedText, killAfter, nthText, turnsText] =
  process.argv.slice(2);
if (
  !dataDir ||
  !resourcesDir ||
  !shopifyUrl ||
  !startText ||
  !seedText ||
  !killAfter ||
  !nthText ||
  !turnsText
)
  throw new Error(
    'usage: shopify-crash-child <dataDir> <resourcesDir> <shopifyUrl> <start ms> <seed> <kill-after> <nth> <turns>',
  );
const random = mulberry32(Number(seedText));
// Each run's clock starts where the parent says, after the last run's: back-offs stay ordered.
const clock = manualClock(new Date(Number(startText)));

const till = await signedInTill({
  dataDir,
  resourcesDir,
  now: clock.now,
  timers: false,
  log: () => undefined,
  shopifyBaseUrl: shopifyUrl,
  shopifyTimeoutMs: 300,
});

const step: <T>(kind: 'sell' | 'pump', run: () => Promise<T>) => Promise<T> = killPoints(
  killAfter,
  Number(nthText),
  Number(turnsText),
);

for (;;) {
  for (let lines = 1 + Math.floor(random() * 3); lines > 0; lines--) {
    const cart = await call(till, 'addCustomAmount', { amount: BigInt(50 + Math.floor(random() * 2000)) });
    const last = cart.lines.at(-1)!;
    const quantity = 1 + Math.floor(random() * 3);
    if (quantity > 1) await call(till, 'setLineQuantity', { lineId: last.lineId, quantity });
  }
  const { total } = await call(till, 'getCart');
  const sale = await step('sell', () => call(till, 'payCash', { tendered: total + 500n }));
  report(`paid ${sale.id}`);
  clock.advance(10 * 60_000);
  if (random() < 0.6) await step('pump', () => till.tick());
}
