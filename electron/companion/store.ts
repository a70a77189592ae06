import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { preparePrivateDatabase } from '../files.js';

/**
 * The companion server's own small store (issue 17): one row per nonce it served, so a link is
 * good for one invoice even across restarts (the lnurl package's own store is in memory).
 *
 * States: `served` (the wallet read the link; no invoice yet), `invoicing` (a callback claimed
 * the nonce and the node is making the invoice), `invoiced` (the invoice exists), `paid` (the
 * node reported it settled).
 */

export type NonceState = 'served' | 'invoicing' | 'invoiced' | 'paid';

export interface NonceRow {
  nonce: string;
  keyId: string;
  /** The lnurl package's secret for this link (sha256 of key id and signature). */
  secret: string;
  saleId: string;
  tillId: string;
  amountMsat: bigint;
  expiresAt: number;
  metadataHash: string;
  paymentHash: string | null;
  bolt11: string | null;
  createdAt: string;
  state: NonceState;
  settledAt: string | null;
}

interface Raw {
  nonce: string;
  key_id: string;
  secret: string;
  sale_id: string;
  till_id: string;
  amount_msat: string;
  expires_at: number;
  metadata_hash: string;
  payment_hash: string | null;
  bolt11: string | null;
  created_at: string;
  state: NonceState;
  settled_at: string | null;
}

const fromRaw = (r: Raw): NonceRow => ({
  nonce: r.nonce,
  keyId: r.key_id,
  secret: r.secret,
  saleId: r.sale_id,
  tillId: r.till_id,
  amountMsat: BigInt(r.amount_msat),
  expiresAt: r.expires_at,
  metadataHash: r.metadata_hash,
  paymentHash: r.payment_hash,
  bolt11: r.bolt11,
  createdAt: r.created_at,
  state: r.state,
  settledAt: r.settled_at,
});

export interface CompanionStore {
  get(nonce: string): NonceRow | null;
  bySecret(secret: string): NonceRow | null;
  /** Records a served link; returns the row (the existing one when the nonce was served before). */
  serve(row: Omit<NonceRow, 'paymentHash' | 'bolt11' | 'state' | 'settledAt'>): NonceRow;
  /** served → invoicing, atomically: false when the nonce is not `served` (one invoice per nonce). */
  claim(nonce: string): boolean;
  /** The claimed row whose metadata hashes to this (the backend knows only the hash). */
  invoicingByMetadataHash(hash: string): NonceRow | null;
  invoiced(nonce: string, paymentHash: string, bolt11: string): void;
  /** invoicing → served: the node made no invoice, so the link may be tried again. */
  release(nonce: string): void;
  paid(nonce: string, settledAt: string): void;
  close(): void;
}

export const STORE_FILE = 'companion.sqlite';

export function openCompanionStore(dataDir: string): CompanionStore {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, STORE_FILE);
  preparePrivateDatabase(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS nonces (
    nonce TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    secret TEXT NOT NULL,
    sale_id TEXT NOT NULL,
    till_id TEXT NOT NULL,
    amount_msat TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    metadata_hash TEXT NOT NULL,
    payment_hash TEXT,
    bolt11 TEXT,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('served','invoicing','invoiced','paid')),
    settled_at TEXT
  ) STRICT`);
  db.exec('CREATE INDEX IF NOT EXISTS nonces_secret ON nonces (secret)');
  db.exec('CREATE INDEX IF NOT EXISTS nonces_metadata ON nonces (metadata_hash)');

  const get = db.prepare<[string], Raw>('SELECT * FROM nonces WHERE nonce = ?');
  const bySecret = db.prepare<[string], Raw>('SELECT * FROM nonces WHERE secret = ?');
  const insert = db.prepare(
    `INSERT OR IGNORE INTO nonces (nonce, key_id, secret, sale_id, till_id, amount_msat, expires_at,
       metadata_hash, created_at, state)
     VALUES (@nonce, @keyId, @secret, @saleId, @tillId, @amountMsat, @expiresAt, @metadataHash,
       @createdAt, 'served')`,
  );
  const setState = (from: NonceState, to: NonceState) =>
    db.prepare<[string]>(`UPDATE nonces SET state = '${to}' WHERE nonce = ? AND state = '${from}'`);
  const claim = setState('served', 'invoicing');
  const release = setState('invoicing', 'served');
  const invoicing = db.prepare<[string], Raw>(
    `SELECT * FROM nonces WHERE metadata_hash = ? AND state = 'invoicing'`,
  );
  const invoiced = db.prepare<[string, string, string]>(
    `UPDATE nonces SET state = 'invoiced', payment_hash = ?, bolt11 = ? WHERE nonce = ? AND state = 'invoicing'`,
  );
  const paid = db.prepare<[string, string]>(
    `UPDATE nonces SET state = 'paid', settled_at = ? WHERE nonce = ? AND state = 'invoiced'`,
  );

  const row = (r: Raw | undefined) => (r ? fromRaw(r) : null);
  return {
    get: (nonce) => row(get.get(nonce)),
    bySecret: (secret) => row(bySecret.get(secret)),
    serve(r) {
      insert.run({ ...r, amountMsat: r.amountMsat.toString() });
      return fromRaw(get.get(r.nonce)!);
    },
    claim: (nonce) => claim.run(nonce).changes === 1,
    invoicingByMetadataHash: (hash) => row(invoicing.get(hash)),
    invoiced(nonce, paymentHash, bolt11) {
      invoiced.run(paymentHash, bolt11, nonce);
    },
    release(nonce) {
      release.run(nonce);
    },
    paid(nonce, settledAt) {
      paid.run(settledAt, nonce);
    },
    close: () => db.close(),
  };
}
