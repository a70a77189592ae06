import { z } from 'zod';
import type { Network } from '../../../shared/domain/index.js';
import { BackendError, type Invoice, type InvoiceState, type Permissions } from '../backend.js';
import { decodeInvoice } from '../bolt11/decode.js';

/**
 * NIP-47 results (../shared/contracts/nostr/nip-47.md) as the till's types. Wallets differ in
 * which optional fields they fill and write null for absent ones, so optional means nullish;
 * unknown fields are dropped. Amounts are msat JSON numbers, times unix seconds.
 */

const Hex32 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits')
  .transform((s) => s.toLowerCase());
const Seconds = z.int().nonnegative();
const Msat = z.int().nonnegative();

/** The transaction object of make_invoice, lookup_invoice, list_transactions and notifications. */
export const Transaction = z.object({
  type: z.enum(['incoming', 'outgoing']),
  state: z.enum(['pending', 'settled', 'accepted', 'expired', 'failed']).nullish(),
  invoice: z.string().nullish(),
  description: z.string().nullish(),
  payment_hash: Hex32,
  amount: Msat,
  created_at: Seconds,
  expires_at: Seconds.nullish(),
  settled_at: Seconds.nullish(),
  /** NIP-47 `metadata`: the till writes `{ till_id }` in it (several tills on one wallet). */
  metadata: z.object({ till_id: z.string().nullish() }).loose().nullish().catch(null),
});
export type Transaction = z.infer<typeof Transaction>;

export const TransactionList = z.object({ transactions: z.array(Transaction) });

export const GetInfoResult = z.object({
  alias: z.string().nullish(),
  pubkey: z.string().nullish(),
  network: z.string(),
  block_height: z.int().nonnegative().nullish(),
  methods: z.array(z.string()),
  notifications: z.array(z.string()).nullish(),
});
export type GetInfoResult = z.infer<typeof GetInfoResult>;

export const Notification = z.object({ notification_type: z.string(), notification: z.unknown() });

const NETWORKS: Record<string, Network> = {
  mainnet: 'mainnet',
  bitcoin: 'mainnet',
  testnet: 'testnet',
  testnet4: 'testnet',
  signet: 'signet',
  regtest: 'regtest',
};

export function network(name: string): Network {
  const known = NETWORKS[name.toLowerCase()];
  if (!known) throw new BackendError('Rejected', `The wallet runs on "${name}", which the till cannot take.`);
  return known;
}

const PAY_METHODS = ['pay_invoice', 'pay_keysend', 'multi_pay_invoice', 'multi_pay_keysend'];

/** What the connection's get_info `methods` list allows (NIP-47: "supported methods for this connection"). */
export function permissions(methods: readonly string[]): Permissions {
  return {
    createInvoices: methods.includes('make_invoice'),
    // Replay and reconciliation read with list_transactions, a single invoice with lookup_invoice.
    readInvoices: methods.includes('lookup_invoice') && methods.includes('list_transactions'),
    sendPayments: PAY_METHODS.some((m) => methods.includes(m)),
  };
}

export function shapeError(what: string, err: z.ZodError): BackendError {
  const issue = err.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'the answer';
  return new BackendError(
    'BadResponse',
    `The wallet's ${what} answer is not what NIP-47 defines (${where}: ${issue?.message ?? 'unexpected shape'}).`,
  );
}

/** An incoming transaction as an Invoice; `now` decides expiry, since a wallet may leave it 'pending'. */
export function toInvoice(tx: Transaction, now: Date): Invoice {
  if (!tx.invoice) {
    throw new BackendError(
      'BadResponse',
      `The wallet reported invoice ${tx.payment_hash} without its BOLT11 text.`,
    );
  }
  const createdAt = new Date(tx.created_at * 1000);
  let expiresSec = tx.expires_at;
  if (expiresSec === null || expiresSec === undefined) {
    // NIP-47 makes expires_at optional: the invoice itself says when it expires.
    try {
      const decoded = decodeInvoice(tx.invoice);
      expiresSec = decoded.timestamp + decoded.expirySec;
    } catch (err) {
      throw new BackendError(
        'BadResponse',
        `The wallet's invoice ${tx.payment_hash} does not decode (${err instanceof Error ? err.message : String(err)}).`,
      );
    }
  }
  const expiresAt = new Date(expiresSec * 1000);
  const settled =
    tx.state === 'settled' || ((tx.state === null || tx.state === undefined) && !!tx.settled_at);
  if (settled && !tx.settled_at) {
    throw new BackendError(
      'BadResponse',
      `The wallet reported invoice ${tx.payment_hash} settled but not when.`,
    );
  }
  let state: InvoiceState;
  if (settled) state = 'settled';
  else if (tx.state === 'failed') state = 'cancelled';
  else if (tx.state === 'expired' || now.getTime() >= expiresAt.getTime()) state = 'expired';
  else state = 'open';
  return {
    paymentHash: tx.payment_hash,
    bolt11: tx.invoice,
    amountMsat: BigInt(tx.amount),
    description: tx.description ?? '',
    createdAt,
    expiresAt,
    state,
    settledAt: settled ? new Date(tx.settled_at! * 1000) : null,
    // NIP-47 has one amount; a settled invoice was paid that much.
    amountPaidMsat: settled ? BigInt(tx.amount) : null,
    till: tx.metadata?.till_id ?? null,
  };
}

/**
 * NWC has no settle index, so a cursor is the settlement's own position: `<settled_at>:<payment_hash>`
 * ('0' before everything). Wallet time has one-second resolution, so replay includes the cursor's
 * own second (minus the cursor's payment): a tie is delivered twice rather than never.
 */
export interface Cursor {
  settledAt: number;
  paymentHash: string;
}

const CURSOR = /^(0|[1-9]\d{0,11}):([0-9a-f]{64})$/;

export function parseCursor(text: string): Cursor | null {
  if (text === '0') return null;
  const m = CURSOR.exec(text);
  if (!m) throw new BackendError('Rejected', `"${text}" is not an NWC settlement cursor.`);
  return { settledAt: Number(m[1]), paymentHash: m[2]! };
}

export function cursorOf(tx: Transaction): Cursor {
  return { settledAt: tx.settled_at ?? 0, paymentHash: tx.payment_hash };
}

export const formatCursor = (c: Cursor): string => `${c.settledAt}:${c.paymentHash}`;

export function compareCursors(a: Cursor, b: Cursor): number {
  if (a.settledAt !== b.settledAt) return a.settledAt - b.settledAt;
  return a.paymentHash < b.paymentHash ? -1 : a.paymentHash > b.paymentHash ? 1 : 0;
}

/** Whether a settlement is to be delivered to a subscriber resuming after `from`. */
export function isAfter(c: Cursor, from: Cursor | null): boolean {
  if (from === null) return true;
  return (
    c.settledAt > from.settledAt || (c.settledAt === from.settledAt && c.paymentHash !== from.paymentHash)
  );
}
