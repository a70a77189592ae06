import Database from 'better-sqlite3';
import { preparePrivateDatabase } from '../files.js';
import { migrations } from './migrations.js';

export type Db = Database.Database;

/** The schema version this build writes (PRAGMA user_version). */
export const SCHEMA_VERSION = migrations.length;

/**
 * Opens (creating if needed) the till's journal. WAL so readers never block the writer, and
 * synchronous=FULL because a paid sale must survive power loss the instant it is committed
 * (ARCHITECTURE.md: "synchronous=FULL for the payment path").
 * Integers come back as bigint: money columns are msat / minor units and must not pass
 * through a float.
 */
export function openJournal(path: string, nativeBinding?: string): Db {
  preparePrivateDatabase(path);
  const db = new Database(path, nativeBinding ? { nativeBinding } : {});
  try {
    prepareJournal(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The journal's connection settings and migrations, on a connection already open (and checked). */
export function prepareJournal(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.defaultSafeIntegers(true);
  migrate(db);
}

function migrate(db: Db): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > migrations.length) throw new Error(newerJournalMessage(current));
  for (let version = current; version < migrations.length; version++) {
    const sql = migrations[version];
    if (sql === undefined) continue;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

export function newerJournalMessage(version: number): string {
  return `This journal was written by a newer Lightning Till (schema ${version}, this build knows ${SCHEMA_VERSION}). Update the app before opening it.`;
}

/** Rows come back with bigint integers; these turn counters back into numbers safely. */
export function int(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  throw new TypeError(`expected an integer column, got ${typeof value}`);
}

export function big(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  throw new TypeError(`expected an integer column, got ${typeof value}`);
}

export function bigOrNull(value: unknown): bigint | null {
  return value === null || value === undefined ? null : big(value);
}
