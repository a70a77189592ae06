import { randomUUID } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';
import {
  RateQuote,
  type ManualRatePreview,
  type RateSourceId,
  type Settings,
} from '../../shared/domain/index.js';
import {
  currencyExponent,
  formatFiat,
  formatRate,
  formatSats,
  invoiceMsat,
  parseDecimal,
} from '../../shared/money/index.js';
import type { Db } from '../journal/db.js';
import { readSettingValue, writeSettingValue } from '../journal/settings.js';
import { createDemoRateSource, DEMO_RATE_LABEL } from './demo.js';
import { createManualRateSource, createRateKeeper, MANUAL_RATE_LABEL } from './keeper.js';
import { createLastGoodRates } from './last-good.js';
import { createPublicRateSource, RateError } from './public-sources.js';
import type { RateSource } from './source.js';

/**
 * The till's exchange rate: the source Settings name, the last good quote, and a manager's
 * rate kept in the journal (so it outlives a restart) for when the source is down.
 */

const MANUAL_RATE_KEY = 'manualRate';
/** A warning's token stands for this long: a rate checked yesterday is checked again. */
const WARNING_TTL_MS = 10 * 60_000;
/** The sats shown for 10 of the currency's major units ("$10.00 = 10,283 sats"). */
const REFERENCE_MAJOR = 10n;

/** |a − b| / b in whole percent, rounded up, exactly (rates are decimal strings). */
export function rateDifferencePercent(rate: string, base: string): bigint {
  const a = parseDecimal(rate);
  const b = parseDecimal(base);
  const scale = Math.max(a.scale, b.scale);
  const A = a.units * 10n ** BigInt(scale - a.scale);
  const B = b.units * 10n ** BigInt(scale - b.scale);
  const diff = A > B ? A - B : B - A;
  return (diff * 100n + B - 1n) / B;
}

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
      label: MANUAL_RATE_LABEL,
      quote: (currency) => {
        const manual = readManual();
        if (!manual || manual.currency !== currency) {
          return Promise.reject(new RateError(`No manual rate in ${currency} has been entered`));
        }
        return Promise.resolve(manual);
      },
    };
  }

  const lastGood = createLastGoodRates(db);
  const keeper = createRateKeeper({
    source: sourceFor(settings().rateSource),
    maxAgeMs: () => settings().maxRateAgeSec * 1000,
    now,
    // A manager's rate is kept as such (MANUAL_RATE_KEY), never as a source's quote.
    onFresh: (quote) => {
      if (quote.source !== MANUAL_RATE_LABEL) lastGood.remember(quote);
    },
  });
  keeper.setManual(readManual());

  /** The warning a preview gave for a rate outside the band, and how many times it was confirmed since. */
  let warning: { token: string; rate: string; currency: string; at: number; confirmed: number } | null = null;

  function validManual(rate: string, currency: string): void {
    try {
      createManualRateSource(rate, currency, now());
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new TillError('ValidationError', message, [{ path: 'rate', message }]);
    }
  }

  function preview(rate: string): ManualRatePreview {
    const { currency, manualRateBandPercent: band } = settings();
    validManual(rate, currency);
    const reference = REFERENCE_MAJOR * 10n ** BigInt(currencyExponent(currency));
    const last = keeper.last(currency);
    const difference = last ? rateDifferencePercent(rate, last.rate) : null;
    const outside = difference === null || difference > BigInt(band);
    warning = outside ? { token: randomUUID(), rate, currency, at: now().getTime(), confirmed: 0 } : null;
    return {
      currency,
      rate,
      reference,
      msat: invoiceMsat(reference, currency, rate),
      last: last && {
        rate: last.rate,
        source: last.source,
        fetchedAt: last.fetchedAt,
        msat: invoiceMsat(reference, currency, last.rate),
      },
      differencePercent:
        difference === null ? null : Number(difference > 1_000_000n ? 1_000_000n : difference),
      bandPercent: band,
      token: warning?.token ?? null,
    };
  }

  const demoRateOnRealNode = () => settings().rateSource === 'demo' && !deps.onDemoNode();

  /**
   * The quote an earlier run kept. Never given to an online charge (lock() asks the keeper,
   * which knows only this run's quotes and the online age limit): only shown, and used by the
   * offline charge, which checks its age against the owner's offline limit.
   */
  function kept(currency: string): RateQuote | null {
    const quote = lastGood.read(currency);
    // The demo rate prices only the demo node, also after a restart on a real one.
    if (!quote || (quote.source === DEMO_RATE_LABEL && !deps.onDemoNode())) return null;
    return quote;
  }

  const newer = (a: RateQuote | null, b: RateQuote | null): RateQuote | null =>
    a === null ? b : b === null ? a : Date.parse(b.fetchedAt) > Date.parse(a.fetchedAt) ? b : a;

  return {
    /**
     * The last good rate: this run's last quote; else the newer of the quote an earlier run
     * kept and the manager's rate (a till restarted offline has both, and the newer is the
     * better guess).
     */
    last: (): RateQuote | null => {
      const currency = settings().currency;
      const manual = readManual();
      return (
        keeper.last(currency) ?? newer(kept(currency), manual && manual.currency === currency ? manual : null)
      );
    },

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

    preview,

    /**
     * A manager's rate for the till's currency, checked, journaled and used from now on. Outside
     * the band (or with no quote to compare) it passes only on the second call with the token
     * of the preview that warned about it: the first is answered with the second warning.
     */
    setManual: (rate: string, token: string | undefined): void => {
      const currency = settings().currency;
      const pending = warning;
      const checked = preview(rate);
      if (checked.token !== null) {
        const valid =
          pending !== null &&
          token !== undefined &&
          pending.token === token &&
          pending.rate === rate &&
          pending.currency === currency &&
          now().getTime() - pending.at <= WARNING_TTL_MS;
        if (!valid || pending === null) {
          warning = null;
          const message = checked.last
            ? `${formatRate(rate, currency)} is ${checked.differencePercent}% away from the last quote (${formatRate(checked.last.rate, currency)}, ${checked.last.source}): check it, then confirm it twice.`
            : 'There is no quote to compare this rate with: check it, then confirm it twice.';
          throw new TillError('ValidationError', message, [{ path: 'rate', message }]);
        }
        // preview() above replaced the warning: keep the one being confirmed.
        warning = pending;
        if (pending.confirmed === 0) {
          pending.confirmed = 1;
          const atLast = checked.last ? ` instead of ${formatSats(checked.last.msat)} at the last quote` : '';
          throw new TillError(
            'NeedsConfirmation',
            `Are you sure? At this rate ${formatFiat(checked.reference, currency)} is ${formatSats(checked.msat)}${atLast}.`,
          );
        }
        warning = null;
      }
      const quote: RateQuote = { currency, rate, source: MANUAL_RATE_LABEL, fetchedAt: now().toISOString() };
      writeSettingValue(db, MANUAL_RATE_KEY, quote);
      keeper.setManual(quote);
    },
  };
}
