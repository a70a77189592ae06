import { DEFAULT_PRICING, PricingSettings } from '../../shared/pricing/settings.js';
import type { Db } from '../journal/db.js';
import { readSettingValue, writeSettingValue } from '../journal/settings.js';

const KEY = 'pricing';

/**
 * The owner's tax rates, tips and receipt lines, kept beside the settings. A stored value this
 * version cannot read (a hand edit, a newer till) gives the defaults and a log line, never a
 * till that will not start.
 */
export function createPricingSettings(db: Db, log: (message: string, err?: unknown) => void) {
  let current = read();

  function read(): PricingSettings {
    const raw = readSettingValue(db, KEY);
    if (raw === null) return DEFAULT_PRICING;
    const parsed = PricingSettings.safeParse(raw);
    if (parsed.success) return parsed.data;
    log('the saved pricing settings could not be read; using the defaults', parsed.error);
    return DEFAULT_PRICING;
  }

  return {
    get: (): PricingSettings => current,
    save(next: PricingSettings): PricingSettings {
      writeSettingValue(db, KEY, next);
      current = next;
      return current;
    },
  };
}

export type PricingSettingsStore = ReturnType<typeof createPricingSettings>;
