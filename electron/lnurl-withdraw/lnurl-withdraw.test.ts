import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../shared/contract/index.js';
import type { Product, Refund, RefundState, Sale } from '../../shared/domain/index.js';
import { fiatToMsat, roundToSat } from '../../shared/money/index.js';
import { offlinePin } from '../../shared/offline-pay/index.js';
import { encodeInvoice } from '../lightning/bolt11/encode.js';
import type { RefundPaymentStatus, RefundWallet } from '../refund-wallet/wallet.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { startChild } from '../test-support/kill-child.js';
import { decodeLnurl, readWithdraw, sendInvoice, withdraw } from '../test-support/lud03-wallet.js';
import { call, refused, signedInTill } from '../test-support/till-calls.js';
import type { Till } from '../till.js';
import { OFFLINE_KEY, offlinePaySettings } from '../test-support/offline-pay.js';

/**
 * LNURL-withdraw refunds (issue 14, LUD-03) end to end on real SQLite and real HTTP: the till
 * serves the link with the `lnurl` package, a wallet-side client written from the LUDs claims it
 * with its own invoice, and the refund is paid once through the refund wallet — never by a
 * second callback, a wrong k1, a wrong amount, an expired or cancelled link, or a restart.
 */

const CUSTOMER_KEY = new Uint8Array(32).fill(9);
const MANAGER_PIN = '4821';

/** A wallet that outlives the till (a restart reopens the till, not the wallet) and counts pay calls. */
function fakeWallet() {
  const paid = new Map<string, string>();
  const payCalls: string[] = [];
  const state = { mode: 'pay' as 'pay' | 'hold' };
  const wallet: RefundWallet = {
    kind: 'demo',
    async pay(_invoice, hash) {
      payCalls.push(hash);
      if (state.mode === 'hold') await new Promise<never>(() => undefined);
      paid.set(hash, '');
      return { preimage: null };
    },
    lookup(hash): Promise<RefundPaymentStatus> {
      return Promise.resolve(paid.has(hash) ? { state: 'paid', preimage: null } : { state: 'unknown' });
    },
  };
  return { wallet, paid, payCalls, state };
}

