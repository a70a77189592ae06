import type { SaleState, Tender } from '../domain/index.js';

/**
 * The records reconciliation reads, one per source (a table each in plan.ts). They carry only
 * what classification needs.
 * Money is bigint (msat, fiat minor units); times are epoch milliseconds.
 */

/** As electron/lightning/backend.ts states it (shared/ cannot import electron/). */
export type InvoiceState = 'open' | 'settled' | 'expired' | 'cancelled';

/** One invoice as the Lightning backend lists it (LightningBackend.listInvoices). */
export interface NodeInvoice {
  paymentHash: string;
  amountMsat: bigint;
  amountPaidMsat: bigint | null;
  state: InvoiceState;
  createdAt: number;
  expiresAt: number;
  settledAt: number | null;
  /** The till that marked it (several tills on one node); null or absent when none did. */
  till?: string | null;
}

/** One sale from the journal, with the invoice that paid it (or the latest one issued). */
export interface JournalSale {
  saleId: string;
  number: number;
  /** The paid invoice's hash for Lightning (the latest issued while unpaid); null for cash. */
  paymentHash: string | null;
  tender: Tender;
  state: SaleState;
  /** Minor units of `currency`. */
  total: bigint;
  currency: string;
  amountPaidMsat: bigint | null;
  /** Fiat major units per BTC as locked when the invoice was issued (decimal string). */
  rate: string | null;
  rateSource: string | null;
  paidAt: number | null;
  paidLate: boolean;
  orderName: string | null;
  /**
   * The sale's price breakdown as journaled (shared/domain `Pricing.totals`), minor units: net +
   * tax = total; `tip` is in the total, `discounts` were taken off before it. A sale from before
   * pricing reads as no tax, no tip, no discount (net = total). Carried to the results for the
   * export; classification compares `total`, which already includes tax and tip after discounts.
   */
  net: bigint;
  tax: bigint;
  tip: bigint;
  discounts: bigint;
  /**
   * Paid offline (issue 17) and not proven yet: `unproven` while the companion server has not
   * confirmed the payment its PIN vouched for, `no_payment` when it answered that it has none.
   * A proven one is an ordinary Lightning sale of the hash the companion reported. Null or
   * absent: not an offline sale, or a proven one.
   */
  offline?: OfflineProof | null;
}

export type OfflineProof = 'unproven' | 'no_payment';

/** One Shopify order the till created (found by the lightning_till.sale_id metafield or tag). */
export interface ShopifyOrder {
  orderId: string;
  name: string;
  /** The lightning_till.sale_id metafield; null when only the tag identifies the order. */
  saleId: string | null;
  /**
   * Shopify's `totalPriceSet` (shop money), minor units of `currency`: "includes taxes and
   * discounts", and the tip (a custom line) — comparable with the sale's priced total.
   */
  total: bigint;
  currency: string;
  /** The payment_hash custom attribute (Lightning orders only). */
  paymentHash: string | null;
  /** The till_id custom attribute: the till that sold it; null or absent when none. */
  till?: string | null;
}

/** One outgoing payment of the refund wallet (RefundWallet.listPayments). */
export interface WalletPayment {
  paymentHash: string;
  amountMsat: bigint;
  paidAt: number;
}

export type RefundState = 'requested' | 'approved' | 'paying' | 'paid' | 'failed';

/** One refund from the journal (electron/checkout/refunds.ts). */
export interface JournalRefund {
  refundId: string;
  saleId: string;
  state: RefundState;
  tender: Tender;
  /** The refund invoice's hash (Lightning); null for cash. */
  paymentHash: string | null;
  amountMsat: bigint | null;
  /** Minor units of `currency`: what goes back. */
  amount: bigint;
  currency: string;
  paidAt: number | null;
  /** When the refund last changed state (a `paying` one older than the grace period is stuck). */
  updatedAt: number;
}

