import type { Sale } from '../../shared/domain/index.js';
import { mulberry32 } from '../../shared/random.js';
import { manualClock } from './fixtures.js';
import { killPoints, report } from './kill-child.js';
import { call, signedInTill } from './till-calls.js';

/**
 * Sells for cash with Shopify connected and, between customers, returns part of one of this
 * run's sales (drawn from the seed), until it is killed; the pump has a go now and then. Its
 * clock is its own and moves ten minutes a customer. It dies where its arguments say —
 * `kill-after` ("refund" or "pump"), the `nth` such step, `turns` microtasks into it — unless the
 * parent kills it first (from inside the Shopify fake, the moment a refund is made, so that
 * answer is never heard).
 *
 * Lines to the parent: `paid <sale>`, `refund <refund>` once the till answered.
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
    'usage: refund-crash-child <dataDir> <resourcesDir> <shopifyUrl> <start ms> <seed> <kill-after> <nth> <turns>',
  );
const random = mulberry32(Number(seedText));
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
const step: <T>(kind: 'refund' | 'pump', run: () => Promise<T>) => Promise<T> = killPoints(
  killAfter,
  Number(nthText),
  Number(turnsText),
);
const { products } = await call(till, 'searchCatalog', { limit: 50 });
const variants = products.flatMap((p) => p.variants.map((v) => v.id));

const sales: Sale[] = [];
for (;;) {
  // A catalog product (which Shopify restocks) and a custom amount (which it cannot).
  const variantId = variants[Math.floor(random() * variants.length)]!;
  await call(till, 'addToCart', { variantId, quantity: 1 + Math.floor(random() * 3) });
  await call(till, 'addCustomAmount', { amount: BigInt(50 + Math.floor(random() * 2000)) });
  const { total } = await call(till, 'getCart');
  const sale = await call(till, 'payCash', { tendered: total + 500n });
  sales.push(sale);
  report(`paid ${sale.id}`);
  clock.advance(10 * 60_000);
  if (random() < 0.8) {
    const from = sales[Math.floor(random() * sales.length)]!;
    const preview = await call(till, 'previewRefund', { saleId: from.id });
    const open = preview.lines.filter((l) => l.returnable > 0);
    if (open.length > 0) {
      const line = open[Math.floor(random() * open.length)]!;
      const quantity = 1 + Math.floor(random() * line.returnable);
      const refund = await step('refund', () =>
        call(till, 'createRefund', {
          saleId: from.id,
          lines: [{ lineId: line.lineId, quantity, restock: random() < 0.5 }],
          reason: 'Crash test',
          tender: 'cash',
        }),
      );
      report(`refund ${refund.id}`);
    }
  }
  if (random() < 0.6) await step('pump', () => till.tick());
}
