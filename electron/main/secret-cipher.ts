import { safeStorage } from 'electron';
import type { SecretCipher } from '../secrets/store.js';

const PREFIX = 'safe:';

/**
 * Seals secrets with Electron's safeStorage: the OS keychain (Keychain, DPAPI, libsecret or
 * kwallet) holds the key, so secrets.json alone gives an attacker nothing. On a Linux desktop
 * with no keyring Electron falls back to a fixed key; the till says so in its log.
 */
export function safeStorageCipher(log: (message: string) => void): SecretCipher {
  if (!safeStorage.isEncryptionAvailable()) {
    throw new Error('The operating system offers no secret storage: the till cannot keep node credentials.');
  }
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    log(
      'no desktop keyring found: node credentials are stored with a fixed key; install gnome-keyring or kwallet',
    );
  }
  return {
    seal: (plain) => PREFIX + safeStorage.encryptString(plain).toString('base64'),
    open(sealed) {
      if (!sealed.startsWith(PREFIX))
        throw new Error('a saved secret is not sealed by this till: re-enter it');
      return safeStorage.decryptString(Buffer.from(sealed.slice(PREFIX.length), 'base64'));
    },
  };
}
