import { fromWire, toWire } from '../../shared/contract/wire.js';
import { Discount, type CartLine } from '../../shared/domain/index.js';
import { big, int, type Db } from './db.js';
import { readMeta, writeMeta } from './settings.js';

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
  discount_json: string | null;
  note: string | null;
}

/** A discount as stored; one this version cannot read counts as none rather than failing the cart. */
export function readDiscount(json: string | null): Discount | null {
  if (json === null) return null;
  const parsed = Discount.safeParse(fromWire(json));
  return parsed.success ? parsed.data : null;
}

export function writeDiscount(discount: Discount | null): string | null {
  return discount === null ? null : toWire(discount);
}

export type NewCartLine = Omit<CartLine, 'lineTotal' | 'discount' | 'note'> & {
  discount?: Discount | null;
  note?: string | null;
};

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
    discount: readDiscount(r.discount_json),
    note: r.note,
  };
}

export function readCartLines(db: Db): CartLine[] {
  return (db.prepare('SELECT * FROM cart_lines ORDER BY position').all() as LineRow[]).map(toCartLine);
}

export function insertCartLine(db: Db, line: NewCartLine): void {
  db.prepare(
    `INSERT INTO cart_lines (line_id, position, variant_id, title, variant_title, sku, unit_price, quantity, discount_json, note)
     VALUES (@lineId, (SELECT coalesce(max(position), 0) + 1 FROM cart_lines), @variantId, @title,
             @variantTitle, @sku, @unitPrice, @quantity, @discountJson, @note)`,
  ).run({
    lineId: line.lineId,
    variantId: line.variantId,
    title: line.title,
    variantTitle: line.variantTitle,
    sku: line.sku,
    unitPrice: line.unitPrice,
    quantity: line.quantity,
    discountJson: writeDiscount(line.discount ?? null),
    note: line.note ?? null,
  });
}

/** Returns false when no such line exists. */
export function setCartLineQuantity(db: Db, lineId: string, quantity: number): boolean {
  const result =
    quantity === 0
      ? db.prepare('DELETE FROM cart_lines WHERE line_id = ?').run(lineId)
      : db.prepare('UPDATE cart_lines SET quantity = ? WHERE line_id = ?').run(quantity, lineId);
  return result.changes > 0;
}

/** Returns false when no such line exists. */
export function setCartLineDiscount(db: Db, lineId: string, discount: Discount | null): boolean {
  return (
    db
      .prepare('UPDATE cart_lines SET discount_json = ? WHERE line_id = ?')
      .run(writeDiscount(discount), lineId).changes > 0
  );
}

/** Returns false when no such line exists. */
export function setCartLineNote(db: Db, lineId: string, note: string | null): boolean {
  return db.prepare('UPDATE cart_lines SET note = ? WHERE line_id = ?').run(note, lineId).changes > 0;
}

const CART_DISCOUNT = 'cart_discount';
const CART_NOTE = 'cart_note';

/** The discount on the whole cart (kept in meta beside the lines). */
export function readCartDiscount(db: Db): Discount | null {
  return readDiscount(readMeta(db, CART_DISCOUNT));
}

export function writeCartDiscount(db: Db, discount: Discount | null): void {
  writeMeta(db, CART_DISCOUNT, writeDiscount(discount));
}

/** The order's note (kept in meta beside the lines). */
export function readCartNote(db: Db): string | null {
  return readMeta(db, CART_NOTE);
}

export function writeCartNote(db: Db, note: string | null): void {
  writeMeta(db, CART_NOTE, note);
}

/** Empties the cart: its lines, its discount and its note. */
export function clearCartLines(db: Db): void {
  db.prepare('DELETE FROM cart_lines').run();
  writeCartDiscount(db, null);
  writeCartNote(db, null);
}
