import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ZodError } from 'zod';
import {
  commands,
  isCommandName,
  TillError,
  type CommandName,
  type CommandOutput,
  type Commands,
  type Reply,
} from '../shared/contract/index.js';
import type { z } from 'zod';
import {
  RateQuote,
  type BackendInput,
  type BackendKind,
  type ConnectionState,
  type Network,
  type NodeCheck,
  type Permissions,
  type RateSourceId,
  type Settings,
  type TillStatus,
} from '../shared/domain/index.js';
import { seedDemoCatalog } from './catalog/demo.js';
import { commandFailure } from './commands/failure.js';
import { openJournalCommands } from './commands/journal.js';
import { createCartService } from './checkout/cart.js';
import { backendErrorToTillError } from './checkout/errors.js';
import { createSaleFlow } from './checkout/sale-flow.js';
import { createEventBus, type EventListener } from './events.js';
import { searchCatalog } from './journal/catalog.js';
import type { Db } from './journal/db.js';
import { openCheckedJournal } from './journal/health.js';
import { listSales, notePaidSale } from './journal/sales.js';
import {
  readCursor,
  readMeta,
  readSettings,
  readSettingValue,
  writeCursor,
  writeMeta,
  writeSettings,
  writeSettingValue,
} from './journal/settings.js';
import {
  BackendError,
  type LightningBackend,
  type NodeInfo,
  type Subscription,
} from './lightning/backend.js';
import type { DemoBackend } from './lightning/demo/backend.js';
import {
  createBackend,
  DEMO,
  describeConfig,
  parseStored,
  readSecret,
  resolveInput,
  writeSecret,
  type StoredBackend,
} from './lightning/registry.js';
import { createDemoRateSource } from './rates/demo.js';
import { createManualRateSource, createRateKeeper } from './rates/keeper.js';
import { createPublicRateSource, RateError } from './rates/public-sources.js';
import type { RateSource } from './rates/source.js';
import { createFileSecretStore, type SecretStore } from './secrets/store.js';
import { createShopifyService } from './shopify/service.js';
import { enqueueOrder, orderOutboxState, requeue } from './shopify/outbox.js';
import { createReconcileService } from './reconcile/service.js';
import type { EngineOptions } from '../shared/reconcile/engine.js';

export interface TillDeps {
  /** Where the journal and the demo node keep their files. */
  dataDir: string;
  /** The app's resources folder (demo catalog, images). */
  resourcesDir: string;
  /** A fixed backend (tests); by default the one saved in Settings, the demo node at first. */
  backend?: LightningBackend;
  /** The network a fixed `backend` must be on; regtest unless given. */
  expectedNetwork?: Network;
  /** Macaroons, runes, NWC and LNbits keys; a 0600 file in dataDir unless given. */
  secrets?: SecretStore;
  /** Makes the rate source Settings name; tests pass fakes. */
  rateSource?: (id: RateSourceId) => RateSource;
  /** Per-request timeout for the real backends. */
  backendTimeoutMs?: number;
  /** Tests: where https://{shop}.myshopify.com really lives (an in-process fake). */
  shopifyBaseUrl?: string;
  shopifyTimeoutMs?: number;
  /** Tests: how the Shopify client waits out its throttle bucket. */
  shopifySleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  log?: (message: string, err?: unknown) => void;
  /** better-sqlite3 built for Electron's ABI, when the default build is for plain Node. */
  sqliteBinding?: string;
  /** Tests and the Electron build: the reconciliation engine's workers and worker module. */
  reconcileEngine?: Pick<EngineOptions, 'workers' | 'worker' | 'hooks'>;
  /** Where exports (reconciliation CSVs) are written; default ~/Downloads, else <dataDir>/exports. */
  exportDir?: string;
  /** How long start-up waits for the node before opening the register anyway. */
  startupWaitMs?: number;
  /** Background timers (expiry sweep, lookup fallback, rate refresh, reconnects); tests drive them by hand. */
  timers?: boolean;
  /** Tests: faults on the real journal connection (a page cap fills the disk; query_only makes it read-only). */
  onJournalOpen?: (db: Db) => void;
}

