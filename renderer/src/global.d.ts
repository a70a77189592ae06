import type { TillBridge } from '../../shared/contract/index.js';

declare global {
  interface Window {
    /** Present in the desktop app (electron/preload); absent in a browser on the web host. */
    tillBridge?: TillBridge;
  }
}
