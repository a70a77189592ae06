import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyPartition, type ClassifyOptions } from './classify.js';
import { openReconcileDb, reconcileAll, type ReconcileDb } from './runner.js';
import type { JournalRefund, ReconcileResult, ShopifyRefund, WalletPayment } from './types.js';

/**
 * Refund reconciliation (issue 14), one example per branch: the refund wallet's outgoing
 * payments ↔ the journal's refunds ↔ Shopify's refunds. Every example runs through both the
 * reference (classify.ts) and the SQL plan on DuckDB, which must give the same items.
 */

let db: ReconcileDb;
beforeAll(async () => {
  db = await openReconcileDb({ threads: 1 });
});
afterAll(() => db.close());

const refund = (over: Partial<JournalRefund> = {}): JournalRefund => ({
  refundId: 'f1',
  saleId: 's1',
  state: 'paid',
  tender: 'lightning',
  paymentHash: 'h1',
  amountMsat: 21_000n,
  amount: 500n,
  currency: 'USD',
  paidAt: 1_000,
  updatedAt: 1_000,
  ...over,
});
const payment = (over: Partial<WalletPayment> = {}): WalletPayment => ({
  paymentHash: 'h1',
  amountMsat: 21_000n,
  paidAt: 1_000,
  ...over,
});
const shopRefund = (over: Partial<ShopifyRefund> = {}): ShopifyRefund => ({
  refundId: 'gid://shopify/Refund/1',
  orderId: 'gid://shopify/Order/1',
  orderName: '#1001',
  tillRefundId: 'f1',
  total: 500n,
  currency: 'USD',
  createdAt: 1_100,
  ...over,
});

interface Case {
  wallet?: WalletPayment[];
  refunds?: JournalRefund[];
  shopifyRefunds?: ShopifyRefund[];
  options?: Omit<ClassifyOptions, 'orders'> & { orders?: boolean };
}

const brief = (r: ReconcileResult) => `${r.outcome}/${r.repair} ${r.detail}`;

/** Both implementations; their results must agree; returns them briefly, sorted. */
async function both(c: Case): Promise<string[]> {
  const input = {
    node: [],
    journal: [],
    shopify: [],
    wallet: c.wallet ?? [],
    refunds: c.refunds ?? [],
    shopifyRefunds: c.shopifyRefunds ?? [],
  };
  const { orders = true, ...rest } = c.options ?? {};
  const reference = classifyPartition(input, { orders, ...rest }).results;
  const sql = (await reconcileAll(db, input, orders, rest)).results;
  const json = (rs: ReconcileResult[]) =>
    rs.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v))).sort();
  expect(json(sql)).toEqual(json(reference));
  return reference.map(brief).sort();
}

