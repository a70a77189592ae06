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

/**
 * The hidden window a receipt is printed from: no preload (it never talks to the till, it only
 * draws the receipt in its address), sandboxed, never shown. Not throttled while hidden, or its
 * timers would wait a second each before the receipt is ready.
 */
export function printWindowOptions() {
  return {
    width: 900,
    height: 1200,
    show: false,
    title: 'Receipt',
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      backgroundThrottling: false,
    },
  } as const;
}

/**
 * The customer display's window on a second monitor (README, customer display): hardened as the
 * cashier window is, full screen on the screen's bounds, no menu, never focused over the till.
 */
/** Tells the preload (electron/preload/index.ts) it runs in the customer display's window. */
export const DISPLAY_ARGUMENT = '--till-customer-display';

export function customerDisplayWindowOptions(
  mainDir: string,
  bounds: { x: number; y: number; width: number; height: number },
) {
  const cashier = cashierWindowOptions(mainDir);
  return {
    ...bounds,
    title: 'Customer display',
    backgroundColor: '#0d1117',
    show: false,
    frame: false,
    fullscreen: true,
    autoHideMenuBar: true,
    focusable: false,
    // The preload takes the display's channels (the display's commands and event only).
    webPreferences: { ...cashier.webPreferences, additionalArguments: [DISPLAY_ARGUMENT] as string[] },
  } as const;
}
