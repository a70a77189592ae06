import type { Handlers, TillContext } from './context.js';

/** Lightning with the till offline (issue 17): its settings, the offline charge and the PIN. */
export function offlinePayCommands({ offlinePay, flow }: TillContext) {
  return {
    getOfflinePay: () => offlinePay.get(),
    saveOfflinePay: (input) => offlinePay.save(input),
    getOfflineProofs: () => offlinePay.proofReport(),
    checkOfflinePayments: () => offlinePay.checkProofs(),
    getOfflineCharge: ({ saleId }) => {
      const id = saleId ?? flow.activeSaleId();
      return { offered: offlinePay.offered(), charge: id === null ? null : offlinePay.find(id) };
    },
    chargeOffline: ({ tip }) => offlinePay.charge(tip),
    enterOfflinePin: ({ saleId, pin }) => offlinePay.enterPin(saleId, pin),
  } satisfies Partial<Handlers>;
}
