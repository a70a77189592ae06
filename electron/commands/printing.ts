import type { Handlers, TillContext } from './context.js';

/** Receipts: Settings → Receipts, a sale's receipt document, printing it and its PDF. */
export function printingCommands({ receiptSettings, receipts }: TillContext) {
  return {
    getReceiptSettings: () => receiptSettings.get(),
    updateReceiptSettings: (next) => receiptSettings.save(next),
    getReceipt: ({ saleId, paper }) => receipts.document(saleId, paper),
    listPrinters: async () => ({ printers: await receipts.list() }),
    printReceipt: ({ saleId, copies }) => receipts.print(saleId, copies),
    saveReceiptPdf: ({ saleId }) => receipts.savePdf(saleId),
    getRefundReceipt: ({ refundId, paper }) => receipts.refundDocument(refundId, paper),
    printRefundReceipt: ({ refundId, copies }) => receipts.printRefund(refundId, copies),
    saveRefundReceiptPdf: ({ refundId }) => receipts.saveRefundPdf(refundId),
  } satisfies Partial<Handlers>;
}
