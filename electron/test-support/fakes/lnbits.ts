import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { Network } from '../../../shared/domain/index.js';
import { toJsonExact } from '../../../shared/money/index.js';
import { decodeInvoice } from '../../lightning/bolt11/decode.js';
import { encodeInvoice } from '../../lightning/bolt11/encode.js';
import {
  SpecViolation,
  startHttpFake,
  type FakeReply,
  type FakeRequest,
  type HttpFake,
} from './http-fake.js';

/**
 * An in-process LNbits wallet server for the LNbits backend's tests: the wallet API and the
 * websocket exactly as contracts/lnbits/api.md (read from the LNbits source) describes them.
 * Requests are checked against those shapes — strict, so a field or filter LNbits would silently ignore fails
 * the test — and invoices are real BOLT11, signed by the fake's own node key.
 */

export interface LnbitsFake extends HttpFake {
  invoiceKey: string;
  adminKey: string;
  walletId: string;
  /** Every request line (method, path, query) in order, for tests that count round trips. */
  requests: string[];
  /** A customer pays the invoice (also after it expired): success, updated_at now, websocket push. */
  pay(paymentHash: string): void;
  /** Refund wallet tests: money in the wallet (an incoming payment, settled). */
  fund(msat: number | bigint): void;
  /** The payee of an invoice the wallet may pay: the network reveals this preimage when paid. */
  knowPreimage: (paymentHash: string, preimage: string) => void;
  /** How the next `out: true` payments end; 'pay' unless told. */
  payOutcome(outcome: LnbitsPayOutcome): void;
  /**
   * Called as an outgoing payment is recorded (paid or pending), before its answer leaves: a
   * crash test kills the till there, so it never hears it. null: none.
   */
  onPaid(hook: ((paymentHash: string) => void) | null): void;
  /** A pending outgoing payment completes (or fails). */
  finishOutgoing(paymentHash: string, status: 'success' | 'failed'): void;
  /** From now on the funding source ignores description hashes (a plain `d`), as some do. */
  ignoreDescriptionHash(): void;
  /** Every `out: true` request (its payment hash), refused ones too. */
  payRequests: string[];
  /** The wallet's outgoing payments. */
  outgoing(): { paymentHash: string; status: 'pending' | 'success' | 'failed' }[];
}

/**
 * How an `out: true` payment ends: paid (201, success); 520 PaymentError status "failed"; paid
 * but the answer never sent; 201 still pending; a 500 with no body after paying.
 */
export type LnbitsPayOutcome = 'pay' | 'failed' | 'paidNoAnswer' | 'pending' | 'paidThen500';

export interface LnbitsFakeOptions {
  now: () => Date;
  network?: Network;
  walletName?: string;
  /** false: a shared wallet without the receive-payments permission (models/wallets.py). */
  canReceive?: boolean;
  /** A refund wallet: `out: true` with the admin key pays; otherwise a till paying is a violation. */
  spends?: boolean;
  /**
   * Funded by Core Lightning (wallets/corelightning.py): it commits only to the text it is given
   * (deschashonly), so a bare description_hash is refused.
   */
  clnFunding?: boolean;
}

// models/payments.py CreateInvoice, every field; LNbits ignores unknown ones, the fake refuses them.
const CreateInvoiceBody = z.strictObject({
  unit: z.string().optional(),
  internal: z.boolean().optional(),
  out: z.boolean().optional(),
  amount: z.number().min(0).optional(),
  memo: z.string().max(640).nullable().optional(),
  description_hash: z.string().nullable().optional(),
  unhashed_description: z.string().nullable().optional(),
  payment_hash: z.string().length(64).nullable().optional(),
  expiry: z.number().int().nullable().optional(),
  extra: z.record(z.string(), z.unknown()).nullable().optional(),
  webhook: z.string().nullable().optional(),
  bolt11: z.string().nullable().optional(),
  lnurl_withdraw: z.unknown().optional(),
  fiat_provider: z.string().nullable().optional(),
  labels: z.array(z.string()).optional(),
});

