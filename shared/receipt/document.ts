import { z } from 'zod';
import type { Discount, Sale } from '../domain/index.js';
import { printedSaleNumber, saleCode } from '../domain/sale-number.js';
import { formatFiat, formatRate, formatSats } from '../money/index.js';
import { PaperWidth, type ReceiptSettings } from './settings.js';

/**
 * A paid sale's receipt as printed: every figure already formatted, so the print view in the
 * desktop app's hidden window, the browser's print and a PDF all show the same words. Built by
 * the till from the journal (receiptDocument) and drawn by renderer/src/print/ReceiptPrint.tsx.
 */

const Amount = z.string();
const Row = z.object({ label: z.string(), amount: Amount });

export const ReceiptDocument = z.object({
  paper: PaperWidth,
  shopName: z.string(),
  address: z.string(),
  taxId: z.string(),
  logo: z.string().nullable(),
  header: z.string(),
  footer: z.string(),
  /** As every screen prints it ("000042"). */
  saleNumber: z.string(),
  /** What the QR code holds (shared/domain/sale-number.ts saleCode): a return scans it. */
  saleCode: z.string(),
  /** When it was paid, the till's local time ("2026-11-27 14:05"). */
  time: z.string(),
  staffName: z.string().nullable(),
  lines: z.array(
    z.object({
      quantity: z.number().int(),
      title: z.string(),
      variant: z.string().nullable(),
      note: z.string().nullable(),
      amount: Amount,
      discount: Row.nullable(),
    }),
  ),
  /** Subtotal, the cart's discount, tax added on top and the tip, when there are any. */
  sums: z.array(Row),
  total: Amount,
  taxesIncluded: z.boolean(),
  /** One row per rate, the untaxed part last; empty when the sale has no rated line. */
  taxes: z.array(z.object({ title: z.string(), net: Amount, tax: Amount, gross: Amount })),
  tender: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('cash'), tendered: Amount, change: Amount }),
    z.object({
      kind: z.literal('lightning'),
      sats: z.string(),
      rate: z.string(),
      rateSource: z.string(),
      /** The first and last 8 hex digits: enough to find the payment, short enough for 58 mm. */
      paymentHash: z.string(),
    }),
  ]),
  note: z.string().nullable(),
  orderName: z.string().nullable(),
  paidLate: z.boolean(),
});
export type ReceiptDocument = z.infer<typeof ReceiptDocument>;

/** What the receipt prints for the shop: the name from Settings, the tax office's lines from pricing. */
export interface ReceiptShop {
  shopName: string;
  address: string;
  taxId: string;
}

export function discountLabel(d: Discount): string {
  const what = d.kind === 'percentage' ? `Discount ${d.percent}%` : 'Discount';
  return d.reason ? `${what} · ${d.reason}` : what;
}

export function shortHash(hash: string): string {
  return hash.length <= 20 ? hash : `${hash.slice(0, 8)}…${hash.slice(-8)}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** Local time, written the same in every locale: a receipt is read by a tax office too. */
export function receiptTime(at: Date): string {
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}`;
}

/**
 * The receipt of a paid sale. Throws for any other sale: an unpaid sale's record is never
 * printed as a receipt (it would thank a customer for money not received).
 */
export function receiptDocument(sale: Sale, shop: ReceiptShop, settings: ReceiptSettings): ReceiptDocument {
  if (sale.state !== 'paid') throw new Error(`Sale #${printedSaleNumber(sale.number)} is not paid`);
  const money = (v: bigint) => formatFiat(v, sale.currency);
  const priced = sale.pricing;
  const byLine = new Map(priced?.lines.map((l) => [l.lineId, l]));

  const sums: z.infer<typeof Row>[] = [];
  if (priced) {
    const { totals } = priced;
    const taxAdded = !priced.taxesIncluded && totals.tax > 0n;
    if (totals.discounts > 0n || taxAdded || totals.tip > 0n)
      sums.push({ label: 'Subtotal', amount: money(totals.subtotal) });
    if (priced.cartDiscount && priced.cartDiscount.amount > 0n)
      sums.push({
        label: discountLabel(priced.cartDiscount.discount),
        amount: `−${money(priced.cartDiscount.amount)}`,
      });
    if (taxAdded) sums.push({ label: 'Tax', amount: money(totals.tax) });
    if (totals.tip > 0n) sums.push({ label: 'Tip', amount: money(totals.tip) });
  }
  const rated = priced?.taxLines.some((r) => r.taxRate !== null) ?? false;

  const invoice = sale.invoice;
  const tender: ReceiptDocument['tender'] =
    sale.tender === 'cash' || !invoice
      ? {
          kind: 'cash',
          tendered: money(sale.cashTendered ?? sale.total),
          change: money((sale.cashTendered ?? sale.total) - sale.total),
        }
      : {
          kind: 'lightning',
          sats: formatSats(sale.amountPaidMsat ?? invoice.amountMsat),
          rate: formatRate(invoice.rate.rate, invoice.rate.currency),
          rateSource: invoice.rate.source,
          paymentHash: shortHash(invoice.paymentHash),
        };

  return {
    paper: settings.paper,
    shopName: shop.shopName,
    address: shop.address,
    taxId: shop.taxId,
    logo: settings.logo,
    header: settings.header,
    footer: settings.footer,
    saleNumber: printedSaleNumber(sale.number),
    saleCode: saleCode(sale.number),
    time: receiptTime(new Date(sale.paidAt ?? sale.createdAt)),
    staffName: sale.staffName,
    lines: sale.lines.map((l) => {
      const off = byLine.get(l.lineId)?.lineDiscount;
      return {
        quantity: l.quantity,
        title: l.title,
        variant: l.variantTitle,
        note: l.note,
        amount: money(l.lineTotal),
        discount:
          off && off.amount > 0n
            ? { label: discountLabel(off.discount), amount: `−${money(off.amount)}` }
            : null,
      };
    }),
    sums,
    total: money(sale.total),
    taxesIncluded: priced?.taxesIncluded ?? true,
    taxes: rated
      ? priced!.taxLines.map((r) => ({
          title: r.taxRate?.title ?? 'Untaxed',
          net: money(r.net),
          tax: money(r.tax),
          gross: money(r.gross),
        }))
      : [],
    tender,
    note: sale.note,
    orderName: sale.order?.orderName ?? null,
    paidLate: sale.paidLate,
  };
}
