import { TillError } from '../../shared/contract/index.js';
import type { CurrencyTotal, SaleSummary } from '../../shared/domain/index.js';
import { backendErrorToTillError } from '../checkout/errors.js';
import { findSalesByNumber, listSales } from '../journal/sales.js';
import { isDemoBackend } from '../lightning/connection.js';
import type { Handlers, TillContext } from './context.js';
import { dayName, dayStart } from '../../shared/domain/days.js';

/**
 * The paid sales' totals, one per currency: after a currency change in Settings a day holds
 * sales in both, and adding cents to euro cents would show money that does not exist.
 */
export function paidTotals(sales: readonly SaleSummary[]): CurrencyTotal[] {
  const totals = new Map<string, CurrencyTotal>();
  for (const s of sales) {
    if (s.state !== 'paid') continue;
    const t = totals.get(s.currency) ?? {
      currency: s.currency,
      paidCount: 0,
      paidTotal: 0n,
      paidMsat: 0n,
      paidTax: 0n,
      paidTip: 0n,
    };
    totals.set(s.currency, {
      ...t,
      paidCount: t.paidCount + 1,
      paidTotal: t.paidTotal + s.total,
      paidMsat: t.paidMsat + (s.amountPaidMsat ?? 0n),
      paidTax: t.paidTax + s.tax,
      paidTip: t.paidTip + s.tip,
    });
  }
  return [...totals.values()].sort((a, b) =>
    a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0,
  );
}

/** Charging, paying and the day's sales. */
export function salesCommands({ db, flow, node, now, offlinePay }: TillContext) {
  return {
    charge: ({ tip }) => flow.charge(tip),
    reissueInvoice: ({ saleId }) => flow.reissue(saleId),
    cancelSale: ({ saleId }) => {
      offlinePay.approveCancel(saleId);
      return flow.cancel(saleId);
    },
    payCash: ({ tendered, tip }) => flow.payCash(tendered, tip),
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
    listSales: ({ day, number }) => {
      const name = day ?? dayName(now());
      const sales =
        number !== undefined
          ? findSalesByNumber(db, number, 50)
          : listSales(db, dayStart(name), dayStart(name, 1));
      return { sales, totals: paidTotals(sales) };
    },
  } satisfies Partial<Handlers>;
}
