import { describe, expect, it } from 'vitest';
import { classifyPartition, type PartitionInput } from './classify.js';
import { addToSummary, emptySummary, takesMoney } from './types.js';
import type { JournalSale, NodeInvoice, ReconcileResult, ShopifyOrder } from './types.js';

/**
 * One closing-time story per branch of the classifier, written out by hand: the records a till
 * would read, and every field of the item(s) a manager must see. The property tests hold the
 * engine to the classifier; these hold the classifier to what a bookkeeper expects.
 *
 * The sale: $5.00 at 50,000 USD/BTC is 10,000 sat, invoiced at 10:00 for ten minutes and paid
 * at 10:00:20. One sat is worth 0.05 ¢ there, so fiat may differ from the sats by 2 ¢ at most.
 */

const HASH = 'a1'.repeat(32);
const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);
const PAID_AT = T0 + 20_000;
const EXPIRES = T0 + 600_000;
const LATE = EXPIRES + 60_000;
const MSAT = 10_000_000n;

const invoice = (over: Partial<NodeInvoice> = {}): NodeInvoice => ({
  paymentHash: HASH,
  amountMsat: MSAT,
  amountPaidMsat: MSAT,
  state: 'settled',
  createdAt: T0,
  expiresAt: EXPIRES,
  settledAt: PAID_AT,
  ...over,
});

const sale = (over: Partial<JournalSale> = {}): JournalSale => ({
  saleId: 'sale-1',
  number: 1,
  paymentHash: HASH,
  tender: 'lightning',
  state: 'paid',
  total: 500n,
  currency: 'USD',
  amountPaidMsat: MSAT,
  rate: '50000',
  rateSource: 'coingecko',
  paidAt: PAID_AT,
  paidLate: false,
  orderName: '#1001',
  net: 500n,
  tax: 0n,
  tip: 0n,
  discounts: 0n,
  ...over,
});

const cash = (over: Partial<JournalSale> = {}): JournalSale =>
  sale({ tender: 'cash', paymentHash: null, amountPaidMsat: null, rate: null, rateSource: null, ...over });

const order = (over: Partial<ShopifyOrder> = {}): ShopifyOrder => ({
  orderId: 'gid://shopify/Order/1',
  name: '#1001',
  saleId: 'sale-1',
  total: 500n,
  currency: 'USD',
  paymentHash: HASH,
  ...over,
});

const NOTHING: Omit<ReconcileResult, 'outcome' | 'repair' | 'safe' | 'detail'> = {
  saleId: null,
  saleNumber: null,
  paymentHash: null,
  orderId: null,
  orderName: null,
  tender: null,
  saleState: null,
  time: null,
  msat: null,
  fiat: null,
  currency: null,
  rate: null,
  rateSource: null,
  net: null,
  tax: null,
  tip: null,
  discounts: null,
};

/** The item of sale #1 as paid by Lightning with its order, as every field should read. */
const SALE_ITEM = {
  ...NOTHING,
  saleId: 'sale-1',
  saleNumber: 1,
  paymentHash: HASH,
  orderId: 'gid://shopify/Order/1',
  orderName: '#1001',
  tender: 'lightning',
  saleState: 'paid',
  time: PAID_AT,
  msat: MSAT,
  fiat: 500n,
  currency: 'USD',
  rate: '50000',
  rateSource: 'coingecko',
  net: 500n,
  tax: 0n,
  tip: 0n,
  discounts: 0n,
} as const;

const CASH_ITEM = {
  ...SALE_ITEM,
  paymentHash: null,
  tender: 'cash',
  msat: null,
  rate: null,
  rateSource: null,
} as const;

function classify(input: Partial<PartitionInput>, orders = true) {
  return classifyPartition({ node: [], journal: [], shopify: [], ...input }, { orders });
}

const one = (r: ReconcileResult) => ({ results: [r], ignoredInvoices: 0 });

