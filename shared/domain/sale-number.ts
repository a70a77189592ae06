/**
 * A sale's number as receipts, the charge screen and the Sales list print it: at least six
 * digits, zero-padded ("Sale #000042"). Search matches what is printed, so it lives in one place.
 */
export const SALE_NUMBER_DIGITS = 6;

export function printedSaleNumber(n: number): string {
  return String(n).padStart(SALE_NUMBER_DIGITS, '0');
}

/** The digits of what a cashier typed to find a sale ("#000042", "42"), or null if it is no number. */
export function saleNumberQuery(text: string): string | null {
  const digits = text.replace(/[\s#]/g, '');
  return /^\d{1,12}$/.test(digits) ? digits : null;
}
