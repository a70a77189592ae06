import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TillError } from '../../shared/contract/index.js';
import type { Product, Sale } from '../../shared/domain/index.js';
import { fiatToMsat, roundToSat } from '../../shared/money/index.js';
import { RefundPaymentFailed, type RefundWallet } from '../refund-wallet/wallet.js';
import {
  startLightningAddressFake,
  type LightningAddressFake,
  type Tamper,
} from '../test-support/fakes/lightning-address.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused, signedInTill } from '../test-support/till-calls.js';
import type { Till } from '../till.js';
import { createLightningAddressClient, parseLightningAddress } from './lightning-address.js';

/**
 * Lightning Address refunds (LUD-16 via LUD-06) against an in-process service that follows the
 * LUDs: paid once when everything checks out; refused in the cashier's words — and nothing paid,
 * nothing journaled — when the address is unknown, the service unreachable, the amount outside its
 * limits, or its invoice does not match; never a crash on a malformed answer.
 */

const MANAGER_PIN = '4821';

function countingWallet() {
  const payCalls: { invoice: string; hash: string; msat: bigint }[] = [];
  const state = { refuse: false };
  const wallet: RefundWallet = {
    kind: 'demo',
    pay(invoice, hash, msat) {
      payCalls.push({ invoice, hash, msat });
      if (state.refuse) return Promise.reject(new RefundPaymentFailed('no route'));
      return Promise.resolve({ preimage: null });
    },
    lookup: () => Promise.resolve({ state: 'unknown' }),
  };
  return { wallet, payCalls, state };
}

describe('parseLightningAddress', () => {
  it('reads user@domain as LUD-16 writes it, forgiving case and a lightning: prefix', () => {
    expect(parseLightningAddress('alice@wallet.example')).toEqual({
      user: 'alice',
      domain: 'wallet.example',
    });
    expect(parseLightningAddress(' Lightning:Bob.Smith_1@Pay.Example.COM ')).toEqual({
      user: 'bob.smith_1',
      domain: 'pay.example.com',
    });
    expect(parseLightningAddress('carol@127.0.0.1:8080')).toEqual({
      user: 'carol',
      domain: '127.0.0.1:8080',
    });
    for (const no of [
      'lnbcrt1…',
      'alice',
      '@wallet.example',
      'alice@',
      'a b@c.d',
      'a@b@c',
      'a+tag@b.c',
      'a@-b.c',
      'a@b/c',
    ])
      expect(parseLightningAddress(no), no).toBeNull();
  });
});

