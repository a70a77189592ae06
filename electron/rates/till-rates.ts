import { TillError } from '../../shared/contract/index.js';
import { RateQuote, type RateSourceId, type Settings } from '../../shared/domain/index.js';
import type { Db } from '../journal/db.js';
import { readSettingValue, writeSettingValue } from '../journal/settings.js';
import { createDemoRateSource } from './demo.js';
import { createManualRateSource, createRateKeeper } from './keeper.js';
import { createPublicRateSource, RateError } from './public-sources.js';
import type { RateSource } from './source.js';

/**
 * The till's exchange rate: the source Settings name, the last good quote, and a manager's
 * rate kept in the journal (so it outlives a restart) for when the source is down.
 */

const MANUAL_RATE_KEY = 'manualRate';

export interface TillRatesDeps {
  db: Db;
  now: () => Date;
  settings: () => Settings;
  /** The demo rate prices only the demo node. */
  onDemoNode: () => boolean;
  /** Makes the rate source Settings name; tests pass fakes. */
  makeSource?: (id: RateSourceId) => RateSource;
}

export type TillRates = ReturnType<typeof createTillRates>;

export function createTillRates(deps: TillRatesDeps) {
  const { db, now, settings } = deps;
  const makeSource =
    deps.makeSource ??
    ((id: RateSourceId): RateSource =>
      id === 'demo' || id === 'manual' ? createDemoRateSource(now) : createPublicRateSource(id, { now }));

  function readManual(): RateQuote | null {
    const parsed = RateQuote.safeParse(readSettingValue(db, MANUAL_RATE_KEY));
    return parsed.success ? parsed.data : null;
  }

  function sourceFor(id: RateSourceId): RateSource {
    if (id !== 'manual') return makeSource(id);
    return {
      id: 'manual',
      label: 'Manual rate',
      quote: (currency) => {
        const manual = readManual();
        if (!manual || manual.currency !== currency) {
          return Promise.reject(new RateError(`No manual rate in ${currency} has been entered`));
        }
        return Promise.resolve(manual);
      },
    };
  }

  const keeper = createRateKeeper({
    source: sourceFor(settings().rateSource),
    maxAgeMs: () => settings().maxRateAgeSec * 1000,
    now,
  });
  keeper.setManual(readManual());

  const demoRateOnRealNode = () => settings().rateSource === 'demo' && !deps.onDemoNode();

  return {
    /** What the status shows: the last quote, or the manager's rate. */
    last: (): RateQuote | null => keeper.last(settings().currency) ?? readManual(),

    /** The rate a charge is priced at, or a refusal a manager can act on. */
    lock: async (currency: string): Promise<RateQuote> => {
      if (demoRateOnRealNode()) {
        throw new TillError(
          'RateUnavailable',
          'The demo rate is for the demo node only: a manager must choose an exchange in Settings.',
        );
      }
      try {
        return await keeper.current(currency);
      } catch (err) {
        throw new TillError(
          'RateUnavailable',
          `No exchange rate for ${currency}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    },

    /** Fetches a fresh quote; true when there is one. Never throws. */
    refresh: async (): Promise<boolean> => {
      if (demoRateOnRealNode()) return false;
      return (await keeper.refresh(settings().currency)) !== null;
    },

    /** Settings named another source. */
    sourceChanged: (): void => {
      keeper.setSource(sourceFor(settings().rateSource));
    },

    /** A manager's rate for the till's currency, checked, journaled and used from now on. */
    setManual: (rate: string): void => {
      const currency = settings().currency;
      try {
        createManualRateSource(rate, currency, now());
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new TillError('ValidationError', message, [{ path: 'rate', message }]);
      }
      const quote: RateQuote = { currency, rate, source: 'Manual rate', fetchedAt: now().toISOString() };
      writeSettingValue(db, MANUAL_RATE_KEY, quote);
      keeper.setManual(quote);
    },
  };
}
