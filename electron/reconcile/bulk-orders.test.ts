import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fiatToDecimalString, parseFiat } from '../../shared/money/index.js';
import { mulberry32 } from '../../shared/random.js';
import { openReconcileDb, type ReconcileDb } from '../../shared/reconcile/runner.js';
import { datasetOf, KINDS } from '../../shared/reconcile/test-support/generate.js';
import type { ShopifyOrder } from '../../shared/reconcile/types.js';
import { makePrivateDir } from '../files.js';
import { createShopifyClient, type ShopifyClient } from '../shopify/client.js';
import { SALE_ID_KEY, SALE_ID_NAMESPACE } from '../shopify/orders.js';
import { installBulk, type BulkFake } from '../test-support/fakes/shopify/bulk.js';
import { installOrders, orderTotals, type OrdersFake } from '../test-support/fakes/shopify/orders.js';
import { startShopifyFake, type ShopifyFake } from '../test-support/fakes/shopify/server.js';
import { tempDir } from '../test-support/fixtures.js';
import { reconcilePeriod } from '../test-support/reconcile-run.js';
import {
  call,
  closeWorld,
  connect,
  drain,
  sellCash,
  sellLightning,
  world as makeWorld,
} from '../test-support/shopify-world.js';
import { BULK_ORDERS_AFTER_DAYS, bulkOrdersSelect, readShopifyOrders } from './bulk-orders.js';
import { pages, shopifyOrders } from './sources.js';

const TILL = 'till-A';
const SEED = 15;
const DAY = 24 * 60 * 60 * 1000;
// A period long enough for the bulk export.
const FROM = new Date('2026-08-01T00:00:00.000Z');
const TO = new Date(FROM.getTime() + 61 * DAY);

interface Planted extends ShopifyOrder {
  processedAt: string;
  tags?: string[];
  /** A transaction before the Lightning one (a voucher with its own authorization code). */
  voucher?: string;
}

/** An order as the till creates it (orders.ts): tag, sale id metafield, attributes, its transaction. */
function plant(orders: OrdersFake, o: Planted): void {
  const money = { amount: fiatToDecimalString(o.total, o.currency), currencyCode: o.currency };
  const input = {
    currency: o.currency,
    processedAt: o.processedAt,
    tags: o.tags ?? ['lightning-till'],
    customAttributes: [
      ...(o.till ? [{ key: 'till_id', value: o.till }] : []),
      { key: 'tender', value: o.paymentHash ? 'Lightning' : 'Cash' },
      ...(o.paymentHash ? [{ key: 'payment_hash', value: o.paymentHash }] : []),
    ],
    lineItems: [{ title: 'Coffee', quantity: 1, priceSet: { shopMoney: money } }],
    transactions: [
      ...(o.voucher
        ? [
            {
              kind: 'SALE',
              status: 'SUCCESS',
              gateway: 'Voucher',
              amountSet: { shopMoney: money },
              authorizationCode: o.voucher,
            },
          ]
        : []),
      {
        kind: 'SALE',
        status: 'SUCCESS',
        gateway: o.paymentHash ? 'Lightning' : 'Cash',
        amountSet: { shopMoney: money },
        ...(o.paymentHash ? { authorizationCode: o.paymentHash } : {}),
      },
    ],
  };
  orders.orders.push({
    id: o.orderId,
    name: o.name,
    createdAt: o.processedAt,
    input,
    inventoryBehaviour: 'BYPASS',
    metafields: new Map(o.saleId ? [[`${SALE_ID_NAMESPACE}.${SALE_ID_KEY}`, o.saleId]] : []),
    totals: orderTotals(input),
    lineItemIds: ['gid://shopify/LineItem/1'],
    transactionIds: ['gid://shopify/OrderTransaction/1'],
  });
}

const at = (minutes: number) => new Date(FROM.getTime() + minutes * 60_000).toISOString();
const hash = (n: number) => n.toString(16).padStart(64, 'c');