describe('refund reconciliation', () => {
  it('matches a paid Lightning refund the wallet paid and Shopify has', async () => {
    expect(await both({ wallet: [payment()], refunds: [refund()], shopifyRefunds: [shopRefund()] })).toEqual([
      'refund_matched/none ',
    ]);
  });

  it('matches a cash refund on Shopify alone (no wallet payment expected)', async () => {
    expect(
      await both({
        refunds: [refund({ tender: 'cash', paymentHash: null, amountMsat: null })],
        shopifyRefunds: [shopRefund()],
      }),
    ).toEqual(['refund_matched/none ']);
  });

  it('flags a wallet payment no refund names — only for the till’s own refund wallet', async () => {
    expect(await both({ wallet: [payment({ paymentHash: 'stray' })] })).toEqual([
      'refund_paid_not_recorded/review_refund paid by the refund wallet; no refund names it',
    ]);
    expect(
      await both({ wallet: [payment({ paymentHash: 'stray' })], options: { wallet: 'shared' } }),
    ).toEqual([]);
  });

  it('flags a payment the wallet made for a refund the journal calls failed, or still paying', async () => {
    expect(await both({ wallet: [payment()], refunds: [refund({ state: 'failed', paidAt: null })] })).toEqual(
      ['refund_paid_not_recorded/review_refund paid by the refund wallet; the refund is failed'],
    );
    expect(await both({ wallet: [payment()], refunds: [refund({ state: 'paying', paidAt: null })] })).toEqual(
      ['refund_paid_not_recorded/review_refund paid by the refund wallet; the refund is still paying'],
    );
  });

  it('flags a refund journaled paid that the wallet never paid', async () => {
    expect(await both({ refunds: [refund()], shopifyRefunds: [shopRefund()] })).toEqual([
      'refund_recorded_not_paid/review_refund journaled paid; the refund wallet has no such payment',
    ]);
  });

  it('flags a refund stuck paying past the grace period, not one still within it', async () => {
    const paying = refund({ state: 'paying', paidAt: null, updatedAt: 1_000 });
    expect(await both({ refunds: [paying], options: { refundCutoff: 2_000 } })).toEqual([
      'refund_recorded_not_paid/review_refund stuck paying; the refund wallet has no such payment',
    ]);
    expect(await both({ refunds: [paying], options: { refundCutoff: 500 } })).toEqual([]);
    expect(await both({ refunds: [paying], options: { refundCutoff: 2_000, wallet: 'unchecked' } })).toEqual([
      'refund_recorded_not_paid/review_refund stuck paying; the refund wallet could not be checked',
    ]);
  });

  it('flags a Shopify refund for a refund that was never paid, and one the journal does not know', async () => {
    expect(
      await both({ refunds: [refund({ state: 'approved', paidAt: null })], shopifyRefunds: [shopRefund()] }),
    ).toEqual(['refund_recorded_not_paid/review_refund refunded in Shopify; the refund is approved']);
    expect(await both({ shopifyRefunds: [shopRefund({ tillRefundId: null })] })).toEqual([
      'refund_paid_not_recorded/review_refund refunded in Shopify; no refund in the journal',
    ]);
  });

  it('flags a paid refund missing in Shopify after the grace period, not before, nor without a store', async () => {
    expect(
      await both({ wallet: [payment()], refunds: [refund()], options: { refundCutoff: 5_000 } }),
    ).toEqual(['refund_missing_in_shopify/review_refund paid; no refund in Shopify']);
    expect(await both({ wallet: [payment()], refunds: [refund()], options: { refundCutoff: 500 } })).toEqual([
      'refund_matched/none paid; not in Shopify yet (grace period)',
    ]);
    expect(await both({ wallet: [payment()], refunds: [refund()], options: { orders: false } })).toEqual([
      'refund_matched/none ',
    ]);
  });

  it('flags amounts that differ between the journal and the wallet, or Shopify', async () => {
    expect(
      await both({
        wallet: [payment({ amountMsat: 22_000n })],
        refunds: [refund()],
        shopifyRefunds: [shopRefund()],
      }),
    ).toEqual(['refund_amount_mismatch/review_amount wallet paid 22 sat, journal says 21 sat']);
    expect(
      await both({ wallet: [payment()], refunds: [refund()], shopifyRefunds: [shopRefund({ total: 400n })] }),
    ).toEqual([
      'refund_amount_mismatch/review_amount Shopify refunded 400 USD, journal says 500 USD (minor units)',
    ]);
  });

  it('says the wallet could not be checked when it cannot list its payments', async () => {
    expect(
      await both({ refunds: [refund()], shopifyRefunds: [shopRefund()], options: { wallet: 'unchecked' } }),
    ).toEqual(['refund_matched/none the refund wallet could not be checked']);
  });

  it('counts a second Shopify refund for one refund as a duplicate', async () => {
    expect(
      await both({
        wallet: [payment()],
        refunds: [refund()],
        shopifyRefunds: [shopRefund(), shopRefund({ refundId: 'gid://shopify/Refund/2' })],
      }),
    ).toEqual([
      'paid_twice/resolve_duplicate a second Shopify refund for one refund',
      'refund_matched/none ',
    ]);
  });
});
