import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { fiatToMsat } from '../money/index.js';
import { classifyPartition } from './classify.js';
import { openReconcileDb, reconcileAll, reconcileOnDuckDB, ReconcileAbortedError } from './runner.js';
import {
  EXPECTED,
  IGNORED_INVOICES,
  KINDS,
  dataset,
  datasetOf,
  item,
  type Kind,
} from './test-support/generate.js';
import {
  OUTCOMES,
  REFUND_OUTCOMES,
  Repair,
  SAFE_REPAIRS,
  addToSummary,
  emptySummary,
  type JournalRefund,
  type JournalSale,
  type NodeInvoice,
  type ReconcileResult,
  type ShopifyOrder,
  type ShopifyRefund,
  type WalletPayment,
} from './types.js';

/**
 * The SQL plan on DuckDB against the pure classifier (classify.ts): two implementations of one
 * specification, held to the same results item for item, on arbitrary inputs whose keys
 * collide, at any thread count, and with a memory limit small enough to make DuckDB spill.
 */

const dirs: string[] = [];
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'reconcile-duck-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const text = (r: ReconcileResult): string =>
  JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
/** Results in a canonical order: SQL gives no order within a run's items, nor must it. */
const canonical = (rs: readonly ReconcileResult[]): string[] => rs.map(text).sort();

/** A generated dataset's sources as arrays (they are generated lazily, item by item). */
const arrays = (d: {
  node: Iterable<NodeInvoice>;
  journal: Iterable<JournalSale>;
  shopify: Iterable<ShopifyOrder>;
}) => ({
  node: [...d.node],
  journal: [...d.journal],
  shopify: [...d.shopify],
});

function referenceSummary(results: readonly ReconcileResult[]) {
  const s = emptySummary();
  for (const r of results) addToSummary(s, r);
  return s;
}

