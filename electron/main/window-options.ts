import { join } from 'node:path';

/**
 * The cashier window's options, kept free of Electron imports so a plain Node test can hold
 * the hardening in place: no Node in the renderer, isolated and sandboxed preload.
 */
export function cashierWindowOptions(mainDir: string) {
  return {
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 700,
    title: 'Lightning Till',
    backgroundColor: '#f6f4ef',
    show: false,
    webPreferences: {
      preload: join(mainDir, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  } as const;
}
