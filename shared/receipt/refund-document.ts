import type { Refund, Sale } from '../domain/index.js';
import { printedSaleNumber, saleCode } from '../domain/sale-number.js';
import { formatFiat, formatSats } from '../money/index.js';
import {
  receiptTime,
  refundNumber,
  shortHash,
  type ReceiptShop,
  type RefundReceiptDocument,
} from './document.js';
import type { ReceiptSettings } from './settings.js';

/**
 * A paid refund's receipt, every figure formatted by the till (as a sale's receipt). Throws for
 * a refund not paid: a receipt saying money went back when it did not (a Lightning refund still
 * paying, or failed) would be handed to a customer as proof.
 */
export function refundReceiptDocument(
  refund: Refund,
  sale: Sale,
  shop: ReceiptShop,
  settings: ReceiptSettings,
): RefundReceiptDocument {
  if (refund.state !== 'paid') throw new Error(`Refund ${refund.id} is not paid`);
  if (refund.saleId !== sale.id) throw new Error(`Refund ${refund.id} is not of sale ${sale.id}`);
  const money = (v: bigint) => formatFiat(v, refund.currency);
  const sums: RefundReceiptDocument['sums'] = [];
  if (refund.tip > 0n) sums.push({ label: 'Tip given back', amount: money(refund.tip) });
  if (refund.tax > 0n) sums.push({ label: 'Tax inside', amount: money(refund.tax) });
  return {
    kind: 'refund',
    paper: settings.paper,
    shopName: shop.shopName,
    address: shop.address,
    taxId: shop.taxId,
    logo: settings.logo,
    header: settings.header,
    footer: settings.footer,
    refundNumber: refundNumber(sale.number, refund.number),
    saleNumber: printedSaleNumber(sale.number),
    saleCode: saleCode(sale.number),
    saleTime: receiptTime(new Date(sale.paidAt ?? sale.createdAt)),
    time: receiptTime(new Date(refund.paidAt ?? refund.createdAt)),
    refundedBy: refund.requestedBy?.name ?? null,
    approvedBy: refund.approvedBy?.name ?? null,
    reason: refund.reason,
    lines: refund.lines.map((l) => ({
      quantity: l.quantity,
      title: l.title,
      variant: l.variantTitle,
      amount: money(l.amount),
      restocked: l.restock,
    })),
    sums,
    total: money(refund.amount),
    tender:
      refund.tender === 'cash'
        ? { kind: 'cash', amount: money(refund.amount) }
        : {
            kind: 'lightning',
            sats: formatSats(refund.amountMsat ?? 0n),
            paymentHash: shortHash(refund.paymentHash ?? ''),
          },
  };
}
