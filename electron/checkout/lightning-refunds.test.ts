import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Network, Product, Refund, Sale } from '../../shared/domain/index.js';
import { fiatToMsat, roundToSat } from '../../shared/money/index.js';
import { encodeInvoice } from '../lightning/bolt11/encode.js';
import { RefundPaymentFailed, type RefundPaymentStatus, type RefundWallet } from '../refund-wallet/wallet.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused, signedInTill } from '../test-support/till-calls.js';
import type { Till } from '../till.js';

/**
 * Lightning refunds pushed to the customer's invoice (issue 14, second slice), on real SQLite:
 * paid once and only once through double taps, races, a wallet that drops the line mid-payment
 * and a till closed mid-call; wrong invoices refused in the cashier's words; the till's limits.
 */

const CUSTOMER_KEY = new Uint8Array(32).fill(7);
const MANAGER_PIN = '4821';
const CASHIER_PIN = '2468';
/** The demo rate (electron/rates/demo.ts): 1 USD = 1,000 sats. */
const DEMO_USD = '100000.00';

const sha256 = (h: string) => createHash('sha256').update(Buffer.from(h, 'hex')).digest('hex');

/**
 * The refund wallet as the network sees it: it outlives the till (a restart reopens the till, not
 * the wallet), counts every pay call, and can be told to fail, to drop the line after paying, or
 * to hold a payment until the test lets it go.
 */
function fakeWallet() {
  const preimages = new Map<string, string>();
  const paid = new Map<string, string>();
  const payCalls: string[] = [];
  const state = {
    mode: 'pay' as 'pay' | 'refuse' | 'payThenDrop' | 'hold',
    lookupDown: false,
    release: null as null | (() => void),
  };
  const wallet: RefundWallet = {
    kind: 'demo',
    async pay(_invoice, hash) {
      payCalls.push(hash);
      if (state.mode === 'refuse') throw new RefundPaymentFailed('no route to the customer');
      if (state.mode === 'hold') await new Promise<void>((r) => (state.release = r));
      const preimage = preimages.get(hash) ?? null;
      paid.set(hash, preimage ?? '');
      if (state.mode === 'payThenDrop') throw new Error('socket hang up');
      return { preimage };
    },
    lookup(hash): Promise<RefundPaymentStatus> {
      if (state.lookupDown) return Promise.reject(new Error('wallet unreachable'));
      const p = paid.get(hash);
      return Promise.resolve(p === undefined ? { state: 'unknown' } : { state: 'paid', preimage: p || null });
    },
  };
  return { wallet, preimages, paid, payCalls, state };
}

