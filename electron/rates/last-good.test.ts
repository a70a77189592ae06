import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RateQuote, RateSourceId, Settings } from '../../shared/domain/index.js';
import { invoiceMsat } from '../../shared/money/index.js';
import { defaultLimits } from '../checkout/limits.js';
import { openJournal, type Db } from '../journal/db.js';
import { readMeta, writeMeta } from '../journal/settings.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused, signedInTill } from '../test-support/till-calls.js';
import { unreachableNode } from '../test-support/unreachable-node.js';
import type { Till } from '../till.js';
import { DEMO_RATE_LABEL } from './demo.js';
import { createLastGoodRates, LAST_GOOD_REWRITE_MS } from './last-good.js';
import { createTillRates } from './till-rates.js';
import { offlinePaySettings, switchableExchange } from '../test-support/offline-pay.js';

/**
 * The last good rate outlives a restart (issue 17): a till reopened while the internet is down
 * charges offline at the quote its last run kept, labelled with that quote's time and refused
 * past the owner's offline limit; an online charge never takes it.
 */

const OFFLINE = offlinePaySettings({ perDayLimit: 50_000n });

/** "HH:MM" in the till's local time, as the offline screen and its refusals print a rate's time. */
const hhmm = (iso: string) => {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

describe('the last good rate, kept across a restart', () => {
  let dir: ReturnType<typeof tempDir>;
  let clock: ReturnType<typeof manualClock>;
  let exchangeUp: boolean;
  let till: Till | null;

  /** A stand-in exchange that answers 90,000 or fails on demand. */
  const exchange = switchableExchange(
    () => clock.now(),
    () => exchangeUp,
  );

  async function open(node: 'up' | 'down'): Promise<Till> {
    await till?.close();
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers: false,
      log: () => undefined,
      rateSource: exchange,
      startupWaitMs: 50,
      ...(node === 'down' ? { backend: unreachableNode(dir.path, clock.now) } : {}),
    });
    return till;
  }

  beforeEach(() => {
    dir = tempDir('till-last-rate-');
    clock = manualClock();
    exchangeUp = true;
    till = null;
  });
  afterEach(async () => {
    await till?.close();
    dir.remove();
  });

  it('a till reopened offline charges at the kept quote, labelled with its time; past the limit it refuses', async () => {
    // Online at 10:00: the exchange's quote arrives (at start) and is kept.
    let t = await open('down');
    const quotedAt = clock.now().toISOString();
    expect((await call(t, 'getStatus')).rate).toEqual({
      currency: 'USD',
      rate: '90000',
      source: 'Test exchange',
      fetchedAt: quotedAt,
    });
    await call(t, 'saveOfflinePay', OFFLINE);

    // Half an hour later the till is restarted and nothing answers: not the node, not the exchange.
    exchangeUp = false;
    clock.advance(30 * 60_000);
    t = await open('down');
    expect((await call(t, 'getStatus')).rate).toMatchObject({ rate: '90000', fetchedAt: quotedAt });
    await call(t, 'addCustomAmount', { amount: 1_250n });
    const charge = await call(t, 'chargeOffline', {});
    expect(charge.rateLabel).toBe(`Rate from ${hhmm(quotedAt)}, offline`);
    expect(charge.amountMsat).toBe(invoiceMsat(1_250n, 'USD', '90000'));
    const sale = await call(t, 'getSale', { saleId: charge.saleId });
    expect(sale.offline?.rate).toEqual({
      currency: 'USD',
      rate: '90000',
      source: 'Test exchange',
      fetchedAt: quotedAt,
    });
    await call(t, 'cancelSale', { saleId: charge.saleId });

    // The owner allows an hour: at 11:01 the kept quote is too old, in the existing words.
    clock.advance(31 * 60_000);
    const old = await refused(t, 'chargeOffline', {});
    expect(old.kind).toBe('RateUnavailable');
    expect(old.message).toBe(
      `The last exchange rate is from ${hhmm(quotedAt)}, older than offline sales allow (60 min): take cash.`,
    );
  });

  it('an online charge never takes the kept quote: reopened with the exchange down, Lightning is refused', async () => {
    await open('up');
    exchangeUp = false;
    // Older than the online limit (10 min), young enough offline.
    clock.advance(11 * 60_000);
    const t = await open('up');
    expect((await call(t, 'getStatus')).rate).toMatchObject({ rate: '90000', source: 'Test exchange' });
    await call(t, 'addCustomAmount', { amount: 1_250n });
    const online = await refused(t, 'charge', {});
    expect(online.kind).toBe('RateUnavailable');
    expect(online.message).toMatch(/A manager must enter a rate/);
    // The exchange back: the charge is priced at its fresh quote.
    exchangeUp = true;
    const sale = await call(t, 'charge', {});
    expect(sale.invoice?.rate.fetchedAt).toBe(clock.now().toISOString());
  });
});

