import { statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';

/**
 * One way to map a URL path to a file under a folder, for the web host and the app://
 * protocol alike: a path that cannot be decoded, holds a NUL or climbs out of the folder is
 * simply not found — never an exception that could take the till down.
 */

/** decodeURIComponent, or null for a malformed escape such as "%E0%A4%A" (it throws URIError). */
export function decodePath(urlPath: string): string | null {
  try {
    return decodeURIComponent(urlPath);
  } catch {
    return null;
  }
}

/** The file at `rel` (already decoded) inside `root`, or null for anything else. */
export function fileInside(root: string, rel: string): string | null {
  if (rel.includes('\0')) return null;
  const base = normalize(root);
  const full = normalize(join(base, rel));
  if (!full.startsWith(base.endsWith(sep) ? base : base + sep)) return null;
  try {
    return statSync(full).isFile() ? full : null;
  } catch {
    return null;
  }
}
