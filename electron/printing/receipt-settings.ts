import { DEFAULT_RECEIPT_SETTINGS, ReceiptSettings } from '../../shared/receipt/settings.js';
import type { Db } from '../journal/db.js';
import { readSettingValue, writeSettingValue } from '../journal/settings.js';

const KEY = 'receipt';

/**
 * The owner's receipt settings, kept beside the settings under one key (no migration: the
 * settings table holds any JSON value). A stored value this version cannot read (a hand edit,
 * a newer till) gives the defaults and a log line, never a till that will not start.
 */
export function createReceiptSettings(db: Db, log: (message: string, err?: unknown) => void) {
  let current = read();

  function read(): ReceiptSettings {
    const raw = readSettingValue(db, KEY);
    if (raw === null) return DEFAULT_RECEIPT_SETTINGS;
    const parsed = ReceiptSettings.safeParse(raw);
    if (parsed.success) return parsed.data;
    log('the saved receipt settings could not be read; using the defaults', parsed.error);
    return DEFAULT_RECEIPT_SETTINGS;
  }

  return {
    get: (): ReceiptSettings => current,
    save(next: ReceiptSettings): ReceiptSettings {
      writeSettingValue(db, KEY, next);
      current = next;
      return current;
    },
  };
}

export type ReceiptSettingsStore = ReturnType<typeof createReceiptSettings>;
