import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../shared/contract/index.js';
import type { Product, Refund, RefundState, Sale } from '../../shared/domain/index.js';
import { encodeInvoice } from '../lightning/bolt11/encode.js';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { startNwcFake, type NwcFake } from '../test-support/fakes/nwc.js';
import { sendInvoice, withdraw } from '../test-support/lud03-wallet.js';
import { call, signedInTill } from '../test-support/till-calls.js';
import type { Till } from '../till.js';

/**
 * The LNURL-withdraw refund paid through a real refund wallet connection: NWC (NIP-47
 * `pay_invoice` to the fake wallet over its relay), not the demo wallet that writes into the
 * till's own journal. The wallet-side LUD-03 client claims the link; the NWC wallet sees exactly
 * one payment, for exactly the link's sats, and a second callback reaches no wallet at all.
 */

const CUSTOMER_KEY = new Uint8Array(32).fill(11);
const REFUND_METHODS = ['get_info', 'pay_invoice', 'lookup_invoice'];

describe('an LNURL-withdraw refund paid through the NWC refund wallet', () => {
  let dir: ReturnType<typeof tempDir>;
  let nwc: NwcFake;
  let till: Till;
  let products: Product[];
  let n = 0;

  beforeEach(async () => {
    dir = tempDir('till-lnurlw-nwc-');
    // Real time: the relay judges events against it, and the invoices below are made for it.
    nwc = await startNwcFake({ now: () => new Date() });
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      timers: false,
      backendTimeoutMs: 1_500,
    });
    products = (await call(till, 'searchCatalog', { limit: 500 })).products;
  });
  afterEach(async () => {
    await till.close();
    await nwc.close();
    dir.remove();
  });

  const variant = (title: string) => products.find((p) => p.title === title)!.variants[0]!.id;

  async function sell(): Promise<Sale> {
    await call(till, 'addToCart', { variantId: variant('Flat White'), quantity: 2 });
    const cart = await call(till, 'addToCart', { variantId: variant('Butter Croissant') });
    return call(till, 'payCash', { tendered: cart.total * 2n });
  }

  /** The customer's wallet's invoice; the fake NWC wallet's network knows its preimage. */
  function makeInvoice(msat: bigint): string {
    const preimage = createHash('sha256').update(`lnurl nwc preimage ${n++}`).digest('hex');
    const hash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');
    nwc.knowPreimage(hash, preimage);
    return encodeInvoice(
      {
        network: 'regtest',
        amountMsat: msat,
        timestamp: Math.floor(Date.now() / 1000),
        paymentHash: hash,
        paymentSecret: createHash('sha256').update(`lnurl nwc secret ${n}`).digest('hex'),
        description: 'Refund',
        expirySec: 600,
      },
      CUSTOMER_KEY,
    );
  }

  function refundReaches(refundId: string, state: RefundState): Promise<Refund> {
    return new Promise((resolve) => {
      const off = till.subscribe((event, payload) => {
        if (event !== 'refundUpdated') return;
        const r = payload as EventPayload<'refundUpdated'>;
        if (r.id === refundId && r.state === state) {
          off();
          resolve(r);
        }
      });
    });
  }

  it('the wallet claims the link, NWC pays it once, and a second callback pays nothing', async () => {
    await call(till, 'saveRefundWallet', {
      kind: 'nwc',
      credential: nwc.connect(REFUND_METHODS),
      perRefundLimitSats: null,
      perDayLimitSats: null,
    });
    const saved = await call(till, 'saveLnurlWithdraw', {
      enabled: true,
      listenHost: '127.0.0.1',
      listenPort: 0,
      publicUrl: '',
      expirySec: 600,
      rateBasis: 'current',
    });
    expect(saved.status.running).toBe(true);

    const sale = await sell();
    const refund = await call(till, 'createRefund', {
      saleId: sale.id,
      lines: [{ lineId: sale.lines[0]!.lineId, quantity: 1, restock: true }],
      reason: 'Changed their mind',
      tender: 'lnurl-withdraw',
    });
    expect(refund.state).toBe('approved');
    const lnurl = refund.withdraw!.lnurl!;

    const paid = refundReaches(refund.id, 'paid');
    const { request, answer } = await withdraw(lnurl, (msat) => makeInvoice(msat));
    expect(BigInt(request.maxWithdrawable)).toBe(refund.amountMsat);
    expect(answer).toEqual({ status: 'OK' });
    const done = await paid;
    expect(done.withdraw).toMatchObject({ state: 'claimed' });

    // The NWC wallet paid exactly one invoice: this refund's, settled.
    expect(nwc.outgoing()).toEqual([{ paymentHash: done.paymentHash, state: 'settled' }]);
    expect(nwc.payRequests).toEqual([done.paymentHash]);

    // The same link again, with another invoice: refused, and no wallet is asked.
    const again = await sendInvoice(request, makeInvoice(refund.amountMsat!));
    expect(again.status).toBe('ERROR');
    expect(nwc.payRequests).toHaveLength(1);
    expect((await call(till, 'getRefund', { refundId: refund.id })).state).toBe('paid');
  });
});
