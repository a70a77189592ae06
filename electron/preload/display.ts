import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EventName, TillBridge } from '../../shared/contract/index.js';

/**
 * The customer display window's preload: the same bridge shape as the cashier's, on the
 * display's own channels, which main answers for that window only and for nothing but the
 * display's commands (electron/main/ipc.ts bridgeDisplay). Channel names repeat ipc.ts: a
 * sandboxed preload cannot import main's modules.
 */
const bridge: TillBridge = {
  invoke: (name, inputWire) => ipcRenderer.invoke('display:invoke', name, inputWire) as Promise<string>,
  subscribe(listener) {
    const handler = (_e: IpcRendererEvent, event: EventName, payloadWire: string) =>
      listener(event, payloadWire);
    ipcRenderer.on('display:event', handler);
    return () => ipcRenderer.removeListener('display:event', handler);
  },
};

contextBridge.exposeInMainWorld('tillBridge', bridge);
