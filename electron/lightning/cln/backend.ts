import { randomUUID } from 'node:crypto';
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
import { requestJson, type HttpTarget } from '../http.js';
import type { ClnConfig } from './config.js';
import {
  ClnInvoice,
  GetInfoResponse,
  InvoiceResponse,
  ListInvoicesResponse,
  mapNetwork,
  RpcErrorBody,
  toInvoice,
  invoiceLabel,
} from './mappers.js';
import { readRune, runePermissions, type RuneRestriction } from './rune.js';

/**
 * Core Lightning through clnrest (../shared/contracts/cln/rest.md): every RPC is
 * `POST /v1/<method>` with the parameters as a JSON object and the rune in a `Rune` header.
 * Settlements come from waitanyinvoice, resumed from the pay_index the till last journaled.
 * clnrest answers 201 with the result; a refused rune is 401 (403 without one) and an RPC
 * error 500, each with the JSON-RPC error object {code, message} as the body
 * (ElementsProject/lightning plugins/rest-plugin, AppError).
 */

export interface ClnOptions {
  now?: () => Date;
  timeoutMs?: number;
  /** How long one waitanyinvoice waits on the node before it is asked again. */
  pollSec?: number;
}

type Answer =
  { ok: true; body: unknown } | { ok: false; status: number; code: number | undefined; message: string };

// waitanyinvoice.json errors: "904: The *timeout* was reached without an invoice being paid."
const WAIT_TIMEOUT = 904;
const MAX_MSAT = BigInt(Number.MAX_SAFE_INTEGER);
const PAGE = 1_000;
const CURSOR = /^(0|[1-9]\d{0,14})$/;
/** Invoices read per listInvoices call at most, so one page never scans a whole node. */
const MAX_SCAN = 10_000;
/**
 * listinvoices has no time filter: a page scans in created_index order and stops at an invoice
 * made this long after `to` (a node clock stepped back by less still lists every invoice).
 */
const CLOCK_SLACK_MS = 3_600_000;

