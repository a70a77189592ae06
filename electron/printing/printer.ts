import type { ShiftReport } from '../../shared/domain/index.js';
import type { ReceiptDocument } from '../../shared/receipt/document.js';
import type { ReportPaper } from '../../shared/receipt/shift-report-url.js';

/**
 * The till's one way to print: a port its host fills in (ARCHITECTURE.md, boundary 1). The
 * desktop app passes Electron's printers (electron/main/printer.ts); the web host passes none,
 * and the browser prints the receipt's print view itself. Plain data in, nothing of Electron out.
 */

export interface PrinterInfo {
  /** The system's name for it, what `print` is given. */
  name: string;
  /** What Settings shows. */
  displayName: string;
}

export interface PrintJob {
  document: ReceiptDocument;
  /** The system's printer name; null: the default printer (silent) or the one chosen in the dialog. */
  printerName: string | null;
  copies: number;
  /** Straight to the printer; false shows the system's print dialog first. */
  silent: boolean;
}

/** A shift's X/Z report on paper: the receipt printer's roll (80mm) or A4 through the dialog. */
export interface ShiftReportPrintJob {
  report: ShiftReport;
  paper: ReportPaper;
  printerName: string | null;
  copies: number;
  silent: boolean;
}

/** 'cancelled': the person closed the system's dialog without printing (not a failure). */
export type PrintOutcome = 'printed' | 'cancelled';

export interface Printer {
  list(): Promise<PrinterInfo[]>;
  /** Resolves once the system has the job; rejects with a message a cashier can act on. */
  print(job: PrintJob): Promise<PrintOutcome>;
  /** The receipt as a PDF on its own paper size. */
  pdf(document: ReceiptDocument): Promise<Uint8Array>;
  /** A shift report, as `print` does a receipt. */
  printShiftReport(job: ShiftReportPrintJob): Promise<PrintOutcome>;
  /** A shift report as an A4 PDF. */
  shiftReportPdf(report: ShiftReport): Promise<Uint8Array>;
}