// Arbitrary records whose keys come from small pools, so they collide: several invoices for one
// hash (a repeated page), sales and orders sharing hashes and ids, cash and Lightning mixed, every
// state, names that only differ in order of bytes, text with tabs, quotes and newlines.
const hashes = fc.constantFrom('aa', 'bb', 'cc', 'dd', 'ee', 'ff', 'a\tb', 'ü', "o'q");
const saleIds = fc.constantFrom('s1', 's2', 's3', 's4', 's5');
const invoiceArb: fc.Arbitrary<NodeInvoice> = fc.record({
  paymentHash: hashes,
  amountMsat: fc.bigInt({ min: 1000n, max: 5_000_000n }),
  amountPaidMsat: fc.option(fc.bigInt({ min: 0n, max: 5_000_000n })),
  state: fc.constantFrom('open', 'settled', 'expired', 'cancelled'),
  createdAt: fc.integer({ min: 0, max: 1_000 }),
  expiresAt: fc.integer({ min: 0, max: 2_000 }),
  settledAt: fc.option(fc.integer({ min: 0, max: 3_000 })),
});
const saleArb: fc.Arbitrary<JournalSale> = fc.record({
  saleId: saleIds,
  number: fc.integer({ min: 1, max: 50 }),
  paymentHash: fc.option(hashes),
  tender: fc.constantFrom('lightning', 'cash'),
  state: fc.constantFrom('open', 'awaiting_payment', 'paid', 'expired', 'cancelled'),
  total: fc.bigInt({ min: 0n, max: 100_000n }),
  currency: fc.constantFrom('USD', 'EUR', 'JPY', 'KWD'),
  amountPaidMsat: fc.option(fc.bigInt({ min: 0n, max: 5_000_000n })),
  // Rates whose one-sat tolerance and half-even rounding land on every side of a boundary.
  rate: fc.option(fc.constantFrom('65000.12', '1', '9000000', '100000', ' 42.5 ', '0.000001', '123456.789')),
  rateSource: fc.option(fc.constantFrom('coingecko', 'manual', 'tab\there')),
  paidAt: fc.option(fc.integer({ min: 0, max: 3_000 })),
  paidLate: fc.boolean(),
  orderName: fc.option(fc.constantFrom('#1001', '#1002', 'new\nline', "it's")),
  net: fc.bigInt({ min: 0n, max: 100_000n }),
  tax: fc.bigInt({ min: 0n, max: 10_000n }),
  tip: fc.bigInt({ min: 0n, max: 10_000n }),
  discounts: fc.bigInt({ min: 0n, max: 10_000n }),
  offline: fc.constantFrom(null, null, null, 'unproven' as const, 'no_payment' as const),
});
const orderArb: fc.Arbitrary<ShopifyOrder> = fc.record({
  orderId: fc.constantFrom('o1', 'o2', 'o3', 'o4'),
  name: fc.constantFrom('#1001', '#1002', '#1003', '\\odd', '#10010'),
  saleId: fc.option(saleIds),
  total: fc.bigInt({ min: 0n, max: 100_000n }),
  currency: fc.constantFrom('USD', 'EUR'),
  paymentHash: fc.option(hashes),
});
// Refunds whose hashes, refund ids and Shopify refund ids collide: a wallet listing a hash twice,
// two refunds of one hash or one id, Shopify refunds naming no refund, one refund or another's.
const refundHashes = fc.constantFrom('r1', 'r2', 'r3', 'aa', "r'4");
const refundIds = fc.constantFrom('f1', 'f2', 'f3', 'f4');
const walletArb: fc.Arbitrary<WalletPayment> = fc.record({
  paymentHash: refundHashes,
  amountMsat: fc.bigInt({ min: 1n, max: 3_000_000n }),
  paidAt: fc.integer({ min: 0, max: 3_000 }),
});
const refundArb: fc.Arbitrary<JournalRefund> = fc.record({
  refundId: refundIds,
  saleId: saleIds,
  state: fc.constantFrom('requested', 'approved', 'paying', 'paid', 'failed'),
  tender: fc.constantFrom('lightning', 'cash'),
  paymentHash: fc.option(refundHashes),
  amountMsat: fc.option(fc.bigInt({ min: 1n, max: 3_000_000n })),
  amount: fc.bigInt({ min: 0n, max: 10_000n }),
  currency: fc.constantFrom('USD', 'EUR'),
  paidAt: fc.option(fc.integer({ min: 0, max: 3_000 })),
  updatedAt: fc.integer({ min: 0, max: 3_000 }),
});
const shopifyRefundArb: fc.Arbitrary<ShopifyRefund> = fc.record({
  refundId: fc.constantFrom('g1', 'g2', 'g3'),
  orderId: fc.constantFrom('o1', 'o2'),
  orderName: fc.constantFrom('#1001', "it's"),
  tillRefundId: fc.option(fc.constantFrom('f1', 'f2', 'f3', 'f9')),
  total: fc.bigInt({ min: 0n, max: 10_000n }),
  currency: fc.constantFrom('USD', 'EUR'),
  createdAt: fc.integer({ min: 0, max: 3_000 }),
});
const inputArb = fc.record({
  node: fc.array(invoiceArb, { maxLength: 40 }),
  journal: fc.array(saleArb, { maxLength: 40 }),
  shopify: fc.array(orderArb, { maxLength: 40 }),
  wallet: fc.array(walletArb, { maxLength: 12 }),
  refunds: fc.array(refundArb, { maxLength: 12 }),
  shopifyRefunds: fc.array(shopifyRefundArb, { maxLength: 12 }),
});
const refundOptionsArb = fc.record({
  wallet: fc.constantFrom<'own' | 'shared' | 'unchecked'>('own', 'shared', 'unchecked'),
  refundCutoff: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }),
});

/** fast-check prints its seed and path with any counterexample; FC_SEED replays one. */
const seeded = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
});

