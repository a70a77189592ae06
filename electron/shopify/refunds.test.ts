/*
 * Testing the tests — a refund reaches Shopify exactly once on two nets, each proven alone in
 * "each exactly-once net holds on its own":
 *
 * R1, the look-up before sending removed — electron/shopify/refunds.ts, sendRefund:
 *     const landed = order.refunds.find(…)  →  const landed = undefined;
 *   → red: "the look-up alone …" (the fake's idempotency is off there: a second refund).
 * R2, the idempotency key not derived from the refund — sendRefund: `key: refund.id` →
 *   `key: randomUUID()` → red: "the idempotency key alone …".
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Refund, Sale } from '../../shared/domain/index.js';
import type { Fault } from '../test-support/fakes/shopify/server.js';
import {
  LOCATION,
  call,
  closeWorld,
  connect,
  drain,
  sellCash,
  world as makeWorld,
  type World,
} from '../test-support/shopify-world.js';

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await closeWorld(w);
});

async function world(): Promise<World> {
  const w = await makeWorld();
  worlds.push(w);
  return w;
}

const stockOf = (w: World, i: number) => w.orders.stock.get(w.products[i]!.variants[0]!.id)?.get(LOCATION);

function refund(
  w: World,
  sale: Sale,
  lines: { line: number; quantity: number; restock: boolean }[],
  refundTip = false,
): Promise<Refund> {
  return call(w.till, 'createRefund', {
    saleId: sale.id,
    lines: lines.map((l) => ({
      lineId: sale.lines[l.line]!.lineId,
      quantity: l.quantity,
      restock: l.restock,
    })),
    refundTip,
    reason: 'Wrong grind',
    tender: 'cash',
  });
}

describe('refunds in Shopify', () => {
  it('sends refundCreate with the key, the restock at the till’s location, the cash REFUND on the sale’s transaction, and a note', async () => {
    const w = await world();
    await connect(w);
    await call(w.till, 'addToCart', { variantId: w.products[0]!.variants[0]!.id, quantity: 3 });
    const sale = await sellCash(w, [1]);
    await drain(w);
    const order = w.orders.orders[0]!;
    expect(stockOf(w, 0)).toBe(997);

    const r = await refund(w, sale, [
      { line: 0, quantity: 2, restock: true },
      { line: 1, quantity: 1, restock: false },
    ]);
    expect(r.shopify).toMatchObject({ state: 'pending', shopifyRefundId: null });
    await drain(w);

    expect(w.orders.refunds).toHaveLength(1);
    const sent = w.orders.refunds[0]!;
    expect(sent.key).toBe(r.id);
    expect(sent.input).toMatchObject({
      orderId: order.id,
      notify: false,
      refundLineItems: [
        { lineItemId: order.lineItemIds[0], quantity: 2, restockType: 'RETURN', locationId: LOCATION },
        { lineItemId: order.lineItemIds[1], quantity: 1, restockType: 'NO_RESTOCK' },
      ],
      transactions: [
        { orderId: order.id, kind: 'REFUND', gateway: 'Cash', parentId: order.transactionIds[0] },
      ],
    });
    expect(sent.amount).toBe(r.amount);
    expect(sent.input.note).toContain('Wrong grind');
    expect(sent.input.note).toContain(r.id);
    // Restocked units are back on the shelf; the one kept off it is not.
    expect(stockOf(w, 0)).toBe(999);
    expect(stockOf(w, 1)).toBe(999);
    expect((await call(w.till, 'getRefund', { refundId: r.id })).shopify).toEqual({
      state: 'done',
      shopifyRefundId: sent.id,
      error: null,
    });
  });

  it('a sale’s order not yet in Shopify goes first, then its refund, in order', async () => {
    const w = await world();
    // Sold before the store was connected: no order queued.
    const sale = await sellCash(w, [0, 1]);
    await connect(w);
    expect((await call(w.till, 'getSale', { saleId: sale.id })).order).toBeNull();
    // Shopify is down as the refund is made: both wait, in order.
    w.fake.failRandomly(1, ['503']);
    const r = await refund(w, sale, [{ line: 1, quantity: 1, restock: true }]);
    await w.till.tick();
    expect(w.orders.orders).toHaveLength(0);
    w.fake.failRandomly(0, []);
    await drain(w);
    expect(w.orders.orders).toHaveLength(1);
    expect(w.orders.refunds).toHaveLength(1);
    expect(w.orders.refunds[0]!.orderId).toBe(w.orders.orders[0]!.id);
    expect((await call(w.till, 'getRefund', { refundId: r.id })).shopify?.state).toBe('done');
  });

  it('while its order is parked, its refund is parked too; retrying the order sends both, in order', async () => {
    const w = await world();
    await connect(w);
    const variantId = w.products[0]!.variants[0]!.id;
    const levels = w.orders.stock.get(variantId)!;
    w.orders.stock.delete(variantId); // Shopify refuses the order: "Variant … does not exist".
    const sale = await sellCash(w, [0]);
    const r = await refund(w, sale, [{ line: 0, quantity: 1, restock: true }]);
    await drain(w);
    expect((await call(w.till, 'getSale', { saleId: sale.id })).order?.state).toBe('failed');
    const parked = await call(w.till, 'getRefund', { refundId: r.id });
    expect(parked.shopify).toMatchObject({ state: 'failed' });
    expect(parked.shopify?.error).toMatch(/retry the order, its refund follows/);

    w.orders.stock.set(variantId, levels);
    await call(w.till, 'retryOrder', { saleId: sale.id });
    await drain(w);
    expect(w.orders.orders).toHaveLength(1);
    expect(w.orders.refunds).toHaveLength(1);
    expect((await call(w.till, 'getRefund', { refundId: r.id })).shopify?.state).toBe('done');
  });

  it('a tip given back refunds the tip’s line, never restocked', async () => {
    const w = await world();
    await connect(w);
    await call(w.till, 'addToCart', { variantId: w.products[0]!.variants[0]!.id });
    const cart = await call(w.till, 'getCart');
    const sale = await call(w.till, 'payCash', {
      tendered: cart.total + 500n,
      tip: { kind: 'fixed', amount: 75n },
    });
    await drain(w);
    const r = await refund(w, sale, [{ line: 0, quantity: 1, restock: true }], true);
    await drain(w);
    const order = w.orders.orders[0]!;
    expect(w.orders.refunds[0]!.input.refundLineItems).toEqual([
      { lineItemId: order.lineItemIds[0], quantity: 1, restockType: 'RETURN', locationId: LOCATION },
      { lineItemId: order.lineItemIds[1], quantity: 1, restockType: 'NO_RESTOCK' },
    ]);
    expect(w.orders.refunds[0]!.amount).toBe(sale.total);
    expect(r.amount).toBe(sale.total);
  });

  const LOST: Fault[] = ['reset-after', '503-after', 'hang-after'];
  for (const fault of LOST) {
    it(`exactly one refund when Shopify makes it and the answer is lost (${fault}), and on outages before`, async () => {
      const w = await world();
      await connect(w);
      const sale = await sellCash(w, [0, 1]);
      await drain(w);
      w.fake.failNextOn('refundCreate', fault);
      const r = await refund(w, sale, [{ line: 0, quantity: 1, restock: true }]);
      await w.till.tick();
      expect(w.fake.faults.get(`${fault} refundCreate`)).toBe(1);
      w.fake.failNext('503');
      await drain(w);
      const second = await refund(w, sale, [{ line: 1, quantity: 1, restock: false }]);
      w.fake.failNextOn('refundCreate', '500');
      await drain(w);
      expect(w.orders.refunds.map((x) => x.key)).toEqual([r.id, second.id]);
      expect(stockOf(w, 0)).toBe(1000);
    });
  }

  describe('each exactly-once net holds on its own', () => {
    it('the look-up alone (Shopify ignoring the key) finds the refund whose answer was lost', async () => {
      const w = await world();
      w.orders.honourIdempotency = false;
      await connect(w);
      const sale = await sellCash(w, [0]);
      await drain(w);
      w.fake.failNextOn('refundCreate', 'reset-after');
      const r = await refund(w, sale, [{ line: 0, quantity: 1, restock: true }]);
      await drain(w);
      expect(w.fake.faults.get('reset-after refundCreate')).toBe(1);
      expect(w.orders.refunds).toHaveLength(1);
      expect((await call(w.till, 'getRefund', { refundId: r.id })).shopify?.state).toBe('done');
    });

    it('the idempotency key alone (the order listing no refunds) answers the refund already made', async () => {
      const w = await world();
      w.orders.listRefunds = false;
      await connect(w);
      const sale = await sellCash(w, [0]);
      await drain(w);
      w.fake.failNextOn('refundCreate', 'hang-after');
      const r = await refund(w, sale, [{ line: 0, quantity: 1, restock: true }]);
      await drain(w);
      expect(w.fake.faults.get('hang-after refundCreate')).toBe(1);
      expect(w.fake.calls.get('refundCreate')).toBe(2);
      expect(w.orders.refunds).toHaveLength(1);
      expect((await call(w.till, 'getRefund', { refundId: r.id })).shopify?.shopifyRefundId).toBe(
        w.orders.refunds[0]!.id,
      );
    });
  });
});
