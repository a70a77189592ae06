import { afterEach, describe, expect, it } from 'vitest';
import type { OfflineCharge } from '../../shared/domain/index.js';
import { offlinePin, type OfflineKey } from '../../shared/offline-pay/index.js';
import { RESOURCES_DIR } from '../test-support/fixtures.js';
import {
  closeWorld,
  connect,
  drain,
  ordersBySale,
  world,
  type World,
} from '../test-support/shopify-world.js';
import { call, refused, signedInTill } from '../test-support/till-calls.js';
import { unreachableNode as unreachable } from '../test-support/unreachable-node.js';
import { OFFLINE_KEY, offlinePaySettings } from '../test-support/offline-pay.js';

/**
 * Lightning with the till offline (issue 17), the till's side: the node unreachable, the cart
 * charged through a signed LNURL-pay link, the PIN the companion would show (computed here with
 * the key the test configured) makes the sale paid once, with its order in the outbox.
 */

const NEW_KEY: OfflineKey = { id: '0a1b2c3e', key: 'cd'.repeat(32) };

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await closeWorld(w);
});

const settings = offlinePaySettings();

async function offlineWorld(): Promise<World> {
  const w = await world({
    till: { startupWaitMs: 50 },
  });
  worlds.push(w);
  // The node goes away: the till is reopened on one that never answers.
  await w.till.close();
  w.till = await signedInTill({
    dataDir: w.dir.path,
    resourcesDir: RESOURCES_DIR,
    now: w.clock.now,
    timers: false,
    log: () => undefined,
    shopifyBaseUrl: w.fake.url,
    shopifyTimeoutMs: 1_500,
    shopifySleep: () => Promise.resolve(),
    backend: unreachable(w.dir.path, w.clock.now),
    startupWaitMs: 50,
  });
  await call(w.till, 'saveOfflinePay', settings);
  return w;
}

async function ringUp(w: World, amount: bigint): Promise<void> {
  await call(w.till, 'addCustomAmount', { amount });
}

