import { MSAT_PER_SAT, msatToFiat } from '../money/index.js';
import { Outcome, Repair, SAFE_REPAIRS } from './types.js';
import type {
  JournalRefund,
  JournalSale,
  NodeInvoice,
  ReconcileResult,
  ShopifyOrder,
  ShopifyRefund,
  WalletPayment,
} from './types.js';

/**
 * The pure classifier: no I/O, no clocks. The reference for the SQL plan (plan.ts) that DuckDB
 * runs on every core: runner.test.ts holds the two to the same results, item by item.
 *
 * Join rule. Every record has a join key, and records of one payment share it:
 *   - node invoice         → its payment hash
 *   - Lightning sale       → the hash of its (paid / latest) invoice; `s:<saleId>` if it has none
 *   - cash sale            → `s:<saleId>`
 *   - Shopify order        → its payment_hash attribute (Lightning orders carry it, see
 *                            electron/shopify/orders.ts); else `s:<saleId>` from the metafield;
 *                            else `o:<orderId>`
 */

export interface PartitionInput {
  node: readonly NodeInvoice[];
  journal: readonly JournalSale[];
  shopify: readonly ShopifyOrder[];
  /** Refunds (issue 14): the refund wallet's outgoing payments, the journal's, Shopify's. */
  wallet?: readonly WalletPayment[];
  refunds?: readonly JournalRefund[];
  shopifyRefunds?: readonly ShopifyRefund[];
}

export const invoiceKey = (i: NodeInvoice): string => i.paymentHash;
export const saleKey = (s: JournalSale): string =>
  s.tender === 'lightning' && s.paymentHash !== null ? s.paymentHash : `s:${s.saleId}`;
export const orderKey = (o: ShopifyOrder): string =>
  o.paymentHash !== null ? o.paymentHash : o.saleId !== null ? `s:${o.saleId}` : `o:${o.orderId}`;

interface Group {
  invoices: NodeInvoice[];
  sales: JournalSale[];
  orders: ShopifyOrder[];
}

function groupByKey(input: PartitionInput): Map<string, Group> {
  const groups = new Map<string, Group>();
  const at = (key: string): Group => {
    let g = groups.get(key);
    if (!g) {
      g = { invoices: [], sales: [], orders: [] };
      groups.set(key, g);
    }
    return g;
  };
  for (const i of input.node) at(invoiceKey(i)).invoices.push(i);
  for (const s of input.journal) at(saleKey(s)).sales.push(s);
  for (const o of input.shopify) at(orderKey(o)).orders.push(o);
  return groups;
}

/** Classify one partition (any set of records closed under the join rule). */
export interface ClassifyOptions {
  /**
   * Whether paid sales should have Shopify orders (a store is connected). Without a store,
   * a sale that matches its payment is matched, not "without order".
   */
  orders?: boolean;
  /**
   * The refund wallet: 'own' (the till's refund wallet, listed: a payment no refund names is an
   * item), 'shared' (listed, but it pays for other things too: such payments are left alone),
   * 'unchecked' (it cannot list its payments: refunds are checked against Shopify only).
   */
  wallet?: WalletMode;
  /**
   * The grace period's end (epoch ms): a refund paid after it may not be in Shopify yet, one
   * `paying` since after it may still complete. Default: no grace.
   */
  refundCutoff?: number;
}

export type WalletMode = 'own' | 'shared' | 'unchecked';

export function classifyPartition(
  input: PartitionInput,
  options: ClassifyOptions = {},
): {
  results: ReconcileResult[];
  ignoredInvoices: number;
} {
  const results: ReconcileResult[] = [];
  let ignoredInvoices = 0;
  const orders = options.orders ?? true;
  for (const group of groupByKey(input).values()) ignoredInvoices += classifyGroup(group, results, orders);
  classifyRefunds(input, options, results);
  return { results, ignoredInvoices };
}

const bySale = (a: JournalSale, b: JournalSale): number =>
  a.number - b.number || (a.saleId < b.saleId ? -1 : a.saleId > b.saleId ? 1 : 0);
const byOrder = (a: ShopifyOrder, b: ShopifyOrder): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0;

