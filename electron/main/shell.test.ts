import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Reply, TillErrorShape } from '../../shared/contract/index.js';
import type { TillStatus } from '../../shared/domain/index.js';
import { fromWire, toWire } from '../../shared/contract/wire.js';
import { tempDir } from '../test-support/fixtures.js';

/**
 * Electron's binary cannot run on this machine, so the shell is exercised against a
 * stand-in `electron` module that records what main asks of it: the wiring, the hardening
 * and the IPC bridge run for real; only the window is imaginary.
 */
const fake = vi.hoisted(() => {
  type Handler = (...args: unknown[]) => unknown;
  const state = {
    dataDir: '',
    appPath: '',
    ipc: new Map<string, Handler>(),
    appEvents: new Map<string, Handler>(),
    windows: [] as {
      options: Record<string, unknown>;
      loadURL: (url: string) => Promise<void>;
      url?: string;
      sent: unknown[][];
      webContents: object;
    }[],
    protocolHandler: null as null | ((req: { url: string }) => unknown),
    headersHook: null as null | Handler,
    fetched: [] as string[],
    permission: null as null | Handler,
    permissionCheck: null as null | Handler,
    openedExternally: [] as string[],
    privileged: [] as unknown[],
    ready: null as null | Promise<void>,
  };
  return state;
});

vi.mock('electron', () => {
  class BrowserWindow {
    sent: unknown[][] = [];
    webContents = {
      send: (...args: unknown[]) => this.sent.push(args),
      once: () => {},
      isDestroyed: () => false,
    };
    options: Record<string, unknown>;
    url?: string;
    constructor(options: Record<string, unknown>) {
      this.options = options;
      fake.windows.push(this);
    }
    once() {}
    on() {}
    setBounds() {}
    showInactive() {}
    loadURL(url: string) {
      this.url = url;
      return Promise.resolve();
    }
    static getAllWindows() {
      return fake.windows;
    }
  }
  let resolveReady!: () => void;
  fake.ready = new Promise<void>((r) => (resolveReady = r));
  const app = {
    isPackaged: false,
    getAppPath: () => fake.appPath,
    getPath: () => fake.dataDir,
    requestSingleInstanceLock: () => true,
    quit: () => {},
    on: (event: string, handler: (...args: unknown[]) => unknown) => fake.appEvents.set(event, handler),
    whenReady: () => {
      setTimeout(resolveReady, 0);
      return fake.ready!;
    },
  };
  // Two screens: the till's own and a second monitor facing the customer.
  const screens = [
    {
      id: 1,
      label: 'Built-in',
      bounds: { x: 0, y: 0, width: 1280, height: 800 },
      size: { width: 1280, height: 800 },
    },
    {
      id: 2,
      label: '',
      bounds: { x: 1280, y: 0, width: 1920, height: 1080 },
      size: { width: 1920, height: 1080 },
    },
  ];
  return {
    app,
    BrowserWindow,
    screen: {
      getAllDisplays: () => screens,
      getPrimaryDisplay: () => screens[0],
      on: () => {},
    },
    ipcMain: {
      handle: (channel: string, h: (...args: unknown[]) => unknown) => fake.ipc.set(channel, h),
      removeHandler: (channel: string) => fake.ipc.delete(channel),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => fake.privileged.push(...schemes),
      handle: (_scheme: string, h: (req: { url: string }) => unknown) => (fake.protocolHandler = h),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: (...args: unknown[]) => unknown) => (fake.permission = h),
        setPermissionCheckHandler: (h: (...args: unknown[]) => unknown) => (fake.permissionCheck = h),
        webRequest: { onHeadersReceived: (h: (...args: unknown[]) => unknown) => (fake.headersHook = h) },
      },
    },
    net: { fetch: (url: string) => (fake.fetched.push(url), Promise.resolve(new Response('ok'))) },
    shell: { openExternal: (url: string) => (fake.openedExternally.push(url), Promise.resolve()) },
    // A stand-in keychain: reversible, and visibly not the plain text.
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (s: string) => Buffer.from(s, 'utf8').map((b) => b ^ 0x5a),
      decryptString: (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
    },
  };
});

