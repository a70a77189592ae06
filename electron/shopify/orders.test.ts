/*
 * Testing the tests — exactly-once to Shopify rests on two nets, and each is proven alone in
 * "each exactly-once net holds on its own" below. Run with
 *   npx vitest run electron/shopify/orders.test.ts -t "on its own"
 * (SHOPIFY_NET_SEED=<n> replays another seed; the seed is in each test's name.)
 *
 * M1, the look-up before a retry removed — electron/shopify/orders.ts, drainOutbox:
 *     const existing = head.attempts > 0 ? await findOrder(client, sale.id) : null;
 *   becomes
 *     const existing = null;
 *   → red: "the look-up before a retry alone …" (a second order for a sale whose answer was lost).
 *   Green on purpose: "the unique sale-id metafield alone …" (that net still holds).
 *
 * M2, uniqueness taken off the definition the till creates — electron/shopify/connection.ts,
 *   ensureSaleIdDefinition: `capabilities: { uniqueValues: { enabled: true } }` → `enabled: false`
 *   → red: "the unique sale-id metafield alone …" (the restored journal sends every sale again).
 *   Green on purpose: "the look-up before a retry alone …" (the fake's unique check is off there).
 *
 * M6, the attempt counted after the call instead of before — electron/shopify/orders.ts,
 *   drainOutbox: move `markAttempt(db, head.seq);` to just after the
 *   `await client.request<Created>(ORDER_CREATE, …)` line
 *   → red: "the look-up before a retry alone …" (a lost answer leaves no attempt on record).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sale } from '../../shared/domain/index.js';
import { mulberry32 } from '../../shared/random.js';
import { createFileSecretStore } from '../secrets/store.js';
import type { Fault } from '../test-support/fakes/shopify/server.js';
import {
  LOCATION,
  call,
  closeWorld,
  connect,
  drain,
  expectedTotals,
  orderTotal,
  ordersBySale,
  pricesOf,
  refused,
  sellCash,
  sellLightning,
  tokenInput,
  world as makeWorld,
  type World,
} from '../test-support/shopify-world.js';
import { SALE_ID_KEY, SALE_ID_NAMESPACE } from './orders.js';

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await closeWorld(w);
});

async function world(opts: Parameters<typeof makeWorld>[0] = {}): Promise<World> {
  const w = await makeWorld(opts);
  worlds.push(w);
  return w;
}

describe('connecting a Shopify store', () => {
  it('names exactly the scopes the app lacks, and saves nothing', async () => {
    const w = await world({ scopes: ['read_products', 'write_orders'] });
    const check = await call(w.till, 'testShopify', tokenInput(w));
    expect(check.shopName).toBe('Corner Café');
    expect(check.missingScopes.map((m) => m.scope)).toEqual(['read_inventory', 'read_locations']);
    expect(check.locations).toEqual([]);
    const error = await refused(w.till, 'saveShopify', { ...tokenInput(w), locationId: LOCATION });
    expect(error.message).toMatch(
      /lacks read_inventory \(to read stock at the till’s location\), read_locations/,
    );
    expect((await call(w.till, 'getStatus')).shopify.connected).toBe(false);
  });

  it('lists the active locations, creates the unique sale-id definition once, and keeps the token secret', async () => {
    const w = await world();
    const check = await call(w.till, 'testShopify', tokenInput(w));
    expect(check.missingScopes).toEqual([]);
    expect(check.locations.map((l) => l.name)).toEqual(['Café counter', 'Warehouse']);
    await connect(w);
    expect(w.orders.definitions).toEqual([
      {
        namespace: SALE_ID_NAMESPACE,
        key: SALE_ID_KEY,
        ownerType: 'ORDER',
        type: 'single_line_text_field',
        unique: true,
      },
    ]);
    await connect(w);
    expect(w.orders.definitions).toHaveLength(1);
    const status = (await call(w.till, 'getStatus')).shopify;
    expect(status).toMatchObject({ connected: true, shopName: 'Corner Café', locationName: 'Café counter' });
    expect(readFileSync(join(w.dir.path, 'journal.sqlite')).includes(Buffer.from('shpat_test_token'))).toBe(
      false,
    );
    expect(createFileSecretStore(w.dir.path).get('shopify.credential')).toBe('shpat_test_token');
  });

  it('exchanges a Dev Dashboard app’s client id and secret for a token, and renews it before it expires', async () => {
    const w = await world({ client: true });
    const input = {
      shopify: { shopDomain: 'corner-cafe', clientId: 'client-1', clientSecret: 'shpss_secret' },
    };
    const wrong = await refused(w.till, 'testShopify', {
      shopify: { ...input.shopify, clientSecret: 'shpss_wrong' },
    });
    expect(wrong).toMatchObject({ kind: 'NotAuthorized' });
    expect(wrong.message).toMatch(/client id or secret/);
    await call(w.till, 'saveShopify', { ...input, locationId: LOCATION });
    const first = w.fake.issuedTokens.size;
    expect(first).toBe(1);
    await sellCash(w, [0]);
    await drain(w);
    expect(w.fake.issuedTokens.size).toBe(1);
    w.clock.advance(56 * 60_000); // within five minutes of the hour's expiry
    await sellCash(w, [1]);
    await drain(w);
    expect(w.fake.issuedTokens.size).toBe(2);
    expect(w.orders.orders).toHaveLength(2);
  });
});

describe('sales become Shopify orders through the outbox', () => {
  it('writes a cash sale as a paid, fulfilled order with stock taken at the till’s location', async () => {
    const w = await world();
    await connect(w);
    const sale = await sellCash(w, [0, 0, 2]);
    expect(sale).toMatchObject({
      state: 'paid',
      tender: 'cash',
      order: { state: 'pending', orderName: null },
    });
    await w.till.tick();
    const [order] = w.orders.orders;
    expect(order!.inventoryBehaviour).toBe('DECREMENT_OBEYING_POLICY');
    expect(
      order!.input.lineItems!.map(({ variantId, quantity, priceSet }) => ({ variantId, quantity, priceSet })),
    ).toEqual([
      {
        variantId: 'gid://shopify/ProductVariant/1',
        quantity: 2,
        priceSet: { shopMoney: { amount: '1.50', currencyCode: 'USD' } },
      },
      {
        variantId: 'gid://shopify/ProductVariant/3',
        quantity: 1,
        priceSet: { shopMoney: { amount: '3.50', currencyCode: 'USD' } },
      },
    ]);
    expect(order!.input.transactions).toEqual([
      expect.objectContaining({
        kind: 'SALE',
        status: 'SUCCESS',
        gateway: 'Cash',
        locationId: LOCATION,
        amountSet: { shopMoney: { amount: '6.50', currencyCode: 'USD' } },
      }),
    ]);
    expect(order!.metafields.get(`${SALE_ID_NAMESPACE}.${SALE_ID_KEY}`)).toBe(sale.id);
    expect(w.orders.stock.get('gid://shopify/ProductVariant/1')!.get(LOCATION)).toBe(998);
    const after = await call(w.till, 'getSale', { saleId: sale.id });
    expect(after.order).toEqual({ state: 'done', orderName: '#1001', error: null });
  });

  it('writes a Lightning sale with the payment hash, sats and rate', async () => {
    const w = await world();
    await connect(w);
    await call(w.till, 'addToCart', { variantId: w.products[1]!.variants[0]!.id });
    const charged = await call(w.till, 'charge');
    await call(w.till, 'demoPay', { saleId: charged.id });
    await w.till.tick();
    const [order] = w.orders.orders;
    expect(order!.input.transactions![0]).toMatchObject({
      gateway: 'Lightning',
      authorizationCode: charged.invoice!.paymentHash,
    });
    const attributes = Object.fromEntries(order!.input.customAttributes!.map((a) => [a.key, a.value]));
    expect(attributes).toMatchObject({
      sats: String(charged.invoice!.amountMsat / 1000n),
      rate_source: charged.invoice!.rate.source,
      payment_hash: charged.invoice!.paymentHash,
      tender: 'Lightning',
      // The demo owner rang it up (signedInTill): the order names them.
      staff: 'Owner',
    });
    expect(order!.input.tags).toEqual(['lightning-till', 'lightning']);
  });

  it('sells on through an outage and sends the waiting orders in order when Shopify is back', async () => {
    const w = await world();
    await connect(w);
    w.fake.failRandomly(1, ['503']);
    const sales = [await sellCash(w, [0]), await sellCash(w, [1]), await sellCash(w, [2])];
    await w.till.tick();
    const status = (await call(w.till, 'getStatus')).shopify;
    expect(status).toMatchObject({ online: false, pendingOrders: 3 });
    expect(status.lastError).toMatch(/HTTP 503/);
    expect(w.orders.orders).toHaveLength(0);
    w.fake.failRandomly(0, []);
    await drain(w);
    expect(w.orders.orders.map((o) => o.metafields.get(`${SALE_ID_NAMESPACE}.${SALE_ID_KEY}`))).toEqual(
      sales.map((s) => s.id),
    );
    expect((await call(w.till, 'getStatus')).shopify).toMatchObject({ online: true, pendingOrders: 0 });
  });

  it('does not create a second order when the answer to the first was lost', async () => {
    const w = await world();
    await connect(w);
    const sale = await sellCash(w, [0]);
    w.fake.failNext('reset-after');
    await w.till.tick();
    expect(w.orders.orders).toHaveLength(1); // created, but the till never heard
    expect((await call(w.till, 'getSale', { saleId: sale.id })).order?.state).toBe('pending');
    await drain(w);
    expect(w.orders.orders).toHaveLength(1);
    expect(w.fake.calls.get('orderByIdentifier')).toBe(1);
    expect((await call(w.till, 'getSale', { saleId: sale.id })).order).toMatchObject({
      state: 'done',
      orderName: '#1001',
    });
  });

  it('parks an order Shopify refuses, moves on, and sends it when a manager retries', async () => {
    const w = await world();
    await connect(w);
    const stock = w.orders.stock.get('gid://shopify/ProductVariant/2')!;
    w.orders.stock.delete('gid://shopify/ProductVariant/2');
    const refusedSale = await sellCash(w, [1]);
    const next = await sellCash(w, [0]);
    await drain(w);
    const parked = await call(w.till, 'getSale', { saleId: refusedSale.id });
    expect(parked.order?.state).toBe('failed');
    expect(parked.order?.error).toMatch(/Variant gid:\/\/shopify\/ProductVariant\/2 does not exist/);
    expect((await call(w.till, 'getSale', { saleId: next.id })).order?.state).toBe('done');
    expect((await call(w.till, 'getStatus')).shopify.failedOrders).toBe(1);

    w.orders.stock.set('gid://shopify/ProductVariant/2', stock);
    await call(w.till, 'retryOrder', { saleId: refusedSale.id });
    await drain(w);
    expect((await call(w.till, 'getSale', { saleId: refusedSale.id })).order?.state).toBe('done');
    expect(w.orders.orders).toHaveLength(2);
  });

  it(
    'turns 500 sales into exactly 500 orders with faults on 30% of calls',
    { timeout: 240_000 },
    async () => {
      const w = await world({ products: 8 });
      await connect(w);
      w.fake.failRandomly(0.3, ['500', '503', 'hang', 'reset-after', 'throttled', '401'], 42);
      const expected = new Map<string, bigint>();
      const sold = new Map<string, number>();
      for (let i = 0; i < 500; i++) {
        const picks = [i % 8, (i * 3) % 8];
        const sale = i % 10 === 0 ? await sellLightning(w, picks) : await sellCash(w, picks);
        expected.set(sale.id, sale.total);
        for (const p of picks) {
          const id = w.products[p]!.variants[0]!.id;
          sold.set(id, (sold.get(id) ?? 0) + 1);
        }
        if (i % 25 === 0) await w.till.tick();
      }
      await drain(w);
      w.fake.failRandomly(0, []);
      const bySale = new Map<string, number>();
      for (const o of w.orders.orders) {
        const id = o.metafields.get(`${SALE_ID_NAMESPACE}.${SALE_ID_KEY}`)!;
        bySale.set(id, (bySale.get(id) ?? 0) + 1);
        const total = o.input.transactions![0]!.amountSet.shopMoney.amount;
        expect(total).toBe((Number(expected.get(id)) / 100).toFixed(2));
      }
      expect(w.orders.orders).toHaveLength(500);
      expect([...bySale.values()].every((n) => n === 1)).toBe(true);
      expect(new Set(bySale.keys())).toEqual(new Set(expected.keys()));
      for (const [variantId, n] of sold) expect(w.orders.stock.get(variantId)!.get(LOCATION)).toBe(1000 - n);
      expect((await call(w.till, 'getStatus')).shopify).toMatchObject({ pendingOrders: 0, failedOrders: 0 });
    },
  );
});

const NET_SEED = Number(process.env.SHOPIFY_NET_SEED ?? 1027);
/** Answers lost after Shopify did the work: the order exists, the till does not know it. */
const LOST_ANSWERS: Fault[] = ['reset-after', '503-after', 'hang-after'];

