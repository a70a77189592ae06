import { MSAT_PER_SAT } from '../../money/index.js';
import { priceCart, type PricingTotals } from '../../pricing/index.js';
import { mulberry32 } from '../../random.js';
import { Outcome, Repair } from '../types.js';
import type { JournalSale, NodeInvoice, ShopifyOrder } from '../types.js';

/**
 * Synthetic shop history for tests and the benchmark: item i of a dataset is a pure function of
 * (seed, i, kind), so each source streams its own records without anything held in memory, and
 * each item's expected outcomes are known. A kind is one story a closing report must tell.
 */

export const KINDS = [
  'matched',
  'matched_cash',
  'abandoned',
  'order_by_tag',
  'invoice_listed_twice',
  'late_journaled',
  'orphan_payment',
  'settled_unpaid_sale',
  'paid_no_invoice',
  'paid_invoice_expired',
  'amount_mismatch_sats',
  'amount_mismatch_fiat',
  'underpaid',
  'paid_after_expiry',
  'late_not_journaled',
  'paid_twice',
  'two_orders',
  'sale_without_order',
  'cash_without_order',
  'order_deleted_in_shopify',
  'order_without_sale',
  'untagged_order',
  'order_for_unpaid_sale',
  'order_total_differs',
  'order_currency_differs',
  'unpaid_invoice',
  'priced_matched',
  'priced_order_lost_tax',
  'priced_order_lost_discount',
  'priced_paid_before_tip',
  'offline_unproven',
  'offline_no_payment',
] as const;
export type Kind = (typeof KINDS)[number];

export interface Expected {
  outcome: Outcome;
  repair: Repair;
}
const x = (outcome: Outcome, repair: Repair): Expected => ({ outcome, repair });
const MATCHED = x(Outcome.Matched, Repair.None);

/** What each kind must be classified as: one entry per item it produces, with its repair. */
export const EXPECTED: Record<Kind, readonly Expected[]> = {
  matched: [MATCHED],
  matched_cash: [MATCHED],
  abandoned: [MATCHED],
  order_by_tag: [MATCHED],
  invoice_listed_twice: [MATCHED],
  // Paid after expiry and journaled as such: acknowledged, not a discrepancy.
  late_journaled: [MATCHED],
  orphan_payment: [x(Outcome.PaidOnNodeNoSale, Repair.InvestigatePayment)],
  settled_unpaid_sale: [x(Outcome.PaidOnNodeNoSale, Repair.RecordPayment)],
  paid_no_invoice: [x(Outcome.SalePaidNoSettledInvoice, Repair.InvestigateSale)],
  paid_invoice_expired: [x(Outcome.SalePaidNoSettledInvoice, Repair.InvestigateSale)],
  amount_mismatch_sats: [x(Outcome.AmountMismatch, Repair.ReviewAmount)],
  amount_mismatch_fiat: [x(Outcome.AmountMismatch, Repair.ReviewAmount)],
  underpaid: [x(Outcome.AmountMismatch, Repair.ReviewAmount)],
  paid_after_expiry: [x(Outcome.PaidAfterExpiry, Repair.RecordLatePayment)],
  late_not_journaled: [x(Outcome.PaidAfterExpiry, Repair.RecordLatePayment)],
  paid_twice: [MATCHED, x(Outcome.PaidTwice, Repair.ResolveDuplicate)],
  two_orders: [MATCHED, x(Outcome.PaidTwice, Repair.ResolveDuplicate)],
  sale_without_order: [x(Outcome.SaleWithoutOrder, Repair.QueueOrder)],
  cash_without_order: [x(Outcome.SaleWithoutOrder, Repair.QueueOrder)],
  order_deleted_in_shopify: [x(Outcome.SaleWithoutOrder, Repair.RecreateOrder)],
  order_without_sale: [x(Outcome.OrderWithoutSale, Repair.ReviewOrder)],
  untagged_order: [x(Outcome.OrderWithoutSale, Repair.ReviewOrder)],
  order_for_unpaid_sale: [x(Outcome.OrderWithoutSale, Repair.ReviewOrder)],
  order_total_differs: [x(Outcome.OrderTotalDiffers, Repair.CorrectOrder)],
  order_currency_differs: [x(Outcome.OrderTotalDiffers, Repair.CorrectOrder)],
  unpaid_invoice: [],
  // Taxed, discounted and tipped: the order's total is Shopify's, taxes and tip included.
  priced_matched: [MATCHED],
  priced_order_lost_tax: [x(Outcome.OrderTotalDiffers, Repair.CorrectOrder)],
  priced_order_lost_discount: [x(Outcome.OrderTotalDiffers, Repair.CorrectOrder)],
  priced_paid_before_tip: [x(Outcome.AmountMismatch, Repair.ReviewAmount)],
  // Paid offline (issue 17): a PIN the companion server has not vouched for yet, or cannot.
  offline_unproven: [x(Outcome.OfflineUnproven, Repair.AwaitOfflineProof)],
  offline_no_payment: [x(Outcome.OfflineNoPayment, Repair.InvestigateSale)],
};

