import { z } from 'zod';
import type { Discount, Refund, Sale } from '../domain/index.js';
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

/** What every receipt prints at its top and bottom: the shop, as Settings and pricing say. */
const ShopPart = {
  paper: PaperWidth,
  shopName: z.string(),
  address: z.string(),
  taxId: z.string(),
  logo: z.string().nullable(),
  header: z.string(),
  footer: z.string(),
};

/** A refund of the sale as its receipt, printed again, lists it (paid refunds only). */
const RefundSummary = z.object({
  number: z.string(),
  time: z.string(),
  /** "Cash" or "Lightning 1,234 sats". */
  tender: z.string(),
  amount: Amount,
});

export const SaleReceiptDocument = z.object({
  /** Absent on a sale's receipt (as before refunds had receipts of their own). */
  kind: z.literal('sale').optional(),
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
    /** Paid while the till was offline (issue 17): the PIN was checked, the payment is proven later. */
    z.object({
      kind: z.literal('lightning-offline'),
      label: z.string(),
      sats: z.string(),
      rate: z.string(),
      /** e.g. "coingecko, 14:05 (offline)". */
      rateSource: z.string(),
      /** The link's nonce, shortened: it finds the payment on the companion server. */
      nonce: z.string(),
    }),
  ]),
  note: z.string().nullable(),
  orderName: z.string().nullable(),
  paidLate: z.boolean(),
  /** The sale's paid refunds, and what it came to after them; absent or empty when none. */
  refunds: z.array(RefundSummary).optional(),
  netAfterRefunds: Amount.optional(),
});
export type SaleReceiptDocument = z.infer<typeof SaleReceiptDocument>;

/**
 * A paid refund's receipt (shared/receipt/refund-document.ts builds it): the shop, "Refund", its
 * number, the sale it gives back from (number, time and its QR), what came back and whether it
 * went back to stock, how the money went back, who did it, who approved it and why.
 */
export const RefundReceiptDocument = z.object({
  kind: z.literal('refund'),
  ...ShopPart,
  /** The sale's printed number, "-R" and which refund of the sale it is ("000042-R1"). */
  refundNumber: z.string(),
  saleNumber: z.string(),
  saleCode: z.string(),
  /** When the sale was paid, and when the refund was. */
  saleTime: z.string(),
  time: z.string(),
  refundedBy: z.string().nullable(),
  approvedBy: z.string().nullable(),
  reason: z.string(),
  lines: z.array(
    z.object({
      quantity: z.number().int(),
      title: z.string(),
      variant: z.string().nullable(),
      amount: Amount,
      restocked: z.boolean(),
    }),
  ),
  /** The tip given back, and the tax inside the refund, when there are any. */
  sums: z.array(Row),
  total: Amount,
  tender: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('cash'), amount: Amount }),
    z.object({ kind: z.literal('lightning'), sats: z.string(), paymentHash: z.string() }),
  ]),
});
export type RefundReceiptDocument = z.infer<typeof RefundReceiptDocument>;

/** What the print view draws and the printers print: a sale's receipt or a refund's. */
export const ReceiptDocument = z.union([RefundReceiptDocument, SaleReceiptDocument]);
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
export function receiptDocument(
  sale: Sale,
  shop: ReceiptShop,
  settings: ReceiptSettings,
  refunds: readonly Refund[] = [],
): SaleReceiptDocument {
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
  const offline = sale.offline;
  const tender: SaleReceiptDocument['tender'] =
    sale.tender === 'lightning-offline' && offline
      ? {
          kind: 'lightning-offline',
          label: 'Lightning (offline) — to be confirmed',
          sats: formatSats(offline.amountMsat),
          rate: formatRate(offline.rate.rate, offline.rate.currency),
          rateSource: `${offline.rate.source}, ${receiptTime(new Date(offline.rate.fetchedAt)).slice(11)} (offline)`,
          nonce: shortHash(offline.nonce),
        }
      : sale.tender === 'cash' || !invoice
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
    ...refundsPart(sale, refunds),
  };
}

/** A refund's printed number: the sale's, "-R", and which refund of the sale it is. */
export function refundNumber(saleNumber: number, n: number | undefined): string {
  return `${printedSaleNumber(saleNumber)}-R${n ?? 1}`;
}

/** How a refund's money went back, in a few words for a receipt line. */
export function refundTenderLabel(r: Refund): string {
  return r.tender === 'cash' ? 'Cash' : `Lightning ${formatSats(r.amountMsat ?? 0n)}`;
}

/** The sale's paid refunds as its receipt lists them, and the total after them. */
function refundsPart(
  sale: Sale,
  refunds: readonly Refund[],
): Pick<SaleReceiptDocument, 'refunds' | 'netAfterRefunds'> {
  const paid = refunds.filter((r) => r.state === 'paid' && r.saleId === sale.id);
  if (paid.length === 0) return {};
  const money = (v: bigint) => formatFiat(v, sale.currency);
  const back = paid.reduce((sum, r) => sum + r.amount, 0n);
  return {
    refunds: paid.map((r) => ({
      number: refundNumber(sale.number, r.number),
      time: receiptTime(new Date(r.paidAt ?? r.createdAt)),
      tender: refundTenderLabel(r),
      amount: `−${money(r.amount)}`,
    })),
    netAfterRefunds: money(sale.total - back),
  };
}
