import { describe, expect, it } from 'vitest';
import type { ReceiptDocument } from '../../shared/receipt/document.js';
import type { ShiftReport } from '../../shared/domain/index.js';
import { parsePrintHash } from '../../shared/receipt/print-url.js';
import { parseShiftReportHash } from '../../shared/receipt/shift-report-url.js';
import { createElectronPrinter, type PrintWindow } from './printer.js';
import { printWindowOptions } from './window-options.js';

/**
 * Electron cannot run on this machine: the printer is driven against stand-in windows that
 * record what it asks of them, and answer as Electron's webContents does.
 */
function standIn(opts: { printResult?: [boolean, string]; height?: number; neverReady?: boolean } = {}) {
  const windows: {
    options: unknown;
    url?: string;
    printed?: unknown;
    pdf?: unknown;
    destroyed: boolean;
  }[] = [];
  const openWindow = (options: unknown): PrintWindow => {
    const w: (typeof windows)[number] = { options, destroyed: false };
    windows.push(w);
    const contents = {
      loadURL: (url: string) => {
        w.url = url;
        return Promise.resolve();
      },
      executeJavaScript: () =>
        opts.neverReady ? new Promise<never>(() => undefined) : Promise.resolve(opts.height ?? 123),
      print: (options: unknown, callback: (success: boolean, reason: string) => void) => {
        w.printed = options;
        const [ok, reason] = opts.printResult ?? [true, ''];
        callback(ok, reason);
      },
      printToPDF: (options: unknown) => {
        w.pdf = options;
        return Promise.resolve(Buffer.from('%PDF-1.7'));
      },
      getPrintersAsync: () =>
        Promise.resolve([
          { name: 'EPSON_TM_T20', displayName: 'EPSON TM-T20', description: '', options: {} },
          { name: 'office', displayName: '', description: '', options: {} },
        ]),
    };
    return {
      webContents: contents,
      isDestroyed: () => w.destroyed,
      destroy: () => (w.destroyed = true),
    };
  };
  return { windows, openWindow };
}

const doc = (paper: ReceiptDocument['paper']): ReceiptDocument => ({
  paper,
  shopName: 'Corner Café',
  address: '',
  taxId: '',
  logo: null,
  header: '',
  footer: 'Thank you!',
  saleNumber: '000042',
  saleCode: 'sale:000042',
  time: '2026-11-27 14:05',
  staffName: 'Casey',
  lines: [{ quantity: 1, title: 'Flat White', variant: null, note: null, amount: '$4.50', discount: null }],
  sums: [],
  total: '$4.50',
  taxesIncluded: true,
  taxes: [],
  tender: { kind: 'cash', tendered: '$5.00', change: '$0.50' },
  note: null,
  orderName: null,
  paidLate: false,
});

/** An X report of a shift with one cash sale. */
const report: ShiftReport = {
  kind: 'X',
  shift: {
    id: 'shift-1',
    tillId: 'till-1',
    number: 1,
    currency: 'USD',
    openedAt: '2026-11-27T09:00:00.000Z',
    openedBy: { id: null, name: 'Owner' },
    float: 10_000n,
    closedAt: null,
    closedBy: null,
  },
  shopName: 'Corner Café',
  generatedAt: '2026-11-27T17:00:00.000Z',
  approvedBy: null,
  saleCount: 1,
  unpaidCount: 0,
  currencies: [],
  movements: [],
  noSales: 0,
  node: {
    state: 'unreachable',
    from: '2026-11-27T09:00:00.000Z',
    to: '2026-11-27T17:00:00.000Z',
    journalCount: 0,
    journalMsat: 0n,
    message: 'the Lightning node is unreachable',
  },
  shopify: { pending: 0, failed: 0, orders: [] },
};