export function createClnBackend(config: ClnConfig, opts: ClnOptions = {}): LightningBackend {
  const now = opts.now ?? (() => new Date());
  const pollSec = opts.pollSec ?? 30;
  const target: HttpTarget = {
    baseUrl: config.url,
    timeoutMs: opts.timeoutMs ?? 10_000,
    headers: { Rune: config.rune },
    ...(config.caCertPem ? { ca: config.caCertPem } : {}),
  };
  // parseClnConfig checked the rune; restrictions it cannot read would only hide what it allows.
  let restrictions: RuneRestriction[] | null;
  try {
    restrictions = readRune(config.rune).restrictions;
  } catch {
    restrictions = null;
  }
  const subscriptions = new Set<() => void>();
  let closed = false;

  /** Error text from the node or the transport, one line, with the rune never in it. */
  const clean = (text: string) => text.split('\n')[0]!.replaceAll(config.rune, '<rune>').slice(0, 300);

  function assertOpen(): void {
    if (closed) throw new BackendError('Unreachable', 'The Core Lightning connection is closed.');
  }

  async function post(
    method: string,
    params: Record<string, unknown>,
    timeoutMs?: number,
    signal?: AbortSignal,
  ): Promise<Answer> {
    assertOpen();
    let res;
    try {
      res = await requestJson(timeoutMs ? { ...target, timeoutMs } : target, {
        method: 'POST',
        path: `/v1/${method}`,
        body: params,
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (err instanceof BackendError) throw new BackendError(err.kind, clean(err.message), { cause: err });
      throw err;
    }
    if (res.status >= 200 && res.status < 300) return { ok: true, body: res.body };
    const error = RpcErrorBody.safeParse(res.body);
    const message = error.success && error.data.message ? clean(error.data.message) : `HTTP ${res.status}`;
    return { ok: false, status: res.status, code: error.success ? error.data.code : undefined, message };
  }

  function refusal(method: string, answer: Extract<Answer, { ok: false }>): BackendError {
    const { status, message } = answer;
    if (status === 401 || status === 403) {
      return new BackendError('NotAuthorized', `Core Lightning refused the rune for ${method}: ${message}`);
    }
    if (status === 404) {
      return new BackendError(
        'Rejected',
        `clnrest does not offer ${method} (${message}): update Core Lightning.`,
      );
    }
    if (answer.code === undefined && status !== 500) {
      return new BackendError('BadResponse', `clnrest answered ${method} with HTTP ${status} and no error`);
    }
    return new BackendError('Rejected', `Core Lightning refused ${method}: ${message}`);
  }

  function parse<T>(method: string, schema: z.ZodType<T>, body: unknown): T {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the answer';
    throw new BackendError(
      'BadResponse',
      `Core Lightning's ${method} answer is not what its schema defines (${where}: ${issue?.message ?? 'unexpected shape'})`,
    );
  }

  async function call<T>(method: string, params: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
    const answer = await post(method, params);
    if (!answer.ok) throw refusal(method, answer);
    return parse(method, schema, answer.body);
  }

  async function getInfo(): Promise<NodeInfo> {
    const info = await call('getinfo', {}, GetInfoResponse);
    const network = mapNetwork(info.network);
    if (!network) {
      throw new BackendError(
        'Rejected',
        `Core Lightning runs on ${info.network}, which the till cannot take.`,
      );
    }
    return {
      alias: info.alias || `CLN ${info.id.slice(0, 8)}`,
      pubkey: info.id,
      network,
      blockHeight: info.blockheight,
      permissions: restrictions
        ? runePermissions(restrictions)
        : { createInvoices: true, readInvoices: true, sendPayments: true },
    };
  }

  async function createInvoice(req: CreateInvoiceRequest): Promise<Invoice> {
    assertOpen();
    // clnrest carries msat as JSON numbers: no more than a double holds exactly.
    checkInvoiceRequest(req, { maxAmountMsat: MAX_MSAT, maxAmountText: '90,000 BTC' });
    // invoice.json deschashonly: CLN hashes the description it is given and puts only the hash
    // in the invoice, so it needs the text itself; a bare hash it cannot commit to.
    const hashOnly = committedHash(req) !== undefined;
    if (hashOnly && req.hashedDescription === undefined) {
      throw new BackendError(
        'Rejected',
        'Core Lightning commits to a description hash only when given the description text itself (hashedDescription).',
      );
    }
    const created = await call(
      'invoice',
      {
        // invoice.json: amount_msat may be "a whole number ending in msat"; a string keeps
        // every digit of a bigint, which a JSON number would not.
        amount_msat: `${req.amountMsat}msat`,
        // Unique per invoice, as invoice.json requires; never shown to payers.
        label: invoiceLabel(randomUUID(), req.till),
        description: hashOnly ? req.hashedDescription : req.description,
        expiry: req.expirySec,
        ...(hashOnly ? { deschashonly: true } : {}),
      },
      InvoiceResponse,
    );
    let decoded;
    try {
      decoded = decodeInvoice(created.bolt11);
    } catch (err) {
      throw new BackendError(
        'BadResponse',
        `Core Lightning returned an invoice that does not decode (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    if (decoded.paymentHash !== created.payment_hash || decoded.amountMsat !== req.amountMsat) {
      throw new BackendError(
        'BadResponse',
        'Core Lightning returned an invoice for a different payment or amount.',
      );
    }
    checkCommitment(req, decoded.descriptionHash, 'Core Lightning');
    const expiresAt = new Date(created.expires_at * 1000);
    return {
      paymentHash: created.payment_hash,
      bolt11: created.bolt11,
      amountMsat: req.amountMsat,
      // As listinvoices will tell it: lightningd keeps no description for a deschashonly invoice.
      description: hashOnly ? '' : req.description,
      createdAt: new Date(decoded.timestamp * 1000),
      expiresAt,
      state: now().getTime() >= expiresAt.getTime() ? 'expired' : 'open',
      settledAt: null,
      amountPaidMsat: null,
      till: req.till ?? null,
    };
  }

  async function lookupInvoice(paymentHash: string): Promise<Invoice | null> {
    if (!/^[0-9a-f]{64}$/.test(paymentHash)) {
      throw new BackendError('Rejected', `"${paymentHash}" is not a payment hash.`);
    }
    const { invoices } = await call('listinvoices', { payment_hash: paymentHash }, ListInvoicesResponse);
    const raw = invoices.find((i) => i.payment_hash === paymentHash);
    return raw ? toInvoice(raw, now()) : null;
  }

  /** listinvoices in created_index order from `start` (listinvoices.json: index, start, limit). */
  function listFrom(start: number, limit: number) {
    return call('listinvoices', { index: 'created', start, limit }, ListInvoicesResponse);
  }

  async function listInvoices(req: ListInvoicesRequest): Promise<InvoicePage> {
    assertOpen();
    checkPageLimit(req.limit);
    if (req.pageToken !== null && !CURSOR.test(req.pageToken)) {
      throw new BackendError('Rejected', `"${req.pageToken}" is not a Core Lightning page token.`);
    }
    if (req.from.getTime() >= req.to.getTime()) return { invoices: [], nextPageToken: null };
    const stopAt = req.to.getTime() + CLOCK_SLACK_MS;
    // Earlier invoices are skipped in batches: paging must go past those out of range.
    const batch = Math.min(PAGE, Math.max(req.limit, 100));
    const out: Invoice[] = [];
    let start = req.pageToken === null ? 0 : Number(req.pageToken);
    for (let scanned = 0; scanned < MAX_SCAN; scanned += batch) {
      const { invoices } = await listFrom(start, batch);
      for (const raw of invoices) {
        if (raw.created_index < start) {
          throw new BackendError('BadResponse', 'Core Lightning listed invoices out of created_index order.');
        }
        start = raw.created_index + 1;
        const invoice = toInvoice(raw, now());
        if (!invoice) continue;
        const created = invoice.createdAt.getTime();
        if (created >= stopAt) return { invoices: out, nextPageToken: null };
        if (created < req.from.getTime() || created >= req.to.getTime()) continue;
        out.push(invoice);
        if (out.length === req.limit) return { invoices: out, nextPageToken: String(start) };
      }
      if (invoices.length < batch) return { invoices: out, nextPageToken: null };
    }
    // Bounded work per call: the caller goes on from here.
    return { invoices: out, nextPageToken: String(start) };
  }

  /**
   * The highest pay_index. CLN has no call for it that an invoice-only rune may make, so this
   * reads every invoice (1,000 a request): once per new till, not per sale.
   */
  async function latestCursor(): Promise<string> {
    let highest = 0;
    let start = 0;
    for (;;) {
      const { invoices } = await listFrom(start, PAGE);
      for (const raw of invoices) {
        if (raw.status === 'paid' && raw.pay_index !== undefined) highest = Math.max(highest, raw.pay_index);
        start = Math.max(start, raw.created_index + 1);
      }
      if (invoices.length < PAGE) return String(highest);
    }
  }

  function subscribeSettlements(sopts: SubscribeOptions): Subscription {
    assertOpen();
    if (!CURSOR.test(sopts.fromCursor)) {
      throw new BackendError('Rejected', `"${sopts.fromCursor}" is not a Core Lightning pay_index.`);
    }
    let last = Number(sopts.fromCursor);
    // Closing the subscription cancels the long poll under way, so nothing lingers.
    const cancel = new AbortController();
    const sub = subscriptionEnd(sopts, subscriptions, () => cancel.abort());
    const { end, stop } = sub;
    subscriptions.add(stop);

    /** One waitanyinvoice; false once the subscription has ended. */
    const step = async (first: boolean): Promise<boolean> => {
      // The first call does not wait (timeout 0): its answer, invoice or 904, shows the node is
      // there. Later calls wait up to pollSec on the node, within a client timeout beyond it.
      const answer = await post(
        'waitanyinvoice',
        { lastpay_index: last, timeout: first ? 0 : pollSec },
        first ? undefined : pollSec * 1000 + target.timeoutMs,
        cancel.signal,
      );
      if (sub.ended) return false;
      if (!answer.ok && answer.code !== WAIT_TIMEOUT) {
        end(refusal('waitanyinvoice', answer).message);
        return false;
      }
      if (first) sopts.onState('connected', null);
      if (!answer.ok) return true;
      const raw = parse('waitanyinvoice', ClnInvoice, answer.body);
      if (raw.status !== 'paid' || raw.pay_index === undefined || raw.pay_index <= last) {
        throw new BackendError('BadResponse', 'Core Lightning answered waitanyinvoice with no new payment.');
      }
      const invoice = toInvoice(raw, now());
      // A BOLT12 payment is not the till's; skipping it here is enough (it has no sale).
      if (invoice) {
        try {
          sopts.onSettlement({ invoice, cursor: String(raw.pay_index) });
        } catch (err) {
          // Going on would store a later cursor past this one: end, so the till resubscribes.
          end(
            `The settlement handler failed (${err instanceof Error ? err.message : String(err)}); resubscribing.`,
          );
          return false;
        }
      }
      last = raw.pay_index;
      return true;
    };

    const run = async () => {
      try {
        let first = true;
        while (!sub.ended && (await step(first))) first = false;
      } catch (err) {
        end(err instanceof Error ? clean(err.message) : String(err));
      }
    };
    queueMicrotask(() => void run());
    return { close: stop };
  }

  return {
    kind: 'cln',
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
