import { assertCurrencyChange } from '../checkout/currency.js';
import { checkLimitPairs, limitsInCurrency } from '../checkout/limits.js';
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
      // A new currency keeps the limits' figures in its own minor units, unless the patch sets them.
      const rescaled =
        patch.currency !== undefined && patch.currency !== before.currency
          ? limitsInCurrency(before, before.currency, patch.currency)
          : {};
      const toSave = { ...rescaled, ...patch };
      checkLimitPairs({ ...before, ...toSave });
      const after = settings.save(toSave);
      const sourceChanged = after.rateSource !== before.rateSource;
      if (sourceChanged) rates.sourceChanged();
      if (patch.currency !== undefined || sourceChanged) await rates.refresh();
      statusChanged();
      return after;
    },
    previewManualRate: ({ rate }) => rates.preview(rate),
    setManualRate: ({ rate, token }) => {
      rates.setManual(rate, token);
      statusChanged();
      return status();
    },
  } satisfies Partial<Handlers>;
}
