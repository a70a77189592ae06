import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Product, Sale } from '../../shared/domain/index.js';
import { encodeInvoice } from '../lightning/bolt11/encode.js';
import { fiatToMsat, roundToSat } from '../../shared/money/index.js';
import { RefundPaymentFailed, type RefundWallet } from '../refund-wallet/wallet.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, OWNER_PIN, refused, signedInTill } from '../test-support/till-calls.js';
import type { Till } from '../till.js';
import type { Printer, PrintJob } from './printer.js';

/**
 * A refund's receipt through the till (issue 14): built from the journal, printed through the
 * same port as a sale's, saved as a PDF; only a paid refund has one; and the sale's receipt,
 * printed again, lists its refunds.
 */

const MANAGER_PIN = '4821';
const CASHIER_PIN = '2468';
const CUSTOMER_KEY = new Uint8Array(32).fill(9);

function fakePrinter() {
  const jobs: PrintJob[] = [];
  const pdfs: string[] = [];
  const state = { fail: null as string | null };
  const printer: Printer = {
    list: () => Promise.resolve([]),
    print(job) {
      if (state.fail !== null) return Promise.reject(new Error(state.fail));
      jobs.push(job);
      return Promise.resolve('printed');
    },
    pdf(doc) {
      pdfs.push(doc.kind === 'refund' ? doc.refundNumber : doc.saleNumber);
      return Promise.resolve(new TextEncoder().encode('%PDF-1.7 refund'));
    },
    printShiftReport: () => Promise.resolve('printed'),
    shiftReportPdf: () => Promise.resolve(new Uint8Array()),
  };
  return {
    printer,
    jobs,
    pdfs,
    get fail() {
      return state.fail;
    },
    set fail(v: string | null) {
      state.fail = v;
    },
  };
}

/** A refund wallet that pays (or refuses, or never answers) what it is given. */
function fakeWallet() {
  const state = { mode: 'pay' as 'pay' | 'refuse' | 'hang' };
  const wallet: RefundWallet = {
    kind: 'demo',
    pay() {
      if (state.mode === 'refuse') return Promise.reject(new RefundPaymentFailed('no route'));
      if (state.mode === 'hang') return Promise.reject(new Error('socket hang up'));
      return Promise.resolve({ preimage: null });
    },
    lookup: () => Promise.resolve({ state: 'unknown' }),
  };
  return { wallet, state };
}

