import { join } from 'node:path';
import lnurl from 'lnurl';
import { afterEach, describe, expect, it } from 'vitest';
import { offlinePin, type OfflineKey } from '../../shared/offline-pay/index.js';
import { startCompanion, type Companion } from '../companion/server.js';
import { BackendError, type LightningBackend } from '../lightning/backend.js';
import { createDemoBackend, type DemoBackend } from '../lightning/demo/backend.js';
import type { Till } from '../till.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { get, walletGetsInvoice, walletReads } from '../test-support/lnurl-pay-wallet.js';
import { reconcileDay } from '../test-support/reconcile-run.js';
import { call, signedInTill } from '../test-support/till-calls.js';

/**
 * Issue 17 end to end, on real HTTP: the till cut off from its node sells offline; the customer's
 * wallet (LUD-06/09) pays through the companion server on the merchant's node and reads the PIN;
 * back online, the till asks the companion which links were paid, and reconciliation matches the
 * proven sale with the node's payment and names the one whose PIN no payment backs.
 */

const KEY: OfflineKey = { id: '0a1b2c3d', key: '5e'.repeat(32) };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The merchant's node as the till sees it with the shop's internet down: no invoice, no info. */
function cutOff(node: DemoBackend): LightningBackend {
  const down = () => Promise.reject(new BackendError('Unreachable', 'connect ECONNREFUSED 10.0.0.2:8080'));
  return {
    kind: 'demo',
    getInfo: down,
    createInvoice: down,
    lookupInvoice: down,
    subscribeSettlements: (opts) => node.subscribeSettlements(opts),
    latestCursor: () => node.latestCursor(),
    // Reconciliation lists the node's invoices (once the till is back online).
    listInvoices: (req) => node.listInvoices(req),
    close: () => Promise.resolve(),
  };
}

async function companionOn(
  node: DemoBackend,
  dataDir: string,
  now: () => Date,
  port = 0,
): Promise<Companion> {
  const c = await startCompanion({
    host: '127.0.0.1',
    port,
    publicUrl: null,
    keys: [KEY],
    dataDir,
    node,
    now,
  });
  cleanups.push(() => c.close());
  return c;
}

async function chargeOffline(till: Till, amount: bigint) {
  await call(till, 'addCustomAmount', { amount });
  const charge = await call(till, 'chargeOffline', {});
  const sale = await call(till, 'getSale', { saleId: charge.saleId });
  return { ...charge, nonce: sale.offline!.nonce };
}

describe('offline Lightning proven later', () => {
  it('confirms the paid link from the companion, flags the PIN no payment backs, and reconciles both', async () => {
    const clock = manualClock(new Date('2026-11-27T12:00:00Z'));
    const dir = tempDir('offline-proven-');
    cleanups.push(() => dir.remove());
    const node = createDemoBackend({ dataDir: join(dir.path, 'node'), now: clock.now });
    cleanups.push(() => node.close());
    const companion = await companionOn(node, join(dir.path, 'companion'), clock.now);
    const till = await signedInTill({
      dataDir: join(dir.path, 'till'),
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers: false,
      log: () => undefined,
      backend: cutOff(node),
      startupWaitMs: 50,
    });
    cleanups.push(() => till.close());
    await call(till, 'saveOfflinePay', {
      enabled: true,
      serverUrl: companion.url,
      perSaleLimit: 10_000n,
      perDayLimit: 50_000n,
      maxRateAgeMin: 60,
      alwaysOffer: false,
      key: KEY,
    });
    expect((await call(till, 'getOfflineProofs')).configured).toBe(true);

    // The customer pays the link from their phone and reads the PIN off the companion's page.
    const paid = await chargeOffline(till, 1_250n);
    const info = await walletReads(lnurl.decode(paid.qr));
    const invoice = await walletGetsInvoice(info, paid.amountMsat);
    await node.simulatePayment(invoice.paymentHash);
    const page = await get(invoice.successUrl);
    expect(page.status).toBe(200);
    const pin = /\b(\d{6})\b/.exec(page.text)?.[1];
    expect(pin).toBeDefined();
    expect((await call(till, 'enterOfflinePin', { saleId: paid.saleId, pin })).state).toBe('paid');

    // A PIN typed by someone who holds the key, for a link nobody paid.
    const forged = await chargeOffline(till, 800n);
    await call(till, 'enterOfflinePin', {
      saleId: forged.saleId,
      pin: offlinePin(KEY, forged.nonce, forged.amountMsat),
    });
    expect(await call(till, 'getOfflineProofs')).toMatchObject({
      unproven: 2,
      flagged: 0,
      lastCheckedAt: null,
    });

    // The companion cannot be reached: reconciliation goes on and says so; both wait for proof,
    // and the node's payment of the link is one no sale names yet.
    const port = Number(new URL(companion.url).port);
    await companion.close();
    const day = clock.now().toISOString().slice(0, 10);
    const blind = await reconcileDay(till, day);
    expect(blind.state).toBe('done');
    expect(blind.offlineProof).toMatch(/^The companion server at 127\.0\.0\.1:\d+ cannot be reached/);
    const outcomes = (run: typeof blind) =>
      Object.fromEntries(run.outcomes.filter((o) => o.count > 0).map((o) => [o.outcome, o.count]));
    expect(outcomes(blind)).toEqual({ offline_unproven: 2, paid_on_node_no_sale: 1 });
    expect((await call(till, 'getOfflineProofs')).lastError).toMatch(/cannot be reached/);

    // Back online: the companion (its store kept) answers the till's signed question.
    await companionOn(node, join(dir.path, 'companion'), clock.now, port);
    const report = await call(till, 'checkOfflinePayments');
    expect(report).toMatchObject({
      unproven: 0,
      flagged: 1,
      paidUnsold: 0,
      lastError: null,
      last: { asked: 2, confirmed: 1, flagged: 1, paidUnsold: 0 },
    });
    expect((await call(till, 'getSale', { saleId: paid.saleId })).offline?.state).toBe('confirmed');
    expect((await call(till, 'getSale', { saleId: forged.saleId })).offline?.state).toBe('flagged');

    const run = await reconcileDay(till, day);
    expect(outcomes(run)).toEqual({ matched: 1, offline_no_payment: 1 });
    // The flagged one was asked again first (a restored companion may still find it).
    expect(run.offlineProof).toBe(
      'Companion server asked about 1 offline payment: 0 confirmed, 1 with no payment (flagged for a manager).',
    );
    const rows = (await call(till, 'getReconcile', {})).rows;
    expect(rows.find((r) => r.saleId === paid.saleId)).toMatchObject({
      outcome: 'matched',
      paymentHash: invoice.paymentHash,
      msat: paid.amountMsat,
    });
    expect(rows.find((r) => r.saleId === forged.saleId)).toMatchObject({
      outcome: 'offline_no_payment',
      repair: 'investigate_sale',
      safe: false,
    });
  });
});