describe('Lightning refunds to the customer’s invoice, exactly once', () => {
  let dir: ReturnType<typeof tempDir>;
  let till: Till;
  let products: Product[];
  let w: ReturnType<typeof fakeWallet>;
  let clock: ReturnType<typeof manualClock>;
  let seed = 1;
  const deps = () => ({
    dataDir: dir.path,
    resourcesDir: RESOURCES_DIR,
    now: clock.now,
    timers: false,
    refundWallet: w.wallet,
  });
  const variant = (title: string) => products.find((p) => p.title === title)!.variants[0]!.id;

  beforeEach(async () => {
    dir = tempDir();
    clock = manualClock();
    w = fakeWallet();
    till = await signedInTill(deps());
    products = (await call(till, 'searchCatalog', { limit: 500 })).products;
    await call(till, 'addStaff', { name: 'Maya', role: 'manager', pin: MANAGER_PIN });
    await call(till, 'addStaff', { name: 'Casey', role: 'cashier', pin: CASHIER_PIN });
    await call(till, 'saveRefundWallet', { kind: 'demo', perRefundLimitSats: null, perDayLimitSats: null });
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

  /** The customer's wallet makes an invoice; its preimage is known to the (fake) network. */
  function invoice(
    amountMsat: bigint | null,
    opts: { network?: Network; expirySec?: number; ageSec?: number } = {},
  ): string {
    const preimage = createHash('sha256').update(`preimage ${seed++}`).digest('hex');
    const paymentHash = sha256(preimage);
    w.preimages.set(paymentHash, preimage);
    return encodeInvoice(
      {
        network: opts.network ?? 'regtest',
        amountMsat,
        timestamp: Math.floor(clock.now().getTime() / 1000) - (opts.ageSec ?? 0),
        paymentHash,
        paymentSecret: createHash('sha256').update(`secret ${seed}`).digest('hex'),
        description: 'Refund',
        expirySec: opts.expirySec ?? 600,
      },
      CUSTOMER_KEY,
    );
  }

  const owed = (amount: bigint) => roundToSat(fiatToMsat(amount, 'USD', DEMO_USD, 'down'), 'down');

  function lines(sale: Sale, which: number[] = [0]) {
    return which.map((i) => ({ lineId: sale.lines[i]!.lineId, quantity: 1, restock: true }));
  }

  async function owedFor(sale: Sale, which: number[] = [0]): Promise<bigint> {
    const preview = await call(till, 'previewRefund', { saleId: sale.id, lines: lines(sale, which) });
    return owed(preview.amount);
  }

  const lightning = (sale: Sale, inv: string, which: number[] = [0]) => ({
    saleId: sale.id,
    lines: lines(sale, which),
    reason: 'Changed their mind',
    tender: 'lightning',
    invoice: inv,
  });

  function journal<T>(fn: (db: Database.Database) => T): T {
    const db = new Database(join(dir.path, 'journal.sqlite'), { readonly: true });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  }

  const history = (refundId: string) =>
    journal((db) =>
      (
        db.prepare('SELECT to_state FROM refund_events WHERE refund_id = ? ORDER BY seq').all(refundId) as {
          to_state: string;
        }[]
      ).map((e) => e.to_state),
    );

  async function reopen(): Promise<void> {
    await till.close();
    till = await signedInTill(deps());
  }

  it('pays the invoice once, journaled requested → approved → paying (with its hash) → paid', async () => {
    const sale = await sell();
    const msat = await owedFor(sale);
    expect(msat).toBeGreaterThan(0n);
    const inv = invoice(msat);
    const done: Refund = await call(till, 'createRefund', lightning(sale, inv));
    expect(done).toMatchObject({ state: 'paid', tender: 'lightning', amountMsat: msat });
    expect(w.payCalls).toHaveLength(1);
    expect(history(done.id)).toEqual(['requested', 'approved', 'paying', 'paid']);
    const row = journal((db) =>
      db.prepare('SELECT payment_hash, amount_msat FROM refunds WHERE id = ?').get(done.id),
    ) as { payment_hash: string; amount_msat: number };
    expect(row.payment_hash).toBe(w.payCalls[0]);
    expect(BigInt(row.amount_msat)).toBe(msat);
  });

  it('a double tap, or two screens at once: one refund pays, the other is refused and pays nothing', async () => {
    const sale = await sell();
    const inv = invoice(await owedFor(sale, [1]));
    const [a, b] = await Promise.all([
      till.invoke('createRefund', lightning(sale, inv, [1])),
      till.invoke('createRefund', lightning(sale, inv, [1])),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const err = (a.ok ? b : a) as { ok: false; error: { message: string } };
    expect(err.error.message).toMatch(
      /already came back, nothing more to return|just returned at another screen/,
    );
    expect(w.payCalls).toHaveLength(1);
  });

  it('one invoice cannot be paid by two refunds, even for different lines', async () => {
    const sale = await sell();
    // Two flat whites on line 0: the same sats twice.
    const inv = invoice(await owedFor(sale, [0]));
    await call(till, 'createRefund', lightning(sale, inv, [0]));
    expect(await refused(till, 'createRefund', lightning(sale, inv, [0]))).toMatchObject({
      message: expect.stringMatching(/already being paid, or was paid/) as unknown,
    });
    expect(w.payCalls).toHaveLength(1);
  });

  it('a wallet that pays and then drops the line: looked up, paid — not paid again', async () => {
    const sale = await sell();
    w.state.mode = 'payThenDrop';
    const done = await call(till, 'createRefund', lightning(sale, invoice(await owedFor(sale))));
    expect(done.state).toBe('paid');
    expect(w.payCalls).toHaveLength(1);
  });

  it('a crash between journaling paying and the wallet’s answer: on restart looked up, never paid again; a second attempt refused', async () => {
    const sale = await sell();
    w.state.mode = 'payThenDrop';
    w.state.lookupDown = true; // the till learns nothing before it goes down
    const msat = await owedFor(sale, [1]);
    const first = await call(till, 'createRefund', lightning(sale, invoice(msat), [1]));
    expect(first.state).toBe('paying');
    expect(w.payCalls).toHaveLength(1);
    // While it is paying, its quantities are held: the same line cannot be refunded again.
    const again = invoice(msat);
    expect((await refused(till, 'createRefund', lightning(sale, again, [1]))).kind).toBe('InvalidState');

    w.state.lookupDown = false;
    w.state.mode = 'pay';
    await reopen();
    const after = await call(till, 'getRefund', { refundId: first.id });
    expect(after.state).toBe('paid');
    expect(w.payCalls).toHaveLength(1);
    expect(history(first.id)).toEqual(['requested', 'approved', 'paying', 'paid']);
    expect((await refused(till, 'createRefund', lightning(sale, again, [1]))).kind).toBe('InvalidState');
    expect(w.payCalls).toHaveLength(1);
  });

  it('a till closed while the wallet is still paying: reopened, it looks the payment up and never pays again', async () => {
    const sale = await sell();
    w.state.mode = 'hold';
    const pending = till.invoke('createRefund', lightning(sale, invoice(await owedFor(sale))));
    await expect.poll(() => w.payCalls.length).toBe(1);
    const refundId = journal(
      (db) => (db.prepare(`SELECT id, state FROM refunds WHERE state = 'paying'`).get() as { id: string }).id,
    );
    // The till goes down mid-call; the payment goes through on the network meanwhile.
    await till.close();
    w.state.release!();
    await pending.catch(() => undefined);
    expect(journal((db) => db.prepare('SELECT state FROM refunds WHERE id = ?').get(refundId))).toEqual({
      state: 'paying',
    });
    w.state.mode = 'pay';
    till = await signedInTill(deps());
    expect((await call(till, 'getRefund', { refundId })).state).toBe('paid');
    expect(w.payCalls).toHaveLength(1);
  });

  it('a wallet that never saw it: still paying until the invoice expires, then failed and the line returnable again', async () => {
    const sale = await sell();
    w.state.lookupDown = true;
    // A pay call that dies before reaching the wallet.
    w.wallet.pay = () => {
      w.payCalls.push('lost');
      return Promise.reject(new Error('ECONNRESET'));
    };
    const first = await call(
      till,
      'createRefund',
      lightning(sale, invoice(await owedFor(sale), { expirySec: 600 })),
    );
    expect(first.state).toBe('paying');
    w.state.lookupDown = false;
    await reopen();
    expect((await call(till, 'getRefund', { refundId: first.id })).state).toBe('paying');
    clock.advance(601_000);
    await reopen();
    const failed = await call(till, 'getRefund', { refundId: first.id });
    expect(failed.state).toBe('failed');
    expect(failed.stateReason).toMatch(/never paid it and the invoice has expired/);
    const preview = await call(till, 'previewRefund', { saleId: sale.id });
    expect(preview.lines[0]!.returnable).toBe(2);
  });

  it('a wallet that says it could not pay: failed at once, the quantities back', async () => {
    const sale = await sell();
    w.state.mode = 'refuse';
    const done = await call(till, 'createRefund', lightning(sale, invoice(await owedFor(sale))));
    expect(done.state).toBe('failed');
    expect(done.stateReason).toMatch(/no route to the customer/);
    expect((await call(till, 'previewRefund', { saleId: sale.id })).lines[0]!.returnable).toBe(2);
  });

  it('a wallet answering with a preimage that does not match the hash is not believed: the refund stays paying', async () => {
    const sale = await sell();
    w.wallet.pay = (_invoice, hash) => {
      w.payCalls.push(hash);
      return Promise.resolve({ preimage: 'ab'.repeat(32) });
    };
    const done = await call(till, 'createRefund', lightning(sale, invoice(await owedFor(sale))));
    expect(done.state).toBe('paying');
    expect(w.payCalls).toHaveLength(1);
  });

  it('refuses wrong-network, expired, amountless, wrong-amount and unreadable invoices in the cashier’s words, paying nothing', async () => {
    const sale = await sell();
    const msat = await owedFor(sale);
    const cases: [string, RegExp][] = [
      [invoice(msat, { network: 'mainnet' }), /for mainnet, but this till pays on regtest/],
      [invoice(msat, { expirySec: 600, ageSec: 600 }), /has expired/],
      [invoice(msat, { expirySec: 600, ageSec: 570 }), /has expired \(or is about to\)/],
      [invoice(null), /has no amount/],
      [invoice(msat + 1000n), /asks for .* but the refund is .* ask the customer for an invoice of exactly/],
      [invoice(msat - 1000n), /ask the customer for an invoice of exactly/],
      ['lnbcrt1notaninvoice', /not a Lightning invoice the till can read/],
    ];
    for (const [inv, message] of cases) {
      const err = await refused(till, 'createRefund', lightning(sale, inv));
      expect(err.message, inv.slice(0, 20)).toMatch(message);
    }
    // A tampered invoice (one character of its amount changed) fails the signature check.
    const good = invoice(msat);
    const tampered = good.replace(/^lnbcrt(\d)/, (_m, d: string) => `lnbcrt${(Number(d) + 1) % 10}`);
    expect((await refused(till, 'createRefund', lightning(sale, tampered))).message).toMatch(
      /not a Lightning invoice/,
    );
    expect(w.payCalls).toEqual([]);
    expect((await call(till, 'listRefunds', { saleId: sale.id })).refunds).toEqual([]);
  });

  it('keeps the per-refund and per-day limits, with a message saying what to do', async () => {
    const sale = await sell();
    const one = await owedFor(sale, [0]);
    const sats = one / 1000n;
    await call(till, 'saveRefundWallet', {
      kind: 'demo',
      perRefundLimitSats: sats - 1n,
      perDayLimitSats: null,
    });
    expect((await refused(till, 'createRefund', lightning(sale, invoice(one)))).message).toMatch(
      /over the .* a Lightning refund may pay: refund in cash, or the owner raises the limit/,
    );
    await call(till, 'saveRefundWallet', {
      kind: 'demo',
      perRefundLimitSats: sats,
      perDayLimitSats: sats * 2n - 1n,
    });
    await call(till, 'createRefund', lightning(sale, invoice(one), [0]));
    expect((await refused(till, 'createRefund', lightning(sale, invoice(one), [0]))).message).toMatch(
      /Today’s Lightning refunds would go over/,
    );
    // The next day starts afresh.
    clock.advance(86_400_000);
    expect((await call(till, 'createRefund', lightning(sale, invoice(one), [0]))).state).toBe('paid');
    expect(w.payCalls).toHaveLength(2);
  });

  it('no refund wallet: refused, nothing journaled; a cashier needs a manager', async () => {
    const sale = await sell();
    await call(till, 'saveRefundWallet', { kind: 'none', perRefundLimitSats: null, perDayLimitSats: null });
    expect(
      (await refused(till, 'createRefund', lightning(sale, invoice(await owedFor(sale))))).message,
    ).toMatch(/No refund wallet is set up/);
    await call(till, 'saveRefundWallet', { kind: 'demo', perRefundLimitSats: null, perDayLimitSats: null });
    await call(till, 'unlock', { pin: CASHIER_PIN });
    const input = lightning(sale, invoice(await owedFor(sale)));
    expect((await refused(till, 'createRefund', input)).kind).toBe('NeedsManager');
    const done = await call(till, 'createRefund', { ...input, managerPin: MANAGER_PIN });
    expect(done).toMatchObject({
      state: 'paid',
      approvedBy: { name: 'Maya' },
      requestedBy: { name: 'Casey' },
    });
    expect(w.payCalls).toHaveLength(1);
  });

  it('the refund wallet’s settings: owner only, and the demo wallet answers its test', async () => {
    expect(await call(till, 'getRefundWallet')).toEqual({
      kind: 'demo',
      perRefundLimitSats: null,
      perDayLimitSats: null,
      url: null,
      credentialHint: null,
    });
    expect((await call(till, 'testRefundWallet')).ok).toBe(true);
    await call(till, 'unlock', { pin: MANAGER_PIN });
    expect((await refused(till, 'getRefundWallet', {})).kind).toMatch(
      /NeedsOwner|NotAuthorized|NeedsManager/,
    );
  });
});
