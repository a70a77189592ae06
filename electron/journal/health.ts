import { existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { JournalProblem, JournalProblemKind } from '../../shared/domain/index.js';
import { makePrivateDir, preparePrivateDatabase } from '../files.js';
import { newerJournalMessage, openJournal, prepareJournal, SCHEMA_VERSION, type Db } from './db.js';
import { storageCause, storageCauses } from './storage-errors.js';

export const JOURNAL_FILE = 'journal.sqlite';

/**
 * Up to this size start-up runs PRAGMA integrity_check (every page, and every index against
 * its table); above it PRAGMA quick_check (every page, no index cross-check, about 5× faster).
 * Measured on a loaded 2-core machine: integrity_check ~5 ms/MB, quick_check ~1.2 ms/MB, so
 * 64 MiB (tens of thousands of sales) keeps the check near a third of a second warm and under
 * a second from a cold disk; a year of a very busy shop gets quick_check.
 */
export const INTEGRITY_CHECK_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Files a till leaves beside its journal. Any of them with no journal means one was there:
 * starting afresh would silently forget sales, so the till asks instead.
 */
const TILL_TRACES = [
  `${JOURNAL_FILE}-wal`,
  `${JOURNAL_FILE}-shm`,
  'demo-node.db',
  'demo-node.key',
  'secrets.json',
  'catalog-images',
  'reconcile.sqlite',
  'reconcile-run',
  'reconcile-run.json',
];

/**
 * Traces that belong to the journal that is gone: a new journal must not meet them. The demo
 * node's database and key go too (its invoices belong to the old journal's sales, and a new
 * till gets a new demo identity); secrets and the image cache stay, they do not describe sales.
 */
const MOVE_ASIDE = TILL_TRACES.filter((f) => f !== 'secrets.json' && f !== 'catalog-images');

/** createTill's refusal to open a journal it cannot trust; the host shows `problem` to the cashier. */
export class JournalProblemError extends Error {
  override readonly name = 'JournalProblemError';
  constructor(
    readonly problem: JournalProblem,
    options?: { cause?: unknown },
  ) {
    super(problem.message, options);
  }
}

function fileSize(path: string): number | null {
  try {
    return statSync(path).size;
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return null;
    throw err;
  }
}

function tracesIn(dataDir: string): string[] {
  return TILL_TRACES.filter((f) => existsSync(join(dataDir, f)));
}

/**
 * Opens the journal in `dataDir` only when it can be trusted, else throws JournalProblemError:
 * missing or empty beside another till's files, damaged (the integrity check fails, or SQLite
 * says so), written by a newer build, or not writable (read-only folder, full disk).
 */
export function openCheckedJournal(dataDir: string, nativeBinding?: string): Db {
  const path = join(dataDir, JOURNAL_FILE);
  let found: string[] = [];
  const problem = (kind: JournalProblemKind, message: string, cause?: unknown) =>
    new JournalProblemError({ kind, message, dataDir, journalPath: path, found }, { cause });
  const unwritable = (err: unknown, what: string) => {
    const cause = storageCause(err);
    const words = cause ? storageCauses[cause].cause : err instanceof Error ? err.message : String(err);
    return problem('unwritable', `The till cannot ${what}: ${words}.`, err);
  };

  try {
    makePrivateDir(dataDir);
  } catch (err) {
    throw unwritable(err, `use its data folder ${dataDir}`);
  }
  found = tracesIn(dataDir);
  const size = fileSize(path);
  const missingMessage = (what: string) =>
    `${what}, but this folder holds another till's files (${found.join(', ')}). A new journal would start with no sales: restore the journal from a backup, or start this as a new till.`;
  if ((size === null || size === 0) && found.length > 0) {
    throw problem(
      'missing',
      missingMessage(size === null ? 'The journal is missing' : 'The journal is empty'),
    );
  }

  let db: Db;
  try {
    preparePrivateDatabase(path);
    db = new Database(path, nativeBinding ? { nativeBinding } : {});
  } catch (err) {
    throw storageCause(err) === 'damaged'
      ? problem(
          'damaged',
          `The journal ${path} is damaged (SQLite: ${err instanceof Error ? err.message : String(err)}).`,
          err,
        )
      : unwritable(err, `open its journal ${path}`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    const check =
      (size ?? 0) + (fileSize(`${path}-wal`) ?? 0) <= INTEGRITY_CHECK_MAX_BYTES
        ? 'integrity_check'
        : 'quick_check';
    // Never write to a journal before knowing it is whole: a write into a damaged b-tree spreads it.
    // Up to five findings, each one line ("*** in database main ***" is SQLite's heading, not news).
    const findings = (db.pragma(`${check}(5)`) as Record<string, unknown>[]).map((r) =>
      String(Object.values(r)[0])
        .replace(/^\*\*\* in database \w+ \*\*\*\s*/, '')
        .replace(/\s*\n\s*/g, ' '),
    );
    if (findings.length !== 1 || findings[0] !== 'ok') {
      throw problem('damaged', `The journal ${path} is damaged (${check}: ${findings.join('; ')}).`);
    }
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version > SCHEMA_VERSION) throw problem('newer', newerJournalMessage(version));
    const tables = Number(db.prepare('SELECT count(*) AS n FROM sqlite_schema').pluck().get());
    // Its own -wal/-shm beside an empty journal are a first start cut short, not another till.
    if (version === 0 && tables === 0 && found.some((f) => !f.startsWith(JOURNAL_FILE))) {
      throw problem('missing', missingMessage('The journal is empty'));
    }
    prepareJournal(db);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof JournalProblemError) throw err;
    if (storageCause(err) === 'damaged') {
      throw problem(
        'damaged',
        `The journal ${path} is damaged (SQLite: ${err instanceof Error ? err.message : String(err)}).`,
        err,
      );
    }
    if (storageCause(err) !== null) throw unwritable(err, `write to its journal ${path}`);
    throw err;
  }
}

