import { TillError } from '../../shared/contract/index.js';
import { checkLimitPairs, limitsInCurrency } from '../checkout/limits.js';
import type { Handlers, TillContext } from './context.js';

/** The till's own settings, its status and the exchange rate. */
export function settingsCommands({ settings, rates, cart, flow, status, statusChanged }: TillContext) {
  return {
    getStatus: () => status(),
    getSettings: () => settings.get(),
    updateSettings: async (patch) => {
      const before = settings.get();
      if (patch.currency !== undefined && patch.currency !== before.currency) {
        if (!Intl.supportedValuesOf('currency').includes(patch.currency)) {
          throw new TillError('ValidationError', `${patch.currency} is not a currency this till knows.`, [
            { path: 'currency', message: `${patch.currency} is not a known ISO 4217 currency` },
          ]);
        }
        if (cart.get().lines.length > 0 || flow.activeSaleId() !== null) {
          throw new TillError(
            'InvalidState',
            'Finish or clear the current sale before changing the currency.',
          );
        }
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
