import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  linkSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { makePrivateDir, openPrivateFile } from '../../files.js';

export const NODE_KEY_FILE = 'demo-node.key';

/**
 * The demo node's identity key: created once from the OS CSPRNG and kept, hex, in a 0600 file
 * in the data directory, so its invoices keep one payee across restarts. Two processes may
 * start at once: the key is written to a private temp file and hard-linked into place, which
 * fails if the other already did, so both end up reading the same complete file.
 */
export function loadOrCreateNodeKey(dataDir: string): Uint8Array {
  makePrivateDir(dataDir);
  const path = join(dataDir, NODE_KEY_FILE);
  if (!exists(path)) {
    const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
    const fd = openPrivateFile(tmp, 'wx');
    try {
      writeSync(fd, `${bytesToHex(secp256k1.utils.randomSecretKey())}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  // A key readable by others is a key anyone on the machine could sign "payments" with.
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const text = readFileSync(path, 'utf8').trim();
  const key = /^[0-9a-f]{64}$/.test(text) ? hexToBytes(text) : null;
  if (key === null || !secp256k1.utils.isValidSecretKey(key)) {
    throw new Error(
      `The demo node key file ${path} is damaged. Delete it to give the demo node a new identity (demo invoices only, no real money).`,
    );
  }
  return key;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}
