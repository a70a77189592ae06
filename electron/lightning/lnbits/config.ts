import { isIP } from 'node:net';
import { BackendError } from '../backend.js';

/**
 * LNbits connection details as a manager copies them from the wallet's "API info" panel: the
 * server address and the wallet's "Invoice/read key" (an admin key works too, and is reported
 * as able to spend).
 */
export interface LnbitsConfig {
  /** http(s)://host[:port][/prefix], no trailing slash. */
  url: string;
  invoiceKey: string;
}

export interface LnbitsConnectionInput {
  url?: string;
  invoiceKey?: string;
}

// LNbits makes its keys with uuid4().hex (core/crud/wallets.py); allow any URL-safe token in
// case that changes, since the key also travels in the websocket path.
const KEY = /^[A-Za-z0-9_-]{16,128}$/;

function reject(message: string): never {
  throw new BackendError('Rejected', message);
}

/** Plain http only where nobody on the internet can read the key off the wire. */
function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.local') || host.endsWith('.onion')) return true;
  if (isIP(host) === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  if (isIP(host) === 6) return host === '::1' || /^f[cd]/.test(host);
  return false;
}

export function normaliseUrl(text: string): string {
  const trimmed = text.trim();
  const withScheme = /^[a-z]+:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    reject(`"${trimmed}" is not a web address. Example: https://lnbits.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    reject('The LNbits address starts with https://');
  }
  if (url.protocol === 'http:' && !isLocalHost(url.hostname)) {
    reject(
      'Use https:// for an LNbits server on the internet: over http:// anyone on the way could read the key.',
    );
  }
  if (url.username || url.password) reject('Give the LNbits address without a user name or password in it.');
  if (url.search !== '' || url.hash !== '') {
    reject('Give only the LNbits server address (no ?usr=… wallet link: that link is a password).');
  }
  // A prefix is kept for LNbits served under a path behind a reverse proxy.
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/(wallet|api)(\/|$)/.test(path)) {
    reject('Give the LNbits server address only, without /wallet or /api/… at the end.');
  }
  return `${url.protocol}//${url.host}${path}`;
}

export function parseLnbitsConfig(input: LnbitsConnectionInput): LnbitsConfig {
  if (!input.url || input.url.trim() === '') reject('Enter the address of the LNbits server.');
  if (!input.invoiceKey || input.invoiceKey.trim() === '') {
    reject('Paste the wallet’s Invoice/read key (LNbits: open the wallet, then "API info").');
  }
  const key = input.invoiceKey.trim();
  // Never echo the key: it is a password.
  if (!KEY.test(key)) {
    reject(
      'That is not an LNbits API key: copy the "Invoice/read key" from the wallet’s API info (32 letters and digits).',
    );
  }
  return { url: normaliseUrl(input.url), invoiceKey: key };
}
