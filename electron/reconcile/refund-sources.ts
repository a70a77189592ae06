import { parseFiat } from '../../shared/money/index.js';
import type { JournalRefund, ShopifyRefund, WalletPayment } from '../../shared/reconcile/types.js';
import type { Db } from '../journal/db.js';
import { WalletCannotList, type RefundWallet, type WalletPaymentRecord } from '../refund-wallet/wallet.js';
import type { ShopifyClient } from '../shopify/client.js';

/**
 * The three refund sources of a reconciliation (issue 14): the journal's refunds, the refund
 * wallet's outgoing payments, and the refunds of the till's Shopify orders.
 */

interface RefundRow {
  id: string;
  sale_id: string;
  state: JournalRefund['state'];
  tender: JournalRefund['tender'];
  payment_hash: string | null;
  amount_msat: bigint | null;
  amount: bigint;
  currency: string;
  paid_at: string | null;
  updated_at: string;
}

/**
 * Refunds that were paid in [from, to), or that last changed in it (a refund still `paying`, or
 * one that failed): read through the reconciliation's own read-only connection (safe integers).
 */
export function* journalRefunds(db: Db, from: Date, to: Date): Generator<JournalRefund[]> {
  const rows = db
    .prepare(
      `SELECT id, sale_id, state, tender, payment_hash, amount_msat, amount, currency, paid_at, updated_at
       FROM refunds WHERE coalesce(paid_at, updated_at) >= ? AND coalesce(paid_at, updated_at) < ?
       ORDER BY id`,
    )
    .iterate(from.toISOString(), to.toISOString()) as IterableIterator<RefundRow>;
  let page: JournalRefund[] = [];
  for (const r of rows) {
    page.push({
      refundId: r.id,
      saleId: r.sale_id,
      state: r.state,
      tender: r.tender,
      paymentHash: r.tender === 'lightning' ? r.payment_hash : null,
      amountMsat: r.amount_msat === null ? null : BigInt(r.amount_msat),
      amount: BigInt(r.amount),
      currency: r.currency,
      paidAt: r.paid_at === null ? null : Date.parse(r.paid_at),
      updatedAt: Date.parse(r.updated_at),
    });
    if (page.length >= 1_000) {
      yield page;
      page = [];
    }
  }
  if (page.length) yield page;
}

/**
 * The refund wallet's outgoing payments in [from, to), or 'unsupported' when the wallet cannot
 * list them (then reconciliation checks Lightning refunds against Shopify only, and says so) —
 * known at once (no listPayments), or from the wallet's first answer (WalletCannotList: an NWC
 * connection allowed to pay but not to list). Any other failure fails the run, with its words.
 */
export async function walletPayments(
  wallet: RefundWallet | null,
  from: Date,
  to: Date,
): Promise<AsyncIterable<WalletPayment[]> | 'unsupported'> {
  if (!wallet?.listPayments) return 'unsupported';
  const listed = wallet.listPayments(from, to);
  if (listed === 'unsupported') return 'unsupported';
  const pages = listed[Symbol.asyncIterator]();
  let first: IteratorResult<WalletPaymentRecord[]>;
  try {
    first = await pages.next();
  } catch (err) {
    if (err instanceof WalletCannotList) return 'unsupported';
    throw err;
  }
  const mapped = (page: WalletPaymentRecord[]): WalletPayment[] =>
    page.map((p) => ({ paymentHash: p.paymentHash, amountMsat: p.amountMsat, paidAt: p.paidAt.getTime() }));
  return (async function* () {
    if (first.done) return;
    yield mapped(first.value);
    for (let next = await pages.next(); !next.done; next = await pages.next()) yield mapped(next.value);
  })();
}

interface RefundsPage {
  orders: {
    nodes: {
      id: string;
      name: string;
      refunds: {
        id: string;
        note: string | null;
        createdAt: string | null;
        totalRefundedSet: { shopMoney: { amount: string; currencyCode: string } };
      }[];
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** Order.refunds(first) and Refund { id note createdAt totalRefundedSet } (Admin 2026-10). */
const REFUNDS = `query TillRefunds($query: String!, $after: String) {
  orders(first: 10, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes {
      id name
      refunds(first: 10) { id note createdAt totalRefundedSet { shopMoney { amount currencyCode } } }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The note refundCreate writes names the till refund (electron/shopify/refunds.ts refundMarker). */
const MARKER = /till refund ([^\s,)]+)/;

/**
 * Refunds of the till's orders created in [from, until): orders updated since `from` (a refund
 * updates its order), their refunds filtered by time. `until` reaches past the period's end by
 * the grace period, so a refund sent to Shopify a little late still meets its journal refund.
 */
export async function* shopifyRefunds(
  client: ShopifyClient,
  from: Date,
  until: Date,
): AsyncGenerator<ShopifyRefund[]> {
  const query = `tag:lightning-till updated_at:>='${from.toISOString()}'`;
  let after: string | null = null;
  for (;;) {
    const page: RefundsPage = await client.request<RefundsPage>(REFUNDS, { query, after }, 320);
    const out: ShopifyRefund[] = [];
    for (const o of page.orders.nodes) {
      for (const r of o.refunds) {
        const at = r.createdAt === null ? NaN : Date.parse(r.createdAt);
        if (!(at >= from.getTime() && at < until.getTime())) continue;
        const money = r.totalRefundedSet.shopMoney;
        out.push({
          refundId: r.id,
          orderId: o.id,
          orderName: o.name,
          tillRefundId: MARKER.exec(r.note ?? '')?.[1] ?? null,
          total: parseFiat(money.amount, money.currencyCode),
          currency: money.currencyCode,
          createdAt: at,
        });
      }
    }
    if (out.length) yield out;
    if (!page.orders.pageInfo.hasNextPage) return;
    after = page.orders.pageInfo.endCursor;
  }
}
