import { createHash, createHmac, randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { encodeInvoice } from '../../lightning/bolt11/encode.js';
import { MAX_FIELD_BYTES } from '../../lightning/bolt11/format.js';
import { methodSchema, validate } from './cln-schema.js';
import { toJsonExact } from '../../../shared/money/index.js';
import {
  SpecViolation,
  startHttpFake,
  TEST_CERT,
  type FakeReply,
  type FakeRequest,
  type FaultMode,
  type HttpFake,
} from './http-fake.js';

/**
 * An in-process Core Lightning behind clnrest: `POST /v1/<method>` with a `Rune` header, the
 * RPCs a till makes (getinfo, invoice, listinvoices, waitanyinvoice) and the rune calls
 * (showrunes, checkrune). Every request body is checked against the method's `request` schema
 * in ../shared/contracts/cln and every answer against its `response` schema. Runes have
 * CLN's text form (32-byte state + restrictions) so the backend's offline reading is tested
 * for real; the fake authenticates them by an HMAC it remembers, and enforces their
 * restrictions as checkrune does. Answers are clnrest's (plugins/rest-plugin, AppError): 201
 * with the result; 401 for a refused rune and 500 for an RPC error, each with {code, message}.
 * A request without a Rune header is the client's bug here, so it is a spec violation.
 */

export interface RuneSpec {
  /** Restrictions, each a list of alternatives as createrune writes them: `method=invoice`. */
  restrictions: string[][];
}

/** The rune a careful merchant makes for a till. */
export const TILL_RESTRICTIONS = [
  ['method=invoice', 'method=listinvoices', 'method=waitanyinvoice', 'method=getinfo'],
];
/** CLN's "readonly" rune, as in showrunes.json (no invoice). */
export const READONLY_RESTRICTIONS = [
  ['method^list', 'method^get', 'method=summary'],
  ['method/listdatastore'],
];

interface Alternative {
  fieldname: string;
  condition: string;
  value: string;
}

interface StoredRune {
  uniqueId: number;
  restrictions: Alternative[][];
}

interface Row {
  label: string;
  /** null for a deschashonly invoice: lightningd keeps only the hash it put in the invoice. */
  description: string | null;
  paymentHash: string;
  preimage: string;
  paymentSecret: string;
  bolt11: string;
  amountMsat: bigint | null;
  createdIndex: number;
  updatedIndex: number | null;
  expiresAt: number;
  payIndex: number | null;
  paidAt: number | null;
  amountReceivedMsat: bigint | null;
}

interface Waiter {
  after: number;
  answer: (row: Row) => void;
}

export interface ClnFake {
  url: string;
  /** PEM of the certificate clnrest serves (TLS fakes). */
  caCert: string;
  /** An unrestricted rune (`createrune` with no restrictions). */
  adminRune: string;
  mintRune(spec: RuneSpec): string;
  /** A wallet pays the invoice in full (after expiry too: then it is paid late). */
  pay(paymentHash: string): void;
  /** RPC calls seen, in order, with their parameters. */
  calls: { method: string; params: Record<string, unknown> }[];
  /** Resolves once `count` calls of `method` have been seen. */
  seen(method: string, count: number): Promise<void>;
  /** The node restarts: the listener stops, every connection is cut, then it listens again. */
  restart(): Promise<void>;
  misbehave(mode: FaultMode): void;
  /** From now on `deschashonly` is ignored, as by a node that does not honour it: a plain `d`. */
  ignoreDescriptionHash(): void;
  violations: string[];
  close(): Promise<void>;
}

class RpcError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const ALTERNATIVE = /^([A-Za-z0-9_]*)([!=/^$~<>{}#])(.*)$/;
const ENGLISH: Record<string, string> = {
  '!': 'is missing',
  '=': 'equal to',
  '/': 'unequal to',
  '^': 'starts with',
  $: 'ends with',
  '~': 'contains',
  '<': '<',
  '>': '>',
  '{': 'sorts before',
  '}': 'sorts after',
  '#': 'comment',
};

function parseAlternative(text: string): Alternative {
  const m = ALTERNATIVE.exec(text);
  if (!m || /[\\|&]/.test(text)) throw new Error(`the fake cannot write the alternative "${text}"`);
  return { fieldname: m[1]!, condition: m[2]!, value: m[3]! };
}

const altEnglish = (a: Alternative) => `${a.fieldname} ${ENGLISH[a.condition]} ${a.value}`;
const restrictionEnglish = (r: Alternative[]) => r.map(altEnglish).join(' OR ');

/** checkrune's reading of one alternative against the call (lightning-createrune(7)). */
function passes(a: Alternative, method: string, params: Record<string, unknown>): boolean {
  let field: string | undefined;
  if (a.fieldname === 'method') field = method;
  else if (a.fieldname === 'pnum') field = String(Object.keys(params).length);
  else if (a.fieldname.startsWith('pname')) {
    const name = a.fieldname.slice(5);
    const key = Object.keys(params).find((k) => k === name || k.replace(/_/g, '') === name);
    if (key !== undefined) field = String(params[key]);
  }
  if (a.condition === '#') return true;
  if (a.condition === '!') return field === undefined;
  if (field === undefined) return false;
  const int = (s: string) => (/^-?\d+$/.test(s) ? BigInt(s) : null);
  switch (a.condition) {
    case '=':
      return field === a.value;
    case '/':
      return field !== a.value;
    case '^':
      return field.startsWith(a.value);
    case '$':
      return field.endsWith(a.value);
    case '~':
      return field.includes(a.value);
    case '<':
    case '>': {
      const [x, y] = [int(field), int(a.value)];
      return x !== null && y !== null && (a.condition === '<' ? x < y : x > y);
    }
    case '{':
      return field < a.value;
    case '}':
      return field > a.value;
    default:
      return false;
  }
}

/** lightningd's param_msat for invoice amount_msat (invoice.json), or null for `any`. */
function parseAmount(v: unknown): bigint | null {
  if (v === 'any') return null;
  if (typeof v === 'number') return BigInt(v);
  const text = String(v);
  let m: RegExpExecArray | null;
  if ((m = /^(\d+)(msat)?$/.exec(text))) return BigInt(m[1]!);
  if ((m = /^(\d+)sat$/.exec(text))) return BigInt(m[1]!) * 1000n;
  if ((m = /^(\d+)\.(\d{3})sat$/.exec(text))) return BigInt(m[1]!) * 1000n + BigInt(m[2]!);
  if ((m = /^(\d+)\.(\d{1,11})btc$/.exec(text))) {
    return BigInt(m[1]!) * 100_000_000_000n + BigInt(m[2]!.padEnd(11, '0'));
  }
  throw new RpcError(500, -32602, `amount_msat: should be a millisatoshi amount: invalid token '${text}'`);
}

export async function startClnFake(opts: {
  now: () => Date;
  tls?: boolean;
  network?: string;
}): Promise<ClnFake> {
  const nowSec = () => Math.floor(opts.now().getTime() / 1000);
  const nodeKey = secp256k1.utils.randomSecretKey();
  const nodeId = bytesToHex(secp256k1.getPublicKey(nodeKey, true));
  const runeSecret = randomBytes(32);
  const runes = new Map<string, StoredRune>();
  const rows: Row[] = [];
  const waiters = new Set<Waiter>();
  const calls: ClnFake['calls'] = [];
  const watchers: { method: string; count: number; resolve: () => void }[] = [];
  let ignoringHash = false;
  let createdIndex = 0;
  let updatedIndex = 0;
  let payIndex = 0;

  function mintRune(spec: RuneSpec): string {
    const uniqueId = runes.size;
    const restrictions = spec.restrictions.map((r) => r.map(parseAlternative));
    const text = [
      `=${uniqueId}`,
      ...restrictions.map((r) => r.map((a) => `${a.fieldname}${a.condition}${a.value}`).join('|')),
    ].join('&');
    const state = createHmac('sha256', runeSecret).update(text).digest();
    // base64url with padding, as CLN prints runes (showrunes.json examples).
    const rune = Buffer.concat([state, Buffer.from(text)])
      .toString('base64')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    runes.set(rune, { uniqueId, restrictions });
    return rune;
  }

  /** checkrune: 1501 for a rune this node did not make, 1502 for a use it does not allow. */
  function checkRune(rune: string, method: string, params: Record<string, unknown>): void {
    const stored = runes.get(rune);
    if (!stored) throw new RpcError(401, 1501, 'Not authorized: Not derived from master');
    for (const r of stored.restrictions) {
      if (!r.some((a) => passes(a, method, params))) {
        throw new RpcError(401, 1502, `Not permitted: ${restrictionEnglish(r)} is not met`);
      }
    }
  }

  function status(row: Row): 'paid' | 'expired' | 'unpaid' {
    return row.payIndex !== null ? 'paid' : nowSec() >= row.expiresAt ? 'expired' : 'unpaid';
  }

  /** One invoice as listinvoices (and waitanyinvoice) write it. */
  function entry(row: Row): Record<string, unknown> {
    const base: Record<string, unknown> = {
      label: row.label,
      bolt11: row.bolt11,
      payment_hash: row.paymentHash,
      status: status(row),
      ...(row.description !== null ? { description: row.description } : {}),
      expires_at: row.expiresAt,
      created_index: row.createdIndex,
      ...(row.amountMsat !== null ? { amount_msat: row.amountMsat } : {}),
      ...(row.updatedIndex !== null ? { updated_index: row.updatedIndex } : {}),
    };
    if (row.payIndex === null) return base;
    return {
      ...base,
      pay_index: row.payIndex,
      amount_received_msat: row.amountReceivedMsat!,
      paid_at: row.paidAt,
      payment_preimage: row.preimage,
    };
  }

  function invoice(p: Record<string, unknown>): unknown {
    const label = String(p.label);
    if (rows.some((r) => r.label === label)) throw new RpcError(500, 900, `Duplicate label '${label}'`);
    const amountMsat = parseAmount(p.amount_msat);
    if (amountMsat === 0n) throw new RpcError(500, -32602, 'amount_msat: should be positive msat or "any"');
    const description = p.description as string;
    // invoice.json deschashonly: the invoice carries sha256(description), so its length is free.
    const hashOnly = p.deschashonly === true && !ignoringHash;
    if (!hashOnly && Buffer.byteLength(description) > MAX_FIELD_BYTES) {
      throw new RpcError(500, -32602, 'description: Description greater than 640 bytes');
    }
    const expiry = (p.expiry as number | undefined) ?? 604_800;
    const timestamp = nowSec();
    const preimage = randomBytes(32);
    const paymentHash = createHash('sha256').update(preimage).digest('hex');
    const paymentSecret = randomBytes(32).toString('hex');
    const bolt11 = encodeInvoice(
      {
        network: 'regtest',
        amountMsat,
        timestamp,
        paymentHash,
        paymentSecret,
        ...(hashOnly
          ? { descriptionHash: createHash('sha256').update(description, 'utf8').digest('hex') }
          : { description }),
        expirySec: expiry,
        minFinalCltvExpiry: 5,
      },
      nodeKey,
    );
    const row: Row = {
      label,
      description: hashOnly ? null : description,
      paymentHash,
      preimage: preimage.toString('hex'),
      paymentSecret,
      bolt11,
      amountMsat,
      createdIndex: ++createdIndex,
      updatedIndex: null,
      expiresAt: timestamp + expiry,
      payIndex: null,
      paidAt: null,
      amountReceivedMsat: null,
    };
    rows.push(row);
    return {
      payment_hash: paymentHash,
      expires_at: row.expiresAt,
      bolt11,
      payment_secret: paymentSecret,
      created_index: row.createdIndex,
    };
  }

  function listinvoices(p: Record<string, unknown>): unknown {
    const selectors = ['label', 'invstring', 'payment_hash', 'offer_id'].filter((k) => k in p);
    // listinvoices.json: "Only one of the query parameters can be used".
    if (selectors.length > 1) throw new SpecViolation(`listinvoices with ${selectors.join(' and ')}`);
    let found = rows.filter(
      (r) =>
        (p.label === undefined || r.label === String(p.label as string | number)) &&
        (p.invstring === undefined || r.bolt11 === p.invstring) &&
        (p.payment_hash === undefined || r.paymentHash === p.payment_hash) &&
        p.offer_id === undefined,
    );
    if (p.index === 'updated') {
      found = found
        .filter((r) => r.updatedIndex !== null && r.updatedIndex >= ((p.start as number | undefined) ?? 0))
        .sort((a, b) => a.updatedIndex! - b.updatedIndex!);
    } else if (p.index === 'created') {
      found = found.filter((r) => r.createdIndex >= ((p.start as number | undefined) ?? 0));
    }
    if (p.limit !== undefined) found = found.slice(0, p.limit as number);
    return { invoices: found.map(entry) };
  }

  function showrunes(p: Record<string, unknown>): unknown {
    const list = typeof p.rune === 'string' ? [p.rune] : [...runes.keys()];
    return {
      runes: list.map((rune) => {
        const stored = runes.get(rune);
        if (!stored)
          throw new RpcError(500, -32602, 'rune: should be a rune of this node (the fake reads no others)');
        return {
          rune,
          unique_id: String(stored.uniqueId),
          restrictions: stored.restrictions.map((r) => ({
            alternatives: r.map((a) => ({ ...a, english: altEnglish(a) })),
            english: restrictionEnglish(r),
          })),
          restrictions_as_english: stored.restrictions.map(restrictionEnglish).join(' AND '),
        };
      }),
    };
  }

  function checkrune(p: Record<string, unknown>): unknown {
    const params = p.params;
    const named = Array.isArray(params) ? Object.fromEntries(params.map((v, i) => [String(i), v])) : params;
    try {
      checkRune(
        p.rune as string,
        (p.method as string | undefined) ?? '',
        (named ?? {}) as Record<string, unknown>,
      );
    } catch (err) {
      // Called as an RPC, checkrune's refusal is an ordinary RPC error: HTTP 500, not 401.
      if (err instanceof RpcError) throw new RpcError(500, err.code, err.message);
      throw err;
    }
    return { valid: true };
  }

  function getinfo(): unknown {
    return {
      id: nodeId,
      alias: 'CORNERCAFE-CLN',
      color: nodeId.slice(2, 8),
      num_peers: 0,
      num_pending_channels: 0,
      num_active_channels: 0,
      num_inactive_channels: 0,
      address: [],
      binding: [{ type: 'ipv4', address: '127.0.0.1', port: 7171 }],
      version: 'v25.12',
      blockheight: 101,
      network: opts.network ?? 'regtest',
      fees_collected_msat: 0,
      'lightning-dir': '/home/cln/.lightning/regtest',
    };
  }

  function nextPaid(after: number): Row | undefined {
    return rows
      .filter((r) => r.payIndex !== null && r.payIndex > after)
      .sort((a, b) => a.payIndex! - b.payIndex!)[0];
  }

  /** Checks an answer against the method's response schema, so the fake cannot drift from CLN. */
  function answer(method: string, body: unknown): FakeReply {
    const errors = validate(methodSchema(method)!.response, body, 'response');
    if (errors.length > 0)
      throw new Error(`the fake's own ${method} answer breaks the schema: ${errors.join('; ')}`);
    return { status: 201, body };
  }

  function waitanyinvoice(p: Record<string, unknown>): FakeReply {
    const after = (p.lastpay_index as number | undefined) ?? 0;
    const ready = nextPaid(after);
    if (ready) return answer('waitanyinvoice', entry(ready));
    const timeout = p.timeout as number | undefined;
    const timedOut = { status: 500, body: { code: 904, message: 'Timed out' } };
    if (timeout === 0) return timedOut;
    return {
      stream: (res: http.ServerResponse) => {
        const send = (status: number, body: unknown) => {
          if (res.writableEnded) return;
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(toJsonExact(body));
        };
        const timer = timeout === undefined ? null : setTimeout(() => finish(timedOut), timeout * 1000);
        const waiter: Waiter = {
          after,
          answer: (row) => {
            const reply = answer('waitanyinvoice', entry(row)) as { status: number; body: unknown };
            finish(reply);
          },
        };
        const finish = (reply: { status: number; body: unknown }) => {
          waiters.delete(waiter);
          if (timer) clearTimeout(timer);
          send(reply.status, reply.body);
        };
        waiters.add(waiter);
        // The client went away (closed, timed out, or the node restarted): stop waiting.
        res.on('close', () => {
          waiters.delete(waiter);
          if (timer) clearTimeout(timer);
        });
      },
    };
  }

  const methods: Record<string, (p: Record<string, unknown>) => unknown> = {
    getinfo,
    invoice,
    listinvoices,
    showrunes,
    checkrune,
  };

  function notify() {
    for (const w of [...watchers]) {
      if (calls.filter((c) => c.method === w.method).length >= w.count) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  function handle(req: FakeRequest): FakeReply {
    const m = /^\/v1\/([^/]+)$/.exec(req.path);
    if (req.method !== 'POST' || !m)
      throw new SpecViolation(`clnrest takes POST /v1/<method>, not ${req.method} ${req.path}`);
    const method = m[1]!;
    const schema = methodSchema(method);
    if (!schema) throw new SpecViolation(`${method} is not a method in ../shared/contracts/cln`);
    if ([...req.query.keys()].length > 0) throw new SpecViolation('clnrest takes the parameters in the body');
    const rune = req.headers.rune;
    if (typeof rune !== 'string' || rune === '')
      throw new SpecViolation('the Rune header is missing (rest.md)');
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      throw new SpecViolation('the body is not sent as application/json');
    }
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
      throw new SpecViolation('the parameters must be a JSON object');
    }
    const params = req.body as Record<string, unknown>;
    const errors = validate(schema.request, params, 'request');
    if (errors.length > 0) throw new SpecViolation(`${method}: ${errors.join('; ')}`);
    calls.push({ method, params });
    notify();
    try {
      // clnrest's verify_rune: checkrune on the method and parameters before the call.
      checkRune(rune, method, params);
      if (method === 'waitanyinvoice') return waitanyinvoice(params);
      const impl = methods[method];
      if (!impl) throw new SpecViolation(`the fake does not implement ${method}`);
      return answer(method, impl(params));
    } catch (err) {
      if (err instanceof RpcError)
        return { status: err.status, body: { code: err.code, message: err.message } };
      throw err;
    }
  }

  const fake: HttpFake = await startHttpFake('Core Lightning', handle, { tls: opts.tls ?? true });
  const adminRune = mintRune({ restrictions: [] });

  return {
    url: fake.url,
    caCert: TEST_CERT,
    adminRune,
    mintRune,
    calls,
    seen: (method, count) =>
      new Promise<void>((resolve) => {
        watchers.push({ method, count, resolve });
        notify();
      }),
    pay(paymentHash) {
      const row = rows.find((r) => r.paymentHash === paymentHash);
      if (!row) throw new Error(`the CLN fake has no invoice ${paymentHash}`);
      if (row.payIndex !== null) throw new Error('already paid');
      row.payIndex = ++payIndex;
      row.updatedIndex = ++updatedIndex;
      row.paidAt = nowSec();
      row.amountReceivedMsat = row.amountMsat ?? 1_000n;
      for (const w of [...waiters]) {
        const next = nextPaid(w.after);
        if (next) w.answer(next);
      }
    },
    async restart() {
      const { port } = fake.server.address() as AddressInfo;
      // Stop accepting first, so a request sent while "restarting" is refused, not served.
      fake.server.close();
      await fake.dropConnections();
      await new Promise<void>((resolve) => fake.server.listen(port, '127.0.0.1', resolve));
    },
    misbehave: (m) => fake.misbehave(m),
    ignoreDescriptionHash: () => void (ignoringHash = true),
    violations: fake.violations,
    close: () => fake.close(),
  };
}
