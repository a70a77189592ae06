import { z } from 'zod';
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
  type Permissions,
  type Settlement,
  type SubscribeOptions,
  type Subscription,
} from '../backend.js';
import { decodeInvoice } from '../bolt11/decode.js';
import { requestJson, streamLines, type HttpTarget, type LineStream } from '../http.js';
import type { LndConfig } from './config.js';
import { allows, macaroonOps, type MacaroonOps } from './macaroon.js';
import { memoWithTill, tillOfMemo } from './memo.js';

/**
 * LND through its REST gateway (../shared/contracts/lnd/lightning.swagger.json): GetInfo,
 * AddInvoice, LookupInvoice, ListInvoices and the SubscribeInvoices stream, resumed from the
 * settle_index the till last journaled. int64 fields travel as decimal strings and bytes
 * fields as base64, as the gateway writes them.
 */

export interface LndOptions {
  now?: () => Date;
  timeoutMs?: number;
}

const U64 = z.string().regex(/^\d+$/, 'expected a decimal integer string');
const Bytes = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64');

const LndInvoice = z.object({
  memo: z.string().default(''),
  r_hash: Bytes,
  value_msat: U64,
  creation_date: U64,
  settle_date: U64.default('0'),
  payment_request: z.string().min(1),
  expiry: U64,
  add_index: U64,
  settle_index: U64.default('0'),
  amt_paid_msat: U64.default('0'),
  state: z.enum(['OPEN', 'SETTLED', 'CANCELED', 'ACCEPTED']).default('OPEN'),
});
type LndInvoice = z.infer<typeof LndInvoice>;

const GetInfoResponse = z.object({
  identity_pubkey: z.string().regex(/^0[23][0-9a-f]{64}$/),
  alias: z.string(),
  block_height: z.number().int().nonnegative(),
  chains: z.array(z.object({ chain: z.string(), network: z.string() })).min(1),
});
const AddInvoiceResponse = z.object({ r_hash: Bytes, payment_request: z.string().min(1), add_index: U64 });
const ListInvoiceResponse = z.object({
  invoices: z.array(LndInvoice).default([]),
  last_index_offset: U64.default('0'),
  first_index_offset: U64.default('0'),
});
const RpcStatus = z.object({ code: z.number().optional(), message: z.string().optional() }).loose();
const StreamLine = z.union([z.object({ result: LndInvoice }), z.object({ error: RpcStatus })]);

const LND_NETWORKS: Record<string, Network> = {
  mainnet: 'mainnet',
  testnet: 'testnet',
  testnet4: 'testnet',
  signet: 'signet',
  regtest: 'regtest',
  simnet: 'regtest',
};

const hashHex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');
const PAGE = 1_000;

function shapeError(what: string, err: z.ZodError): BackendError {
  const issue = err.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'the answer';
  return new BackendError(
    'BadResponse',
    `LND's ${what} answer is not what its API defines (${where}: ${issue?.message ?? 'unexpected shape'})`,
  );
}

