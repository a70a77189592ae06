import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ZodError } from 'zod';
import { commands, isCommandName, TillError, type Reply } from '../shared/contract/index.js';
import type { Network, RateSourceId, Settings, TillStatus } from '../shared/domain/index.js';
import type { Monitor } from '../shared/domain/display-settings.js';
import { proofSummary } from '../shared/domain/offline-pay.js';
import type { RunnerOptions } from '../shared/reconcile/runner.js';
import { seedDemoCatalog } from './catalog/demo.js';
import { createCartService } from './checkout/cart.js';
import { defaultLimits } from './checkout/limits.js';
import { createRefundService } from './checkout/refunds.js';
import { createRefundWallets } from './refund-wallet/settings.js';
import type { RefundWallet } from './refund-wallet/wallet.js';
import { createLnurlWithdraw } from './lnurl-withdraw/service.js';
import { createOfflinePay } from './offline-pay/service.js';
import { createSaleFlow } from './checkout/sale-flow.js';
import { commandFailure, unknownCommand } from './commands/failure.js';
import { commandHandlers, type TillContext } from './commands/index.js';
import { createDisplay } from './display/display.js';
import { createDisplayPairing, type DisplayPairing } from './display/pairing.js';
import { createEventBus, type EventListener } from './events.js';
import type { Db } from './journal/db.js';
import { openCheckedJournal } from './journal/health.js';
import { readMeta, readSettings, readSettingValue, writeMeta, writeSettings } from './journal/settings.js';
import type { LightningBackend } from './lightning/backend.js';
import { createNodeConnection, isDemoBackend } from './lightning/connection.js';
import { BACKEND_SETTING, DEMO, openSaved, type StoredBackend } from './lightning/registry.js';
import type { RateSource } from './rates/source.js';
import { createTillRates } from './rates/till-rates.js';
import { queueOrderRepair } from './reconcile/repairs.js';
import { createReconcileService } from './reconcile/service.js';
import { createFileSecretStore, type SecretStore } from './secrets/store.js';
import { createShopifyService } from './shopify/service.js';
import { assertCurrencyChange } from './checkout/currency.js';
import { createParkedCarts } from './checkout/parked.js';
import { createPricingSettings } from './checkout/pricing-settings.js';
import type { Printer } from './printing/printer.js';
import { createReceipts } from './printing/receipts.js';
import { createLightningAddressClient } from './checkout/lightning-address.js';
import { createReceiptSettings } from './printing/receipt-settings.js';
import { printedSaleNumber } from '../shared/domain/sale-number.js';
import { createCardTaps } from './bolt-card/taps.js';
import type { StartCardReader } from './bolt-card/reader.js';
import type { WithdrawClientOptions } from './bolt-card/withdraw-client.js';
import { createAudit } from './staff/audit.js';
import { createGate } from './staff/gate.js';
import { createStaff } from './staff/staff.js';