interface Setup {
  fake: ShopifyFake;
  shop: BulkFake;
  client: ShopifyClient;
  orders: OrdersFake;
  dataset: ReturnType<typeof datasetOf>;
  /** The orders of the period that are the till's tagged ones, oldest first. */
  inPeriod: ShopifyOrder[];
  dir: string;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<Setup> {
  const tmp = tempDir('till-bulk-orders-');
  cleanups.push(() => tmp.remove());
  const fake = await startShopifyFake({ scopes: ['read_orders', 'write_orders'] });
  cleanups.push(() => fake.close());
  const orders = installOrders(fake);
  // Bulk operations run any root field the fake serves, `orders` too.
  const shop = installBulk(fake, { bulkDelayMs: 1 });
  cleanups.push(() => shop.cleanup());
  const client = createShopifyClient({
    shopDomain: fake.shopDomain,
    token: () => Promise.resolve('shpat_test_token'),
    baseUrl: fake.url,
  });
  // Every story the classifier tells, each with its order (if any) in Shopify…
  const dataset = datasetOf(SEED, KINDS);
  const generated = [...dataset.shopify].map((o, i) => ({ ...o, till: TILL, processedAt: at(10 + i * 7) }));
  // …and orders the generator does not make: yen (no decimals), dinar (three), an order whose
  // sale id metafield is missing but whose payment hash names the sale, another till's order.
  const extras: Planted[] = [
    {
      orderId: 'gid://shopify/Order/990001',
      name: '#Y1',
      saleId: 'sale-yen',
      total: 1200n,
      currency: 'JPY',
      paymentHash: hash(1),
      till: TILL,
      processedAt: at(3),
    },
    {
      orderId: 'gid://shopify/Order/990002',
      name: '#D1',
      saleId: 'sale-dinar',
      total: 1235n,
      currency: 'BHD',
      paymentHash: null,
      till: TILL,
      processedAt: at(24),
    },
    {
      ...generated.find((o) => o.paymentHash !== null && o.saleId !== null)!,
      orderId: 'gid://shopify/Order/990003',
      name: '#H1',
      saleId: null,
      processedAt: at(45),
    },
    {
      orderId: 'gid://shopify/Order/990004',
      name: '#B1',
      saleId: 'sale-of-till-b',
      total: 850n,
      currency: 'EUR',
      paymentHash: hash(4),
      till: 'till-B',
      processedAt: at(52),
    },
    {
      orderId: 'gid://shopify/Order/990007',
      name: '#V1',
      saleId: 'sale-voucher',
      total: 300n,
      currency: 'EUR',
      paymentHash: hash(7),
      till: TILL,
      processedAt: at(66),
      voucher: 'VOUCHER-17',
    },
  ];
  const planted: Planted[] = [...generated, ...extras];
  for (const o of planted) plant(orders, o);
  // Not in the period, and not the till's (untagged): neither path reads them.
  plant(orders, { ...extras[0]!, orderId: 'gid://shopify/Order/990005', processedAt: at(-5) });
  plant(orders, {
    ...extras[0]!,
    orderId: 'gid://shopify/Order/990006',
    processedAt: at(60),
    tags: ['online-store'],
  });
  const inPeriod = planted
    .sort((a, b) => a.processedAt.localeCompare(b.processedAt))
    .map(({ processedAt: _, tags: __, voucher: ___, ...o }) => ({ ...o, till: o.till ?? null }));
  const dir = join(tmp.path, 'reconcile');
  makePrivateDir(dir);
  return { fake, shop, client, orders, dataset, inPeriod, dir };
}

async function engine(s: Setup): Promise<ReconcileDb> {
  const db = await openReconcileDb({ threads: 2 });
  cleanups.push(() => db.close());
  await db.appendSales([[...s.dataset.journal]]);
  await db.appendInvoices([[...s.dataset.node]]);
  return db;
}

const calls = (fake: ShopifyFake) => ({
  bulk: fake.calls.get('bulkOperationRunQuery') ?? 0,
  pages: fake.calls.get('orders') ?? 0,
});

async function table(db: ReconcileDb) {
  const reader = await db.connection.runAndReadAll('SELECT * FROM shopify_orders ORDER BY seq');
  return reader.getRowObjects();
}

/** The run after the orders are in: this till's only, classified; results and summary. */
async function finish(db: ReconcileDb) {
  const otherTills = await db.keepTill(TILL);
  const summary = await db.classify({ orders: true });
  return { otherTills, summary, results: await db.results() };
}

function readOptions(s: Setup, db: ReconcileDb, from = FROM, to = TO) {
  const counts: number[] = [];
  const logged: string[] = [];
  return {
    counts,
    logged,
    options: {
      db,
      client: s.client,
      from,
      to,
      dir: s.dir,
      signal: new AbortController().signal,
      onCount: (n: number) => counts.push(n),
      log: (m: string, err?: unknown) => logged.push(`${m}: ${String(err)}`),
      pollMs: 2,
    },
  };
}

describe('a long period’s Shopify orders in one bulk operation', () => {
  it('loads exactly the orders paging reads, and reconciles to the same results', async () => {
    const s = await setup();
    // The paged path, as a period of up to a month reads it.
    const paged = await engine(s);
    const before = calls(s.fake);
    const pagedCount = await paged.appendOrders(pages(shopifyOrders(s.client, FROM, TO)));
    expect(calls(s.fake).pages - before.pages).toBeGreaterThan(0);
    const pagedRows = await table(paged);

    const bulkDb = await engine(s);
    const mid = calls(s.fake);
    const read = readOptions(s, bulkDb);
    const got = await readShopifyOrders(read.options);
    expect(got).toEqual({ orders: s.inPeriod.length, bulk: true });
    // One bulk operation, not a single page of orders.
    expect(calls(s.fake).bulk - mid.bulk).toBe(1);
    expect(calls(s.fake).pages - mid.pages).toBe(0);
    expect(read.logged).toEqual([]);
    expect(read.counts.at(-1)).toBe(s.inPeriod.length);
    // The downloaded file is gone.
    expect(readdirSync(s.dir)).toEqual([]);

    const bulkRows = await table(bulkDb);
    expect(pagedCount).toBe(s.inPeriod.length);
    expect(bulkRows).toEqual(pagedRows);
    // And both are the orders planted, in processing order, money exact in each currency.
    expect(
      bulkRows.map((r) => ({
        orderId: r.order_id,
        name: r.name,
        saleId: r.sale_id,
        total: r.total,
        currency: r.currency,
        paymentHash: r.payment_hash,
        till: r.till,
      })),
    ).toEqual(s.inPeriod);
    expect(bulkRows.map((r) => r.seq)).toEqual(s.inPeriod.map((_, i) => BigInt(i)));
    const byName = new Map(bulkRows.map((r) => [r.name, r]));
    expect(byName.get('#Y1')).toMatchObject({ total: 1200n, currency: 'JPY' });
    expect(byName.get('#D1')).toMatchObject({ total: 1235n, currency: 'BHD' });
    expect(byName.get('#H1')).toMatchObject({ sale_id: null, till: TILL });
    expect(byName.get('#H1')!.payment_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(byName.get('#B1')).toMatchObject({ till: 'till-B' });
    // The Lightning transaction's code, not the first transaction's.
    expect(byName.get('#V1')).toMatchObject({ payment_hash: hash(7) });

    const a = await finish(paged);
    const b = await finish(bulkDb);
    expect(b).toEqual(a);
    // till-B's order left out, every other read.
    expect(b.summary.records.shopify).toBe(s.inPeriod.length - 1);
    expect(b.results.some((r) => r.orderName === '#B1')).toBe(false);
    expect(b.results.find((r) => r.orderName === '#Y1')).toMatchObject({ fiat: 1200n, currency: 'JPY' });
  });

  it('falls back to paging when the bulk operation fails or its file is cut off, and says so', async () => {
    const s = await setup();
    const paged = await engine(s);
    await paged.appendOrders(pages(shopifyOrders(s.client, FROM, TO)));
    const expected = await table(paged);

    for (const [fault, words] of [
      ['bulk', /export of the orders ended failed \(INTERNAL_SERVER_ERROR\)/],
      ['download', /the export of the orders was cut off while downloading/],
    ] as const) {
      const db = await engine(s);
      if (fault === 'bulk') s.shop.failNextBulk();
      else s.shop.failNextDownload();
      const before = calls(s.fake);
      const read = readOptions(s, db);
      const got = await readShopifyOrders(read.options);
      expect(got).toEqual({ orders: s.inPeriod.length, bulk: false });
      expect(calls(s.fake).bulk - before.bulk).toBe(1);
      expect(calls(s.fake).pages - before.pages).toBeGreaterThan(0);
      expect(read.logged).toHaveLength(1);
      expect(read.logged[0]).toMatch(words);
      // Nothing of the failed attempt is left in the table, nor on disk.
      expect(await table(db)).toEqual(expected);
      expect(readdirSync(s.dir)).toEqual([]);
    }
  });

  it('stops when the run is cancelled while the export runs, without paging', async () => {
    const s = await setup();
    const db = await engine(s);
    const cancel = new AbortController();
    const before = calls(s.fake);
    const read = readOptions(s, db);
    const reading = readShopifyOrders({
      ...read.options,
      signal: cancel.signal,
      // Cancelled at the first wait for the export.
      sleep: () => {
        cancel.abort();
        return Promise.resolve();
      },
    });
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls(s.fake).bulk - before.bulk).toBe(1);
    expect(calls(s.fake).pages - before.pages).toBe(0);
    expect(read.logged).toEqual([]);
    expect(await table(db)).toEqual([]);
  });

  it(`pages a period of up to ${BULK_ORDERS_AFTER_DAYS} days`, async () => {
    const s = await setup();
    const db = await engine(s);
    const before = calls(s.fake);
    const to = new Date(FROM.getTime() + BULK_ORDERS_AFTER_DAYS * DAY);
    const got = await readShopifyOrders(readOptions(s, db, FROM, to).options);
    expect(got).toEqual({ orders: s.inPeriod.length, bulk: false });
    expect(calls(s.fake).bulk - before.bulk).toBe(0);
  });
});

describe('the export’s money in SQL', () => {
  it('reads every amount as parseFiat does, in minor units of its currency, and refuses what it refuses', async () => {
    const tmp = tempDir('till-bulk-money-');
    cleanups.push(() => tmp.remove());
    const db = await openReconcileDb({ threads: 1 });
    cleanups.push(() => db.close());
    const seed = 0x15b0;
    const random = mulberry32(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    // Shopify's Decimal scalar: "12.5", "10.0", "1200" — not always the currency's decimals.
    const amount = (): string => {
      const whole = String(Math.floor(random() * 10 ** Math.floor(random() * 9)));
      const frac = String(Math.floor(random() * 1000))
        .padStart(3, '0')
        .slice(0, Math.floor(random() * 4));
      return `${random() < 0.05 ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
    };
    const line = (i: number, amt: string, currency: string) =>
      JSON.stringify({
        id: `gid://shopify/Order/${i}`,
        name: `#${i}`,
        processedAt: at(i),
        metafield: null,
        customAttributes: [],
        totalPriceSet: { shopMoney: { amount: amt, currencyCode: currency } },
        transactions: [],
      });
    const valid: { amount: string; currency: string; minor: bigint }[] = [];
    const refused: { amount: string; currency: string }[] = [];
    for (let i = 0; i < 2_000; i++) {
      const a = amount();
      const c = pick(['EUR', 'USD', 'JPY', 'KRW', 'BHD', 'KWD', 'CHF']);
      try {
        valid.push({ amount: a, currency: c, minor: parseFiat(a, c) });
      } catch {
        refused.push({ amount: a, currency: c });
      }
    }
    expect(refused.length, `seed ${seed}`).toBeGreaterThan(10);
    const file = join(tmp.path, 'orders.jsonl');
    writeFileSync(file, valid.map((v, i) => line(i, v.amount, v.currency)).join('\n') + '\n');
    // A file with fewer orders than Shopify counted (cut at a line's end): nothing inserted.
    await expect(db.insertOrders(bulkOrdersSelect(file), valid.length + 1)).rejects.toThrow(
      `expected ${valid.length + 1} orders, read ${valid.length}`,
    );
    expect((await db.connection.runAndReadAll('SELECT count(*) FROM shopify_orders')).getRows()[0]![0]).toBe(
      0n,
    );
    await db.insertOrders(bulkOrdersSelect(file), valid.length);
    const reader = await db.connection.runAndReadAll('SELECT total FROM shopify_orders ORDER BY seq');
    expect(
      reader.getRows().map((r) => r[0]),
      `seed ${seed}`,
    ).toEqual(valid.map((v) => v.minor));
    // More decimals than the currency has, or no amount at all: refused, nothing inserted.
    for (const r of [
      ...refused.slice(0, 5),
      { amount: '12,50', currency: 'EUR' },
      { amount: '1', currency: 'eur' },
    ]) {
      await db.reset();
      writeFileSync(file, `${line(1, r.amount, r.currency)}\n`);
      await expect(db.insertOrders(bulkOrdersSelect(file), 1), `${r.amount} ${r.currency}`).rejects.toThrow();
      expect(() => parseFiat(r.amount, r.currency)).toThrow();
      expect(
        (await db.connection.runAndReadAll('SELECT count(*) FROM shopify_orders')).getRows()[0]![0],
      ).toBe(0n);
    }
  });
});

describe('the till reconciling a long period', () => {
  it('reads its orders in one bulk export, and a failed export pages to the same results', async () => {
    const w = await makeWorld({ till: { reconcileEngine: { threads: 1 } } });
    cleanups.push(() => closeWorld(w));
    await connect(w);
    const paid = await sellLightning(w, [1]);
    await sellCash(w, [2]);
    await sellLightning(w, [0, 3]);
    await drain(w);
    expect(w.orders.orders).toHaveLength(3);
    const bulk = installBulk(w.fake, { bulkDelayMs: 1 });
    cleanups.push(() => bulk.cleanup());
    // Pages of the till's orders (refunds read `orders` too, by updated_at): counted apart.
    const orders = w.fake.resolver('orders')!;
    let tillOrderPages = 0;
    w.fake.define('orders', (args, ctx) => {
      if (ctx.operation === 'orders' && String(args.query).includes('processed_at')) tillOrderPages++;
      return orders(args, ctx);
    });
    const today = w.clock.now().toISOString().slice(0, 10);
    const from = new Date(w.clock.now().getTime() - 40 * DAY).toISOString().slice(0, 10);
    const run = async () => {
      const before = { bulk: calls(w.fake).bulk, pages: tillOrderPages };
      const shopify: number[] = [];
      const done = await reconcilePeriod(w.till, from, today, {
        progress: (p) => shopify.push(p.read.shopify),
      });
      expect(done.state).toBe('done');
      const page = await call(w.till, 'getReconcile', { limit: 500 });
      const after = { bulk: calls(w.fake).bulk, pages: tillOrderPages };
      return {
        done,
        rows: page.rows,
        bulk: after.bulk - before.bulk,
        pages: after.pages - before.pages,
        shopify,
      };
    };

    const inBulk = await run();
    expect([inBulk.bulk, inBulk.pages]).toEqual([1, 0]);
    expect(bulk.bulkOperations.at(-1)!.query).toContain('orders(');
    // The Shopify count on the screen is the orders loaded.
    expect(inBulk.shopify.at(-1)).toBe(3);
    expect(inBulk.done.outcomes.find((o) => o.outcome === 'matched')!.count).toBe(3);
    expect(inBulk.rows.find((r) => r.saleId === paid.id)).toMatchObject({ outcome: 'matched' });

    bulk.failNextBulk();
    const paged = await run();
    expect(paged.bulk).toBe(1);
    expect(paged.pages).toBeGreaterThan(0);
    expect(paged.shopify.at(-1)).toBe(3);
    expect(paged.rows).toEqual(inBulk.rows);
    expect(paged.done.outcomes).toEqual(inBulk.done.outcomes);
  });
});