const expectedOf = (kind: Kind): string[] =>
  EXPECTED[kind].map((e) => `${e.outcome}/${e.repair}/${SAFE_REPAIRS[e.repair]}`).sort();

/** Each planted item's results (outcome/repair/safe, sorted), in item order, by the ids they name. */
function perItem(seed: number, kinds: readonly Kind[], results: readonly ReconcileResult[]): string[][] {
  const owner = new Map<string, number>();
  kinds.forEach((kind, i) => {
    const it = item(seed, i, kind);
    for (const id of [
      ...it.node.map((n) => n.paymentHash),
      ...it.journal.flatMap((s) => [s.paymentHash, s.saleId]),
      ...it.shopify.flatMap((o) => [o.paymentHash, o.saleId, o.orderId]),
    ])
      if (id !== null) owner.set(id, i);
  });
  const got: string[][] = kinds.map(() => []);
  for (const r of results) {
    const i = [r.paymentHash, r.saleId, r.orderId]
      .map((id) => (id === null ? undefined : owner.get(id)))
      .find((x) => x !== undefined);
    if (i === undefined) throw new Error(`a result no planted item accounts for: ${text(r)}`);
    got[i]!.push(`${r.outcome}/${r.repair}/${r.safe}`);
  }
  return got.map((g) => g.sort());
}

