import { salePrintHash } from '../../../shared/receipt/print-url.js';
import { useShell } from '../context.js';

/** The desktop app prints through the till (Electron's printers); a browser prints the page itself. */
export const printsThroughTill = (): boolean => window.tillBridge !== undefined;

/**
 * "Print receipt" and "Save as PDF" for a paid sale. In the desktop app the till prints (to the
 * receipt printer Settings names, or through the system's dialog) and writes the PDF to
 * Downloads. In a browser both open the receipt's print view in a new tab with the browser's
 * print dialog, whose destinations include "Save as PDF".
 */
export function ReceiptActions({ saleId, big = false }: { saleId: string; big?: boolean }) {
  const { till, run, toast } = useShell();
  const size = big ? ' big' : '';

  const openPrintView = () => {
    window.open(salePrintHash(saleId, { print: true }), '_blank', 'noopener');
  };
  const print = () => {
    if (!printsThroughTill()) return openPrintView();
    void run(async () => {
      const { printed } = await till.printReceipt({ saleId });
      if (printed) toast('good', 'Receipt sent to the printer');
    });
  };
  const pdf = () => {
    if (!printsThroughTill()) {
      toast('good', 'Choose “Save as PDF” as the printer in the dialog');
      return openPrintView();
    }
    void run(async () => {
      const { filename } = await till.saveReceiptPdf({ saleId });
      toast('good', `Saved ${filename} in Downloads`);
    });
  };

  return (
    <>
      <button className={`btn ghost${size}`} onClick={print} data-testid="print-receipt">
        Print receipt
      </button>
      <button className={`btn ghost${size}`} onClick={pdf} data-testid="save-receipt-pdf">
        Save as PDF
      </button>
    </>
  );
}