function result(
  outcome: Outcome,
  repair: Repair,
  detail: string,
  f: Partial<Omit<ReconcileResult, 'outcome' | 'repair' | 'safe' | 'detail'>>,
): ReconcileResult {
  // One literal of fixed shape (no spread): a year of results are built here.
  return {
    outcome,
    repair,
    safe: SAFE_REPAIRS[repair],
    saleId: f.saleId ?? null,
    saleNumber: f.saleNumber ?? null,
    paymentHash: f.paymentHash ?? null,
    orderId: f.orderId ?? null,
    orderName: f.orderName ?? null,
    tender: f.tender ?? null,
    saleState: f.saleState ?? null,
    time: f.time ?? null,
    msat: f.msat ?? null,
    fiat: f.fiat ?? null,
    currency: f.currency ?? null,
    rate: f.rate ?? null,
    rateSource: f.rateSource ?? null,
    net: f.net ?? null,
    tax: f.tax ?? null,
    tip: f.tip ?? null,
    discounts: f.discounts ?? null,
    detail,
  };
}

const sats = (msat: bigint): string =>
  msat % MSAT_PER_SAT === 0n ? `${msat / MSAT_PER_SAT} sat` : `${msat} msat`;

/** Appends one result per item of the group; returns how many node invoices were ignored. */
function classifyGroup(g: Group, out: ReconcileResult[], ordersExpected: boolean): number {
  // A node lists a hash once; a repeated page must not read as a second payment.
  const invoice = g.invoices.find((i) => i.state === 'settled') ?? g.invoices[0] ?? null;
  const settled = invoice !== null && invoice.state === 'settled' ? invoice : null;
  const paidMsat = settled ? (settled.amountPaidMsat ?? settled.amountMsat) : null;

  const sales =
    g.sales.length < 2
      ? g.sales
      : [...g.sales].sort((a, b) => Number(b.state === 'paid') - Number(a.state === 'paid') || bySale(a, b));
  const orders = g.orders.length < 2 ? g.orders : [...g.orders].sort(byOrder);
  const used = new Set<ShopifyOrder>();
  let invoiceClaimed = false;

  for (const sale of sales) {
    const mine = orders.filter(
      (o) =>
        !used.has(o) &&
        (o.saleId === sale.saleId ||
          (o.saleId === null && o.paymentHash !== null && o.paymentHash === sale.paymentHash)),
    );
    for (const o of mine) used.add(o);
    const [order, ...extra] = mine;
    const base = {
      saleId: sale.saleId,
      saleNumber: sale.number,
      paymentHash: sale.paymentHash,
      orderId: order?.orderId ?? null,
      orderName: order?.name ?? sale.orderName,
      tender: sale.tender,
      saleState: sale.state,
      time: sale.paidAt ?? settled?.settledAt ?? null,
      msat: sale.tender === 'lightning' ? (paidMsat ?? sale.amountPaidMsat) : null,
      fiat: sale.total,
      currency: sale.currency,
      rate: sale.rate,
      rateSource: sale.rateSource,
      net: sale.net,
      tax: sale.tax,
      tip: sale.tip,
      discounts: sale.discounts,
    };
    const lightning = sale.tender === 'lightning' && sale.paymentHash !== null;
    // The invoice belongs to the first (paid) sale that names it; a second paid one is a double count.
    const claims = lightning && !invoiceClaimed && invoice !== null;
    if (claims) invoiceClaimed = true;
    if (lightning && !claims && sale.state === 'paid' && (invoice !== null || invoiceClaimed)) {
      out.push(
        result(
          Outcome.PaidTwice,
          Repair.ResolveDuplicate,
          'another paid sale already claims this payment',
          base,
        ),
      );
    } else {
      out.push(
        classifySale(
          sale,
          claims ? settled : null,
          claims ? invoice : null,
          order ?? null,
          base,
          ordersExpected,
        ),
      );
    }
    for (const o of extra) {
      out.push(
        result(
          Outcome.PaidTwice,
          Repair.ResolveDuplicate,
          `a second Shopify order for sale #${sale.number}`,
          {
            ...base,
            orderId: o.orderId,
            orderName: o.name,
            fiat: o.total,
            currency: o.currency,
            // The row's amount is the second order's, not the sale's: no breakdown of it.
            net: null,
            tax: null,
            tip: null,
            discounts: null,
          },
        ),
      );
    }
  }

  for (const o of orders) {
    if (used.has(o)) continue;
    out.push(
      result(Outcome.OrderWithoutSale, Repair.ReviewOrder, 'no sale in the journal for this order', {
        saleId: o.saleId,
        paymentHash: o.paymentHash,
        orderId: o.orderId,
        orderName: o.name,
        fiat: o.total,
        currency: o.currency,
      }),
    );
  }

  if (!invoiceClaimed && invoice !== null) {
    if (settled === null) return g.invoices.length;
    out.push(
      result(Outcome.PaidOnNodeNoSale, Repair.InvestigatePayment, 'settled on the node; no sale names it', {
        paymentHash: settled.paymentHash,
        tender: 'lightning',
        time: settled.settledAt,
        msat: paidMsat,
      }),
    );
    return g.invoices.length - 1;
  }
  return invoice === null ? 0 : g.invoices.length - 1;
}

