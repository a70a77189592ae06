import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
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
import type { ConnectionState, Network, RateQuote, Settings, TillStatus } from '../shared/domain/index.js';
import { loadDemoCatalog } from './catalog/demo.js';
import { createCartService } from './checkout/cart.js';
import { backendErrorToTillError } from './checkout/errors.js';
import { createSaleFlow } from './checkout/sale-flow.js';
import { createEventBus, type EventListener } from './events.js';
import { countProducts, replaceCatalog, searchCatalog } from './journal/catalog.js';
import { openJournal } from './journal/db.js';
import { listSales } from './journal/sales.js';
import {
  readCursor,
  readMeta,
  readSettings,
  writeCursor,
  writeMeta,
  writeSettings,
} from './journal/settings.js';
import type { LightningBackend, Subscription } from './lightning/backend.js';
import { createDemoBackend, type DemoBackend } from './lightning/demo/backend.js';
import { createDemoRateSource } from './rates/demo.js';
import type { RateSource } from './rates/source.js';

export interface TillDeps {
  /** Where the journal and the demo node keep their files. */
  dataDir: string;
  /** The app's resources folder (demo catalog, images). */
  resourcesDir: string;
  /** Defaults to the embedded demo node in dataDir. */
  backend?: LightningBackend;
  rates?: RateSource;
  now?: () => Date;
  log?: (message: string, err?: unknown) => void;
  /** better-sqlite3 built for Electron's ABI, when the default build is for plain Node. */
  sqliteBinding?: string;
  /** How long start-up waits for the node before opening the register anyway. */
  startupWaitMs?: number;
  /** Background timers (expiry sweep, lookup fallback, rate refresh); tests drive them by hand. */
  timers?: boolean;
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
const STARTUP_WAIT_MS = 5_000;

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

export async function createTill(deps: TillDeps): Promise<Till> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? ((message: string, err?: unknown) => console.error(`[till] ${message}`, err ?? ''));
  mkdirSync(deps.dataDir, { recursive: true });
  const db = openJournal(join(deps.dataDir, 'journal.sqlite'), deps.sqliteBinding);
  const events = createEventBus((err) => log('an event listener failed', err));

  let tillId = readMeta(db, 'till_id');
  if (tillId === null) {
    tillId = randomUUID();
    writeMeta(db, 'till_id', tillId);
  }

  const demo = loadDemoCatalog(deps.resourcesDir);
  // Until a Shopify store is connected the register sells the demo catalog.
  if (countProducts(db) === 0) replaceCatalog(db, demo.products);
  const defaults: Settings = {
    shopName: demo.shopName,
    currency: demo.currency,
    invoiceExpirySec: DEFAULT_EXPIRY_SEC,
  };
  let settings = readSettings(db, defaults);

  const backend =
    deps.backend ?? createDemoBackend({ dataDir: deps.dataDir, now, sqliteBinding: deps.sqliteBinding });
  const rates = deps.rates ?? createDemoRateSource(now);
  let lastRate: RateQuote | null = null;
  const connection: {
    state: ConnectionState;
    alias: string | null;
    network: Network | null;
    message: string | null;
  } = { state: 'connecting', alias: null, network: null, message: null };
  let cursorKey: string = backend.kind;

  const cart = createCartService({
    db,
    events,
    currency: () => settings.currency,
    lastRate: () => lastRate,
    activeSaleId: () => readMeta(db, 'active_sale_id'),
  });

  async function lockRate(currency: string): Promise<RateQuote> {
    try {
      lastRate = await rates.quote(currency);
      return lastRate;
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
    backend,
    cart,
    settings: () => settings,
    lockRate,
    now,
    cursorKey: () => cursorKey,
    log,
  });

  function status(): TillStatus {
    return {
      tillId: tillId ?? '',
      demoMode: backend.kind === 'demo',
      backend: { kind: backend.kind, ...connection },
      rate: lastRate,
      settings,
      activeSaleId: flow.activeSaleId(),
    };
  }

  function setConnection(state: ConnectionState, message: string | null): void {
    connection.state = state;
    connection.message = message;
    events.emit('statusChanged', status());
  }

  let subscription: Subscription | null = null;
  let closed = false;

  let retryDelayMs = 1_000;
  let retryTimer: NodeJS.Timeout | null = null;

  async function connect(): Promise<void> {
    retryTimer = null;
    try {
      const info = await backend.getInfo();
      connection.alias = info.alias;
      connection.network = info.network;
      // The cursor belongs to one node: switching nodes must not resume from another's index.
      cursorKey = `${backend.kind}:${info.pubkey}`;
    } catch (err) {
      setConnection('disconnected', backendErrorToTillError(err, 'reach the Lightning node').message);
      if (deps.timers !== false && !closed) {
        // Back off with jitter so a fleet of tills does not hammer a node that just came back.
        retryTimer = setTimeout(() => void connect(), retryDelayMs * (0.5 + Math.random()));
        retryTimer.unref();
        retryDelayMs = Math.min(retryDelayMs * 2, 60_000);
      }
      return;
    }
    retryDelayMs = 1_000;
    if (closed) return;
    let fromCursor = readCursor(db, cursorKey);
    if (fromCursor === null) {
      // First contact with this node: start from its newest settlement, so the merchant's
      // past payments are not journaled as strangers' — and nothing after it is ever missed.
      try {
        fromCursor = await backend.latestCursor();
      } catch (err) {
        setConnection('disconnected', backendErrorToTillError(err, 'reach the Lightning node').message);
        return;
      }
      writeCursor(db, cursorKey, fromCursor, now());
    }
    if (closed) return;
    subscription = backend.subscribeSettlements({
      fromCursor,
      onSettlement: ({ invoice, cursor }) => {
        try {
          flow.applySettlement(invoice, cursor);
        } catch (err) {
          log(`could not journal the settlement of ${invoice.paymentHash}`, err);
        }
      },
      onState: (state, message) => setConnection(state, message),
    });
  }

  async function refreshRate(): Promise<void> {
    try {
      lastRate = await rates.quote(settings.currency);
      events.emit('statusChanged', status());
    } catch (err) {
      log('rate refresh failed', err);
    }
  }

  flow.recoverInterrupted();
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
      settings = readSettings(db, defaults);
      if (patch.currency !== undefined) await refreshRate();
      else events.emit('statusChanged', status());
      return settings;
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
      return {
        ok: false,
        error: {
          kind: 'Internal',
          message: 'Something went wrong in the till. Nothing was charged; try again.',
        },
      };
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
      await backend.close();
      db.close();
    },
  };
}
