import { createHash } from 'node:crypto';
import { MAX_FIELD_BYTES } from './bolt11/format.js';
import type { BackendKind, ConnectionState, Network, Permissions } from '../../shared/domain/index.js';

export type { Permissions };

/**
 * What the till needs from a Lightning node. Every implementation (demo, LND, CLN, NWC,
 * LNbits) lives in its own folder, is registered in ./registry.ts and passes the shared
 * contract suite. Amounts are bigint msat; times are Date; hashes are lowercase hex.
 */

export interface NodeInfo {
  alias: string;
  pubkey: string;
  network: Network;
  blockHeight: number | null;
  permissions: Permissions;
}

export type InvoiceState = 'open' | 'settled' | 'expired' | 'cancelled';

export interface Invoice {
  paymentHash: string;
  bolt11: string;
  amountMsat: bigint;
  description: string;
  createdAt: Date;
  expiresAt: Date;
  state: InvoiceState;
  settledAt: Date | null;
  amountPaidMsat: bigint | null;
  /**
   * The till that created it, as marked on the node (CreateInvoiceRequest.till); null or absent
   * for an invoice no till marked (another shop on the node, a donation, an older invoice).
   */
  till?: string | null;
}

export interface CreateInvoiceRequest {
  amountMsat: bigint;
  description: string;
  expirySec: number;
  /**
   * The till's id, marked on the invoice where the backend has a place for it (CLN label, demo
   * node column), so several tills on one node each reconcile only their own invoices.
   */
  till?: string;
  /**
   * BOLT11 `h` (description_hash, 64 hex digits) in place of the `d` text: the invoice commits to
   * a longer description kept elsewhere (LUD-06 metadata, issue 17's companion server). Every
   * backend refuses (BadResponse) an invoice from its node that does not commit to it.
   */
  descriptionHash?: string;
  /**
   * The text itself whose SHA-256 the invoice's `h` commits to (the LUD-06 metadata), for nodes
   * that hash it themselves: Core Lightning takes only the text (invoice `deschashonly`), LNbits
   * takes it as `unhashed_description`. The others hash it. With `descriptionHash` too, the two
   * must agree; `description` stays the till's short text where the node keeps one.
   */
  hashedDescription?: string;
}

/** The SHA-256 (hex) of a text, as BOLT11 `h` and LUD-06 take it: over its UTF-8 bytes. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The description hash the invoice must commit to, from either field; undefined for a plain `d`. */
export function committedHash(req: CreateInvoiceRequest): string | undefined {
  return (
    req.descriptionHash ??
    (req.hashedDescription !== undefined ? sha256Hex(req.hashedDescription) : undefined)
  );
}

/**
 * Refuses an invoice whose `h` is not the hash asked for: a node (or wallet, or funding source)
 * that ignored it made an invoice the payer's wallet cannot match to the LNURL metadata (LUD-06).
 */
export function checkCommitment(
  req: CreateInvoiceRequest,
  decodedHash: string | null | undefined,
  node: string,
): void {
  const want = committedHash(req);
  if (want !== undefined && decodedHash !== want) {
    throw new BackendError(
      'BadResponse',
      `${node} returned an invoice that does not commit to the description hash asked for; it does not honour description hashes.`,
    );
  }
}

/** A settlement as the subscription reports it, with the cursor to store once it is journaled. */
export interface Settlement {
  invoice: Invoice;
  /**
   * Opaque, monotonic resume point (LND settle_index semantics): subscribing from this
   * cursor replays every settlement strictly after it.
   */
  cursor: string;
}

export interface SubscribeOptions {
  /**
   * Resume after this cursor. A till that has never seen this node starts from
   * `latestCursor()`, so a merchant's past payments are not replayed as strangers.
   */
  fromCursor: string;
  onSettlement: (settlement: Settlement) => void;
  onState: (state: ConnectionState, message: string | null) => void;
}

export interface Subscription {
  close(): void;
}

/** The largest page of invoices every backend lists (checkPageLimit refuses a larger `limit`). */
export const MAX_INVOICE_PAGE = 1_000;

/** A listInvoices `limit` every backend takes: a whole number from 1 to MAX_INVOICE_PAGE. */
export function checkPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_INVOICE_PAGE) {
    throw new BackendError('Rejected', `The page size must be from 1 to ${MAX_INVOICE_PAGE}.`);
  }
}

export interface ListInvoicesRequest {
  from: Date;
  to: Date;
  /** Opaque page token from the previous page; null for the first page. */
  pageToken: string | null;
  /** 1 to MAX_INVOICE_PAGE. */
  limit: number;
}

export interface InvoicePage {
  invoices: Invoice[];
  nextPageToken: string | null;
}

