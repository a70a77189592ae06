import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import type { z } from 'zod';
import type { Network } from '../../../shared/domain/index.js';
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
import { requestJson, transportError, type HttpTarget } from '../http.js';
import type { LnbitsConfig } from './config.js';
import {
  compareCursors,
  cursorOf,
  decodeBolt11,
  ErrorBody,
  formatCursor,
  isoToMicros,
  parseCursor,
  Payment,
  PaymentList,
  PaymentLookup,
  shapeError,
  START_CURSOR,
  toInvoice,
  WalletResponse,
  WsPaymentMessage,
  type Cursor,
} from './mappers.js';

/**
 * An LNbits wallet through its wallet API (see contracts/lnbits/api.md for the
 * source this follows): invoices by POST /api/v1/payments, lookups and lists by GET, and
 * settlements pushed on the wallet's websocket /api/v1/ws/{key}. LNbits keeps no settle index,
 * so the cursor is the settle time (updated_at) plus the payment hash, and every (re)subscription
 * first replays from the payments list what was settled after it.
 *
 * A wallet key sees neither the node's pubkey nor its network. The pubkey reported is a sha256
 * fingerprint of server address and key (stable, one-way); the network is read from the newest
 * payment's invoice, and only a wallet with no payment at all gets one 1-sat, 60-second probe
 * invoice (memo PROBE_MEMO) to learn it.
 */

export interface LnbitsOptions {
  now?: () => Date;
  timeoutMs?: number;
}

const HASH = /^[0-9a-f]{64}$/;
const PAGE_TOKEN = /^(0|[1-9]\d{0,15})$/;
/** Filters.pagination caps a page at 1000 rows (lnbits/db.py). */
const REPLAY_PAGE = 200;
const PROBE_MEMO = 'Lightning Till: network check, not for payment';

type Query = Record<string, string | number>;