type Base = Omit<ReconcileResult, 'outcome' | 'repair' | 'safe' | 'detail'>;

function classifySale(
  sale: JournalSale,
  settled: NodeInvoice | null,
  invoice: NodeInvoice | null,
  order: ShopifyOrder | null,
  base: Base,
  ordersExpected: boolean,
): ReconcileResult {
  const paid = sale.state === 'paid';
  if (sale.offline === 'unproven') {
    return result(
      Outcome.OfflineUnproven,
      Repair.AwaitOfflineProof,
      'paid offline, PIN checked; the companion server has not confirmed the payment yet',
      base,
    );
  }
  if (sale.offline === 'no_payment') {
    return result(
      Outcome.OfflineNoPayment,
      Repair.InvestigateSale,
      'paid offline, PIN checked; the companion server has no payment for its link',
      base,
    );
  }
  if (sale.tender === 'lightning') {
    if (paid && settled === null) {
      const why = invoice === null ? 'the node does not list its invoice' : `the node says ${invoice.state}`;
      return result(Outcome.SalePaidNoSettledInvoice, Repair.InvestigateSale, `marked paid but ${why}`, base);
    }
    if (settled !== null) {
      const late = settled.settledAt !== null && settled.settledAt > settled.expiresAt;
      if (!paid) {
        return late
          ? result(
              Outcome.PaidAfterExpiry,
              Repair.RecordLatePayment,
              `settled after expiry; sale is ${sale.state}`,
              base,
            )
          : result(
              Outcome.PaidOnNodeNoSale,
              Repair.RecordPayment,
              `settled on the node; sale is ${sale.state}`,
              base,
            );
      }
      const mismatch = amountMismatch(sale, settled);
      if (mismatch !== null) return result(Outcome.AmountMismatch, Repair.ReviewAmount, mismatch, base);
      if (late && !sale.paidLate) {
        return result(
          Outcome.PaidAfterExpiry,
          Repair.RecordLatePayment,
          'settled after expiry, not journaled as late',
          base,
        );
      }
    }
  }
  if (!paid) {
    return order === null
      ? result(Outcome.Matched, Repair.None, `not paid (${sale.state}); nothing owed`, base)
      : result(
          Outcome.OrderWithoutSale,
          Repair.ReviewOrder,
          `order exists but the sale is ${sale.state}`,
          base,
        );
  }
  if (order === null && !ordersExpected) return result(Outcome.Matched, Repair.None, '', base);
  if (order === null) {
    return sale.orderName === null
      ? result(Outcome.SaleWithoutOrder, Repair.QueueOrder, 'paid; never sent to Shopify', base)
      : result(
          Outcome.SaleWithoutOrder,
          Repair.RecreateOrder,
          `the till created ${sale.orderName}; Shopify no longer has it`,
          base,
        );
  }
  if (order.total !== sale.total || order.currency !== sale.currency) {
    return result(
      Outcome.OrderTotalDiffers,
      Repair.CorrectOrder,
      `order ${order.total} ${order.currency}, sale ${sale.total} ${sale.currency} (minor units)`,
      base,
    );
  }
  return result(Outcome.Matched, Repair.None, '', base);
}

