import type { Handlers, TillContext } from './context.js';

/** Returns and refunds: what may come back, the refund itself (a manager's), a sale's refunds. */
export function refundCommands({ refunds, refundWallets }: TillContext) {
  return {
    previewRefund: (req) => refunds.preview(req),
    createRefund: (req) => {
      switch (req.tender) {
        case 'cash':
          return refunds.createCash(req);
        case 'lightning':
          return refunds.createLightning(req);
      }
    },
    getRefundWallet: () => refundWallets.get(),
    saveRefundWallet: (next) => refundWallets.save(next),
    testRefundWallet: () => refundWallets.test(),
    listRefunds: ({ saleId }) => ({ refunds: refunds.list(saleId) }),
    getRefund: ({ refundId }) => refunds.get(refundId),
  } satisfies Partial<Handlers>;
}
