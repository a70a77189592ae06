import { RateQuote } from '../../shared/domain/index.js';
import type { Db } from '../journal/db.js';
import { readMeta, writeMeta } from '../journal/settings.js';

/**
 * The last good quote per currency, kept in the journal's meta so that a till restarted while
 * the internet is down still has it for offline Lightning (issue 17). Only what an online
 * source answered is kept here; a manager's rate has its own row.
 */

const metaKey = (currency: string) => `last_rate.${currency}`;
/**
 * An unchanged rate is written again only once its kept time is this far behind: a write per
 * poll would cost an fsync a minute for nothing. The kept time may lag the true one by this
 * much, never lead it, so a restarted till reads the rate as older than it is, never younger.
 */
export const LAST_GOOD_REWRITE_MS = 5 * 60_000;

export interface LastGoodRates {
  read(currency: string): RateQuote | null;
  /** A fresh quote arrived from a source: kept when it says something the journal does not. */
  remember(quote: RateQuote): void;
}

export function createLastGoodRates(db: Db): LastGoodRates {
  function read(currency: string): RateQuote | null {
    const raw = readMeta(db, metaKey(currency));
    if (raw === null) return null;
    try {
      const parsed = RateQuote.safeParse(JSON.parse(raw));
      return parsed.success && parsed.data.currency === currency ? parsed.data : null;
    } catch {
      return null; // a damaged row is no rate, never a crash at start
    }
  }

  return {
    read,
    remember(quote) {
      const kept = read(quote.currency);
      if (
        kept &&
        kept.rate === quote.rate &&
        kept.source === quote.source &&
        Date.parse(quote.fetchedAt) - Date.parse(kept.fetchedAt) < LAST_GOOD_REWRITE_MS
      )
        return;
      const { currency, rate, source, fetchedAt } = quote;
      writeMeta(db, metaKey(currency), JSON.stringify({ currency, rate, source, fetchedAt }));
    },
  };
}
