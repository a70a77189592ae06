/**
 * Why a write to the till's disk failed, read once from the error's code: better-sqlite3's
 * SqliteError carries SQLite's extended result code (`SQLITE_FULL`, `SQLITE_IOERR_WRITE` …),
 * Node's fs errors an errno name (`ENOSPC`, `EROFS` …).
 */
export type StorageCause = 'full' | 'readOnly' | 'damaged' | 'io' | 'busy';

/** The cause in words, and what a person can do about it. */
export const storageCauses: Record<StorageCause, { cause: string; remedy: string }> = {
  full: { cause: 'the disk is full', remedy: 'Free some disk space on this computer.' },
  readOnly: {
    cause: 'the till may not write to its data folder (it is read-only)',
    remedy: 'Check that the data folder is writable by the user running the till.',
  },
  damaged: {
    cause: 'the journal file is damaged',
    remedy: 'Restart the till: it checks the journal and says what to do.',
  },
  io: {
    cause: 'the disk reported an error while writing',
    remedy: 'Check the disk (is it unplugged or failing?), then try again.',
  },
  busy: {
    cause: 'another program is holding the journal',
    remedy: 'Close any other program that has the journal open, then try again.',
  },
};

const SQLITE_CAUSES: Record<string, StorageCause> = {
  SQLITE_FULL: 'full',
  SQLITE_READONLY: 'readOnly',
  SQLITE_PERM: 'readOnly',
  SQLITE_CANTOPEN: 'readOnly',
  SQLITE_CORRUPT: 'damaged',
  SQLITE_NOTADB: 'damaged',
  SQLITE_IOERR: 'io',
  SQLITE_BUSY: 'busy',
  SQLITE_LOCKED: 'busy',
};

const ERRNO_CAUSES: Record<string, StorageCause> = {
  ENOSPC: 'full',
  EDQUOT: 'full',
  EFBIG: 'full',
  EACCES: 'readOnly',
  EPERM: 'readOnly',
  EROFS: 'readOnly',
  EIO: 'io',
};

export function storageCause(err: unknown): StorageCause | null {
  if (!(err instanceof Error) || !('code' in err) || typeof err.code !== 'string') return null;
  const code = err.code;
  if (code.startsWith('SQLITE_')) {
    // Extended codes refine the primary one: SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED …
    const primary = /^SQLITE_[A-Z]+/.exec(code)?.[0] ?? code;
    return SQLITE_CAUSES[primary] ?? null;
  }
  return ERRNO_CAUSES[code] ?? null;
}