describe('the desktop app’s printer (Electron, through stand-in windows)', () => {
  it('prints from a hidden, sandboxed window without a preload, carrying the receipt itself, then closes it', async () => {
    const s = standIn({ height: 123 });
    const printer = createElectronPrinter({ openWindow: s.openWindow, pageUrl: 'app://till/index.html' });
    const receipt = doc('58mm');
    const outcome = await printer.print({
      document: receipt,
      printerName: 'EPSON_TM_T20',
      copies: 2,
      silent: true,
    });
    expect(outcome).toBe('printed');
    expect(s.windows).toHaveLength(1);
    const [w] = s.windows;
    expect(w!.options).toEqual(printWindowOptions());
    const prefs = printWindowOptions().webPreferences as Record<string, unknown>;
    expect(prefs.preload).toBeUndefined();
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(printWindowOptions().show).toBe(false);
    // The page draws exactly the document it was given.
    const [page, hash] = w!.url!.split('#');
    expect(page).toBe('app://till/index.html');
    expect(parsePrintHash(`#${hash}`)).toEqual({ kind: 'doc', doc: receipt });
    expect(w!.printed).toEqual({
      silent: true,
      copies: 2,
      printBackground: true,
      deviceName: 'EPSON_TM_T20',
      pageSize: { width: 58_000, height: 123_000 },
      margins: { marginType: 'none' },
    });
    expect(w!.destroyed).toBe(true);
  });

  it('prints A4 on A4 and shows the system dialog without a printer name; a cancelled dialog is no failure', async () => {
    const s = standIn({ printResult: [false, 'cancelled'] });
    const printer = createElectronPrinter({ openWindow: s.openWindow, pageUrl: 'app://till/index.html' });
    expect(await printer.print({ document: doc('a4'), printerName: null, copies: 1, silent: false })).toBe(
      'cancelled',
    );
    expect(s.windows[0]!.printed).toEqual({
      silent: false,
      copies: 1,
      printBackground: true,
      pageSize: 'A4',
    });
  });

  it('says what went wrong in the screen’s words, and closes the window all the same', async () => {
    const missing = standIn({ printResult: [false, 'Invalid deviceName provided'] });
    await expect(
      createElectronPrinter({ openWindow: missing.openWindow, pageUrl: 'app://till/index.html' }).print({
        document: doc('80mm'),
        printerName: 'gone',
        copies: 1,
        silent: true,
      }),
    ).rejects.toThrow('the printer chosen in Settings → Receipts is not installed on this computer');
    expect(missing.windows[0]!.destroyed).toBe(true);

    const stuck = standIn({ neverReady: true });
    await expect(
      createElectronPrinter({
        openWindow: stuck.openWindow,
        pageUrl: 'app://till/index.html',
        readyTimeoutMs: 5,
      }).pdf(doc('80mm')),
    ).rejects.toThrow('the receipt page did not open in time');
    expect(stuck.windows[0]!.destroyed).toBe(true);
  });

  it('makes the PDF on the paper’s own size and lists the system’s printers', async () => {
    const s = standIn({ height: 254 });
    const printer = createElectronPrinter({ openWindow: s.openWindow, pageUrl: 'http://localhost:5173/' });
    expect(new TextDecoder().decode(await printer.pdf(doc('80mm')))).toBe('%PDF-1.7');
    expect(s.windows[0]!.pdf).toEqual({
      printBackground: true,
      preferCSSPageSize: true,
      pageSize: { width: 80 / 25.4, height: 10 },
      margins: { top: 0, bottom: 0, left: 0, right: 0 },
    });
    expect(await printer.list()).toEqual([
      { name: 'EPSON_TM_T20', displayName: 'EPSON TM-T20' },
      { name: 'office', displayName: 'office' },
    ]);
    expect(s.windows.every((w) => w.destroyed)).toBe(true);
  });

  it('prints a shift report from the same hidden window, carrying the report itself, on the roll or A4, and makes its A4 PDF', async () => {
    const s = standIn({ height: 310 });
    const printer = createElectronPrinter({ openWindow: s.openWindow, pageUrl: 'app://till/index.html' });
    expect(
      await printer.printShiftReport({
        report,
        paper: '80mm',
        printerName: 'EPSON_TM_T20',
        copies: 1,
        silent: true,
      }),
    ).toBe('printed');
    const [w] = s.windows;
    expect(w!.options).toEqual(printWindowOptions());
    const [page, hash] = w!.url!.split('#');
    expect(page).toBe('app://till/index.html');
    expect(parseShiftReportHash(`#${hash}`)).toEqual({ report, paper: '80mm' });
    expect(w!.printed).toEqual({
      silent: true,
      copies: 1,
      printBackground: true,
      deviceName: 'EPSON_TM_T20',
      pageSize: { width: 80_000, height: 310_000 },
      margins: { marginType: 'none' },
    });

    expect(
      await printer.printShiftReport({ report, paper: 'a4', printerName: null, copies: 2, silent: false }),
    ).toBe('printed');
    expect(parseShiftReportHash(`#${s.windows[1]!.url!.split('#')[1]}`)?.paper).toBe('a4');
    expect(s.windows[1]!.printed).toEqual({
      silent: false,
      copies: 2,
      printBackground: true,
      pageSize: 'A4',
    });

    expect(new TextDecoder().decode(await printer.shiftReportPdf(report))).toBe('%PDF-1.7');
    expect(parseShiftReportHash(`#${s.windows[2]!.url!.split('#')[1]}`)).toEqual({ report, paper: 'a4' });
    expect(s.windows[2]!.pdf).toEqual({ printBackground: true, preferCSSPageSize: true, pageSize: 'A4' });
    expect(s.windows.every((x) => x.destroyed)).toBe(true);

    const stuck = standIn({ neverReady: true });
    await expect(
      createElectronPrinter({
        openWindow: stuck.openWindow,
        pageUrl: 'app://till/index.html',
        readyTimeoutMs: 5,
      }).shiftReportPdf(report),
    ).rejects.toThrow('the shift report page did not open in time');
    expect(stuck.windows[0]!.destroyed).toBe(true);
  });
});
