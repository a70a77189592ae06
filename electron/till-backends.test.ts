import { signedInTill } from './test-support/till-calls.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sale } from '../shared/domain/index.js';
import { decodeInvoice } from './lightning/bolt11/decode.js';
import { createFileSecretStore } from './secrets/store.js';
import { TEST_CERT, OTHER_CERT } from './test-support/fakes/http-fake.js';
import { ADMIN_OPS, READONLY_OPS, startLndFake, TILL_OPS, type LndFake } from './test-support/fakes/lnd.js';
import { startClnFake, TILL_RESTRICTIONS } from './test-support/fakes/cln.js';
import { startLnbitsFake } from './test-support/fakes/lnbits.js';
import { startNwcFake, TILL_METHODS } from './test-support/fakes/nwc.js';
import { manualClock, RESOURCES_DIR, tempDir } from './test-support/fixtures.js';
import { call, refused } from './test-support/till-calls.js';
import type { Till } from './till.js';
import { switchableExchange } from './test-support/offline-pay.js';

describe('a till on a real Lightning node (LND through its fake)', () => {
  let dir: ReturnType<typeof tempDir>;
  let clock: ReturnType<typeof manualClock>;
  let lnd: LndFake;
  let exchangeUp: boolean;
  const tills: Till[] = [];

  /** A stand-in exchange: a real RateSource that answers or fails on demand. */
  const exchange = switchableExchange(
    () => clock.now(),
    () => exchangeUp,
  );

  async function open(timers = false): Promise<Till> {
    const till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers,
      rateSource: exchange,
      backendTimeoutMs: 2_000,
      log: () => undefined,
    });
    tills.push(till);
    return till;
  }

  const lndInput = (macaroon: string, extra: Record<string, unknown> = {}) => ({
    backend: { kind: 'lnd', network: 'regtest', restUrl: lnd.url, tlsCert: TEST_CERT, macaroon, ...extra },
  });

  function paidEvent(till: Till, saleId: string): Promise<Sale> {
    return new Promise((resolve) => {
      const off = till.subscribe((event, payload) => {
        const sale = payload as Sale;
        if (event === 'saleUpdated' && sale.id === saleId && sale.state === 'paid') {
          off();
          resolve(sale);
        }
      });
    });
  }

  async function waitFor<T>(what: string, probe: () => Promise<T | null>): Promise<T> {
    for (let i = 0; i < 100; i++) {
      const v = await probe();
      if (v !== null) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  beforeEach(async () => {
    dir = tempDir();
    clock = manualClock();
    exchangeUp = true;
    lnd = await startLndFake({ now: clock.now });
  });

  afterEach(async () => {
    for (const t of tills.splice(0)) await t.close();
    await lnd.close();
    dir.remove();
  });

  it('switches from the demo node to LND without a restart, and takes a real payment', async () => {
    const till = await open();
    expect((await call(till, 'getStatus')).backend.kind).toBe('demo');
    await call(till, 'updateSettings', { rateSource: 'kraken' });

    const macaroon = lnd.macaroon(TILL_OPS);
    const check = await call(till, 'testBackend', lndInput(macaroon));
    expect(check).toMatchObject({
      alias: 'fake-lnd',
      network: 'regtest',
      blockHeight: 871_234,
      permissions: { createInvoices: true, readInvoices: true, sendPayments: false },
      problems: [],
    });
    const status = await call(till, 'saveBackend', lndInput(macaroon));
    expect(status.demoMode).toBe(false);
    expect(status.backend).toMatchObject({
      kind: 'lnd',
      state: 'connected',
      alias: 'fake-lnd',
      network: 'regtest',
    });

    // The macaroon is in the secret store only: not in the journal, not in what the screen sees.
    const config = await call(till, 'getBackendConfig');
    expect(config).toEqual({
      kind: 'lnd',
      network: 'regtest',
      restUrl: lnd.url,
      tlsCert: TEST_CERT,
      hasSecret: true,
    });
    expect(JSON.stringify(config)).not.toContain(macaroon);
    expect(readFileSync(join(dir.path, 'journal.sqlite')).includes(Buffer.from(macaroon))).toBe(false);
    expect(createFileSecretStore(dir.path).get('backend.lnd')).toBe(macaroon);

    await call(till, 'addCustomAmount', { amount: 450n });
    const sale = await call(till, 'charge');
    const decoded = decodeInvoice(sale.invoice!.bolt11);
    expect(decoded.payeePubkey).toBe(lnd.pubkey);
    expect(sale.invoice!.rate.source).toBe('Test exchange');
    const paid = paidEvent(till, sale.id);
    lnd.pay(sale.invoice!.paymentHash);
    expect(await paid).toMatchObject({
      state: 'paid',
      amountPaidMsat: sale.invoice!.amountMsat,
      paidLate: false,
    });
  });

  it('comes back on LND after a restart, and catches a payment made while it was down', async () => {
    let till = await open();
    await call(till, 'updateSettings', { rateSource: 'coinbase' });
    await call(till, 'saveBackend', lndInput(lnd.macaroon(TILL_OPS)));
    await call(till, 'addCustomAmount', { amount: 300n });
    const sale = await call(till, 'charge');
    await till.close();
    tills.length = 0;

    lnd.pay(sale.invoice!.paymentHash);
    till = await open();
    const status = await call(till, 'getStatus');
    expect(status.backend).toMatchObject({ kind: 'lnd', state: 'connected' });
    const after = await waitFor('the sale to be paid', async () => {
      const s = await call(till, 'getSale', { saleId: sale.id });
      return s.state === 'paid' ? s : null;
    });
    expect(after.amountPaidMsat).toBe(sale.invoice!.amountMsat);
  });

  it('reconnects after the node drops the connection and replays what was paid meanwhile', async () => {
    const till = await open(true);
    await call(till, 'updateSettings', { rateSource: 'bitstamp' });
    await call(till, 'saveBackend', lndInput(lnd.macaroon(TILL_OPS)));
    await call(till, 'addCustomAmount', { amount: 125n });
    const first = await call(till, 'charge');
    const firstPaid = paidEvent(till, first.id);
    lnd.pay(first.invoice!.paymentHash);
    await firstPaid;

    await call(till, 'addCustomAmount', { amount: 250n });
    const second = await call(till, 'charge');
    await lnd.dropConnections();
    await waitFor('the till to see the drop', async () =>
      (await call(till, 'getStatus')).backend.state === 'disconnected' ? true : null,
    );
    const secondPaid = paidEvent(till, second.id);
    lnd.pay(second.invoice!.paymentHash);
    expect(await secondPaid).toMatchObject({ state: 'paid' });
    expect((await call(till, 'getStatus')).backend.state).toBe('connected');
  });

  it('keeps a credential that can spend only when a manager accepts it', async () => {
    const till = await open();
    await call(till, 'updateSettings', { rateSource: 'kraken' });
    const admin = lnd.macaroon(ADMIN_OPS);
    expect((await call(till, 'testBackend', lndInput(admin))).permissions.sendPayments).toBe(true);
    const error = await refused(till, 'saveBackend', lndInput(admin));
    expect(error).toMatchObject({ kind: 'NotAuthorized' });
    expect(error.message).toMatch(/can spend the node’s funds/);
    expect((await call(till, 'getStatus')).backend.kind).toBe('demo');
    expect(createFileSecretStore(dir.path).get('backend.lnd')).toBeNull();

    const status = await call(till, 'saveBackend', { ...lndInput(admin), acceptSpending: true });
    expect(status.backend).toMatchObject({ kind: 'lnd', permissions: { sendPayments: true } });
  });

  it('refuses a node on another network, or a credential that cannot create invoices, saving nothing', async () => {
    const till = await open();
    const mainnet = lndInput(lnd.macaroon(TILL_OPS), { network: 'mainnet' });
    const check = await call(till, 'testBackend', mainnet);
    expect(check.problems).toEqual([
      expect.stringMatching(/node is on regtest, but the till is set to mainnet/),
    ]);
    expect(await refused(till, 'saveBackend', mainnet)).toMatchObject({ kind: 'InvalidState' });
    expect((await refused(till, 'saveBackend', mainnet)).message).toMatch(
      /^Nothing was saved\. The node is on regtest/,
    );
    const readOnly = await refused(till, 'saveBackend', lndInput(lnd.macaroon(READONLY_OPS)));
    expect(readOnly.message).toMatch(/cannot create invoices/);
    expect(await call(till, 'getBackendConfig')).toEqual({ kind: 'demo', network: 'regtest' });
  });

  it('names a certificate that does not match, and a macaroon the node does not know', async () => {
    const till = await open();
    const cert = await refused(
      till,
      'testBackend',
      lndInput(lnd.macaroon(TILL_OPS), { tlsCert: OTHER_CERT }),
    );
    expect(cert).toMatchObject({ kind: 'NotAuthorized' });
    expect(cert.message).toMatch(/certificate does not match/);
    const bad = await refused(till, 'testBackend', lndInput('0201036c6e64' + 'ab'.repeat(60)));
    expect(bad).toMatchObject({ kind: 'NotAuthorized' });
    expect(bad.message).not.toMatch(/0201036c6e64/);
    const typo = await refused(till, 'testBackend', lndInput('hello'));
    expect(typo).toMatchObject({ kind: 'ValidationError' });
    expect(typo.message).toMatch(/not an LND macaroon/);
  });

  it('keeps the saved macaroon when a manager edits only the address', async () => {
    const till = await open();
    const macaroon = lnd.macaroon(TILL_OPS);
    await call(till, 'saveBackend', lndInput(macaroon));
    const status = await call(
      till,
      'saveBackend',
      lndInput('', { restUrl: lnd.url.replace('https://', '') }),
    );
    expect(status.backend).toMatchObject({ kind: 'lnd', state: 'connected' });
    expect(createFileSecretStore(dir.path).get('backend.lnd')).toBe(macaroon);
  });

  it('refuses to sell at a stale rate until a manager enters one', async () => {
    const till = await open();
    await call(till, 'updateSettings', { rateSource: 'kraken', maxRateAgeSec: 300 });
    await call(till, 'saveBackend', lndInput(lnd.macaroon(TILL_OPS)));
    await call(till, 'addCustomAmount', { amount: 100n });
    const first = await call(till, 'charge');
    await call(till, 'cancelSale', { saleId: first.id });

    exchangeUp = false;
    clock.advance(200_000);
    // Four minutes old: still within the limit.
    const second = await call(till, 'charge');
    expect(second.invoice!.rate).toMatchObject({ rate: '90000', source: 'Test exchange' });
    await call(till, 'cancelSale', { saleId: second.id });

    clock.advance(200_000);
    const stale = await refused(till, 'charge', {});
    expect(stale.kind).toBe('RateUnavailable');
    expect(stale.message).toMatch(/last rate is 7 minutes old\. A manager must enter a rate/);

    expect((await refused(till, 'setManualRate', { rate: 'lots' })).kind).toBe('ValidationError');
    const status = await call(till, 'setManualRate', { rate: '88000.50' });
    expect(status.rate).toMatchObject({ rate: '90000' });
    const third = await call(till, 'charge');
    expect(third.invoice!.rate).toMatchObject({ rate: '88000.50', source: 'Manual rate' });
  });

  it('will not price a real node’s invoice at the demo rate', async () => {
    const till = await open();
    await call(till, 'saveBackend', lndInput(lnd.macaroon(TILL_OPS)));
    await call(till, 'addCustomAmount', { amount: 100n });
    const error = await refused(till, 'charge', {});
    expect(error).toMatchObject({ kind: 'RateUnavailable' });
    expect(error.message).toMatch(/choose an exchange/);
  });
});

