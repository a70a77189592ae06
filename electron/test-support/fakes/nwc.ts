import { createHash, randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import * as nip04 from 'nostr-tools/nip04';
import * as nip44 from 'nostr-tools/nip44';
import { finalizeEvent, generateSecretKey, getPublicKey, type Event } from 'nostr-tools/pure';
import { toJsonExact } from '../../../shared/money/index.js';
import { decodeInvoice } from '../../lightning/bolt11/decode.js';
import { encodeInvoice } from '../../lightning/bolt11/encode.js';
import type { FaultMode } from './http-fake.js';
import { startFakeRelay, type FakeRelay } from './nwc-relay.js';
import { loadNip47Spec, paramProblems } from './nwc-spec.js';

/**
 * An in-process NWC wallet service (NIP-47) behind one or more fake relays (NIP-01). It issues
 * connections (a URI with a fresh client secret and the methods that connection may use),
 * publishes its kind 13194 info event, answers kind 23194 requests in the encryption the request
 * names, and sends payment_received notifications when `pay` settles an invoice. Every request
 * is checked against ../shared/contracts/nostr/nip-47.md; anything outside it is a violation
 * that fails the test at close().
 */

const SPEC = loadNip47Spec();
const KIND = { info: 13194, request: 23194, response: 23195, notification: 23197, notificationNip04: 23196 };

/** What a careful merchant grants a till: read and receive, never spend. */
export const TILL_METHODS = ['get_info', 'make_invoice', 'lookup_invoice', 'list_transactions'] as const;
export const SPENDING_METHODS = [...TILL_METHODS, 'get_balance', 'pay_invoice'] as const;
const CAPABILITIES = [...SPENDING_METHODS, 'notifications'];

export type Scheme = 'nip44_v2' | 'nip04';

export interface NwcFakeOptions {
  now: () => Date;
  relays?: number;
  /** The info event's `encryption` tag; null publishes none, which NIP-47 reads as NIP-04 only. */
  encryption?: Scheme[] | null;
  /** get_info without alias and pubkey, as wallets without a node of their own answer. */
  bareInfo?: boolean;
}

export interface NwcFake {
  relays: FakeRelay[];
  walletPubkey: string;
  violations: string[];
  /** A new connection allowed these methods: its URI, as the wallet would show it. */
  connect(methods?: readonly string[]): string;
  /** A URI naming this wallet with a secret it never issued. */
  strangerUri(): string;
  /** A customer pays the invoice in full (also after it expired). */
  pay(paymentHash: string): void;
  misbehave(mode: FaultMode): void;
  /** From now on make_invoice ignores `description_hash`, as a wallet that does not honour it. */
  ignoreDescriptionHash(): void;
  dropConnections(): Promise<void>;
  /** One relay goes away for good. */
  stopRelay(index: number): Promise<void>;
  /** The payee of an invoice the wallet may pay: the network reveals this preimage when paid. */
  knowPreimage: (paymentHash: string, preimage: string) => void;
  /** How the next pay_invoice requests end (refund wallet tests); 'pay' unless told. */
  payOutcome(outcome: NwcPayOutcome): void;
  /** The wallet's outgoing payments, in the order asked. */
  outgoing(): { paymentHash: string; state: 'pending' | 'settled' | 'failed' }[];
  /** Every pay_invoice request the wallet received (its payment hash), refused ones too. */
  payRequests: string[];
  /** Closes everything; throws if any request broke the spec. */
  close(): Promise<void>;
}

/**
 * How a pay_invoice ends: paid; refused up front with a NIP-47 code; PAYMENT_FAILED with the
 * payment recorded failed; paid but the answer never sent (the till "crashed" or the relay
 * dropped it); PAYMENT_FAILED although it went out (a wallet that lies, or timed out too early);
 * left pending with no answer.
 */
export type NwcPayOutcome =
  | 'pay'
  | 'paymentFailed'
  | 'paidNoAnswer'
  | 'paidButSaysFailed'
  | 'pendingNoAnswer'
  | { refuse: 'INSUFFICIENT_BALANCE' | 'QUOTA_EXCEEDED' | 'RATE_LIMITED' | 'INTERNAL' | 'OTHER' };

/** The wallet acted but sends no answer. */
class NoAnswer extends Error {}

interface FakeInvoice {
  paymentHash: string;
  preimage: string;
  bolt11: string;
  amount: number;
  description: string;
  /** make_invoice's description_hash, in the invoice's `h` and returned as NIP-47 says. */
  descriptionHash: string | null;
  createdAt: number;
  expiresAt: number;
  settledAt: number | null;
  /** make_invoice's metadata, kept and returned as NIP-47 says (optional). */
  metadata?: Record<string, unknown>;
}

type Body = { result_type: string; error: { code: string; message: string } | null; result: unknown };

class WalletError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startNwcFake(opts: NwcFakeOptions): Promise<NwcFake> {
  const violations: string[] = [];
  const relays: FakeRelay[] = [];
  for (let i = 0; i < (opts.relays ?? 1); i++)
    relays.push(await startFakeRelay(`relay ${i + 1}`, violations));
  const live = new Set(relays);
  const walletKey = generateSecretKey();
  const walletPubkey = getPublicKey(walletKey);
  const nodeKey = generateSecretKey();
  const nodePubkey = bytesToHex(secp256k1.getPublicKey(nodeKey, true));
  const schemes: Scheme[] =
    opts.encryption === undefined ? ['nip44_v2', 'nip04'] : (opts.encryption ?? ['nip04']);
  const connections = new Map<string, Set<string>>();
  const invoices: FakeInvoice[] = [];
  const seen = new Set<string>();
  const keys = new Map<string, Uint8Array>();
  let mode: FaultMode = null;
  let ignoringHash = false;
  let truncations = 0;
  const preimages = new Map<string, string>();
  const payments: {
    paymentHash: string;
    invoice: string;
    /** msat, exact on the wire (toJsonExact). */
    amount: bigint;
    createdAt: number;
    state: 'pending' | 'settled' | 'failed';
  }[] = [];
  const payRequests: string[] = [];
  /** A payment the wallet made, as lookup_invoice and list_transactions describe it. */
  const outgoingTx = (out: (typeof payments)[number]) => {
    const preimage = preimages.get(out.paymentHash);
    return {
      type: 'outgoing',
      state: out.state,
      invoice: out.invoice,
      ...(out.state === 'settled' && preimage ? { preimage } : {}),
      payment_hash: out.paymentHash,
      amount: out.amount,
      fees_paid: 0,
      created_at: out.createdAt,
      ...(out.state === 'settled' ? { settled_at: out.createdAt } : {}),
    };
  };
  let payOutcome: NwcPayOutcome = 'pay';

  const nowSec = () => Math.floor(opts.now().getTime() / 1000);
  const violation = (what: string) => violations.push(`wallet: ${what}`);
  const conversationKey = (client: string) => {
    let key = keys.get(client);
    if (!key) keys.set(client, (key = nip44.v2.utils.getConversationKey(walletKey, client)));
    return key;
  };
  const encrypt = (text: string, scheme: Scheme, client: string) =>
    scheme === 'nip44_v2'
      ? nip44.v2.encrypt(text, conversationKey(client))
      : nip04.encrypt(walletKey, client, text);
  const decrypt = (text: string, scheme: Scheme, client: string) =>
    scheme === 'nip44_v2'
      ? nip44.v2.decrypt(text, conversationKey(client))
      : nip04.decrypt(walletKey, client, text);

  const publish = (event: Event) => {
    for (const relay of live) relay.broadcast(event);
  };

  /** The fake's own answers must be in the spec's shapes too: a fake that drifts proves nothing. */
  function checkKeys(what: string, value: object, allowed: Set<string> | undefined): void {
    const extra = Object.keys(value).filter((k) => !allowed?.has(k));
    if (extra.length > 0)
      throw new Error(`the fake's ${what} has keys NIP-47 does not define: ${extra.join(', ')}`);
  }

  function transaction(inv: FakeInvoice): Record<string, unknown> {
    return {
      type: 'incoming',
      // A wallet that leaves an unpaid invoice 'pending' past expiry: the client judges expiry itself.
      state: inv.settledAt !== null ? 'settled' : 'pending',
      invoice: inv.bolt11,
      description: inv.description,
      ...(inv.descriptionHash !== null ? { description_hash: inv.descriptionHash } : {}),
      ...(inv.settledAt !== null ? { preimage: inv.preimage } : {}),
      payment_hash: inv.paymentHash,
      amount: inv.amount,
      fees_paid: 0,
      created_at: inv.createdAt,
      expires_at: inv.expiresAt,
      ...(inv.settledAt !== null ? { settled_at: inv.settledAt } : {}),
      ...(inv.metadata !== undefined ? { metadata: inv.metadata } : {}),
    };
  }

  function execute(method: string, params: Record<string, unknown>, allowed: Set<string>): unknown {
    switch (method) {
      case 'get_info': {
        const result = {
          ...(opts.bareInfo ? {} : { alias: 'Fake NWC wallet', color: '#f7931a', pubkey: nodePubkey }),
          network: 'regtest',
          block_height: 101,
          methods: [...allowed],
          notifications: ['payment_received'],
        };
        checkKeys('get_info result', result, SPEC.methods.get(method)?.resultKeys);
        return result;
      }
      case 'make_invoice': {
        const amount = params.amount as number;
        if (amount <= 0) throw new WalletError('OTHER', 'amount must be more than 0 msat');
        const description = (params.description as string | undefined) ?? '';
        // NIP-47 make_invoice description_hash: the invoice's `h`, 32 bytes as hex; the wallet
        // cannot decode anything else into one.
        const hash = params.description_hash as string | undefined;
        if (hash !== undefined && !/^[0-9a-fA-F]{64}$/.test(hash)) {
          throw new WalletError('OTHER', 'description_hash must be 32 bytes of hex');
        }
        const descriptionHash = hash !== undefined && !ignoringHash ? hash.toLowerCase() : null;
        const expiry = (params.expiry as number | undefined) ?? 86_400;
        const preimage = randomBytes(32);
        const paymentHash = createHash('sha256').update(preimage).digest('hex');
        const createdAt = nowSec();
        let bolt11: string;
        try {
          bolt11 = encodeInvoice(
            {
              network: 'regtest',
              amountMsat: BigInt(amount),
              timestamp: createdAt,
              paymentHash,
              paymentSecret: randomBytes(32).toString('hex'),
              ...(descriptionHash !== null ? { descriptionHash } : { description }),
              expirySec: expiry,
              minFinalCltvExpiry: 80,
            },
            nodeKey,
          );
        } catch (err) {
          throw new WalletError('OTHER', `cannot make that invoice: ${String(err)}`);
        }
        const inv: FakeInvoice = {
          paymentHash,
          preimage: preimage.toString('hex'),
          bolt11,
          amount,
          description,
          descriptionHash,
          createdAt,
          expiresAt: createdAt + expiry,
          settledAt: null,
          ...(typeof params.metadata === 'object' && params.metadata !== null
            ? { metadata: params.metadata as Record<string, unknown> }
            : {}),
        };
        invoices.push(inv);
        const result = transaction(inv);
        checkKeys('make_invoice result', result, SPEC.methods.get(method)?.resultKeys);
        return result;
      }
      case 'pay_invoice': {
        let decoded;
        try {
          decoded = decodeInvoice(params.invoice as string);
        } catch {
          throw new WalletError('OTHER', 'that is not an invoice');
        }
        const hash = decoded.paymentHash;
        payRequests.push(hash);
        const outcome = payOutcome;
        if (typeof outcome === 'object')
          throw new WalletError(outcome.refuse, `refused: ${outcome.refuse.toLowerCase()}`);
        const earlier = payments.find((p) => p.paymentHash === hash && p.state !== 'failed');
        if (earlier) throw new WalletError('PAYMENT_FAILED', 'this invoice was already paid');
        const preimage = preimages.get(hash);
        const record = (state: 'pending' | 'settled' | 'failed') =>
          payments.push({
            paymentHash: hash,
            invoice: params.invoice as string,
            amount: decoded.amountMsat ?? 0n,
            createdAt: nowSec(),
            state,
          });
        if (preimage === undefined || outcome === 'paymentFailed') {
          record('failed');
          throw new WalletError('PAYMENT_FAILED', 'no route to the payee');
        }
        if (outcome === 'pendingNoAnswer') {
          record('pending');
          throw new NoAnswer();
        }
        record('settled');
        if (outcome === 'paidNoAnswer') throw new NoAnswer();
        if (outcome === 'paidButSaysFailed')
          throw new WalletError('PAYMENT_FAILED', 'timed out waiting for the route');
        const result = { preimage, fees_paid: 0 };
        checkKeys('pay_invoice result', result, SPEC.methods.get(method)?.resultKeys);
        return result;
      }
      case 'lookup_invoice': {
        let hash = params.payment_hash as string | undefined;
        if (hash === undefined) hash = decodeInvoice(params.invoice as string).paymentHash;
        const out = payments.filter((p) => p.paymentHash === hash).at(-1);
        if (out) {
          const result = outgoingTx(out);
          checkKeys('lookup_invoice result', result, SPEC.methods.get(method)?.resultKeys);
          return result;
        }
        const inv = invoices.find((i) => i.paymentHash === hash);
        if (!inv) throw new WalletError('NOT_FOUND', 'invoice not found');
        const result = transaction(inv);
        checkKeys('lookup_invoice result', result, SPEC.methods.get(method)?.resultKeys);
        return result;
      }
      case 'list_transactions': {
        const from = (params.from as number | undefined) ?? 0;
        const until = (params.until as number | undefined) ?? nowSec();
        const offset = (params.offset as number | undefined) ?? 0;
        const limit = (params.limit as number | undefined) ?? Infinity;
        const type = params.type as string | undefined;
        const unpaid = params.unpaid === true;
        // NIP-47: "Transactions are returned in descending order of creation time"; no type: both.
        const incoming = invoices
          .filter((i) => type !== 'outgoing' && i.createdAt >= from && i.createdAt <= until)
          .filter((i) => unpaid || i.settledAt !== null)
          .map((i) => ({ createdAt: i.createdAt, tx: () => transaction(i) }));
        const outgoing = payments
          // `unpaid` is about invoices (NIP-47); payments out are listed whatever became of them,
          // as wallets do: a failed or pending one is the client's to leave out.
          .filter((p) => type !== 'incoming' && p.createdAt >= from && p.createdAt <= until)
          .map((p) => ({ createdAt: p.createdAt, tx: () => outgoingTx(p) }));
        const matching = [...incoming, ...outgoing].reverse().sort((a, b) => b.createdAt - a.createdAt);
        const transactions = matching.slice(offset, offset + limit).map((m) => m.tx());
        for (const tx of transactions) {
          checkKeys('list_transactions entry', tx, SPEC.methods.get('lookup_invoice')?.resultKeys);
        }
        return { transactions };
      }
      default:
        throw new WalletError('NOT_IMPLEMENTED', `${method} is not implemented by this wallet`);
    }
  }

  function reply(request: Event, scheme: Scheme, body: Body): void {
    if (mode === 'hang') return;
    if (body.error && !SPEC.errorCodes.has(body.error.code)) {
      violation(`the fake itself answered with error code ${body.error.code}, which NIP-47 does not define`);
    }
    const text = toJsonExact(
      mode === 'malformed'
        ? {
            result_type: body.result_type,
            error: null,
            result: { unexpected: ['this', 'is', 'not', 'it'], amount: 'lots' },
          }
        : body,
    );
    let content = encrypt(text, scheme, request.pubkey);
    if (mode === 'truncated') {
      // Alternately cut mid-ciphertext and mid-JSON (well encrypted, but half a document).
      content =
        truncations++ % 2 === 0
          ? content.slice(0, Math.floor(content.length / 2))
          : encrypt(text.slice(0, Math.floor(text.length / 2)), scheme, request.pubkey);
    }
    publish(
      finalizeEvent(
        {
          kind: KIND.response,
          created_at: nowSec(),
          tags: [
            ['p', request.pubkey],
            ['e', request.id],
          ],
          content,
        },
        walletKey,
      ),
    );
  }

  function handleRequest(event: Event): void {
    if (event.kind !== KIND.request || seen.has(event.id)) return;
    // Sent to every relay: the same request arrives once per relay.
    seen.add(event.id);
    const p = event.tags.filter((t) => t[0] === 'p');
    if (p.length !== 1 || p[0]![1] !== walletPubkey) {
      violation('a request without exactly one p tag naming the wallet service');
      return;
    }
    const unknownTags = event.tags.filter((t) => !['p', 'encryption', 'expiration'].includes(t[0]!));
    if (unknownTags.length > 0)
      violation(`a request with tags NIP-47 does not define: ${unknownTags.map((t) => t[0]).join(', ')}`);
    const expiration = event.tags.find((t) => t[0] === 'expiration')?.[1];
    if (expiration !== undefined && Number(expiration) < nowSec()) return; // "it should be ignored"
    const named = event.tags.find((t) => t[0] === 'encryption')?.[1] ?? 'nip04';
    if (named !== 'nip44_v2' && named !== 'nip04') {
      violation(`a request in encryption "${named}", which NIP-47 does not define`);
      return;
    }
    if (!schemes.includes(named)) {
      violation(`a request in ${named}, which this wallet's info event does not offer`);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(decrypt(event.content, named, event.pubkey));
    } catch (err) {
      violation(`a request that does not decrypt to JSON with ${named}: ${String(err)}`);
      return;
    }
    const answer = (body: Omit<Body, 'result_type'>, method: string) =>
      reply(event, named, { result_type: method, ...body });
    const fail = (method: string, code: string, message: string) =>
      answer({ error: { code, message }, result: null }, method);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      violation('a request whose content is not a JSON object');
      return;
    }
    const { method, params, ...rest } = json as Record<string, unknown>;
    if (Object.keys(rest).length > 0)
      violation(`a request with fields other than method and params: ${Object.keys(rest).join(', ')}`);
    if (typeof method !== 'string') {
      violation('a request without a method name');
      return;
    }
    const spec = SPEC.methods.get(method);
    if (!spec) {
      violation(`unknown method "${method}"`);
      fail(method, 'NOT_IMPLEMENTED', `unknown method ${method}`);
      return;
    }
    const problems = paramProblems(spec, params);
    if (problems.length > 0) {
      violation(`${method}: ${problems.join('; ')}`);
      fail(method, 'OTHER', problems.join('; '));
      return;
    }
    const allowed = connections.get(event.pubkey);
    if (!allowed) return fail(method, 'UNAUTHORIZED', 'no wallet is connected for this public key');
    if (!allowed.has(method)) return fail(method, 'RESTRICTED', `this connection may not use ${method}`);
    try {
      answer({ error: null, result: execute(method, params as Record<string, unknown>, allowed) }, method);
    } catch (err) {
      if (err instanceof NoAnswer) return;
      if (err instanceof WalletError) return fail(method, err.code, err.message);
      violation(`the fake itself failed on ${method}: ${String(err)}`);
      fail(method, 'INTERNAL', 'the fake failed');
    }
  }

  for (const relay of relays) {
    relay.onEvent(handleRequest);
    relay.broadcast(
      finalizeEvent(
        {
          kind: KIND.info,
          created_at: nowSec(),
          tags: [
            ...(opts.encryption === null ? [] : [['encryption', schemes.join(' ')]]),
            ['notifications', 'payment_received'],
          ],
          content: CAPABILITIES.join(' '),
        },
        walletKey,
      ),
    );
  }

  const uri = (secret: Uint8Array) =>
    `nostr+walletconnect://${walletPubkey}?${relays.map((r) => `relay=${encodeURIComponent(r.url)}`).join('&')}&secret=${bytesToHex(secret)}`;

  return {
    relays,
    walletPubkey,
    violations,
    connect(methods = TILL_METHODS) {
      const secret = generateSecretKey();
      connections.set(getPublicKey(secret), new Set(methods));
      return uri(secret);
    },
    strangerUri: () => uri(generateSecretKey()),
    pay(paymentHash) {
      const inv = invoices.find((i) => i.paymentHash === paymentHash);
      if (!inv) throw new Error(`the fake wallet has no invoice ${paymentHash}`);
      if (inv.settledAt !== null) throw new Error(`invoice ${paymentHash} is already paid`);
      inv.settledAt = nowSec();
      const notification = transaction(inv);
      checkKeys('payment_received notification', notification, SPEC.notifications.get('payment_received'));
      const text = JSON.stringify({ notification_type: 'payment_received', notification });
      // NIP-47: a wallet speaking both sends each notification twice, 23196 (NIP-04) and 23197 (NIP-44).
      for (const client of connections.keys()) {
        for (const scheme of schemes) {
          publish(
            finalizeEvent(
              {
                kind: scheme === 'nip44_v2' ? KIND.notification : KIND.notificationNip04,
                created_at: nowSec(),
                tags: [['p', client]],
                content: encrypt(text, scheme, client),
              },
              walletKey,
            ),
          );
        }
      }
    },
    knowPreimage: (hash, preimage) => void preimages.set(hash, preimage),
    payOutcome: (outcome) => void (payOutcome = outcome),
    outgoing: () => payments.map((p) => ({ paymentHash: p.paymentHash, state: p.state })),
    payRequests,
    misbehave: (m) => void (mode = m),
    ignoreDescriptionHash: () => void (ignoringHash = true),
    dropConnections: async () => void (await Promise.all([...live].map((r) => r.dropConnections()))),
    async stopRelay(index) {
      const relay = relays[index]!;
      if (!live.delete(relay)) return;
      await relay.close();
    },
    async close() {
      await Promise.all([...live].map((r) => r.close()));
      live.clear();
      if (violations.length > 0) {
        throw new Error(`The NWC fake saw requests outside NIP-01/NIP-47:\n${violations.join('\n')}`);
      }
    },
  };
}
