import { z } from 'zod';
import type { Network } from '../../shared/domain/index.js';
import { createNwcClient, oneLine, type NwcClient, type WalletReply } from '../lightning/nwc/client.js';
import type { NwcConfig } from '../lightning/nwc/config.js';
import { network as networkOf } from '../lightning/nwc/mappers.js';
import {
  RefundPaymentFailed,
  WalletCannotList,
  type RefundPaymentStatus,
  type RefundWallet,
  type WalletPaymentRecord,
} from './wallet.js';

/**
 * A refund wallet reached over Nostr Wallet Connect (../shared/contracts/nostr/nip-47.md): a
 * connection of its own — not the receiving node's — allowed `pay_invoice` and `lookup_invoice`,
 * ideally with a budget set in the wallet. The transport and its encryption are the receiving
 * backend's (electron/lightning/nwc/client.ts); only what a refund needs lives here.
 */

export interface NwcRefundOptions {
  /** Per request; a pay call that outlives it is left open and looked up later. */
  timeoutMs?: number;
  /** The network the till pays on: a connection to a wallet elsewhere is reported by check(). */
  expectedNetwork?: () => Network;
}

const Hex32 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/)
  .transform((s) => s.toLowerCase());

// NIP-47 pay_invoice result: "preimage" (required), "fees_paid" (optional).
const PayResult = z.object({ preimage: Hex32, fees_paid: z.int().nonnegative().nullish() });

// NIP-47 lookup_invoice result, the fields a refund reads; state is optional in the spec.
const LookupResult = z.object({
  type: z.enum(['incoming', 'outgoing']),
  state: z.enum(['pending', 'settled', 'accepted', 'expired', 'failed']).nullish(),
  preimage: z.string().nullish(),
  payment_hash: Hex32,
  settled_at: z.int().nullish(),
});

// NIP-47 list_transactions result: the fields reconciliation reads of a payment out.
const ListResult = z.object({
  transactions: z.array(
    z.object({
      type: z.enum(['incoming', 'outgoing']),
      state: z.enum(['pending', 'settled', 'accepted', 'expired', 'failed']).nullish(),
      payment_hash: Hex32,
      amount: z.int().nonnegative(),
      created_at: z.int().nonnegative(),
      settled_at: z.int().nonnegative().nullish(),
    }),
  ),
});

/** NIP-47: clients SHOULD fetch at most 20 transactions a page (relays' payload limits). */
const LIST_PAGE = 20;
/** A period listing more pages than this is cut short with an error: narrow the period. */
const MAX_LIST_PAGES = 5_000;

const GetInfo = z.object({ network: z.string().nullish(), methods: z.array(z.string()) });

/**
 * NIP-47 error codes a wallet answers pay_invoice with before any money moves: it refused the
 * request as a whole (not allowed, over budget, no balance, too fast, not understood), so
 * nothing was sent. PAYMENT_FAILED is apart: the spec says it "may be due to a timeout", so it
 * is believed only once lookup_invoice agrees (see pay below). INTERNAL, OTHER and anything a
 * later NIP revision adds leave the outcome open: the till looks the payment up, never pays again.
 */
const REFUSED_BEFORE_PAYING: Record<string, (said: string) => string> = {
  INSUFFICIENT_BALANCE: (said) => `the refund wallet has too little balance (${said}).`,
  QUOTA_EXCEEDED: (said) =>
    `the refund wallet's budget for this connection is used up (${said}): raise it in the wallet, or refund in cash.`,
  RATE_LIMITED: (said) =>
    `the refund wallet says too many payments too fast (${said}): try again in a minute.`,
  RESTRICTED: (said) =>
    `this NWC connection may not pay (${said}): make a connection with pay_invoice in the wallet.`,
  UNAUTHORIZED: (said) =>
    `the refund wallet does not know this NWC connection (${said}): it was revoked, or paste it again.`,
  NOT_IMPLEMENTED: (said) => `the refund wallet cannot pay invoices (${said}).`,
  UNSUPPORTED_ENCRYPTION: (said) => `the refund wallet does not speak the till's encryption (${said}).`,
};

