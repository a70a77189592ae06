import type { RateQuote } from '../../shared/domain/index.js';

/** Where the till gets its BTC price from. Real exchanges arrive with the rates issue. */
export interface RateSource {
  readonly id: string;
  readonly label: string;
  /** Fiat major units per BTC for `currency`; throws when the source cannot say. */
  quote(currency: string): Promise<RateQuote>;
}