/** Node invoices of a kind that are not items (never paid and unclaimed, or listed again). */
export const IGNORED_INVOICES: Record<Kind, number> = {
  ...(Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>),
  invoice_listed_twice: 1,
  unpaid_invoice: 1,
};

/** Item i's random stream: mulberry32 seeded with a 32-bit mix of (seed, i). */
const rng = (seed: number, i: number): (() => number) =>
  mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35));

const HEX: string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** 64 hex digits from (seed, i): mulberry32 inline, four bytes a step. */
function hash(seed: number, i: number): string {
  let a = (Math.imul(seed ^ 0x5bd1e995, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
  let s = '';
  for (let k = 0; k < 8; k++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    t = (t ^ (t >>> 14)) >>> 0;
    s += HEX[t >>> 24]! + HEX[(t >>> 16) & 255]! + HEX[(t >>> 8) & 255]! + HEX[t & 255]!;
  }
  return s;
}

export interface Item {
  node: NodeInvoice[];
  journal: JournalSale[];
  shopify: ShopifyOrder[];
}

const START = Date.UTC(2025, 10, 24);
const CURRENCY = 'USD';

/** The facts of item i that its records share. */
interface Facts {
  i: number;
  createdAt: number;
  expiresAt: number;
  settledAt: number;
  total: bigint;
  rate: string;
  amountMsat: bigint;
  paymentHash: string;
  saleId: string;
  number: number;
  orderId: string;
  name: string;
}

function facts(seed: number, i: number): Facts {
  const r = rng(seed, i);
  const createdAt = START + i * 30_000 + Math.floor(r() * 20_000);
  const cents = 100 + Math.floor(r() * 50_000);
  const whole = 60_000 + Math.floor(r() * 10_000);
  const hundredths = Math.floor(r() * 100);
  // msat = cents / 100 USD ÷ rate × 10^11, rounded up to a whole sat, as the till invoices.
  const sats = Math.ceil((cents * 1e6) / (whole + hundredths / 100));
  return {
    i,
    createdAt,
    expiresAt: createdAt + 600_000,
    settledAt: createdAt + 5_000 + Math.floor(r() * 60_000),
    total: BigInt(cents),
    rate: `${whole}.${hundredths < 10 ? '0' : ''}${hundredths}`,
    amountMsat: BigInt(sats) * MSAT_PER_SAT,
    paymentHash: hash(seed, i),
    saleId: `sale-${seed}-${i}`,
    number: i + 1,
    // Even, so a second order (two_orders) takes the odd id after it and no item's id repeats.
    orderId: `gid://shopify/Order/${(seed * 10_000_000 + i) * 2}`,
    name: `#${1001 + i}`,
  };
}

function inv(f: Facts, over?: Partial<NodeInvoice>): NodeInvoice {
  const i: NodeInvoice = {
    paymentHash: f.paymentHash,
    amountMsat: f.amountMsat,
    amountPaidMsat: f.amountMsat,
    state: 'settled',
    createdAt: f.createdAt,
    expiresAt: f.expiresAt,
    settledAt: f.settledAt,
  };
  return over ? Object.assign(i, over) : i;
}

function sal(f: Facts, over?: Partial<JournalSale>): JournalSale {
  const s: JournalSale = {
    saleId: f.saleId,
    number: f.number,
    paymentHash: f.paymentHash,
    tender: 'lightning',
    state: 'paid',
    total: f.total,
    currency: CURRENCY,
    amountPaidMsat: f.amountMsat,
    rate: f.rate,
    rateSource: 'coingecko',
    paidAt: f.settledAt,
    paidLate: false,
    orderName: f.name,
    // Priced before pricing existed: no tax, no tip, no discount.
    net: f.total,
    tax: 0n,
    tip: 0n,
    discounts: 0n,
  };
  return over ? Object.assign(s, over) : s;
}

/** msat for `minor` cents at the item's rate, rounded up to a whole sat, as the till invoices. */
const msatFor = (f: Facts, minor: bigint): bigint =>
  BigInt(Math.ceil((Number(minor) * 1e6) / Number(f.rate))) * MSAT_PER_SAT;

/**
 * Item i as a taxed, discounted, tipped sale, priced by shared/pricing as the till prices it:
 * two coffees at the item's amount with 10 % off and sales tax, a cake at the reduced rate, $0.37
 * off the cart and a 15 % tip. The facts' total and invoice are the priced total's.
 */
function priced(f: Facts): { f: Facts; totals: PricingTotals; lineTax: bigint } {
  const cart = priceCart({
    currency: CURRENCY,
    taxesIncluded: false,
    lines: [
      {
        lineId: 'coffee',
        unitPrice: f.total,
        quantity: 2,
        taxable: true,
        taxRate: { title: 'Sales tax 8.875%', percent: '8.875' },
        discount: { kind: 'percentage', percent: '10', reason: 'Staff' },
      },
      {
        lineId: 'cake',
        unitPrice: 450n,
        quantity: 1,
        taxable: true,
        taxRate: { title: 'Reduced 5.5%', percent: '5.5' },
      },
    ],
    cartDiscount: { kind: 'fixed', amount: 37n, reason: 'Regular' },
    tip: { kind: 'percentage', percent: '15' },
  });
  const { totals } = cart;
  return {
    f: { ...f, total: totals.total, amountMsat: msatFor(f, totals.total) },
    totals,
    lineTax: cart.lines[0]!.tax,
  };
}

const breakdown = (t: PricingTotals): Partial<JournalSale> => ({
  total: t.total,
  net: t.net,
  tax: t.tax,
  tip: t.tip,
  discounts: t.discounts,
});

function ord(f: Facts, over?: Partial<ShopifyOrder>): ShopifyOrder {
  const o: ShopifyOrder = {
    orderId: f.orderId,
    name: f.name,
    saleId: f.saleId,
    total: f.total,
    currency: CURRENCY,
    paymentHash: f.paymentHash,
  };
  return over ? Object.assign(o, over) : o;
}

const CASH = {
  paymentHash: null,
  tender: 'cash',
  amountPaidMsat: null,
  rate: null,
  rateSource: null,
} as const;
const UNPAID = { state: 'expired', paidAt: null, amountPaidMsat: null, orderName: null } as const;
const NEVER_PAID = { state: 'expired', amountPaidMsat: null, settledAt: null } as const;

/** The records of item `i` of kind `kind`. */
export function item(seed: number, i: number, kind: Kind): Item {
  const f = facts(seed, i);
  const late = f.settledAt + 600_000;
  switch (kind) {
    case 'matched':
      return { node: [inv(f)], journal: [sal(f)], shopify: [ord(f)] };
    case 'matched_cash':
      return { node: [], journal: [sal(f, CASH)], shopify: [ord(f, { paymentHash: null })] };
    case 'order_by_tag':
      // An order found by its tag only (no sale_id metafield): its payment hash ties it to the sale.
      return { node: [inv(f)], journal: [sal(f)], shopify: [ord(f, { saleId: null })] };
    case 'invoice_listed_twice':
      // The node's listing repeated a page: one payment, listed twice.
      return { node: [inv(f), inv(f)], journal: [sal(f)], shopify: [ord(f)] };
    case 'late_journaled':
      return {
        node: [inv(f, { settledAt: late })],
        journal: [sal(f, { paidAt: late, paidLate: true })],
        shopify: [ord(f)],
      };
    case 'abandoned':
      return { node: [inv(f, NEVER_PAID)], journal: [sal(f, UNPAID)], shopify: [] };
    case 'orphan_payment':
      return { node: [inv(f)], journal: [], shopify: [] };
    case 'offline_unproven':
      // The till knows no invoice of an offline sale until the companion server names it.
      return {
        node: [],
        journal: [sal(f, { paymentHash: null, offline: 'unproven' })],
        shopify: [ord(f, { paymentHash: null })],
      };
    case 'offline_no_payment':
      return {
        node: [],
        journal: [sal(f, { paymentHash: null, offline: 'no_payment' })],
        shopify: [ord(f, { paymentHash: null })],
      };
    case 'settled_unpaid_sale':
      return { node: [inv(f)], journal: [sal(f, { ...UNPAID, state: 'awaiting_payment' })], shopify: [] };
    case 'paid_no_invoice':
      return { node: [], journal: [sal(f)], shopify: [ord(f)] };
    case 'paid_invoice_expired':
      return { node: [inv(f, NEVER_PAID)], journal: [sal(f)], shopify: [ord(f)] };
    case 'amount_mismatch_sats':
      return {
        node: [inv(f)],
        journal: [sal(f, { amountPaidMsat: f.amountMsat + 7n * MSAT_PER_SAT })],
        shopify: [ord(f)],
      };
    case 'amount_mismatch_fiat':
      // The journal's total is far from what the paid sats were worth at the locked rate.
      return {
        node: [inv(f)],
        journal: [sal(f, { total: f.total * 2n + 500n })],
        shopify: [ord(f, { total: f.total * 2n + 500n })],
      };
    case 'underpaid': {
      const half = (f.amountMsat / 2n / MSAT_PER_SAT) * MSAT_PER_SAT;
      return {
        node: [inv(f, { amountPaidMsat: half })],
        journal: [sal(f, { amountPaidMsat: half })],
        shopify: [ord(f)],
      };
    }
    case 'paid_after_expiry':
      return { node: [inv(f, { settledAt: late })], journal: [sal(f, UNPAID)], shopify: [] };
    case 'late_not_journaled':
      return { node: [inv(f, { settledAt: late })], journal: [sal(f, { paidAt: late })], shopify: [ord(f)] };
    case 'paid_twice':
      return {
        node: [inv(f)],
        journal: [sal(f), sal(f, { saleId: `${f.saleId}-b`, number: 1_000_000_000 + i, orderName: null })],
        shopify: [ord(f)],
      };
    case 'two_orders':
      return {
        node: [inv(f)],
        journal: [sal(f)],
        shopify: [
          ord(f),
          ord(f, { orderId: `gid://shopify/Order/${(seed * 10_000_000 + i) * 2 + 1}`, name: `${f.name}-2` }),
        ],
      };
    case 'sale_without_order':
      return { node: [inv(f)], journal: [sal(f, { orderName: null })], shopify: [] };
    case 'cash_without_order':
      return { node: [], journal: [sal(f, { ...CASH, orderName: null })], shopify: [] };
    case 'order_deleted_in_shopify':
      // The till created the order (the journal has its name); Shopify no longer lists it.
      return { node: [inv(f)], journal: [sal(f)], shopify: [] };
    case 'order_without_sale':
      return { node: [], journal: [], shopify: [ord(f)] };
    case 'untagged_order':
      // Neither payment hash nor sale id: joined by its own order id, to nothing.
      return { node: [], journal: [], shopify: [ord(f, { paymentHash: null, saleId: null })] };
    case 'order_for_unpaid_sale':
      return { node: [inv(f, NEVER_PAID)], journal: [sal(f, UNPAID)], shopify: [ord(f)] };
    case 'order_total_differs':
      return { node: [inv(f)], journal: [sal(f)], shopify: [ord(f, { total: f.total + 1_00n })] };
    case 'order_currency_differs':
      return { node: [inv(f)], journal: [sal(f)], shopify: [ord(f, { currency: 'EUR' })] };
    case 'unpaid_invoice':
      return {
        node: [inv(f, { state: 'open', amountPaidMsat: null, settledAt: null })],
        journal: [],
        shopify: [],
      };
    case 'priced_matched': {
      const p = priced(f);
      return { node: [inv(p.f)], journal: [sal(p.f, breakdown(p.totals))], shopify: [ord(p.f)] };
    }
    case 'priced_order_lost_tax': {
      // The order reached Shopify without the coffee line's tax line.
      const p = priced(f);
      return {
        node: [inv(p.f)],
        journal: [sal(p.f, breakdown(p.totals))],
        shopify: [ord(p.f, { total: p.f.total - p.lineTax })],
      };
    }
    case 'priced_order_lost_discount': {
      // The order reached Shopify without the discount (its tax lines as sent).
      const p = priced(f);
      return {
        node: [inv(p.f)],
        journal: [sal(p.f, breakdown(p.totals))],
        shopify: [ord(p.f, { total: p.f.total + p.totals.discounts })],
      };
    }
    case 'priced_paid_before_tip': {
      // The invoice asked for (and the customer paid) the goods without the tip.
      const p = priced(f);
      const beforeTip = msatFor(f, p.totals.goods);
      return {
        node: [inv(p.f, { amountMsat: beforeTip, amountPaidMsat: beforeTip })],
        journal: [sal(p.f, { ...breakdown(p.totals), amountPaidMsat: beforeTip })],
        shopify: [ord(p.f)],
      };
    }
  }
}

export interface Dataset {
  node: Iterable<NodeInvoice>;
  journal: Iterable<JournalSale>;
  shopify: Iterable<ShopifyOrder>;
  /** Outcome → how many items must have it. */
  expected: Record<Outcome, number>;
  ignoredInvoices: number;
}

/** A dataset of explicit kinds, one item each. */
export function datasetOf(seed: number, kinds: readonly Kind[]): Dataset {
  return dataset(seed, kinds.length, (i) => kinds[i]!);
}

/**
 * `n` items; the kind of item i is `kindOf(i)`. Default: a busy shop's year, 97% plainly matched
 * (one in six cash), the rest spread over every other kind.
 */
export function dataset(seed: number, n: number, kindOf: (i: number) => Kind = busyShop(seed)): Dataset {
  const expected = Object.fromEntries(Object.values(Outcome).map((o) => [o, 0])) as Record<Outcome, number>;
  let ignoredInvoices = 0;
  for (let i = 0; i < n; i++) {
    const kind = kindOf(i);
    for (const e of EXPECTED[kind]) expected[e.outcome]++;
    ignoredInvoices += IGNORED_INVOICES[kind];
  }
  function* source<T>(pick: (it: Item) => T[]): Generator<T> {
    for (let i = 0; i < n; i++) yield* pick(item(seed, i, kindOf(i)));
  }
  return {
    node: { [Symbol.iterator]: () => source((it) => it.node) },
    journal: { [Symbol.iterator]: () => source((it) => it.journal) },
    shopify: { [Symbol.iterator]: () => source((it) => it.shopify) },
    expected,
    ignoredInvoices,
  };
}

export function busyShop(seed: number): (i: number) => Kind {
  const discrepancies = KINDS.filter((k) => k !== 'matched' && k !== 'matched_cash');
  return (i) => {
    const x = rng(seed ^ 0x7f4a7c15, i)();
    if (x < 0.81) return 'matched';
    if (x < 0.97) return 'matched_cash';
    return discrepancies[Math.floor(((x - 0.97) / 0.03) * discrepancies.length)] ?? 'matched';
  };
}