const said = (reply: { code: string; message: string }) =>
  reply.message === '' ? reply.code : `${reply.code}: ${oneLine(reply.message)}`;

export function createNwcRefundWallet(config: NwcConfig, opts: NwcRefundOptions = {}): RefundWallet {
  const client: NwcClient = createNwcClient(config, opts.timeoutMs ?? 30_000);

  async function lookup(paymentHash: string): Promise<RefundPaymentStatus> {
    const reply: WalletReply = await client.request('lookup_invoice', { payment_hash: paymentHash });
    if (!reply.ok) {
      // NIP-47 lookup_invoice: NOT_FOUND "The invoice could not be found": the wallet never paid it.
      if (reply.code === 'NOT_FOUND') return { state: 'unknown' };
      throw new Error(`The refund wallet did not look the payment up (${said(reply)}).`);
    }
    const parsed = LookupResult.safeParse(reply.result);
    if (!parsed.success) {
      throw new Error("The refund wallet's lookup_invoice answer is not what NIP-47 defines.");
    }
    const tx = parsed.data;
    if (tx.payment_hash !== paymentHash) {
      throw new Error('The refund wallet answered the look-up with another payment.');
    }
    // An invoice of the wallet's own with that hash is not a payment it made.
    if (tx.type !== 'outgoing') return { state: 'unknown' };
    switch (tx.state ?? null) {
      case 'settled':
        return { state: 'paid', preimage: tx.preimage ? tx.preimage.toLowerCase() : null };
      case 'failed':
      case 'expired':
        return { state: 'failed', reason: 'The refund wallet says the payment failed.' };
      case 'pending':
      case 'accepted':
        return { state: 'pending' };
      case null:
        // State is optional: a settled_at with no state still says paid.
        return tx.settled_at
          ? { state: 'paid', preimage: tx.preimage?.toLowerCase() ?? null }
          : { state: 'pending' };
    }
  }

  /**
   * Settled payments out whose creation falls in [from, to) — NIP-47 filters on creation time, in
   * whole seconds, inclusive — newest first, 20 a page by offset (a payment made meanwhile may
   * shift a page: reconciliation keeps one payment per hash). A connection not allowed to list
   * is WalletCannotList: the run then says the refund wallet could not be checked.
   */
  async function* outgoing(from: Date, to: Date): AsyncGenerator<WalletPaymentRecord[]> {
    const fromSec = Math.floor(from.getTime() / 1000);
    const untilSec = Math.ceil(to.getTime() / 1000);
    for (let page = 0; ; page++) {
      if (page >= MAX_LIST_PAGES)
        throw new Error(
          `The refund wallet lists more than ${MAX_LIST_PAGES * LIST_PAGE} payments in this period: reconcile a shorter one.`,
        );
      const reply = await client.request('list_transactions', {
        type: 'outgoing',
        from: fromSec,
        until: untilSec,
        limit: LIST_PAGE,
        offset: page * LIST_PAGE,
      });
      if (!reply.ok) {
        if (reply.code === 'RESTRICTED' || reply.code === 'NOT_IMPLEMENTED')
          throw new WalletCannotList(`The refund wallet will not list its payments (${said(reply)}).`);
        throw new Error(`The refund wallet did not list its payments (${said(reply)}).`);
      }
      const parsed = ListResult.safeParse(reply.result);
      if (!parsed.success)
        throw new Error("The refund wallet's list_transactions answer is not what NIP-47 defines.");
      const txs = parsed.data.transactions;
      yield txs
        .filter((tx) => tx.type === 'outgoing')
        .filter((tx) => tx.state === 'settled' || ((tx.state ?? null) === null && tx.settled_at != null))
        .filter((tx) => tx.created_at * 1000 >= from.getTime() && tx.created_at * 1000 < to.getTime())
        .map((tx) => ({
          paymentHash: tx.payment_hash,
          amountMsat: BigInt(tx.amount),
          paidAt: new Date((tx.settled_at ?? tx.created_at) * 1000),
        }));
      if (txs.length < LIST_PAGE) return;
    }
  }

  return {
    kind: 'nwc',
    async pay(invoice, paymentHash) {
      const reply = await client.request('pay_invoice', { invoice });
      if (reply.ok) {
        const parsed = PayResult.safeParse(reply.result);
        // A success without a readable preimage: the outcome is open, the look-up settles it.
        if (!parsed.success)
          throw new Error("The refund wallet's pay_invoice answer has no preimage the till can read.");
        return { preimage: parsed.data.preimage };
      }
      const refused = REFUSED_BEFORE_PAYING[reply.code];
      if (refused) throw new RefundPaymentFailed(refused(said(reply)));
      if (reply.code === 'PAYMENT_FAILED') {
        // NIP-47: "may be due to a timeout": believed when the wallet's own record agrees.
        const status = await lookup(paymentHash);
        switch (status.state) {
          case 'failed':
          case 'unknown':
            throw new RefundPaymentFailed(`the payment failed (${said(reply)}).`);
          case 'paid':
            return { preimage: status.preimage };
          case 'pending':
            break;
        }
      }
      throw new Error(
        `The refund wallet answered ${said(reply)}; the payment is looked up before anything else.`,
      );
    },
    lookup,
    async check() {
      let info: z.infer<typeof GetInfo>;
      try {
        const reply = await client.request('get_info', {});
        if (!reply.ok) {
          if (reply.code === 'UNAUTHORIZED') {
            return {
              ok: false,
              message: `The wallet does not know this NWC connection (${said(reply)}): paste it again.`,
            };
          }
          if (reply.code === 'RESTRICTED') {
            return {
              ok: false,
              message: `This NWC connection may not even read the wallet (${said(reply)}): make one with get_info, pay_invoice and lookup_invoice.`,
            };
          }
          return { ok: false, message: `The wallet refused get_info (${said(reply)}).` };
        }
        const parsed = GetInfo.safeParse(reply.result);
        if (!parsed.success)
          return { ok: false, message: "The wallet's get_info answer is not what NIP-47 defines." };
        info = parsed.data;
      } catch (err) {
        return {
          ok: false,
          message: `The wallet did not answer: ${oneLine(err instanceof Error ? err.message : String(err))}`,
        };
      }
      // NIP-47 get_info: "methods": the methods this connection may use.
      const missing = ['pay_invoice', 'lookup_invoice'].filter((m) => !info.methods.includes(m));
      if (missing.includes('pay_invoice')) {
        return {
          ok: false,
          message:
            'This NWC connection cannot spend (no pay_invoice): make a connection with pay_invoice and lookup_invoice, and a budget, in the wallet.',
        };
      }
      if (missing.length > 0) {
        return {
          ok: false,
          message:
            'This NWC connection can pay but not look payments up (no lookup_invoice): the till could not tell after a crash whether a refund went out. Allow lookup_invoice too.',
        };
      }
      if (info.network && opts.expectedNetwork) {
        let theirs: Network;
        try {
          theirs = networkOf(info.network);
        } catch {
          return {
            ok: false,
            message: `The wallet runs on "${oneLine(info.network)}", which the till cannot pay on.`,
          };
        }
        const ours = opts.expectedNetwork();
        if (theirs !== ours) {
          return { ok: false, message: `The wallet is on ${theirs}, but the till pays refunds on ${ours}.` };
        }
      }
      return {
        ok: true,
        message: 'The NWC connection can pay invoices and look payments up. Its budget is set in the wallet.',
      };
    },
    listPayments: (from, to) => outgoing(from, to),
    close: () => client.close(),
  };
}
