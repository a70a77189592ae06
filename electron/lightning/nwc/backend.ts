import type { z } from 'zod';
import {
  checkPageLimit,
  subscriptionEnd,
  checkInvoiceRequest,
  checkCommitment,
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
import { decodeInvoice } from '../bolt11/decode.js';
import { createNwcClient } from './client.js';
import type { NwcConfig } from './config.js';
import {
  compareCursors,
  cursorOf,
  formatCursor,
  GetInfoResult,
  isAfter,
  network,
  Notification,
  parseCursor,
  permissions,
  shapeError,
  toInvoice,
  Transaction,
  TransactionList,
  type Cursor,
} from './mappers.js';

/**
 * A wallet reached over Nostr Wallet Connect (NIP-47): make_invoice, lookup_invoice,
 * list_transactions and get_info as encrypted requests through the connection's relays, and
 * payment_received notifications for live settlements. NWC has no settle index: replay after a
 * cursor reads the wallet's paid invoices with list_transactions (see mappers.ts, Cursor).
 */

export interface NwcOptions {
  now?: () => Date;
  timeoutMs?: number;
}

/**
 * list_transactions filters on creation time, so replay looks this far back before the cursor
 * for invoices paid after it; the till's invoices live at most this long for that reason.
 */
const LOOKBACK_SEC = 24 * 60 * 60;
// NIP-47: "clients SHOULD fetch small page sizes (maximum of 20 transactions per page)".
const WALLET_PAGE = 20;
const MAX_SCAN = 10_000;
const HASH = /^[0-9a-f]{64}$/;
const TOKEN = /^(0|[1-9]\d{0,11}):([0-9a-f]{64})$/;

export function createNwcBackend(config: NwcConfig, opts: NwcOptions = {}): LightningBackend {
  const now = opts.now ?? (() => new Date());
  const client = createNwcClient(config, opts.timeoutMs ?? 10_000);
  const subscriptions = new Set<() => void>();
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new BackendError('Unreachable', 'The wallet connection is closed.');
  }

  /** One request; a wallet error becomes a BackendError, or null for NOT_FOUND when asked. */
  async function call<T>(
    method: string,
    params: Record<string, unknown>,
    schema: z.ZodType<T>,
    notFound: 'null' | 'error' = 'error',
  ): Promise<T | null> {
    assertOpen();
    const reply = await client.request(method, params);
    if (reply.ok) {
      const parsed = schema.safeParse(reply.result);
      if (!parsed.success) throw shapeError(method, parsed.error);
      return parsed.data;
    }
    const said = reply.message === '' ? reply.code : reply.message;
    switch (reply.code) {
      case 'UNAUTHORIZED':
        throw new BackendError('NotAuthorized', `The wallet does not know this connection (${said}).`);
      case 'RESTRICTED':
        throw new BackendError(
          'NotAuthorized',
          `The wallet says this connection may not ${method} (${said}).`,
        );
      case 'NOT_FOUND':
        if (notFound === 'null') return null;
        break;
      default:
        break;
    }
    throw new BackendError('Rejected', `The wallet refused ${method}: ${said}`);
  }

  async function must<T>(method: string, params: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
    const result = await call(method, params, schema);
    if (result === null) throw new BackendError('BadResponse', `The wallet answered ${method} with nothing.`);
    return result;
  }

  async function getInfo(): Promise<NodeInfo> {
    const info = await must('get_info', {}, GetInfoResult);
    const pubkey = info.pubkey?.toLowerCase();
    if (pubkey && !/^(0[23])?[0-9a-f]{64}$/.test(pubkey)) {
      throw new BackendError('BadResponse', "The wallet's get_info pubkey is not a node public key.");
    }
    return {
      // Wallets without a node of their own (custodial, Cashu) leave alias and pubkey out.
      alias: info.alias?.trim() || `NWC wallet ${config.walletPubkey.slice(0, 8)}`,
      pubkey: pubkey || config.walletPubkey,
      network: network(info.network),
      blockHeight: info.block_height ?? null,
      permissions: permissions(info.methods),
    };
  }

  async function createInvoice(req: CreateInvoiceRequest): Promise<Invoice> {
    assertOpen();
    // NIP-47 carries msat as JSON numbers (exact below 2^53), and the till looks back a day.
    checkInvoiceRequest(req, {
      maxAmountMsat: BigInt(Number.MAX_SAFE_INTEGER),
      maxAmountText: '90,000 BTC',
      maxExpirySec: LOOKBACK_SEC,
      expiryText: `1 to ${LOOKBACK_SEC} (a day) through NWC`,
    });
    // NIP-47 make_invoice `description_hash` (hex); with it, `description` is the text it hashes
    // (as zap requests send it), or absent when only the hash is known.
    const descriptionHash = committedHash(req);
    const description = descriptionHash === undefined ? req.description : req.hashedDescription;
    const tx = await must(
      'make_invoice',
      {
        amount: req.amountMsat,
        ...(description !== undefined ? { description } : {}),
        ...(descriptionHash !== undefined ? { description_hash: descriptionHash } : {}),
        expiry: req.expirySec,
        // NIP-47 make_invoice `metadata`: which till made it, read back when listing.
        ...(req.till !== undefined ? { metadata: { till_id: req.till } } : {}),
      },
      Transaction,
    );
    if (tx.type !== 'incoming' || BigInt(tx.amount) !== req.amountMsat || !tx.invoice) {
      throw new BackendError('BadResponse', 'The wallet made an invoice for a different amount, or none.');
    }
    let decoded;
    try {
      decoded = decodeInvoice(tx.invoice);
    } catch (err) {
      throw new BackendError(
        'BadResponse',
        `The wallet returned an invoice that does not decode (${err instanceof Error ? err.message : String(err)}).`,
      );
    }
    if (decoded.paymentHash !== tx.payment_hash || decoded.amountMsat !== req.amountMsat) {
      throw new BackendError(
        'BadResponse',
        'The wallet returned an invoice for a different payment or amount.',
      );
    }
    checkCommitment(req, decoded.descriptionHash, 'The wallet');
    return toInvoice(tx, now());
  }

  async function lookupInvoice(paymentHash: string): Promise<Invoice | null> {
    assertOpen();
    if (!HASH.test(paymentHash)) {
      throw new BackendError('Rejected', `"${paymentHash}" is not a payment hash (64 lowercase hex digits).`);
    }
    const tx = await call('lookup_invoice', { payment_hash: paymentHash }, Transaction, 'null');
    // An outgoing payment with this hash is not an invoice of ours.
    if (tx === null || tx.type !== 'incoming') return null;
    if (tx.payment_hash !== paymentHash) {
      throw new BackendError('BadResponse', 'The wallet answered the lookup with a different invoice.');
    }
    return toInvoice(tx, now());
  }

  /**
   * Incoming transactions created in [from, until] (seconds), newest first as NIP-47 lists them,
   * page by page until `more` says stop or the wallet runs out.
   */
  async function scan(
    range: { from?: number; until?: number; unpaid: boolean },
    more: (page: Transaction[]) => boolean = () => true,
  ): Promise<Transaction[]> {
    const out: Transaction[] = [];
    for (let offset = 0; ; offset += WALLET_PAGE) {
      if (offset >= MAX_SCAN) {
        throw new BackendError(
          'Rejected',
          `The wallet lists more than ${MAX_SCAN} invoices here: narrow the range.`,
        );
      }
      const params: Record<string, unknown> = { type: 'incoming', limit: WALLET_PAGE, offset };
      if (range.from !== undefined) params.from = range.from;
      if (range.until !== undefined) params.until = range.until;
      if (range.unpaid) params.unpaid = true;
      const page = await must('list_transactions', params, TransactionList);
      out.push(...page.transactions);
      const goOn = more(page.transactions);
      if (page.transactions.length < WALLET_PAGE || !goOn) return out;
    }
  }

  /** Paid incoming transactions after the cursor, in settlement order. */
  async function settledAfter(from: Cursor | null): Promise<Transaction[]> {
    const since = from === null ? undefined : Math.max(0, from.settledAt - LOOKBACK_SEC);
    const paid = await scan({ from: since, unpaid: false });
    return unique(paid)
      .filter((tx) => tx.type === 'incoming' && tx.settled_at != null && isAfter(cursorOf(tx), from))
      .sort((a, b) => compareCursors(cursorOf(a), cursorOf(b)));
  }

  async function latestCursor(): Promise<string> {
    assertOpen();
    let best: Cursor | null = null;
    // Newest created first; an invoice is settled within LOOKBACK_SEC of its creation, so once
    // the pages are that much older than the best settlement found, nothing later can follow.
    await scan({ unpaid: false }, (page) => {
      for (const tx of page) {
        if (tx.type !== 'incoming' || tx.settled_at == null) continue;
        const c = cursorOf(tx);
        if (!best || compareCursors(c, best) > 0) best = c;
      }
      const oldest = page.at(-1)?.created_at ?? 0;
      return best === null || oldest >= best.settledAt - LOOKBACK_SEC;
    });
    return best === null ? '0' : formatCursor(best);
  }

  async function listInvoices(req: ListInvoicesRequest): Promise<InvoicePage> {
    assertOpen();
    checkPageLimit(req.limit);
    // The page token is the (created_at, payment_hash) of the last invoice handed out: a
    // position that holds even if the wallet's newest-first offsets shift between pages.
    let after: { createdAt: number; paymentHash: string } | null = null;
    if (req.pageToken !== null) {
      const m = TOKEN.exec(req.pageToken);
      if (!m) throw new BackendError('Rejected', `"${req.pageToken}" is not an NWC page token.`);
      after = { createdAt: Number(m[1]), paymentHash: m[2]! };
    }
    // NIP-47 from/until are inclusive seconds; [from, to) in milliseconds is narrowed after.
    const from = Math.max(Math.ceil(req.from.getTime() / 1000), after?.createdAt ?? 0);
    const until = Math.ceil(req.to.getTime() / 1000) - 1;
    if (until < from) return { invoices: [], nextPageToken: null };
    const txs = unique(await scan({ from, until, unpaid: true }))
      .filter((tx) => tx.type === 'incoming')
      .filter(
        (tx) =>
          after === null ||
          tx.created_at > after.createdAt ||
          (tx.created_at === after.createdAt && tx.payment_hash > after.paymentHash),
      )
      .sort((a, b) => a.created_at - b.created_at || (a.payment_hash < b.payment_hash ? -1 : 1));
    const at = now();
    const invoices = txs
      .map((tx) => toInvoice(tx, at))
      .filter((i) => i.createdAt >= req.from && i.createdAt < req.to);
    const page = invoices.slice(0, req.limit);
    const last = page.at(-1);
    return {
      invoices: page,
      nextPageToken:
        invoices.length > req.limit && last
          ? `${Math.floor(last.createdAt.getTime() / 1000)}:${last.paymentHash}`
          : null,
    };
  }

  function subscribeSettlements(sopts: SubscribeOptions): Subscription {
    assertOpen();
    const from = parseCursor(sopts.fromCursor);
    const delivered = new Set<string>();
    // Live notifications wait here until the replay is out, so settlements go out in order.
    let held: Transaction[] | null = [];

    const sub = subscriptionEnd(sopts, subscriptions, () => listener.close());
    const { end, stop } = sub;

    const deliver = (tx: Transaction) => {
      if (sub.ended || tx.type !== 'incoming' || delivered.has(tx.payment_hash)) return;
      let invoice: Invoice;
      try {
        invoice = toInvoice(tx, now());
      } catch (err) {
        end(`${err instanceof Error ? err.message : String(err)} Resubscribing to replay it.`);
        return;
      }
      if (invoice.state !== 'settled' || !isAfter(cursorOf(tx), from)) return;
      delivered.add(tx.payment_hash);
      try {
        sopts.onSettlement({ invoice, cursor: formatCursor(cursorOf(tx)) });
      } catch (err) {
        // Going on would let the till store a later cursor past this settlement: end instead.
        end(
          `The settlement handler failed (${err instanceof Error ? err.message : String(err)}); resubscribe.`,
        );
      }
    };

    const listener = client.notifications({
      onReady: () => {
        if (sub.ended) return;
        try {
          sopts.onState('connected', null);
        } catch (err) {
          end(`The connection-state handler failed (${err instanceof Error ? err.message : String(err)}).`);
          return;
        }
        settledAfter(from).then(
          (backlog) => {
            const live = held ?? [];
            held = null;
            for (const tx of backlog) deliver(tx);
            for (const tx of live.sort((a, b) => compareCursors(cursorOf(a), cursorOf(b)))) deliver(tx);
          },
          (err: unknown) =>
            end(
              `Could not replay the wallet's payments: ${err instanceof Error ? err.message : String(err)}`,
            ),
        );
      },
      onNotification: (payload) => {
        if (sub.ended) return;
        const note = Notification.safeParse(payload);
        if (!note.success) {
          end('The wallet sent a notification that is not NIP-47; resubscribing to replay from the cursor.');
          return;
        }
        if (note.data.notification_type !== 'payment_received') return;
        const tx = Transaction.safeParse(note.data.notification);
        if (!tx.success) {
          end(`${shapeError('payment_received', tx.error).message} Resubscribing to replay it.`);
          return;
        }
        if (held) held.push(tx.data);
        else deliver(tx.data);
      },
      onLost: (message) => end(message),
    });
    subscriptions.add(stop);
    return { close: stop };
  }

  return {
    kind: 'nwc',
    getInfo,
    createInvoice,
    lookupInvoice,
    subscribeSettlements,
    latestCursor,
    listInvoices,
    close() {
      if (!closed) {
        closed = true;
        for (const stop of [...subscriptions]) stop();
        client.close();
      }
      return Promise.resolve();
    },
  };
}

/** Offset paging over a list that grows at the front can show an entry twice. */
function unique(txs: Transaction[]): Transaction[] {
  const seen = new Set<string>();
  return txs.filter((tx) => !seen.has(tx.payment_hash) && seen.add(tx.payment_hash));
}
