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
  } satisfies Partial<Handlers>;
}