/**
 * Asked when a write or read of the open journal failed: is the file itself damaged now? A
 * fresh read-only connection reads from disk, not from the failing connection's cache.
 */
export function recheckJournal(dataDir: string, nativeBinding?: string): JournalProblem | null {
  const path = join(dataDir, JOURNAL_FILE);
  const damaged = (detail: string): JournalProblem => ({
    kind: 'damaged',
    message: `The journal ${path} was damaged while the till was running (${detail}).`,
    dataDir,
    journalPath: path,
    found: tracesIn(dataDir),
  });
  let db: Db | null = null;
  try {
    db = new Database(path, {
      readonly: true,
      fileMustExist: true,
      ...(nativeBinding ? { nativeBinding } : {}),
    });
    const findings = (db.pragma('quick_check(5)') as Record<string, unknown>[]).map((r) =>
      String(Object.values(r)[0]).replace(/\s*\n\s*/g, ' '),
    );
    return findings.length === 1 && findings[0] === 'ok'
      ? null
      : damaged(`quick_check: ${findings.join('; ')}`);
  } catch (err) {
    return storageCause(err) === 'damaged' ? damaged(err instanceof Error ? err.message : String(err)) : null;
  } finally {
    db?.close();
  }
}

/**
 * "Start as a new till" after a person confirmed it: the old till's traces are moved, whole,
 * into a dated folder beside them (never deleted), and an empty journal is created.
 */
export function startNewJournal(
  dataDir: string,
  now: Date,
  nativeBinding?: string,
): { movedTo: string | null } {
  const moving = MOVE_ASIDE.filter((f) => existsSync(join(dataDir, f)));
  const journal = join(dataDir, JOURNAL_FILE);
  if (existsSync(journal)) moving.push(JOURNAL_FILE);
  let movedTo: string | null = null;
  if (moving.length > 0) {
    movedTo = join(dataDir, `before-new-journal-${now.toISOString().replace(/[:.]/g, '-')}`);
    makePrivateDir(movedTo);
    for (const f of moving) renameSync(join(dataDir, f), join(movedTo, f));
  }
  // Created and migrated here, so the next start finds a journal and no longer asks.
  openJournal(journal, nativeBinding).close();
  return { movedTo };
}
