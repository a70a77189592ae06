import type { Handlers, TillContext } from './context.js';

/** Returns and refunds: what may come back, the refund itself (a manager's), a sale's refunds. */
export function refundCommands({ refunds, refundWallets, lnurlWithdraw }: TillContext) {
  return {
    previewRefund: (req) => refunds.preview(req),
    createRefund: (req) => {
      switch (req.tender) {
        case 'cash':
          return refunds.createCash(req);
        case 'lightning':
          return refunds.createLightning(req);
        case 'lnurl-withdraw':
          return lnurlWithdraw.create(req);
      }
    },
    getRefundWallet: () => refundWallets.get(),
    saveRefundWallet: (next) => refundWallets.save(next),
    testRefundWallet: () => refundWallets.test(),
    listRefunds: ({ saleId }) => ({ refunds: refunds.list(saleId).map(lnurlWithdraw.decorate) }),
    getRefund: ({ refundId }) => lnurlWithdraw.decorate(refunds.get(refundId)),
    quoteLnurlRefund: (req) => lnurlWithdraw.quote(req),
    cancelLnurlRefund: ({ refundId }) => lnurlWithdraw.cancel(refundId),
    getLnurlWithdraw: () => ({ settings: lnurlWithdraw.settings(), status: lnurlWithdraw.status() }),
    saveLnurlWithdraw: (next) => lnurlWithdraw.save(next),
  } satisfies Partial<Handlers>;
}
