import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Product, Refund, Sale } from '../../shared/domain/index.js';
import { fiatToMsat, roundToSat } from '../../shared/money/index.js';
import { encodeInvoice } from '../lightning/bolt11/encode.js';
import { openJournal, prepareJournal } from '../journal/db.js';
import { createFileSecretStore } from '../secrets/store.js';
import { createRefundWallets } from './settings.js';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { startLnbitsFake, type LnbitsFake } from '../test-support/fakes/lnbits.js';
import { startNwcFake, TILL_METHODS, type NwcFake } from '../test-support/fakes/nwc.js';
import { call, refused, signedInTill } from '../test-support/till-calls.js';
import type { Till } from '../till.js';

/**
 * The real refund wallets inside the till (issue 14), on real SQLite: the owner saves one (the
 * credential to the SecretStore, never shown back), Lightning refunds go out through it exactly
 * once — also when its answer is lost and the till restarts — the till's limits hold for every
 * kind, and the wallet's own refusals (an NWC budget) reach the cashier in its words.
 */

const CUSTOMER_KEY = new Uint8Array(32).fill(7);
/** The demo rate (electron/rates/demo.ts): 1 USD = 1,000 sats. */
const DEMO_USD = '100000.00';
const REFUND_METHODS = ['get_info', 'pay_invoice', 'lookup_invoice'];