describe.each([
  [
    'Core Lightning',
    async (now: () => Date) => {
      const fake = await startClnFake({ now });
      return {
        fake,
        input: {
          kind: 'cln',
          url: fake.url,
          caCert: fake.caCert,
          rune: fake.mintRune({ restrictions: TILL_RESTRICTIONS }),
        },
      };
    },
  ],
  [
    'NWC',
    async (now: () => Date) => {
      const fake = await startNwcFake({ now, relays: 2 });
      return { fake, input: { kind: 'nwc', uri: fake.connect(TILL_METHODS) } };
    },
  ],
  [
    'LNbits',
    async (now: () => Date) => {
      const fake = await startLnbitsFake({ now });
      return { fake, input: { kind: 'lnbits', url: fake.url, invoiceKey: fake.invoiceKey } };
    },
  ],
])('a till switched to %s in Settings', (_name, start) => {
  it('takes a payment through it, and keeps the secret out of the journal', async () => {
    const dir = tempDir();
    const clock = manualClock();
    const { fake, input } = await start(clock.now);
    const till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers: false,
      rateSource: (id) => ({
        id,
        label: 'Test exchange',
        quote: (currency) =>
          Promise.resolve({
            currency,
            rate: '90000',
            source: 'Test exchange',
            fetchedAt: clock.now().toISOString(),
          }),
      }),
      backendTimeoutMs: 5_000,
      log: () => undefined,
    });
    try {
      await call(till, 'updateSettings', { rateSource: 'coingecko' });
      const { network } = await call(till, 'testBackend', { backend: { ...input, network: 'regtest' } });
      const status = await call(till, 'saveBackend', { backend: { ...input, network } });
      expect(status.backend).toMatchObject({ kind: input.kind, state: 'connected', network });
      const secret = Object.entries(input).find(([k]) => ['rune', 'uri', 'invoiceKey'].includes(k))![1];
      expect(readFileSync(join(dir.path, 'journal.sqlite')).includes(Buffer.from(secret))).toBe(false);
      expect(JSON.stringify(await call(till, 'getBackendConfig'))).not.toContain(secret);

      await call(till, 'addCustomAmount', { amount: 275n });
      const sale = await call(till, 'charge');
      const paid = new Promise<Sale>((resolve) =>
        till.subscribe((event, payload) => {
          if (event === 'saleUpdated' && (payload as Sale).state === 'paid') resolve(payload as Sale);
        }),
      );
      clock.advance(1_000);
      fake.pay(sale.invoice!.paymentHash);
      expect(await paid).toMatchObject({ id: sale.id, amountPaidMsat: sale.invoice!.amountMsat });
    } finally {
      await till.close();
      await fake.close();
      dir.remove();
    }
  });
});
