import { closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, openPrivateFile } from './files.js';

/**
 * One running till per data folder. Two on one journal would sell the same sale twice, race for
 * the node's cursor and send each order twice. The Electron app has its single-instance lock;
 * the headless host takes this one: a file naming the process that holds the folder. A lock
 * whose process is gone (killed, crashed) is stale and taken over.
 */

const LOCK = 'till.lock';

export class DataDirInUse extends Error {
  override readonly name = 'DataDirInUse';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else — still not ours to take over.
    return err instanceof Error && 'code' in err && err.code === 'EPERM';
  }
}

function holder(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the folder for this process, or throws DataDirInUse naming the process that has it. */
export function lockDataDir(dataDir: string): { release: () => void } {
  makePrivateDir(dataDir);
  const path = join(dataDir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openPrivateFile(path, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return {
        release: () => {
          if (holder(path) === process.pid) rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
    }
    const pid = holder(path);
    if (pid !== null && pid !== process.pid && alive(pid)) {
      throw new DataDirInUse(
        `Another Lightning Till (process ${pid}) is already running on ${dataDir}. Two tills on one journal would record sales twice: stop that one first (Ctrl+C in its terminal, or kill ${pid}), or give this one its own TILL_DATA_DIR.`,
      );
    }
    // Stale: its process is gone.
    rmSync(path, { force: true });
  }
  throw new DataDirInUse(
    `Could not take ${join(dataDir, LOCK)}: another till is starting on the same folder.`,
  );
}
