import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SaleState, Tender } from '../domain/index.js';
import {
  decodeRecords,
  decodeResults,
  encodeInvoice,
  encodeOrder,
  encodeResult,
  encodeSale,
} from './codec.js';
import {
  OUTCOMES,
  Repair,
  SAFE_REPAIRS,
  type InvoiceState,
  type JournalSale,
  type NodeInvoice,
  type ReconcileResult,
  type ShopifyOrder,
} from './types.js';
import { runSeed } from '../test-support/seed.js';

/**
 * The worker codec must give back exactly what it was given, every field, through the bytes the
 * pool moves (UTF-8 in an ArrayBuffer). A field it drops or garbles may not change a
 * classification today, so the engine-vs-classifier properties cannot be relied on to see it.
 *
 * Seeded: FC_SEED=<n> replays a run; the seed is printed when a property fails.
 */
const SEED = runSeed('FC_SEED');
const RUNS = { seed: SEED, numRuns: 300 };

/** Strings a record field may hold, the awkward ones often: the codec's own syntax among them. */
const awkward = fc.constantFrom(
  '',
  '\u0000', // the codec's null
  '\\0',
  '\\',
  'ends with \\',
  'a\tb',
  'a\nb',
  'a\r\nb',
  '\t\n\\\r\u0000',
  '\\t\\n',
  '\u0001\u001f\u007f',
  'ü日本😀',
  '\u2028\u2029',
  '#1001',
  'gid://shopify/Order/1234567890123',
);
// Well-formed UTF-16 only: a lone surrogate comes back from the pool's UTF-8 as U+FFFD. None
// reaches the codec from the journal (SQLite stores UTF-8); a Shopify name could carry one.
const text: fc.Arbitrary<string> = fc.oneof(
  awkward,
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({
    unit: fc.constantFrom('\t', '\n', '\r', '\\', '\u0000', '0', 't', 'n', 'é', '😀'),
    maxLength: 8,
  }),
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 3 });
/** Beyond 2^53 both ways: msat and minor units are bigints for a reason. */
const big = fc.oneof(
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
  fc.constantFrom(0n, -1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n, -(2n ** 63n)),
);
const int = fc.oneof(fc.maxSafeInteger(), fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER));

const invoiceArb: fc.Arbitrary<NodeInvoice> = fc.record({
  paymentHash: text,
  amountMsat: big,
  amountPaidMsat: maybe(big),
  state: fc.constantFrom<InvoiceState>('open', 'settled', 'expired', 'cancelled'),
  createdAt: int,
  expiresAt: int,
  settledAt: maybe(int),
});
const saleArb: fc.Arbitrary<JournalSale> = fc.record({
  saleId: text,
  number: int,
  paymentHash: maybe(text),
  tender: fc.constantFrom(...Tender.options),
  state: fc.constantFrom(...SaleState.options),
  total: big,
  currency: text,
  amountPaidMsat: maybe(big),
  rate: maybe(text),
  rateSource: maybe(text),
  paidAt: maybe(int),
  paidLate: fc.boolean(),
  orderName: maybe(text),
  net: big,
  tax: big,
  tip: big,
  discounts: big,
});
const orderArb: fc.Arbitrary<ShopifyOrder> = fc.record({
  orderId: text,
  name: text,
  saleId: maybe(text),
  total: big,
  currency: text,
  paymentHash: maybe(text),
});
const resultArb: fc.Arbitrary<ReconcileResult> = fc
  .record({
    outcome: fc.constantFrom(...OUTCOMES),
    repair: fc.constantFrom(...Object.values(Repair)),
    saleId: maybe(text),
    saleNumber: maybe(int),
    paymentHash: maybe(text),
    orderId: maybe(text),
    orderName: maybe(text),
    tender: maybe(fc.constantFrom(...Tender.options)),
    saleState: maybe(fc.constantFrom(...SaleState.options)),
    time: maybe(int),
    msat: maybe(big),
    fiat: maybe(big),
    currency: maybe(text),
    rate: maybe(text),
    rateSource: maybe(text),
    net: maybe(big),
    tax: maybe(big),
    tip: maybe(big),
    discounts: maybe(big),
    detail: text,
  })
  .map((r) => ({ ...r, safe: SAFE_REPAIRS[r.repair] }));

type AnyRecord =
  | { source: 'node'; r: NodeInvoice }
  | { source: 'journal'; r: JournalSale }
  | { source: 'shopify'; r: ShopifyOrder };
const recordArb: fc.Arbitrary<AnyRecord> = fc.oneof(
  invoiceArb.map((r) => ({ source: 'node' as const, r })),
  saleArb.map((r) => ({ source: 'journal' as const, r })),
  orderArb.map((r) => ({ source: 'shopify' as const, r })),
);
const encodeAny = (x: AnyRecord): string =>
  x.source === 'node' ? encodeInvoice(x.r) : x.source === 'journal' ? encodeSale(x.r) : encodeOrder(x.r);

/** What the pool does to a batch: UTF-8 into a buffer, decoded on the other side. */
const throughBytes = (s: string): string => new TextDecoder().decode(new TextEncoder().encode(s));

describe(`reconcile codec (FC_SEED=${SEED})`, () => {
  it('gives back every record of a batch, every field, in order, whatever the strings hold', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 12 }), (records) => {
        const batch = throughBytes(records.map(encodeAny).join(''));
        expect(decodeRecords(batch)).toEqual({
          node: records.flatMap((x) => (x.source === 'node' ? [x.r] : [])),
          journal: records.flatMap((x) => (x.source === 'journal' ? [x.r] : [])),
          shopify: records.flatMap((x) => (x.source === 'shopify' ? [x.r] : [])),
        });
      }),
      RUNS,
    );
  });

  it('gives back each kind of record alone, every field', () => {
    fc.assert(
      fc.property(invoiceArb, saleArb, orderArb, (i, s, o) => {
        expect(decodeRecords(throughBytes(encodeInvoice(i))).node).toEqual([i]);
        expect(decodeRecords(throughBytes(encodeSale(s))).journal).toEqual([s]);
        expect(decodeRecords(throughBytes(encodeOrder(o))).shopify).toEqual([o]);
      }),
      RUNS,
    );
  });

  it('gives back every result of a batch, every field', () => {
    fc.assert(
      fc.property(fc.array(resultArb, { maxLength: 12 }), (results) => {
        const batch = throughBytes(results.map(encodeResult).join(''));
        expect(decodeResults(batch, (r) => SAFE_REPAIRS[r])).toEqual(results);
      }),
      RUNS,
    );
  });

  it('keeps an empty string apart from null, and the codec’s own NUL apart from both', () => {
    const s: JournalSale = {
      saleId: '',
      number: 0,
      paymentHash: '',
      tender: 'cash',
      state: 'open',
      total: 0n,
      currency: '',
      amountPaidMsat: null,
      rate: '\u0000',
      rateSource: null,
      paidAt: null,
      paidLate: true,
      orderName: '\\0',
      net: 0n,
      tax: -1n,
      tip: 2n ** 64n,
      discounts: 0n,
    };
    expect(decodeRecords(encodeSale(s)).journal).toEqual([s]);
  });

  it('refuses a line of an unknown kind instead of guessing', () => {
    expect(() => decodeRecords('X\tsomething\n')).toThrow(/unknown record tag "X"/);
  });
});
