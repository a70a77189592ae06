import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TillError } from '../../shared/contract/index.js';
import type { Refund, Sale, ShiftReport } from '../../shared/domain/index.js';
import { printedSaleNumber } from '../../shared/domain/sale-number.js';
import {
  receiptDocument,
  type ReceiptDocument,
  type ReceiptShop,
  type RefundReceiptDocument,
  type SaleReceiptDocument,
} from '../../shared/receipt/document.js';
import { refundReceiptDocument } from '../../shared/receipt/refund-document.js';
import type { PaperWidth, ReceiptSettings } from '../../shared/receipt/settings.js';
import { ensureDir, writePrivateFile } from '../files.js';
import type { Printer, PrinterInfo } from './printer.js';

/** What a till without a printer (the web host) answers: the browser prints there. */
export const NO_PRINTER =
  "Printing is in the desktop app; use the browser's Print here (Save as PDF is in its print dialog).";

export interface ReceiptsDeps {
  /** The host's printers; null in the web host. */
  printer: Printer | null;
  sale: (saleId: string) => Sale;
  /** A sale's refunds (its receipt lists the paid ones); none when not given. */
  refunds?: (saleId: string) => Refund[];
  /** One refund; throws TillError NotFound. */
  refund?: (refundId: string) => Refund;
  shop: () => ReceiptShop;
  settings: () => ReceiptSettings;
  exportDir: string;
  log: (message: string, err?: unknown) => void;
  /** A receipt that printed by itself failed: the screens say so; the sale stands. */
  printFailed: (sale: Sale, message: string) => void;
  /** Refunds paid before this run: never printed by themselves (they were, or predate it). */
  paidRefunds?: () => string[];
}

/** A printer's own words when it gave some, else what to check. */
function printerProblem(err: unknown, what = 'receipt'): TillError {
  const detail = err instanceof Error && err.message ? err.message : 'the printer did not answer';
  return new TillError(
    'BackendUnavailable',
    `The ${what} did not print: ${detail}. Check the printer and try again.`,
  );
}

/** A file name in the exports folder that is not taken yet: `base.pdf`, `base (2).pdf`, … */
function freePdfName(dir: string, base: string): string {
  let filename = `${base}.pdf`;
  for (let n = 2; existsSync(join(dir, filename)); n++) filename = `${base} (${n}).pdf`;
  return filename;
}

