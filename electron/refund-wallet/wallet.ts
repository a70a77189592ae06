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
  /**
   * The wallet's outgoing payments made in [from, to), a page at a time (reconciliation, issue
   * 14). Absent, or 'unsupported', when the wallet cannot list them: reconciliation then says
   * the refund wallet could not be checked.
   */
  listPayments?(from: Date, to: Date): AsyncIterable<WalletPaymentRecord[]> | 'unsupported';
  /** Lets go of connections (the owner saved another wallet, or the till closes). */
  close?(): void;
}

/** One outgoing payment as the wallet lists it. */
export interface WalletPaymentRecord {
  paymentHash: string;
  amountMsat: bigint;
  paidAt: Date;
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

/**
 * The wallet will not list its payments for this credential (a connection allowed to pay but not
 * to list): reconciliation then checks Lightning refunds against Shopify only, and says so.
 */
export class WalletCannotList extends Error {
  override name = 'WalletCannotList';
}

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
    listPayments(from, to) {
      return demoPayments(db, from, to);
    },
  };
}

/** The demo wallet's payments in [from, to), by time, 500 a page (keyset on paid_at, hash). */
async function* demoPayments(db: Db, from: Date, to: Date): AsyncGenerator<WalletPaymentRecord[]> {
  const page = db.prepare<
    [string, string, string, string, string],
    { h: string; m: number | bigint; at: string }
  >(
    `SELECT payment_hash AS h, amount_msat AS m, paid_at AS at FROM demo_refund_payments
     WHERE paid_at < ? AND (paid_at > ? OR (paid_at = ? AND payment_hash > ?)) AND paid_at >= ?
     ORDER BY paid_at, payment_hash LIMIT 500`,
  );
  let after = { at: '', hash: '' };
  for (;;) {
    const rows = page.all(to.toISOString(), after.at, after.at, after.hash, from.toISOString());
    if (rows.length === 0) return;
    yield rows.map((r) => ({ paymentHash: r.h, amountMsat: BigInt(r.m), paidAt: new Date(r.at) }));
    const last = rows[rows.length - 1]!;
    after = { at: last.at, hash: last.h };
    // Let the event loop breathe between pages.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