describe('Lightning Address refunds through the till', () => {
  let dir: ReturnType<typeof tempDir>;
  let till: Till;
  let products: Product[];
  let fake: LightningAddressFake;
  let w: ReturnType<typeof countingWallet>;
  const clock = manualClock(new Date('2026-11-27T14:05:00Z'));

  beforeEach(async () => {
    dir = tempDir('till-lnaddr-');
    w = countingWallet();
    fake = await startLightningAddressFake({ users: ['alice'], network: 'regtest', now: clock.now });
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers: false,
      refundWallet: w.wallet,
      lightningAddressInsecureHosts: [fake.domain],
    });
    products = (await call(till, 'searchCatalog', { limit: 500 })).products;
    await call(till, 'addStaff', { name: 'Maya', role: 'manager', pin: MANAGER_PIN });
    await call(till, 'saveRefundWallet', { kind: 'demo', perRefundLimitSats: null, perDayLimitSats: null });
  });
  afterEach(async () => {
    await till.close();
    await fake.close();
    dir.remove();
  });

  async function sell(): Promise<Sale> {
    const id = products.find((p) => p.title === 'Flat White')!.variants[0]!.id;
    const cart = await call(till, 'addToCart', { variantId: id, quantity: 2 });
    return call(till, 'payCash', { tendered: cart.total });
  }
  const request = (sale: Sale, address: string) => ({
    saleId: sale.id,
    lines: [{ lineId: sale.lines[0]!.lineId, quantity: 1, restock: true }],
    reason: 'Changed their mind',
    tender: 'lightning',
    invoice: address,
  });
  async function owed(sale: Sale): Promise<bigint> {
    const p = await call(till, 'previewRefund', { saleId: sale.id, lines: request(sale, '').lines });
    // The demo rate: 1 USD = 1,000 sats.
    return roundToSat(fiatToMsat(p.amount, 'USD', '100000.00', 'down'), 'down');
  }
  const refundCount = async (sale: Sale) =>
    (await call(till, 'listRefunds', { saleId: sale.id })).refunds.length;

  it('asks the service for an invoice of exactly the refund, checks it, journals it and pays it once', async () => {
    const sale = await sell();
    const msat = await owed(sale);
    const refund = await call(till, 'createRefund', request(sale, `Alice@${fake.domain}`));
    expect(refund).toMatchObject({ state: 'paid', tender: 'lightning', amountMsat: msat });
    expect(fake.requests).toEqual(['GET /.well-known/lnurlp/alice', `GET /cb/alice?amount=${msat}`]);
    expect(w.payCalls).toHaveLength(1);
    expect(w.payCalls[0]!.msat).toBe(msat);
    expect(fake.preimages.has(w.payCalls[0]!.hash)).toBe(true);
    expect(refund.paymentHash).toBe(w.payCalls[0]!.hash);
    // The second cup: a new invoice of its own; then nothing is left to return and nothing is asked.
    await call(till, 'createRefund', request(sale, `alice@${fake.domain}`));
    expect(w.payCalls).toHaveLength(2);
    expect(w.payCalls[1]!.hash).not.toBe(w.payCalls[0]!.hash);
    expect((await refused(till, 'createRefund', request(sale, `alice@${fake.domain}`))).kind).toBe(
      'InvalidState',
    );
    expect(w.payCalls).toHaveLength(2);
    expect(fake.requests).toHaveLength(4);
  });

  const failures: [string, Tamper | 'unknownUser' | 'limitsTooHigh' | 'closed', RegExp][] = [
    ['an unknown name', 'unknownUser', /has no Lightning Address “bob”: check the spelling/],
    ['an unreachable service', 'closed', /could not reach .* to pay .*refund in cash or to an invoice/],
    [
      'a refund under the service’s minimum',
      'limitsTooHigh',
      /takes between .* sats, but this refund is .* sats/,
    ],
    ['an invoice for another amount', 'amount', /asks for .* not the refund's .* so it was not paid/],
    [
      'an invoice for other metadata',
      'descriptionHash',
      /does not match its own description, so it was not paid/,
    ],
    ['an invoice with no description hash', 'noHash', /does not match its own description/],
    ['an invoice on another network', 'network', /but this till pays on regtest/],
    ['a service refusing', 'callbackError', /would not make an invoice .*“Wallet is frozen”/],
    ['a withdraw link instead of a pay request', 'tag', /not a pay request/],
    ['limits that make no sense', 'limits', /amount limits make no sense/],
    ['limits as strings', 'stringLimits', /amount limits make no sense/],
    ['a megabyte of answer', 'huge', /far too long/],
    ['a web page', 'html', /did not answer as a Lightning Address service should/],
    ['a callback on plain http elsewhere', 'httpCallback', /callback is not https/],
    ['no invoice in the answer', 'noPr', /no invoice in its answer/],
  ];
  for (const [what, mode, words] of failures) {
    it(`${what}: refused in the cashier's words, nothing journaled, nothing paid`, async () => {
      const sale = await sell();
      let address = `alice@${fake.domain}`;
      if (mode === 'unknownUser') address = `bob@${fake.domain}`;
      else if (mode === 'limitsTooHigh') fake.state.minSendable = 900_000_000;
      else if (mode === 'closed') await fake.close();
      else fake.state.tamper = mode;
      const err = await refused(till, 'createRefund', request(sale, address));
      expect(err.message).toMatch(words);
      expect(err.kind).not.toBe('Internal');
      expect(w.payCalls).toHaveLength(0);
      expect(await refundCount(sale)).toBe(0);
      if (mode === 'limitsTooHigh') expect(fake.requests).toEqual(['GET /.well-known/lnurlp/alice']);
      if (mode === 'closed')
        fake = await startLightningAddressFake({ users: [], network: 'regtest', now: clock.now });
    });
  }
});

describe('the Lightning Address client alone', () => {
  let fake: LightningAddressFake;
  const clock = manualClock(new Date('2026-11-27T14:05:00Z'));
  beforeAll(async () => {
    fake = await startLightningAddressFake({ users: ['alice'], network: 'regtest', now: clock.now });
  });
  afterAll(() => fake.close());

  it('goes to https unless a test names the host: a plain-http service is never reached', async () => {
    const strict = createLightningAddressClient();
    const before = fake.requests.length;
    await expect(strict.invoiceFor({ user: 'alice', domain: fake.domain }, 10_000n)).rejects.toThrow(
      /could not reach/,
    );
    expect(fake.requests.length).toBe(before);
  });

  it('gives up on a service that never answers, in the same words as one that is down', async () => {
    const hanging = http.createServer(() => undefined);
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const domain = `127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    try {
      const client = createLightningAddressClient({ insecureHosts: [domain], timeoutMs: 300 });
      const err = await client.invoiceFor({ user: 'alice', domain }, 10_000n).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TillError);
      expect((err as TillError).message).toMatch(/could not reach/);
    } finally {
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
    }
  });

  it('never follows a redirect (it could leave https, or go to a host nobody checked)', async () => {
    let hits = 0;
    const redirecting = http.createServer((_req, res) => {
      hits++;
      res.writeHead(302, { location: `http://${fake.domain}/.well-known/lnurlp/alice` }).end();
    });
    await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', r));
    const domain = `127.0.0.1:${(redirecting.address() as AddressInfo).port}`;
    const before = fake.requests.length;
    try {
      const client = createLightningAddressClient({ insecureHosts: [domain, fake.domain] });
      await expect(client.invoiceFor({ user: 'alice', domain }, 10_000n)).rejects.toThrow(/could not reach/);
      expect(hits).toBe(1);
      expect(fake.requests.length).toBe(before);
    } finally {
      await new Promise((r) => redirecting.close(r));
    }
  });
});
