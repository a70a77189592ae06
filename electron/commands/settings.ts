import { TillError } from '../../shared/contract/index.js';
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