export interface Till {
  /** Validates `input` against the contract and runs the command; errors come back as values. */
  invoke(name: string, input: unknown): Promise<Reply<unknown>>;
  subscribe(listener: EventListener): () => void;
  /** The periodic work the timers do, callable directly by tests with a fake clock. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

type Handlers = {
  [K in CommandName]: (input: z.output<Commands[K]['input']>) => CommandOutput<K> | Promise<CommandOutput<K>>;
};

const DEFAULT_EXPIRY_SEC = 600;
const DEFAULT_MAX_RATE_AGE_SEC = 600;
const STARTUP_WAIT_MS = 5_000;
const BACKEND_KEY = 'backend';
const MANUAL_RATE_KEY = 'manualRate';

function isDemo(backend: LightningBackend): backend is DemoBackend {
  return backend.kind === 'demo' && 'simulatePayment' in backend;
}

function localDayRange(day: string | undefined, now: Date): { from: Date; to: Date } {
  const [y, m, d] = day ? day.split('-').map(Number) : [now.getFullYear(), now.getMonth() + 1, now.getDate()];
  const from = new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  const to = new Date(from);
  to.setDate(to.getDate() + 1);
  return { from, to };
}

/** A saved backend that cannot be built (its secret is gone): every call says why. */
function unavailableBackend(kind: BackendKind, message: string): LightningBackend {
  const fail = () => Promise.reject(new BackendError('NotAuthorized', message));
  return {
    kind,
    getInfo: fail,
    createInvoice: fail,
    lookupInvoice: fail,
    latestCursor: fail,
    listInvoices: fail,
    subscribeSettlements: () => {
      throw new BackendError('NotAuthorized', message);
    },
    close: () => Promise.resolve(),
  };
}

/** Why the till will not use a node as it is; empty when it will. */
function problemsWith(info: NodeInfo, expected: Network): string[] {
  const problems: string[] = [];
  if (info.network !== expected) {
    problems.push(
      `The node is on ${info.network}, but the till is set to ${expected}: choose ${info.network} here, or connect a ${expected} node.`,
    );
  }
  if (!info.permissions.createInvoices) problems.push('This credential cannot create invoices.');
  if (!info.permissions.readInvoices)
    problems.push('This credential cannot read invoices, so payments would go unseen.');
  return problems;
}

export async function createTill(deps: TillDeps): Promise<Till> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? ((message: string, err?: unknown) => console.error(`[till] ${message}`, err ?? ''));
  // Throws JournalProblemError (damaged, missing, newer, unwritable): the host shows it, nothing sells.
  const db = openCheckedJournal(deps.dataDir, deps.sqliteBinding);
  deps.onJournalOpen?.(db);
  const events = createEventBus((err) => log('an event listener failed', err));
  const secrets = deps.secrets ?? createFileSecretStore(deps.dataDir);

  let tillId = readMeta(db, 'till_id');
  if (tillId === null) {
    tillId = randomUUID();
    writeMeta(db, 'till_id', tillId);
  }

  const demo = seedDemoCatalog(db, deps.resourcesDir, log);
  const defaults: Settings = {
    shopName: demo.shopName,
    currency: demo.currency,
    invoiceExpirySec: DEFAULT_EXPIRY_SEC,
    rateSource: 'demo',
    maxRateAgeSec: DEFAULT_MAX_RATE_AGE_SEC,
  };
  let settings = readSettings(db, defaults);

  const backendDeps = {
    dataDir: deps.dataDir,
    now,
    sqliteBinding: deps.sqliteBinding,
    ...(deps.backendTimeoutMs ? { timeoutMs: deps.backendTimeoutMs } : {}),
  };
  let stored: StoredBackend;
  let backend: LightningBackend;
  if (deps.backend) {
    backend = deps.backend;
    stored = { ...DEMO, network: deps.expectedNetwork ?? 'regtest' } as StoredBackend;
  } else {
    stored = parseStored(readSettingValue(db, BACKEND_KEY));
    try {
      backend = createBackend(stored, readSecret(secrets, stored.kind), backendDeps);
    } catch (err) {
      backend = unavailableBackend(stored.kind, err instanceof Error ? err.message : String(err));
    }
  }

