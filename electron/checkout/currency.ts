import { TillError } from '../../shared/contract/index.js';
import { catalogCurrency, countProducts } from '../journal/catalog.js';
import type { Db } from '../journal/db.js';

export interface CurrencyDeps {
  db: Db;
  /** True while the cart has lines or a sale's invoice is on screen. */
  saleUnderWay: () => boolean;
}

/**
 * When the till's currency may change. A price is a number of minor units of the catalog's
 * currency, so the till sells in that currency while the catalog has products: a change would
 * relabel a $4.50 coffee as ¥450 or €4.50. A till without products (keypad amounts only) may
 * change freely, and connecting a Shopify store adopts the store's currency because its catalog
 * replaces the old one (`replacesCatalog`). Never while a sale is under way.
 */
export function assertCurrencyChange(
  deps: CurrencyDeps,
  to: string,
  opts: { replacesCatalog: boolean },
): void {
  if (!Intl.supportedValuesOf('currency').includes(to)) {
    throw new TillError('ValidationError', `${to} is not a currency this till knows.`, [
      { path: 'currency', message: `${to} is not a known ISO 4217 currency` },
    ]);
  }
  const priced = catalogCurrency(deps.db);
  if (!opts.replacesCatalog && priced !== null && priced !== to && countProducts(deps.db) > 0) {
    const message = `The catalog's prices are in ${priced}, so the till sells in ${priced}. A Shopify store sets the currency it sells in.`;
    throw new TillError('ValidationError', message, [{ path: 'currency', message }]);
  }
  if (deps.saleUnderWay()) {
    throw new TillError('InvalidState', 'Finish or clear the current sale before changing the currency.');
  }
}