/** Receipts: the document for a paid sale, printing it through the host's printer, its PDF. */
export function createReceipts(deps: ReceiptsDeps) {
  /** Paid refunds the till has seen: each prints by itself at most once. */
  const refundsSeen = new Set<string>(deps.printer ? (deps.paidRefunds?.() ?? []) : []);

  function document(saleId: string, paper?: PaperWidth): SaleReceiptDocument {
    const sale = deps.sale(saleId);
    if (sale.state !== 'paid')
      throw new TillError(
        'InvalidState',
        `Sale #${printedSaleNumber(sale.number)} is not paid: only a paid sale has a receipt.`,
      );
    const settings = deps.settings();
    return receiptDocument(
      sale,
      deps.shop(),
      paper ? { ...settings, paper } : settings,
      deps.refunds?.(saleId) ?? [],
    );
  }

  /** A paid refund's receipt; a refund still paying, or failed, has none. */
  function refundDocument(refundId: string, paper?: PaperWidth): RefundReceiptDocument {
    if (!deps.refund) throw new TillError('NotFound', 'No refund with that id.');
    const refund = deps.refund(refundId);
    if (refund.state !== 'paid')
      throw new TillError(
        'InvalidState',
        refund.state === 'failed'
          ? 'This refund was not paid: it has no receipt.'
          : 'This refund is not paid yet: its receipt prints once the money has gone back.',
      );
    const settings = deps.settings();
    return refundReceiptDocument(
      refund,
      deps.sale(refund.saleId),
      deps.shop(),
      paper ? { ...settings, paper } : settings,
    );
  }

  /** Prints a document: straight to the printer Settings names, or through the system's dialog. */
  async function printDocument(doc: ReceiptDocument, copies: number): Promise<{ printed: boolean }> {
    const port = printer();
    const { printerName } = deps.settings();
    try {
      const outcome = await port.print({ document: doc, printerName, copies, silent: printerName !== null });
      return { printed: outcome === 'printed' };
    } catch (err) {
      throw printerProblem(err);
    }
  }

  /** A document as a PDF named `base` in the exports folder, never overwriting one. */
  async function saveDocumentPdf(
    doc: ReceiptDocument,
    base: string,
  ): Promise<{ filename: string; path: string }> {
    let pdf: Uint8Array;
    try {
      pdf = await printer().pdf(doc);
    } catch (err) {
      if (err instanceof TillError) throw err;
      throw new TillError('BackendUnavailable', 'The receipt could not be made into a PDF; try again.');
    }
    ensureDir(deps.exportDir);
    const filename = freePdfName(deps.exportDir, base);
    const path = join(deps.exportDir, filename);
    writePrivateFile(path, pdf);
    return { filename, path };
  }

  function printer(): Printer {
    if (!deps.printer) throw new TillError('InvalidState', NO_PRINTER);
    return deps.printer;
  }

  return {
    document,

    async list(): Promise<PrinterInfo[]> {
      try {
        return await printer().list();
      } catch (err) {
        if (err instanceof TillError) throw err;
        throw new TillError('BackendUnavailable', 'The list of printers could not be read from the system.');
      }
    },

    /**
     * Prints a paid sale's receipt: straight to the printer Settings names, or through the
     * system's dialog when Settings names none. Answers false when the dialog was cancelled.
     */
    print: (saleId: string, copies: number) => printDocument(document(saleId), copies),

    /** The receipt as a PDF in the exports folder (as the reconciliation CSV), never overwriting one. */
    savePdf(saleId: string): Promise<{ filename: string; path: string }> {
      const doc = document(saleId);
      return saveDocumentPdf(doc, `receipt_${doc.saleNumber}`);
    },

    refundDocument,
    /** A paid refund's receipt, printed as a sale's is. */
    printRefund: (refundId: string, copies: number) => printDocument(refundDocument(refundId), copies),
    saveRefundPdf(refundId: string): Promise<{ filename: string; path: string }> {
      const doc = refundDocument(refundId);
      return saveDocumentPdf(doc, `refund_${doc.refundNumber}`);
    },

    /**
     * A shift's X/Z report, as a receipt prints: on the receipt printer's roll (80mm) without a
     * dialog when Settings names one, else on A4 through the system's dialog. False: cancelled.
     */
    async printShiftReport(report: ShiftReport, copies: number): Promise<{ printed: boolean }> {
      const port = printer();
      const { printerName } = deps.settings();
      try {
        const outcome = await port.printShiftReport({
          report,
          paper: printerName !== null ? '80mm' : 'a4',
          printerName,
          copies,
          silent: printerName !== null,
        });
        return { printed: outcome === 'printed' };
      } catch (err) {
        throw printerProblem(err, 'shift report');
      }
    },

    /** A shift's report as an A4 PDF in the exports folder, never overwriting one. */
    async saveShiftReportPdf(report: ShiftReport): Promise<{ filename: string; path: string }> {
      let pdf: Uint8Array;
      try {
        pdf = await printer().shiftReportPdf(report);
      } catch (err) {
        if (err instanceof TillError) throw err;
        throw new TillError(
          'BackendUnavailable',
          'The shift report could not be made into a PDF; try again.',
        );
      }
      ensureDir(deps.exportDir);
      const filename = freePdfName(deps.exportDir, `shift_${report.shift.number}_${report.kind}`);
      const path = join(deps.exportDir, filename);
      writePrivateFile(path, pdf);
      return { filename, path };
    },

    /**
     * After a sale is paid (committed), when Settings says so: its receipt to the receipt
     * printer without a dialog. Never awaited by the sale and never throws: a jammed printer is
     * told to the screens, the sale stands.
     */
    /**
     * After a sale's refunds changed (committed): each refund newly paid prints its receipt by
     * itself, once, when Settings says so (the customer leaves with it, as with a sale's).
     * Never throws: a jammed printer is told to the screens, the refund stands.
     */
    autoPrintRefunds(saleId: string): void {
      if (!deps.printer || !deps.refunds) return;
      const settings = deps.settings();
      for (const r of deps.refunds(saleId)) {
        if (r.state !== 'paid' || refundsSeen.has(r.id)) continue;
        refundsSeen.add(r.id);
        if (!settings.autoPrint) continue;
        let doc: RefundReceiptDocument;
        try {
          doc = refundDocument(r.id);
        } catch (err) {
          deps.log(`the receipt of refund ${r.id} could not be prepared`, err);
          continue;
        }
        deps.printer
          .print({ document: doc, printerName: settings.printerName, copies: 1, silent: true })
          .catch((err: unknown) => {
            deps.log(`the receipt of refund ${r.id} did not print`, err);
            deps.printFailed(deps.sale(saleId), printerProblem(err, 'refund receipt').message);
          });
      }
    },

    autoPrint(sale: Sale): void {
      const settings = deps.settings();
      if (!settings.autoPrint || !deps.printer || sale.state !== 'paid') return;
      let doc: ReceiptDocument;
      try {
        doc = receiptDocument(sale, deps.shop(), settings, []);
      } catch (err) {
        deps.log(`the receipt of sale ${sale.id} could not be prepared`, err);
        return;
      }
      deps.printer
        .print({ document: doc, printerName: settings.printerName, copies: 1, silent: true })
        .catch((err: unknown) => {
          deps.log(`the receipt of sale ${sale.id} did not print`, err);
          deps.printFailed(sale, printerProblem(err).message);
        });
    },
  };
}

export type Receipts = ReturnType<typeof createReceipts>;
