import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { storageCause } from '../journal/storage-errors.js';
import { tempDir } from '../test-support/fixtures.js';
import { commandFailure } from './failure.js';

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/** The error a real SQLite operation throws. */
function sqliteError(run: (dir: string) => void): unknown {
  const dir = tempDir('storage-errors-');
  try {
    run(dir.path);
  } catch (err) {
    return err;
  } finally {
    dir.remove();
  }
  throw new Error('expected SQLite to fail');
}

describe('storage failures, mapped once', () => {
  it('reads the cause from real SQLite errors', () => {
    const readonly = sqliteError((dir) => {
      new Database(join(dir, 'a.sqlite')).exec('CREATE TABLE t (x)');
      new Database(join(dir, 'a.sqlite'), { readonly: true }).exec('INSERT INTO t VALUES (1)');
    });
    expect(storageCause(readonly)).toBe('readOnly');
    const full = sqliteError((dir) => {
      const db = new Database(join(dir, 'b.sqlite'));
      db.exec('CREATE TABLE t (x)');
      db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
      db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000));
    });
    expect(storageCause(full)).toBe('full');
    const notADb = sqliteError((dir) => {
      writeFileSync(join(dir, 'c.sqlite'), 'garbage'.repeat(1000));
      new Database(join(dir, 'c.sqlite')).pragma('user_version');
    });
    expect(storageCause(notADb)).toBe('damaged');
  });

  it.each([
    ['SQLITE_IOERR_WRITE', 'io'],
    ['SQLITE_IOERR_FSYNC', 'io'],
    ['SQLITE_READONLY_DBMOVED', 'readOnly'],
    ['SQLITE_CORRUPT', 'damaged'],
    ['SQLITE_BUSY', 'busy'],
    ['ENOSPC', 'full'],
    ['EDQUOT', 'full'],
    ['EROFS', 'readOnly'],
    ['EACCES', 'readOnly'],
    ['EIO', 'io'],
    ['ENOENT', null],
    ['SQLITE_CONSTRAINT_UNIQUE', null],
  ])('%s is %s', (code, cause) => {
    expect(storageCause(errno(code))).toBe(cause);
  });

  it('only says "nothing was charged" where no invoice reached the screen', () => {
    const cash = commandFailure('payCash', errno('ENOSPC'));
    expect(cash).toEqual({
      kind: 'StorageError',
      message: expect.stringMatching(
        /^The cash sale was NOT recorded: the disk is full\. The cart is kept/,
      ) as string,
    });
    expect(commandFailure('payCash', new Error('boom')).message).toMatch(
      /may not have been recorded: check Sales/,
    );
    expect(commandFailure('charge', errno('SQLITE_IOERR_WRITE')).message).toMatch(
      /^No invoice was shown, so nothing was charged: the disk reported an error while writing/,
    );
    for (const [command, err] of [
      ['payCash', new Error('boom')],
      ['payCash', errno('EROFS')],
      ['addToCart', new Error('boom')],
      ['updateSettings', errno('ENOSPC')],
      ['applySafeRepairs', new Error('boom')],
    ] as const) {
      expect(commandFailure(command, err).message).not.toMatch(/nothing was charged/i);
    }
    expect(commandFailure('addToCart', errno('EROFS'))).toEqual({
      kind: 'StorageError',
      message:
        'Nothing was saved: the till may not write to its data folder (it is read-only). Check that the data folder is writable by the user running the till.',
    });
  });
});
