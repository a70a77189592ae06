import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  checkPageLimit,
  checkInvoiceRequest,
  committedHash,
  BackendError,
  type CreateInvoiceRequest,
  type Invoice,
  type InvoicePage,
  type LightningBackend,
  type ListInvoicesRequest,
  type NodeInfo,
  type SubscribeOptions,
  type Subscription,
} from '../backend.js';
import { encodeInvoice } from '../bolt11/encode.js';
import { loadOrCreateNodeKey } from './node-key.js';
import { openDemoStore, STORE_FILE, type InvoiceRow } from './store.js';

/**
 * The embedded demo node: no real money. It signs real BOLT11 invoices (regtest, `lnbcrt`)
 * with a key kept in the data directory, keeps its invoices in its own SQLite file, and settles
 * one when "the customer pays" (simulatePayment). Settlements carry LND-style settle_index
 * cursors, so the till's replay-from-cursor path is exercised exactly as with a real node.
 */
export interface DemoBackend extends LightningBackend {
  readonly kind: 'demo';
  /** Pays an open invoice in full, also after it expired (a late payment the till must flag). */
  simulatePayment(paymentHash: string): Promise<Invoice>;
}

export interface DemoBackendOptions {
  dataDir: string;
  now?: () => Date;
  /** better-sqlite3 built for Electron's ABI (see scripts/electron-native.mjs). */
  sqliteBinding?: string;
}

export const DEMO_ALIAS = 'Lightning Till demo node';
/** A fresh regtest chain after the customary `generatetoaddress 101` (mature coinbase). */
export const DEMO_BLOCK_HEIGHT = 101;
/** LND's default final CLTV delta; BOLT11's 18 is only what a payer assumes when c is absent. */
const MIN_FINAL_CLTV_EXPIRY = 80;
const HASH = /^[0-9a-f]{64}$/;
const INDEX = /^(0|[1-9]\d{0,15})$/;

interface LiveSubscription {
  readonly opts: SubscribeOptions;
  /** settle_index of the last settlement delivered. */
  after: number;
  scheduled: boolean;
  closed: boolean;
}

