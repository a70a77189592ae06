import { join } from 'node:path';
import Database from 'better-sqlite3';
import { STORE_FILE } from '../lightning/demo/store.js';
import { mulberry32 } from '../../shared/random.js';

/**
 * A busy shop's year written straight into a till's data folder (a till must have started there
 * once, so the journal and the demo node's store exist, and be closed): `n` sales from
 * 2025-11-25 to 2026-11-24, 85% Lightning with their invoices settled in the demo node, 15%
 * cash; one Lightning payment in a hundred never reached the journal (the sale expired unpaid),
 * which the reconciliation must find. Seeded: the same `n` gives the same year.
 */
export function fillYearOfSales(dataDir: string, n: number, seed = 20261125): { lightning: number } {
  const start = Date.UTC(2025, 10, 25);
  const span = 365 * 24 * 3600 * 1000;
  const journal = new Database(join(dataDir, 'journal.sqlite'));
  const node = new Database(join(dataDir, STORE_FILE));
  const rand = mulberry32(seed);
  const hex = (k: number) => (Math.floor(rand() * 2 ** 32) >>> 0).toString(16).padStart(8, '0') + k;
  const insertSale = journal.prepare(
    `INSERT INTO sales (id, number, state, currency, total, created_at, updated_at, paid_at, amount_paid_msat, invoice_hash)
     VALUES (?, ?, ?, 'USD', ?, ?, ?, ?, ?, ?)`,
  );
  const insertSaleInvoice = journal.prepare(
    `INSERT INTO sale_invoices (payment_hash, sale_id, backend, bolt11, amount_msat, created_at, expires_at, rate,
       rate_currency, rate_source, rate_fetched_at, settled_at, amount_paid_msat)
     VALUES (?, ?, 'demo', 'lnbcrt1', ?, ?, ?, '70000', 'USD', 'Demo rate', ?, ?, ?)`,
  );
  const insertInvoice = node.prepare(
    `INSERT INTO invoices (payment_hash, preimage, bolt11, description, amount_msat, created_at, expires_at, state,
       settle_index, settled_at, amount_paid_msat)
     VALUES (?, ?, 'lnbcrt1', 'bench', ?, ?, ?, 'settled', ?, ?, ?)`,
  );
  const cashTender = journal.prepare(`UPDATE sales SET invoice_hash = NULL WHERE id = ?`);
  let settleIndex = 0;
  let lightning = 0;
  const fill = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const t = start + Math.floor((span * i) / n);
      const at = new Date(t).toISOString();
      const paid = new Date(t + 20_000).toISOString();
      const cents = 100 + Math.floor(rand() * 5_000);
      // 70,000 USD/BTC: a cent is 14,285.7 msat; invoices round up to a whole sat.
      const msat = BigInt(Math.ceil((cents * 1e9) / 70_000 / 1000) * 1000);
      const id = `sale-${i}`;
      const cash = rand() < 0.15;
      // One Lightning payment in a hundred never reached the journal: the sale expired unpaid.
      const lost = !cash && rand() < 0.01;
      const hash = cash
        ? null
        : (hex(0) + hex(1) + hex(2) + hex(3) + hex(4) + hex(5) + hex(6)).slice(0, 57) +
          String(i).padStart(7, '0');
      insertSale.run(
        id,
        i + 1,
        lost ? 'expired' : 'paid',
        BigInt(cents),
        at,
        paid,
        lost ? null : paid,
        cash || lost ? null : msat,
        hash,
      );
      if (cash) {
        cashTender.run(id);
        continue;
      }
      lightning++;
      insertSaleInvoice.run(
        hash,
        id,
        msat,
        at,
        new Date(t + 600_000).toISOString(),
        at,
        lost ? null : paid,
        lost ? null : msat,
      );
      insertInvoice.run(
        hash,
        hash,
        msat,
        BigInt(t),
        BigInt(t + 600_000),
        ++settleIndex,
        BigInt(t + 20_000),
        msat,
      );
    }
  };
  const batch = 50_000;
  for (let i = 0; i < n; i += batch) {
    journal.transaction(() => node.transaction(() => fill(i, Math.min(n, i + batch)))())();
  }
  // The tender column arrived with migration 2; cash sales say so.
  journal.prepare(`UPDATE sales SET tender = 'cash' WHERE invoice_hash IS NULL`).run();
  // The till has heard every settlement up to here (else it would replay and heal the lost
  // payments on start, which is its job, but not this benchmark's).
  journal.prepare('UPDATE backend_cursors SET cursor = ?').run(String(settleIndex));
  journal.close();
  node.close();
  return { lightning };
}
