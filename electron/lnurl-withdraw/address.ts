import { isIP } from 'node:net';
import { TillError } from '../../shared/contract/index.js';

/**
 * Where the customer's phone reaches the withdraw server. LUD-01: an LNURL is an https:// clearnet
 * link or an http:// onion link — a wallet refuses plain http to a public host (and should: the
 * link is a bearer token for the sats). A shop's own Wi-Fi is not the clearnet, so plain http to a
 * private address (192.168.x, 10.x, 172.16–31.x, localhost, *.local) is allowed for the LAN setup;
 * several wallets accept it there.
 */

const reject = (message: string): never => {
  throw new TillError('ValidationError', message, [{ path: 'publicUrl', message }]);
};

/** True for a host the public internet cannot reach by that name: private, loopback, link-local, mDNS. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return true;
  const v = isIP(host);
  if (v === 4) {
    const [a = 0, b = 0] = host.split('.').map(Number);
    return (
      a === 10 ||
      a === 127 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127) // carrier-grade NAT, as Tailscale hands out
    );
  }
  if (v === 6) {
    return host === '::1' || /^f[cd][0-9a-f]{2}:/.test(host) || /^fe[89ab][0-9a-f]:/.test(host);
  }
  return false;
}

/**
 * The URL wallets are sent to, checked: http(s), no query or fragment, and plain http only for
 * an onion or a private (LAN) host. Returns it without a trailing slash.
 */
export function checkPublicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return reject(
      `"${raw.trim()}" is not an address. Examples: http://192.168.1.20:3001 (the shop's Wi-Fi) or https://refunds.example.com (behind your proxy).`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return reject('The address starts with https:// (or http:// on the shop’s own network).');
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return reject('Give only the address (and a path, if your proxy needs one): no ?query, #, or password.');
  }
  const host = url.hostname;
  if (url.protocol === 'http:' && !host.endsWith('.onion') && !isPrivateHost(host)) {
    return reject(
      `Wallets refuse plain http:// to a public address (LUD-01): ${host} is on the internet. Put the till behind an https reverse proxy and give its https:// address, or give the till's address on the shop's Wi-Fi (e.g. http://192.168.1.20:3001).`,
    );
  }
  return url.toString().replace(/\/+$/, '');
}