// models/payments.py PaymentFilters and db.py Operator / Filters.
const FILTER_FIELDS = new Set([
  'status',
  'tag',
  'checking_id',
  'amount',
  'fee',
  'memo',
  'time',
  'preimage',
  'payment_hash',
  'wallet_id',
  'labels',
]);
const OPERATORS = new Set(['gt', 'lt', 'eq', 'ne', 'ge', 'le', 'in', 'ex', 'like', 'every', 'any']);
const SORT_FIELDS = new Set(['created_at', 'updated_at', 'amount', 'fee', 'memo', 'time', 'tag']);
const PAGING = new Set(['limit', 'offset', 'sortby', 'direction', 'search', 'api-key']);
const INT = /^-?\d+$/;
/** What Python's bytes.fromhex reads: pairs of hex digits, whitespace between them. */
const HEX = /^\s*(?:[0-9a-fA-F]{2}\s*)*$/;

interface Row {
  checkingId: string;
  paymentHash: string;
  preimage: string;
  /** Signed as LNbits keeps it: incoming positive, outgoing negative; exact on the wire (toJsonExact). */
  amountMsat: bigint;
  bolt11: string;
  status: 'pending' | 'success' | 'failed';
  memo: string;
  /** CreateInvoice.extra, kept as given and returned with every Payment. */
  extra: Record<string, unknown>;
  expiry: Date;
  time: Date;
  updatedAt: Date;
}

type Compare = (row: Row) => boolean;

/** pydantic v1 datetime.isoformat() of a UTC time: microseconds only when non-zero. */
export function pythonIso(date: Date): string {
  const base = date.toISOString().slice(0, 19);
  const ms = date.getUTCMilliseconds();
  return `${base}${ms === 0 ? '' : `.${String(ms).padStart(3, '0')}000`}+00:00`;
}

