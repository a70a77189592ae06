import { decodePath, fileInside } from '../static-file.js';

/**
 * The same policy the web host sends (electron/web-host/server.ts). Only `electron-vite dev`
 * relaxes script-src, because Vite's hot reload injects an inline preamble.
 */
export const cspFor = (dev: boolean): string =>
  [
    "default-src 'self'",
    dev ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    dev ? "connect-src 'self' ws://localhost:*" : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

export function isAppUrl(url: string): boolean {
  return url.startsWith('app://till/');
}

/**
 * app://till/<path> → a file of the built renderer, or a catalog image (looked up in each of
 * `imagesDirs`: the synced catalog's cache, then the demo images); null for anything else.
 */
export function resolveAppFile(url: string, rendererDir: string, imagesDirs: string[]): string | null {
  if (!isAppUrl(url)) return null;
  // A malformed escape from a page ("%E0%A4%A") is a 404, not an exception in the main process.
  const path = URL.canParse(url) ? decodePath(new URL(url).pathname) : null;
  if (path === null) return null;
  if (path.startsWith('/catalog-images/')) {
    const rel = path.slice('/catalog-images/'.length);
    return imagesDirs.map((d) => fileInside(d, rel)).find((f) => f !== null) ?? null;
  }
  return fileInside(rendererDir, path === '/' ? 'index.html' : path.slice(1));
}