describe('the refund wallet in the till: NWC and LNbits', () => {
  let dir: ReturnType<typeof tempDir>;
  let till: Till;
  let products: Product[];
  let nwc: NwcFake;
  let lnbits: LnbitsFake;
  let seed = 1;
  const deps = () => ({
    dataDir: dir.path,
    resourcesDir: RESOURCES_DIR,
    // Real time: relays judge events against it; invoices below are made for it.
    timers: false,
    backendTimeoutMs: 800,
  });
  const variant = (title: string) => products.find((p) => p.title === title)!.variants[0]!.id;

  beforeEach(async () => {
    dir = tempDir();
    nwc = await startNwcFake({ now: () => new Date() });
    lnbits = await startLnbitsFake({ now: () => new Date(), spends: true });
    lnbits.fund(50_000_000);
    till = await signedInTill(deps());
    products = (await call(till, 'searchCatalog', { limit: 500 })).products;
  });
  afterEach(async () => {
    await till.close();
    await nwc.close();
    await lnbits.close();
    dir.remove();
  });

  async function sell(): Promise<Sale> {
    await call(till, 'addToCart', { variantId: variant('Flat White'), quantity: 2 });
    const cart = await call(till, 'addToCart', { variantId: variant('Butter Croissant') });
    return call(till, 'payCash', { tendered: cart.total * 2n });
  }

  const lines = (sale: Sale) => [{ lineId: sale.lines[0]!.lineId, quantity: 1, restock: true }];

  async function owedFor(sale: Sale): Promise<bigint> {
    const preview = await call(till, 'previewRefund', { saleId: sale.id, lines: lines(sale) });
    return roundToSat(fiatToMsat(preview.amount, 'USD', DEMO_USD, 'down'), 'down');
  }

  /** The customer's invoice; both fake wallets' network knows its preimage. */
  function invoice(msat: bigint): { text: string; hash: string; preimage: string } {
    const preimage = createHash('sha256').update(`till preimage ${seed++} ${Date.now()}`).digest('hex');
    const hash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');
    nwc.knowPreimage(hash, preimage);
    lnbits.knowPreimage(hash, preimage);
    const text = encodeInvoice(
      {
        network: 'regtest',
        amountMsat: msat,
        timestamp: Math.floor(Date.now() / 1000),
        paymentHash: hash,
        paymentSecret: createHash('sha256').update(`secret ${seed}`).digest('hex'),
        description: 'Refund',
        expirySec: 600,
      },
      CUSTOMER_KEY,
    );
    return { text, hash, preimage };
  }

  const lightning = (sale: Sale, text: string) => ({
    saleId: sale.id,
    lines: lines(sale),
    reason: 'Changed their mind',
    tender: 'lightning',
    invoice: text,
  });

  const limits = { perRefundLimitSats: null, perDayLimitSats: null };

  it('the demo node starts with the demo refund wallet; the owner saves NWC, and sees only a hint of it', async () => {
    expect(await call(till, 'getRefundWallet')).toMatchObject({ kind: 'demo', credentialHint: null });
    const uri = nwc.connect(REFUND_METHODS);
    const secret = new URL(uri.replace('nostr+walletconnect:', 'http:')).searchParams.get('secret')!;
    const saved = await call(till, 'saveRefundWallet', { kind: 'nwc', credential: uri, ...limits });
    expect(saved.kind).toBe('nwc');
    expect(saved.credentialHint).toMatch(
      /^NWC wallet [0-9a-f]{8}… via 127\.0\.0\.1:\d+ · fingerprint [0-9a-f]{8}$/,
    );
    expect(JSON.stringify(saved)).not.toContain(secret);
    expect(await call(till, 'testRefundWallet')).toMatchObject({ ok: true });
    // Saved again without a credential (a limit changed): the one saved is kept.
    const again = await call(till, 'saveRefundWallet', {
      kind: 'nwc',
      perRefundLimitSats: 5n,
      perDayLimitSats: null,
    });
    expect(again.credentialHint).toBe(saved.credentialHint);
    // The secret is in the SecretStore, never in the journal.
    expect(createFileSecretStore(dir.path).get('refund-wallet.nwc')).toBe(uri);
    await till.close();
    const journal = readFileSync(join(dir.path, 'journal.sqlite')).toString('latin1');
    expect(journal).not.toContain(secret);
    till = await signedInTill(deps());
  });

  it('refuses a credential it cannot use, and the receiving node’s own connection', async () => {
    const bad = await refused(till, 'saveRefundWallet', {
      kind: 'nwc',
      credential: 'nostr+walletconnect://nope',
      ...limits,
    });
    expect(bad).toMatchObject({
      kind: 'ValidationError',
      message: expect.stringMatching(/public key/) as unknown,
    });
    expect((await refused(till, 'saveRefundWallet', { kind: 'nwc', ...limits })).message).toMatch(
      /Paste the refund wallet/,
    );
    expect(
      (
        await refused(till, 'saveRefundWallet', {
          kind: 'lnbits',
          url: lnbits.url,
          credential: 'not a key',
          ...limits,
        })
      ).message,
    ).toMatch(/not an LNbits key/);
    const nodeUri = nwc.connect(TILL_METHODS);
    createFileSecretStore(dir.path).set('backend.nwc', nodeUri);
    expect(
      (await refused(till, 'saveRefundWallet', { kind: 'nwc', credential: nodeUri, ...limits })).message,
    ).toMatch(/the connection the till receives payments with/);
    // A till-only connection saves, but Test says it cannot spend.
    await call(till, 'saveRefundWallet', { kind: 'nwc', credential: nwc.connect(TILL_METHODS), ...limits });
    expect(await call(till, 'testRefundWallet')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/cannot spend/) as unknown,
    });
    // The LNbits read key saves, and Test says it cannot pay.
    await call(till, 'saveRefundWallet', {
      kind: 'lnbits',
      url: lnbits.url,
      credential: lnbits.invoiceKey,
      ...limits,
    });
    expect((await call(till, 'testRefundWallet')).message).toMatch(/Invoice\/read key: it cannot pay/);
  });

  it('NWC: pays the refund once; a lost answer and a restart are settled by the look-up, never a second payment', async () => {
    await call(till, 'saveRefundWallet', { kind: 'nwc', credential: nwc.connect(REFUND_METHODS), ...limits });
    const sale = await sell();
    const first = invoice(await owedFor(sale));
    const paid: Refund = await call(till, 'createRefund', lightning(sale, first.text));
    expect(paid).toMatchObject({ state: 'paid' });

    // The wallet pays, but no answer comes back — not to the pay call, not to the look-up.
    const second = invoice(await owedFor(sale));
    nwc.misbehave('hang');
    const open = await call(till, 'createRefund', lightning(sale, second.text));
    expect(open.state).toBe('paying');
    expect(nwc.outgoing().filter((p) => p.paymentHash === second.hash)).toEqual([
      { paymentHash: second.hash, state: 'settled' },
    ]);
    // While it is under way the owner cannot switch wallets: the look-up must ask the one that paid.
    expect(
      (
        await refused(till, 'saveRefundWallet', {
          kind: 'lnbits',
          url: lnbits.url,
          credential: lnbits.adminKey,
          ...limits,
        })
      ).message,
    ).toMatch(/still under way on the current refund wallet/);
    await call(till, 'saveRefundWallet', {
      kind: 'nwc',
      perRefundLimitSats: 1_000_000n,
      perDayLimitSats: null,
    });
    nwc.misbehave(null);
    await till.close();
    till = await signedInTill(deps());
    expect(await call(till, 'getRefund', { refundId: open.id })).toMatchObject({ state: 'paid' });
    expect(nwc.payRequests).toEqual([first.hash, second.hash]);
  });

  it('NWC: the till’s limits hold before the wallet is asked; the wallet’s budget refusal is in its words', async () => {
    await call(till, 'saveRefundWallet', { kind: 'nwc', credential: nwc.connect(REFUND_METHODS), ...limits });
    const sale = await sell();
    const msat = await owedFor(sale);
    await call(till, 'saveRefundWallet', {
      kind: 'nwc',
      perRefundLimitSats: msat / 1000n - 1n,
      perDayLimitSats: null,
    });
    expect((await refused(till, 'createRefund', lightning(sale, invoice(msat).text))).message).toMatch(
      /a Lightning refund may pay: refund in cash, or the owner raises the limit/,
    );
    await call(till, 'saveRefundWallet', {
      kind: 'nwc',
      perRefundLimitSats: null,
      perDayLimitSats: msat / 1000n - 1n,
    });
    expect((await refused(till, 'createRefund', lightning(sale, invoice(msat).text))).message).toMatch(
      /Today’s Lightning refunds would go over/,
    );
    expect(nwc.payRequests).toEqual([]);
    await call(till, 'saveRefundWallet', { kind: 'nwc', ...limits });
    nwc.payOutcome({ refuse: 'QUOTA_EXCEEDED' });
    const failed = await call(till, 'createRefund', lightning(sale, invoice(msat).text));
    expect(failed.state).toBe('failed');
    const reason = new Database(join(dir.path, 'journal.sqlite'), { readonly: true });
    const detail = (
      reason
        .prepare(`SELECT detail FROM refund_events WHERE refund_id = ? AND to_state = 'failed'`)
        .get(failed.id) as {
        detail: string;
      }
    ).detail;
    reason.close();
    expect(detail).toMatch(/budget for this connection is used up \(QUOTA_EXCEEDED/);
  });

  it('LNbits: pays the refund once with the admin key; a 500 after paying is settled by the look-up', async () => {
    await call(till, 'saveRefundWallet', {
      kind: 'lnbits',
      url: lnbits.url,
      credential: lnbits.adminKey,
      perRefundLimitSats: 100_000n,
      perDayLimitSats: 500_000n,
    });
    expect(await call(till, 'getRefundWallet')).toMatchObject({
      kind: 'lnbits',
      url: lnbits.url,
      credentialHint: expect.stringMatching(
        /^Admin key for 127\.0\.0\.1:\d+ · fingerprint [0-9a-f]{8}$/,
      ) as unknown,
    });
    expect(await call(till, 'testRefundWallet')).toMatchObject({ ok: true });
    const sale = await sell();
    expect((await call(till, 'createRefund', lightning(sale, invoice(await owedFor(sale)).text))).state).toBe(
      'paid',
    );
    lnbits.payOutcome('paidThen500');
    const second = invoice(await owedFor(sale));
    expect((await call(till, 'createRefund', lightning(sale, second.text))).state).toBe('paid');
    expect(lnbits.payRequests).toHaveLength(2);
    expect(lnbits.outgoing().map((p) => p.status)).toEqual(['success', 'success']);
  });
});

describe('the demo refund wallet and a real node', () => {
  it('is the default on the demo node only, and never pays while a real node takes the sales', () => {
    const dir = tempDir();
    const db = openJournal(join(dir.path, 'journal.sqlite'));
    prepareJournal(db);
    try {
      let demoNode = true;
      const wallets = createRefundWallets({ db, now: () => new Date(), onDemoNode: () => demoNode });
      expect(wallets.get().kind).toBe('demo');
      expect(wallets.wallet()?.kind).toBe('demo');
      wallets.save({ kind: 'demo', perRefundLimitSats: null, perDayLimitSats: null });
      // The owner switches to a real node: nothing saved is none; a saved demo wallet pays nothing.
      demoNode = false;
      expect(wallets.wallet()).toBeNull();
      expect(() => wallets.save({ kind: 'demo', perRefundLimitSats: null, perDayLimitSats: null })).toThrow(
        /goes with the demo node only/,
      );
    } finally {
      db.close();
      dir.remove();
    }
  });
});
