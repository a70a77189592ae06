import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EventName, TillBridge } from '../../shared/contract/index.js';

// Channel names repeat electron/main/ipc.ts: a sandboxed preload cannot import main's modules.
// The customer display's window is opened with DISPLAY_ARGUMENT (electron/main/window-options.ts)
// and talks on the display's own channels, which main answers for that window only and for
// nothing but the display's commands (ipc.ts bridgeDisplay): the flag picks channels, main decides.
const display = process.argv.includes('--till-customer-display');
const invokeChannel = display ? 'display:invoke' : 'till:invoke';
const eventChannel = display ? 'display:event' : 'till:event';

const bridge: TillBridge = {
  invoke: (name, inputWire) => ipcRenderer.invoke(invokeChannel, name, inputWire) as Promise<string>,
  subscribe(listener) {
    const handler = (_e: IpcRendererEvent, event: EventName, payloadWire: string) =>
      listener(event, payloadWire);
    ipcRenderer.on(eventChannel, handler);
    return () => ipcRenderer.removeListener(eventChannel, handler);
  },
};

contextBridge.exposeInMainWorld('tillBridge', bridge);
