import { statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';

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

function inside(root: string, rel: string): string | null {
  const base = normalize(root);
  const full = normalize(join(base, rel));
  if (!full.startsWith(base.endsWith(sep) ? base : base + sep)) return null;
  try {
    return statSync(full).isFile() ? full : null;
  } catch {
    return null;
  }
}

/**
 * app://till/<path> → a file of the built renderer, or a catalog image (looked up in each of
 * `imagesDirs`: the synced catalog's cache, then the demo images); null for anything else.
 */
export function resolveAppFile(url: string, rendererDir: string, imagesDirs: string[]): string | null {
  if (!isAppUrl(url)) return null;
  const path = decodeURIComponent(new URL(url).pathname);
  if (path.startsWith('/catalog-images/')) {
    const rel = path.slice('/catalog-images/'.length);
    return imagesDirs.map((d) => inside(d, rel)).find((f) => f !== null) ?? null;
  }
  return inside(rendererDir, path === '/' ? 'index.html' : path.slice(1));
}
