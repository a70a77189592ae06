import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { app, BrowserWindow, net, protocol, screen, session, shell } from 'electron';
import { pathToFileURL } from 'node:url';
import { guardProcess } from '../process-guard.js';
import { createFileSecretStore } from '../secrets/store.js';
import { openTill } from '../open-till.js';
import type { Till } from '../till.js';
import { safeStorageCipher } from './secret-cipher.js';
import { bridgeDisplay, bridgeTill, forwardDisplayEvents, forwardEvents } from './ipc.js';
import { cspFor, resolveAppFile } from './app-protocol.js';
import { isTrustedUrl, mayOpenExternally } from './navigation.js';
import { createElectronPrinter } from './printer.js';
import { cashierWindowOptions, customerDisplayWindowOptions } from './window-options.js';
import { readerProcess } from '../bolt-card/reader.js';

/**
 * Composition root of the desktop app: builds the till, hardens the window, wires IPC.
 * Business logic lives in electron/till.ts and below; nothing here decides anything.
 */

// Electron's default for a stray throw is a modal error box in front of the cashier: log it and sell on.
guardProcess(process, (message, err) => console.error(`[till] ${message}`, err ?? ''));

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  // Two tills on one journal would race each other for the same sales.
  app.quit();
}

const resourcesDir = app.isPackaged
  ? join(process.resourcesPath, 'resources')
  : join(app.getAppPath(), 'resources');
const rendererDir = join(import.meta.dirname, '../renderer');
const devUrl = process.env.ELECTRON_RENDERER_URL;
let till: Till | null = null;
let mainWindow: BrowserWindow | null = null;

const isTrusted = (url: string): boolean => isTrustedUrl(url, devUrl);

function createWindow(t: Till): void {
  const win = new BrowserWindow(cashierWindowOptions(import.meta.dirname));
  mainWindow = win;
  forwardEvents(t, win.webContents);
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => (mainWindow = null));
  void win.loadURL(devUrl ?? 'app://till/index.html');
}

let displayWindow: BrowserWindow | null = null;

/**
 * The customer display on the screen the owner picked (`monitorId`; 0: the first screen that is
 * not the main one), opened, moved or closed whenever the setting or the screens change.
 */
function placeCustomerDisplay(t: Till): void {
  const wanted = t.displays?.()?.settings().monitorId ?? null;
  const screens = screen.getAllDisplays();
  const primary = screen.getPrimaryDisplay().id;
  const target =
    wanted === null
      ? undefined
      : wanted === 0
        ? screens.find((d) => d.id !== primary)
        : screens.find((d) => d.id === wanted);
  if (!target) {
    displayWindow?.close();
    return;
  }
  if (displayWindow) {
    displayWindow.setBounds(target.bounds);
    return;
  }
  const win = new BrowserWindow(customerDisplayWindowOptions(import.meta.dirname, target.bounds));
  displayWindow = win;
  forwardDisplayEvents(t, win.webContents);
  win.once('ready-to-show', () => win.showInactive());
  win.on('closed', () => (displayWindow = null));
  void win.loadURL(`${devUrl ?? 'app://till/index.html'}#/display`);
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isTrusted(url)) event.preventDefault();
  });
  // A trusted page can still be redirected by the server it asked (302 to anywhere).
  contents.on('will-redirect', (event, url) => {
    if (!isTrusted(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Allowed links open in the system browser, never in a window with the till's bridge.
    if (mayOpenExternally(url)) {
      shell.openExternal(url).catch((err: unknown) => console.error(`[till] could not open ${url}`, err));
    }
    return { action: 'deny' };
  });
});

app.on('second-instance', () => {
  if (mainWindow?.isMinimized()) mainWindow.restore();
  mainWindow?.focus();
});

void app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, allow) => allow(false));
  // Checks are the synchronous twin of requests (e.g. navigator.permissions.query, clipboard): no to all.
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [cspFor(devUrl !== undefined)],
      },
    });
  });
  protocol.handle('app', (request) => {
    const file = resolveAppFile(request.url, rendererDir, [
      join(app.getPath('userData'), 'catalog-images'),
      join(resourcesDir, 'images'),
    ]);
    if (!file) return new Response('Not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString());
  });

  // In development better-sqlite3 is built twice: for Node (tests) and for Electron (scripts/electron-native.mjs).
  const devBinding = join(
    app.getAppPath(),
    'node_modules/.electron-native/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
  );
  const sqliteBinding = !app.isPackaged && existsSync(devBinding) ? devBinding : undefined;
  const dataDir = app.getPath('userData');
  const secrets = createFileSecretStore(
    dataDir,
    safeStorageCipher((message) => console.warn(`[till] ${message}`)),
  );
  // Receipts print from hidden windows on the renderer's print view (electron/main/printer.ts).
  const printer = createElectronPrinter({
    openWindow: (options) => new BrowserWindow(options),
    pageUrl: devUrl ?? 'app://till/index.html',
  });
  till = await openTill({
    dataDir,
    resourcesDir,
    sqliteBinding,
    secrets,
    exportDir: app.getPath('downloads'),
    printer,
    // A USB NFC reader for Bolt Cards, in its own process: PC/SC can block for good (no pcscd).
    cardReader: readerProcess(),
    // The screens attached, for Settings → Customer display to pick the customer's.
    monitors: () => {
      const primary = screen.getPrimaryDisplay().id;
      return screen.getAllDisplays().map((d, i) => ({
        id: d.id,
        label: d.label || `Screen ${i + 1}`,
        width: d.size.width,
        height: d.size.height,
        primary: d.id === primary,
      }));
    },
  });
  const isDisplay = (sender: Electron.WebContents) =>
    displayWindow !== null && displayWindow.webContents === sender;
  bridgeTill(till, isTrusted, isDisplay);
  bridgeDisplay(till, isTrusted, isDisplay);
  createWindow(till);
  const t = till;
  placeCustomerDisplay(t);
  t.displays?.()?.onChange(() => placeCustomerDisplay(t));
  screen.on('display-added', () => placeCustomerDisplay(t));
  screen.on('display-removed', () => placeCustomerDisplay(t));
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0 && till) createWindow(till);
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !till) return;
  // Close the journal cleanly before the process goes away.
  event.preventDefault();
  quitting = true;
  void till.close().finally(() => app.quit());
});