export function createDemoBackend(opts: DemoBackendOptions): DemoBackend {
  const now = opts.now ?? (() => new Date());
  const key = loadOrCreateNodeKey(opts.dataDir);
  const pubkey = bytesToHex(secp256k1.getPublicKey(key, true));
  const store = openDemoStore(join(opts.dataDir, STORE_FILE), opts.sqliteBinding);
  const subscriptions = new Set<LiveSubscription>();
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new BackendError('Unreachable', 'The demo node has been shut down.');
  }

  function toInvoice(row: InvoiceRow): Invoice {
    const state = row.settleIndex !== null ? 'settled' : now() >= row.expiresAt ? 'expired' : 'open';
    return {
      paymentHash: row.paymentHash,
      bolt11: row.bolt11,
      amountMsat: row.amountMsat,
      description: row.description,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      state,
      settledAt: row.settledAt,
      amountPaidMsat: row.amountPaidMsat,
      till: row.till,
    };
  }

  function deliver(sub: LiveSubscription): void {
    sub.scheduled = false;
    if (sub.closed || closed) return;
    let rows: InvoiceRow[];
    try {
      rows = store.settledAfter(sub.after);
    } catch (err) {
      endSubscription(sub);
      report(sub, `The demo node could not read its settlements: ${message(err)}`);
      return;
    }
    for (const row of rows) {
      if (sub.closed || closed) return;
      const settleIndex = row.settleIndex ?? sub.after;
      sub.after = settleIndex;
      try {
        sub.opts.onSettlement({ invoice: toInvoice(row), cursor: String(settleIndex) });
      } catch (err) {
        // Going on would let the subscriber store a later cursor and skip this settlement
        // forever; ending the stream makes it resubscribe from the cursor it last journaled.
        endSubscription(sub);
        report(sub, `The settlement handler failed (${message(err)}); resubscribe to resume.`);
        return;
      }
    }
  }

  function report(sub: LiveSubscription, problem: string): void {
    try {
      sub.opts.onState('disconnected', problem);
    } catch {
      // Nothing left to tell: a throw here would only surface as an uncaught microtask error.
    }
  }

  /** Always on a later microtask: never re-entrant in simulatePayment's (or subscribe's) stack. */
  function schedule(sub: LiveSubscription): void {
    if (sub.scheduled || sub.closed) return;
    sub.scheduled = true;
    queueMicrotask(() => deliver(sub));
  }

  function endSubscription(sub: LiveSubscription): void {
    sub.closed = true;
    subscriptions.delete(sub);
  }

  function validHash(paymentHash: string): string {
    if (!HASH.test(paymentHash)) {
      throw new BackendError('Rejected', `"${paymentHash}" is not a payment hash (64 lowercase hex digits).`);
    }
    return paymentHash;
  }

  function createInvoice(req: CreateInvoiceRequest): Invoice {
    assertOpen();
    checkInvoiceRequest(req);
    // BOLT11 timestamps are whole seconds; createdAt is the time the invoice itself states.
    const timestamp = Math.floor(now().getTime() / 1000);
    const preimage = randomBytes(32);
    const paymentHash = bytesToHex(sha256(preimage));
    const descriptionHash = committedHash(req);
    const bolt11 = encodeInvoice(
      {
        network: 'regtest',
        amountMsat: req.amountMsat,
        timestamp,
        paymentHash,
        paymentSecret: bytesToHex(randomBytes(32)),
        ...(descriptionHash !== undefined ? { descriptionHash } : { description: req.description }),
        expirySec: req.expirySec,
        minFinalCltvExpiry: MIN_FINAL_CLTV_EXPIRY,
      },
      key,
    );
    const row = store.insert({
      paymentHash,
      preimage: bytesToHex(preimage),
      bolt11,
      description: req.description,
      amountMsat: req.amountMsat,
      createdAt: new Date(timestamp * 1000),
      expiresAt: new Date((timestamp + req.expirySec) * 1000),
      till: req.till ?? null,
    });
    return toInvoice(row);
  }

  function subscribeSettlements(sopts: SubscribeOptions): Subscription {
    assertOpen();
    const from = sopts.fromCursor;
    if (!INDEX.test(from)) {
      throw new BackendError('Rejected', `"${from}" is not a demo node settlement cursor.`);
    }
    // Starts as scheduled: the first delivery below replays everything after the cursor.
    const sub: LiveSubscription = { opts: sopts, after: Number(from), scheduled: true, closed: false };
    subscriptions.add(sub);
    queueMicrotask(() => {
      if (sub.closed || closed) return;
      try {
        sopts.onState('connected', null);
      } catch (err) {
        endSubscription(sub);
        report(sub, `The connection-state handler failed (${message(err)}).`);
        return;
      }
      deliver(sub);
    });
    return { close: () => endSubscription(sub) };
  }

  function listInvoices(req: ListInvoicesRequest): InvoicePage {
    assertOpen();
    checkPageLimit(req.limit);
    if (req.pageToken !== null && !INDEX.test(req.pageToken)) {
      throw new BackendError('Rejected', `"${req.pageToken}" is not a page token of the demo node.`);
    }
    const after = req.pageToken === null ? 0 : Number(req.pageToken);
    // One row more than asked tells whether another page exists.
    const rows = store.createdBetween(req.from, req.to, after, req.limit + 1);
    const page = rows.slice(0, req.limit);
    const last = page[page.length - 1];
    return {
      invoices: page.map(toInvoice),
      nextPageToken: rows.length > req.limit && last ? String(last.addIndex) : null,
    };
  }

  function simulatePayment(paymentHash: string): Invoice {
    assertOpen();
    const row = store.settle(validHash(paymentHash), now());
    // After commit: live subscribers read the new settlement from the store, in order.
    for (const sub of subscriptions) schedule(sub);
    return toInvoice(row);
  }

  return {
    kind: 'demo',
    getInfo: () =>
      promised((): NodeInfo => {
        assertOpen();
        return {
          alias: DEMO_ALIAS,
          pubkey,
          network: 'regtest',
          blockHeight: DEMO_BLOCK_HEIGHT,
          permissions: { createInvoices: true, readInvoices: true, sendPayments: false },
        };
      }),
    createInvoice: (req) => promised(() => createInvoice(req)),
    lookupInvoice: (paymentHash) =>
      promised(() => {
        assertOpen();
        const row = store.byHash(validHash(paymentHash));
        return row ? toInvoice(row) : null;
      }),
    subscribeSettlements,
    latestCursor: () =>
      promised(() => {
        assertOpen();
        return String(store.lastSettleIndex());
      }),
    listInvoices: (req) => promised(() => listInvoices(req)),
    simulatePayment: (paymentHash) => promised(() => simulatePayment(paymentHash)),
    close() {
      if (!closed) {
        closed = true;
        for (const sub of subscriptions) endSubscription(sub);
        store.close();
      }
      return Promise.resolve();
    },
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs synchronous work behind the async interface: a throw becomes a rejection, as callers expect. */
function promised<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()));
}