describe('reconciliation on DuckDB', () => {
  it('gives the reference classifier’s results item for item, for any input, thread count and plan', async () => {
    // One database for every run (opening one costs more than a run): emptied, threads set.
    const db = await openReconcileDb();
    onTestFinished(() => db.close());
    await fc.assert(
      fc.asyncProperty(
        inputArb,
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        refundOptionsArb,
        fc.boolean(),
        async (input, threads, orders, refundOptions, inSteps) => {
          const expected = classifyPartition(input, { orders, ...refundOptions });
          await db.connection.run(`SET threads = ${threads}`);
          // Both shapes of the plan: the sales' joins in one pass, or in steps (plan.ts).
          const got = await reconcileAll(db, input, orders, { ...refundOptions, inSteps });
          expect(canonical(got.results)).toEqual(canonical(expected.results));
          expect(got.summary.ignoredInvoices).toBe(expected.ignoredInvoices);
          expect(got.summary.items).toBe(expected.results.length);
          expect(got.summary.outcomes).toEqual(referenceSummary(expected.results).outcomes);
          expect(got.summary.records).toEqual({
            node: input.node.length,
            journal: input.journal.length,
            shopify: input.shopify.length,
          });
        },
      ),
      seeded(60),
    );
  }, 180_000);

  it('agrees with the reference on the fiat tolerance at its edges, in exact integers', async () => {
    // One paid sale and its settled invoice, the sats a few sats either side of the total at
    // the locked rate: the one-sat-plus-one-minor-unit tolerance and half-even rounding decide.
    const db = await openReconcileDb({ threads: 1 });
    onTestFinished(() => db.close());
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('USD', 'JPY', 'KWD', 'EUR'),
        fc.constantFrom('65000.12', '1', '9000000', '100000', '0.000001', '123456.789', '70000'),
        fc.bigInt({ min: 1n, max: 10_000_000n }),
        fc.bigInt({ min: -3_000n, max: 3_000n }),
        async (currency, rate, total, delta) => {
          const exact = fiatToMsat(total, currency, rate, 'half-even') + delta;
          // No payment is more than the 21 million BTC there are (msat are BIGINT columns).
          fc.pre(exact <= 21_000_000n * 100_000_000_000n);
          const paid = exact < 1n ? 1n : exact;
          const input = {
            node: [
              {
                paymentHash: 'ab',
                amountMsat: paid,
                amountPaidMsat: paid,
                state: 'settled' as const,
                createdAt: 0,
                expiresAt: 10,
                settledAt: 5,
              },
            ],
            journal: [
              {
                saleId: 's1',
                number: 1,
                paymentHash: 'ab',
                tender: 'lightning' as const,
                state: 'paid' as const,
                total,
                currency,
                amountPaidMsat: paid,
                rate,
                rateSource: 'x',
                paidAt: 5,
                paidLate: false,
                orderName: null,
                net: total,
                tax: 0n,
                tip: 0n,
                discounts: 0n,
              },
            ],
            shopify: [],
          };
          const expected = classifyPartition(input, { orders: false });
          const got = await reconcileAll(db, input, false);
          expect(canonical(got.results)).toEqual(canonical(expected.results));
        },
      ),
      seeded(60),
    );
  }, 120_000);

  it('rounds the paid sats to fiat half-even at an exact tie, as money/index.ts does', async () => {
    // 2,500,000 sat at 1 USD/BTC is exactly 2.5 ¢: half-even says 2 ¢, within the 2 ¢ tolerance
    // of a 0 ¢ total; half-up would say 3 ¢ and call it a mismatch.
    const paid = 2_500_000_000n;
    const input = {
      node: [
        {
          paymentHash: 'ab',
          amountMsat: paid,
          amountPaidMsat: paid,
          state: 'settled' as const,
          createdAt: 0,
          expiresAt: 10,
          settledAt: 5,
        },
      ],
      journal: [
        {
          saleId: 's1',
          number: 1,
          paymentHash: 'ab',
          tender: 'lightning' as const,
          state: 'paid' as const,
          total: 0n,
          currency: 'USD',
          amountPaidMsat: paid,
          rate: '1',
          rateSource: 'x',
          paidAt: 5,
          paidLate: false,
          orderName: null,
          net: 0n,
          tax: 0n,
          tip: 0n,
          discounts: 0n,
        },
      ],
      shopify: [],
    };
    const expected = classifyPartition(input, { orders: false });
    expect(expected.results.map((r) => r.outcome)).toEqual(['matched']);
    const got = await reconcileOnDuckDB(input, { orders: false, threads: 1 });
    expect(canonical(got.results)).toEqual(canonical(expected.results));

    // 3,500,000 sat is exactly 3.5 ¢: half-even says 4 ¢, within 2 ¢ of a 6 ¢ total; rounding
    // a tie down would say 3 ¢ and call it a mismatch.
    const odd = 3_500_000_000n;
    const tie = {
      ...input,
      node: [{ ...input.node[0]!, amountMsat: odd, amountPaidMsat: odd }],
      journal: [{ ...input.journal[0]!, amountPaidMsat: odd, total: 6n }],
    };
    const expectedOdd = classifyPartition(tie, { orders: false });
    expect(expectedOdd.results.map((r) => r.outcome)).toEqual(['matched']);
    const gotOdd = await reconcileOnDuckDB(tie, { orders: false, threads: 1 });
    expect(canonical(gotOdd.results)).toEqual(canonical(expectedOdd.results));
  });

  it('spills to its temp directory to stay under a small memory limit, with the same results', async () => {
    // 40,000 items in 64 MB on one thread do not fit: without a temp directory DuckDB gives up;
    // with one it spills and gives the reference's results. In one pass the sales' two joins
    // hold both hash tables at once and run out even spilling, so the run goes on with the joins
    // in steps (each spills alone). (Measured: at 96 MB one pass fits, spilling.)
    const data = arrays(dataset(11, 40_000));
    await expect(
      reconcileOnDuckDB(data, { threads: 1, memoryLimit: '64MB', tempDirectory: '' }),
    ).rejects.toThrow(/Out of Memory/);
    const expected = canonical(classifyPartition(data).results);
    const temp = scratch();
    const db = await openReconcileDb({ threads: 1, memoryLimit: '64MB', tempDirectory: join(temp, 'spill') });
    onTestFinished(() => db.close());
    await db.appendInvoices([data.node]);
    await db.appendSales([data.journal]);
    await db.appendOrders([data.shopify]);
    const labels: (string | null)[] = [];
    await db.classify({ orders: true }, undefined, (_done, _steps, label) => labels.push(label));
    expect(canonical(await db.results())).toEqual(expected);
    expect(labels).toContain('joining sales with their invoices');
    expect(labels.at(-1)).toBeNull();
    // And in a database file, as the till keeps it.
    const onFile = await reconcileOnDuckDB(data, {
      path: join(temp, 'reconcile.duckdb'),
      threads: 1,
      memoryLimit: '64MB',
      tempDirectory: join(temp, 'spill-file'),
    });
    expect(canonical(onFile.results)).toEqual(expected);
  }, 120_000);

  it('joins the sales in one pass when they fit, in steps when asked: the same results', async () => {
    const data = arrays(dataset(5, 3_000));
    const expected = canonical(classifyPartition(data).results);
    for (const inSteps of [false, true]) {
      const db = await openReconcileDb({ threads: 2 });
      onTestFinished(() => db.close());
      await db.appendInvoices([data.node]);
      await db.appendSales([data.journal]);
      await db.appendOrders([data.shopify]);
      const labels: (string | null)[] = [];
      await db.classify({ orders: true, inSteps }, undefined, (_done, _steps, label) => labels.push(label));
      expect(canonical(await db.results())).toEqual(expected);
      expect(labels.includes('joining sales with their invoices')).toBe(inSteps);
    }
  });

  it('finds every planted discrepancy, of every kind, and nothing else', async () => {
    const db = await openReconcileDb({ threads: 2 });
    onTestFinished(() => db.close());
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        async (kinds, seed) => {
          const data = datasetOf(seed, kinds);
          const input = arrays(data);
          const { results, summary } = await reconcileAll(db, input);
          expect(perItem(seed, kinds, results)).toEqual(kinds.map(expectedOf));
          expect(summary.ignoredInvoices).toBe(data.ignoredInvoices);
          for (const o of OUTCOMES) expect(summary.outcomes[o].count).toBe(data.expected[o]);
        },
      ),
      seeded(15),
    );
    // Every kind at least once, so no outcome or repair goes untested however the runs above fell.
    const { results, summary } = await reconcileAll(db, arrays(datasetOf(7, KINDS)));
    expect(perItem(7, KINDS, results)).toEqual(KINDS.map(expectedOf));
    expect(summary.ignoredInvoices).toBe(KINDS.reduce((n, k) => n + IGNORED_INVOICES[k], 0));
    const planted = KINDS.flatMap((k) => EXPECTED[k]);
    // The planted datasets are sales (the bench's shape); refund outcomes and their repair are
    // planted by refunds.test.ts's examples and generated by the property above.
    expect(new Set(planted.map((e) => e.outcome))).toEqual(
      new Set(OUTCOMES.filter((o) => !REFUND_OUTCOMES.includes(o))),
    );
    expect(new Set(planted.map((e) => e.repair))).toEqual(
      new Set(Object.values(Repair).filter((r) => r !== Repair.ReviewRefund)),
    );
  }, 120_000);

  it('appends the sources page by page and stops reading when cancelled', async () => {
    const db = await openReconcileDb({ threads: 1 });
    try {
      const abort = new AbortController();
      const pages: number[] = [];
      function* invoices(): Generator<NodeInvoice[]> {
        for (let p = 0; ; p++) {
          if (p === 3) abort.abort();
          yield [...dataset(p + 1, 10).node];
        }
      }
      await expect(db.appendInvoices(invoices(), abort.signal, (n) => pages.push(n))).rejects.toThrow(
        ReconcileAbortedError,
      );
      expect(pages.length).toBe(3);
      await expect(db.classify({ orders: true }, abort.signal)).rejects.toThrow('cancelled');
    } finally {
      db.close();
    }
  });
});