describe('Lightning with the till offline', () => {
  it('sells with the node unreachable: the right PIN pays the sale once, tender lightning-offline, its order queued', async () => {
    const w = await offlineWorld();
    await connect(w);
    expect((await call(w.till, 'getStatus')).backend.state).not.toBe('connected');
    expect((await call(w.till, 'getOfflineCharge', {})).offered).toBe(true);
    await ringUp(w, 1_250n);
    const charge = await call(w.till, 'chargeOffline', {});
    expect(charge.state).toBe('pending');
    expect(charge.qr).toMatch(/^LNURL1[0-9A-Z]+$/);
    expect(charge.total).toBe(1_250n);
    expect(charge.rateLabel).toMatch(/^Rate from \d\d:\d\d, offline$/);
    expect(charge.pinTriesLeft).toBe(3);
    // Journaled before the QR: the sale and its offline payment are there now.
    const sale = await call(w.till, 'getSale', { saleId: charge.saleId });
    expect(sale.state).toBe('awaiting_payment');
    expect(sale.offline?.state).toBe('pending');
    // A second tap shows the same link: no second nonce.
    const again = await call(w.till, 'chargeOffline', {});
    expect(again.qr).toBe(charge.qr);
    expect(again.saleId).toBe(charge.saleId);

    const pin = offlinePin(OFFLINE_KEY, sale.offline!.nonce, charge.amountMsat);
    const paid = await call(w.till, 'enterOfflinePin', { saleId: charge.saleId, pin });
    expect(paid.state).toBe('paid');
    const done = await call(w.till, 'getSale', { saleId: charge.saleId });
    expect(done).toMatchObject({
      state: 'paid',
      tender: 'lightning-offline',
      amountPaidMsat: charge.amountMsat,
    });
    expect((await call(w.till, 'getStatus')).activeSaleId).toBeNull();
    expect((await call(w.till, 'getCart')).lines).toEqual([]);
    // A second Enter changes nothing.
    expect((await call(w.till, 'enterOfflinePin', { saleId: charge.saleId, pin })).state).toBe('paid');

    const receipt = await call(w.till, 'getReceipt', { saleId: charge.saleId });
    expect(receipt.tender).toMatchObject({
      kind: 'lightning-offline',
      label: 'Lightning (offline) — to be confirmed',
    });

    await drain(w);
    const orders = ordersBySale(w.orders).get(charge.saleId) ?? [];
    expect(orders).toHaveLength(1);
    const attrs = orders[0]!.input.customAttributes ?? [];
    expect(attrs).toContainEqual({ key: 'tender', value: 'Lightning (offline)' });
    expect(attrs).toContainEqual({ key: 'offline_nonce', value: sale.offline!.nonce });
    expect(w.fake.violations).toEqual([]);
  });

  it('locks the offline payment at the third wrong PIN; the right one is refused after', async () => {
    const w = await offlineWorld();
    await ringUp(w, 900n);
    const charge = await call(w.till, 'chargeOffline', {});
    const sale = await call(w.till, 'getSale', { saleId: charge.saleId });
    const right = offlinePin(OFFLINE_KEY, sale.offline!.nonce, charge.amountMsat);
    const wrong = right === '000000' ? '000001' : '000000';
    const first = await refused(w.till, 'enterOfflinePin', { saleId: charge.saleId, pin: wrong });
    expect(first.message).toMatch(/Wrong PIN.*2 tries left/);
    const second = await refused(w.till, 'enterOfflinePin', { saleId: charge.saleId, pin: '12' });
    expect(second.message).toMatch(/1 try left/);
    const third = await refused(w.till, 'enterOfflinePin', { saleId: charge.saleId, pin: wrong });
    expect(third.message).toMatch(/locked/);
    const after = await refused(w.till, 'enterOfflinePin', { saleId: charge.saleId, pin: right });
    expect(after.message).toMatch(/locked/);
    expect((await call(w.till, 'getSale', { saleId: charge.saleId })).state).toBe('awaiting_payment');
    // A cashier cannot cancel it: the customer may have paid. A manager can.
    await call(w.till, 'addStaff', { name: 'Casey', role: 'cashier', pin: '86420' });
    await call(w.till, 'addStaff', { name: 'Maya', role: 'manager', pin: '97531' });
    await call(w.till, 'unlock', { pin: '86420' });
    const cashier = await refused(w.till, 'cancelSale', { saleId: charge.saleId });
    expect(cashier).toMatchObject({ kind: 'NeedsManager' });
    expect(cashier.message).toMatch(/a manager cancels the sale/);
    expect((await call(w.till, 'getSale', { saleId: charge.saleId })).state).toBe('awaiting_payment');
    const cancelled = await call(w.till, 'cancelSale', { saleId: charge.saleId, managerPin: '97531' });
    expect(cancelled.state).toBe('cancelled');
  });

  it('refuses above the per-sale and per-day limits and with a rate older than allowed', async () => {
    const w = await offlineWorld();
    await ringUp(w, 10_001n);
    expect((await refused(w.till, 'chargeOffline', {})).message).toMatch(/at most \$100\.00 a sale/);
    await call(w.till, 'clearCart');
    await ringUp(w, 9_000n);
    const first = await call(w.till, 'chargeOffline', {});
    const s1 = await call(w.till, 'getSale', { saleId: first.saleId });
    await call(w.till, 'enterOfflinePin', {
      saleId: first.saleId,
      pin: offlinePin(OFFLINE_KEY, s1.offline!.nonce, first.amountMsat),
    });
    await ringUp(w, 7_000n);
    const day = await refused(w.till, 'chargeOffline', {});
    expect(day.message).toMatch(/Today's offline Lightning limit is reached \(\$60\.00 left\)/);
    // A cancelled offline sale gives its share of the day back.
    await call(w.till, 'clearCart');
    await ringUp(w, 6_000n);
    const second = await call(w.till, 'chargeOffline', {});
    await call(w.till, 'cancelSale', { saleId: second.saleId });
    const third = await call(w.till, 'chargeOffline', {});
    expect(third.saleId).not.toBe(second.saleId);
    await call(w.till, 'cancelSale', { saleId: third.saleId });
    // An hour and a minute later the demo rate the till fetched at start is too old.
    w.clock.advance(61 * 60_000);
    const old = await refused(w.till, 'chargeOffline', {});
    expect(old.kind).toBe('RateUnavailable');
    expect(old.message).toMatch(/older than offline sales allow \(60 min\)/);
  });

  it('never repeats a nonce, across a restart of the till; a rotated key still checks its links', async () => {
    const w = await offlineWorld();
    const nonces: string[] = [];
    const sell = async (): Promise<OfflineCharge> => {
      await ringUp(w, 100n);
      const c = await call(w.till, 'chargeOffline', {});
      nonces.push((await call(w.till, 'getSale', { saleId: c.saleId })).offline!.nonce);
      return c;
    };
    await call(w.till, 'cancelSale', { saleId: (await sell()).saleId });
    await call(w.till, 'cancelSale', { saleId: (await sell()).saleId });
    const pending = await sell();
    await w.till.close();
    w.till = await signedInTill({
      dataDir: w.dir.path,
      resourcesDir: RESOURCES_DIR,
      now: w.clock.now,
      timers: false,
      log: () => undefined,
      backend: unreachable(w.dir.path, w.clock.now),
      startupWaitMs: 50,
    });
    // Rotation: the new key signs from now, the old one still checks the link it signed.
    const rotated = await call(w.till, 'saveOfflinePay', { ...settings, key: NEW_KEY });
    expect(rotated.keyHint).toMatch(/^Key 0a1b2c3e · fingerprint [0-9a-f]{8}$/);
    expect(rotated.previousKeyHint).toMatch(/^Key 0a1b2c3d/);
    expect(
      JSON.stringify(rotated, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    ).not.toContain(NEW_KEY.key);
    const old = await call(w.till, 'enterOfflinePin', {
      saleId: pending.saleId,
      pin: offlinePin(OFFLINE_KEY, nonces[2]!, pending.amountMsat),
    });
    expect(old.state).toBe('paid');
    const fresh = await sell();
    await call(w.till, 'enterOfflinePin', {
      saleId: fresh.saleId,
      pin: offlinePin(NEW_KEY, nonces[3]!, fresh.amountMsat),
    });
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(nonces.map((n) => n.slice(0, 8))).toEqual(['00000000', '00000001', '00000002', '00000003']);
  });

  it('checks the owner’s settings: address, key, and off by default', async () => {
    const w = await world();
    worlds.push(w);
    expect(await call(w.till, 'getOfflinePay')).toMatchObject({ enabled: false, keyHint: null });
    const http = await refused(w.till, 'saveOfflinePay', {
      ...settings,
      serverUrl: 'http://pay.example.com',
    });
    expect(http.issues?.[0]?.path).toBe('serverUrl');
    await call(w.till, 'saveOfflinePay', { ...settings, serverUrl: 'http://192.168.1.20:3002' });
    const badKey = await refused(w.till, 'saveOfflinePay', {
      ...settings,
      key: { id: '0a1b2c3f', key: 'xyz' },
    });
    expect(badKey.issues?.[0]?.path).toBe('key');
    expect(badKey.message).not.toContain('xyz');
    const shorter = await refused(w.till, 'saveOfflinePay', { ...settings, maxRateAgeMin: 5 });
    expect(shorter.issues?.[0]?.path).toBe('maxRateAgeMin');
    // The node answers and "always offer" is off: the usual Lightning charge, not offline.
    expect((await call(w.till, 'getOfflineCharge', {})).offered).toBe(false);
    await ringUp(w, 500n);
    expect((await refused(w.till, 'chargeOffline', {})).message).toMatch(/node answers/);
    await call(w.till, 'saveOfflinePay', { ...settings, alwaysOffer: true });
    expect((await call(w.till, 'chargeOffline', {})).state).toBe('pending');
  });
});