/** Sells `n` sales of one to three catalog items (repeats become quantities), one in four by Lightning. */
async function sellMix(w: World, n: number, random: () => number): Promise<Sale[]> {
  const sales: Sale[] = [];
  for (let i = 0; i < n; i++) {
    const picks = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
      Math.floor(random() * w.products.length),
    );
    sales.push(i % 4 === 0 ? await sellLightning(w, picks) : await sellCash(w, picks));
  }
  return sales;
}

/** Exactly one created order per sale, nothing else, each totalling the sale's lines at catalog prices. */
function expectOneOrderEach(w: World, sales: Sale[], note: string): void {
  const bySale = ordersBySale(w.orders);
  const totals = expectedTotals(w.dir.path, pricesOf(w.products));
  expect([...bySale.keys()].sort(), `${note}: orders for sales the till never made`).toEqual(
    sales.map((s) => s.id).sort(),
  );
  for (const sale of sales) {
    const orders = bySale.get(sale.id) ?? [];
    expect(orders.length, `${note}: orders created for sale #${sale.number}`).toBe(1);
    const expected = totals.get(sale.id);
    expect(expected, `${note}: sale #${sale.number} has journaled lines`).toBeGreaterThan(0n);
    expect(orderTotal(orders[0]!), `${note}: order total of sale #${sale.number}`).toEqual({
      paid: expected,
      lines: expected,
    });
  }
}