describe('classifier, one story per branch', () => {
  it('a Lightning sale paid, settled on the node and sent to Shopify is matched', () => {
    expect(classify({ node: [invoice()], journal: [sale()], shopify: [order()] })).toEqual(
      one({ ...SALE_ITEM, outcome: 'matched', repair: 'none', safe: true, detail: '' }),
    );
  });

  it('a cash sale with its Shopify order is matched, with no sats', () => {
    const o = order({ paymentHash: null });
    expect(classify({ journal: [cash()], shopify: [o] })).toEqual(
      one({ ...CASH_ITEM, outcome: 'matched', repair: 'none', safe: true, detail: '' }),
    );
  });

  it('a cash sale shows no sats, whatever the journal kept from a Lightning charge abandoned first', () => {
    const s = cash({ paymentHash: HASH, amountPaidMsat: MSAT, rate: '50000' });
    const o = order({ paymentHash: null });
    expect(classify({ journal: [s], shopify: [o] })).toEqual(
      one({
        ...CASH_ITEM,
        paymentHash: HASH,
        rate: '50000',
        outcome: 'matched',
        repair: 'none',
        safe: true,
        detail: '',
      }),
    );
  });

  it('an order Shopify lists by its tag only (no sale id) is still the sale’s, through its payment hash', () => {
    expect(classify({ node: [invoice()], journal: [sale()], shopify: [order({ saleId: null })] })).toEqual(
      one({ ...SALE_ITEM, outcome: 'matched', repair: 'none', safe: true, detail: '' }),
    );
  });

  it('a node listing that repeats a page counts the payment once', () => {
    expect(classify({ node: [invoice(), invoice()], journal: [sale()], shopify: [order()] })).toEqual({
      results: [{ ...SALE_ITEM, outcome: 'matched', repair: 'none', safe: true, detail: '' }],
      ignoredInvoices: 1,
    });
  });

  it('a charge the customer walked away from (invoice expired, sale expired) owes nothing', () => {
    const got = classify({
      node: [invoice({ state: 'expired', amountPaidMsat: null, settledAt: null })],
      journal: [sale({ state: 'expired', paidAt: null, amountPaidMsat: null, orderName: null })],
    });
    expect(got).toEqual(
      one({
        ...SALE_ITEM,
        saleState: 'expired',
        orderId: null,
        orderName: null,
        time: null,
        msat: null,
        outcome: 'matched',
        repair: 'none',
        safe: true,
        detail: 'not paid (expired); nothing owed',
      }),
    );
  });

  it('an invoice nobody paid and no sale names is not an item at all', () => {
    expect(classify({ node: [invoice({ state: 'open', amountPaidMsat: null, settledAt: null })] })).toEqual({
      results: [],
      ignoredInvoices: 1,
    });
  });

  it('a payment on the node that no sale names is to investigate, never repaired automatically', () => {
    // An invoice made by another app on the same node: the amount paid is all the till knows.
    expect(classify({ node: [invoice({ amountPaidMsat: 12_345_000n })] })).toEqual(
      one({
        ...NOTHING,
        paymentHash: HASH,
        tender: 'lightning',
        time: PAID_AT,
        msat: 12_345_000n,
        outcome: 'paid_on_node_no_sale',
        repair: 'investigate_payment',
        safe: false,
        detail: 'settled on the node; no sale names it',
      }),
    );
  });

  it('the node settled in time but the till never marked the sale paid: record the payment (safe)', () => {
    const got = classify({
      node: [invoice()],
      journal: [sale({ state: 'awaiting_payment', paidAt: null, amountPaidMsat: null, orderName: null })],
    });
    expect(got).toEqual(
      one({
        ...SALE_ITEM,
        saleState: 'awaiting_payment',
        orderId: null,
        orderName: null,
        outcome: 'paid_on_node_no_sale',
        repair: 'record_payment',
        safe: true,
        detail: 'settled on the node; sale is awaiting_payment',
      }),
    );
  });

  it('the customer paid after the invoice expired and the sale still says expired: record a late payment (safe)', () => {
    const got = classify({
      node: [invoice({ settledAt: LATE })],
      journal: [sale({ state: 'expired', paidAt: null, amountPaidMsat: null, orderName: null })],
    });
    expect(got).toEqual(
      one({
        ...SALE_ITEM,
        saleState: 'expired',
        orderId: null,
        orderName: null,
        time: LATE,
        outcome: 'paid_after_expiry',
        repair: 'record_late_payment',
        safe: true,
        detail: 'settled after expiry; sale is expired',
      }),
    );
  });

  it('a sale marked paid after expiry but not flagged late is paid after expiry (mark it late, safe)', () => {
    const got = classify({
      node: [invoice({ settledAt: LATE })],
      journal: [sale({ paidAt: LATE })],
      shopify: [order()],
    });
    expect(got).toEqual(
      one({
        ...SALE_ITEM,
        time: LATE,
        outcome: 'paid_after_expiry',
        repair: 'record_late_payment',
        safe: true,
        detail: 'settled after expiry, not journaled as late',
      }),
    );
  });

  it('a late payment journaled as late is acknowledged: matched, not a discrepancy', () => {
    // The till journaled it when it next heard from the node; the item is dated by the journal.
    const got = classify({
      node: [invoice({ settledAt: LATE })],
      journal: [sale({ paidAt: LATE + 5_000, paidLate: true })],
      shopify: [order()],
    });
    expect(got).toEqual(
      one({ ...SALE_ITEM, time: LATE + 5_000, outcome: 'matched', repair: 'none', safe: true, detail: '' }),
    );
  });

  it('an order renamed in Shopify is shown by the name Shopify has now', () => {
    expect(
      classify({ node: [invoice()], journal: [sale()], shopify: [order({ name: 'POS-1001' })] }),
    ).toEqual(
      one({
        ...SALE_ITEM,
        orderName: 'POS-1001',
        outcome: 'matched',
        repair: 'none',
        safe: true,
        detail: '',
      }),
    );
  });

  it('a payment settled exactly at expiry is on time', () => {
    const got = classify({
      node: [invoice({ settledAt: EXPIRES })],
      journal: [sale({ paidAt: EXPIRES })],
      shopify: [order()],
    });
    expect(got).toEqual(
      one({ ...SALE_ITEM, time: EXPIRES, outcome: 'matched', repair: 'none', safe: true, detail: '' }),
    );
  });

  it('a sale marked paid whose invoice the node does not list is to investigate on the node', () => {
    expect(classify({ journal: [sale()], shopify: [order()] })).toEqual(
      one({
        ...SALE_ITEM,
        outcome: 'sale_paid_no_settled_invoice',
        repair: 'investigate_sale',
        safe: false,
        detail: 'marked paid but the node does not list its invoice',
      }),
    );
  });

  it('a sale paid offline whose PIN the companion server has not vouched for yet waits for its proof', () => {
    const offline = sale({ paymentHash: null, offline: 'unproven' });
    expect(classify({ journal: [offline], shopify: [order({ paymentHash: null })] })).toEqual(
      one({
        ...SALE_ITEM,
        paymentHash: null,
        outcome: 'offline_unproven',
        repair: 'await_offline_proof',
        safe: false,
        detail: 'paid offline, PIN checked; the companion server has not confirmed the payment yet',
      }),
    );
  });

  it('a sale paid offline the companion server has no payment for is to investigate', () => {
    const offline = sale({ paymentHash: null, offline: 'no_payment' });
    expect(classify({ journal: [offline], shopify: [order({ paymentHash: null })] })).toEqual(
      one({
        ...SALE_ITEM,
        paymentHash: null,
        outcome: 'offline_no_payment',
        repair: 'investigate_sale',
        safe: false,
        detail: 'paid offline, PIN checked; the companion server has no payment for its link',
      }),
    );
  });

  it('a sale marked paid whose invoice the node says expired is to investigate, showing the journal’s sats', () => {
    const got = classify({
      node: [invoice({ state: 'expired', amountPaidMsat: null, settledAt: null })],
      journal: [sale()],
      shopify: [order()],
    });
    expect(got).toEqual(
      one({
        ...SALE_ITEM,
        outcome: 'sale_paid_no_settled_invoice',
        repair: 'investigate_sale',
        safe: false,
        detail: 'marked paid but the node says expired',
      }),
    );
  });

  it('the journal records other sats than the node paid: review the amount, the node’s figure shown', () => {
    const got = classify({
      node: [invoice()],
      journal: [sale({ amountPaidMsat: MSAT + 7_000n })],
      shopify: [order()],
    });
    expect(got).toEqual(
      one({
        ...SALE_ITEM,
        outcome: 'amount_mismatch',
        repair: 'review_amount',
        safe: false,
        detail: 'node paid 10000 sat, journal says 10007 sat',
      }),
    );
  });

  it('the customer paid less than the invoice asked: underpaid', () => {
    const half = MSAT / 2n;
    const got = classify({
      node: [invoice({ amountPaidMsat: half })],
      journal: [sale({ amountPaidMsat: half })],
      shopify: [order()],
    });
    expect(got).toEqual(
      one({
        ...SALE_ITEM,
        msat: half,
        outcome: 'amount_mismatch',
        repair: 'review_amount',
        safe: false,
        detail: 'underpaid: 5000 sat of 10000 sat',
      }),
    );
  });

  it('the sats are right but worth more than a sat’s rounding away from the sale total: review the amount', () => {
    const got = classify({
      node: [invoice()],
      journal: [sale({ total: 503n })],
      shopify: [order({ total: 503n })],
    });
    expect(got).toEqual(
      one({
        ...SALE_ITEM,
        fiat: 503n,
        outcome: 'amount_mismatch',
        repair: 'review_amount',
        safe: false,
        detail: '10000 sat at 50000 is 500, sale total 503 (minor units, tolerance 2)',
      }),
    );
  });

  it('fiat off by no more than a sat’s worth plus a cent is rounding, not a mismatch', () => {
    const got = classify({
      node: [invoice()],
      journal: [sale({ total: 502n })],
      shopify: [order({ total: 502n })],
    });
    expect(got).toEqual(
      one({ ...SALE_ITEM, fiat: 502n, outcome: 'matched', repair: 'none', safe: true, detail: '' }),
    );
  });

  it('with no locked rate only the sats are compared', () => {
    const got = classify({
      node: [invoice()],
      journal: [sale({ total: 900n, rate: null })],
      shopify: [order({ total: 900n })],
    });
    expect(got).toEqual(
      one({
        ...SALE_ITEM,
        fiat: 900n,
        rate: null,
        outcome: 'matched',
        repair: 'none',
        safe: true,
        detail: '',
      }),
    );
  });

  it('a node that reports no paid amount is taken to have been paid the invoice amount', () => {
    // The journal has no figure either: the sats shown can only be the invoice's.
    const got = classify({
      node: [invoice({ amountPaidMsat: null })],
      journal: [sale({ amountPaidMsat: null })],
      shopify: [order()],
    });
    expect(got).toEqual(one({ ...SALE_ITEM, outcome: 'matched', repair: 'none', safe: true, detail: '' }));
  });

  it('two paid sales claim one payment: the first is matched, the second is paid twice', () => {
    const second = sale({ saleId: 'sale-2', number: 2, orderName: null });
    const got = classify({ node: [invoice()], journal: [second, sale()], shopify: [order()] });
    expect(got).toEqual({
      results: [
        { ...SALE_ITEM, outcome: 'matched', repair: 'none', safe: true, detail: '' },
        {
          ...SALE_ITEM,
          saleId: 'sale-2',
          saleNumber: 2,
          orderId: null,
          orderName: null,
          outcome: 'paid_twice',
          repair: 'resolve_duplicate',
          safe: false,
          detail: 'another paid sale already claims this payment',
        },
      ],
      ignoredInvoices: 0,
    });
  });

  it('the paid sale claims the payment even when an earlier, unpaid sale names the same invoice', () => {
    const earlier = sale({ saleId: 'sale-0', number: 0, state: 'cancelled', paidAt: null, orderName: null });
    const got = classify({ node: [invoice()], journal: [earlier, sale()], shopify: [order()] });
    expect(got.results).toEqual([
      { ...SALE_ITEM, outcome: 'matched', repair: 'none', safe: true, detail: '' },
      {
        ...SALE_ITEM,
        saleState: 'cancelled',
        saleId: 'sale-0',
        saleNumber: 0,
        orderId: null,
        orderName: null,
        time: PAID_AT,
        outcome: 'matched',
        repair: 'none',
        safe: true,
        detail: 'not paid (cancelled); nothing owed',
      },
    ]);
  });

  it('a sale sent to Shopify twice: the second order is paid twice, with that order’s figures', () => {
    const again = order({ orderId: 'gid://shopify/Order/2', name: '#1002', total: 499n, currency: 'EUR' });
    const got = classify({ node: [invoice()], journal: [sale()], shopify: [again, order()] });
    expect(got).toEqual({
      results: [
        { ...SALE_ITEM, outcome: 'matched', repair: 'none', safe: true, detail: '' },
        {
          ...SALE_ITEM,
          orderId: 'gid://shopify/Order/2',
          orderName: '#1002',
          fiat: 499n,
          currency: 'EUR',
          // The sale's breakdown is not this order's.
          net: null,
          tax: null,
          tip: null,
          discounts: null,
          outcome: 'paid_twice',
          repair: 'resolve_duplicate',
          safe: false,
          detail: 'a second Shopify order for sale #1',
        },
      ],
      ignoredInvoices: 0,
    });
  });

  it('a paid Lightning sale never sent to Shopify: queue its order (safe)', () => {
    expect(classify({ node: [invoice()], journal: [sale({ orderName: null })] })).toEqual(
      one({
        ...SALE_ITEM,
        orderId: null,
        orderName: null,
        outcome: 'sale_without_order',
        repair: 'queue_order',
        safe: true,
        detail: 'paid; never sent to Shopify',
      }),
    );
  });

  it('a paid cash sale never sent to Shopify: queue its order (safe)', () => {
    expect(classify({ journal: [cash({ orderName: null })] })).toEqual(
      one({
        ...CASH_ITEM,
        orderId: null,
        orderName: null,
        outcome: 'sale_without_order',
        repair: 'queue_order',
        safe: true,
        detail: 'paid; never sent to Shopify',
      }),
    );
  });

  it('the till created the order and Shopify no longer has it: recreating it is for a person to decide', () => {
    expect(classify({ node: [invoice()], journal: [sale()] })).toEqual(
      one({
        ...SALE_ITEM,
        orderId: null,
        outcome: 'sale_without_order',
        repair: 'recreate_order',
        safe: false,
        detail: 'the till created #1001; Shopify no longer has it',
      }),
    );
  });

  it('without a Shopify store connected, a paid sale with no order is matched', () => {
    expect(classify({ node: [invoice()], journal: [sale({ orderName: null })] }, false)).toEqual(
      one({
        ...SALE_ITEM,
        orderId: null,
        orderName: null,
        outcome: 'matched',
        repair: 'none',
        safe: true,
        detail: '',
      }),
    );
  });

  it('a Shopify order no sale in the journal backs: review it, with the order’s figures', () => {
    expect(classify({ shopify: [order({ total: 750n })] })).toEqual(
      one({
        ...NOTHING,
        saleId: 'sale-1',
        paymentHash: HASH,
        orderId: 'gid://shopify/Order/1',
        orderName: '#1001',
        fiat: 750n,
        currency: 'USD',
        outcome: 'order_without_sale',
        repair: 'review_order',
        safe: false,
        detail: 'no sale in the journal for this order',
      }),
    );
  });

  it('an order carrying neither sale id nor payment hash joins nothing: review it', () => {
    const o = order({ saleId: null, paymentHash: null });
    expect(classify({ journal: [cash()], shopify: [o] })).toEqual({
      results: [
        {
          ...CASH_ITEM,
          orderId: null,
          outcome: 'sale_without_order',
          repair: 'recreate_order',
          safe: false,
          detail: 'the till created #1001; Shopify no longer has it',
        },
        {
          ...NOTHING,
          orderId: 'gid://shopify/Order/1',
          orderName: '#1001',
          fiat: 500n,
          currency: 'USD',
          outcome: 'order_without_sale',
          repair: 'review_order',
          safe: false,
          detail: 'no sale in the journal for this order',
        },
      ],
      ignoredInvoices: 0,
    });
  });

  it('an order exists for a sale that was never paid: review the order', () => {
    const got = classify({
      node: [invoice({ state: 'expired', amountPaidMsat: null, settledAt: null })],
      journal: [sale({ state: 'expired', paidAt: null, amountPaidMsat: null })],
      shopify: [order()],
    });
    expect(got).toEqual(
      one({
        ...SALE_ITEM,
        saleState: 'expired',
        time: null,
        msat: null,
        outcome: 'order_without_sale',
        repair: 'review_order',
        safe: false,
        detail: 'order exists but the sale is expired',
      }),
    );
  });

  it('the Shopify order’s total differs from the sale: correct the order', () => {
    expect(classify({ node: [invoice()], journal: [sale()], shopify: [order({ total: 600n })] })).toEqual(
      one({
        ...SALE_ITEM,
        outcome: 'order_total_differs',
        repair: 'correct_order',
        safe: false,
        detail: 'order 600 USD, sale 500 USD (minor units)',
      }),
    );
  });

  /**
   * The same $5.00, priced: $4.50 of goods less $0.50 of discounts, $0.35 of sales tax added
   * (goods $4.35) and a $0.65 tip; net $4.65 (the tip included) + tax $0.35 = $5.00.
   */
  const PRICED = { net: 465n, tax: 35n, tip: 65n, discounts: 50n } as const;

  it('a taxed, discounted, tipped sale whose Shopify order carries the same total is matched, its breakdown kept', () => {
    expect(
      classify({ node: [invoice()], journal: [sale(PRICED)], shopify: [order({ total: 500n })] }),
    ).toEqual(one({ ...SALE_ITEM, ...PRICED, outcome: 'matched', repair: 'none', safe: true, detail: '' }));
  });

  it('a priced sale whose order lost a tax line or the discount: the order’s total differs', () => {
    for (const [lost, total] of [
      ['tax', 465n],
      ['discount', 550n],
    ] as const) {
      expect(
        classify({ node: [invoice()], journal: [sale(PRICED)], shopify: [order({ total })] }),
        lost,
      ).toEqual(
        one({
          ...SALE_ITEM,
          ...PRICED,
          outcome: 'order_total_differs',
          repair: 'correct_order',
          safe: false,
          detail: `order ${total} USD, sale 500 USD (minor units)`,
        }),
      );
    }
  });

  it('a priced Lightning sale whose invoice asked (and got) the amount before the tip: review the amount', () => {
    // $4.35 at 50,000 USD/BTC is 8,700 sat.
    const beforeTip = 8_700_000n;
    expect(
      classify({
        node: [invoice({ amountMsat: beforeTip, amountPaidMsat: beforeTip })],
        journal: [sale({ ...PRICED, amountPaidMsat: beforeTip })],
        shopify: [order()],
      }),
    ).toEqual(
      one({
        ...SALE_ITEM,
        ...PRICED,
        msat: beforeTip,
        outcome: 'amount_mismatch',
        repair: 'review_amount',
        safe: false,
        detail: '8700 sat at 50000 is 435, sale total 500 (minor units, tolerance 2)',
      }),
    );
  });

  it('the Shopify order is in another currency than the sale: correct the order', () => {
    expect(classify({ node: [invoice()], journal: [sale()], shopify: [order({ currency: 'EUR' })] })).toEqual(
      one({
        ...SALE_ITEM,
        outcome: 'order_total_differs',
        repair: 'correct_order',
        safe: false,
        detail: 'order 500 EUR, sale 500 USD (minor units)',
      }),
    );
  });
});

