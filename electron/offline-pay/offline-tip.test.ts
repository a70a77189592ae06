import lnurl from 'lnurl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DisplayState } from '../../shared/domain/display.js';
import type { Tip } from '../../shared/domain/index.js';
import { invoiceMsat } from '../../shared/money/index.js';
import { offlinePin } from '../../shared/offline-pay/index.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused, signedInTill } from '../test-support/till-calls.js';
import { unreachableNode } from '../test-support/unreachable-node.js';
import type { Till } from '../till.js';
import { OFFLINE_KEY, offlinePaySettings } from '../test-support/offline-pay.js';

/**
 * The tip on the offline path (issue 17): chosen before the link is signed (on the tip sheet or
 * the customer display), it is in the link's sats and in the PIN's amount, the per-sale and
 * per-day offline limits count it, and the customer display shows the sale with its tip.
 */

const TEN: Tip = { kind: 'percentage', percent: '10' };
const FIFTEEN: Tip = { kind: 'percentage', percent: '15' };
/** The demo rate the unreachable demo node's till prices at. */
const RATE = '100000.00';

describe('tips on the offline path', () => {
  let dir: ReturnType<typeof tempDir>;
  let till: Till;
  let shown: DisplayState[];

  beforeEach(async () => {
    dir = tempDir('till-offline-tip-');
    const clock = manualClock();
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers: false,
      log: () => undefined,
      backend: unreachableNode(dir.path, clock.now),
      startupWaitMs: 50,
    });
    const pricing = await call(till, 'getPricingSettings');
    await call(till, 'updatePricingSettings', {
      ...pricing,
      tips: { ...pricing.tips, enabled: true, presets: ['10', '15'] },
    });
    await call(till, 'saveOfflinePay', offlinePaySettings());
    shown = [];
    till.subscribe((event, payload) => {
      if (event === 'displayChanged') shown.push(payload as DisplayState);
    });
  });
  afterEach(async () => {
    await till.close();
    dir.remove();
  });

  it('signs the tip into the link: its sats, the PIN’s amount, the sale and the customer display', async () => {
    await call(till, 'addCustomAmount', { amount: 1_000n });
    // The customer taps 10 % on their display; the cashier's offline charge takes it.
    expect(shown.at(-1)?.tipChoices).toEqual(['10', '15']);
    const { customerTip } = await call(till, 'chooseTip', { tip: TEN });
    const charge = await call(till, 'chargeOffline', { tip: customerTip });
    expect(charge.total).toBe(1_100n);
    expect(charge.amountMsat).toBe(invoiceMsat(1_100n, 'USD', RATE));
    // What the customer's wallet reads: exactly the tipped sats, min = max.
    const link = new URL(lnurl.decode(charge.qr));
    expect(link.searchParams.get('minSendable')).toBe(charge.amountMsat.toString());
    expect(link.searchParams.get('maxSendable')).toBe(charge.amountMsat.toString());

    const sale = await call(till, 'getSale', { saleId: charge.saleId });
    expect(sale.total).toBe(1_100n);
    expect(sale.pricing?.totals.tip).toBe(100n);
    expect(sale.pricing?.tip?.tip).toEqual(TEN);
    // The display shows the sale being paid, its tip in it, no tip to tap any more, and the
    // signed link's QR for the customer to scan there.
    expect(shown.at(-1)).toMatchObject({
      phase: 'invoice',
      tip: 100n,
      total: 1_100n,
      msat: charge.amountMsat,
      tipChoices: null,
      invoice: { bolt11: charge.qr, amountMsat: charge.amountMsat, expiresAt: charge.expiresAt },
    });
    expect((await refused(till, 'chooseTip', { tip: FIFTEEN })).kind).toBe('InvalidState');

    // The PIN the companion shows is bound to the tipped amount: it pays the sale.
    const paid = await call(till, 'enterOfflinePin', {
      saleId: charge.saleId,
      pin: offlinePin(OFFLINE_KEY, sale.offline!.nonce, charge.amountMsat),
    });
    expect(paid.state).toBe('paid');
    expect(await call(till, 'getSale', { saleId: charge.saleId })).toMatchObject({
      state: 'paid',
      amountPaidMsat: invoiceMsat(1_100n, 'USD', RATE),
    });
  });

  it('counts the tip in the per-sale and per-day offline limits', async () => {
    // $95.00 goes; with a 10 % tip it is $104.50, above the $100.00 a sale may be offline.
    await call(till, 'addCustomAmount', { amount: 9_500n });
    const perSale = await refused(till, 'chargeOffline', { tip: TEN });
    expect(perSale.message).toMatch(/at most \$100\.00 a sale/);
    const first = await call(till, 'chargeOffline', { tip: null });
    expect(first.total).toBe(9_500n);
    const nonce = (await call(till, 'getSale', { saleId: first.saleId })).offline!.nonce;
    await call(till, 'enterOfflinePin', {
      saleId: first.saleId,
      pin: offlinePin(OFFLINE_KEY, nonce, first.amountMsat),
    });

    // $55.00 of the day's $150.00 is left: $50.00 goes, with a 15 % tip ($57.50) it does not.
    await call(till, 'addCustomAmount', { amount: 5_000n });
    const perDay = await refused(till, 'chargeOffline', { tip: FIFTEEN });
    expect(perDay.message).toMatch(/Today's offline Lightning limit is reached \(\$55\.00 left\)/);
    expect((await call(till, 'chargeOffline', { tip: TEN })).total).toBe(5_500n);
  });
});