describe('the Electron shell (against a stand-in electron module)', () => {
  const dir = tempDir('till-shell-');
  const guardsBefore = {
    exception: process.listenerCount('uncaughtException'),
    rejection: process.listenerCount('unhandledRejection'),
  };

  beforeAll(async () => {
    fake.dataDir = dir.path;
    fake.appPath = resolve(import.meta.dirname, '../..');
    await import('./index.js');
    await fake.ready;
    await vi.waitFor(() => expect(fake.windows).toHaveLength(1), { timeout: 10_000 });
  });

  afterAll(async () => {
    let prevented = false;
    fake.appEvents.get('before-quit')?.({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    dir.remove();
  });

  it('seals node credentials with safeStorage before they reach secrets.json', async () => {
    const { safeStorageCipher } = await import('./secret-cipher.js');
    const { createFileSecretStore } = await import('../secrets/store.js');
    const store = createFileSecretStore(
      dir.path,
      safeStorageCipher(() => undefined),
    );
    store.set('backend.lnd', '0201036c6e64secret');
    expect(readFileSync(join(dir.path, 'secrets.json'), 'utf8')).not.toContain('0201036c6e64secret');
    expect(store.get('backend.lnd')).toBe('0201036c6e64secret');
    store.delete('backend.lnd');
  });

  it('opens one hardened window on the app:// origin', () => {
    const [win] = fake.windows;
    expect(win!.url).toBe('app://till/index.html');
    expect(win!.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(fake.privileged).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
  });

  it('refuses every permission and sends a strict CSP', () => {
    let granted: boolean | null = null;
    fake.permission!(null, 'media', (ok: boolean) => (granted = ok));
    expect(granted).toBe(false);
    let headers: Record<string, string[]> = {};
    fake.headersHook!(
      { responseHeaders: {} },
      (r: { responseHeaders: Record<string, string[]> }) => (headers = r.responseHeaders),
    );
    expect(headers['Content-Security-Policy']![0]).toContain("script-src 'self';");
  });

  it('serves catalog images through app:// and nothing outside its folders', async () => {
    await fake.protocolHandler!({ url: 'app://till/catalog-images/espresso.svg' });
    expect(fake.fetched.at(-1)).toMatch(/resources\/images\/espresso\.svg$/);
    const res = (await fake.protocolHandler!({ url: 'app://till/%2e%2e/%2e%2e/package.json' })) as Response;
    expect(res.status).toBe(404);
    // A malformed escape is a 404 too, not a URIError thrown in the main process.
    for (const url of ['app://till/%E0%A4%A', 'app://till/catalog-images/%ZZ.svg']) {
      expect(((await fake.protocolHandler!({ url })) as Response).status, url).toBe(404);
    }
  });

  it('keeps every page on the app: navigation, redirects, new windows, permission checks', () => {
    type Handler = (...args: unknown[]) => unknown;
    const on = new Map<string, Handler>();
    let openHandler: Handler | null = null;
    const contents = {
      on: (event: string, h: Handler) => on.set(event, h),
      setWindowOpenHandler: (h: Handler) => (openHandler = h),
    };
    fake.appEvents.get('web-contents-created')!({}, contents);
    const prevented = (event: string, url: string) => {
      let stopped = false;
      on.get(event)!({ preventDefault: () => (stopped = true) }, url);
      return stopped;
    };
    for (const event of ['will-navigate', 'will-redirect']) {
      expect(prevented(event, 'https://evil.example/'), event).toBe(true);
      expect(prevented(event, 'file:///etc/passwd'), event).toBe(true);
      expect(prevented(event, 'app://till/index.html'), event).toBe(false);
    }
    for (const url of ['https://example.com/', 'http://example.com/', 'app://till/index.html']) {
      expect(openHandler!({ url }), url).toEqual({ action: 'deny' });
    }
    expect(fake.openedExternally).toEqual([]);
    expect(fake.permissionCheck!(null, 'clipboard-read', 'app://till', {})).toBe(false);
  });

  it('logs an error that escapes instead of letting it end the main process', () => {
    expect(process.listenerCount('uncaughtException')).toBe(guardsBefore.exception + 1);
    expect(process.listenerCount('unhandledRejection')).toBe(guardsBefore.rejection + 1);
  });

  it('answers the contract over IPC, in the wire format, only to the app itself', async () => {
    const invoke = fake.ipc.get('till:invoke')!;
    const trusted = { senderFrame: { url: 'app://till/index.html' } };
    const reply = fromWire((await invoke(trusted, 'getStatus', toWire({}))) as string) as Reply<TillStatus>;
    expect(reply.ok && reply.value.demoMode).toBe(true);
    expect(reply.ok && reply.value.backend.state).toBe('connected');
    // Locked, a command is refused before its input is read: sign in on the PIN pad first.
    const locked = fromWire((await invoke(trusted, 'getCart', toWire({}))) as string) as Reply<unknown>;
    expect(!locked.ok && locked.error.kind).toBe('Locked');
    await invoke(trusted, 'unlock', toWire({ pin: '1234' }));

    const bad = fromWire(
      (await invoke(trusted, 'addToCart', toWire({ variantId: 7 }))) as string,
    ) as Reply<unknown>;
    expect(!bad.ok && bad.error.kind).toBe('ValidationError');

    for (const name of [{ toString: 1 }, 5, null, ['getStatus'], '__proto__']) {
      const odd = fromWire((await invoke(trusted, name, toWire({}))) as string) as Reply<unknown>;
      expect(!odd.ok && odd.error.kind, String(JSON.stringify(name))).toBe('ValidationError');
    }

    const foreign = { senderFrame: { url: 'https://evil.example/' } };
    const refused = fromWire((await invoke(foreign, 'getStatus', toWire({}))) as string) as {
      ok: false;
      error: TillErrorShape;
    };
    expect(refused.error.kind).toBe('NotAuthorized');
  });

  it('opens the customer display on the second monitor, with a bridge that runs the display’s commands only', async () => {
    const invoke = fake.ipc.get('till:invoke')!;
    const cashier = { senderFrame: { url: 'app://till/index.html' }, sender: fake.windows[0]!.webContents };
    const saved = fromWire(
      (await invoke(
        cashier,
        'updateCustomerDisplay',
        toWire({ settings: { lanEnabled: false, lanAddress: '', lanPort: 4243, monitorId: 0 } }),
      )) as string,
    ) as Reply<unknown>;
    expect(saved.ok).toBe(true);
    // The owner picks from the screens attached (Settings → Customer display).
    expect(saved.ok && (saved.value as { monitors: unknown }).monitors).toEqual([
      { id: 1, label: 'Built-in', width: 1280, height: 800, primary: true },
      { id: 2, label: 'Screen 2', width: 1920, height: 1080, primary: false },
    ]);
    await vi.waitFor(() => expect(fake.windows).toHaveLength(2));
    const display = fake.windows[1]!;
    expect(display.url).toBe('app://till/index.html#/display');
    expect(display.options).toMatchObject({ x: 1280, y: 0, width: 1920, height: 1080, fullscreen: true });
    const prefs = display.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.cjs$/);
    expect(prefs.additionalArguments).toEqual(['--till-customer-display']);

    const fromDisplay = {
      senderFrame: { url: 'app://till/index.html#/display' },
      sender: display.webContents,
    };
    const displayInvoke = fake.ipc.get('display:invoke')!;
    const state = fromWire((await displayInvoke(fromDisplay, 'getDisplay', toWire({}))) as string) as Reply<{
      phase: string;
    }>;
    expect(state.ok && state.value.phase).toBe('idle');
    // Anything but the display's commands is refused, on its channel and on the cashier's.
    for (const [name, input] of [
      ['getStatus', {}],
      ['getCart', {}],
      ['unlock', { pin: '1234' }],
    ] as const) {
      const mine = fromWire(
        (await displayInvoke(fromDisplay, name, toWire(input))) as string,
      ) as Reply<unknown>;
      expect(!mine.ok && mine.error.kind, name).toBe('NotAuthorized');
      const theirs = fromWire((await invoke(fromDisplay, name, toWire(input))) as string) as Reply<unknown>;
      expect(!theirs.ok && theirs.error.kind, name).toBe('NotAuthorized');
    }
    // The cashier's window is not a display: the display's channel refuses it.
    const notDisplay = fromWire(
      (await displayInvoke(cashier, 'getDisplay', toWire({}))) as string,
    ) as Reply<unknown>;
    expect(!notDisplay.ok && notDisplay.error.kind).toBe('NotAuthorized');

    // It hears the display's event and no other: ring something up and look at what it was sent.
    display.sent.length = 0;
    await invoke(cashier, 'unlock', toWire({ pin: '1234' }));
    const catalog = fromWire((await invoke(cashier, 'searchCatalog', toWire({}))) as string) as Reply<{
      products: { variants: { id: string }[] }[];
    }>;
    const variantId = catalog.ok ? catalog.value.products[0]!.variants[0]!.id : '';
    await invoke(cashier, 'addToCart', toWire({ variantId }));
    await vi.waitFor(() => expect(display.sent.length).toBeGreaterThan(0));
    expect(new Set(display.sent.map(([channel, event]) => `${String(channel)} ${String(event)}`))).toEqual(
      new Set(['display:event displayChanged']),
    );
  });
});