  const makeRateSource =
    deps.rateSource ??
    ((id: RateSourceId): RateSource =>
      id === 'demo' || id === 'manual' ? createDemoRateSource(now) : createPublicRateSource(id, { now }));
  function rateSourceFor(id: RateSourceId): RateSource {
    if (id !== 'manual') return makeRateSource(id);
    return {
      id: 'manual',
      label: 'Manual rate',
      quote: (currency) => {
        const manual = readManualRate();
        if (!manual || manual.currency !== currency) {
          return Promise.reject(new RateError(`No manual rate in ${currency} has been entered`));
        }
        return Promise.resolve(manual);
      },
    };
  }
  function readManualRate(): RateQuote | null {
    const parsed = RateQuote.safeParse(readSettingValue(db, MANUAL_RATE_KEY));
    return parsed.success ? parsed.data : null;
  }
  const rates = createRateKeeper({
    source: rateSourceFor(settings.rateSource),
    maxAgeMs: () => settings.maxRateAgeSec * 1000,
    now,
  });
  rates.setManual(readManualRate());

  const connection: {
    state: ConnectionState;
    alias: string | null;
    network: Network | null;
    message: string | null;
    permissions: Permissions | null;
  } = { state: 'connecting', alias: null, network: null, message: null, permissions: null };
  let cursorKey: string = backend.kind;
  const lastRate = (): RateQuote | null => rates.last(settings.currency) ?? readManualRate();

  const shopify = createShopifyService({
    db,
    dataDir: deps.dataDir,
    secrets,
    tillId,
    now,
    log,
    changed: () => events.emit('statusChanged', status()),
    saleChanged: (saleId) => events.emit('saleUpdated', flow.get(saleId)),
    timers: deps.timers !== false,
    ...(deps.shopifyBaseUrl ? { baseUrl: deps.shopifyBaseUrl } : {}),
    ...(deps.shopifyTimeoutMs ? { timeoutMs: deps.shopifyTimeoutMs } : {}),
    ...(deps.shopifySleep ? { sleep: deps.shopifySleep } : {}),
  });

  const cart = createCartService({
    db,
    events,
    currency: () => settings.currency,
    lastRate,
    activeSaleId: () => readMeta(db, 'active_sale_id'),
  });

