import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The till's files hold sales, keys and credentials: its folders are 0700 and its files 0600
 * whatever the umask. A mode passed to mkdir/open is masked by the umask and ignored for a
 * path that already exists, so each helper sets the mode explicitly afterwards.
 * (Windows has no POSIX modes: there the user's profile folder already keeps others out.)
 */
const POSIX = process.platform !== 'win32';

/** Creates `dir` (and its parents) if needed and makes it 0700. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (POSIX) chmodSync(dir, 0o700);
}

/**
 * For a folder of files another library creates with its own modes (DuckDB's database, WAL and
 * spill files): the folder 0700 first, so nobody else can reach them meanwhile, then every file
 * in it 0600 and every folder 0700.
 */
export function privatiseTree(dir: string): void {
  makePrivateDir(dir);
  if (!POSIX) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    try {
      if (e.isDirectory()) privatiseTree(path);
      else chmodSync(path, 0o600);
    } catch (err) {
      // A spill file DuckDB removed meanwhile.
      if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
    }
  }
}

/**
 * For a folder the till shares with its user (Downloads, an export folder): created 0700 if
 * missing (the umask can only take bits away from 0700), an existing one left as its owner set it.
 */
export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Opens a file descriptor (for streaming writes) on a file that is 0600 from its first byte. */
export function openPrivateFile(path: string, flags: 'w' | 'wx' | 'a'): number {
  const fd = openSync(path, flags, 0o600);
  try {
    if (POSIX) fchmodSync(fd, 0o600);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/** Writes `data` to a file that is 0600 before any of it lands. */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  const fd = openPrivateFile(path, 'w');
  try {
    writeFileSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

/**
 * Call before `new Database(path)`: creates the database file empty and 0600 if it is not there,
 * and makes an existing one (and its -wal and -shm) 0600. SQLite creates -wal and -shm itself
 * with the main file's permission bits (os_unix.c findCreateFileMode, and it fchmods them past
 * the umask), so a private main file gives private companions.
 */
export function preparePrivateDatabase(path: string): void {
  closeSync(openPrivateFile(path, 'a'));
  if (!POSIX) return;
  for (const companion of [`${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    try {
      chmodSync(companion, 0o600);
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
    }
  }
}