/** One refund of a till order in Shopify (its note names the till's refund: refundMarker). */
export interface ShopifyRefund {
  refundId: string;
  orderId: string;
  orderName: string;
  /** The till refund id from the note (`till refund <id>`); null for a refund made in Shopify. */
  tillRefundId: string | null;
  /** Minor units of `currency` (totalRefundedSet, shop money). */
  total: bigint;
  currency: string;
  createdAt: number;
}

/** Exactly one per item (a sale, or a payment / order that no sale accounts for). */
export const Outcome = {
  Matched: 'matched',
  PaidOnNodeNoSale: 'paid_on_node_no_sale',
  SalePaidNoSettledInvoice: 'sale_paid_no_settled_invoice',
  AmountMismatch: 'amount_mismatch',
  PaidAfterExpiry: 'paid_after_expiry',
  PaidTwice: 'paid_twice',
  SaleWithoutOrder: 'sale_without_order',
  OrderWithoutSale: 'order_without_sale',
  OrderTotalDiffers: 'order_total_differs',
  /** Refunds (issue 14): journal, refund wallet and Shopify agree. */
  RefundMatched: 'refund_matched',
  /** The refund wallet paid out, or Shopify refunded, what no paid refund in the journal accounts for. */
  RefundPaidNotRecorded: 'refund_paid_not_recorded',
  /** The journal says paid (or is stuck paying) and the refund wallet has no such payment. */
  RefundRecordedNotPaid: 'refund_recorded_not_paid',
  /** A paid refund Shopify does not have, past the grace period. */
  RefundMissingInShopify: 'refund_missing_in_shopify',
  /** A refund's amount differs between the journal and the wallet or Shopify. */
  RefundAmountMismatch: 'refund_amount_mismatch',
  /** Offline (issue 17): the PIN was right, the companion server has not confirmed the payment yet. */
  OfflineUnproven: 'offline_unproven',
  /** Offline: the PIN was taken but the companion server has no payment for its link. */
  OfflineNoPayment: 'offline_no_payment',
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];
export const OUTCOMES: readonly Outcome[] = Object.values(Outcome);
/** The refund outcomes (issue 14): a refund's items, not a sale's. */
export const REFUND_OUTCOMES: readonly Outcome[] = [
  Outcome.RefundMatched,
  Outcome.RefundPaidNotRecorded,
  Outcome.RefundRecordedNotPaid,
  Outcome.RefundMissingInShopify,
  Outcome.RefundAmountMismatch,
];

/** What a manager is offered for an outcome. Only `safe` repairs run with one action. */
export const Repair = {
  None: 'none',
  /** Mark the sale paid from the node's settlement (journaled; the order is queued after). */
  RecordPayment: 'record_payment',
  /** Mark the sale paid late: the invoice settled after its expiry. */
  RecordLatePayment: 'record_late_payment',
  /** Put the sale's order in the Shopify outbox (the outbox checks orderByIdentifier first). */
  QueueOrder: 'queue_order',
  /** The order was created once and Shopify no longer has it: deleted there on purpose? */
  RecreateOrder: 'recreate_order',
  /** A payment no sale accounts for: find the customer, refund or ring up a sale by hand. */
  InvestigatePayment: 'investigate_payment',
  /** The journal says paid but the node has no settlement: check the node before anything else. */
  InvestigateSale: 'investigate_sale',
  /** Amounts disagree: compare the receipt with the node and Shopify by hand. */
  ReviewAmount: 'review_amount',
  /** One payment counted twice (two sales, or two orders for one sale): refund or void one. */
  ResolveDuplicate: 'resolve_duplicate',
  /** A Shopify order no paid sale backs: cancel it in Shopify or find its sale. */
  ReviewOrder: 'review_order',
  /** The Shopify order's total differs from the sale: edit the order in Shopify. */
  CorrectOrder: 'correct_order',
  /** A refund the sources disagree on: compare the journal, the refund wallet and Shopify by hand. */
  ReviewRefund: 'review_refund',
  /** Paid offline, not proven yet: the till asks the companion server again by itself. */
  AwaitOfflineProof: 'await_offline_proof',
} as const;
export type Repair = (typeof Repair)[keyof typeof Repair];

