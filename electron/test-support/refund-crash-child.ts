import type { Sale } from '../../shared/domain/index.js';
import { fiatToMsat, roundToSat } from '../../shared/money/index.js';
import { mulberry32 } from '../../shared/random.js';
import { createLnbitsRefundWallet } from '../refund-wallet/lnbits.js';
import type { RefundWallet } from '../refund-wallet/wallet.js';
import { manualClock } from './fixtures.js';
import { killPoints, report } from './kill-child.js';
import { INVOICES_PER_RUN, refundInvoice } from './refund-invoices.js';
import { call, signedInTill } from './till-calls.js';

/**
 * Sells for cash with Shopify connected and, between customers, returns part of one of this
 * run's sales (drawn from the seed), until it is killed; the pump has a go now and then. Its
 * clock is its own and moves ten minutes a customer. It dies where its arguments say —
 * `kill-after` ("refund" or "pump"), the `nth` such step, `turns` microtasks into it — unless the
 * parent kills it first (from inside the Shopify fake, the moment a refund is made, so that
 * answer is never heard).
 *
 * Given an LNbits refund wallet (`lnbitsUrl adminKey`, the test's fake), half its refunds go back
 * by Lightning to the customer's invoice (electron/test-support/refund-invoices.ts) through that
 * wallet, wrapped so the child can also die just before it is asked to pay (`paying` journaled)
 * and just after it answered (`paid` not yet journaled): kill-after "lightning", "before pay",
 * "after pay". The parent kills it from inside the LNbits fake too, as it records the payment.
 *
 * Lines to the parent: `paid <sale>`, `refund <refund>` once the till answered.
 */
const [
  dataDir,
  resourcesDir,
  shopifyUrl,
  startText,
  seedText,
  killAfter,
  nthText,
  turnsText,
  lnbitsUrl,
  lnbitsAdminKey,
] = process.argv.slice(2);
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
    'usage: refund-crash-child <dataDir> <resourcesDir> <shopifyUrl> <start ms> <seed> <kill-after> <nth> <turns> [<lnbitsUrl> <adminKey>]',
  );
const seed = Number(seedText);
const random = mulberry32(seed);
const clock = manualClock(new Date(Number(startText)));
/** The demo rate (electron/rates/demo.ts) the till prices Lightning refunds at: 1 USD = 1,000 sats. */
const DEMO_USD = '100000.00';

/** The real LNbits refund wallet, and two kill points around its pay call (no microtasks: exactly there). */
function killableWallet(url: string, adminKey: string): RefundWallet {
  const lnbits = createLnbitsRefundWallet({ url, adminKey }, { timeoutMs: 300 });
  const at = killPoints(killAfter!, Number(nthText), 0);
  const point = (kind: 'before pay' | 'after pay') => at(kind, () => Promise.resolve());
  return {
    kind: lnbits.kind,
    async pay(invoice, paymentHash, amountMsat) {
      await point('before pay');
      const paid = await lnbits.pay(invoice, paymentHash, amountMsat);
      await point('after pay');
      return paid;
    },
    lookup: (paymentHash) => lnbits.lookup(paymentHash),
  };
}

const wallet = lnbitsUrl && lnbitsAdminKey ? killableWallet(lnbitsUrl, lnbitsAdminKey) : null;
const till = await signedInTill({
  dataDir,
  resourcesDir,
  now: clock.now,
  timers: false,
  log: () => undefined,
  shopifyBaseUrl: shopifyUrl,
  shopifyTimeoutMs: 300,
  ...(wallet ? { refundWallet: wallet } : {}),
});
const step: <T>(kind: 'refund' | 'lightning' | 'pump', run: () => Promise<T>) => Promise<T> = killPoints(
  killAfter,
  Number(nthText),
  Number(turnsText),
);
let invoices = 0;
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
      const lines = [{ lineId: line.lineId, quantity, restock: random() < 0.5 }];
      const lightning = wallet !== null && invoices < INVOICES_PER_RUN && random() < 0.5;
      let refund;
      if (lightning) {
        // The customer's invoice asks for exactly what the till owes at the demo rate.
        const { amount } = await call(till, 'previewRefund', { saleId: from.id, lines });
        const msat = roundToSat(fiatToMsat(amount, 'USD', DEMO_USD, 'down'), 'down');
        const invoice = refundInvoice(seed, invoices++, msat, clock.now());
        refund = await step('lightning', () =>
          call(till, 'createRefund', {
            saleId: from.id,
            lines,
            reason: 'Crash test',
            tender: 'lightning',
            invoice,
          }),
        );
      } else {
        refund = await step('refund', () =>
          call(till, 'createRefund', { saleId: from.id, lines, reason: 'Crash test', tender: 'cash' }),
        );
      }
      report(`refund ${refund.id}`);
    }
  }
  if (random() < 0.6) await step('pump', () => till.tick());
}
