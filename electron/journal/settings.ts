import { RateSourceId, type Settings } from '../../shared/domain/index.js';
import { toJsonExact } from '../../shared/money/index.js';
import type { Db } from './db.js';

/** Key/value settings, each value JSON. Unknown keys are kept: a newer build may have written them. */
export function readSettings(db: Db, defaults: Settings): Settings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
  const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
  return { ...defaults, ...pick(stored) };
}

const AMOUNT_KEYS = [
  'lineSoftLimit',
  'lineHardLimit',
  'saleSoftLimit',
  'saleHardLimit',
  'maxCashChange',
] as const satisfies readonly (keyof Settings)[];

function pick(stored: Record<string, unknown>): Partial<Settings> {
  const out: Partial<Settings> = {};
  if (typeof stored.shopName === 'string') out.shopName = stored.shopName;
  if (typeof stored.currency === 'string') out.currency = stored.currency;
  if (typeof stored.invoiceExpirySec === 'number') out.invoiceExpirySec = stored.invoiceExpirySec;
  const source = RateSourceId.safeParse(stored.rateSource);
  if (source.success) out.rateSource = source.data;
  if (typeof stored.maxRateAgeSec === 'number') out.maxRateAgeSec = stored.maxRateAgeSec;
  if (typeof stored.manualRateBandPercent === 'number')
    out.manualRateBandPercent = stored.manualRateBandPercent;
  if (typeof stored.discountApprovalPercent === 'number')
    out.discountApprovalPercent = stored.discountApprovalPercent;
  if (typeof stored.idleLockSec === 'number') out.idleLockSec = stored.idleLockSec;
  // Amounts are written as exact JSON integers (toJsonExact), well inside a double's exact range.
  for (const key of AMOUNT_KEYS) {
    const v = stored[key];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) out[key] = BigInt(v);
  }
  return out;
}

export function writeSettings(db: Db, patch: Partial<Settings>): void {
  const put = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  db.transaction(() => {
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) put.run(key, toJsonExact(value));
    }
  })();
}

export function readMeta(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function writeMeta(db: Db, key: string, value: string | null): void {
  if (value === null) db.prepare('DELETE FROM meta WHERE key = ?').run(key);
  else
    db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
}

export function readCursor(db: Db, backend: string): string | null {
  const row = db.prepare('SELECT cursor FROM backend_cursors WHERE backend = ?').get(backend) as
    { cursor: string } | undefined;
  return row?.cursor ?? null;
}

/** Call inside the transaction that journals what the cursor covers, never before it. */
export function writeCursor(db: Db, backend: string, cursor: string, at: Date): void {
  db.prepare(
    `INSERT INTO backend_cursors (backend, cursor, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(backend) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
  ).run(backend, cursor, at.toISOString());
}

/** A value kept beside the settings that is not one of them (the saved backend, a manual rate). */
export function readSettingValue(db: Db, key: string): unknown {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
    { value: string } | undefined;
  return row ? (JSON.parse(row.value) as unknown) : null;
}

export function writeSettingValue(db: Db, key: string, value: unknown): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, JSON.stringify(value));
}