/** Safe repairs cannot lose or invent money: they only journal what the node already says. */
export const SAFE_REPAIRS: Readonly<Record<Repair, boolean>> = {
  none: true,
  record_payment: true,
  record_late_payment: true,
  queue_order: true,
  recreate_order: false,
  investigate_payment: false,
  investigate_sale: false,
  review_amount: false,
  resolve_duplicate: false,
  review_order: false,
  correct_order: false,
  review_refund: false,
  await_offline_proof: false,
};

export interface ReconcileResult {
  outcome: Outcome;
  repair: Repair;
  safe: boolean;
  saleId: string | null;
  saleNumber: number | null;
  paymentHash: string | null;
  orderId: string | null;
  orderName: string | null;
  tender: Tender | null;
  /** The sale's state in the journal (`paid`, `cancelled`, `expired`, …); null when no sale. */
  saleState: SaleState | null;
  /** When the money moved (paid / settled), else when known; epoch ms. */
  time: number | null;
  /** Sats as the node reports them paid (else as the journal does), in msat. */
  msat: bigint | null;
  /** The sale total (or the order's, for an order no sale backs), minor units of `currency`. */
  fiat: bigint | null;
  currency: string | null;
  rate: string | null;
  rateSource: string | null;
  /** The sale's price breakdown (`JournalSale`), minor units of `currency`; null without a sale. */
  net: bigint | null;
  tax: bigint | null;
  tip: bigint | null;
  discounts: bigint | null;
  /** One line for a person: what disagrees, with the figures. */
  detail: string;
}

export interface OutcomeTotals {
  count: number;
  /**
   * Items in `count` whose amounts are not money taken (see `takesMoney`) and so are not in
   * `msat` / `fiat`: sales cancelled, expired or never paid, whose invoice nobody paid.
   */
  unpaid: number;
  /** Only money that moved: paid sales, settled payments, Shopify orders. */
  msat: bigint;
  /** Per currency, minor units; only money that moved, as `msat`. */
  fiat: Record<string, bigint>;
}

export interface ReconcileSummary {
  outcomes: Record<Outcome, OutcomeTotals>;
  /** Items classified: one result each. */
  items: number;
  /** Node invoices never paid and claimed by no sale (other apps, abandoned charges): not items. */
  ignoredInvoices: number;
  records: { node: number; journal: number; shopify: number };
}

export function emptySummary(): ReconcileSummary {
  const outcomes = Object.fromEntries(
    OUTCOMES.map((o) => [o, { count: 0, unpaid: 0, msat: 0n, fiat: {} } satisfies OutcomeTotals]),
  ) as Record<Outcome, OutcomeTotals>;
  return { outcomes, items: 0, ignoredInvoices: 0, records: { node: 0, journal: 0, shopify: 0 } };
}

/**
 * Whether an item's amounts are money taken. Not for a sale nobody paid (cancelled, expired,
 * still awaiting payment) that is `matched` — nothing disagrees, but its cart total is not money:
 * its invoice never settled (a settled one is _Paid on node, no sale_ or _Paid after expiry_).
 * Every other outcome has money behind it: a paid sale, a settled payment or a Shopify order.
 */
export function takesMoney(r: Pick<ReconcileResult, 'outcome' | 'saleState'>): boolean {
  return !(r.outcome === Outcome.Matched && r.saleState !== null && r.saleState !== 'paid');
}

export function addToSummary(summary: ReconcileSummary, r: ReconcileResult): void {
  const t = summary.outcomes[r.outcome];
  t.count += 1;
  summary.items += 1;
  if (!takesMoney(r)) {
    t.unpaid += 1;
    return;
  }
  if (r.msat !== null) t.msat += r.msat;
  if (r.fiat !== null && r.currency !== null) t.fiat[r.currency] = (t.fiat[r.currency] ?? 0n) + r.fiat;
}