export interface TillDeps {
  /** Where the journal and the demo node keep their files. */
  dataDir: string;
  /** The app's resources folder (demo catalog, images). */
  resourcesDir: string;
  /** A fixed backend (tests); by default the one saved in Settings, the demo node at first. */
  backend?: LightningBackend;
  /** The network a fixed `backend` must be on; regtest unless given. */
  expectedNetwork?: Network;
  /** Tests: the wallet Lightning refunds are paid from (a fake), once Settings chose one. */
  refundWallet?: RefundWallet;
  /** Macaroons, runes, NWC and LNbits keys; a 0600 file in dataDir unless given. */
  secrets?: SecretStore;
  /** Makes the rate source Settings name; tests pass fakes. */
  rateSource?: (id: RateSourceId) => RateSource;
  /** Per-request timeout for the real backends. */
  backendTimeoutMs?: number;
  /** Tests: where https://{shop}.myshopify.com really lives (an in-process fake). */
  shopifyBaseUrl?: string;
  shopifyTimeoutMs?: number;
  /** Tests: how the Shopify client waits out its throttle bucket, and a bulk export between polls. */
  shopifySleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  log?: (message: string, err?: unknown) => void;
  /** better-sqlite3 built for Electron's ABI, when the default build is for plain Node. */
  sqliteBinding?: string;
  /** Tests and the bench: DuckDB's threads and memory limit for reconciliation. */
  reconcileEngine?: Pick<RunnerOptions, 'threads' | 'memoryLimit'>;
  /** Where exports (reconciliation CSVs) are written; default ~/Downloads, else <dataDir>/exports. */
  exportDir?: string;
  /** How long start-up waits for the node before opening the register anyway. */
  startupWaitMs?: number;
  /** Background timers (expiry sweep, lookup fallback, rate refresh, reconnects); tests drive them by hand. */
  timers?: boolean;
  /** Tests: faults on the real journal connection (a page cap fills the disk; query_only makes it read-only). */
  onJournalOpen?: (db: Db) => void;
  /** The host's printers (the desktop app's, electron/main/printer.ts); none in the web host. */
  printer?: Printer;
  /** The HTTP client Lightning Address refunds use (tests); the global fetch by default. */
  lightningAddressFetch?: typeof fetch;
  /** Hosts a Lightning Address may be reached on over plain http: tests' fakes on 127.0.0.1 only. */
  lightningAddressInsecureHosts?: readonly string[];
  /** The USB NFC reader for Bolt Cards (the desktop app's reader process); none in the web host. */
  cardReader?: StartCardReader;
  /** Tests: how the till reaches Bolt Card services (plain http to a loopback fake, fetch). */
  cardClient?: WithdrawClientOptions;
  /** The screens attached, for the customer display's monitor (the desktop app's); none in the web host. */
  monitors?: () => Monitor[];
}

export interface Till {
  /** Validates `input` against the contract and runs the command; errors come back as values. */
  invoke(name: unknown, input: unknown): Promise<Reply<unknown>>;
  subscribe(listener: EventListener): () => void;
  /** The periodic work the timers do, callable directly by tests with a fake clock. */
  tick(): Promise<void>;
  /** The web host's view of paired customer displays (null: a till that is not open). */
  displays?: () => DisplayPairing | null;
  close(): Promise<void>;
}

const DEFAULT_EXPIRY_SEC = 600;
const DEFAULT_MAX_RATE_AGE_SEC = 600;
const STARTUP_WAIT_MS = 5_000;
const DEFAULT_RATE_BAND_PERCENT = 10;
const PROOF_INTERVAL_MS = 5 * 60_000;
/** Discounts above a fifth off need the manager's PIN until the owner says otherwise. */
const DEFAULT_DISCOUNT_APPROVAL_PERCENT = 20;
/** The till locks itself after five minutes without a tap until the owner says otherwise. */
const DEFAULT_IDLE_LOCK_SEC = 300;

/**
 * The composition root of the till: opens the journal, builds the parts (node connection,
 * rates, cart, sale flow, Shopify, reconciliation) and hands them to the command handlers in
 * ./commands. It decides nothing itself.
 */
