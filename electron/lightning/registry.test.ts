import { signedInTill } from '../test-support/till-calls.js';
import { describe, expect, it } from 'vitest';
import { writeSettingValue } from '../journal/settings.js';
import { openJournal } from '../journal/db.js';
import { call, refused } from '../test-support/till-calls.js';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { BACKEND_SETTING, DEMO, parseStored } from './registry.js';

describe('the saved node connection', () => {
  it('is the demo node only when nothing was ever saved', () => {
    expect(parseStored(null)).toEqual({ ok: true, config: DEMO });
    expect(parseStored(undefined)).toEqual({ ok: true, config: DEMO });
    const lnd = { kind: 'lnd', network: 'mainnet', restUrl: 'https://n:8080', tlsCert: null };
    expect(parseStored(lnd)).toEqual({ ok: true, config: lnd });
  });

  it.each([
    ['an unknown kind', { kind: 'eclair', network: 'mainnet' }],
    ['an unknown network', { kind: 'lnd', network: 'liquid', restUrl: 'https://n:8080', tlsCert: null }],
    ['a missing address', { kind: 'cln', network: 'mainnet', caCert: null }],
    ['not an object', 'lnd'],
  ])('with %s is a problem to show, not the demo node', (_what, value) => {
    const parsed = parseStored(value);
    expect(parsed.ok).toBe(false);
  });

  it('that cannot be read leaves the till refusing Lightning charges with a reason a manager can act on', async () => {
    const dir = tempDir();
    try {
      const db = openJournal(`${dir.path}/journal.sqlite`);
      writeSettingValue(db, BACKEND_SETTING, { kind: 'lnd', network: 'mainnet', restUrl: 42 });
      db.close();
      const till = await signedInTill({
        dataDir: dir.path,
        resourcesDir: RESOURCES_DIR,
        timers: false,
        log: () => {},
      });
      try {
        const status = await call(till, 'getStatus', {});
        expect(status.demoMode).toBe(false);
        expect(status.backend).toMatchObject({ kind: 'lnd', state: 'disconnected' });
        expect(status.backend.message).toMatch(/saved Lightning node settings cannot be read.*Settings/);
        const { products } = await call(till, 'searchCatalog', {});
        await call(till, 'addToCart', { variantId: products[0]!.variants[0]!.id });
        const error = await refused(till, 'charge', {});
        expect(error.message).toMatch(/cannot be read|Settings/);
        await expect(refused(till, 'demoPay', { saleId: 'x' })).resolves.toMatchObject({
          kind: 'InvalidState',
        });
      } finally {
        await till.close();
      }
    } finally {
      dir.remove();
    }
  });
});
