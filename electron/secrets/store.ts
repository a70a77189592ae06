import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../files.js';

/**
 * Where macaroons, runes, NWC secrets and Shopify tokens live (ARCHITECTURE.md): never in
 * SQLite, logs or Events. The desktop app encrypts values with Electron's safeStorage (the
 * OS keychain) before they reach this file; the headless host stores them in a 0600 file.
 */
export interface SecretStore {
  get(name: string): string | null;
  set(name: string, value: string): void;
  delete(name: string): void;
}

/** Turns a secret into what is written to disk and back; identity for the headless host. */
export interface SecretCipher {
  seal(plain: string): string;
  open(sealed: string): string;
}

const plainCipher: SecretCipher = { seal: (s) => s, open: (s) => s };

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';
}

export function createFileSecretStore(dataDir: string, cipher: SecretCipher = plainCipher): SecretStore {
  const file = join(dataDir, 'secrets.json');

  function readAll(): Record<string, string> {
    if (!existsSync(file)) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new SecretStoreError(`${file} is damaged: re-enter the connection details in Settings.`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new SecretStoreError(`${file} is damaged: re-enter the connection details in Settings.`);
    }
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  }

  function writeAll(all: Record<string, string>): void {
    // Write then rename: a crash leaves the old file or the new one, never half of either.
    const tmp = `${file}.${process.pid}.tmp`;
    writePrivateFile(tmp, JSON.stringify(all));
    renameSync(tmp, file);
  }

  function checkName(name: string): void {
    if (!NAME.test(name)) throw new SecretStoreError(`"${name}" is not a valid secret name`);
  }

  return {
    get(name) {
      checkName(name);
      const sealed = readAll()[name];
      return sealed === undefined ? null : cipher.open(sealed);
    },
    set(name, value) {
      checkName(name);
      writeAll({ ...readAll(), [name]: cipher.seal(value) });
    },
    delete(name) {
      checkName(name);
      const all = readAll();
      if (!(name in all)) return;
      delete all[name];
      writeAll(all);
    },
  };
}
