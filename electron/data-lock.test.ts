import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir } from './data-lock.js';
import { tempDir } from './test-support/fixtures.js';

/** A live process that is not this one, until `stop`. */
function otherProcess(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () =>
      resolve({
        pid: child.pid!,
        stop: () => {
          child.kill('SIGKILL');
          return exited;
        },
      }),
    );
  });
}

describe('one till per data folder', () => {
  it('refuses a folder another running till holds, naming it, and takes it once that till is gone', async () => {
    const dir = tempDir('till-lock-');
    const other = await otherProcess();
    try {
      writeFileSync(join(dir.path, 'till.lock'), `${other.pid}\n`);
      expect(() => lockDataDir(dir.path)).toThrow(new RegExp(`process ${other.pid}.*already running`));
      await other.stop();
      const lock = lockDataDir(dir.path);
      expect(readFileSync(join(dir.path, 'till.lock'), 'utf8').trim()).toBe(String(process.pid));
      lock.release();
      expect(existsSync(join(dir.path, 'till.lock'))).toBe(false);
    } finally {
      await other.stop();
      dir.remove();
    }
  });

  it('takes over a lock left by a till that was killed, or one that is unreadable', () => {
    const dir = tempDir('till-lock-');
    try {
      writeFileSync(join(dir.path, 'till.lock'), 'garbage');
      lockDataDir(dir.path).release();
      lockDataDir(dir.path); // never released, as after SIGKILL: the same process may take it again
      lockDataDir(dir.path).release();
    } finally {
      dir.remove();
    }
  });
});
