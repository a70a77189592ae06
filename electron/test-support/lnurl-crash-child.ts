import { createHash } from 'node:crypto';
import { encodeInvoice } from '../lightning/bolt11/encode.js';
import type { RefundWallet } from '../refund-wallet/wallet.js';
import { manualClock } from './fixtures.js';
import { awaitKill, report } from './kill-child.js';
import { withdraw } from './lud03-wallet.js';
import { call, signedInTill } from './till-calls.js';

/**
 * A till that shows two LNURL-withdraw refunds and dies by SIGKILL: one link left open, the
 * other claimed by a wallet — the till journaled it `paying` and died inside the refund wallet's
 * pay call, before the wallet saw anything. Lines: `open <refund>`, `claimed <refund>`.
 */
const [dataDir, resourcesDir, startText] = process.argv.slice(2);
if (!dataDir || !resourcesDir || !startText)
  throw new Error('usage: lnurl-crash-child <dataDir> <resourcesDir> <start ms>');
const clock = manualClock(new Date(Number(startText)));
const wallet: RefundWallet = {
  kind: 'demo',
  pay: () => awaitKill('inside the refund wallet’s pay call'),
  lookup: () => Promise.resolve({ state: 'unknown' }),
};
const till = await signedInTill({
  dataDir,
  resourcesDir,
  now: clock.now,
  timers: false,
  refundWallet: wallet,
  log: () => undefined,
});
await call(till, 'saveRefundWallet', { kind: 'demo', perRefundLimitSats: null, perDayLimitSats: null });
await call(till, 'saveLnurlWithdraw', {
  enabled: true,
  listenHost: '127.0.0.1',
  listenPort: 0,
  publicUrl: '',
  expirySec: 600,
  rateBasis: 'current',
});
const { products } = await call(till, 'searchCatalog', { limit: 50 });
const variantId = products.find((p) => p.title === 'Flat White')!.variants[0]!.id;
const cart = await call(till, 'addToCart', { variantId, quantity: 2 });
const sale = await call(till, 'payCash', { tendered: cart.total });
const refund = () =>
  call(till, 'createRefund', {
    saleId: sale.id,
    lines: [{ lineId: sale.lines[0]!.lineId, quantity: 1, restock: true }],
    reason: 'Crash test',
    tender: 'lnurl-withdraw',
  });
const open = await refund();
report(`open ${open.id} ${open.withdraw!.lnurl!}`);
const claimed = await refund();
report(`claimed ${claimed.id}`);
await withdraw(claimed.withdraw!.lnurl!, (msat) =>
  encodeInvoice(
    {
      network: 'regtest',
      amountMsat: msat,
      timestamp: Math.floor(clock.now().getTime() / 1000),
      paymentHash: createHash('sha256').update('crash preimage').digest('hex'),
      paymentSecret: createHash('sha256').update('crash secret').digest('hex'),
      description: 'Refund',
      expirySec: 300,
    },
    new Uint8Array(32).fill(9),
  ),
);
throw new Error('the wallet was never asked to pay');
