import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, writePrivateFile } from '../files.js';

/**
 * The web host's token, kept in the data folder (0600) so that a restart of the same till
 * accepts the cookie an open tab already holds: the tab reconnects by itself instead of
 * asking for the printed address again. README (web host) weighs this against a per-run token.
 * Deleting the file, or TILL_NEW_TOKEN=1, makes a new one; every page opened before must then
 * open the new address.
 */
export const TOKEN_FILE = 'web-host.token';

/** 24 random bytes, base64url: what startWebHost would make for itself. */
const TOKEN = /^[A-Za-z0-9_-]{32,}$/;

export interface HostToken {
  token: string;
  path: string;
  /** Why the token is not the one kept from before, when that is news to whoever started the till. */
  note: string | null;
}

export function webHostToken(dataDir: string, opts: { renew?: boolean } = {}): HostToken {
  makePrivateDir(dataDir);
  const path = join(dataDir, TOKEN_FILE);
  const fresh = (note: string | null): HostToken => {
    const token = randomBytes(24).toString('base64url');
    writePrivateFile(path, `${token}\n`);
    return { token, path, note };
  };
  if (opts.renew)
    return fresh('A new web host token was made: pages opened before must open the new address.');
  let kept: string;
  try {
    const st = statSync(path);
    // A token others could read is a token others could use: it is replaced, not just hidden again.
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      return fresh(`${path} could be read by other users, so a new token was made.`);
    }
    kept = readFileSync(path, 'utf8').trim();
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return fresh(null);
    throw err;
  }
  if (!TOKEN.test(kept)) return fresh(`${path} was damaged, so a new token was made.`);
  return { token: kept, path, note: null };
}
