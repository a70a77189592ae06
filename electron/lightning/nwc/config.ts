import { getPublicKey } from 'nostr-tools/pure';
import { BackendError } from '../backend.js';

/**
 * A Nostr Wallet Connect connection as the wallet hands it out (NIP-47 "Nostr Wallet Connect URI"):
 * `nostr+walletconnect://<wallet service pubkey>?relay=wss://…&relay=…&secret=<hex>&lud16=…`.
 * The secret is the client's own key for this connection; it never appears in an error.
 */
export interface NwcConfig {
  /** x-only public key of the wallet service, 64 lowercase hex. */
  walletPubkey: string;
  /** ws:// or wss:// relay URLs, at least one, in the order given, without repeats. */
  relays: string[];
  /** The client's secret key (32 bytes). */
  secretKey: Uint8Array;
  lud16: string | null;
}

const SCHEME = 'nostr+walletconnect:';
const HEX32 = /^[0-9a-f]{64}$/;

function reject(message: string): never {
  throw new BackendError('Rejected', message);
}

function relayUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    reject(`The relay "${text}" is not a URL: a relay address looks like wss://relay.example.com`);
  }
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
    reject(`The relay "${text}" is not a websocket address: it must start with wss:// (or ws://).`);
  }
  return url.href;
}

/** Parses a pasted or scanned connection URI; every problem is a Rejected error a manager can act on. */
export function parseNwcUri(uri: string): NwcConfig {
  const raw = uri.trim();
  if (!raw.toLowerCase().startsWith(SCHEME)) {
    reject('A Nostr Wallet Connect URI starts with nostr+walletconnect:// — copy it again from the wallet.');
  }
  // Some wallets write nostr+walletconnect:<pubkey>?…, without the slashes.
  const rest = raw.slice(SCHEME.length).replace(/^\/\//, '');
  const query = rest.indexOf('?');
  const pubkey = (query === -1 ? rest : rest.slice(0, query)).replace(/\/$/, '').toLowerCase();
  const params = new URLSearchParams(query === -1 ? '' : rest.slice(query + 1));
  if (!HEX32.test(pubkey)) {
    reject(
      "The URI does not name the wallet's public key (64 hex digits after nostr+walletconnect://): copy it again.",
    );
  }
  const relays = [
    ...new Set(
      params
        .getAll('relay')
        .filter((r) => r.trim() !== '')
        .map(relayUrl),
    ),
  ];
  if (relays.length === 0) reject('The URI names no relay (relay=wss://…): the wallet cannot be reached.');
  const secret = params.get('secret')?.trim().toLowerCase() ?? '';
  if (secret === '') reject('The URI has no secret: copy the whole connection string from the wallet.');
  if (!HEX32.test(secret))
    reject('The secret in the URI is not 64 hex digits: copy it again from the wallet.');
  const secretKey = Uint8Array.from(Buffer.from(secret, 'hex'));
  try {
    // A 32-byte string that is zero or above the curve order is no secp256k1 key.
    getPublicKey(secretKey);
  } catch {
    reject('The secret in the URI is not a valid key: copy it again from the wallet.');
  }
  const lud16 = params.get('lud16');
  return {
    walletPubkey: pubkey,
    relays,
    secretKey,
    lud16: lud16 && lud16.trim() !== '' ? lud16.trim() : null,
  };
}
