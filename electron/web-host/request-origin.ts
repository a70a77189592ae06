import type { IncomingHttpHeaders } from 'node:http';

/**
 * Who made the cashier's browser send this request. The till's cookie is SameSite=Strict, but
 * a page on another port of 127.0.0.1 is *same-site*, so the browser sends it the cookie too:
 * any local page that learns the port could drive the till (or, before the host was hardened,
 * take it down with an `<img>`). Fetch Metadata says who asked, and the browser alone sets it.
 *
 * Fetch Metadata (w3c.github.io/webappsec-fetch-metadata): `Sec-Fetch-Site` is
 * - `same-origin` for the till's own page, its assets and its socket;
 * - `none` for a navigation the user made: a typed or pasted address, a bookmark, a link
 *   opened from another program (how the printed `?token=` address is opened);
 * - `same-site` / `cross-site` for anything another page started: refused.
 * Clients that are not browsers (tests, curl) send no Fetch Metadata and still need the token.
 */
export function requestedByTheTill(headers: IncomingHttpHeaders, ownOrigins: readonly string[]): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  // Browsers without Fetch Metadata still name the page behind a socket or a non-GET request.
  const origin = headers.origin;
  return origin === undefined || ownOrigins.includes(origin);
}
