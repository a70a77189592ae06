import type { CartLine } from '../../shared/domain/index.js';
import type { Discount } from '../../shared/domain/index.js';
import { clearCartLines, readDiscount, toCartLine, writeDiscount, type LineRow } from './cart.js';
import { int, type Db } from './db.js';

/** Held carts: the cart's lines copied aside under a name, prices as they were when parked. */

export interface ParkedRow {
  id: string;
  name: string;
  currency: string;
  parkedAt: string;
  discount: Discount | null;
  note: string | null;
  lines: CartLine[];
}

export function readParkedCarts(db: Db): ParkedRow[] {
  const carts = db
    .prepare(
      'SELECT id, name, currency, parked_at, discount_json, note FROM parked_carts ORDER BY parked_at, rowid',
    )
    .all() as {
    id: string;
    name: string;
    currency: string;
    parked_at: string;
    discount_json: string | null;
    note: string | null;
  }[];
  const lines = db.prepare('SELECT * FROM parked_cart_lines WHERE parked_id = ? ORDER BY position');
  return carts.map((c) => ({
    id: c.id,
    name: c.name,
    currency: c.currency,
    parkedAt: c.parked_at,
    discount: readDiscount(c.discount_json),
    note: c.note,
    lines: (lines.all(c.id) as LineRow[]).map(toCartLine),
  }));
}

export function readParkedCart(db: Db, id: string): ParkedRow | null {
  return readParkedCarts(db).find((c) => c.id === id) ?? null;
}

export function countParkedCarts(db: Db): number {
  return int((db.prepare('SELECT count(*) AS n FROM parked_carts').get() as { n: bigint }).n);
}

/** Moves every cart line into a new parked cart (call inside a transaction). */
export function parkCartLines(db: Db, cart: Omit<ParkedRow, 'lines'>): void {
  db.prepare(
    'INSERT INTO parked_carts (id, name, currency, parked_at, discount_json, note) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(cart.id, cart.name, cart.currency, cart.parkedAt, writeDiscount(cart.discount), cart.note);
  db.prepare(
    `INSERT INTO parked_cart_lines (parked_id, line_id, position, variant_id, title, variant_title, sku, unit_price, quantity, discount_json, note)
     SELECT ?, line_id, position, variant_id, title, variant_title, sku, unit_price, quantity, discount_json, note
     FROM cart_lines`,
  ).run(cart.id);
  clearCartLines(db);
}

/** Returns false when no such parked cart exists. */
export function deleteParkedCart(db: Db, id: string): boolean {
  return db.prepare('DELETE FROM parked_carts WHERE id = ?').run(id).changes > 0;
}
