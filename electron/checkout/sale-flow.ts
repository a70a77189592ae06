import { randomUUID } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';
import type { Network, RateQuote, Sale, Settings, Tip } from '../../shared/domain/index.js';
import { decodeInvoice } from '../lightning/bolt11/decode.js';
import { invoiceMsat } from '../../shared/money/index.js';
import type { Db } from '../journal/db.js';
import {
  markPaidLate,
  notePaidSale,
  findInvoice,
  getSale,
  insertInvoice,
  insertSale,
  invoicesToWatch,
  markCashTender,
  markInvoiceSettled,
  markSalePaid,
  recordUnmatchedPayment,
  salesAwaitingPayment,
  transition,
} from '../journal/sales.js';
import { readMeta, writeCursor, writeMeta } from '../journal/settings.js';
import { clearCartLines } from '../journal/cart.js';
import type { Invoice, LightningBackend } from '../lightning/backend.js';
import type { EventBus } from '../events.js';
import { enqueueOrder } from '../shopify/outbox.js';
import type { CartService } from './cart.js';
import { backendErrorToTillError } from './errors.js';
import { checkSaleTotal, checkTendered } from './limits.js';

const ACTIVE_SALE = 'active_sale_id';
/** How long an expired invoice is still looked up for a late payment (the subscription covers it beyond). */
const WATCH_AFTER_EXPIRY_MS = 24 * 3600_000;

export interface SaleFlowDeps {
  db: Db;
  events: EventBus;
  /** The node in use now: a manager may switch it without a restart. */
  backend: () => LightningBackend;
  /** The network the till is configured for; an invoice on another one is refused. */
  expectedNetwork: () => Network;
  cart: CartService;
  settings: () => Settings;
  /** Locks a rate for a new invoice; throws TillError('RateUnavailable') when none can be had. */
  lockRate: (currency: string) => Promise<RateQuote>;
  now: () => Date;
  /** True while a Shopify store is connected: each paid sale then gets its outbox row. */
  queueOrders: () => boolean;
  /** After commit, when a sale was queued for Shopify (wakes the pump). */
  onQueued: () => void;
  /** Where this backend's settlement cursor is stored (kind + node identity). */
  cursorKey: () => string;
  log: (message: string, err?: unknown) => void;
  /**
   * After commit, when the sale on screen was paid (cash, or its invoice settled while it was
   * the active sale): its receipt may print. Not for a payment found later (replay, a
   * reconciliation repair), whose customer has long gone.
   */
  onPaidAtCounter?: (sale: Sale) => void;
  /** This till's id, marked on each invoice it creates (several tills on one node). */
  tillId?: string;
}

export type SaleFlow = ReturnType<typeof createSaleFlow>;

