import { signedInTill } from '../test-support/till-calls.js';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRICING, type PricingSettings } from '../../shared/pricing/settings.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused } from '../test-support/till-calls.js';
import type { Till } from '../till.js';

const eu: PricingSettings = {
  ...DEFAULT_PRICING,
  rates: [
    { id: 'std', title: 'VAT 20%', percent: '20' },
    { id: 'red', title: 'Reduced 5.5%', percent: '5.5' },
  ],
  defaultRateId: 'std',
  productTypeRates: { Bakery: 'red' },
  tips: { enabled: true, presets: ['10', '15', '20'], taxRateId: null },
  receipt: { taxId: 'FR 12 345678901', address: '3 rue des Lilas, 75011 Paris' },
};

describe('pricing settings', () => {
  const dir = tempDir();
  const logs: string[] = [];
  const tills: Till[] = [];
  const open = async () => {
    const till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: manualClock().now,
      timers: false,
      log: (m) => logs.push(m),
    });
    tills.push(till);
    return till;
  };
  afterEach(async () => {
    for (const t of tills.splice(0)) await t.close();
  });

  it('start as "prices as labelled, no tips", are saved whole and survive a restart', async () => {
    const till = await open();
    expect(await call(till, 'getPricingSettings')).toEqual(DEFAULT_PRICING);
    expect(await call(till, 'updatePricingSettings', eu)).toEqual(eu);
    await till.close();
    tills.pop();
    expect(await call(await open(), 'getPricingSettings')).toEqual(eu);
  });

  it('refuses a rule naming a rate that is gone, and keeps what was saved', async () => {
    const till = await open();
    const error = await refused(till, 'updatePricingSettings', { ...eu, rates: [eu.rates[0]] });
    expect(error).toMatchObject({
      kind: 'ValidationError',
      message: 'That tax rate no longer exists: choose another',
    });
    expect(await call(till, 'getPricingSettings')).toEqual(eu);
  });

  it('falls back to the defaults, saying so in the log, when what is stored cannot be read', async () => {
    const db = new Database(join(dir.path, 'journal.sqlite'));
    db.prepare(`UPDATE settings SET value = '{"taxesIncluded":"sometimes"}' WHERE key = 'pricing'`).run();
    db.close();
    const till = await open();
    expect(await call(till, 'getPricingSettings')).toEqual(DEFAULT_PRICING);
    expect(logs).toContain('the saved pricing settings could not be read; using the defaults');
    dir.remove();
  });
});
