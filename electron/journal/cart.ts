import type { CartLine } from '../../shared/domain/index.js';
import { big, int, type Db } from './db.js';

/** The cart lives in the journal so a crashed window or a restarted till loses nothing. */

/** A cart_lines or sale_lines row: the two tables share their line columns. */
export interface LineRow {
  line_id: string;
  variant_id: string | null;
  title: string;
  variant_title: string | null;
  sku: string | null;
  unit_price: bigint;
  quantity: bigint;
}

export type NewCartLine = Omit<CartLine, 'lineTotal'>;

export function toCartLine(r: LineRow): CartLine {
  const quantity = int(r.quantity);
  const unitPrice = big(r.unit_price);
  return {
    lineId: r.line_id,
    variantId: r.variant_id,
    title: r.title,
    variantTitle: r.variant_title,
    sku: r.sku,
    unitPrice,
    quantity,
    lineTotal: unitPrice * BigInt(quantity),
  };
}

export function readCartLines(db: Db): CartLine[] {
  return (db.prepare('SELECT * FROM cart_lines ORDER BY position').all() as LineRow[]).map(toCartLine);
}

export function insertCartLine(db: Db, line: NewCartLine): void {
  db.prepare(
    `INSERT INTO cart_lines (line_id, position, variant_id, title, variant_title, sku, unit_price, quantity)
     VALUES (@lineId, (SELECT coalesce(max(position), 0) + 1 FROM cart_lines), @variantId, @title,
             @variantTitle, @sku, @unitPrice, @quantity)`,
  ).run(line);
}

/** Returns false when no such line exists. */
export function setCartLineQuantity(db: Db, lineId: string, quantity: number): boolean {
  const result =
    quantity === 0
      ? db.prepare('DELETE FROM cart_lines WHERE line_id = ?').run(lineId)
      : db.prepare('UPDATE cart_lines SET quantity = ? WHERE line_id = ?').run(quantity, lineId);
  return result.changes > 0;
}

export function clearCartLines(db: Db): void {
  db.prepare('DELETE FROM cart_lines').run();
}
