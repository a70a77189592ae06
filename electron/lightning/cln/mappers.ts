import { bech32 } from '@scure/base';
import { z } from 'zod';
import type { Network } from '../../../shared/domain/index.js';
import { BackendError, type Invoice, type InvoiceState } from '../backend.js';
import { TIMESTAMP_WORDS, wordsToInt } from '../bolt11/format.js';

/**
 * Core Lightning's answers (../shared/contracts/cln/*.json `response`) as zod schemas, and
 * their mapping into the till's Invoice. Only the fields the till reads are declared; the
 * rest pass through. CLN's u64/u32 and msat travel as JSON integers in current schemas.
 */

const U64 = z.number().int().nonnegative();
/** msat: a JSON integer. Beyond 2^53 msat (90,000 BTC) JSON numbers lose digits: refused. */
const Msat = z
  .number()
  .int()
  .nonnegative()
  .refine(Number.isSafeInteger, 'an amount beyond what a JSON number carries exactly');
const Hash = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');

export const GetInfoResponse = z.object({
  id: z.string().regex(/^0[23][0-9a-f]{64}$/, 'expected a compressed public key'),
  alias: z.string(),
  network: z.string(),
  blockheight: U64,
});

export const InvoiceResponse = z.object({
  bolt11: z.string().min(1),
  payment_hash: Hash,
  expires_at: U64,
  created_index: U64,
});

/** An entry of listinvoices, and what waitanyinvoice returns. */
export const ClnInvoice = z.object({
  label: z.string(),
  description: z.string().optional(),
  payment_hash: Hash,
  status: z.enum(['unpaid', 'paid', 'expired']),
  expires_at: U64,
  amount_msat: Msat.optional(),
  bolt11: z.string().min(1).optional(),
  created_index: U64,
  pay_index: U64.optional(),
  amount_received_msat: Msat.optional(),
  paid_at: U64.optional(),
});
export type ClnInvoice = z.infer<typeof ClnInvoice>;

export const ListInvoicesResponse = z.object({ invoices: z.array(ClnInvoice) });

/** clnrest's error body: the JSON-RPC error object (plugins/rest-plugin, AppError). */
export const RpcErrorBody = z.object({ code: z.number().optional(), message: z.string().optional() }).loose();

// getinfo `network`: lightningd's --network names.
const NETWORKS: Record<string, Network> = {
  bitcoin: 'mainnet',
  testnet: 'testnet',
  testnet4: 'testnet',
  signet: 'signet',
  regtest: 'regtest',
};

export function mapNetwork(name: string): Network | null {
  return Object.hasOwn(NETWORKS, name) ? NETWORKS[name]! : null;
}

/**
 * The BOLT11 timestamp, which is when CLN made the invoice: listinvoices has no creation time.
 * Read without verifying the signature (milliseconds each, and a page holds hundreds); the
 * till's own invoices were fully decoded and checked when created.
 */
export function bolt11Timestamp(bolt11: string): number {
  try {
    const lower = bolt11.toLowerCase() as `${string}1${string}`;
    const { words } = bech32.decode(lower, false);
    if (words.length < TIMESTAMP_WORDS) throw new Error('too short');
    return Number(wordsToInt(words.slice(0, TIMESTAMP_WORDS)));
  } catch {
    throw new BackendError('BadResponse', 'Core Lightning returned an invoice that is not BOLT11 text');
  }
}

/** Exhaustive: a new CLN status fails to compile here rather than map silently. */
const STATE: Record<ClnInvoice['status'], (expired: boolean) => InvoiceState> = {
  paid: () => 'settled',
  // Open past its expiry is expired, whatever the node's own clock said last.
  unpaid: (expired) => (expired ? 'expired' : 'open'),
  expired: () => 'expired',
};

/** null for a BOLT12 invoice (no bolt11 string): the till never makes those. */
export function toInvoice(raw: ClnInvoice, now: Date): Invoice | null {
  if (raw.bolt11 === undefined) return null;
  const expiresAt = new Date(raw.expires_at * 1000);
  const state = STATE[raw.status](now.getTime() >= expiresAt.getTime());
  const settled = state === 'settled';
  if (settled && (raw.paid_at === undefined || raw.amount_received_msat === undefined)) {
    throw new BackendError('BadResponse', 'Core Lightning reported a paid invoice without paid_at or amount');
  }
  return {
    paymentHash: raw.payment_hash,
    bolt11: raw.bolt11,
    // Only an `any` invoice has no amount_msat; the till never makes one.
    amountMsat: BigInt(raw.amount_msat ?? 0),
    description: raw.description ?? '',
    createdAt: new Date(bolt11Timestamp(raw.bolt11) * 1000),
    expiresAt,
    state,
    settledAt: settled ? new Date(raw.paid_at! * 1000) : null,
    amountPaidMsat: settled ? BigInt(raw.amount_received_msat!) : null,
    till: tillOfLabel(raw.label),
  };
}

/**
 * The label the till gives an invoice: unique (invoice.json requires it), and carrying the
 * till's id after an `@` when there is one, so several tills on one node tell theirs apart.
 */
export const invoiceLabel = (unique: string, till: string | undefined): string =>
  till === undefined ? `till-${unique}` : `till-${unique}@${till}`;

/** The till id in a label invoiceLabel wrote; null for any other label. */
export function tillOfLabel(label: string): string | null {
  const m = /^till-[0-9a-f-]{36}@(.+)$/.exec(label);
  return m ? m[1]! : null;
}
