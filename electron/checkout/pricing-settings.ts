import { DEFAULT_PRICING, PricingSettings } from '../../shared/pricing/settings.js';
import type { Db } from '../journal/db.js';
import { readMeta, readSettingValue, writeMeta, writeSettingValue } from '../journal/settings.js';

const KEY = 'pricing';
/** The connected shop's Shop.taxesIncluded ("true"/"false"), the default until the owner saves. */
const SHOP_TAXES_INCLUDED = 'shop_taxes_included';

/**
 * The owner's tax rates, tips and receipt lines, kept beside the settings. A stored value this
 * version cannot read (a hand edit, a newer till) gives the defaults and a log line, never a
 * till that will not start. Until the owner saves them, prices are tax-included as the
 * connected Shopify shop says (Shop.taxesIncluded), or by default with no shop.
 */
export function createPricingSettings(
  db: Db,
  log: (message: string, err?: unknown) => void,
  /** The till's prices changed: the cart on screen is priced again, the screens told. */
  changed: (settings: PricingSettings) => void,
) {
  let current = read();

  function defaults(): PricingSettings {
    const shop = readMeta(db, SHOP_TAXES_INCLUDED);
    return shop === null ? DEFAULT_PRICING : { ...DEFAULT_PRICING, taxesIncluded: shop === 'true' };
  }

  function read(): PricingSettings {
    const raw = readSettingValue(db, KEY);
    if (raw === null) return defaults();
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
      changed(current);
      return current;
    },
    /**
     * The shop's Shop.taxesIncluded, kept as the default; true when it is now the till's (the
     * owner has saved no pricing settings of their own, which it never overwrites).
     */
    adoptShopTaxesIncluded(included: boolean): boolean {
      writeMeta(db, SHOP_TAXES_INCLUDED, String(included));
      if (readSettingValue(db, KEY) !== null) return false;
      current = read();
      changed(current);
      return true;
    },
  };
}

export type PricingSettingsStore = ReturnType<typeof createPricingSettings>;
