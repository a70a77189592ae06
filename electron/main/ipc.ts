import { ipcMain, type WebContents } from 'electron';
import { isCommandName, type EventName } from '../../shared/contract/index.js';
import { DISPLAY_COMMANDS, DISPLAY_EVENT } from '../../shared/contract/access.js';
import { fromWire, toWire } from '../../shared/contract/wire.js';
import type { Till } from '../till.js';

/**
 * One of the two files allowed to touch raw IPC (the other is the preload). Commands and
 * events cross as wire strings (shared/contract/wire.ts) and the till validates every input
 * against the contract, so nothing here trusts the renderer.
 */
export const INVOKE_CHANNEL = 'till:invoke';
export const EVENT_CHANNEL = 'till:event';
/** The customer display window's own channels (the preload takes them in that window). */
export const DISPLAY_INVOKE_CHANNEL = 'display:invoke';
export const DISPLAY_EVENT_CHANNEL = 'display:event';

const UNTRUSTED = toWire({ ok: false, error: { kind: 'NotAuthorized', message: 'Untrusted sender.' } });
const NOT_FOR_DISPLAY = toWire({
  ok: false,
  error: { kind: 'NotAuthorized', message: 'A customer display may only show the sale and send a tip.' },
});

/**
 * The cashier's bridge. `isDisplay` names the customer display's window: its page is on the
 * trusted origin too, so it is refused here by who it is, not where it is from.
 */
export function bridgeTill(
  till: Till,
  isTrustedSender: (url: string) => boolean,
  isDisplay: (sender: WebContents) => boolean = () => false,
): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (e, name: unknown, inputWire: unknown) => {
    if (!e.senderFrame || !isTrustedSender(e.senderFrame.url) || isDisplay(e.sender)) return UNTRUSTED;
    // Structured clone lets a page send any value as the name; only the contract's names go on.
    if (!isCommandName(name)) {
      return toWire({ ok: false, error: { kind: 'ValidationError', message: 'Unknown command.' } });
    }
    let input: unknown;
    try {
      input = typeof inputWire === 'string' ? fromWire(inputWire) : undefined;
    } catch {
      return toWire({ ok: false, error: { kind: 'ValidationError', message: 'Malformed request.' } });
    }
    return toWire(await till.invoke(name, input));
  });
  return () => ipcMain.removeHandler(INVOKE_CHANNEL);
}

/**
 * The customer display window's bridge: from that window only, and only what a display may run
 * (DISPLAY_COMMANDS), as the LAN display's host enforces for a tablet.
 */
export function bridgeDisplay(
  till: Till,
  isTrustedSender: (url: string) => boolean,
  isDisplay: (sender: WebContents) => boolean,
): () => void {
  ipcMain.handle(DISPLAY_INVOKE_CHANNEL, async (e, name: unknown, inputWire: unknown) => {
    if (!e.senderFrame || !isTrustedSender(e.senderFrame.url) || !isDisplay(e.sender)) return UNTRUSTED;
    if (!isCommandName(name) || !DISPLAY_COMMANDS.has(name)) return NOT_FOR_DISPLAY;
    let input: unknown;
    try {
      input = typeof inputWire === 'string' ? fromWire(inputWire) : undefined;
    } catch {
      return toWire({ ok: false, error: { kind: 'ValidationError', message: 'Malformed request.' } });
    }
    return toWire(await till.invoke(name, input));
  });
  return () => ipcMain.removeHandler(DISPLAY_INVOKE_CHANNEL);
}

/** Forwards the display's one event (DISPLAY_EVENT) to the customer display's window. */
export function forwardDisplayEvents(till: Till, contents: WebContents): void {
  const unsubscribe = till.subscribe((event: EventName, payload) => {
    if (event === DISPLAY_EVENT && !contents.isDestroyed())
      contents.send(DISPLAY_EVENT_CHANNEL, event, toWire(payload));
  });
  contents.once('destroyed', unsubscribe);
}

/** Forwards every till Event to a window until it is destroyed. */
export function forwardEvents(till: Till, contents: WebContents): void {
  const unsubscribe = till.subscribe((event: EventName, payload) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event, toWire(payload));
  });
  contents.once('destroyed', unsubscribe);
}
