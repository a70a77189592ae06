import { TillError } from '../../shared/contract/index.js';
import type { ShopifyCheck, ShopifyInput, ShopifyStatus } from '../../shared/domain/index.js';
import type { Db } from '../journal/db.js';
import { readSettingValue, writeSettingValue } from '../journal/settings.js';
import { catalogSyncState, createCatalogSync } from './catalog-sync.js';
import type { SecretStore } from '../secrets/store.js';
import { normaliseShopDomain, ShopifyError, type ShopifyClient } from './client.js';
import { checkStore, clientFor, ensureSaleIdDefinition, type ShopifyCredentials } from './connection.js';
import { drainOutbox } from './orders.js';
import { outboxCounts, requeue } from './outbox.js';

/**
 * Shopify as the till sees it: the saved store (address and location in SQLite, token or
 * client secret in the SecretStore), the order pump that drains the outbox whenever there is
 * something to send and Shopify answers, and the status the screen shows ("offline — N orders
 * waiting"). The till keeps selling whatever Shopify does.
 */

const CONFIG_KEY = 'shopify';
const SECRET = 'shopify.credential';

interface StoredShopify {
  shopDomain: string;
  shopName: string;
  locationId: string;
  locationName: string;
  credential: 'token' | 'client';
  clientId: string | null;
}

export interface ShopifyServiceDeps {
  db: Db;
  /** Where product images are cached. */
  dataDir: string;
  secrets: SecretStore;
  tillId: string;
  now: () => Date;
  log: (message: string, err?: unknown) => void;
  /** Called whenever the status may have changed (the till pushes statusChanged). */
  changed: () => void;
  /** A sale's order was created or parked (the till pushes saleUpdated). */
  saleChanged: (saleId: string) => void;
  /**
   * The till's currency. A store sells in its own, so connecting one adopts it (refused while a
   * sale is under way); a catalog sync refuses a store whose currency no longer matches.
   */
  currency: { get(): string; adopt(currency: string): void };
  /** The shop's prices include tax or not: the till's default until the owner sets it. */
  adoptTaxesIncluded: (included: boolean) => void;
  /** Tests: where https://{shop} really lives (an in-process fake). */
  baseUrl?: string;
  timeoutMs?: number;
  /** Tests: how the client waits for Shopify's throttle bucket. */
  sleep?: (ms: number) => Promise<void>;
  /** The clock the client-credentials token expiry is read against. */
  clockMs?: () => number;
  /** Background pumping; tests call pump() by hand. */
  timers: boolean;
}

export type ShopifyService = ReturnType<typeof createShopifyService>;

function readStored(db: Db): StoredShopify | null {
  const v = readSettingValue(db, CONFIG_KEY) as Partial<StoredShopify> | null;
  if (!v || typeof v.shopDomain !== 'string' || typeof v.locationId !== 'string') return null;
  return {
    shopDomain: v.shopDomain,
    shopName: v.shopName ?? v.shopDomain,
    locationId: v.locationId,
    locationName: v.locationName ?? '',
    credential: v.credential === 'client' ? 'client' : 'token',
    clientId: v.clientId ?? null,
  };
}

function asError(err: unknown): TillError {
  if (err instanceof TillError) return err;
  if (err instanceof ShopifyError) {
    return new TillError(err.kind === 'NotAuthorized' ? 'NotAuthorized' : 'BackendUnavailable', err.message);
  }
  return new TillError('BackendUnavailable', `Shopify: ${err instanceof Error ? err.message : String(err)}`);
}