export interface LightningBackend {
  readonly kind: BackendKind;
  getInfo(): Promise<NodeInfo>;
  createInvoice(req: CreateInvoiceRequest): Promise<Invoice>;
  /** null when the node does not know the hash. */
  lookupInvoice(paymentHash: string): Promise<Invoice | null>;
  /**
   * Reports settlements after `fromCursor` (replay first, then live, in settle order) and
   * connection state. A subscription that loses its connection reports 'disconnected' once
   * and ends: the till resubscribes from the cursor it last journaled, with backoff.
   */
  subscribeSettlements(opts: SubscribeOptions): Subscription;
  /** The cursor of the newest settlement the node knows (the start for a new till). */
  latestCursor(): Promise<string>;
  /** Invoices created in [from, to), oldest first, page by page (reconciliation). */
  listInvoices(req: ListInvoicesRequest): Promise<InvoicePage>;
  close(): Promise<void>;
}

/** Backend failures, each with a kind the till maps once into a message a person can act on. */
export type BackendErrorKind =
  | 'Unreachable'
  | 'NotAuthorized'
  /** The node's TLS certificate is not the one configured (pinned); never worked around. */
  | 'BadCertificate'
  | 'BadResponse'
  | 'Timeout'
  | 'Rejected';

export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    readonly kind: BackendErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Every bitcoin there will ever be, in msat: no invoice can ask for more. */
export const MAX_SUPPLY_MSAT = 21_000_000n * 100_000_000_000n;
/** The longest text a description hash is asked over (LUD-06 metadata is far shorter). */
export const MAX_HASHED_DESCRIPTION_BYTES = 65_536;
/** The longest invoice lifetime any backend takes: a year. */
export const MAX_EXPIRY_SEC = 31_536_000;
// Lone surrogates have no UTF-8 form; BOLT11 d fields must be valid UTF-8.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What every backend checks before asking its node for an invoice, so a bad request is
 * refused the same way everywhere (a node's own limits come in `limits`).
 */
export function checkInvoiceRequest(
  req: CreateInvoiceRequest,
  limits: {
    maxAmountMsat?: bigint;
    /** How a person says the amount limit ("21 million BTC"). */
    maxAmountText?: string;
    maxExpirySec?: number;
    /** How a person says the expiry limit ("1 to a year"). */
    expiryText?: string;
  } = {},
): void {
  const maxMsat = limits.maxAmountMsat ?? MAX_SUPPLY_MSAT;
  if (typeof req.amountMsat !== 'bigint' || req.amountMsat <= 0n || req.amountMsat > maxMsat) {
    throw new BackendError(
      'Rejected',
      `The invoice amount must be above zero and at most ${limits.maxAmountText ?? '21 million BTC'}.`,
    );
  }
  const maxExpiry = limits.maxExpirySec ?? MAX_EXPIRY_SEC;
  if (!Number.isInteger(req.expirySec) || req.expirySec < 1 || req.expirySec > maxExpiry) {
    throw new BackendError(
      'Rejected',
      `The invoice expiry must be a whole number of seconds, ${limits.expiryText ?? '1 to a year'}.`,
    );
  }
  if (req.descriptionHash !== undefined && !/^[0-9a-f]{64}$/.test(req.descriptionHash)) {
    throw new BackendError('Rejected', 'The description hash must be 64 lowercase hex digits (SHA-256).');
  }
  if (req.hashedDescription !== undefined) {
    if (typeof req.hashedDescription !== 'string' || LONE_SURROGATE.test(req.hashedDescription)) {
      throw new BackendError('Rejected', 'The hashed description is not valid Unicode text.');
    }
    if (Buffer.byteLength(req.hashedDescription, 'utf8') > MAX_HASHED_DESCRIPTION_BYTES) {
      throw new BackendError(
        'Rejected',
        `The hashed description is longer than ${MAX_HASHED_DESCRIPTION_BYTES} bytes.`,
      );
    }
    if (req.descriptionHash !== undefined && sha256Hex(req.hashedDescription) !== req.descriptionHash) {
      throw new BackendError(
        'Rejected',
        'The description hash is not the SHA-256 of the hashed description.',
      );
    }
  }
  if (LONE_SURROGATE.test(req.description)) {
    throw new BackendError('Rejected', 'The description is not valid Unicode text.');
  }
  const bytes = Buffer.byteLength(req.description, 'utf8');
  if (bytes > MAX_FIELD_BYTES) {
    throw new BackendError(
      'Rejected',
      `The description is ${bytes} bytes; a BOLT11 description holds at most ${MAX_FIELD_BYTES}.`,
    );
  }
}

/**
 * How every backend's subscription ends: once, out of the backend's live set (so close() ends
 * it too), its own connection released, and the till told why, unless the till asked for it.
 * The backend adds `stop` to `live` once the subscription is under way.
 */
export function subscriptionEnd(
  sopts: SubscribeOptions,
  live: Set<() => void>,
  release: () => void,
  /** How a reason is put to the till (e.g. with secrets scrubbed out). */
  tell: (why: string) => string = (why) => why,
): { end: (why: string | null) => void; stop: () => void; readonly ended: boolean } {
  let ended = false;
  const end = (why: string | null) => {
    if (ended) return;
    ended = true;
    live.delete(stop);
    release();
    if (why === null) return;
    try {
      sopts.onState('disconnected', tell(why));
    } catch {
      // The till's state handler failing must not keep a dead subscription alive.
    }
  };
  const stop = () => end(null);
  return {
    end,
    stop,
    get ended() {
      return ended;
    },
  };
}