describe('the totals per outcome are money that moved', () => {
  it('a cancelled ten-billion-dollar cart nobody paid is matched, counted as not paid, and in no total', () => {
    const cart = 1_000_000_000_000n; // $10,000,000,000.00
    const bigHash = 'b2'.repeat(32);
    const got = classify({
      node: [
        invoice(),
        // Its invoice was cancelled with the sale; the other cart's expired unpaid.
        invoice({
          paymentHash: bigHash,
          amountMsat: 10n ** 18n,
          amountPaidMsat: null,
          state: 'cancelled',
          settledAt: null,
        }),
      ],
      journal: [
        sale(),
        cash({ saleId: 'sale-2', number: 2, total: 300n, orderName: '#1002' }),
        sale({
          saleId: 'sale-3',
          number: 3,
          paymentHash: bigHash,
          state: 'cancelled',
          total: cart,
          paidAt: null,
          amountPaidMsat: null,
          orderName: null,
        }),
        cash({ saleId: 'sale-4', number: 4, state: 'cancelled', total: cart, paidAt: null, orderName: null }),
        // An unpaid sale naming the invoice another (paid) sale claims: its sats are that sale's.
        sale({ saleId: 'sale-0', number: 0, state: 'expired', total: cart, paidAt: null, orderName: null }),
      ],
      shopify: [
        order(),
        order({
          orderId: 'gid://shopify/Order/2',
          name: '#1002',
          saleId: 'sale-2',
          total: 300n,
          paymentHash: null,
        }),
      ],
    });
    const unpaid = got.results
      .filter((r) => r.saleState !== 'paid')
      .sort((a, b) => (a.saleNumber ?? 0) - (b.saleNumber ?? 0));
    expect(unpaid.map((r) => [r.saleNumber, r.outcome, r.fiat])).toEqual([
      [0, 'matched', cart],
      [3, 'matched', cart],
      [4, 'matched', cart],
    ]);

    const summary = emptySummary();
    for (const r of got.results) addToSummary(summary, r);
    expect(summary.items).toBe(5);
    expect(summary.outcomes.matched).toEqual({ count: 5, unpaid: 3, msat: MSAT, fiat: { USD: 800n } });
    for (const r of got.results) expect(takesMoney(r)).toBe(r.saleState === 'paid');
  });

  it('a payment the node settled for an unpaid sale is money, in its own outcome’s totals', () => {
    const got = classify({
      node: [invoice({ settledAt: LATE })],
      journal: [sale({ state: 'expired', paidAt: null, amountPaidMsat: null, orderName: null })],
    });
    const summary = emptySummary();
    for (const r of got.results) addToSummary(summary, r);
    expect(summary.outcomes.paid_after_expiry).toEqual({
      count: 1,
      unpaid: 0,
      msat: MSAT,
      fiat: { USD: 500n },
    });
    expect(summary.outcomes.matched).toEqual({ count: 0, unpaid: 0, msat: 0n, fiat: {} });
  });
});
