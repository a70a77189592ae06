import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { offlinePin, type OfflineKey } from '../../shared/offline-pay/index.js';
import { openJournal } from '../journal/db.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, signedInTill } from '../test-support/till-calls.js';
import { checkOfflineProofs, NO_PROOF, type OfflineProof } from './proof.js';

const KEY: OfflineKey = { id: '0a1b2c3d', key: '7f'.repeat(32) };
const dirs: { remove: () => void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

describe('offline payments proven later', () => {
  it('confirms what the companion saw paid, flags what it did not, leaves the unknown', async () => {
    const dir = tempDir('till-offline-proof-');
    dirs.push(dir);
    const clock = manualClock();
    const till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers: false,
      log: () => undefined,
    });
    await call(till, 'saveOfflinePay', {
      enabled: true,
      serverUrl: 'https://pay.example.com',
      perSaleLimit: 10_000n,
      perDayLimit: 50_000n,
      maxRateAgeMin: 60,
      alwaysOffer: true,
      key: KEY,
    });
    const sold: { saleId: string; nonce: string }[] = [];
    for (let i = 0; i < 3; i++) {
      await call(till, 'addCustomAmount', { amount: 300n });
      const c = await call(till, 'chargeOffline', {});
      const nonce = (await call(till, 'getSale', { saleId: c.saleId })).offline!.nonce;
      await call(till, 'enterOfflinePin', { saleId: c.saleId, pin: offlinePin(KEY, nonce, c.amountMsat) });
      sold.push({ saleId: c.saleId, nonce });
    }
    await till.close();

    const db = openJournal(join(dir.path, 'journal.sqlite'));
    try {
      expect(await checkOfflineProofs(db, NO_PROOF, clock.now)).toEqual({ confirmed: [], flagged: [] });
      const companion: OfflineProof = {
        status: (nonces) =>
          Promise.resolve(
            new Map(
              nonces.map((n) => [
                n,
                n === sold[0]!.nonce ? 'paid' : n === sold[1]!.nonce ? 'unpaid' : 'unknown',
              ]),
            ),
          ),
      };
      expect(await checkOfflineProofs(db, companion, clock.now)).toEqual({
        confirmed: [sold[0]!.saleId],
        flagged: [sold[1]!.saleId],
      });
      const states = db
        .prepare('SELECT state FROM offline_payments ORDER BY created_at, rowid')
        .pluck()
        .all();
      expect(states).toEqual(['confirmed', 'flagged', 'paid']);
    } finally {
      db.close();
    }
  });
});
