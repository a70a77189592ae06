import type { RateSourceId } from '../../shared/domain/index.js';
import type { OfflineKey } from '../../shared/offline-pay/index.js';
import { RateError } from '../rates/public-sources.js';
import type { RateSource } from '../rates/source.js';

/** The shared key the offline-payment tests configure (and sign PINs with). */
export const OFFLINE_KEY: OfflineKey = { id: '0a1b2c3d', key: 'ab'.repeat(32) };

/** The owner's offline-payment settings the tests start from, with what a test changes. */
export const offlinePaySettings = (
  changes: Partial<{
    perSaleLimit: bigint;
    perDayLimit: bigint;
    maxRateAgeMin: number;
    alwaysOffer: boolean;
    key: OfflineKey;
  }> = {},
) => ({
  enabled: true,
  serverUrl: 'https://pay.example.com',
  perSaleLimit: 10_000n,
  perDayLimit: 15_000n,
  maxRateAgeMin: 60,
  alwaysOffer: false,
  key: OFFLINE_KEY,
  ...changes,
});

/**
 * A stand-in exchange: a real RateSource (the till's `rateSource` dependency) that answers 90,000
 * at `now` while `up()` says so, and fails as an exchange that timed out otherwise.
 */
export const switchableExchange =
  (now: () => Date, up: () => boolean) =>
  (id: RateSourceId): RateSource => ({
    id,
    label: 'Test exchange',
    quote: (currency) =>
      up()
        ? Promise.resolve({
            currency,
            rate: '90000',
            source: 'Test exchange',
            fetchedAt: now().toISOString(),
          })
        : Promise.reject(new RateError('Test exchange did not answer in time')),
  });
