import { isAppUrl } from './app-protocol.js';

/**
 * Where the cashier window may go. Plain functions, no Electron import, so a Node test holds
 * the policy in place; electron/main/index.ts wires them to will-navigate, will-redirect and
 * the window-open handler.
 */

/**
 * Origins a link in the till may open in the system browser (e.g. "https://help.example.com").
 * None today: every window.open and target=_blank is refused. Add an origin here, never a
 * prefix, when a screen gains a help page or a block explorer link.
 */
export const EXTERNAL_ORIGINS: readonly string[] = [];

function originOf(url: string): string | null {
  if (!URL.canParse(url)) return null;
  const origin = new URL(url).origin;
  // Opaque origins (file:, data:, unknown schemes) serialise as "null" and match nothing.
  return origin === 'null' ? null : origin;
}

/**
 * The app itself: app://till/, or in development the Vite server's origin. Compared by
 * origin, because a prefix such as "http://localhost:5173" also matches
 * "http://localhost:5173.evil.example/".
 */
export function isTrustedUrl(url: string, devUrl: string | undefined): boolean {
  if (isAppUrl(url)) return true;
  if (devUrl === undefined) return false;
  const origin = originOf(url);
  return origin !== null && origin === originOf(devUrl);
}

/** Whether a window-open request may go to the system browser (https on an allowed origin only). */
export function mayOpenExternally(url: string, allowed: readonly string[] = EXTERNAL_ORIGINS): boolean {
  const origin = originOf(url);
  return origin !== null && origin.startsWith('https://') && allowed.includes(origin);
}