export function createShopifyService(deps: ShopifyServiceDeps) {
  const { db, secrets, now } = deps;
  let stored = readStored(db);
  let client: ShopifyClient | null = null;
  let online: boolean | null = null;
  let lastError: string | null = null;
  let pumping: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let syncing: { done: number; total: number | null } | null = null;
  let syncRun: Promise<void> | null = null;
  let syncTimer: NodeJS.Timeout | null = null;
  let lastCatalog: ReturnType<typeof createCatalogSync> | null = null;

  function credentialsFor(config: StoredShopify, secret: string | null): ShopifyCredentials {
    if (secret === null)
      throw new TillError(
        'NotAuthorized',
        'The Shopify credential is missing: reconnect the store in Settings.',
      );
    return config.credential === 'client'
      ? { kind: 'client', clientId: config.clientId ?? '', clientSecret: secret }
      : { kind: 'token', accessToken: secret };
  }

  const opts = () => ({
    ...(deps.baseUrl ? { baseUrl: deps.baseUrl } : {}),
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    now: deps.clockMs ?? (() => now().getTime()),
  });

  function currentClient(): ShopifyClient | null {
    if (!stored) return null;
    client ??= clientFor(stored.shopDomain, credentialsFor(stored, secrets.get(SECRET)), opts());
    return client;
  }

  function fromInput(input: ShopifyInput): { shopDomain: string; credentials: ShopifyCredentials } {
    let shopDomain: string;
    try {
      shopDomain = normaliseShopDomain(input.shopDomain);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new TillError('ValidationError', message, [{ path: 'shopDomain', message }]);
    }
    const sameStore = stored?.shopDomain === shopDomain;
    if (input.accessToken)
      return { shopDomain, credentials: { kind: 'token', accessToken: input.accessToken } };
    if (input.clientId) {
      const secret =
        input.clientSecret || (sameStore && stored?.credential === 'client' ? secrets.get(SECRET) : null);
      if (!secret) {
        throw new TillError('ValidationError', 'Paste the app’s client secret.', [
          { path: 'clientSecret', message: 'Paste the app’s client secret' },
        ]);
      }
      return { shopDomain, credentials: { kind: 'client', clientId: input.clientId, clientSecret: secret } };
    }
    if (sameStore && stored) return { shopDomain, credentials: credentialsFor(stored, secrets.get(SECRET)) };
    throw new TillError(
      'ValidationError',
      'Paste an Admin API access token, or the app’s client id and secret.',
      [{ path: 'accessToken', message: 'Paste an Admin API access token (shpat_…)' }],
    );
  }

  async function check(input: ShopifyInput): Promise<ShopifyCheck> {
    const { shopDomain, credentials } = fromInput(input);
    try {
      return await checkStore(clientFor(shopDomain, credentials, opts()));
    } catch (err) {
      throw asError(err);
    }
  }

  async function save(input: ShopifyInput, locationId: string): Promise<void> {
    const { shopDomain, credentials } = fromInput(input);
    const candidate = clientFor(shopDomain, credentials, opts());
    let found: Awaited<ReturnType<typeof checkStore>>;
    try {
      found = await checkStore(candidate);
      if (found.missingScopes.length > 0) {
        throw new TillError(
          'NotAuthorized',
          `Nothing was saved: the app lacks ${found.missingScopes.map((m) => `${m.scope} (to ${m.why})`).join(', ')}. Add them in the app’s configuration and install it again.`,
        );
      }
      await ensureSaleIdDefinition(candidate);
    } catch (err) {
      throw asError(err);
    }
    const location = found.locations.find((l) => l.id === locationId);
    if (!location)
      throw new TillError('ValidationError', 'Choose one of the store’s locations for this till.');
    deps.currency.adopt(found.currency);
    deps.adoptTaxesIncluded(found.taxesIncluded);
    const config: StoredShopify = {
      shopDomain,
      shopName: found.shopName,
      locationId,
      locationName: location.name,
      credential: credentials.kind,
      clientId: credentials.kind === 'client' ? credentials.clientId : null,
    };
    secrets.set(SECRET, credentials.kind === 'client' ? credentials.clientSecret : credentials.accessToken);
    writeSettingValue(db, CONFIG_KEY, config);
    stored = config;
    client = candidate;
    online = true;
    lastError = null;
    deps.changed();
    schedule(0);
    // The demo catalog gives way to the store's (background work: tests start it by hand).
    if (deps.timers) void sync(true);
  }

  /** A catalog sync in the background (one at a time); progress goes out with the status. */
  function sync(full: boolean): Promise<void> {
    const c = currentClient();
    if (!c || !stored) return Promise.reject(new TillError('InvalidState', 'Connect a Shopify store first.'));
    if (syncRun) return syncRun;
    const catalog = createCatalogSync({
      db,
      client: c,
      locationId: stored.locationId,
      dataDir: deps.dataDir,
      tillCurrency: () => deps.currency.get(),
      now,
      onProgress: (p) => {
        const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? Math.round(n) : null);
        syncing = { done: count(p.done) ?? 0, total: count(p.total) };
        deps.changed();
      },
    });
    lastCatalog = catalog;
    syncing = { done: 0, total: null };
    deps.changed();
    syncRun = (full || catalogSyncState(db).lastFullSyncAt === null ? catalog.full() : catalog.incremental())
      .then(
        (r) => {
          lastError = null;
          deps.log(`catalog synced: ${r.products} products, ${r.variants} variants, ${r.deleted} removed`);
        },
        (err: unknown) => {
          lastError = `Catalog sync failed: ${err instanceof Error ? err.message : String(err)}`;
          deps.log('catalog sync failed', err);
        },
      )
      .finally(() => {
        syncing = null;
        syncRun = null;
        deps.changed();
      });
    return syncRun;
  }

  function startSyncTimer(): void {
    if (!deps.timers || syncTimer) return;
    // Changes since the last sync, every five minutes while a store is connected.
    syncTimer = setInterval(() => {
      if (stored && !syncRun) void sync(false);
    }, 5 * 60_000);
    syncTimer.unref();
  }
  startSyncTimer();

  function disconnect(): void {
    writeSettingValue(db, CONFIG_KEY, null);
    secrets.delete(SECRET);
    stored = null;
    client = null;
    online = null;
    deps.changed();
  }

  function schedule(ms: number): void {
    if (!deps.timers || closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void pump();
    }, ms);
    timer.unref();
  }

  /** Drains the outbox once (coalescing concurrent calls); never throws. */
  function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return pumping;
    }
    pumping = (async () => {
      do {
        again = false;
        const c = currentClient();
        if (!c || !stored) return;
        try {
          const result = await drainOutbox({
            db,
            client: c,
            locationId: stored.locationId,
            tillId: deps.tillId,
            now,
            log: deps.log,
            onOrder: deps.saleChanged,
          });
          if (result.state === 'idle') {
            online = true;
            lastError = null;
          } else {
            online = result.reason === 'waiting to retry' ? online : false;
            if (result.reason !== 'waiting to retry') lastError = result.reason;
            schedule(Math.max(500, result.retryAt.getTime() - now().getTime()));
          }
        } catch (err) {
          online = false;
          lastError = err instanceof Error ? err.message : String(err);
          deps.log('the order pump failed', err);
          schedule(30_000);
        }
        deps.changed();
      } while (again && !closed);
    })().finally(() => (pumping = null));
    return pumping;
  }

  return {
    connected: () => stored !== null,
    client: currentClient,
    locationId: () => stored?.locationId ?? null,
    status(): ShopifyStatus {
      const counts = outboxCounts(db);
      const catalogState = catalogSyncState(db);
      return {
        connected: stored !== null,
        shopDomain: stored?.shopDomain ?? null,
        shopName: stored?.shopName ?? null,
        locationName: stored?.locationName ?? null,
        online: stored ? online : null,
        pendingOrders: counts.pending,
        failedOrders: counts.failed,
        lastError: stored ? lastError : null,
        catalog: {
          source: catalogState.lastFullSyncAt ? 'shopify' : 'demo',
          syncedAt: catalogState.lastSyncAt,
          syncing,
        },
      };
    },
    check,
    save,
    disconnect,
    pump,
    /** A sale was queued: send it now if Shopify answers. */
    queued: () => schedule(0),
    retry(saleId: string): void {
      if (!requeue(db, saleId, now()))
        throw new TillError('InvalidState', 'That sale has no parked order to retry.');
      deps.changed();
      schedule(0);
    },
    /** Starts a sync; resolves when it has started (progress and the end arrive as status). */
    startSync(full: boolean): void {
      sync(full).catch(() => undefined);
    },
    sync,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (syncTimer) clearInterval(syncTimer);
      await Promise.allSettled([pumping, syncRun, lastCatalog?.images.stop()]);
    },
  };
}
