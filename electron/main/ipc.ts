import { ipcMain, type WebContents } from 'electron';
import { isCommandName, type EventName } from '../../shared/contract/index.js';
import { fromWire, toWire } from '../../shared/contract/wire.js';
import type { Till } from '../till.js';

/**
 * One of the two files allowed to touch raw IPC (the other is the preload). Commands and
 * events cross as wire strings (shared/contract/wire.ts) and the till validates every input
 * against the contract, so nothing here trusts the renderer.
 */
export const INVOKE_CHANNEL = 'till:invoke';
export const EVENT_CHANNEL = 'till:event';

export function bridgeTill(till: Till, isTrustedSender: (url: string) => boolean): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (e, name: unknown, inputWire: unknown) => {
    if (!e.senderFrame || !isTrustedSender(e.senderFrame.url)) {
      return toWire({ ok: false, error: { kind: 'NotAuthorized', message: 'Untrusted sender.' } });
    }
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

/** Forwards every till Event to a window until it is destroyed. */
export function forwardEvents(till: Till, contents: WebContents): void {
  const unsubscribe = till.subscribe((event: EventName, payload) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event, toWire(payload));
  });
  contents.once('destroyed', unsubscribe);
}
