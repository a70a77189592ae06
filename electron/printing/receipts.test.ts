import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_ACCESS } from '../../shared/contract/access.js';
import type { EventPayload } from '../../shared/contract/index.js';
import type { Sale } from '../../shared/domain/index.js';
import type { PricingSettings } from '../../shared/pricing/settings.js';
import { DEFAULT_PRICING } from '../../shared/pricing/settings.js';
import {
  DEFAULT_RECEIPT_SETTINGS,
  LOGO_TOO_LARGE,
  MAX_LOGO_BYTES,
  type ReceiptSettings,
} from '../../shared/receipt/settings.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused, signedInTill } from '../test-support/till-calls.js';
import type { Till, TillDeps } from '../till.js';
import type { Printer, PrintJob, PrintOutcome, ShiftReportPrintJob } from './printer.js';
import { NO_PRINTER } from './receipts.js';

const CASHIER_PIN = '2468';
const MANAGER_PIN = '7294';
/** A 1×1 PNG. */
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const PRICING: PricingSettings = {
  ...DEFAULT_PRICING,
  taxesIncluded: false,
  rates: [{ id: 'vat', title: 'VAT 20%', percent: '20' }],
  defaultRateId: 'vat',
  tips: { enabled: true, presets: ['10'], taxRateId: null },
  receipt: { taxId: 'GB123456789', address: '1 Market Street, Bristol' },
};
const RECEIPT: ReceiptSettings = {
  logo: PIXEL,
  header: 'Open daily 8–18',
  footer: 'Returns within 30 days with this receipt',
  paper: '58mm',
  printerName: 'EPSON_TM_T20',
  autoPrint: false,
};

/** A printer that records each job; `fail` makes it refuse, `outcome` is what the dialog did. */
function fakePrinter() {
  const jobs: PrintJob[] = [];
  const pdfs: string[] = [];
  const reports: ShiftReportPrintJob[] = [];
  const reportPdfs: string[] = [];
  const state = { fail: null as string | null, outcome: 'printed' as PrintOutcome };
  const printer: Printer = {
    list: () => Promise.resolve([{ name: 'EPSON_TM_T20', displayName: 'EPSON TM-T20' }]),
    print(job) {
      jobs.push(job);
      return state.fail ? Promise.reject(new Error(state.fail)) : Promise.resolve(state.outcome);
    },
    pdf(doc) {
      pdfs.push(doc.saleNumber);
      return Promise.resolve(new TextEncoder().encode(`%PDF-1.7 receipt ${doc.saleNumber}`));
    },
    printShiftReport(job) {
      reports.push(job);
      return state.fail ? Promise.reject(new Error(state.fail)) : Promise.resolve(state.outcome);
    },
    shiftReportPdf(report) {
      reportPdfs.push(`${report.kind} #${report.shift.number}`);
      return Promise.resolve(new TextEncoder().encode(`%PDF-1.7 ${report.kind} report`));
    },
  };
  return { printer, jobs, pdfs, reports, reportPdfs, state };
}