  async function lockRate(currency: string): Promise<RateQuote> {
    if (settings.rateSource === 'demo' && backend.kind !== 'demo') {
      throw new TillError(
        'RateUnavailable',
        'The demo rate is for the demo node only: a manager must choose an exchange in Settings.',
      );
    }
    try {
      return await rates.current(currency);
    } catch (err) {
      throw new TillError(
        'RateUnavailable',
        `No exchange rate for ${currency}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  const flow = createSaleFlow({
    db,
    events,
    backend: () => backend,
    expectedNetwork: () => stored.network,
    cart,
    settings: () => settings,
    lockRate,
    now,
    cursorKey: () => cursorKey,
    queueOrders: () => shopify.connected(),
    onQueued: () => shopify.queued(),
    log,
  });

  /** A reconciliation's safe repair: the paid sale's Shopify order, queued (or a parked one sent again). */
  function queueReconciledOrder(saleId: string): { done: string } | { skipped: string } {
    if (!shopify.connected()) return { skipped: 'connect a Shopify store in Settings first.' };
    const sale = flow.get(saleId);
    if (sale.state !== 'paid') return { skipped: `the sale is ${sale.state}, not paid.` };
    const result = db.transaction((): { done: string } | { skipped: string } => {
      const queued = orderOutboxState(db, saleId);
      let done: string;
      if (queued === null) {
        enqueueOrder(db, saleId, now());
        done = 'order queued for Shopify';
      } else if (queued === 'failed' && requeue(db, saleId, now())) {
        done = 'parked order sent again';
      } else if (queued === 'pending') {
        return { skipped: 'its order is already waiting to be sent.' };
      } else {
        // Sending again would duplicate an order someone may have removed on purpose.
        return {
          skipped: `its order${sale.order?.orderName ? ` ${sale.order.orderName}` : ''} was created in Shopify and is gone now (deleted there?). Re-create it in Shopify by hand if it should exist.`,
        };
      }
      notePaidSale(db, saleId, now(), { repair: 'queue_order', by: 'reconciliation' });
      return { done };
    })();
    if ('done' in result) {
      shopify.queued();
      events.emit('saleUpdated', flow.get(saleId));
      events.emit('statusChanged', status());
    }
    return result;
  }

  const downloads = join(homedir(), 'Downloads');
  const exportDir = deps.exportDir ?? (existsSync(downloads) ? downloads : join(deps.dataDir, 'exports'));
  const reconciliation = createReconcileService({
    journalPath: join(deps.dataDir, 'journal.sqlite'),
    dataDir: deps.dataDir,
    backend: () => backend,
    shopify: () => shopify.client(),
    now,
    log,
    emit: (run) => events.emit('reconcileProgress', run),
    recordPayment: (invoice) => flow.recordReconciledPayment(invoice),
    queueOrder: queueReconciledOrder,
    ...(deps.sqliteBinding ? { sqliteBinding: deps.sqliteBinding } : {}),
    ...(deps.reconcileEngine ? { engine: deps.reconcileEngine } : {}),
  });

  function status(): TillStatus {
    return {
      tillId: tillId ?? '',
      demoMode: backend.kind === 'demo',
      backend: { kind: backend.kind, expectedNetwork: stored.network, ...connection },
      rate: lastRate(),
      settings,
      shopify: shopify.status(),
      activeSaleId: flow.activeSaleId(),
      catalogProblem: demo.problem(),
    };
  }

  function setConnection(state: ConnectionState, message: string | null): void {
    connection.state = state;
    connection.message = message;
    events.emit('statusChanged', status());
  }

  let subscription: Subscription | null = null;
  let closed = false;
  /** Bumped on every switch and reconnect: a late answer from an older attempt is ignored. */
  let generation = 0;
  let retryDelayMs = 1_000;
  let retryTimer: NodeJS.Timeout | null = null;

  function scheduleReconnect(): void {
    if (deps.timers === false || closed || retryTimer) return;
    // Back off with jitter so a fleet of tills does not hammer a node that just came back.
    retryTimer = setTimeout(
      () => {
        retryTimer = null;
        void connect();
      },
      retryDelayMs * (0.5 + Math.random()),
    );
    retryTimer.unref();
    retryDelayMs = Math.min(retryDelayMs * 2, 60_000);
  }

  async function connect(): Promise<void> {
    const attempt = ++generation;
    const current = backend;
    subscription?.close();
    subscription = null;
    const fail = (err: unknown) => {
      if (attempt !== generation) return;
      setConnection('disconnected', backendErrorToTillError(err, 'reach the Lightning node').message);
      scheduleReconnect();
    };
    let info: NodeInfo;
    try {
      info = await current.getInfo();
    } catch (err) {
      fail(err);
      return;
    }
    if (attempt !== generation || closed) return;
    connection.alias = info.alias;
    connection.network = info.network;
    connection.permissions = info.permissions;
    if (info.network !== stored.network) {
      // Never take payments on a chain the merchant did not choose.
      setConnection('disconnected', problemsWith(info, stored.network)[0] ?? null);
      return;
    }
    // The cursor belongs to one node: switching nodes must not resume from another's index.
    cursorKey = `${current.kind}:${info.pubkey}`;
    let fromCursor = readCursor(db, cursorKey);
    if (fromCursor === null) {
      // First contact with this node: start from its newest settlement, so the merchant's
      // past payments are not journaled as strangers' — and nothing after it is ever missed.
      try {
        fromCursor = await current.latestCursor();
      } catch (err) {
        fail(err);
        return;
      }
      if (attempt !== generation || closed) return;
      writeCursor(db, cursorKey, fromCursor, now());
    }
    try {
      subscription = current.subscribeSettlements({
        fromCursor,
        onSettlement: ({ invoice, cursor }) => {
          if (attempt !== generation) return;
          // A throw here ends the subscription before the cursor moves: it resumes from here.
          flow.applySettlement(invoice, cursor);
        },
        onState: (state, message) => {
          if (attempt !== generation) return;
          if (state === 'connected') retryDelayMs = 1_000;
          setConnection(state, message);
          if (state === 'disconnected') {
            subscription = null;
            scheduleReconnect();
          }
        },
      });
    } catch (err) {
      fail(err);
    }
  }

  async function refreshRate(): Promise<void> {
    if (settings.rateSource === 'demo' && backend.kind !== 'demo') return;
    if (await rates.refresh(settings.currency)) events.emit('statusChanged', status());
  }

  /** Swaps the node in use: the old one is closed, the new one connected and subscribed. */
  async function switchBackend(next: LightningBackend, nextStored: StoredBackend): Promise<void> {
    const previous = backend;
    generation++;
    subscription?.close();
    subscription = null;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    retryDelayMs = 1_000;
    backend = next;
    stored = nextStored;
    cursorKey = next.kind;
    Object.assign(connection, {
      state: 'connecting',
      alias: null,
      network: null,
      message: null,
      permissions: null,
    });
    events.emit('statusChanged', status());
    await previous.close().catch((err: unknown) => log('closing the previous backend failed', err));
    await connect();
    events.emit('statusChanged', status());
  }

  /** Resolves once the connection is no longer 'connecting', or after `ms`. */
  function settledState(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (connection.state !== 'connecting') return resolve();
      const timer = setTimeout(done, ms);
      const off = events.subscribe((event) => {
        if (event === 'statusChanged' && connection.state !== 'connecting') done();
      });
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }

  async function check(candidate: LightningBackend, expected: Network): Promise<NodeCheck> {
    let info: NodeInfo;
    try {
      info = await candidate.getInfo();
    } catch (err) {
      throw backendErrorToTillError(err, 'connect to the node');
    }
    return { ...info, problems: problemsWith(info, expected) };
  }

  function candidateFor(input: BackendInput): {
    config: StoredBackend;
    secret: string | null;
    backend: LightningBackend;
  } {
    const resolved = resolveInput(input, { config: stored, secret: readSecret(secrets, stored.kind) });
    if (resolved.config.kind === 'demo' && backend.kind === 'demo') {
      return { ...resolved, backend };
    }
    return { ...resolved, backend: createBackend(resolved.config, resolved.secret, backendDeps) };
  }

  flow.recoverInterrupted();
  reconciliation.resumeInterrupted();
  // A node that hangs must not keep the register from opening: give it a few seconds, then
  // let the connection finish (or fail and retry) in the background.
  let startTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all([connect(), refreshRate()]),
    new Promise<void>((resolve) => (startTimer = setTimeout(resolve, deps.startupWaitMs ?? STARTUP_WAIT_MS))),
  ]);
  clearTimeout(startTimer);
  // Catch whatever settled while the till was closed and the subscription has not replayed yet.
  await flow.pollAwaiting();
  flow.sweepExpired();

  async function tick(): Promise<void> {
    flow.sweepExpired();
    await flow.pollAwaiting();
    await shopify.pump();
  }

  const intervals: NodeJS.Timeout[] = [];
  if (deps.timers !== false) {
    let busy = false;
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(() => {
        if (busy) return;
        busy = true;
        fn()
          .catch((err: unknown) => log('background task failed', err))
          .finally(() => (busy = false));
      }, ms);
      t.unref();
      intervals.push(t);
    };
    every(2_000, tick);
    every(60_000, refreshRate);
  }

  const handlers = {
    ...openJournalCommands,
    getStatus: () => status(),
    searchCatalog: ({ query, limit }) => searchCatalog(db, query, limit),
    getCart: () => cart.get(),
    addToCart: ({ variantId, quantity }) => cart.addVariant(variantId, quantity),
    addCustomAmount: ({ amount, title }) => cart.addCustom(amount, title),
    scanBarcode: ({ code }) => cart.scan(code),
    setLineQuantity: ({ lineId, quantity }) => cart.setQuantity(lineId, quantity),
    removeLine: ({ lineId }) => cart.setQuantity(lineId, 0),
    clearCart: () => cart.clear(),
    charge: () => flow.charge(),
    reissueInvoice: ({ saleId }) => flow.reissue(saleId),
    cancelSale: ({ saleId }) => flow.cancel(saleId),
    demoPay: async ({ saleId }) => {
      if (!isDemo(backend))
        throw new TillError('InvalidState', 'Simulated payments exist only in demo mode.');
      const sale = flow.get(saleId);
      if (!sale.invoice) throw new TillError('InvalidState', `Sale #${sale.number} has no invoice to pay.`);
      if (sale.state === 'paid') return sale;
      try {
        const invoice = await backend.simulatePayment(sale.invoice.paymentHash);
        flow.applySettlement(invoice, null);
      } catch (err) {
        throw backendErrorToTillError(err, 'simulate the payment');
      }
      return flow.get(saleId);
    },
    getSale: ({ saleId }) => flow.get(saleId),
    listSales: ({ day }) => {
      const { from, to } = localDayRange(day, now());
      const sales = listSales(db, from, to);
      const paid = sales.filter((s) => s.state === 'paid');
      return {
        sales,
        totals: {
          paidCount: paid.length,
          paidTotal: paid.reduce((sum, s) => sum + s.total, 0n),
          paidMsat: paid.reduce((sum, s) => sum + (s.amountPaidMsat ?? 0n), 0n),
        },
      };
    },
    getSettings: () => settings,
    updateSettings: async (patch) => {
      if (patch.currency !== undefined && patch.currency !== settings.currency) {
        if (!Intl.supportedValuesOf('currency').includes(patch.currency)) {
          throw new TillError('ValidationError', `${patch.currency} is not a currency this till knows.`, [
            { path: 'currency', message: `${patch.currency} is not a known ISO 4217 currency` },
          ]);
        }
        if (cart.get().lines.length > 0 || flow.activeSaleId() !== null) {
          throw new TillError(
            'InvalidState',
            'Finish or clear the current sale before changing the currency.',
          );
        }
      }
      writeSettings(db, patch);
      const sourceChanged = patch.rateSource !== undefined && patch.rateSource !== settings.rateSource;
      settings = readSettings(db, defaults);
      if (sourceChanged) rates.setSource(rateSourceFor(settings.rateSource));
      if (patch.currency !== undefined || sourceChanged) await refreshRate();
      events.emit('statusChanged', status());
      return settings;
    },
    getBackendConfig: () => describeConfig(stored, readSecret(secrets, stored.kind)),
    testBackend: async ({ backend: input }) => {
      const candidate = candidateFor(input);
      try {
        return await check(candidate.backend, candidate.config.network);
      } finally {
        if (candidate.backend !== backend) await candidate.backend.close();
      }
    },
    saveBackend: async ({ backend: input, acceptSpending }) => {
      const active = flow.activeSaleId();
      if (active !== null && flow.get(active).state === 'awaiting_payment') {
        throw new TillError(
          'InvalidState',
          'A sale is waiting for payment: finish or cancel it before switching nodes.',
        );
      }
      const candidate = candidateFor(input);
      let result: NodeCheck;
      try {
        result = await check(candidate.backend, candidate.config.network);
        if (result.problems.length > 0) {
          throw new TillError('InvalidState', `Nothing was saved. ${result.problems.join(' ')}`);
        }
        if (result.permissions.sendPayments && !acceptSpending) {
          throw new TillError(
            'NotAuthorized',
            'Nothing was saved: this credential can spend the node’s funds, and a till needs only to create and read invoices. Use a receive-only credential, or have a manager accept the risk.',
          );
        }
      } catch (err) {
        if (candidate.backend !== backend) await candidate.backend.close();
        throw err;
      }
      // The secret first: a crash in between leaves the old address with a secret it ignores,
      // never a saved address without its secret.
      writeSecret(secrets, candidate.config.kind, candidate.secret);
      writeSettingValue(db, BACKEND_KEY, candidate.config);
      if (candidate.backend !== backend) {
        await switchBackend(candidate.backend, candidate.config);
        // Give the new subscription a moment, so the screen shows "connected", not "connecting".
        await settledState(3_000);
      }
      log(`switched to the ${candidate.config.kind} backend (${result.alias}, ${result.network})`);
      return status();
    },
    payCash: ({ tendered }) => flow.payCash(tendered),
    testShopify: ({ shopify: input }) => shopify.check(input),
    saveShopify: async ({ shopify: input, locationId }) => {
      await shopify.save(input, locationId);
      return status();
    },
    disconnectShopify: () => {
      shopify.disconnect();
      return status();
    },
    syncCatalog: ({ full }) => {
      if (!shopify.connected()) throw new TillError('InvalidState', 'Connect a Shopify store first.');
      shopify.startSync(full);
      return status();
    },
    retryOrder: ({ saleId }) => {
      shopify.retry(saleId);
      return flow.get(saleId);
    },
    startReconcile: ({ from, to }) => reconciliation.start(from, to, settings.currency),
    cancelReconcile: () => reconciliation.cancel(),
    getReconcile: ({ outcome, offset, limit }) => ({
      run: reconciliation.current(),
      ...reconciliation.page(outcome, offset, limit),
    }),
    exportReconcileCsv: () => reconciliation.exportCsv(exportDir),
    applySafeRepairs: async () => {
      const { applied, skipped } = await reconciliation.applySafeRepairs();
      return { applied, skipped, run: reconciliation.current() };
    },
    setManualRate: ({ rate }) => {
      const quote: RateQuote = {
        currency: settings.currency,
        rate,
        source: 'Manual rate',
        fetchedAt: now().toISOString(),
      };
      try {
        createManualRateSource(rate, settings.currency, now());
      } catch (err) {
        throw new TillError('ValidationError', err instanceof Error ? err.message : String(err), [
          { path: 'rate', message: err instanceof Error ? err.message : String(err) },
        ]);
      }
      writeSettingValue(db, MANUAL_RATE_KEY, quote);
      rates.setManual(quote);
      events.emit('statusChanged', status());
      return status();
    },
  } satisfies Handlers;

  async function invoke(name: string, input: unknown): Promise<Reply<unknown>> {
    if (closed) return { ok: false, error: { kind: 'Internal', message: 'The till is shutting down.' } };
    if (!isCommandName(name)) {
      return { ok: false, error: { kind: 'ValidationError', message: `Unknown command "${name}".` } };
    }
    try {
      const parsed: unknown = commands[name].input.parse(input ?? {});
      const handler = handlers[name] as (input: unknown) => unknown;
      return { ok: true, value: await handler(parsed) };
    } catch (err) {
      if (err instanceof TillError) return { ok: false, error: err.toShape() };
      if (err instanceof ZodError) {
        const issues = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        return {
          ok: false,
          error: {
            kind: 'ValidationError',
            message: issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
            issues,
          },
        };
      }
      log(`command ${name} failed`, err);
      return { ok: false, error: commandFailure(name, err) };
    }
  }

  return {
    invoke,
    subscribe: events.subscribe,
    tick,
    async close() {
      if (closed) return;
      closed = true;
      for (const t of intervals) clearInterval(t);
      if (retryTimer) clearTimeout(retryTimer);
      subscription?.close();
      await reconciliation.close();
      await shopify.close();
      await backend.close();
      db.close();
    },
  };
}