/**
 * Sats must agree exactly (node vs journal, and not under the invoice). Fiat may differ by
 * rounding only: the invoice was the total converted at the locked rate and rounded to a whole
 * sat, so the paid sats back in fiat are within one sat's worth plus one minor unit.
 */
export function amountMismatch(sale: JournalSale, settled: NodeInvoice): string | null {
  const paid = settled.amountPaidMsat ?? settled.amountMsat;
  if (sale.amountPaidMsat !== null && sale.amountPaidMsat !== paid) {
    return `node paid ${sats(paid)}, journal says ${sats(sale.amountPaidMsat)}`;
  }
  if (paid < settled.amountMsat) return `underpaid: ${sats(paid)} of ${sats(settled.amountMsat)}`;
  if (sale.rate === null) return null;
  const fiat = msatToFiat(paid, sale.currency, sale.rate, 'half-even');
  const tolerance = 1n + msatToFiat(MSAT_PER_SAT, sale.currency, sale.rate, 'up');
  const diff = fiat > sale.total ? fiat - sale.total : sale.total - fiat;
  return diff > tolerance
    ? `${sats(paid)} at ${sale.rate} is ${fiat}, sale total ${sale.total} (minor units, tolerance ${tolerance})`
    : null;
}

/**
 * Refunds (issue 14). A Lightning refund names its wallet payment by hash: the first refund of a
 * hash (by refund id, then as listed) claims the wallet's payment of it (the first listed). A
 * Shopify refund names its till refund in its note: the first refund of that id owns it, its
 * first Shopify refund (by Shopify id, then as listed) is its refund, any other one a duplicate.
 * Cash refunds are checked against Shopify only.
 */
export function classifyRefunds(
  input: PartitionInput,
  options: ClassifyOptions,
  out: ReconcileResult[],
): void {
  const wallet = input.wallet ?? [];
  const refunds = input.refunds ?? [];
  const shopify = input.shopifyRefunds ?? [];
  const mode = options.wallet ?? 'own';
  const cutoff = options.refundCutoff ?? Number.MAX_SAFE_INTEGER;
  const ordersExpected = options.orders ?? true;

  const payments = new Map<string, WalletPayment>();
  for (const p of wallet) if (!payments.has(p.paymentHash)) payments.set(p.paymentHash, p);

  const sorted = [...refunds].sort((a, b) =>
    a.refundId < b.refundId ? -1 : a.refundId > b.refundId ? 1 : 0,
  );
  const claimedHashes = new Set<string>();
  const ownedIds = new Set<string>();
  const shopifyOf = new Map<string, ShopifyRefund[]>();
  const byShopifyId = (a: ShopifyRefund, b: ShopifyRefund): number =>
    a.refundId < b.refundId ? -1 : a.refundId > b.refundId ? 1 : 0;
  for (const s of [...shopify].sort(byShopifyId)) {
    if (s.tillRefundId === null) continue;
    const list = shopifyOf.get(s.tillRefundId) ?? [];
    list.push(s);
    shopifyOf.set(s.tillRefundId, list);
  }
  const usedShopify = new Set<ShopifyRefund>();

  for (const r of sorted) {
    const lightning = r.tender === 'lightning' && r.paymentHash !== null;
    const claims = lightning && !claimedHashes.has(r.paymentHash!);
    if (lightning) claimedHashes.add(r.paymentHash!);
    const paid = claims ? (payments.get(r.paymentHash!) ?? null) : null;
    const owns = !ownedIds.has(r.refundId);
    ownedIds.add(r.refundId);
    const mine = owns ? (shopifyOf.get(r.refundId) ?? []) : [];
    for (const s of mine) usedShopify.add(s);
    const [shop, ...extra] = mine;
    const base = {
      saleId: r.saleId,
      paymentHash: r.paymentHash,
      orderId: shop?.orderId ?? null,
      orderName: shop?.orderName ?? null,
      tender: r.tender,
      time: r.paidAt ?? paid?.paidAt ?? null,
      msat: r.tender === 'lightning' ? (paid?.amountMsat ?? r.amountMsat) : null,
      fiat: r.amount,
      currency: r.currency,
    };
    const item = refundItem(r, r.tender === 'lightning', paid, shop ?? null, mode, cutoff, ordersExpected);
    if (item !== null) out.push(result(item[0], item[1], item[2], base));
    for (const s of extra) {
      out.push(
        result(Outcome.PaidTwice, Repair.ResolveDuplicate, 'a second Shopify refund for one refund', {
          ...base,
          orderId: s.orderId,
          orderName: s.orderName,
          time: s.createdAt,
          fiat: s.total,
          currency: s.currency,
        }),
      );
    }
  }

  for (const s of shopify) {
    if (usedShopify.has(s)) continue;
    out.push(
      result(
        Outcome.RefundPaidNotRecorded,
        Repair.ReviewRefund,
        'refunded in Shopify; no refund in the journal',
        {
          orderId: s.orderId,
          orderName: s.orderName,
          time: s.createdAt,
          fiat: s.total,
          currency: s.currency,
        },
      ),
    );
  }

  if (mode !== 'own') return;
  for (const p of payments.values()) {
    if (claimedHashes.has(p.paymentHash)) continue;
    out.push(
      result(
        Outcome.RefundPaidNotRecorded,
        Repair.ReviewRefund,
        'paid by the refund wallet; no refund names it',
        {
          paymentHash: p.paymentHash,
          tender: 'lightning',
          time: p.paidAt,
          msat: p.amountMsat,
        },
      ),
    );
  }
}

