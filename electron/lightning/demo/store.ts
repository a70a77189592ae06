import Database from 'better-sqlite3';
import { preparePrivateDatabase } from '../../files.js';
import { BackendError } from '../backend.js';

/**
 * The demo node's own SQLite file (never the till's journal: the node stands in for a separate
 * machine). Indexes follow LND: add_index numbers invoices as created, settle_index numbers
 * settlements node-wide, and is what a subscriber resumes from.
 */

export const STORE_FILE = 'demo-node.db';

const migrations: readonly string[] = [
  `CREATE TABLE invoices (
     add_index INTEGER PRIMARY KEY AUTOINCREMENT,
     payment_hash TEXT NOT NULL UNIQUE CHECK (length(payment_hash) = 64),
     preimage TEXT NOT NULL CHECK (length(preimage) = 64),
     bolt11 TEXT NOT NULL,
     description TEXT NOT NULL,
     amount_msat INTEGER NOT NULL CHECK (amount_msat > 0),
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('open', 'settled')),
     settle_index INTEGER UNIQUE,
     settled_at INTEGER,
     amount_paid_msat INTEGER,
     CHECK ((state = 'settled') = (settle_index IS NOT NULL AND settled_at IS NOT NULL AND amount_paid_msat IS NOT NULL))
   );
   CREATE INDEX invoices_created_at ON invoices (created_at);`,
  // The till that created the invoice (several tills on one node); null for older invoices.
  `ALTER TABLE invoices ADD COLUMN till TEXT;`,
];

export interface InvoiceRow {
  addIndex: number;
  paymentHash: string;
  preimage: string;
  bolt11: string;
  description: string;
  amountMsat: bigint;
  createdAt: Date;
  expiresAt: Date;
  settleIndex: number | null;
  settledAt: Date | null;
  amountPaidMsat: bigint | null;
  /** The till that created it; null when none said. */
  till: string | null;
}

export type NewInvoice = Omit<
  InvoiceRow,
  'addIndex' | 'settleIndex' | 'settledAt' | 'amountPaidMsat' | 'till'
> & {
  till?: string | null;
};

export interface DemoStore {
  insert(invoice: NewInvoice): InvoiceRow;
  byHash(paymentHash: string): InvoiceRow | null;
  /** Settles an open (or expired) invoice with the next settle_index; Rejected otherwise. */
  settle(paymentHash: string, at: Date): InvoiceRow;
  /** Settlements with settle_index > after, in settle_index order. */
  settledAfter(after: number): InvoiceRow[];
  /** The highest settle_index so far (0 before the first payment). */
  lastSettleIndex(): number;
  /** Invoices created in [from, to) with add_index > after, oldest first. */
  createdBetween(from: Date, to: Date, after: number, limit: number): InvoiceRow[];
  close(): void;
}

/** Integers come back as bigint (safeIntegers): msat never passes through a float. */
interface RawRow {
  add_index: bigint;
  payment_hash: string;
  preimage: string;
  bolt11: string;
  description: string;
  amount_msat: bigint;
  created_at: bigint;
  expires_at: bigint;
  settle_index: bigint | null;
  settled_at: bigint | null;
  amount_paid_msat: bigint | null;
  till: string | null;
}

const COLUMNS = `add_index, payment_hash, preimage, bolt11, description, amount_msat, created_at, expires_at,
  settle_index, settled_at, amount_paid_msat, till`;

function fromRaw(raw: RawRow): InvoiceRow {
  return {
    addIndex: Number(raw.add_index),
    paymentHash: raw.payment_hash,
    preimage: raw.preimage,
    bolt11: raw.bolt11,
    description: raw.description,
    amountMsat: raw.amount_msat,
    createdAt: new Date(Number(raw.created_at)),
    expiresAt: new Date(Number(raw.expires_at)),
    settleIndex: raw.settle_index === null ? null : Number(raw.settle_index),
    settledAt: raw.settled_at === null ? null : new Date(Number(raw.settled_at)),
    amountPaidMsat: raw.amount_paid_msat,
    till: raw.till,
  };
}

