import type { Handlers, TillContext } from './context.js';

/** Returns and refunds: what may come back, the refund itself (a manager's), a sale's refunds. */
export function refundCommands({ refunds }: TillContext) {
  return {
    previewRefund: (req) => refunds.preview(req),
    createRefund: ({ tender, ...req }) => {
      switch (tender) {
        case 'cash':
          return refunds.createCash(req);
      }
    },
    listRefunds: ({ saleId }) => ({ refunds: refunds.list(saleId) }),
    getRefund: ({ refundId }) => refunds.get(refundId),
  } satisfies Partial<Handlers>;
}
