import { refundPrintHash } from '../../../shared/receipt/print-url.js';
import { useShell } from '../context.js';
import { printsThroughTill } from './ReceiptActions.js';

/**
 * "Print refund receipt" and "Save as PDF" for a paid refund, as ReceiptActions does a sale's: the
 * desktop app prints through the till, a browser opens the refund's print view with its dialog.
 */
export function RefundReceiptActions({
  refundId,
  big = false,
  small = false,
}: {
  refundId: string;
  big?: boolean;
  /** Beside a refund in a sale's list: small buttons, short words. */
  small?: boolean;
}) {
  const { till, run, toast } = useShell();
  const size = big ? ' big' : small ? ' small' : '';

  const openPrintView = () => {
    window.open(refundPrintHash(refundId, { print: true }), '_blank', 'noopener');
  };
  const print = () => {
    if (!printsThroughTill()) return openPrintView();
    void run(async () => {
      const { printed } = await till.printRefundReceipt({ refundId });
      if (printed) toast('good', 'Refund receipt sent to the printer');
    });
  };
  const pdf = () => {
    if (!printsThroughTill()) {
      toast('good', 'Choose “Save as PDF” as the printer in the dialog');
      return openPrintView();
    }
    void run(async () => {
      const { filename } = await till.saveRefundReceiptPdf({ refundId });
      toast('good', `Saved ${filename} in Downloads`);
    });
  };

  return (
    <>
      <button className={`btn ghost${size}`} onClick={print} data-testid="print-refund-receipt">
        {small ? 'Print its receipt' : 'Print refund receipt'}
      </button>
      <button className={`btn ghost${size}`} onClick={pdf} data-testid="save-refund-receipt-pdf">
        Save as PDF
      </button>
    </>
  );
}
