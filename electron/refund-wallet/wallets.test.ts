import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeInvoice } from '../lightning/bolt11/encode.js';
import { parseNwcUri } from '../lightning/nwc/config.js';
import { manualClock } from '../test-support/fixtures.js';
import { startLnbitsFake } from '../test-support/fakes/lnbits.js';
import { SPENDING_METHODS, startNwcFake, TILL_METHODS } from '../test-support/fakes/nwc.js';
import { createLnbitsRefundWallet } from './lnbits.js';
import { createNwcRefundWallet } from './nwc.js';
import { RefundPaymentFailed, WalletCannotList, type RefundWallet } from './wallet.js';

/**
 * The real refund wallets against their protocol-faithful fakes (NIP-47 relay + wallet service;
 * the LNbits wallet API): they pay, look a payment up after a pay call that never came back,
 * tell a certain failure (RefundPaymentFailed) from an open outcome (any other error), say
 * plainly when a credential cannot spend, and never crash on a malformed or missing answer.
 */

const TIMEOUT_MS = 800;
const CUSTOMER_KEY = new Uint8Array(32).fill(9);
const REFUND_METHODS = ['get_info', 'pay_invoice', 'lookup_invoice'] as const;
const cleanups: (() => Promise<void> | void)[] = [];
let seed = 1;

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const clock = manualClock();

/** A customer's invoice; `payee` learns its preimage (the network reveals it when paid). */
function customerInvoice(msat: bigint, payee: (hash: string, preimage: string) => void) {
  const preimage = createHash('sha256').update(`refund preimage ${seed++}`).digest('hex');
  const hash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');
  payee(hash, preimage);
  const invoice = encodeInvoice(
    {
      network: 'regtest',
      amountMsat: msat,
      timestamp: Math.floor(clock.now().getTime() / 1000),
      paymentHash: hash,
      paymentSecret: createHash('sha256').update(`secret ${seed}`).digest('hex'),
      description: 'Refund',
      expirySec: 600,
    },
    CUSTOMER_KEY,
  );
  return { invoice, hash, preimage };
}

async function nwc(methods: readonly string[] = REFUND_METHODS) {
  const fake = await startNwcFake({ now: clock.now });
  cleanups.push(() => fake.close());
  const open = (uri: string): RefundWallet => {
    const w = createNwcRefundWallet(parseNwcUri(uri), {
      timeoutMs: TIMEOUT_MS,
      expectedNetwork: () => 'regtest',
    });
    cleanups.push(() => w.close?.());
    return w;
  };
  return { fake, open, wallet: open(fake.connect(methods)) };
}