export function createLndBackend(config: LndConfig, opts: LndOptions = {}): LightningBackend {
  const now = opts.now ?? (() => new Date());
  const target: HttpTarget = {
    baseUrl: config.restUrl,
    timeoutMs: opts.timeoutMs ?? 10_000,
    headers: { 'Grpc-Metadata-macaroon': config.macaroonHex },
    ...(config.tlsCertPem ? { ca: config.tlsCertPem } : {}),
  };
  let ops: MacaroonOps | null;
  try {
    ops = macaroonOps(config.macaroonHex);
  } catch {
    // A macaroon whose id is not in LND's format: nothing proves it cannot spend.
    ops = null;
  }
  const subscriptions = new Set<() => void>();
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new BackendError('Unreachable', 'The LND connection is closed.');
  }

  /** One call; a non-2xx answer becomes a BackendError, or null for "not found" when allowed. */
  async function call<T>(
    what: string,
    schema: z.ZodType<T>,
    req: { method: 'GET' | 'POST'; path: string; body?: unknown },
    notFound: 'null' | 'error' = 'error',
  ): Promise<T | null> {
    assertOpen();
    const res = await requestJson(target, req);
    if (res.status >= 200 && res.status < 300) {
      const parsed = schema.safeParse(res.body);
      if (!parsed.success) throw shapeError(what, parsed.error);
      return parsed.data;
    }
    const status = RpcStatus.safeParse(res.body);
    const message = (status.success ? status.data.message : undefined) ?? `HTTP ${res.status}`;
    const code = status.success ? status.data.code : undefined;
    if (
      res.status === 401 ||
      res.status === 403 ||
      code === 7 ||
      code === 16 ||
      /verification failed|permission denied|macaroon/i.test(message)
    ) {
      throw new BackendError('NotAuthorized', `LND refused the macaroon for ${what}: ${message}`);
    }
    if (
      (res.status === 404 || code === 5 || /unable to locate invoice/i.test(message)) &&
      notFound === 'null'
    ) {
      return null;
    }
    if (code === 14 || /wallet locked|not yet ready|starting up|in the process of starting/i.test(message)) {
      throw new BackendError(
        'Unreachable',
        `LND is not ready (${message}): unlock its wallet or wait for it to start.`,
      );
    }
    if (!status.success && res.status >= 500) {
      throw new BackendError(
        'BadResponse',
        `LND answered ${what} with HTTP ${res.status} and no error message`,
      );
    }
    throw new BackendError('Rejected', `LND refused ${what}: ${message}`);
  }

  function toInvoice(raw: LndInvoice): Invoice {
    const createdAt = new Date(Number(raw.creation_date) * 1000);
    const expiresAt = new Date((Number(raw.creation_date) + Number(raw.expiry)) * 1000);
    const expired = now().getTime() >= expiresAt.getTime();
    const state =
      raw.state === 'SETTLED'
        ? 'settled'
        : raw.state === 'CANCELED'
          ? expired
            ? 'expired'
            : 'cancelled'
          : expired
            ? 'expired'
            : 'open';
    // The till that made it, marked at the end of the memo (memo.ts); the rest is the description.
    const { till, description } = tillOfMemo(raw.memo);
    return {
      paymentHash: hashHex(raw.r_hash),
      bolt11: raw.payment_request,
      amountMsat: BigInt(raw.value_msat),
      description,
      till,
      createdAt,
      expiresAt,
      state,
      settledAt: state === 'settled' ? new Date(Number(raw.settle_date) * 1000) : null,
      amountPaidMsat: state === 'settled' ? BigInt(raw.amt_paid_msat) : null,
    };
  }

  async function lookup(paymentHash: string): Promise<LndInvoice | null> {
    if (!/^[0-9a-f]{64}$/.test(paymentHash)) {
      throw new BackendError('Rejected', `"${paymentHash}" is not a payment hash.`);
    }
    return call('LookupInvoice', LndInvoice, { method: 'GET', path: `/v1/invoice/${paymentHash}` }, 'null');
  }

  function permissions(): Permissions {
    if (!ops) return { createInvoices: true, readInvoices: true, sendPayments: true };
    return {
      createInvoices: allows(ops, 'invoices', 'write'),
      readInvoices: allows(ops, 'invoices', 'read'),
      // A macaroon that can bake macaroons can make itself one that spends.
      sendPayments:
        allows(ops, 'offchain', 'write') ||
        allows(ops, 'onchain', 'write') ||
        allows(ops, 'macaroon', 'generate'),
    };
  }

  async function getInfo(): Promise<NodeInfo> {
    assertOpen();
    if (ops && !allows(ops, 'info', 'read')) {
      // invoice.macaroon cannot call GetInfo: learn the node from one of its own invoices.
      const page = await call('ListInvoices', ListInvoiceResponse, {
        method: 'GET',
        path: '/v1/invoices?num_max_invoices=1&reversed=true',
      });
      let bolt11 = page?.invoices[0]?.payment_request;
      if (!bolt11 && allows(ops, 'invoices', 'write')) {
        const probe = await call('AddInvoice', AddInvoiceResponse, {
          method: 'POST',
          path: '/v1/invoices',
          body: { memo: 'Lightning Till connection check', value_msat: '1000', expiry: '60' },
        });
        bolt11 = probe?.payment_request;
      }
      if (!bolt11) {
        throw new BackendError(
          'NotAuthorized',
          'This macaroon can neither read node info nor invoices: use invoice.macaroon.',
        );
      }
      const decoded = decodeInvoice(bolt11);
      return {
        alias: `LND ${decoded.payeePubkey.slice(0, 8)}`,
        pubkey: decoded.payeePubkey,
        network: decoded.network,
        blockHeight: null,
        permissions: permissions(),
      };
    }
    const info = await call('GetInfo', GetInfoResponse, { method: 'GET', path: '/v1/getinfo' });
    if (!info) throw new BackendError('BadResponse', 'LND answered GetInfo with nothing');
    const chain = info.chains[0]!;
    const network = LND_NETWORKS[chain.network];
    if (!network || chain.chain !== 'bitcoin') {
      throw new BackendError(
        'Rejected',
        `LND runs on ${chain.chain} ${chain.network}, which the till cannot take.`,
      );
    }
    return {
      alias: info.alias || `LND ${info.identity_pubkey.slice(0, 8)}`,
      pubkey: info.identity_pubkey,
      network,
      blockHeight: info.block_height,
      permissions: permissions(),
    };
  }

  async function createInvoice(req: CreateInvoiceRequest): Promise<Invoice> {
    assertOpen();
    checkInvoiceRequest(req);
    // LND swagger AddInvoice: description_hash (bytes, base64 in JSON) replaces the memo in the invoice.
    const descriptionHash = committedHash(req);
    const added = await call('AddInvoice', AddInvoiceResponse, {
      method: 'POST',
      path: '/v1/invoices',
      body: {
        memo: memoWithTill(req.description, req.till),
        value_msat: req.amountMsat.toString(),
        expiry: String(req.expirySec),
        ...(descriptionHash !== undefined
          ? { description_hash: Buffer.from(descriptionHash, 'hex').toString('base64') }
          : {}),
      },
    });
    if (!added) throw new BackendError('BadResponse', 'LND answered AddInvoice with nothing');
    const paymentHash = hashHex(added.r_hash);
    let decoded;
    try {
      decoded = decodeInvoice(added.payment_request);
    } catch (err) {
      throw new BackendError('BadResponse', `LND returned an invoice that does not decode (${String(err)})`);
    }
    if (decoded.paymentHash !== paymentHash || decoded.amountMsat !== req.amountMsat) {
      throw new BackendError('BadResponse', 'LND returned an invoice for a different payment or amount.');
    }
    checkCommitment(req, decoded.descriptionHash, 'LND');
    const full = await lookup(paymentHash);
    if (!full) throw new BackendError('BadResponse', 'LND does not find the invoice it just created.');
    const invoice = toInvoice(full);
    if (invoice.amountMsat !== req.amountMsat) {
      throw new BackendError('BadResponse', 'LND recorded the invoice for a different amount.');
    }
    return invoice;
  }

  async function listInvoices(req: ListInvoicesRequest): Promise<InvoicePage> {
    assertOpen();
    checkPageLimit(req.limit);
    if (req.pageToken !== null && !/^\d+$/.test(req.pageToken)) {
      throw new BackendError('Rejected', `"${req.pageToken}" is not an LND page token.`);
    }
    const from = Math.ceil(req.from.getTime() / 1000);
    const to = Math.ceil(req.to.getTime() / 1000) - 1;
    if (to < from) return { invoices: [], nextPageToken: null };
    const query = new URLSearchParams({
      index_offset: req.pageToken ?? '0',
      num_max_invoices: String(req.limit),
      creation_date_start: String(from),
      creation_date_end: String(to),
    });
    const page = await call('ListInvoices', ListInvoiceResponse, {
      method: 'GET',
      path: `/v1/invoices?${query.toString()}`,
    });
    if (!page) throw new BackendError('BadResponse', 'LND answered ListInvoices with nothing');
    const invoices = page.invoices
      .map(toInvoice)
      .filter((i) => i.createdAt >= req.from && i.createdAt < req.to);
    return {
      invoices,
      nextPageToken: page.invoices.length < req.limit ? null : page.last_index_offset,
    };
  }

  /** Every settled invoice with settle_index > after, in settle order (a full scan: rare and paged). */
  async function settledSince(after: bigint): Promise<LndInvoice[]> {
    const out: LndInvoice[] = [];
    let offset = '0';
    for (;;) {
      const page = await call('ListInvoices', ListInvoiceResponse, {
        method: 'GET',
        path: `/v1/invoices?index_offset=${offset}&num_max_invoices=${PAGE}`,
      });
      if (!page) break;
      out.push(...page.invoices.filter((i) => i.state === 'SETTLED' && BigInt(i.settle_index) > after));
      if (page.invoices.length < PAGE) break;
      offset = page.last_index_offset;
    }
    return out.sort((a, b) => (BigInt(a.settle_index) < BigInt(b.settle_index) ? -1 : 1));
  }

  async function latestCursor(): Promise<string> {
    const settled = await settledSince(0n);
    return settled.at(-1)?.settle_index ?? '0';
  }

  function subscribeSettlements(sopts: SubscribeOptions): Subscription {
    assertOpen();
    if (!/^\d+$/.test(sopts.fromCursor)) {
      throw new BackendError('Rejected', `"${sopts.fromCursor}" is not an LND settle_index.`);
    }
    let last = BigInt(sopts.fromCursor);
    let stream: LineStream | null = null;
    // settle_index 0 asks LND for no backlog at all: read it with ListInvoices instead, and
    // hold live settlements back until the backlog is out.
    let held: LndInvoice[] | null = last === 0n ? [] : null;

    const sub = subscriptionEnd(sopts, subscriptions, () => stream?.close());
    const { end, stop } = sub;
    subscriptions.add(stop);

    const deliver = (raw: LndInvoice) => {
      if (sub.ended || raw.state !== 'SETTLED') return;
      const index = BigInt(raw.settle_index);
      if (index <= last) return;
      const settlement: Settlement = { invoice: toInvoice(raw), cursor: raw.settle_index };
      try {
        sopts.onSettlement(settlement);
      } catch (err) {
        // Going on would store a later cursor past this one: end, so the till resubscribes.
        end(
          `The settlement handler failed (${err instanceof Error ? err.message : String(err)}); resubscribing.`,
        );
        return;
      }
      last = index;
    };

    queueMicrotask(() => {
      if (sub.ended) return;
      stream = streamLines(
        target,
        { method: 'GET', path: `/v1/invoices/subscribe?settle_index=${last}` },
        {
          onOpen: () => {
            if (sub.ended) return;
            sopts.onState('connected', null);
            if (held) {
              settledSince(0n).then(
                (backlog) => {
                  const live = held ?? [];
                  held = null;
                  for (const raw of [...backlog, ...live]) deliver(raw);
                },
                (err: unknown) => end(`Could not read LND's past settlements: ${String(err)}`),
              );
            }
          },
          onLine: (line) => {
            let parsed;
            try {
              parsed = StreamLine.safeParse(JSON.parse(line));
            } catch {
              end('LND sent a line of its invoice stream that is not JSON.');
              return;
            }
            if (!parsed.success) {
              end(shapeError('SubscribeInvoices', parsed.error).message);
              return;
            }
            if ('error' in parsed.data) {
              end(`LND ended the invoice stream: ${parsed.data.error.message ?? 'no reason given'}`);
              return;
            }
            if (held) held.push(parsed.data.result);
            else deliver(parsed.data.result);
          },
          onEnd: (err) => end(err.message),
        },
        { liveOnConnect: true },
      );
    });
    return { close: stop };
  }

  return {
    kind: 'lnd',
    getInfo,
    createInvoice,
    lookupInvoice: async (paymentHash) => {
      const raw = await lookup(paymentHash);
      return raw ? toInvoice(raw) : null;
    },
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
