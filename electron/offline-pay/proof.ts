import type { Db } from '../journal/db.js';

/**
 * "Proof later" (issue 17): once the till is back online it asks the companion server which of
 * its offline nonces were really paid. The companion's status endpoint is built on the server's
 * side (companion/…); this is the till's end of it: the interface, a stub that knows nothing, and
 * the journal update each answer leads to. Not yet run by a timer: see README "Lightning offline
 * at the till" → What is left.
 */

/** What the companion server says of one nonce. */
export type ProofStatus = 'paid' | 'unpaid' | 'unknown';

export interface OfflineProof {
  /** The companion's answer for each nonce asked (a nonce it never saw: 'unpaid'). */
  status(nonces: readonly string[]): Promise<Map<string, ProofStatus>>;
}

/** Until the companion's status endpoint is wired in: knows nothing, changes nothing. */
export const NO_PROOF: OfflineProof = {
  status: (nonces) => Promise.resolve(new Map(nonces.map((n) => [n, 'unknown' as const]))),
};

export interface ProofOutcome {
  confirmed: string[];
  /** A PIN was accepted but the companion found no payment: for a manager. */
  flagged: string[];
}

/**
 * Asks `proof` about the offline payments whose PIN was accepted and not yet proven, and marks
 * each confirmed (paid on the node) or flagged (no payment found); 'unknown' leaves it for the
 * next round.
 */
export async function checkOfflineProofs(
  db: Db,
  proof: OfflineProof,
  now: () => Date,
): Promise<ProofOutcome> {
  const rows = db
    .prepare(`SELECT sale_id, nonce FROM offline_payments WHERE state = 'paid' ORDER BY created_at`)
    .all() as { sale_id: string; nonce: string }[];
  const outcome: ProofOutcome = { confirmed: [], flagged: [] };
  if (rows.length === 0) return outcome;
  const answers = await proof.status(rows.map((r) => r.nonce));
  const mark = db.prepare(
    `UPDATE offline_payments SET state = ?, updated_at = ? WHERE sale_id = ? AND state = 'paid'`,
  );
  db.transaction(() => {
    for (const r of rows) {
      const a = answers.get(r.nonce) ?? 'unknown';
      if (a === 'paid') {
        mark.run('confirmed', now().toISOString(), r.sale_id);
        outcome.confirmed.push(r.sale_id);
      } else if (a === 'unpaid') {
        mark.run('flagged', now().toISOString(), r.sale_id);
        outcome.flagged.push(r.sale_id);
      }
    }
  })();
  return outcome;
}