describe('receipts through the till', () => {
  let dir: ReturnType<typeof tempDir>;
  let till: Till;
  const tills: Till[] = [];
  const open = async (deps: Partial<TillDeps> = {}) => {
    const t = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: manualClock(new Date('2026-11-27T14:05:00Z')).now,
      timers: false,
      exportDir: join(dir.path, 'exports'),
      ...deps,
    });
    tills.push(t);
    return t;
  };
  beforeEach(() => {
    dir = tempDir('till-receipts-');
  });
  afterEach(async () => {
    for (const t of tills.splice(0)) await t.close();
    dir.remove();
  });

  async function ringUp(t: Till) {
    const { products } = await call(t, 'searchCatalog', {});
    const flatWhite = products.find((p) => p.title === 'Flat White')!;
    const cart = await call(t, 'addToCart', { variantId: flatWhite.variants[0]!.id, quantity: 2 });
    await call(t, 'setLineDiscount', {
      lineId: cart.lines[0]!.lineId,
      discount: { kind: 'percentage', percent: '10', reason: 'Regular' },
    });
  }
  async function sellCash(t: Till): Promise<Sale> {
    await ringUp(t);
    return call(t, 'payCash', { tendered: 5_000n, tip: { kind: 'percentage', percent: '10' } });
  }
  async function sellLightning(t: Till): Promise<Sale> {
    await ringUp(t);
    const sale = await call(t, 'charge', { tip: { kind: 'percentage', percent: '10' } });
    return call(t, 'demoPay', { saleId: sale.id });
  }

  it('builds every line of a paid sale’s receipt, cash and Lightning, from the journal and the owner’s settings', async () => {
    till = await open();
    await call(till, 'updatePricingSettings', PRICING);
    expect(await call(till, 'updateReceiptSettings', RECEIPT)).toEqual(RECEIPT);

    const cash = await sellCash(till);
    const doc = await call(till, 'getReceipt', { saleId: cash.id });
    expect(doc).toMatchObject({
      paper: '58mm',
      shopName: "Satoshi's Corner Café",
      address: '1 Market Street, Bristol',
      taxId: 'GB123456789',
      logo: PIXEL,
      header: 'Open daily 8–18',
      footer: 'Returns within 30 days with this receipt',
      saleNumber: '000001',
      saleCode: 'sale:000001',
      staffName: 'Owner',
      taxesIncluded: false,
      tender: { kind: 'cash', tendered: '$50.00' },
    });
    expect(doc.time).toMatch(/^2026-11-2[78] \d\d:05$/);
    expect(doc.lines).toHaveLength(1);
    expect(doc.lines[0]).toMatchObject({
      quantity: 2,
      title: 'Flat White',
      discount: { label: 'Discount 10% · Regular' },
    });
    expect(doc.sums.map((s) => s.label)).toEqual(['Subtotal', 'Tax', 'Tip']);
    // The tip is untaxed here: its own row.
    expect(doc.taxes.map((t) => t.title)).toEqual(['VAT 20%', 'Untaxed']);
    const change = 5_000n - cash.total;
    expect(doc.tender).toEqual({
      kind: 'cash',
      tendered: '$50.00',
      change: `$${change / 100n}.${String(change % 100n).padStart(2, '0')}`,
    });
    expect(doc.total).toBe(`$${cash.total / 100n}.${String(cash.total % 100n).padStart(2, '0')}`);

    const ln = await sellLightning(till);
    const lnDoc = await call(till, 'getReceipt', { saleId: ln.id, paper: 'a4' });
    expect(lnDoc.paper).toBe('a4');
    expect(lnDoc.tender).toMatchObject({
      kind: 'lightning',
      rateSource: ln.invoice!.rate.source,
      paymentHash: `${ln.invoice!.paymentHash.slice(0, 8)}…${ln.invoice!.paymentHash.slice(-8)}`,
    });
    expect(lnDoc.tender.kind === 'lightning' && lnDoc.tender.sats).toMatch(/ sats?$/);
    expect(lnDoc.tender.kind === 'lightning' && lnDoc.tender.rate).toMatch(/USD\/BTC$/);
  });

  it('tells a cashier who scans a receipt at the register where it belongs, and adds nothing', async () => {
    till = await open();
    const sale = await sellCash(till);
    const doc = await call(till, 'getReceipt', { saleId: sale.id });
    expect(await call(till, 'scanBarcode', { code: doc.saleCode })).toEqual({
      found: false,
      code: 'sale:000001',
      message: 'That is the receipt of sale #000001: scan it in Sales to find the sale.',
    });
    expect((await call(till, 'getCart')).lines).toEqual([]);
  });

  it('has no receipt for a sale nobody paid', async () => {
    till = await open();
    await ringUp(till);
    const sale = await call(till, 'charge', {});
    await call(till, 'cancelSale', { saleId: sale.id });
    const err = await refused(till, 'getReceipt', { saleId: sale.id });
    expect(err).toMatchObject({
      kind: 'InvalidState',
      message: 'Sale #000001 is not paid: only a paid sale has a receipt.',
    });
  });

  it('keeps the receipt settings in the journal and refuses a logo too large, of another kind or text too long', async () => {
    till = await open();
    expect(await call(till, 'getReceiptSettings')).toEqual(DEFAULT_RECEIPT_SETTINGS);
    const big = `data:image/png;base64,${'A'.repeat(Math.ceil((MAX_LOGO_BYTES + 1024) / 3) * 4)}`;
    expect(await refused(till, 'updateReceiptSettings', { ...RECEIPT, logo: big })).toMatchObject({
      kind: 'ValidationError',
      message: LOGO_TOO_LARGE,
      issues: [{ path: 'logo', message: LOGO_TOO_LARGE }],
    });
    expect(
      await refused(till, 'updateReceiptSettings', {
        ...RECEIPT,
        logo: 'data:image/svg+xml;base64,PHN2Zz4=',
      }),
    ).toMatchObject({ message: 'The logo must be a PNG, JPEG, GIF or WebP image' });
    expect(
      await refused(till, 'updateReceiptSettings', { ...RECEIPT, footer: 'x'.repeat(301) }),
    ).toMatchObject({
      message: 'Keep the footer under 300 characters',
    });
    expect(await refused(till, 'updateReceiptSettings', { ...RECEIPT, paper: '110mm' })).toMatchObject({
      kind: 'ValidationError',
    });
    expect(await call(till, 'getReceiptSettings')).toEqual(DEFAULT_RECEIPT_SETTINGS);

    await call(till, 'updateReceiptSettings', { ...RECEIPT, header: '  Open daily 8–18  ' });
    await till.close();
    tills.splice(0);
    // Read back by a till started afresh on the same journal, trimmed.
    expect(await call(await open(), 'getReceiptSettings')).toEqual(RECEIPT);
  });

  it('lets a cashier read the receipt settings and print, and only the owner change them (the access table)', async () => {
    expect(COMMAND_ACCESS.updateReceiptSettings).toEqual({ role: 'owner', reads: false });
    expect(COMMAND_ACCESS.getReceiptSettings).toEqual({ role: 'cashier', reads: true });
    const { printer, jobs } = fakePrinter();
    till = await open({ printer });
    await call(till, 'addStaff', { name: 'Casey', role: 'cashier', pin: CASHIER_PIN });
    await call(till, 'unlock', { pin: CASHIER_PIN });
    expect(await call(till, 'getReceiptSettings')).toEqual(DEFAULT_RECEIPT_SETTINGS);
    expect(await refused(till, 'updateReceiptSettings', RECEIPT)).toMatchObject({ kind: 'NeedsManager' });
    expect(await call(till, 'getReceiptSettings')).toEqual(DEFAULT_RECEIPT_SETTINGS);
    const sale = await sellCash(till);
    await call(till, 'printReceipt', { saleId: sale.id });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.document).toMatchObject({ staffName: 'Casey' });
  });

  it('answers a host without a printer (the web host) with where to print instead', async () => {
    till = await open();
    const sale = await sellCash(till);
    for (const [name, input] of [
      ['listPrinters', {}],
      ['printReceipt', { saleId: sale.id }],
      ['saveReceiptPdf', { saleId: sale.id }],
    ] as const) {
      expect(await refused(till, name, input)).toEqual({ kind: 'InvalidState', message: NO_PRINTER });
    }
  });

  it('prints through the host’s printer once, with the receipt the till shows, to the printer Settings names', async () => {
    const fake = fakePrinter();
    till = await open({ printer: fake.printer });
    await call(till, 'updatePricingSettings', PRICING);
    await call(till, 'updateReceiptSettings', RECEIPT);
    expect(await call(till, 'listPrinters')).toEqual({
      printers: [{ name: 'EPSON_TM_T20', displayName: 'EPSON TM-T20' }],
    });
    const sale = await sellCash(till);
    // Printing by itself is off: paying printed nothing.
    expect(fake.jobs).toHaveLength(0);

    expect(await call(till, 'printReceipt', { saleId: sale.id, copies: 2 })).toEqual({ printed: true });
    expect(fake.jobs).toEqual([
      {
        document: await call(till, 'getReceipt', { saleId: sale.id }),
        printerName: 'EPSON_TM_T20',
        copies: 2,
        silent: true,
      },
    ]);

    // No receipt printer chosen: the system's dialog, which the cashier may cancel.
    await call(till, 'updateReceiptSettings', { ...RECEIPT, printerName: null });
    fake.state.outcome = 'cancelled';
    expect(await call(till, 'printReceipt', { saleId: sale.id })).toEqual({ printed: false });
    expect(fake.jobs[1]).toMatchObject({ printerName: null, silent: false, copies: 1 });

    fake.state.fail = 'the printer is out of paper';
    expect(await refused(till, 'printReceipt', { saleId: sale.id })).toEqual({
      kind: 'BackendUnavailable',
      message: 'The receipt did not print: the printer is out of paper. Check the printer and try again.',
    });
  });

  it('prints a shift’s report through the host’s printer once, the report the till shows, on the receipt printer’s roll or A4 in the dialog', async () => {
    const fake = fakePrinter();
    till = await open({ printer: fake.printer });
    await call(till, 'updateReceiptSettings', RECEIPT);
    const shift = await call(till, 'openShift', { float: { total: 10_000n } });
    await sellCash(till);
    expect(await call(till, 'printShiftReport', { shiftId: shift.id, copies: 2 })).toEqual({ printed: true });
    expect(fake.reports).toEqual([
      {
        report: await call(till, 'getShiftReport', { shiftId: shift.id }),
        paper: '80mm',
        printerName: 'EPSON_TM_T20',
        copies: 2,
        silent: true,
      },
    ]);
    expect(fake.reports[0]!.report).toMatchObject({ kind: 'X', saleCount: 1 });
    // Nothing printed a receipt on the way.
    expect(fake.jobs).toHaveLength(0);

    await call(till, 'updateReceiptSettings', { ...RECEIPT, printerName: null });
    fake.state.outcome = 'cancelled';
    expect(await call(till, 'printShiftReport', { shiftId: shift.id })).toEqual({ printed: false });
    expect(fake.reports[1]).toMatchObject({ paper: 'a4', printerName: null, silent: false, copies: 1 });

    fake.state.fail = 'the printer is out of paper';
    expect(await refused(till, 'printShiftReport', { shiftId: shift.id })).toEqual({
      kind: 'BackendUnavailable',
      message:
        'The shift report did not print: the printer is out of paper. Check the printer and try again.',
    });

    const first = await call(till, 'saveShiftReportPdf', { shiftId: shift.id });
    const second = await call(till, 'saveShiftReportPdf', { shiftId: shift.id });
    expect(first).toEqual({ filename: 'shift_1_X.pdf', path: join(dir.path, 'exports', 'shift_1_X.pdf') });
    expect(second.filename).toBe('shift_1_X (2).pdf');
    expect(readFileSync(first.path, 'utf8')).toBe('%PDF-1.7 X report');
    expect(fake.reportPdfs).toEqual(['X #1', 'X #1']);
  });

  it('refuses a shift report on paper to a cashier unless a manager approves in place, and without a printer says where to print', async () => {
    const fake = fakePrinter();
    till = await open({ printer: fake.printer });
    await call(till, 'addStaff', { name: 'Casey', role: 'cashier', pin: CASHIER_PIN });
    await call(till, 'addStaff', { name: 'Morgan', role: 'manager', pin: MANAGER_PIN });
    const shift = await call(till, 'openShift', { float: { total: 10_000n } });
    await call(till, 'unlock', { pin: CASHIER_PIN });
    for (const [name, input] of [
      ['printShiftReport', { shiftId: shift.id }],
      ['saveShiftReportPdf', { shiftId: shift.id }],
    ] as const) {
      expect(await refused(till, name, input)).toMatchObject({ kind: 'NeedsManager' });
    }
    expect(fake.reports).toHaveLength(0);
    expect(fake.reportPdfs).toHaveLength(0);
    expect(await call(till, 'printShiftReport', { shiftId: shift.id, managerPin: MANAGER_PIN })).toEqual({
      printed: true,
    });
    expect(fake.reports).toHaveLength(1);
    expect(fake.reports[0]!.report.shift.id).toBe(shift.id);

    // The same journal in a host without a printer (the web host).
    const web = await open();
    for (const [name, input] of [
      ['printShiftReport', { shiftId: shift.id }],
      ['saveShiftReportPdf', { shiftId: shift.id }],
    ] as const) {
      expect(await refused(web, name, input)).toEqual({ kind: 'InvalidState', message: NO_PRINTER });
    }
  });

  it('saves the receipt as a PDF into the exports folder, never over an earlier one', async () => {
    const fake = fakePrinter();
    till = await open({ printer: fake.printer });
    const sale = await sellCash(till);
    const first = await call(till, 'saveReceiptPdf', { saleId: sale.id });
    const second = await call(till, 'saveReceiptPdf', { saleId: sale.id });
    expect(first).toEqual({
      filename: 'receipt_000001.pdf',
      path: join(dir.path, 'exports', 'receipt_000001.pdf'),
    });
    expect(second.filename).toBe('receipt_000001 (2).pdf');
    expect(readFileSync(first.path, 'utf8')).toBe('%PDF-1.7 receipt 000001');
    expect(fake.pdfs).toEqual(['000001', '000001']);
  });

  it('prints each sale paid at the counter by itself when Settings says so, and a failing printer never fails the sale', async () => {
    const fake = fakePrinter();
    const logged: string[] = [];
    till = await open({ printer: fake.printer, log: (message) => logged.push(message) });
    await call(till, 'updateReceiptSettings', { ...RECEIPT, autoPrint: true });
    const cash = await sellCash(till);
    expect(fake.jobs).toHaveLength(1);
    expect(fake.jobs[0]).toMatchObject({ printerName: 'EPSON_TM_T20', silent: true, copies: 1 });
    expect(fake.jobs[0]!.document.saleNumber).toBe('000001');
    expect(cash.state).toBe('paid');

    const ln = await sellLightning(till);
    expect(fake.jobs).toHaveLength(2);
    expect(fake.jobs[1]!.document.saleCode).toBe(`sale:00000${ln.number}`);

    fake.state.fail = 'the printer is offline';
    const failed = new Promise<EventPayload<'receiptPrintFailed'>>((resolve) =>
      till.subscribe((event, payload) => {
        if (event === 'receiptPrintFailed') resolve(payload as EventPayload<'receiptPrintFailed'>);
      }),
    );
    const third = await sellCash(till);
    expect(third.state).toBe('paid');
    expect(await failed).toEqual({
      saleId: third.id,
      saleNumber: '000003',
      message: 'The receipt did not print: the printer is offline. Check the printer and try again.',
    });
    expect((await call(till, 'getSale', { saleId: third.id })).state).toBe('paid');
    expect(logged).toEqual([`the receipt of sale ${third.id} did not print`]);

    await call(till, 'updateReceiptSettings', { ...RECEIPT, autoPrint: false });
    await sellCash(till);
    expect(fake.jobs).toHaveLength(3);
  });
});