async function lnbits() {
  const fake = await startLnbitsFake({ now: clock.now, spends: true });
  cleanups.push(() => fake.close());
  const open = (key: string) =>
    createLnbitsRefundWallet({ url: fake.url, adminKey: key }, { timeoutMs: TIMEOUT_MS });
  fake.fund(10_000_000);
  return { fake, open, wallet: open(fake.adminKey) };
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

describe('NWC refund wallet (NIP-47 pay_invoice / lookup_invoice)', () => {
  it('pays, with the preimage, and the look-up agrees; nothing is paid twice', async () => {
    const { fake, wallet } = await nwc();
    const inv = customerInvoice(21_000n, fake.knowPreimage);
    expect(await wallet.pay(inv.invoice, inv.hash, 21_000n)).toEqual({ preimage: inv.preimage });
    expect(await wallet.lookup(inv.hash)).toEqual({ state: 'paid', preimage: inv.preimage });
    expect(fake.outgoing()).toEqual([{ paymentHash: inv.hash, state: 'settled' }]);
  });

  it('lists its settled payments out of a period for reconciliation, 20 a page, nothing else', async () => {
    const methods = [...REFUND_METHODS, 'list_transactions'] as const;
    const { fake, wallet } = await nwc(methods);
    const before = customerInvoice(1_000n, fake.knowPreimage);
    await wallet.pay(before.invoice, before.hash, 1_000n);
    clock.advance(2_000);
    const start = clock.now();
    const paid: { hash: string; msat: bigint }[] = [];
    // 45 refunds a second apart (three pages of 20); a failed one and an invoice of the wallet's
    // own in between are not payments out.
    for (let i = 0; i < 45; i++) {
      const msat = BigInt(1_000 * (i + 1));
      const inv = customerInvoice(msat, fake.knowPreimage);
      await wallet.pay(inv.invoice, inv.hash, msat);
      paid.push({ hash: inv.hash, msat });
      clock.advance(1_000);
    }
    fake.payOutcome('paymentFailed');
    const failed = customerInvoice(7_000n, fake.knowPreimage);
    await failure(wallet.pay(failed.invoice, failed.hash, 7_000n));
    fake.payOutcome('pay');
    const end = clock.now();
    clock.advance(60_000);
    const after = customerInvoice(5_000n, fake.knowPreimage);
    await wallet.pay(after.invoice, after.hash, 5_000n);

    const pages = wallet.listPayments!(start, end);
    if (pages === 'unsupported') throw new Error('NWC lists its payments');
    const sizes: number[] = [];
    const listed: { hash: string; msat: bigint }[] = [];
    for await (const page of pages) {
      sizes.push(page.length);
      for (const p of page) listed.push({ hash: p.paymentHash, msat: p.amountMsat });
    }
    // Newest first, as NIP-47 lists them.
    expect(listed).toEqual([...paid].reverse());
    // Three pages of 20 as the wallet gave them; the failed payment, newest, is left out of the first.
    expect(sizes).toEqual([19, 20, 6]);
    expect(fake.violations).toEqual([]);
  });

  it('a connection that may pay but not list: WalletCannotList, so reconciliation says unchecked', async () => {
    const { wallet } = await nwc(REFUND_METHODS);
    const pages = wallet.listPayments!(clock.now(), new Date(clock.now().getTime() + 1_000));
    if (pages === 'unsupported') throw new Error('NWC asks the wallet');
    const err = await failure(
      (async () => {
        for await (const _ of pages) void _;
      })(),
    );
    expect(err).toBeInstanceOf(WalletCannotList);
    expect(err.message).toMatch(/will not list its payments \(RESTRICTED/);
  });

  it('a pay call that never came back is found paid by the look-up (the till crashed or the relay dropped it)', async () => {
    const { fake, wallet, open } = await nwc();
    const uri = fake.connect(REFUND_METHODS);
    const inv = customerInvoice(5_000n, fake.knowPreimage);
    fake.payOutcome('paidNoAnswer');
    const err = await failure(wallet.pay(inv.invoice, inv.hash, 5_000n));
    expect(err).not.toBeInstanceOf(RefundPaymentFailed);
    // "After a restart": a new connection, same wallet.
    expect(await open(uri).lookup(inv.hash)).toEqual({ state: 'paid', preimage: inv.preimage });
    expect(fake.payRequests).toEqual([inv.hash]);
  });

  it('a payment never made is unknown; one still in flight is pending (outcome open, not failed)', async () => {
    const { fake, wallet } = await nwc();
    expect(await wallet.lookup('ab'.repeat(32))).toEqual({ state: 'unknown' });
    const inv = customerInvoice(5_000n, fake.knowPreimage);
    fake.payOutcome('pendingNoAnswer');
    expect(await failure(wallet.pay(inv.invoice, inv.hash, 5_000n))).not.toBeInstanceOf(RefundPaymentFailed);
    expect(await wallet.lookup(inv.hash)).toEqual({ state: 'pending' });
  });

  it.each([
    ['INSUFFICIENT_BALANCE', /too little balance/],
    ['QUOTA_EXCEEDED', /budget for this connection is used up.*QUOTA_EXCEEDED/],
    ['RATE_LIMITED', /too many payments too fast/],
  ] as const)('%s is a certain failure, in the wallet’s words', async (code, words) => {
    const { fake, wallet } = await nwc();
    const inv = customerInvoice(5_000n, fake.knowPreimage);
    fake.payOutcome({ refuse: code });
    const err = await failure(wallet.pay(inv.invoice, inv.hash, 5_000n));
    expect(err).toBeInstanceOf(RefundPaymentFailed);
    expect(err.message).toMatch(words);
    expect(fake.outgoing()).toEqual([]);
  });

  it('INTERNAL or OTHER leave the outcome open', async () => {
    const { fake, wallet } = await nwc();
    for (const code of ['INTERNAL', 'OTHER'] as const) {
      const inv = customerInvoice(5_000n, fake.knowPreimage);
      fake.payOutcome({ refuse: code });
      expect(await failure(wallet.pay(inv.invoice, inv.hash, 5_000n))).not.toBeInstanceOf(
        RefundPaymentFailed,
      );
    }
  });

  it('PAYMENT_FAILED is believed only when the wallet’s own record says so', async () => {
    const { fake, wallet } = await nwc();
    const a = customerInvoice(5_000n, fake.knowPreimage);
    fake.payOutcome('paymentFailed');
    const err = await failure(wallet.pay(a.invoice, a.hash, 5_000n));
    expect(err).toBeInstanceOf(RefundPaymentFailed);
    expect(err.message).toMatch(/PAYMENT_FAILED: no route/);
    // The wallet says failed, yet its record shows it went out: paid, never "failed".
    const b = customerInvoice(6_000n, fake.knowPreimage);
    fake.payOutcome('paidButSaysFailed');
    expect(await wallet.pay(b.invoice, b.hash, 6_000n)).toEqual({ preimage: b.preimage });
  });

  it('a connection that may not pay: a certain failure, and Test says it cannot spend', async () => {
    const { fake, wallet, open } = await nwc(TILL_METHODS);
    const inv = customerInvoice(5_000n, fake.knowPreimage);
    const err = await failure(wallet.pay(inv.invoice, inv.hash, 5_000n));
    expect(err).toBeInstanceOf(RefundPaymentFailed);
    expect(err.message).toMatch(/may not pay .*pay_invoice/);
    expect(await wallet.check!()).toEqual({
      ok: false,
      message: expect.stringMatching(/cannot spend \(no pay_invoice\)/) as unknown,
    });
    expect((await open(fake.connect(['get_info', 'pay_invoice'])).check!()).message).toMatch(
      /not look payments up/,
    );
    expect(await open(fake.connect(SPENDING_METHODS)).check!()).toMatchObject({ ok: true });
  });

  it('a connection the wallet never issued: Test and pay say so clearly', async () => {
    const { fake, open } = await nwc();
    const stranger = open(fake.strangerUri());
    expect((await stranger.check!()).message).toMatch(/does not know this NWC connection/);
    const inv = customerInvoice(5_000n, fake.knowPreimage);
    const err = await failure(stranger.pay(inv.invoice, inv.hash, 5_000n));
    expect(err).toBeInstanceOf(RefundPaymentFailed);
    expect(err.message).toMatch(/does not know this NWC connection/);
  });

  it('malformed, truncated and missing answers never crash: the outcome stays open', async () => {
    const { fake, wallet } = await nwc();
    for (const mode of ['malformed', 'truncated', 'hang'] as const) {
      fake.misbehave(mode);
      const inv = customerInvoice(5_000n, fake.knowPreimage);
      const err = await failure(wallet.pay(inv.invoice, inv.hash, 5_000n));
      expect(err).not.toBeInstanceOf(RefundPaymentFailed);
      await expect(wallet.lookup(inv.hash)).rejects.toThrow();
      expect((await wallet.check!()).ok).toBe(false);
    }
    fake.misbehave(null);
  });
});

describe('LNbits refund wallet (admin key; POST /api/v1/payments out:true, GET /api/v1/payments/{hash})', () => {
  it('pays, with the preimage, and the look-up agrees', async () => {
    const { fake, wallet } = await lnbits();
    const inv = customerInvoice(21_000n, fake.knowPreimage);
    expect(await wallet.pay(inv.invoice, inv.hash, 21_000n)).toEqual({ preimage: inv.preimage });
    expect(await wallet.lookup(inv.hash)).toEqual({ state: 'paid', preimage: inv.preimage });
    expect(fake.outgoing()).toEqual([{ paymentHash: inv.hash, status: 'success' }]);
  });

  it('lists its outgoing payments in a period for reconciliation, page by page, nothing outside it', async () => {
    const { fake, wallet } = await lnbits();
    fake.fund(100_000_000);
    const start = clock.now();
    const paid: { hash: string; msat: bigint }[] = [];
    // 150 refunds (two pages of 100), a second apart; an incoming invoice is not a payment out.
    for (let i = 0; i < 150; i++) {
      const msat = BigInt(1_000 * (i + 1));
      const inv = customerInvoice(msat, fake.knowPreimage);
      await wallet.pay(inv.invoice, inv.hash, msat);
      paid.push({ hash: inv.hash, msat });
      clock.advance(1_000);
    }
    const end = clock.now();
    clock.advance(60_000);
    const late = customerInvoice(5_000n, fake.knowPreimage);
    await wallet.pay(late.invoice, late.hash, 5_000n);

    const listed: { hash: string; msat: bigint }[] = [];
    const pages = wallet.listPayments!(start, end);
    if (pages === 'unsupported') throw new Error('LNbits lists its payments');
    for await (const page of pages)
      for (const p of page) listed.push({ hash: p.paymentHash, msat: p.amountMsat });
    expect(listed).toEqual(paid);
  });

  it('a pay call that never came back (or a 500 after paying) is found paid by the look-up', async () => {
    const { fake, wallet, open } = await lnbits();
    for (const outcome of ['paidNoAnswer', 'paidThen500'] as const) {
      const inv = customerInvoice(5_000n, fake.knowPreimage);
      fake.payOutcome(outcome);
      expect(await failure(wallet.pay(inv.invoice, inv.hash, 5_000n))).not.toBeInstanceOf(
        RefundPaymentFailed,
      );
      expect(await open(fake.adminKey).lookup(inv.hash)).toEqual({ state: 'paid', preimage: inv.preimage });
    }
    expect(fake.payRequests).toHaveLength(2);
  });

  it('pending stays open until LNbits finishes it; unknown for a hash it never paid', async () => {
    const { fake, wallet } = await lnbits();
    expect(await wallet.lookup('cd'.repeat(32))).toEqual({ state: 'unknown' });
    const inv = customerInvoice(5_000n, fake.knowPreimage);
    fake.payOutcome('pending');
    expect(await failure(wallet.pay(inv.invoice, inv.hash, 5_000n))).not.toBeInstanceOf(RefundPaymentFailed);
    expect(await wallet.lookup(inv.hash)).toEqual({ state: 'pending' });
    fake.finishOutgoing(inv.hash, 'success');
    expect(await wallet.lookup(inv.hash)).toEqual({ state: 'paid', preimage: inv.preimage });
  });

  it('insufficient balance and a failed route are certain failures in LNbits’ words', async () => {
    const { fake, wallet } = await lnbits();
    const big = customerInvoice(20_000_000n, fake.knowPreimage);
    const err = await failure(wallet.pay(big.invoice, big.hash, 20_000_000n));
    expect(err).toBeInstanceOf(RefundPaymentFailed);
    expect(err.message).toMatch(/Insufficient balance/);
    const inv = customerInvoice(5_000n, fake.knowPreimage);
    fake.payOutcome('failed');
    const routed = await failure(wallet.pay(inv.invoice, inv.hash, 5_000n));
    expect(routed).toBeInstanceOf(RefundPaymentFailed);
    expect(routed.message).toMatch(/no route/);
    expect(await wallet.lookup(inv.hash)).toMatchObject({ state: 'failed' });
  });

  it('the Invoice/read key cannot spend: Test and pay say so; an unknown key too', async () => {
    const { fake, open } = await lnbits();
    const reader = open(fake.invoiceKey);
    expect(await reader.check!()).toEqual({
      ok: false,
      message: expect.stringMatching(/Invoice\/read key: it cannot pay/) as unknown,
    });
    const inv = customerInvoice(5_000n, fake.knowPreimage);
    const err = await failure(reader.pay(inv.invoice, inv.hash, 5_000n));
    expect(err).toBeInstanceOf(RefundPaymentFailed);
    expect(err.message).toMatch(/paste the Admin key/);
    expect(fake.outgoing()).toEqual([]);
    expect((await open('f'.repeat(32)).check!()).message).toMatch(/does not know this key/);
    const ok = await open(fake.adminKey).check!();
    expect(ok).toMatchObject({
      ok: true,
      message: expect.stringMatching(/can pay refunds; it holds 10,000 sats/) as unknown,
    });
    expect(JSON.stringify(ok)).not.toContain(fake.adminKey);
  });

  it('malformed, truncated and missing answers never crash: the outcome stays open', async () => {
    const { fake, wallet } = await lnbits();
    for (const mode of ['malformed', 'truncated', 'hang'] as const) {
      fake.misbehave(mode);
      const inv = customerInvoice(5_000n, fake.knowPreimage);
      expect(await failure(wallet.pay(inv.invoice, inv.hash, 5_000n))).not.toBeInstanceOf(
        RefundPaymentFailed,
      );
      await expect(wallet.lookup(inv.hash)).rejects.toThrow();
      expect((await wallet.check!()).ok).toBe(false);
    }
    fake.misbehave(null);
  });
});