describe('refund receipts', () => {
  let dir: ReturnType<typeof tempDir>;
  let till: Till;
  let products: Product[];
  let p: ReturnType<typeof fakePrinter>;
  let w: ReturnType<typeof fakeWallet>;
  const clock = manualClock(new Date('2026-11-27T14:05:00Z'));
  const variant = (title: string) => products.find((x) => x.title === title)!.variants[0]!.id;

  beforeEach(async () => {
    dir = tempDir('till-refund-receipts-');
    p = fakePrinter();
    w = fakeWallet();
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers: false,
      exportDir: join(dir.path, 'exports'),
      printer: p.printer,
      refundWallet: w.wallet,
    });
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
    return call(till, 'payCash', { tendered: cart.total });
  }

  /** As the cashier, approved in place by the manager's PIN. */
  async function cashRefund(sale: Sale, line: number, restock: boolean) {
    await call(till, 'lock');
    await call(till, 'unlock', { pin: CASHIER_PIN });
    const refund = await call(till, 'createRefund', {
      saleId: sale.id,
      lines: [{ lineId: sale.lines[line]!.lineId, quantity: 1, restock }],
      reason: 'Spilt on the counter',
      tender: 'cash',
      managerPin: MANAGER_PIN,
    });
    return refund;
  }

  function invoiceFor(msat: bigint, seed: string): { invoice: string; hash: string } {
    const hash = createHash('sha256').update(seed).digest('hex');
    const invoice = encodeInvoice(
      {
        network: 'regtest',
        amountMsat: msat,
        timestamp: Math.floor(clock.now().getTime() / 1000),
        paymentHash: hash,
        paymentSecret: createHash('sha256').update(`s${seed}`).digest('hex'),
        description: 'Refund',
        expirySec: 600,
      },
      CUSTOMER_KEY,
    );
    return { invoice, hash };
  }

  async function lightningRefund(sale: Sale, line: number) {
    const lines = [{ lineId: sale.lines[line]!.lineId, quantity: 1, restock: true }];
    const preview = await call(till, 'previewRefund', { saleId: sale.id, lines });
    // The demo rate: 1 USD = 1,000 sats.
    const msat = roundToSat(fiatToMsat(preview.amount, 'USD', '100000.00', 'down'), 'down');
    const { invoice, hash } = invoiceFor(msat, `${sale.id}-${line}`);
    const refund = await call(till, 'createRefund', {
      saleId: sale.id,
      lines,
      reason: 'Wrong order',
      tender: 'lightning',
      invoice,
      managerPin: MANAGER_PIN,
    });
    return { refund, msat, hash };
  }

  it('prints a cash refund: Refund, its number, the sale, the line and its stock, who refunded and who approved, why', async () => {
    const sale = await sell();
    const refund = await cashRefund(sale, 1, false);
    const doc = await call(till, 'getRefundReceipt', { refundId: refund.id });
    expect(doc).toMatchObject({
      kind: 'refund',
      shopName: "Satoshi's Corner Café",
      refundNumber: '000001-R1',
      saleNumber: '000001',
      saleCode: 'sale:000001',
      refundedBy: 'Casey',
      approvedBy: 'Maya',
      reason: 'Spilt on the counter',
      lines: [{ quantity: 1, title: 'Butter Croissant', restocked: false }],
      tender: { kind: 'cash' },
    });
    expect(doc.total).toBe(doc.tender.kind === 'cash' ? doc.tender.amount : '');
    expect(doc.saleTime).toMatch(/^2026-11-2[78] \d\d:05$/);

    await call(till, 'printRefundReceipt', { refundId: refund.id });
    expect(p.jobs).toHaveLength(1);
    expect(p.jobs[0]!.document).toEqual(doc);
    const saved = await call(till, 'saveRefundReceiptPdf', { refundId: refund.id });
    expect(saved.filename).toBe('refund_000001-R1.pdf');
    expect(readFileSync(saved.path, 'utf8')).toContain('%PDF');
    expect((await call(till, 'saveRefundReceiptPdf', { refundId: refund.id })).filename).toBe(
      'refund_000001-R1 (2).pdf',
    );

    // A second refund of the sale is R2; the first keeps its number.
    const second = await cashRefund(sale, 0, true);
    expect((await call(till, 'getRefundReceipt', { refundId: second.id })).refundNumber).toBe('000001-R2');
    expect((await call(till, 'getRefundReceipt', { refundId: refund.id })).refundNumber).toBe('000001-R1');
  });

  it('prints each refund by itself once it is paid, once, when Settings says so; a jammed printer never undoes it', async () => {
    const settings = await call(till, 'getReceiptSettings');
    await call(till, 'updateReceiptSettings', { ...settings, printerName: 'EPSON_TM_T20', autoPrint: true });
    const sale = await sell();
    const jobs = () => p.jobs.filter((j) => j.document.kind === 'refund');
    const cash = await cashRefund(sale, 1, false);
    expect(jobs()).toHaveLength(1);
    expect(jobs()[0]).toMatchObject({ printerName: 'EPSON_TM_T20', silent: true, copies: 1 });
    expect(jobs()[0]!.document).toEqual(await call(till, 'getRefundReceipt', { refundId: cash.id }));

    // A Lightning refund prints once it is paid, not while paying; the first is not printed again.
    w.state.mode = 'hang';
    const { refund: ln } = await lightningRefund(sale, 0);
    expect((await call(till, 'getRefund', { refundId: ln.id })).state).toBe('paying');
    expect(jobs()).toHaveLength(1);

    // A jammed printer: the screens are told, the refund stands.
    p.fail = 'the printer is out of paper';
    const failed = new Promise<unknown>((resolve) =>
      till.subscribe((event, payload) => {
        if (event === 'receiptPrintFailed') resolve(payload);
      }),
    );
    const second = await cashRefund(sale, 0, true);
    expect(await failed).toEqual({
      saleId: sale.id,
      saleNumber: '000001',
      message:
        'The refund receipt did not print: the printer is out of paper. Check the printer and try again.',
    });
    expect((await call(till, 'getRefund', { refundId: second.id })).state).toBe('paid');
    p.fail = null;

    // Off in Settings: a refund paid then is not printed, nor later when it is turned on again.
    const asOwner = async () => {
      await call(till, 'lock');
      await call(till, 'unlock', { pin: OWNER_PIN });
    };
    await asOwner();
    await call(till, 'updateReceiptSettings', { ...settings, printerName: 'EPSON_TM_T20', autoPrint: false });
    const sale2 = await sell();
    await cashRefund(sale2, 1, false);
    await asOwner();
    await call(till, 'updateReceiptSettings', { ...settings, printerName: 'EPSON_TM_T20', autoPrint: true });
    await cashRefund(sale2, 0, true);
    // 000001-R3 was the jammed one; 000002-R1 was paid while printing was off.
    expect(jobs().map((j) => (j.document.kind === 'refund' ? j.document.refundNumber : ''))).toEqual([
      '000001-R1',
      '000002-R2',
    ]);
  });

  it('prints a Lightning refund with its sats and the payment hash in short', async () => {
    const sale = await sell();
    const { refund, hash } = await lightningRefund(sale, 0);
    expect(refund.state).toBe('paid');
    const doc = await call(till, 'getRefundReceipt', { refundId: refund.id });
    expect(doc.tender).toEqual({
      kind: 'lightning',
      sats: expect.stringMatching(/ sats$/) as unknown,
      paymentHash: `${hash.slice(0, 8)}…${hash.slice(-8)}`,
    });
    expect(doc.lines).toEqual([expect.objectContaining({ title: 'Flat White', restocked: true })]);
  });

  it('has no receipt for a refund that did not pay, or is still paying', async () => {
    const sale = await sell();
    w.state.mode = 'refuse';
    const { refund: failed } = await lightningRefund(sale, 0);
    expect(failed.state).toBe('failed');
    expect(await refused(till, 'getRefundReceipt', { refundId: failed.id })).toMatchObject({
      kind: 'InvalidState',
      message: 'This refund was not paid: it has no receipt.',
    });
    w.state.mode = 'hang';
    const { refund: paying } = await lightningRefund(sale, 1);
    expect(paying.state).toBe('paying');
    expect(await refused(till, 'printRefundReceipt', { refundId: paying.id })).toMatchObject({
      kind: 'InvalidState',
    });
    expect(p.jobs).toHaveLength(0);
    expect(await refused(till, 'getRefundReceipt', { refundId: 'no-such' })).toMatchObject({
      kind: 'NotFound',
    });
    expect(existsSync(join(dir.path, 'exports'))).toBe(false);
  });

  it('the sale’s receipt printed again lists its paid refunds and what the sale came to after them', async () => {
    const sale = await sell();
    expect((await call(till, 'getReceipt', { saleId: sale.id })).refunds).toBeUndefined();
    const refund = await cashRefund(sale, 1, true);
    w.state.mode = 'refuse';
    await lightningRefund(sale, 0); // failed: not on the receipt
    const doc = await call(till, 'getReceipt', { saleId: sale.id });
    expect(doc.refunds).toEqual([
      {
        number: '000001-R1',
        time: expect.stringMatching(/^2026-11-2[78] \d\d:05$/) as unknown,
        tender: 'Cash',
        amount: expect.stringMatching(/^−\$/) as unknown,
      },
    ]);
    const cents = (s: string) => Number(s.replace(/[^0-9]/g, ''));
    expect(cents(doc.netAfterRefunds!)).toBe(cents(doc.total) - Number(refund.amount));
  });
});