export function createSaleFlow(deps: SaleFlowDeps) {
  const { db, events, now } = deps;

  const activeSaleId = (): string | null => readMeta(db, ACTIVE_SALE);

  function mustGet(saleId: string): Sale {
    const sale = getSale(db, saleId);
    if (!sale) throw new TillError('NotFound', 'No sale with that id.');
    return sale;
  }

  function publish(saleId: string): Sale {
    const sale = mustGet(saleId);
    events.emit('saleUpdated', sale);
    return sale;
  }

  /** Rate lock + invoice for a sale that is open or expired; journals the invoice atomically. */
  async function issueInvoice(saleId: string): Promise<Sale> {
    const sale = mustGet(saleId);
    const settings = deps.settings();
    const rate = await deps.lockRate(sale.currency);
    const amountMsat = invoiceMsat(sale.total, sale.currency, rate.rate);
    let invoice: Invoice;
    try {
      invoice = await deps.backend().createInvoice({
        amountMsat,
        description: `${settings.shopName} · sale #${sale.number}`,
        expirySec: settings.invoiceExpirySec,
        ...(deps.tillId ? { till: deps.tillId } : {}),
      });
    } catch (err) {
      throw backendErrorToTillError(err, 'create the invoice');
    }
    let network: Network;
    try {
      network = decodeInvoice(invoice.bolt11).network;
    } catch (err) {
      throw new TillError(
        'BackendUnavailable',
        `The Lightning node returned an invoice that does not decode (${err instanceof Error ? err.message : String(err)}). Nothing was charged.`,
      );
    }
    if (network !== deps.expectedNetwork()) {
      throw new TillError(
        'BackendUnavailable',
        `The Lightning node made a ${network} invoice, but this till takes ${deps.expectedNetwork()} payments. Nothing was charged: a manager should check the node in Settings.`,
      );
    }
    if (invoice.amountMsat !== amountMsat) {
      throw new TillError(
        'BackendUnavailable',
        'The Lightning node returned an invoice for a different amount than asked. Nothing was charged; try again.',
      );
    }
    db.transaction(() => {
      insertInvoice(db, {
        saleId,
        backend: deps.cursorKey(),
        paymentHash: invoice.paymentHash,
        bolt11: invoice.bolt11,
        amountMsat: invoice.amountMsat,
        createdAt: invoice.createdAt,
        expiresAt: invoice.expiresAt,
        rate,
      });
      transition(db, saleId, 'awaiting_payment', now(), { paymentHash: invoice.paymentHash });
    })();
    return publish(saleId);
  }

  /**
   * The one place a payment becomes a paid sale. Idempotent: the subscription, the lookup
   * fallback and replay after restart may all report the same settlement.
   */
  function applySettlement(invoice: Invoice, cursor: string | null): boolean {
    if (invoice.state !== 'settled') return false;
    const settledAt = invoice.settledAt ?? now();
    const paid = invoice.amountPaidMsat ?? invoice.amountMsat;
    let touched: string | null = null;
    let cartCleared = false;
    let queued = false;
    db.transaction(() => {
      const record = findInvoice(db, invoice.paymentHash);
      if (!record) {
        recordUnmatchedPayment(db, {
          paymentHash: invoice.paymentHash,
          backend: deps.cursorKey(),
          amountPaidMsat: paid,
          settledAt,
          seenAt: now(),
        });
      } else if (record.settledAt === null) {
        markInvoiceSettled(db, record.paymentHash, settledAt, paid);
        const sale = mustGet(record.saleId);
        if (sale.state === 'paid') {
          // A second invoice of an already paid sale was paid too: journal it for a refund.
          notePaidSale(db, sale.id, now(), { duplicatePayment: record.paymentHash });
        } else {
          const late =
            settledAt.getTime() > record.expiresAt.getTime() ||
            sale.state === 'expired' ||
            sale.state === 'cancelled';
          transition(db, sale.id, 'paid', now(), {
            paymentHash: record.paymentHash,
            reason: late ? 'Paid after the invoice expired or the sale was cancelled' : null,
          });
          markSalePaid(db, sale.id, settledAt, paid, late);
          if (deps.queueOrders()) {
            enqueueOrder(db, sale.id, now());
            queued = true;
          }
          if (activeSaleId() === sale.id) {
            writeMeta(db, ACTIVE_SALE, null);
            clearCartLines(db);
            cartCleared = true;
          }
        }
        touched = record.saleId;
      }
      if (cursor !== null) writeCursor(db, deps.cursorKey(), cursor, now());
    })();
    // Events only after commit (ARCHITECTURE.md: journal first, side effects after).
    const published = touched !== null ? publish(touched) : null;
    if (cartCleared) deps.cart.changed();
    if (cartCleared && published?.state === 'paid') deps.onPaidAtCounter?.(published);
    if (queued) deps.onQueued();
    return touched !== null;
  }

  /**
   * A reconciliation's safe repair of a payment the node settled: journals it as the
   * subscription would have (late when it was), or marks an already paid sale as paid late
   * when the node settled it after its invoice expired. Returns what was done, or null.
   */
  function recordReconciledPayment(invoice: Invoice): string | null {
    if (invoice.state !== 'settled') return null;
    const record = findInvoice(db, invoice.paymentHash);
    if (!record) return null;
    if (record.settledAt === null) {
      if (!applySettlement(invoice, null)) return null;
      const sale = mustGet(record.saleId);
      return sale.paidLate ? 'late payment recorded' : 'payment recorded';
    }
    const sale = mustGet(record.saleId);
    const settledAt = invoice.settledAt ?? record.settledAt;
    if (sale.state !== 'paid' || sale.paidLate || settledAt.getTime() <= record.expiresAt.getTime())
      return null;
    db.transaction(() => {
      markPaidLate(db, sale.id);
      notePaidSale(db, sale.id, now(), {
        repair: 'record_late_payment',
        by: 'reconciliation',
        paymentHash: record.paymentHash,
      });
    })();
    publish(sale.id);
    return 'marked paid late';
  }

  return {
    activeSaleId,
    applySettlement,
    recordReconciledPayment,
    get: mustGet,

    async charge(tip: Tip | null = null): Promise<Sale> {
      const active = activeSaleId();
      if (active !== null) {
        const sale = mustGet(active);
        // A double tap on Charge shows the same invoice rather than a second one.
        if (sale.state === 'awaiting_payment') return sale;
        throw new TillError('InvalidState', 'The last sale is still open: issue a new invoice or cancel it.');
      }
      const { lines, pricing, note } = deps.cart.priced(tip);
      if (lines.length === 0)
        throw new TillError('InvalidState', 'The cart is empty: add something to charge for.');
      if (pricing.totals.total <= 0n)
        throw new TillError('InvalidState', 'The total must be above zero to charge.');
      checkSaleTotal(deps.settings(), pricing.totals.total);
      const saleId = randomUUID();
      db.transaction(() => {
        insertSale(db, { id: saleId, currency: deps.settings().currency, lines, pricing, note, at: now() });
        writeMeta(db, ACTIVE_SALE, saleId);
      })();
      try {
        return await issueInvoice(saleId);
      } catch (err) {
        db.transaction(() => {
          transition(db, saleId, 'cancelled', now(), {
            reason: err instanceof Error ? err.message : 'Could not create an invoice',
          });
          writeMeta(db, ACTIVE_SALE, null);
        })();
        publish(saleId);
        throw err;
      }
    },

    /** A cash sale of the cart: paid at once, no invoice, same journal and outbox path. */
    payCash(tendered: bigint, tip: Tip | null = null): Sale {
      const active = activeSaleId();
      if (active !== null && mustGet(active).state === 'awaiting_payment') {
        throw new TillError('InvalidState', 'An invoice is on screen: cancel it before taking cash.');
      }
      const { lines, pricing, note } = deps.cart.priced(tip);
      if (lines.length === 0)
        throw new TillError('InvalidState', 'The cart is empty: add something to sell.');
      const total = pricing.totals.total;
      if (total <= 0n) throw new TillError('InvalidState', 'The total must be above zero.');
      checkSaleTotal(deps.settings(), total);
      checkTendered(deps.settings(), total, tendered);
      const saleId = randomUUID();
      const at = now();
      let queued = false;
      db.transaction(() => {
        insertSale(db, { id: saleId, currency: deps.settings().currency, lines, pricing, note, at });
        markCashTender(db, saleId, tendered);
        transition(db, saleId, 'paid', at, { tender: 'cash', tendered: tendered.toString() });
        markSalePaid(db, saleId, at, null, false);
        if (active !== null) writeMeta(db, ACTIVE_SALE, null);
        clearCartLines(db);
        if (deps.queueOrders()) {
          enqueueOrder(db, saleId, at);
          queued = true;
        }
      })();
      const sale = publish(saleId);
      deps.cart.changed();
      if (queued) deps.onQueued();
      deps.onPaidAtCounter?.(sale);
      return sale;
    },

    async reissue(saleId: string): Promise<Sale> {
      const sale = mustGet(saleId);
      if (sale.state !== 'expired' && sale.state !== 'awaiting_payment') {
        throw new TillError(
          'InvalidState',
          `Sale #${sale.number} is ${sale.state.replace('_', ' ')}: no new invoice.`,
        );
      }
      return issueInvoice(saleId);
    },

    cancel(saleId: string): Sale {
      const sale = mustGet(saleId);
      if (sale.state === 'paid') throw new TillError('InvalidState', `Sale #${sale.number} is already paid.`);
      if (sale.state === 'cancelled') return sale;
      db.transaction(() => {
        transition(db, saleId, 'cancelled', now(), { reason: 'Cancelled by the cashier' });
        if (activeSaleId() === saleId) writeMeta(db, ACTIVE_SALE, null);
      })();
      return publish(saleId);
    },

    /**
     * A sale left 'open' was journaled but the till stopped before its invoice was: nobody can
     * have paid it, so it is cancelled and the cart it came from is editable again.
     */
    recoverInterrupted(): void {
      const open = db.prepare("SELECT id FROM sales WHERE state = 'open'").pluck().all() as string[];
      for (const saleId of open) {
        db.transaction(() => {
          transition(db, saleId, 'cancelled', now(), {
            reason: 'The till stopped before the invoice was issued',
          });
          if (activeSaleId() === saleId) writeMeta(db, ACTIVE_SALE, null);
        })();
      }
    },

    /** Marks awaiting sales whose invoice has expired; their invoices stay watched. */
    sweepExpired(): void {
      const t = now().getTime();
      for (const s of salesAwaitingPayment(db)) {
        if (s.expiresAt.getTime() > t) continue;
        db.transaction(() => transition(db, s.saleId, 'expired', now(), { paymentHash: s.paymentHash }))();
        publish(s.saleId);
      }
    },

    /** Lookup-by-hash fallback for open and recently expired invoices, in case a subscription missed one. */
    async pollAwaiting(): Promise<void> {
      const backend = deps.backend();
      for (const s of invoicesToWatch(
        db,
        new Date(now().getTime() - WATCH_AFTER_EXPIRY_MS),
        deps.cursorKey(),
      )) {
        try {
          const invoice = await backend.lookupInvoice(s.paymentHash);
          if (invoice) applySettlement(invoice, null);
        } catch (err) {
          deps.log(`lookup of invoice ${s.paymentHash} failed`, err);
        }
      }
    },
  };
}