describe('LNURL-withdraw refunds, pulled by the customer’s wallet', () => {
  let dir: ReturnType<typeof tempDir>;
  let till: Till;
  let products: Product[];
  let clock: ReturnType<typeof manualClock>;
  let fake: ReturnType<typeof fakeWallet> | null;
  let seed = 1;
  const deps = () => ({
    dataDir: dir.path,
    resourcesDir: RESOURCES_DIR,
    now: clock.now,
    timers: false,
    ...(fake ? { refundWallet: fake.wallet } : {}),
  });
  const variant = (title: string) => products.find((p) => p.title === title)!.variants[0]!.id;

  async function open(): Promise<void> {
    till = await signedInTill(deps());
  }

  async function setUp(opts: { expirySec?: number; rateBasis?: 'current' | 'sale' } = {}) {
    await call(till, 'saveRefundWallet', { kind: 'demo', perRefundLimitSats: null, perDayLimitSats: null });
    return call(till, 'saveLnurlWithdraw', {
      enabled: true,
      listenHost: '127.0.0.1',
      listenPort: 0,
      publicUrl: '',
      expirySec: opts.expirySec ?? 600,
      rateBasis: opts.rateBasis ?? 'current',
    });
  }

  beforeEach(async () => {
    dir = tempDir('till-lnurlw-');
    clock = manualClock();
    fake = null;
    await open();
    products = (await call(till, 'searchCatalog', { limit: 500 })).products;
    await call(till, 'addStaff', { name: 'Maya', role: 'manager', pin: MANAGER_PIN });
  });
  afterEach(async () => {
    await till.close();
    dir.remove();
  });

  async function sell(): Promise<Sale> {
    await call(till, 'addToCart', { variantId: variant('Flat White'), quantity: 2 });
    const cart = await call(till, 'addToCart', { variantId: variant('Butter Croissant') });
    return call(till, 'payCash', { tendered: cart.total * 2n });
  }

  const choice = (sale: Sale, line = 0) => ({
    saleId: sale.id,
    lines: [{ lineId: sale.lines[line]!.lineId, quantity: 1, restock: true }],
  });
  const lnurlRefund = (sale: Sale, line = 0) => ({
    ...choice(sale, line),
    reason: 'Changed their mind',
    tender: 'lnurl-withdraw',
  });

  /** The customer's wallet makes an invoice for what the link offers. */
  function makeInvoice(
    msat: bigint,
    opts: { network?: 'regtest' | 'mainnet'; expirySec?: number } = {},
  ): string {
    const n = seed++;
    return encodeInvoice(
      {
        network: opts.network ?? 'regtest',
        amountMsat: msat,
        timestamp: Math.floor(clock.now().getTime() / 1000),
        paymentHash: createHash('sha256').update(`preimage ${n}`).digest('hex'),
        paymentSecret: createHash('sha256').update(`secret ${n}`).digest('hex'),
        description: 'Refund',
        expirySec: opts.expirySec ?? 600,
      },
      CUSTOMER_KEY,
    );
  }

  /** Resolves when the till says the refund reached `state` (its event, not a sleep). */
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

  function journal<T>(fn: (db: Database.Database) => T): T {
    const db = new Database(join(dir.path, 'journal.sqlite'), { readonly: true });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  }
  const demoPayments = () =>
    journal((db) => (db.prepare('SELECT count(*) AS n FROM demo_refund_payments').get() as { n: number }).n);
  const history = (refundId: string) =>
    journal((db) =>
      (
        db.prepare('SELECT to_state FROM refund_events WHERE refund_id = ? ORDER BY seq').all(refundId) as {
          to_state: string;
        }[]
      ).map((e) => e.to_state),
    );

  it('is off until the owner turns it on, and a public plain-http address is refused (LUD-01)', async () => {
    const sale = await sell();
    expect((await call(till, 'getLnurlWithdraw')).status).toEqual({
      running: false,
      url: null,
      problem: null,
    });
    expect((await call(till, 'quoteLnurlRefund', choice(sale))).problem).toMatch(/LNURL refunds are off/);
    expect(await refused(till, 'createRefund', lnurlRefund(sale))).toMatchObject({ kind: 'InvalidState' });
    const base = {
      enabled: true,
      listenHost: '127.0.0.1',
      listenPort: 0,
      expirySec: 600,
      rateBasis: 'current',
    };
    expect(
      await refused(till, 'saveLnurlWithdraw', { ...base, publicUrl: 'http://refunds.example.com' }),
    ).toMatchObject({
      kind: 'ValidationError',
      message: expect.stringMatching(/plain http:\/\/ to a public address/) as unknown,
    });
    expect(
      await refused(till, 'saveLnurlWithdraw', { ...base, publicUrl: 'http://8.8.8.8:3001' }),
    ).toMatchObject({
      kind: 'ValidationError',
    });
    expect(
      await refused(till, 'saveLnurlWithdraw', {
        ...base,
        listenHost: '0.0.0.0',
        listenPort: 3001,
        publicUrl: '',
      }),
    ).toMatchObject({
      message: expect.stringMatching(/Give the address phones reach the till at/) as unknown,
    });
    for (const ok of [
      'https://refunds.example.com',
      'http://192.168.1.20:3001',
      'http://abcdefg.onion',
      'http://till.local:3001',
    ]) {
      const saved = await call(till, 'saveLnurlWithdraw', { ...base, enabled: false, publicUrl: ok });
      expect(saved.settings.publicUrl).toBe(ok);
    }
  });

  it('the wallet pulls exactly the refund’s sats through the demo refund wallet: approved → paying → paid', async () => {
    const saved = await setUp();
    expect(saved.status.running).toBe(true);
    const sale = await sell();
    const quote = await call(till, 'quoteLnurlRefund', choice(sale));
    expect(quote).toMatchObject({ problem: null, rateBasis: 'current', expirySec: 600 });
    expect(quote.amountMsat % 1000n).toBe(0n);

    // A manager's: the owner is signed in here; a cashier would be asked for the manager's PIN.
    const refund = await call(till, 'createRefund', lnurlRefund(sale));
    expect(refund).toMatchObject({ state: 'approved', tender: 'lightning', amountMsat: quote.amountMsat });
    expect(refund.withdraw).toMatchObject({ state: 'open', rate: quote.rate, rateBasis: 'current' });
    const lnurl = refund.withdraw!.lnurl!;
    expect(lnurl).toMatch(/^LNURL1[02-9AC-HJ-NP-Z]+$/);
    expect(decodeLnurl(lnurl)).toMatch(new RegExp(`^${saved.status.url}/lnurl\\?q=[0-9a-f]{64}$`));

    const paid = refundReaches(refund.id, 'paid');
    const { request, answer } = await withdraw(lnurl, (msat) => makeInvoice(msat));
    expect(request).toMatchObject({
      tag: 'withdrawRequest',
      minWithdrawable: Number(quote.amountMsat),
      maxWithdrawable: Number(quote.amountMsat),
    });
    expect(request.callback.startsWith(saved.status.url!)).toBe(true);
    expect(answer).toEqual({ status: 'OK' });
    const done = await paid;
    expect(done.withdraw).toMatchObject({ state: 'claimed', lnurl: null });
    expect(history(refund.id)).toEqual(['requested', 'approved', 'paying', 'paid']);
    expect(demoPayments()).toBe(1);
    const listed = (await call(till, 'listRefunds', { saleId: sale.id })).refunds;
    expect(listed[0]).toMatchObject({ state: 'paid', withdraw: { state: 'claimed' } });
  });

  it('a second callback — the same invoice or another — is refused and pays nothing more', async () => {
    await setUp();
    const sale = await sell();
    const refund = await call(till, 'createRefund', lnurlRefund(sale));
    const request = await readWithdraw(refund.withdraw!.lnurl!);
    if ('status' in request) throw new Error(request.reason);
    const paid = refundReaches(refund.id, 'paid');
    const inv = makeInvoice(BigInt(request.maxWithdrawable));
    expect(await sendInvoice(request, inv)).toEqual({ status: 'OK' });
    await paid;
    for (const again of [inv, makeInvoice(BigInt(request.maxWithdrawable))]) {
      const second = await sendInvoice(request, again);
      expect(second).toMatchObject({ status: 'ERROR' });
    }
    // Two callbacks racing each other: one claim at most.
    const other = await call(till, 'createRefund', lnurlRefund(sale, 1));
    const req2 = await readWithdraw(other.withdraw!.lnurl!);
    if ('status' in req2) throw new Error(req2.reason);
    const paid2 = refundReaches(other.id, 'paid');
    const answers = await Promise.all(
      [0, 1, 2].map(() => sendInvoice(req2, makeInvoice(BigInt(req2.maxWithdrawable)))),
    );
    expect(answers.filter((a) => a.status === 'OK')).toHaveLength(1);
    await paid2;
    expect(demoPayments()).toBe(2);
    // And the link's GET says it is used.
    expect(await readWithdraw(refund.withdraw!.lnurl!)).toMatchObject({ status: 'ERROR' });
  });

  it('the journal is the second lock: one invoice pays one link, and a closed link never opens again', async () => {
    await setUp();
    const sale = await sell();
    const a = await call(till, 'createRefund', lnurlRefund(sale));
    const b = await call(till, 'createRefund', lnurlRefund(sale));
    const ra = await readWithdraw(a.withdraw!.lnurl!);
    const rb = await readWithdraw(b.withdraw!.lnurl!);
    if ('status' in ra || 'status' in rb) throw new Error('refused');
    const paid = refundReaches(a.id, 'paid');
    const inv = makeInvoice(BigInt(ra.maxWithdrawable));
    expect(await sendInvoice(ra, inv)).toEqual({ status: 'OK' });
    await paid;
    // The same invoice through the other link: the package sees a fresh secret, the journal the hash.
    expect(await sendInvoice(rb, inv)).toMatchObject({
      status: 'ERROR',
      reason: expect.stringMatching(/already being paid by another refund/) as unknown,
    });
    expect((await call(till, 'getRefund', { refundId: b.id })).withdraw?.state).toBe('open');
    expect(demoPayments()).toBe(1);
    // Whoever writes: a claimed link cannot be opened again.
    const db = new Database(join(dir.path, 'journal.sqlite'));
    try {
      expect(() =>
        db.prepare(`UPDATE refund_withdraw_links SET state = 'open' WHERE refund_id = ?`).run(a.id),
      ).toThrow(/refund_withdraw_links_once/);
    } finally {
      db.close();
    }
  });

  it('a wrong k1, a wrong amount, another network or a stale invoice is refused; the right one then pays', async () => {
    await setUp();
    const sale = await sell();
    const refund = await call(till, 'createRefund', lnurlRefund(sale));
    const request = await readWithdraw(refund.withdraw!.lnurl!);
    if ('status' in request) throw new Error(request.reason);
    const msat = BigInt(request.maxWithdrawable);
    expect(await sendInvoice({ ...request, k1: 'ab'.repeat(32) }, makeInvoice(msat))).toMatchObject({
      status: 'ERROR',
    });
    expect(await sendInvoice({ ...request, k1: 'not hex' }, makeInvoice(msat))).toMatchObject({
      status: 'ERROR',
    });
    expect(await sendInvoice(request, makeInvoice(msat - 1000n))).toMatchObject({ status: 'ERROR' });
    expect(await sendInvoice(request, makeInvoice(msat + 1000n))).toMatchObject({ status: 'ERROR' });
    expect(await sendInvoice(request, makeInvoice(msat, { network: 'mainnet' }))).toMatchObject({
      status: 'ERROR',
      reason: expect.stringMatching(/mainnet/) as unknown,
    });
    expect(await sendInvoice(request, makeInvoice(msat, { expirySec: 30 }))).toMatchObject({
      status: 'ERROR',
      reason: expect.stringMatching(/expired/) as unknown,
    });
    expect(await sendInvoice(request, 'lnbcrt1garbage')).toMatchObject({ status: 'ERROR' });
    expect(demoPayments()).toBe(0);
    expect((await call(till, 'getRefund', { refundId: refund.id })).state).toBe('approved');
    const paid = refundReaches(refund.id, 'paid');
    expect(await sendInvoice(request, makeInvoice(msat))).toEqual({ status: 'OK' });
    await paid;
    expect(demoPayments()).toBe(1);
  });

  it('an expired link cannot be claimed: the refund fails and its quantities may come back again', async () => {
    await setUp({ expirySec: 120 });
    const sale = await sell();
    const refund = await call(till, 'createRefund', lnurlRefund(sale));
    const request = await readWithdraw(refund.withdraw!.lnurl!);
    if ('status' in request) throw new Error(request.reason);
    clock.advance(121_000);
    expect(await sendInvoice(request, makeInvoice(BigInt(request.maxWithdrawable)))).toMatchObject({
      status: 'ERROR',
      reason: expect.stringMatching(/expired/) as unknown,
    });
    const after = await call(till, 'getRefund', { refundId: refund.id });
    expect(after).toMatchObject({ state: 'failed', withdraw: { state: 'expired', lnurl: null } });
    expect(demoPayments()).toBe(0);
    // The tick closes links nobody tried after their expiry too.
    const second = await call(till, 'createRefund', lnurlRefund(sale));
    clock.advance(121_000);
    await till.tick();
    expect((await call(till, 'getRefund', { refundId: second.id })).withdraw?.state).toBe('expired');
    expect(await readWithdraw(second.withdraw!.lnurl!)).toMatchObject({ status: 'ERROR' });
  });

  it('a cancelled link cannot be claimed; a claimed one cannot be cancelled', async () => {
    await setUp();
    const sale = await sell();
    const refund = await call(till, 'createRefund', lnurlRefund(sale));
    const request = await readWithdraw(refund.withdraw!.lnurl!);
    if ('status' in request) throw new Error(request.reason);
    const cancelled = await call(till, 'cancelLnurlRefund', { refundId: refund.id });
    expect(cancelled).toMatchObject({ state: 'failed', withdraw: { state: 'cancelled', lnurl: null } });
    expect(await sendInvoice(request, makeInvoice(BigInt(request.maxWithdrawable)))).toMatchObject({
      status: 'ERROR',
      reason: expect.stringMatching(/cancelled/) as unknown,
    });
    expect(demoPayments()).toBe(0);

    const claimed = await call(till, 'createRefund', lnurlRefund(sale));
    const paid = refundReaches(claimed.id, 'paid');
    await withdraw(claimed.withdraw!.lnurl!, (msat) => makeInvoice(msat));
    await paid;
    expect(await refused(till, 'cancelLnurlRefund', { refundId: claimed.id })).toMatchObject({
      kind: 'InvalidState',
      message: expect.stringMatching(/already claimed/) as unknown,
    });
  });

  it('the till’s limits hold: over the per-refund or per-day limit, no link is made', async () => {
    await setUp();
    const sale = await sell();
    const quote = await call(till, 'quoteLnurlRefund', choice(sale));
    const sats = quote.amountMsat / 1000n;
    await call(till, 'saveRefundWallet', {
      kind: 'demo',
      perRefundLimitSats: sats - 1n,
      perDayLimitSats: null,
    });
    expect((await call(till, 'quoteLnurlRefund', choice(sale))).problem).toMatch(
      /over the .* a Lightning refund may pay/,
    );
    expect(await refused(till, 'createRefund', lnurlRefund(sale))).toMatchObject({
      message: expect.stringMatching(/a Lightning refund may pay/) as unknown,
    });
    // An open link counts against the day's limit as it is shown (its sats are promised).
    await call(till, 'saveRefundWallet', {
      kind: 'demo',
      perRefundLimitSats: null,
      perDayLimitSats: sats * 2n - 1n,
    });
    await call(till, 'createRefund', lnurlRefund(sale));
    expect(await refused(till, 'createRefund', lnurlRefund(sale))).toMatchObject({
      message: expect.stringMatching(/Today’s Lightning refunds would go over/) as unknown,
    });
    expect(journal((db) => db.prepare('SELECT count(*) AS n FROM refund_withdraw_links').get())).toEqual({
      n: 1,
    });
  });

  it('a crash between the journal and the pay is resolved by look-up, never paid again; open links close on restart', async () => {
    fake = fakeWallet();
    await till.close();
    await open();
    await setUp();
    const sale = await sell();
    // 1. The wallet is asked to pay and the till dies before it answers; the wallet did pay.
    fake.state.mode = 'hold';
    const a = await call(till, 'createRefund', lnurlRefund(sale));
    const paying = refundReaches(a.id, 'paying');
    expect((await withdraw(a.withdraw!.lnurl!, (msat) => makeInvoice(msat))).answer).toEqual({
      status: 'OK',
    });
    await paying;
    expect(fake.payCalls).toHaveLength(1);
    fake.paid.set(fake.payCalls[0]!, '');
    // 2. Another link is open when the till dies.
    const b = await call(till, 'createRefund', lnurlRefund(sale, 1));
    await till.close();
    fake.state.mode = 'pay';
    await open();
    expect(await call(till, 'getRefund', { refundId: a.id })).toMatchObject({ state: 'paid' });
    expect(fake.payCalls).toHaveLength(1);
    const closed = await call(till, 'getRefund', { refundId: b.id });
    expect(closed).toMatchObject({ state: 'failed', withdraw: { state: 'expired', lnurl: null } });
    expect(closed.stateReason).toMatch(/till (closed|restarted) before the customer’s wallet claimed it/);

    // 3. The till dies after journaling the claim, before the wallet ever saw the payment: the
    // look-up finds nothing; once the invoice has expired the refund fails, and nothing was paid.
    fake.state.mode = 'hold';
    const c = await call(till, 'createRefund', lnurlRefund(sale, 1));
    const cPaying = refundReaches(c.id, 'paying');
    await withdraw(c.withdraw!.lnurl!, (msat) => makeInvoice(msat, { expirySec: 300 }));
    await cPaying;
    fake.payCalls.length = 0;
    await till.close();
    fake.state.mode = 'pay';
    await open();
    expect((await call(till, 'getRefund', { refundId: c.id })).state).toBe('paying');
    clock.advance(301_000);
    await till.close();
    await open();
    expect((await call(till, 'getRefund', { refundId: c.id })).state).toBe('failed');
    expect(fake.payCalls).toHaveLength(0);
  });

  it('SIGKILL with a link open and another claimed but not yet paid: the first shows expired, the second fails by look-up, nothing pays', async () => {
    await till.close();
    const child = startChild('--import', [
      'tsx',
      resolve(import.meta.dirname, '../test-support/lnurl-crash-child.ts'),
      dir.path,
      RESOURCES_DIR,
      String(clock.now().getTime()),
    ]);
    const { lines, diedAt } = await child.run;
    expect(diedAt).toBe('inside the refund wallet’s pay call');
    const [, openId, lnurl] = lines.find((l) => l.startsWith('open '))!.split(' ');
    const claimedId = lines.find((l) => l.startsWith('claimed '))!.split(' ')[1]!;
    // The till comes back; the refund wallet never saw the payment.
    fake = fakeWallet();
    await open();
    const first = await call(till, 'getRefund', { refundId: openId! });
    expect(first).toMatchObject({ state: 'failed', withdraw: { state: 'expired', lnurl: null } });
    expect(first.stateReason).toMatch(/restarted/);
    await expect(readWithdraw(lnurl!)).rejects.toThrow(); // its server died with it
    expect((await call(till, 'getRefund', { refundId: claimedId })).state).toBe('paying');
    clock.advance(301_000);
    await till.close();
    await open();
    expect((await call(till, 'getRefund', { refundId: claimedId })).state).toBe('failed');
    expect(fake.payCalls).toHaveLength(0);
    expect(demoPayments()).toBe(0);
  }, 120_000);

  it('the sale’s rate, when the owner says so: a Lightning sale is refunded at the rate it was paid at', async () => {
    await setUp({ rateBasis: 'sale' });
    await call(till, 'addToCart', { variantId: variant('Flat White') });
    const charged = await call(till, 'charge', {});
    await call(till, 'demoPay', { saleId: charged.id });
    const sale = await call(till, 'getSale', { saleId: charged.id });
    expect(sale.state).toBe('paid');
    const quote = await call(till, 'quoteLnurlRefund', choice(sale));
    expect(quote).toMatchObject({ rateBasis: 'sale', rate: sale.invoice!.rate.rate });
    expect(quote.rateNote).toMatch(/the sale’s rate/);
    // A cash sale has no rate of its own: today's, and the manager is told so.
    const cash = await sell();
    const q2 = await call(till, 'quoteLnurlRefund', choice(cash));
    expect(q2).toMatchObject({
      rateBasis: 'current',
      rateNote: expect.stringMatching(/paid in cash/) as unknown,
    });
  });

  it('the sale’s rate of a sale paid offline: the rate its signed link was priced at, not today’s', async () => {
    await setUp({ rateBasis: 'sale' });
    await call(till, 'saveOfflinePay', offlinePaySettings({ perDayLimit: 50_000n, alwaysOffer: true }));
    await call(till, 'addToCart', { variantId: variant('Flat White') });
    const charge = await call(till, 'chargeOffline', {});
    const nonce = (await call(till, 'getSale', { saleId: charge.saleId })).offline!.nonce;
    await call(till, 'enterOfflinePin', {
      saleId: charge.saleId,
      pin: offlinePin(OFFLINE_KEY, nonce, charge.amountMsat),
    });
    const sale = await call(till, 'getSale', { saleId: charge.saleId });
    expect(sale).toMatchObject({ state: 'paid', tender: 'lightning-offline', invoice: null });
    const paidAt = sale.offline!.rate;
    expect(paidAt.rate).toBe('100000.00'); // the demo rate

    // Today's rate moved: a manager's, 5 % lower (inside the band, no confirmation).
    clock.advance(3_600_000);
    await call(till, 'setManualRate', { rate: '95000' });
    await call(till, 'updateSettings', { rateSource: 'manual' });
    const quote = await call(till, 'quoteLnurlRefund', choice(sale));
    expect(quote).toMatchObject({ rateBasis: 'sale', rate: paidAt.rate });
    expect(quote.rateNote).toMatch(/the sale’s rate \(100000\.00 USD\/BTC/);
    expect(quote.amountMsat).toBe(
      roundToSat(fiatToMsat(quote.amount, sale.currency, paidAt.rate, 'down'), 'down'),
    );
    // The refund keeps it: its link is priced at the sale's rate.
    const refund = await call(till, 'createRefund', lnurlRefund(sale));
    expect(refund).toMatchObject({ amountMsat: quote.amountMsat });
    expect(refund.withdraw).toMatchObject({ rate: paidAt.rate, rateBasis: 'sale' });
  });

  it('the till stays up whatever a wallet sends', async () => {
    const saved = await setUp();
    const base = saved.status.url!;
    const sale = await sell();
    const refund = await call(till, 'createRefund', lnurlRefund(sale));
    const bodies: string[] = [];
    for (const path of [
      '/lnurl',
      '/lnurl?q=',
      '/lnurl?q[]=1&q[]=2',
      '/lnurl?k1[a]=b&pr=x',
      '/lnurl?k1=%zz',
      `/lnurl?q=${'a'.repeat(6000)}`,
      `/lnurl?q=${'a'.repeat(40_000)}`,
      `/lnurl?k1=${'f'.repeat(64)}&pr=${'x'.repeat(5000)}`,
      '/lnurl/%00',
      '/nothing-here',
    ]) {
      const res = await fetch(base + path);
      bodies.push(await res.text());
    }
    for (const b of bodies) expect(b.length).toBeLessThan(2000);
    // Still serving, and the link still pays.
    const paid = refundReaches(refund.id, 'paid');
    expect((await withdraw(refund.withdraw!.lnurl!, (msat) => makeInvoice(msat))).answer).toEqual({
      status: 'OK',
    });
    await paid;
  });
});
