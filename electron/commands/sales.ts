import { TillError } from '../../shared/contract/index.js';
import { backendErrorToTillError } from '../checkout/errors.js';
import { listSales } from '../journal/sales.js';
import { isDemoBackend } from '../lightning/connection.js';
import type { Handlers, TillContext } from './context.js';

/** [start, end) of a local calendar day ("YYYY-MM-DD"; today when absent). */
export function localDayRange(day: string | undefined, now: Date): { from: Date; to: Date } {
  const [y, m, d] = day ? day.split('-').map(Number) : [now.getFullYear(), now.getMonth() + 1, now.getDate()];
  const from = new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  const to = new Date(from);
  to.setDate(to.getDate() + 1);
  return { from, to };
}

/** Charging, paying and the day's sales. */
export function salesCommands({ db, flow, node, now }: TillContext) {
  return {
    charge: () => flow.charge(),
    reissueInvoice: ({ saleId }) => flow.reissue(saleId),
    cancelSale: ({ saleId }) => flow.cancel(saleId),
    payCash: ({ tendered }) => flow.payCash(tendered),
    demoPay: async ({ saleId }) => {
      const backend = node.backend();
      if (!isDemoBackend(backend))
        throw new TillError('InvalidState', 'Simulated payments exist only in demo mode.');
      const sale = flow.get(saleId);
      if (!sale.invoice) throw new TillError('InvalidState', `Sale #${sale.number} has no invoice to pay.`);
      if (sale.state === 'paid') return sale;
      try {
        const invoice = await backend.simulatePayment(sale.invoice.paymentHash);
        flow.applySettlement(invoice, null);
      } catch (err) {
        throw backendErrorToTillError(err, 'simulate the payment');
      }
      return flow.get(saleId);
    },
    getSale: ({ saleId }) => flow.get(saleId),
    listSales: ({ day }) => {
      const { from, to } = localDayRange(day, now());
      const sales = listSales(db, from, to);
      const paid = sales.filter((s) => s.state === 'paid');
      return {
        sales,
        totals: {
          paidCount: paid.length,
          paidTotal: paid.reduce((sum, s) => sum + s.total, 0n),
          paidMsat: paid.reduce((sum, s) => sum + (s.amountPaidMsat ?? 0n), 0n),
        },
      };
    },
  } satisfies Partial<Handlers>;
}
