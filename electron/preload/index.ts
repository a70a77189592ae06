import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EventName, TillBridge } from '../../shared/contract/index.js';

// Channel names repeat electron/main/ipc.ts: a sandboxed preload cannot import main's modules.
const bridge: TillBridge = {
  invoke: (name, inputWire) => ipcRenderer.invoke('till:invoke', name, inputWire) as Promise<string>,
  subscribe(listener) {
    const handler = (_e: IpcRendererEvent, event: EventName, payloadWire: string) =>
      listener(event, payloadWire);
    ipcRenderer.on('till:event', handler);
    return () => ipcRenderer.removeListener('till:event', handler);
  },
};

contextBridge.exposeInMainWorld('tillBridge', bridge);