export async function createTill(deps: TillDeps): Promise<Till> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? ((message: string, err?: unknown) => console.error(`[till] ${message}`, err ?? ''));
  // Throws JournalProblemError (damaged, missing, newer, unwritable): the host shows it, nothing sells.
  const db = openCheckedJournal(deps.dataDir, deps.sqliteBinding);
  deps.onJournalOpen?.(db);
  const journalPath = join(deps.dataDir, 'journal.sqlite');
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
    ...defaultLimits(demo.currency),
    manualRateBandPercent: DEFAULT_RATE_BAND_PERCENT,
    discountApprovalPercent: DEFAULT_DISCOUNT_APPROVAL_PERCENT,
    idleLockSec: DEFAULT_IDLE_LOCK_SEC,
  };
  let settings = readSettings(db, defaults);
  const settingsStore: TillContext['settings'] = {
    get: () => settings,
    save(patch) {
      writeSettings(db, patch);
      settings = readSettings(db, defaults);
      return settings;
    },
  };

  const backendDeps = {
    dataDir: deps.dataDir,
    now,
    sqliteBinding: deps.sqliteBinding,
    ...(deps.backendTimeoutMs ? { timeoutMs: deps.backendTimeoutMs } : {}),
  };
  const initial: { backend: LightningBackend; stored: StoredBackend } = deps.backend
    ? {
        backend: deps.backend,
        stored: { ...DEMO, network: deps.expectedNetwork ?? 'regtest' } as StoredBackend,
      }
    : openSaved(readSettingValue(db, BACKEND_SETTING), secrets, backendDeps);

  const staff = await createStaff({ db, now, idleLockSec: () => settings.idleLockSec });
  const audit = createAudit(db, tillId, now);

  const statusChanged = () => events.emit('statusChanged', status());
  const node = createNodeConnection({
    db,
    now,
    log,
    ...initial,
    // A throw here ends the subscription before the cursor moves: it resumes from there.
    onSettlement: ({ invoice, cursor }) => flow.applySettlement(invoice, cursor),
    changed: statusChanged,
    timers: deps.timers !== false,
  });

  const rates = createTillRates({
    db,
    now,
    settings: () => settings,
    onDemoNode: () => node.backend().kind === 'demo',
    ...(deps.rateSource ? { makeSource: deps.rateSource } : {}),
  });

  const shopify = createShopifyService({
    db,
    dataDir: deps.dataDir,
    secrets,
    tillId,
    now,
    log,
    changed: statusChanged,
    saleChanged: (saleId) => events.emit('saleUpdated', flow.get(saleId)),
    currency: {
      get: () => settings.currency,
      adopt: (currency) => {
        if (currency === settings.currency) return;
        assertCurrencyChange({ db, saleUnderWay }, currency, { replacesCatalog: true });
        settingsStore.save({ currency });
        void rates.refresh();
      },
    },
    adoptTaxesIncluded: (included) => void pricing.adoptShopTaxesIncluded(included),
    timers: deps.timers !== false,
    ...(deps.shopifyBaseUrl ? { baseUrl: deps.shopifyBaseUrl } : {}),
    ...(deps.shopifyTimeoutMs ? { timeoutMs: deps.shopifyTimeoutMs } : {}),
    ...(deps.shopifySleep ? { sleep: deps.shopifySleep } : {}),
  });

  const pricing = createPricingSettings(db, log, (next) => {
    events.emit('pricingChanged', next);
    cart.changed();
  });
  const cart = createCartService({
    db,
    events,
    settings: () => settings,
    pricing: () => pricing.get(),
    lastRate: rates.last,
    activeSaleId: () => readMeta(db, 'active_sale_id'),
  });

  const flow = createSaleFlow({
    tillId,
    db,
    events,
    backend: node.backend,
    expectedNetwork: () => node.stored().network,
    cart,
    settings: () => settings,
    lockRate: rates.lock,
    now,
    cursorKey: node.cursorKey,
    queueOrders: () => shopify.connected(),
    onQueued: () => shopify.queued(),
    log,
    onPaidAtCounter: (sale) => receipts.autoPrint(sale),
  });

  const display = createDisplay({
    events,
    shopName: () => settings.shopName,
    cart: () => cart.get(),
    pricing: () => pricing.get(),
    activeSale: () => {
      const id = flow.activeSaleId();
      return id === null ? null : flow.get(id);
    },
    // offlinePay is made below; the display asks only once a sale is charged offline.
    offlineLink: (saleId) => offlineLinkOf(saleId),
  });
  let offlineLinkOf: (saleId: string) => { qr: string; amountMsat: bigint; expiresAt: string } | null = () =>
    null;

  const displayPairing = createDisplayPairing(db, now, log, deps.monitors);

  const receiptSettings = createReceiptSettings(db, log);
  const refundWallets = createRefundWallets({
    db,
    now,
    onDemoNode: () => node.backend().kind === 'demo',
    secrets,
    expectedNetwork: () => node.stored().network,
    ...(deps.backendTimeoutMs ? { timeoutMs: deps.backendTimeoutMs } : {}),
    ...(deps.refundWallet ? { wallet: deps.refundWallet } : {}),
  });
  const refunds = createRefundService({
    db,
    now,
    refundWallet: refundWallets.wallet,
    refundLimits: refundWallets.limits,
    expectedNetwork: () => node.stored().network,
    lockRate: rates.lock,
    lightningAddress: createLightningAddressClient({
      ...(deps.lightningAddressFetch ? { fetch: deps.lightningAddressFetch } : {}),
      ...(deps.lightningAddressInsecureHosts ? { insecureHosts: deps.lightningAddressInsecureHosts } : {}),
    }),
    log,
    queueToShopify: () => shopify.connected(),
    onQueued: () => shopify.queued(),
    saleChanged: (saleId) => {
      events.emit('saleUpdated', flow.get(saleId));
      receipts.autoPrintRefunds(saleId);
    },
  });
  const lnurlWithdraw = createLnurlWithdraw({
    db,
    now,
    refunds,
    wallet: refundWallets.wallet,
    limits: refundWallets.limits,
    lockRate: rates.lock,
    log,
    shopName: () => settings.shopName,
    refundChanged: (refund) => {
      events.emit('refundUpdated', refund);
      events.emit('saleUpdated', flow.get(refund.saleId));
      receipts.autoPrintRefunds(refund.saleId);
    },
  });

  const offlinePay = createOfflinePay({
    db,
    now,
    secrets,
    tillId,
    settings: () => settings,
    lastRate: rates.last,
    nodeReachable: () => node.info().state === 'connected',
    cart,
    saleChanged: (sale) => events.emit('saleUpdated', sale),
    queueOrders: () => shopify.connected(),
    onQueued: () => shopify.queued(),
    onPaidAtCounter: (sale) => receipts.autoPrint(sale),
  });

  offlineLinkOf = (saleId) => offlinePay.find(saleId);

  const parked = createParkedCarts({
    db,
    events,
    cart,
    currency: () => settings.currency,
    now,
    activeSaleId: () => readMeta(db, 'active_sale_id'),
  });

  const cards = createCardTaps({
    flow,
    events,
    now,
    ...(deps.cardClient ? { client: deps.cardClient } : {}),
  });
  let cardReaderName: string | null = null;

  const saleUnderWay = () => cart.get().lines.length > 0 || flow.activeSaleId() !== null;

  const downloads = join(homedir(), 'Downloads');
  const exportDir = deps.exportDir ?? (existsSync(downloads) ? downloads : join(deps.dataDir, 'exports'));
  const receipts = createReceipts({
    printer: deps.printer ?? null,
    sale: flow.get,
    refunds: (saleId) => refunds.list(saleId),
    refund: (refundId) => refunds.get(refundId),
    shop: () => ({ shopName: settings.shopName, ...pricing.get().receipt }),
    settings: receiptSettings.get,
    exportDir,
    log,
    paidRefunds: () => db.prepare("SELECT id FROM refunds WHERE state = 'paid'").pluck().all() as string[],
    printFailed: (sale, message) =>
      events.emit('receiptPrintFailed', {
        saleId: sale.id,
        saleNumber: printedSaleNumber(sale.number),
        message,
      }),
  });
  const reconciliation = createReconcileService({
    tillId,
    journalPath,
    dataDir: deps.dataDir,
    backend: node.backend,
    shopify: () => shopify.client(),
    now,
    log,
    emit: (run) => events.emit('reconcileProgress', run),
    refundWallet: () => refundWallets.wallet(),
    recordPayment: (invoice) => flow.recordReconciledPayment(invoice),
    offlineProofs: {
      due: () => offlinePay.proofsDue(),
      check: async () => {
        const { last } = await offlinePay.checkProofs();
        return { asked: last!.asked, summary: proofSummary(last!) };
      },
    },
    queueOrder: (saleId) =>
      queueOrderRepair(
        {
          db,
          now,
          shopifyConnected: () => shopify.connected(),
          sale: flow.get,
          queued: (id) => {
            shopify.queued();
            events.emit('saleUpdated', flow.get(id));
            statusChanged();
          },
        },
        saleId,
      ),
    ...(deps.sqliteBinding ? { sqliteBinding: deps.sqliteBinding } : {}),
    ...(deps.reconcileEngine ? { engine: deps.reconcileEngine } : {}),
    ...(deps.shopifySleep ? { sleep: deps.shopifySleep } : {}),
  });

  function status(): TillStatus {
    const backend = node.backend();
    return {
      tillId: tillId ?? '',
      demoMode: isDemoBackend(backend),
      backend: { kind: backend.kind, expectedNetwork: node.stored().network, ...node.info() },
      rate: rates.last(),
      settings,
      shopify: shopify.status(),
      activeSaleId: flow.activeSaleId(),
      catalogProblem: demo.problem(),
      session: staff.session(),
      demoOwnerPin: staff.demoOwnerPin(),
      cardReader: cardReaderName,
    };
  }

  async function refreshRate(): Promise<void> {
    if (await rates.refresh()) statusChanged();
  }

  flow.recoverInterrupted();
  reconciliation.resumeInterrupted();
  // Links left open by the last run are closed (their secrets went with it); the server starts.
  await lnurlWithdraw.open();
  // A node that hangs must not keep the register from opening: give it a few seconds, then
  // let the connection finish (or fail and retry) in the background.
  let startTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    // Lightning refunds a crash left paying: looked up on the refund wallet, never paid again.
    Promise.all([node.connect(), refreshRate(), refunds.resumePaying()]),
    new Promise<void>((resolve) => (startTimer = setTimeout(resolve, deps.startupWaitMs ?? STARTUP_WAIT_MS))),
  ]);
  clearTimeout(startTimer);
  // Catch whatever settled while the till was closed and the subscription has not replayed yet.
  await flow.pollAwaiting();
  flow.sweepExpired();

  async function tick(): Promise<void> {
    if (staff.expireIdle()) statusChanged();
    flow.sweepExpired();
    lnurlWithdraw.sweep();
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
    // A refund still paying (the wallet had no answer yet) is looked up again, never paid again.
    every(30_000, refunds.resumePaying);
    // Offline payments proven later (issue 17): the companion server is asked while any waits
    // for its word. On its own timer: a slow companion never holds up the sweep and the outbox.
    const proofs = setInterval(() => {
      if (!offlinePay.proofsDue()) return;
      offlinePay
        .checkProofs()
        .catch((err: unknown) => log('offline payments: the companion server could not be asked', err));
    }, PROOF_INTERVAL_MS);
    proofs.unref();
    intervals.push(proofs);
  }

  const handlers = commandHandlers({
    db,
    events,
    now,
    log,
    secrets,
    backendDeps,
    settings: settingsStore,
    pricing,
    receiptSettings,
    receipts,
    staff,
    audit,
    rates,
    node,
    cart,
    display,
    displayPairing,
    parked,
    flow,
    refunds,
    refundWallets,
    lnurlWithdraw,
    offlinePay,
    shopify,
    reconciliation,
    exportDir,
    status,
    statusChanged,
    saleUnderWay,
    cards,
  });

  // A card on the USB reader pays the invoice on screen, as the tapCard command would; while
  // the till is locked nobody is at the counter to see it, so it is only told.
  const reader = deps.cardReader?.({
    reader(name) {
      if (name === cardReaderName) return;
      cardReaderName = name;
      statusChanged();
    },
    card(text) {
      if (staff.session() === null) {
        events.emit('cardTap', {
          saleId: null,
          phase: 'failed',
          message: 'The till is locked: sign in, then tap the card again.',
        });
        return;
      }
      void cards.tapActive(text);
    },
    cardError(message) {
      events.emit('cardTap', { saleId: flow.activeSaleId(), phase: 'failed', message });
    },
    log: (message) => log(message),
  });

  const gate = createGate({ staff, audit, locked: statusChanged, log });

  let closed = false;
  async function invoke(name: unknown, input: unknown): Promise<Reply<unknown>> {
    if (closed) return { ok: false, error: { kind: 'Internal', message: 'The till is shutting down.' } };
    if (!isCommandName(name)) {
      return { ok: false, error: unknownCommand(name) };
    }
    try {
      const handler = handlers[name] as (input: unknown) => unknown;
      // The gate decides who may (and takes a manager's approval off the input) before the
      // command's own schema sees it.
      const value = await gate(name, input ?? {}, async (checked) => {
        const output = await handler(commands[name].input.parse(checked));
        return output;
      });
      return { ok: true, value };
    } catch (err) {
      if (err instanceof TillError) return { ok: false, error: err.toShape() };
      if (err instanceof ZodError) {
        const issues = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        return {
          ok: false,
          error: {
            kind: 'ValidationError',
            // The screen puts each message beside its field (by path); the text itself never
            // shows the contract's internal field names to a cashier.
            message: [...new Set(issues.map((i) => i.message))].join('; '),
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
    displays: () => displayPairing,
    async close() {
      if (closed) return;
      closed = true;
      for (const t of intervals) clearInterval(t);
      await lnurlWithdraw.close();
      await reader?.close();
      await reconciliation.close();
      await shopify.close();
      await node.close();
      refundWallets.close();
      db.close();
    },
  };
}