export function openDemoStore(path: string, nativeBinding?: string): DemoStore {
  preparePrivateDatabase(path);
  const db = new Database(path, nativeBinding ? { nativeBinding } : {});
  try {
    // Before anything else: a second process opening the same file waits instead of failing.
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.defaultSafeIntegers(true);
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }

  const insertStmt = db.prepare<
    [string, string, string, string, bigint, number, number, string | null],
    RawRow
  >(
    `INSERT INTO invoices (payment_hash, preimage, bolt11, description, amount_msat, created_at, expires_at, state, till)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?) RETURNING ${COLUMNS}`,
  );
  const byHashStmt = db.prepare<[string], RawRow>(`SELECT ${COLUMNS} FROM invoices WHERE payment_hash = ?`);
  const nextSettleIndex = db
    .prepare<[], bigint>('SELECT COALESCE(MAX(settle_index), 0) + 1 FROM invoices')
    .pluck();
  const settleStmt = db.prepare<[bigint, number, string], RawRow>(
    `UPDATE invoices SET state = 'settled', settle_index = ?, settled_at = ?, amount_paid_msat = amount_msat
     WHERE payment_hash = ? AND state = 'open' RETURNING ${COLUMNS}`,
  );
  const lastSettleStmt = db
    .prepare<[], bigint>('SELECT COALESCE(MAX(settle_index), 0) FROM invoices')
    .pluck();
  const settledAfterStmt = db.prepare<[number], RawRow>(
    `SELECT ${COLUMNS} FROM invoices WHERE settle_index > ? ORDER BY settle_index`,
  );
  const createdStmt = db.prepare<[number, number, number, number], RawRow>(
    // The unary + keeps SQLite walking add_index (and stopping at LIMIT) rather than taking
    // the created_at index and sorting the whole period again for every page.
    `SELECT ${COLUMNS} FROM invoices WHERE +created_at >= ? AND +created_at < ? AND add_index > ?
     ORDER BY add_index LIMIT ?`,
  );

  // IMMEDIATE takes the write lock before reading MAX(settle_index): two processes settling at
  // once get distinct, gap-free indexes.
  const settle = db.transaction((paymentHash: string, at: Date): InvoiceRow => {
    const current = byHashStmt.get(paymentHash);
    if (!current)
      throw new BackendError('Rejected', `The demo node has no invoice with payment hash ${paymentHash}.`);
    if (current.settle_index !== null) {
      throw new BackendError('Rejected', `The demo invoice ${paymentHash} is already paid.`);
    }
    const updated = settleStmt.get(nextSettleIndex.get() ?? 1n, at.getTime(), paymentHash);
    if (!updated) throw new BackendError('Rejected', `The demo invoice ${paymentHash} cannot be paid.`);
    return fromRaw(updated);
  });

  return {
    insert(invoice) {
      const raw = insertStmt.get(
        invoice.paymentHash,
        invoice.preimage,
        invoice.bolt11,
        invoice.description,
        invoice.amountMsat,
        invoice.createdAt.getTime(),
        invoice.expiresAt.getTime(),
        invoice.till ?? null,
      );
      if (!raw) throw new Error('INSERT … RETURNING returned no row');
      return fromRaw(raw);
    },
    byHash(paymentHash) {
      const raw = byHashStmt.get(paymentHash);
      return raw ? fromRaw(raw) : null;
    },
    settle: (paymentHash, at) => settle.immediate(paymentHash, at),
    settledAfter: (after) => settledAfterStmt.all(after).map(fromRaw),
    lastSettleIndex: () => Number(lastSettleStmt.get() ?? 0n),
    createdBetween: (from, to, after, limit) =>
      createdStmt.all(from.getTime(), to.getTime(), after, limit).map(fromRaw),
    close: () => db.close(),
  };
}

function migrate(db: Database.Database): void {
  db.transaction(() => {
    // Read inside the write lock: a second process starting at the same moment waits, then
    // sees the schema the first one wrote.
    const current = Number(db.pragma('user_version', { simple: true }));
    if (current > migrations.length) {
      throw new Error(
        `The demo node database was written by a newer Lightning Till (schema ${current}, this build knows ${migrations.length}).`,
      );
    }
    for (let version = current; version < migrations.length; version++) {
      db.exec(migrations[version] ?? '');
      db.pragma(`user_version = ${version + 1}`);
    }
  }).immediate();
}
