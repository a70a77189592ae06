/**
 * A sale's number as receipts, the charge screen and the Sales list print it: at least six
 * digits, zero-padded ("Sale #000042"). Search matches what is printed, so it lives in one place.
 */
export const SALE_NUMBER_DIGITS = 6;

export function printedSaleNumber(n: number): string {
  return String(n).padStart(SALE_NUMBER_DIGITS, '0');
}

/**
 * What a receipt's QR code holds: "sale:" and the printed number ("sale:000042"). The prefix
 * keeps a scanned receipt from ever being taken for a product's barcode (EAN-8 is digits too);
 * a return scans it into Sales' search, which reads it as the number.
 */
export const SALE_CODE_PREFIX = 'sale:';

export function saleCode(n: number): string {
  return `${SALE_CODE_PREFIX}${printedSaleNumber(n)}`;
}

/** The sale number in a scanned receipt code ("sale:000042", as some scanners send "SALE:000042"), or null. */
export function saleNumberFromCode(code: string): number | null {
  const m = /^sale:(\d{1,12})$/i.exec(code.trim());
  return m ? Number(m[1]) : null;
}

/**
 * The digits of what a cashier typed or scanned to find a sale ("#000042", "42", a receipt's
 * "sale:000042"), or null if it is no number.
 */
export function saleNumberQuery(text: string): string | null {
  const digits = text.replace(/[\s#]/g, '').replace(/^sale:/i, '');
  return /^\d{1,12}$/.test(digits) ? digits : null;
}
