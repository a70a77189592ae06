import type { NonceStatus } from '../../shared/offline-pay/status.js';
import type { Db } from '../journal/db.js';
import { notePaidSale } from '../journal/sales.js';

/**
 * "Proof later" (issue 17): once the till is back online it asks the companion server which of
 * its offline links were really paid, and writes down each answer. The companion's client is
 * companion-client.ts; this is what each answer does to the journal.
 *
 * A PIN the till accepted (state `paid`) becomes `confirmed` when the companion reports the
 * link paid with the same sale, till and msat — its invoice's hash recorded, so reconciliation
 * matches the sale with the node's payment — else `flagged` for a manager, with why. A flagged
 * one is asked again each round (a companion restored from a backup may find it later). A link
 * whose PIN was never accepted (still pending, locked by wrong PINs, or its sale cancelled) is
 * asked until half an hour after it expired: if the customer paid it anyway, the payment is
 * recorded on it and named to the manager — the money is on the node, the sale is not.
 */

export interface OfflineProof {
  /**
   * The companion's answer for each nonce asked. Throws (a TillError with words for a manager)
   * when it cannot be asked or its answer cannot be trusted: then nothing is written.
   */
  status(nonces: readonly string[]): Promise<Map<string, NonceStatus>>;
}

export interface ProofOutcome {
  /** Offline payments asked about. */
  asked: number;
  /** Sale ids whose PIN the companion's payment now proves. */
  confirmed: string[];
  /** Sale ids whose PIN was accepted and the companion has no (matching) payment for: for a manager. */
  flagged: string[];
  /** Sale ids whose link was paid though their PIN never was accepted: refund or ring up. */
  paidUnsold: string[];
}

interface Candidate {
  sale_id: string;
  nonce: string;
  state: string;
  sale_state: string;
  amount_msat: bigint;
  payment_hash: string | null;
}

/** How long after a link expired a payment of it can still appear (the companion's invoice lives 10 min). */
const LATE_PAYMENT_MIN = 30;
/** Links whose PIN never came are asked about for a day at most. */
const UNSOLD_WINDOW_MS = 24 * 3600_000;

function candidates(db: Db, now: Date): Candidate[] {
  return db
    .prepare(
      `SELECT op.sale_id, op.nonce, op.state, s.state AS sale_state, op.amount_msat, op.payment_hash
       FROM offline_payments op JOIN sales s ON s.id = op.sale_id
       WHERE op.state IN ('paid', 'flagged')
       UNION ALL
       SELECT op.sale_id, op.nonce, op.state, s.state, op.amount_msat, op.payment_hash
       FROM offline_payments op JOIN sales s ON s.id = op.sale_id
       WHERE op.state IN ('pending', 'locked', 'cancelled') AND op.payment_hash IS NULL AND op.created_at >= ?
         AND (op.proof_checked_at IS NULL
              OR op.proof_checked_at < strftime('%Y-%m-%dT%H:%M:%fZ', op.expires_at, '+${LATE_PAYMENT_MIN} minutes'))`,
    )
    .all(new Date(now.getTime() - UNSOLD_WINDOW_MS).toISOString()) as Candidate[];
}

/** Why a `paid` answer does not prove this payment, or null when it does. */
function disagreement(
  c: Candidate,
  a: Extract<NonceStatus, { state: 'paid' }>,
  tillId: string,
): string | null {
  if (a.saleId !== c.sale_id) return `the companion’s payment is for another sale (${a.saleId})`;
  if (a.tillId !== tillId) return `the companion’s payment is for another till (${a.tillId})`;
  if (BigInt(a.amountMsat) !== c.amount_msat)
    return `the companion’s payment is ${a.amountMsat} msat, the link asked ${c.amount_msat} msat`;
  return null;
}

/** Whether any offline payment waits for the companion's word (cheap: the timer asks it first). */
export function proofsPending(db: Db, now: Date): boolean {
  return candidates(db, now).length > 0;
}

/** What the manager sees in Settings: how many offline payments are in each state of proof. */
export function proofCounts(db: Db): { unproven: number; flagged: number; paidUnsold: number } {
  const row = db
    .prepare(
      `SELECT coalesce(sum(state = 'paid'), 0) AS unproven, coalesce(sum(state = 'flagged'), 0) AS flagged,
              coalesce(sum(state IN ('pending', 'locked', 'cancelled') AND payment_hash IS NOT NULL), 0) AS unsold
       FROM offline_payments`,
    )
    .get() as { unproven: bigint | number; flagged: bigint | number; unsold: bigint | number };
  return { unproven: Number(row.unproven), flagged: Number(row.flagged), paidUnsold: Number(row.unsold) };
}

/** Asks `proof` about every offline payment that waits for it and writes down the answers. */
export async function checkOfflineProofs(
  db: Db,
  proof: OfflineProof,
  now: () => Date,
  tillId: string,
): Promise<ProofOutcome> {
  const rows = candidates(db, now());
  const outcome: ProofOutcome = { asked: rows.length, confirmed: [], flagged: [], paidUnsold: [] };
  if (rows.length === 0) return outcome;
  const answers = await proof.status(rows.map((r) => r.nonce));
  const at = now().toISOString();
  const write = db.prepare(
    `UPDATE offline_payments SET state = ?, payment_hash = ?, settled_at = ?, proof_note = ?,
       proof_checked_at = ?, updated_at = ? WHERE sale_id = ? AND state = ?`,
  );
  db.transaction(() => {
    for (const r of rows) {
      const a = answers.get(r.nonce) ?? { state: 'unknown' as const };
      const accepted = r.state === 'paid' || r.state === 'flagged';
      const why =
        a.state === 'paid'
          ? disagreement(r, a, tillId)
          : a.state === 'unpaid'
            ? 'the companion server served the link but has no payment for it'
            : 'the companion server never served this link';
      if (!accepted) {
        // No PIN was accepted: only a payment of the link (this sale's) is news.
        const paid = a.state === 'paid' && why === null;
        write.run(
          r.state,
          paid ? a.paymentHash : null,
          paid ? a.settledAt : null,
          paid
            ? `paid on the node, though the sale is ${r.sale_state === 'cancelled' || r.sale_state === 'expired' ? r.sale_state : 'not paid'}`
            : null,
          at,
          at,
          r.sale_id,
          r.state,
        );
        if (paid) outcome.paidUnsold.push(r.sale_id);
        continue;
      }
      if (a.state === 'paid' && why === null) {
        write.run('confirmed', a.paymentHash, a.settledAt, null, at, at, r.sale_id, r.state);
        notePaidSale(db, r.sale_id, now(), {
          offlineProof: 'confirmed',
          paymentHash: a.paymentHash,
          settledAt: a.settledAt,
        });
        outcome.confirmed.push(r.sale_id);
      } else {
        write.run('flagged', null, null, why, at, at, r.sale_id, r.state);
        if (r.state !== 'flagged') notePaidSale(db, r.sale_id, now(), { offlineProof: 'flagged', why });
        outcome.flagged.push(r.sale_id);
      }
    }
  })();
  return outcome;
}