/** The faults a test relies on really hit orderCreate: without them it would prove nothing. */
function expectLostAnswers(w: World, note: string): void {
  for (const fault of LOST_ANSWERS)
    expect(
      w.fake.faults.get(`${fault} orderCreate`) ?? 0,
      `${note}: ${fault} on orderCreate`,
    ).toBeGreaterThan(0);
}

describe('each exactly-once net holds on its own', () => {
  it(`the look-up before a retry alone: lost answers, unique check off, one order per sale (seed ${NET_SEED})`, async () => {
    const note = `SHOPIFY_NET_SEED=${NET_SEED}`;
    const w = await world({ products: 6, till: { shopifyTimeoutMs: 300 } });
    await connect(w);
    w.orders.enforceUnique = false;
    w.fake.failRandomly(0.4, LOST_ANSWERS, NET_SEED);
    const sales = await sellMix(w, 30, mulberry32(NET_SEED));
    await drain(w);
    w.fake.failRandomly(0, []);
    expectLostAnswers(w, note);
    expectOneOrderEach(w, sales, note);
    expect((await call(w.till, 'getStatus')).shopify).toMatchObject({ pendingOrders: 0, failedOrders: 0 });
  });

  it(`the unique sale-id metafield alone: a journal restored from before the sends, one order per sale (seed ${NET_SEED})`, async () => {
    const note = `SHOPIFY_NET_SEED=${NET_SEED}`;
    const w = await world({ products: 6, till: { shopifyTimeoutMs: 300 } });
    await connect(w);
    w.fake.failRandomly(0.4, LOST_ANSWERS, NET_SEED + 1);
    const sales = await sellMix(w, 30, mulberry32(NET_SEED + 1));
    await drain(w);
    w.fake.failRandomly(0, []);
    expectLostAnswers(w, note);
    const names = new Map(sales.map((s) => [s.id, ordersBySale(w.orders).get(s.id)?.[0]?.name]));

    // The journal restored from a backup taken before the orders went out: every row pending
    // again with no attempt on record, so the pump does not look first. Only the unique sale
    // id stands between each of these sends and a second order.
    const journal = new Database(join(w.dir.path, 'journal.sqlite'));
    journal.exec(`UPDATE outbox SET state = 'pending', attempts = 0, done_at = NULL;
                  UPDATE sales SET shopify_order_id = NULL, shopify_order_name = NULL;`);
    journal.close();
    const creates = w.fake.calls.get('orderCreate') ?? 0;
    await drain(w);
    expect(w.fake.calls.get('orderCreate'), `${note}: every sale sent again`).toBe(creates + sales.length);

    expectOneOrderEach(w, sales, note);
    for (const sale of sales) {
      const after = await call(w.till, 'getSale', { saleId: sale.id });
      expect(after.order, `${note}: sale #${sale.number}`).toEqual({
        state: 'done',
        orderName: names.get(sale.id),
        error: null,
      });
    }
  });
});