type RefundVerdict = readonly [Outcome, Repair, string];

function refundItem(
  r: JournalRefund,
  lightning: boolean,
  paid: WalletPayment | null,
  shop: ShopifyRefund | null,
  mode: WalletMode,
  cutoff: number,
  ordersExpected: boolean,
): RefundVerdict | null {
  const checked = lightning && mode !== 'unchecked';
  if (r.state !== 'paid' && r.state !== 'paying') {
    if (paid !== null)
      return [
        Outcome.RefundPaidNotRecorded,
        Repair.ReviewRefund,
        `paid by the refund wallet; the refund is ${r.state}`,
      ];
    if (shop !== null)
      return [
        Outcome.RefundRecordedNotPaid,
        Repair.ReviewRefund,
        `refunded in Shopify; the refund is ${r.state}`,
      ];
    return null;
  }
  if (r.state === 'paying') {
    if (paid !== null)
      return [
        Outcome.RefundPaidNotRecorded,
        Repair.ReviewRefund,
        'paid by the refund wallet; the refund is still paying',
      ];
    if (r.updatedAt > cutoff) return null;
    return [
      Outcome.RefundRecordedNotPaid,
      Repair.ReviewRefund,
      checked
        ? 'stuck paying; the refund wallet has no such payment'
        : 'stuck paying; the refund wallet could not be checked',
    ];
  }
  if (checked && paid === null)
    return [
      Outcome.RefundRecordedNotPaid,
      Repair.ReviewRefund,
      'journaled paid; the refund wallet has no such payment',
    ];
  if (paid !== null && r.amountMsat !== null && paid.amountMsat !== r.amountMsat)
    return [
      Outcome.RefundAmountMismatch,
      Repair.ReviewAmount,
      `wallet paid ${sats(paid.amountMsat)}, journal says ${sats(r.amountMsat)}`,
    ];
  if (shop === null && ordersExpected && (r.paidAt ?? 0) <= cutoff)
    return [Outcome.RefundMissingInShopify, Repair.ReviewRefund, 'paid; no refund in Shopify'];
  if (shop !== null && (shop.total !== r.amount || shop.currency !== r.currency))
    return [
      Outcome.RefundAmountMismatch,
      Repair.ReviewAmount,
      `Shopify refunded ${shop.total} ${shop.currency}, journal says ${r.amount} ${r.currency} (minor units)`,
    ];
  return [
    Outcome.RefundMatched,
    Repair.None,
    lightning && mode === 'unchecked'
      ? 'the refund wallet could not be checked'
      : shop === null && ordersExpected
        ? 'paid; not in Shopify yet (grace period)'
        : '',
  ];
}
