import { signedInTill } from './till-calls.js';
import { join } from 'node:path';
import type { Cart, Sale } from '../../shared/domain/index.js';
import { mulberry32 } from '../../shared/random.js';
import { openDemoStore, STORE_FILE } from '../lightning/demo/store.js';
import type { SaleStep } from './crash-steps.js';
import { killPoints, report } from './kill-child.js';
import { call } from './till-calls.js';

/**
 * A cashier and her customers on the demo node, selling until killed: cart edits, cash sales,
 * Lightning sales paid by the customer's wallet or by the demo button, sales cancelled and then
 * paid anyway, sales abandoned. Everything is drawn from the seed in its arguments, and the
 * child dies where they say: `kill-after` is a step kind and `nth` its occurrence in this run,
 * `turns` how many microtasks into that step (0: right after its synchronous part — for
 * "customer pays", right after the node committed the settlement and before the till knows).
 *
 * The customer's wallet pays on the node's own database, as a second machine would: the till's
 * connection is not told, so the till must find each payment by itself — by its lookup of
 * awaiting invoices while it runs (tick), by its replay from the settlement cursor after a
 * restart. Nothing here ever pays an invoice twice or pays again after a restart.
 *
 * Lines to the parent: `cash <sale>`, `charged <sale> <hash>`, `settled <sale> <hash>` (the node
 * committed a payment), `paid <sale> <hash>` (the till said paid), `kill-point <where>`.
 */

const [dataDir, resourcesDir, seedText, killAfter, nthText, turnsText] = process.argv.slice(2);
if (!dataDir || !resourcesDir || !seedText || !killAfter || !nthText || !turnsText)
  throw new Error('usage: crash-child <dataDir> <resourcesDir> <seed> <kill-after> <nth> <turns>');
const random = mulberry32(Number(seedText));
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const till = await signedInTill({ dataDir, resourcesDir, timers: false, log: () => undefined });
const wallet = openDemoStore(join(dataDir, STORE_FILE));
const variants = (await call(till, 'searchCatalog', { limit: 500 })).products.flatMap((p) =>
  p.variants.map((v) => v.id),
);

/** One step of the sale path; at the chosen occurrence of the chosen kind, the child dies in it. */
const step: <T>(kind: SaleStep, run: () => Promise<T>) => Promise<T> = killPoints(
  killAfter,
  Number(nthText),
  Number(turnsText),
);

async function customerPays(sale: Sale, kind: 'customer pays' | 'customer pays late'): Promise<void> {
  const hash = sale.invoice!.paymentHash;
  await step(kind, () => {
    wallet.settle(hash, new Date());
    report(`settled ${sale.id} ${hash}`);
    return Promise.resolve();
  });
}

/** The till must see the wallet's payment through its own lookup; it is a failure if not. */
async function lookUp(sale: Sale): Promise<void> {
  await step('lookup', () => till.tick());
  const after = await call(till, 'getSale', { saleId: sale.id });
  if (after.state !== 'paid') throw new Error(`the till looked up sale ${sale.id} and saw it ${after.state}`);
  report(`paid ${sale.id} ${sale.invoice!.paymentHash}`);
}

async function editCart(cart: Cart): Promise<void> {
  const line = cart.lines.length > 0 ? pick(cart.lines) : null;
  const what = pick(['add', 'add', 'custom', 'quantity', 'remove'] as const);
  if (what === 'quantity' && line) {
    await step('change quantity', () =>
      call(till, 'setLineQuantity', { lineId: line.lineId, quantity: 1 + Math.floor(random() * 4) }),
    );
  } else if (what === 'remove' && line) {
    await step('remove line', () => call(till, 'removeLine', { lineId: line.lineId }));
  } else if (what === 'custom') {
    const amount = BigInt(50 + Math.floor(random() * 5000));
    await step('custom amount', () => call(till, 'addCustomAmount', { amount }));
  } else {
    const variantId = pick(variants);
    await step('add to cart', () =>
      call(till, 'addToCart', { variantId, quantity: 1 + Math.floor(random() * 3) }),
    );
  }
}

async function sell(cart: Cart): Promise<void> {
  const how = pick(['cash', 'wallet', 'demo', 'late', 'abandon'] as const);
  if (how === 'cash') {
    const tendered = cart.total + BigInt(Math.floor(random() * 1000));
    const sale = await step('pay cash', () => call(till, 'payCash', { tendered }));
    if (sale.state !== 'paid') throw new Error(`cash sale ${sale.id} is ${sale.state}`);
    report(`cash ${sale.id}`);
    return;
  }
  const sale = await step('charge', () => call(till, 'charge'));
  report(`charged ${sale.id} ${sale.invoice!.paymentHash}`);
  if (how === 'wallet') {
    await customerPays(sale, 'customer pays');
    await lookUp(sale);
  } else if (how === 'demo') {
    const paid = await step('demo pay', () => call(till, 'demoPay', { saleId: sale.id }));
    if (paid.state !== 'paid') throw new Error(`demo-paid sale ${sale.id} is ${paid.state}`);
    report(`paid ${sale.id} ${sale.invoice!.paymentHash}`);
  } else {
    await step('cancel', () => call(till, 'cancelSale', { saleId: sale.id }));
    // Paid after the cashier gave up: only the subscription (its replay, after a restart) can
    // tell the till, which no longer looks this invoice up.
    if (how === 'late') await customerPays(sale, 'customer pays late');
  }
}

// Killed with an invoice on screen last time. Had the node settled it, the till must have found
// that at start-up by itself; otherwise the customer pays now or the cashier cancels.
const { activeSaleId } = await call(till, 'getStatus');
if (activeSaleId !== null) {
  const sale = await call(till, 'getSale', { saleId: activeSaleId });
  if (sale.state === 'awaiting_payment' && sale.invoice) {
    if (wallet.byHash(sale.invoice.paymentHash)?.settleIndex != null)
      throw new Error(`the till restarted without finding the settled payment of sale ${sale.id}`);
    if (random() < 0.5) {
      await customerPays(sale, 'customer pays');
      await lookUp(sale);
    } else {
      await step('cancel', () => call(till, 'cancelSale', { saleId: sale.id }));
    }
  }
}

for (;;) {
  const cart = await call(till, 'getCart');
  if (cart.lines.length === 0 || cart.total <= 0n || random() < 0.4) await editCart(cart);
  else await sell(cart);
}