export function createLnbitsBackend(config: LnbitsConfig, opts: LnbitsOptions = {}): LightningBackend {
  const now = opts.now ?? (() => new Date());
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const target: HttpTarget = { baseUrl: config.url, timeoutMs, headers: { 'X-Api-Key': config.invoiceKey } };
  const where = new URL(config.url).host;
  // LNbits shows a wallet key no node identity: a stable fingerprint of server and key stands in.
  const pubkey = createHash('sha256').update(`lnbits\0${config.url}\0${config.invoiceKey}`).digest('hex');
  const subscriptions = new Set<() => void>();
  let network: Network | null = null;
  let closed = false;

  /** Keys travel in the websocket path; nothing that may carry one leaves this module unscrubbed. */
  const scrub = (text: string) => text.split(config.invoiceKey).join('…');

  function assertOpen(): void {
    if (closed) throw new BackendError('Unreachable', `The connection to LNbits at ${where} is closed.`);
  }

  function detailOf(body: unknown, status: number): string {
    const parsed = ErrorBody.safeParse(body);
    if (!parsed.success) return `HTTP ${status}`;
    const { detail } = parsed.data;
    const text = typeof detail === 'string' ? detail : detail.map((d) => d.msg).join('; ');
    return scrub(text.replace(/\s+/g, ' ').trim()).slice(0, 200) || `HTTP ${status}`;
  }

  async function call<T>(
    what: string,
    schema: z.ZodType<T>,
    req: { method: 'GET' | 'POST'; path: string; query?: Query; body?: unknown },
  ): Promise<{ status: number; data: T | null }> {
    assertOpen();
    // Relative paths keep a prefix of an LNbits served under a path.
    const qs = req.query ? `?${new URLSearchParams(stringify(req.query)).toString()}` : '';
    let res;
    try {
      res = await requestJson(target, { method: req.method, path: `${req.path}${qs}`, body: req.body });
    } catch (err) {
      if (err instanceof BackendError) throw new BackendError(err.kind, scrub(err.message), { cause: err });
      throw transportError(err, `LNbits at ${where}`);
    }
    if (closed) throw new BackendError('Unreachable', `The connection to LNbits at ${where} is closed.`);
    if (res.status >= 200 && res.status < 300) {
      const parsed = schema.safeParse(res.body);
      if (!parsed.success) throw shapeError(what, parsed.error);
      return { status: res.status, data: parsed.data };
    }
    const detail = detailOf(res.body, res.status);
    // decorators.py: no key 401, an admin-only route 403, a key it does not know 404 "Wallet not found."
    if (
      res.status === 401 ||
      res.status === 403 ||
      (res.status === 404 && /wallet not found/i.test(detail))
    ) {
      throw new BackendError(
        'NotAuthorized',
        `LNbits at ${where} refused the wallet key for ${what}: ${detail}`,
      );
    }
    if (res.status === 404) return { status: 404, data: null };
    throw new BackendError('Rejected', `LNbits at ${where} refused ${what}: ${detail}`);
  }

  async function must<T>(
    what: string,
    schema: z.ZodType<T>,
    req: { method: 'GET' | 'POST'; path: string; query?: Query; body?: unknown },
  ): Promise<T> {
    const { status, data } = await call(what, schema, req);
    if (data === null) {
      throw new BackendError(
        'Rejected',
        `LNbits at ${where} has no ${req.path} (HTTP ${status}): is it LNbits?`,
      );
    }
    return data;
  }

  const listPayments = (what: string, query: Query) =>
    must(what, PaymentList, { method: 'GET', path: 'api/v1/payments', query });

  async function postInvoice(
    sat: bigint,
    memo: string,
    expirySec: number,
    till?: string,
    hashed?: { descriptionHash: string; text?: string },
  ): Promise<Payment> {
    // CreateInvoice defaults `out` to true (pay): an invoice must say out: false.
    const body = {
      out: false,
      amount: sat,
      unit: 'sat',
      memo,
      expiry: expirySec,
      // CreateInvoice description_hash and unhashed_description, both hex. Funding sources that
      // take a hash use the first; Core Lightning's (deschashonly) takes only the text.
      ...(hashed
        ? {
            description_hash: hashed.descriptionHash,
            ...(hashed.text !== undefined
              ? { unhashed_description: Buffer.from(hashed.text, 'utf8').toString('hex') }
              : {}),
          }
        : {}),
    };
    return must('the new invoice', Payment, {
      method: 'POST',
      path: 'api/v1/payments',
      // The till that makes it, kept by LNbits in the payment's `extra` and returned with it.
      body: till === undefined ? body : { ...body, extra: { till } },
    });
  }

  /** The newest payment of the wallet tells the network; a new wallet gets one 1-sat probe invoice. */
  async function learnNetwork(): Promise<{ network: Network; canCreate: boolean }> {
    if (network) return { network, canCreate: true };
    // Fiat payments carry an invoice of LNbits' internal fake wallet, not of the funding node.
    const recent = await listPayments('payment list', { limit: 10 });
    for (const p of recent.filter((r) => !r.fiat_provider)) {
      try {
        network = decodeInvoice(p.bolt11).network;
        return { network, canCreate: true };
      } catch {
        // Not readable as BOLT11: the next one may be.
      }
    }
    try {
      const probe = await postInvoice(1n, PROBE_MEMO, 60);
      network = decodeBolt11(probe.bolt11, 'the probe invoice').network;
      return { network, canCreate: true };
    } catch (err) {
      // A shared wallet without the receive permission: nothing can be learnt, nor sold.
      if (err instanceof BackendError && err.kind === 'Rejected')
        return { network: 'mainnet', canCreate: false };
      throw err;
    }
  }

  async function getInfo(): Promise<NodeInfo> {
    const wallet = await must('wallet details', WalletResponse, { method: 'GET', path: 'api/v1/wallet' });
    const { network: net, canCreate } = await learnNetwork();
    return {
      alias: wallet.name || 'LNbits wallet',
      pubkey,
      network: net,
      blockHeight: null,
      permissions: {
        createInvoices: canCreate,
        readInvoices: true,
        // wallet_api.py adds the wallet id only for the admin key, which can also pay (out: true).
        sendPayments: wallet.id !== undefined,
      },
    };
  }

  async function createInvoice(req: CreateInvoiceRequest): Promise<Invoice> {
    assertOpen();
    checkInvoiceRequest(req);
    if (req.amountMsat % 1000n !== 0n) {
      throw new BackendError(
        'Rejected',
        `LNbits makes invoices in whole satoshis; ${req.amountMsat} msat is not a whole number of sats.`,
      );
    }
    const sat = req.amountMsat / 1000n;
    const descriptionHash = committedHash(req);
    const payment = await postInvoice(
      sat,
      req.description,
      req.expirySec,
      req.till,
      descriptionHash !== undefined ? { descriptionHash, text: req.hashedDescription } : undefined,
    );
    if (BigInt(payment.amount) !== req.amountMsat) {
      throw new BackendError(
        'BadResponse',
        `LNbits made an invoice for ${payment.amount} msat when ${req.amountMsat} msat was asked`,
      );
    }
    const invoice = toInvoice(payment, now());
    const decoded = decodeBolt11(invoice.bolt11, 'the new invoice');
    checkCommitment(req, decoded.descriptionHash, `LNbits at ${where}`);
    network ??= decoded.network;
    return invoice;
  }

  async function lookupInvoice(paymentHash: string): Promise<Invoice | null> {
    assertOpen();
    if (!HASH.test(paymentHash)) {
      throw new BackendError('Rejected', `"${paymentHash}" is not a payment hash (64 lowercase hex digits).`);
    }
    const { data } = await call('invoice lookup', PaymentLookup, {
      method: 'GET',
      path: `api/v1/payments/${paymentHash}`,
    });
    if (data === null) return null;
    // payment_api.py leaves `details` out when the key is not the payment's wallet's.
    if (!data.details) {
      throw new BackendError('NotAuthorized', `LNbits at ${where} does not accept the key as this wallet's.`);
    }
    // An outgoing payment with this hash is not an invoice of the wallet.
    if (data.details.amount <= 0) return null;
    return toInvoice(data.details, now());
  }

  async function listInvoices(req: ListInvoicesRequest): Promise<InvoicePage> {
    assertOpen();
    checkPageLimit(req.limit);
    if (req.pageToken !== null && !PAGE_TOKEN.test(req.pageToken)) {
      throw new BackendError('Rejected', `"${req.pageToken}" is not a page token of this LNbits backend.`);
    }
    const offset = req.pageToken === null ? 0 : Number(req.pageToken);
    const fromMicros = BigInt(req.from.getTime()) * 1000n;
    const toMicros = BigInt(req.to.getTime()) * 1000n;
    // The time filter is whole seconds on SQLite (db.py rewrite_values): ask a little wide and
    // cut exactly here. The page token is the offset in LNbits' own ordered list.
    const rows = await listPayments('payment list', {
      'amount[gt]': 0,
      'time[ge]': Math.floor(req.from.getTime() / 1000),
      'time[lt]': Math.ceil(req.to.getTime() / 1000),
      sortby: 'time',
      direction: 'asc',
      limit: req.limit,
      offset,
    });
    const at = now();
    const invoices = rows
      .filter((p) => {
        const t = isoToMicros(p.time);
        return t >= fromMicros && t < toMicros;
      })
      .map((p) => toInvoice(p, at));
    return { invoices, nextPageToken: rows.length === req.limit ? String(offset + rows.length) : null };
  }

  /** Paid incoming payments settled after `after`, oldest first (the replay of a subscription). */
  async function settledAfter(after: Cursor | null): Promise<Payment[]> {
    const found: Payment[] = [];
    for (let offset = 0; ; offset += REPLAY_PAGE) {
      const page = await listPayments('payment list', {
        status: 'success',
        'amount[gt]': 0,
        sortby: 'updated_at',
        direction: 'desc',
        limit: REPLAY_PAGE,
        offset,
      });
      let older = false;
      for (const p of page) {
        const c = cursorOf(p);
        if (compareCursors(c, after) > 0) found.push(p);
        // Rows stamped in the same µs may come in any order: stop only past the cursor's time.
        else if (after === null || c.micros < after.micros) older = true;
      }
      if (older || page.length < REPLAY_PAGE) break;
    }
    return found.sort((a, b) => compareCursors(cursorOf(a), cursorOf(b)));
  }

  async function latestCursor(): Promise<string> {
    const newest = await listPayments('payment list', {
      status: 'success',
      'amount[gt]': 0,
      sortby: 'updated_at',
      direction: 'desc',
      limit: 10,
    });
    let best: Cursor | null = null;
    for (const p of newest) {
      const c = cursorOf(p);
      if (compareCursors(c, best) > 0) best = c;
    }
    return best ? formatCursor(best) : START_CURSOR;
  }

  function subscribeSettlements(sopts: SubscribeOptions): Subscription {
    assertOpen();
    const start = parseCursor(sopts.fromCursor);
    let last = start;
    let replaying = true;
    const buffered: Payment[] = [];
    const delivered = new Set<string>();

    const wsUrl = new URL(`api/v1/ws/${encodeURIComponent(config.invoiceKey)}`, `${config.url}/`);
    wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(wsUrl, { handshakeTimeout: timeoutMs });

    const sub = subscriptionEnd(
      sopts,
      subscriptions,
      () => {
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
      },
      scrub,
    );
    const { end, stop } = sub;
    subscriptions.add(stop);

    /** Delivers one paid incoming payment, once, never at or before the cursor subscribed from. */
    const deliver = (p: Payment): boolean => {
      if (sub.ended || p.amount <= 0 || p.status !== 'success' || delivered.has(p.payment_hash))
        return !sub.ended;
      const c = cursorOf(p);
      if (compareCursors(c, start) <= 0) return true;
      let invoice: Invoice;
      try {
        invoice = toInvoice(p, now());
      } catch (err) {
        end(`${message(err)}; resubscribing replays from the last stored cursor`);
        return false;
      }
      delivered.add(p.payment_hash);
      // A notification that overtook an earlier one keeps the cursor where it was: never backwards.
      if (compareCursors(c, last) > 0) last = c;
      try {
        sopts.onSettlement({ invoice, cursor: formatCursor(last!) });
      } catch (err) {
        // Going on would let the till store a later cursor and skip this settlement forever.
        end(`The settlement handler failed (${message(err)}); resubscribe to resume.`);
        return false;
      }
      return true;
    };

    socket.on('open', () => {
      try {
        sopts.onState('connected', null);
      } catch (err) {
        end(`The connection-state handler failed (${message(err)}).`);
        return;
      }
      // Opened before the replay, so a payment settling meanwhile is buffered, not lost.
      settledAfter(start).then(
        (missed) => {
          for (const p of missed) if (!deliver(p)) return;
          replaying = false;
          for (const p of buffered.splice(0)) if (!deliver(p)) return;
        },
        (err: unknown) => end(`Could not replay the payments LNbits settled meanwhile: ${message(err)}`),
      );
    });
    socket.on('message', (data: WebSocket.RawData) => {
      let json: unknown;
      try {
        json = JSON.parse(rawText(data));
      } catch {
        return; // not a payment notification; nothing else on this channel matters to a till
      }
      if (typeof json !== 'object' || json === null || !('payment' in json)) return;
      const parsed = WsPaymentMessage.safeParse(json);
      if (!parsed.success) {
        end(`${shapeError('payment notification', parsed.error).message}; resubscribing replays it`);
        return;
      }
      if (replaying) buffered.push(parsed.data.payment);
      else deliver(parsed.data.payment);
    });
    socket.on('error', (err) => end(`The live connection to LNbits at ${where} failed (${message(err)})`));
    socket.on('close', (code) => end(`LNbits at ${where} closed the live connection (code ${code})`));
    return { close: stop };
  }

  return {
    kind: 'lnbits',
    getInfo,
    createInvoice,
    lookupInvoice,
    subscribeSettlements,
    latestCursor,
    listInvoices,
    close() {
      closed = true;
      for (const stop of [...subscriptions]) stop();
      return Promise.resolve();
    },
  };
}

function stringify(query: Query): Record<string, string> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]));
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}