export async function startLnbitsFake(opts: LnbitsFakeOptions): Promise<LnbitsFake> {
  const network = opts.network ?? 'regtest';
  const nodeKey = secp256k1.utils.randomSecretKey();
  const walletId = randomUUID().replace(/-/g, '');
  const invoiceKey = randomUUID().replace(/-/g, '');
  const adminKey = randomUUID().replace(/-/g, '');
  const rows: Row[] = [];
  let ignoringHash = false;
  const requests: string[] = [];
  const channels = new Map<string, Set<WebSocket>>();
  const preimages = new Map<string, string>();
  const payRequests: string[] = [];
  let payOutcome: LnbitsPayOutcome = 'pay';
  let onPaid: ((paymentHash: string) => void) | null = null;

  const detail = (status: number, text: string, extra: object = {}): FakeReply => ({
    status,
    body: { detail: text, ...extra },
  });

  function paymentJson(r: Row) {
    return {
      checking_id: r.checkingId,
      payment_hash: r.paymentHash,
      wallet_id: walletId,
      amount: r.amountMsat,
      fee: 0,
      bolt11: r.bolt11,
      payment_request: r.bolt11,
      fiat_provider: null,
      status: r.status,
      memo: r.memo,
      expiry: pythonIso(r.expiry),
      webhook: null,
      webhook_status: null,
      preimage: r.preimage,
      tag: null,
      extension: null,
      time: pythonIso(r.time),
      created_at: pythonIso(r.time),
      updated_at: pythonIso(r.updatedAt),
      labels: [],
      extra: r.extra,
    };
  }

  const balanceMsat = () =>
    rows.filter((r) => r.status === 'success').reduce((sum, r) => sum + r.amountMsat, 0n);

  /** decorators.py KeyChecker: header X-API-KEY or query api-key. */
  function keyOf(req: FakeRequest): string | null {
    const header = req.headers['x-api-key'];
    if (Array.isArray(header)) throw new SpecViolation('X-API-KEY sent more than once');
    return header ?? req.query.get('api-key');
  }

  function requireKey(req: FakeRequest): { reply: FakeReply } | { admin: boolean } {
    const key = keyOf(req);
    if (!key) return { reply: detail(401, 'No Api Key provided.') };
    if (key !== invoiceKey && key !== adminKey) return { reply: detail(404, 'Wallet not found.') };
    return { admin: key === adminKey };
  }

  function noQuery(req: FakeRequest): void {
    for (const name of req.query.keys()) {
      if (name !== 'api-key') throw new SpecViolation(`unknown query parameter ${name}`);
    }
  }

  function noBody(req: FakeRequest): void {
    if (req.rawBody !== '') throw new SpecViolation('a GET has no body');
  }

  function timeValue(raw: string): number {
    // pydantic v1 parses a number as Unix seconds; db.py rewrite_values then int()s it for SQLite.
    if (/^\d+(\.\d+)?$/.test(raw)) return Math.trunc(Number(raw));
    const t = Date.parse(raw);
    if (Number.isNaN(t)) throw new SpecViolation(`"${raw}" is not a datetime`);
    return Math.trunc(t / 1000);
  }

  function filterOf(key: string, raw: string): Compare {
    const m = /^([a-z_]+)(?:\[([a-z]+)\])?$/.exec(key);
    if (!m) throw new SpecViolation(`"${key}" is not a filter (field or field[op])`);
    const [, field, op = 'eq'] = m as unknown as [string, string, string | undefined];
    // db.py: an unknown field or operator is skipped silently, so the client's typo would return
    // unfiltered data. Here it fails the test.
    if (!FILTER_FIELDS.has(field)) throw new SpecViolation(`"${field}" is not a PaymentFilters field`);
    if (!OPERATORS.has(op)) throw new SpecViolation(`"${op}" is not a filter operator`);
    const cmp = (a: number | bigint, b: number | bigint): boolean => {
      switch (op) {
        case 'gt':
          return a > b;
        case 'ge':
          return a >= b;
        case 'lt':
          return a < b;
        case 'le':
          return a <= b;
        case 'eq':
          return a === b;
        case 'ne':
          return a !== b;
        default:
          throw new Error(`the fake does not implement ${field}[${op}]`);
      }
    };
    switch (field) {
      case 'amount': {
        if (!INT.test(raw)) throw new SpecViolation(`amount must be an integer, not "${raw}"`);
        return (r) => cmp(r.amountMsat, BigInt(raw));
      }
      case 'time': {
        const seconds = timeValue(raw);
        return (r) => cmp(r.time.getTime() / 1000, seconds);
      }
      case 'status':
        if (op !== 'eq') throw new Error(`the fake does not implement status[${op}]`);
        return (r) => r.status === raw;
      case 'payment_hash':
        if (op !== 'eq') throw new Error(`the fake does not implement payment_hash[${op}]`);
        return (r) => r.paymentHash === raw;
      default:
        throw new Error(`the fake does not implement the ${field} filter`);
    }
  }

  function listPayments(req: FakeRequest): FakeReply {
    noBody(req);
    const filters: Compare[] = [];
    for (const [key, raw] of req.query.entries()) {
      if (key === 'search') throw new Error('the fake does not implement search');
      if (PAGING.has(key)) continue;
      filters.push(filterOf(key, raw));
    }
    const intParam = (name: string): number | null => {
      const raw = req.query.get(name);
      if (raw === null) return null;
      if (!/^\d+$/.test(raw)) throw new SpecViolation(`${name} must be a non-negative integer`);
      return Number(raw);
    };
    const limit = intParam('limit');
    const offset = intParam('offset') ?? 0;
    // get_payments: sortby time, direction desc unless asked; Filters.limit defaults to 10.
    const sortby = req.query.get('sortby') ?? 'time';
    if (!SORT_FIELDS.has(sortby)) throw new SpecViolation(`"${sortby}" is not a sort field of payments`);
    const direction = req.query.get('direction') ?? 'desc';
    if (direction !== 'asc' && direction !== 'desc') throw new SpecViolation('direction is asc or desc');
    const key = (r: Row): number | bigint => {
      switch (sortby) {
        case 'time':
        case 'created_at':
          return r.time.getTime();
        case 'updated_at':
          return r.updatedAt.getTime();
        case 'amount':
          return r.amountMsat;
        default:
          throw new Error(`the fake does not implement sortby=${sortby}`);
      }
    };
    // pending and success only: api_payments asks get_payments(pending=True, complete=True).
    const matching = rows
      .filter((r) => r.status !== 'failed' && filters.every((f) => f(r)))
      .sort((a, b) => {
        const [x, y] = direction === 'asc' ? [key(a), key(b)] : [key(b), key(a)];
        return x < y ? -1 : x > y ? 1 : 0;
      });
    const page = matching.slice(offset, offset + Math.min(1000, limit || 10));
    return { status: 200, body: page.map(paymentJson) };
  }

  function createInvoice(req: FakeRequest): FakeReply | Promise<FakeReply> {
    noQuery(req);
    const auth = requireKey(req);
    if ('reply' in auth) return auth.reply;
    const parsed = CreateInvoiceBody.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SpecViolation(`CreateInvoice: ${issue?.path.join('.') || 'body'}: ${issue?.message}`);
    }
    const body = parsed.data;
    // CreateInvoice.out defaults to true: without out: false this is a payment.
    if (body.out ?? true) {
      if (!auth.admin) return detail(403, 'Invoice (or Admin) key required.');
      if (!opts.spends) throw new SpecViolation('a till never pays: out must be false');
      return payOut(body);
    }
    if ((body.unit ?? 'sat') !== 'sat') throw new SpecViolation('the till asks in sat');
    const amount = body.amount ?? 0;
    if (!(amount > 0)) return detail(520, 'Amountless invoices not supported.', { status: 'failed' });
    if (!Number.isInteger(amount)) throw new SpecViolation('the till asks whole sats');
    if (opts.canReceive === false) {
      return detail(520, 'Wallet does not have permission to create invoices.', { status: 'failed' });
    }
    let memo = body.memo || 'LNbits';
    // services/payments.py create_wallet_invoice: both fields are hex (bytes.fromhex), and with
    // either the memo is not kept; the funding source (FakeWallet, LndRestWallet) puts
    // description_hash in the invoice, else sha256(unhashed_description).
    let descriptionHash: string | null = null;
    if (body.description_hash || body.unhashed_description) {
      for (const field of ['description_hash', 'unhashed_description'] as const) {
        const value = body[field];
        if (value && !HEX.test(value)) return detail(400, `'${field}' must be a valid hex string`);
      }
      if (opts.clnFunding && !body.unhashed_description) {
        return detail(
          520,
          "'description_hash' unsupported by CoreLightningWallet, provide 'unhashed_description'",
          { status: 'pending' },
        );
      }
      const text = body.unhashed_description
        ? Buffer.from(body.unhashed_description.replace(/\s/g, ''), 'hex')
        : null;
      // corelightning.py hashes the text; the others take description_hash first.
      descriptionHash =
        body.description_hash && !opts.clnFunding
          ? body.description_hash.replace(/\s/g, '').toLowerCase()
          : bytesToHex(sha256(text!));
      if (descriptionHash.length !== 64) {
        return detail(520, 'description hash must be 32 bytes', { status: 'pending' });
      }
      if (ignoringHash) descriptionHash = null;
      memo = '';
    }
    const expirySec = body.expiry ?? 3600;
    const now = opts.now();
    const timestamp = Math.floor(now.getTime() / 1000);
    const preimage = randomBytes(32);
    const paymentHash = bytesToHex(sha256(preimage));
    const bolt11 = encodeInvoice(
      {
        network,
        amountMsat: BigInt(amount) * 1000n,
        timestamp,
        paymentHash,
        paymentSecret: bytesToHex(randomBytes(32)),
        ...(descriptionHash !== null ? { descriptionHash } : { description: memo.slice(0, 640) }),
        expirySec,
        minFinalCltvExpiry: 80,
      },
      nodeKey,
    );
    const row: Row = {
      checkingId: paymentHash,
      paymentHash,
      preimage: bytesToHex(preimage),
      amountMsat: BigInt(amount) * 1000n,
      bolt11,
      status: 'pending',
      memo,
      extra: body.extra ?? {},
      expiry: new Date((timestamp + expirySec) * 1000),
      time: now,
      updatedAt: now,
    };
    rows.push(row);
    return { status: 201, body: paymentJson(row) };
  }

  /** payment_api.py api_payments_create with out: pay_invoice(bolt11); other fields are ignored by LNbits. */
  function payOut(body: z.infer<typeof CreateInvoiceBody>): FakeReply | Promise<FakeReply> {
    const ignored = Object.keys(body).filter((k) => k !== 'out' && k !== 'bolt11');
    if (ignored.length > 0)
      throw new SpecViolation(`a payment sends only out and bolt11, not ${ignored.join(', ')}`);
    if (!body.bolt11) throw new SpecViolation('a payment needs bolt11');
    let decoded;
    try {
      decoded = decodeInvoice(body.bolt11);
    } catch {
      return detail(400, 'Bolt11 decoding failed.');
    }
    const hash = decoded.paymentHash;
    payRequests.push(hash);
    if (decoded.amountMsat === null) return detail(400, 'Amountless invoices not supported.');
    const amount = decoded.amountMsat;
    if (rows.some((r) => r.paymentHash === hash && r.amountMsat < 0n && r.status !== 'failed')) {
      return detail(520, 'Payment already paid.', { status: 'failed' });
    }
    // services/payments.py: the balance check comes before any attempt.
    if (balanceMsat() < amount) return detail(520, 'Insufficient balance.', { status: 'failed' });
    const now = opts.now();
    const preimage = preimages.get(hash);
    const row: Row = {
      checkingId: hash,
      paymentHash: hash,
      preimage: '0'.repeat(64),
      amountMsat: -amount,
      bolt11: body.bolt11,
      status: 'pending',
      memo: decoded.description ?? '',
      extra: {},
      expiry: new Date((decoded.timestamp + decoded.expirySec) * 1000),
      time: now,
      updatedAt: now,
    };
    rows.push(row);
    if (preimage === undefined || payOutcome === 'failed') {
      row.status = 'failed';
      return detail(520, 'Payment failed: no route found.', { status: 'failed' });
    }
    if (payOutcome === 'pending') {
      onPaid?.(hash);
      return { status: 201, body: paymentJson(row) };
    }
    row.status = 'success';
    row.preimage = preimage;
    onPaid?.(hash);
    if (payOutcome === 'paidNoAnswer') return new Promise<FakeReply>(() => undefined);
    if (payOutcome === 'paidThen500') return { status: 500, body: null };
    return { status: 201, body: paymentJson(row) };
  }

  function lookup(req: FakeRequest, hash: string): FakeReply {
    noQuery(req);
    noBody(req);
    // payment_api.py api_payment: the key is optional; details only for the payment's own wallet.
    const key = keyOf(req);
    const ours = key === invoiceKey || key === adminKey;
    const row = rows.find((r) => r.paymentHash === hash || r.checkingId === hash);
    if (!row) return detail(404, 'Payment does not exist.');
    const details = ours ? { details: paymentJson(row) } : {};
    if (row.status === 'success')
      return { status: 200, body: { paid: true, preimage: row.preimage, ...details } };
    if (row.status === 'failed') return { status: 200, body: { paid: false, status: 'failed', ...details } };
    return { status: 200, body: { paid: false, status: 'pending', preimage: row.preimage, ...details } };
  }

  async function handle(req: FakeRequest): Promise<FakeReply> {
    requests.push(`${req.method} ${req.path}${req.query.size ? `?${req.query.toString()}` : ''}`);
    await Promise.resolve();
    if (req.path === '/api/v1/wallet') {
      if (req.method !== 'GET')
        throw new SpecViolation(`the till has no business with ${req.method} /api/v1/wallet`);
      noQuery(req);
      noBody(req);
      const auth = requireKey(req);
      if ('reply' in auth) return auth.reply;
      // wallet_api.py: the id only for the admin key.
      const body = { name: opts.walletName ?? 'Corner Café', balance: balanceMsat() };
      return { status: 200, body: auth.admin ? { ...body, id: walletId } : body };
    }
    if (req.path === '/api/v1/payments') {
      if (req.method === 'POST') return await createInvoice(req);
      if (req.method !== 'GET') throw new SpecViolation(`no ${req.method} /api/v1/payments`);
      const auth = requireKey(req);
      if ('reply' in auth) return auth.reply;
      return listPayments(req);
    }
    const m = /^\/api\/v1\/payments\/([^/]+)$/.exec(req.path);
    if (m && req.method === 'GET') return lookup(req, decodeURIComponent(m[1]!));
    throw new SpecViolation(`${req.method} ${req.path} is not a route the till uses`);
  }

  const base = await startHttpFake('LNbits', handle);
  const wss = new WebSocketServer({ noServer: true });
  base.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const m = /^\/api\/v1\/ws\/([^/]+)$/.exec(path);
    if (!m) {
      base.violations.push(`websocket ${path}: not /api/v1/ws/{item_id}`);
      socket.destroy();
      return;
    }
    // websocket_api.py accepts any item_id, with no key check.
    const itemId = decodeURIComponent(m[1]!);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const set = channels.get(itemId) ?? new Set<WebSocket>();
      channels.set(itemId, set);
      set.add(ws);
      ws.on('close', () => set.delete(ws));
      ws.on('error', () => set.delete(ws));
    });
  });

  function send(itemId: string, text: string): void {
    for (const ws of channels.get(itemId) ?? []) ws.send(text);
  }

  return {
    ...base,
    invoiceKey,
    adminKey,
    walletId,
    requests,
    pay(paymentHash) {
      const row = rows.find((r) => r.paymentHash === paymentHash && r.amountMsat > 0n);
      if (!row) throw new Error(`the LNbits fake has no invoice ${paymentHash}`);
      if (row.status === 'success') throw new Error(`invoice ${paymentHash} is already paid`);
      // tasks.py invoice_callback_dispatcher: status success, update_payment stamps updated_at.
      row.status = 'success';
      row.updatedAt = opts.now();
      // notifications.py send_ws_payment_notification.
      const text = toJsonExact({
        wallet_balance: balanceMsat() / 1000n,
        payment: paymentJson(row),
      });
      send(invoiceKey, text);
      send(adminKey, text);
      send(paymentHash, JSON.stringify({ pending: false, status: 'success' }));
    },
    fund(msat) {
      const now = opts.now();
      const hash = bytesToHex(sha256(randomBytes(32)));
      rows.push({
        checkingId: hash,
        paymentHash: hash,
        preimage: bytesToHex(randomBytes(32)),
        amountMsat: BigInt(msat),
        bolt11: '',
        status: 'success',
        memo: 'funding',
        extra: {},
        expiry: now,
        time: now,
        updatedAt: now,
      });
    },
    knowPreimage: (hash, preimage) => void preimages.set(hash, preimage),
    payOutcome: (outcome) => void (payOutcome = outcome),
    onPaid: (hook) => void (onPaid = hook),
    finishOutgoing(hash, status) {
      const row = rows.find((r) => r.paymentHash === hash && r.amountMsat < 0n && r.status === 'pending');
      if (!row) throw new Error(`no pending payment ${hash}`);
      row.status = status;
      if (status === 'success') row.preimage = preimages.get(hash) ?? row.preimage;
      row.updatedAt = opts.now();
    },
    payRequests,
    ignoreDescriptionHash: () => void (ignoringHash = true),
    outgoing: () =>
      rows.filter((r) => r.amountMsat < 0n).map((r) => ({ paymentHash: r.paymentHash, status: r.status })),
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await base.close();
    },
  };
}