describe('what the journal keeps', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  const clock = manualClock();
  const quote = (rate: string, at: Date, source = 'Test exchange'): RateQuote => ({
    currency: 'USD',
    rate,
    source,
    fetchedAt: at.toISOString(),
  });

  beforeEach(() => {
    dir = tempDir('till-last-rate-db-');
    db = openJournal(join(dir.path, 'journal.sqlite'));
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('writes a new rate at once, the same rate again only once its kept time lags by 5 minutes', () => {
    const kept = createLastGoodRates(db);
    const t0 = new Date('2026-11-24T10:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    kept.remember(quote('90000', t0));
    // Polled a minute later, unchanged: no write, the kept time stays (older, never younger).
    kept.remember(quote('90000', at(60_000)));
    expect(kept.read('USD')?.fetchedAt).toBe(t0.toISOString());
    kept.remember(quote('90000', at(LAST_GOOD_REWRITE_MS - 1)));
    expect(kept.read('USD')?.fetchedAt).toBe(t0.toISOString());
    kept.remember(quote('90000', at(LAST_GOOD_REWRITE_MS)));
    expect(kept.read('USD')?.fetchedAt).toBe(at(LAST_GOOD_REWRITE_MS).toISOString());
    // A new rate, or the same from another source, is written at once.
    kept.remember(quote('90001.5', at(LAST_GOOD_REWRITE_MS + 1_000)));
    expect(kept.read('USD')).toEqual(quote('90001.5', at(LAST_GOOD_REWRITE_MS + 1_000)));
    kept.remember(quote('90001.5', at(LAST_GOOD_REWRITE_MS + 2_000), 'Kraken'));
    expect(kept.read('USD')?.source).toBe('Kraken');
    // Per currency, and a damaged row is no rate rather than a crash.
    expect(kept.read('EUR')).toBeNull();
    writeMeta(db, 'last_rate.EUR', '{not json');
    expect(kept.read('EUR')).toBeNull();
    writeMeta(db, 'last_rate.EUR', JSON.stringify(quote('1', t0)));
    expect(kept.read('EUR')).toBeNull(); // a USD quote under EUR's key is not EUR's
  });

  it('keeps what a source answered, not a manager’s rate; the demo rate is not offered on a real node', async () => {
    let demoNode = true;
    let source: RateSourceId = 'demo';
    const settings = (): Settings => ({
      shopName: 'Test',
      currency: 'USD',
      invoiceExpirySec: 600,
      rateSource: source,
      maxRateAgeSec: 600,
      ...defaultLimits('USD'),
      manualRateBandPercent: 10,
      discountApprovalPercent: 20,
      idleLockSec: 0,
    });
    const make = () => createTillRates({ db, now: clock.now, settings, onDemoNode: () => demoNode });
    const rates = make();
    expect(await rates.refresh()).toBe(true);
    expect(JSON.parse(readMeta(db, 'last_rate.USD')!)).toMatchObject({ source: DEMO_RATE_LABEL });
    // A restart on a real node: the kept demo quote prices nothing.
    demoNode = false;
    expect(make().last()).toBeNull();
    demoNode = true;
    expect(make().last()).toMatchObject({ source: DEMO_RATE_LABEL });

    // A manager's rate is its own row: not kept as a source's quote.
    clock.advance(60_000);
    rates.setManual('95000', undefined);
    source = 'manual';
    rates.sourceChanged();
    expect(await rates.refresh()).toBe(true);
    expect(rates.last()).toMatchObject({ source: 'Manual rate' });
    expect(JSON.parse(readMeta(db, 'last_rate.USD')!)).toMatchObject({ source: DEMO_RATE_LABEL });
    // After a restart the newer of the two stands: the manager's, entered after the kept quote.
    expect(make().last()).toMatchObject({ source: 'Manual rate', rate: '95000' });
  });
});
