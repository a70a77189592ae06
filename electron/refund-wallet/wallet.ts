import type { Db } from '../journal/db.js';

/**
 * The refund wallet (issue 14): a spending connection kept apart from the receiving node, so the
 * credential that receives sales never pays anything out. The till pays a refund through it once:
 * the refund is journaled `paying` with the invoice's payment hash before `pay` is called, and a
 * refund found `paying` after a restart is settled by `lookup` — never by paying again.
 *
 * The same two calls serve the later LNURL-withdraw slice: its callback hands the till an
 * invoice, which goes through the same journal-then-pay path.
 */
export interface RefundWallet {
  /** What Settings shows: 'demo' moves no money. */
  readonly kind: 'demo' | 'nwc' | 'lnbits';
  /**
   * Pays the invoice (already decoded and checked by the till). Resolves with the preimage when
   * the wallet gives one (a demo payment has none). Throws `RefundPaymentFailed` only when the
   * wallet says for certain that nothing was paid; any other error leaves the outcome open, and
   * the till looks the payment up.
   */
  pay(invoice: string, paymentHash: string, amountMsat: bigint): Promise<{ preimage: string | null }>;
  /** What the wallet knows of a payment by its hash: 'unknown' when it never saw it. */
  lookup(paymentHash: string): Promise<RefundPaymentStatus>;
  /**
   * Whether the credential can pay, found out without paying (Settings → Refund wallet → Test):
   * ok false, with words the owner can act on, when it can only read or receive.
   */
  check?(): Promise<RefundWalletCheck>;
  /** Lets go of connections (the owner saved another wallet, or the till closes). */
  close?(): void;
}

export interface RefundWalletCheck {
  ok: boolean;
  message: string;
}

export type RefundPaymentStatus =
  | { state: 'paid'; preimage: string | null }
  | { state: 'failed'; reason: string }
  | { state: 'pending' }
  | { state: 'unknown' };

/** The wallet said, for certain, that it did not pay (no route, no balance, refused): safe to call the refund failed. */
export class RefundPaymentFailed extends Error {
  override name = 'RefundPaymentFailed';
}

/**
 * The demo refund wallet: "pays" by writing the payment into the journal (no money moves), so a
 * restart can look it up as it would on a real wallet. For trying refunds on the demo node.
 */
export function createDemoRefundWallet(db: Db, now: () => Date): RefundWallet {
  return {
    kind: 'demo',
    pay(invoice, paymentHash, amountMsat) {
      db.prepare(
        `INSERT INTO demo_refund_payments (payment_hash, invoice, amount_msat, paid_at)
         VALUES (?, ?, ?, ?) ON CONFLICT (payment_hash) DO NOTHING`,
      ).run(paymentHash, invoice, amountMsat, now().toISOString());
      return Promise.resolve({ preimage: null });
    },
    lookup(paymentHash) {
      const row = db.prepare('SELECT 1 FROM demo_refund_payments WHERE payment_hash = ?').get(paymentHash);
      return Promise.resolve(row ? { state: 'paid', preimage: null } : { state: 'unknown' });
    },
  };
}
