import type { WebContents, WebContentsPrintOptions } from 'electron';
import type { ShiftReport } from '../../shared/domain/index.js';
import type { ReceiptDocument } from '../../shared/receipt/document.js';
import { documentPrintHash } from '../../shared/receipt/print-url.js';
import { shiftReportPrintHash } from '../../shared/receipt/shift-report-url.js';
import type { Printer, PrintJob, PrintOutcome, ShiftReportPrintJob } from '../printing/printer.js';
import { printWindowOptions } from './window-options.js';

/** What this file uses of a BrowserWindow (the unit test passes a stand-in). */
export interface PrintWindow {
  webContents: Pick<
    WebContents,
    'loadURL' | 'executeJavaScript' | 'print' | 'printToPDF' | 'getPrintersAsync'
  >;
  isDestroyed(): boolean;
  destroy(): void;
}

export interface ElectronPrinterDeps {
  /** `new BrowserWindow(options)`. */
  openWindow: (options: ReturnType<typeof printWindowOptions>) => PrintWindow;
  /** The renderer's page: app://till/index.html, or Vite's address in development. */
  pageUrl: string;
  /** How long the receipt page may take to draw before the job is given up. */
  readyTimeoutMs?: number;
}

const READY_TIMEOUT_MS = 15_000;
const MICRONS_PER_MM = 1000;
const MM_PER_INCH = 25.4;

/**
 * Waits in the page until the print view says the receipt (or shift report) is drawn
 * (renderer/src/print/PrintView.tsx, ShiftReportPrintView.tsx), and answers its page height in millimetres.
 */
const READY_SCRIPT = `new Promise((resolve) => {
  const check = () =>
    document.body.dataset.receiptReady === '1'
      ? resolve(Number(document.documentElement.dataset.pageHeightMm))
      : setTimeout(check, 10);
  check();
})`;

/** Electron's failure reasons (webContents.print's callback) in the words of the screen. */
function failure(reason: string): Error {
  if (/invalid deviceName/i.test(reason))
    return new Error('the printer chosen in Settings → Receipts is not installed on this computer');
  if (/no valid printers/i.test(reason)) return new Error('no printer is installed on this computer');
  return new Error(reason ? `the printer refused the job (${reason})` : 'the printer refused the job');
}

type Paper = ReceiptDocument['paper'];

function paperWidthMm(paper: Paper): number {
  return paper === '58mm' ? 58 : 80;
}

/** What the print view's page is called in a failure: the receipt, or the shift report. */
interface Page {
  hash: string;
  what: string;
}

const receiptPage = (doc: ReceiptDocument): Page => ({ hash: documentPrintHash(doc), what: 'receipt' });
const reportPage = (report: ShiftReport, paper: Paper): Page => ({
  hash: shiftReportPrintHash(report, paper === 'a4' ? 'a4' : '80mm'),
  what: 'shift report',
});

interface Job {
  printerName: string | null;
  copies: number;
  silent: boolean;
}

/**
 * The desktop app's printers: each job opens a hidden, hardened window on the renderer's
 * receipt (or shift report) print view with the document in its address, waits until it is
 * drawn, prints it (silently to the chosen printer, or through the system's dialog) or makes
 * its PDF, and closes the window.
 */
export function createElectronPrinter(deps: ElectronPrinterDeps): Printer {
  const timeoutMs = deps.readyTimeoutMs ?? READY_TIMEOUT_MS;

  async function withWindow<T>(page: Page | null, use: (win: PrintWindow, heightMm: number) => Promise<T>) {
    const win = deps.openWindow(printWindowOptions());
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      if (page === null) return await use(win, 0);
      await win.webContents.loadURL(`${deps.pageUrl}${page.hash}`);
      const height = await Promise.race([
        win.webContents.executeJavaScript(READY_SCRIPT) as Promise<number>,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`the ${page.what} page did not open in time`)),
            timeoutMs,
          );
        }),
      ]);
      return await use(win, Number.isFinite(height) && height > 0 ? height : 200);
    } finally {
      clearTimeout(timer);
      if (!win.isDestroyed()) win.destroy();
    }
  }

  /** Prints the drawn page: silently to the named printer, or through the system's dialog. */
  function printIn(job: Job, paper: Paper) {
    return (win: PrintWindow, heightMm: number) => {
      const options: WebContentsPrintOptions = {
        silent: job.silent,
        copies: job.copies,
        printBackground: true,
        ...(job.printerName !== null ? { deviceName: job.printerName } : {}),
        // Electron's print sizes are in microns; a roll's page is as long as what is printed.
        ...(paper === 'a4'
          ? { pageSize: 'A4' as const }
          : {
              pageSize: { width: paperWidthMm(paper) * MICRONS_PER_MM, height: heightMm * MICRONS_PER_MM },
              margins: { marginType: 'none' as const },
            }),
      };
      return new Promise<PrintOutcome>((resolve, reject) => {
        win.webContents.print(options, (success, reason) => {
          if (success) resolve('printed');
          else if (!job.silent && /cancel/i.test(reason)) resolve('cancelled');
          else reject(failure(reason));
        });
      });
    };
  }

  /** The drawn page as a PDF on its paper. */
  function pdfIn(paper: Paper) {
    return async (win: PrintWindow, heightMm: number) => {
      const pdf = await win.webContents.printToPDF({
        printBackground: true,
        // The page's own @page rule decides; the size here is for a Chromium that ignores it.
        preferCSSPageSize: true,
        ...(paper === 'a4'
          ? { pageSize: 'A4' as const }
          : {
              pageSize: { width: paperWidthMm(paper) / MM_PER_INCH, height: heightMm / MM_PER_INCH },
              margins: { top: 0, bottom: 0, left: 0, right: 0 },
            }),
      });
      return new Uint8Array(pdf);
    };
  }

  return {
    list: () =>
      withWindow(null, async (win) =>
        (await win.webContents.getPrintersAsync()).map((p) => ({
          name: p.name,
          displayName: p.displayName || p.name,
        })),
      ),

    print: (job: PrintJob) => withWindow(receiptPage(job.document), printIn(job, job.document.paper)),
    pdf: (doc: ReceiptDocument) => withWindow(receiptPage(doc), pdfIn(doc.paper)),
    printShiftReport: (job: ShiftReportPrintJob) =>
      withWindow(reportPage(job.report, job.paper), printIn(job, job.paper)),
    shiftReportPdf: (report: ShiftReport) => withWindow(reportPage(report, 'a4'), pdfIn('a4')),
  };
}
