import { assertCurrencyChange } from '../checkout/currency.js';
import type { Handlers, TillContext } from './context.js';

/** The till's own settings, its status and the exchange rate. */
export function settingsCommands({ db, settings, rates, saleUnderWay, status, statusChanged }: TillContext) {
  return {
    getStatus: () => status(),
    getSettings: () => settings.get(),
    updateSettings: async (patch) => {
      const before = settings.get();
      if (patch.currency !== undefined && patch.currency !== before.currency) {
        assertCurrencyChange({ db, saleUnderWay }, patch.currency, { replacesCatalog: false });
      }
      const after = settings.save(patch);
      const sourceChanged = after.rateSource !== before.rateSource;
      if (sourceChanged) rates.sourceChanged();
      if (patch.currency !== undefined || sourceChanged) await rates.refresh();
      statusChanged();
      return after;
    },
    setManualRate: ({ rate }) => {
      rates.setManual(rate);
      statusChanged();
      return status();
    },
  } satisfies Partial<Handlers>;
}
