/** types.ts takesMoney, as SQL: a matched sale nobody paid is an item but not money taken. */
const MONEY_TAKEN = "NOT (outcome = 'matched' AND sale_state IS NOT NULL AND sale_state <> 'paid')";

/**
 * The bookkeeper's export: one row per item (time, sale id, tender, the sale's state, payment
 * hash, sats, fiat, rate, rate source, Shopify order name, outcome), RFC 4180 quoting, CRLF line
 * ends and a header, so a spreadsheet opens it as is. Amounts are exact decimals, never floats.
 * A row's amounts are money taken only when `money_taken` is `yes`: a cancelled or expired cart
 * nobody paid keeps its total (and `sale_state`) but says `no`, so a sum filtered on it (or on
 * `sale_state` = paid) never counts an unpaid cart. Appended after `money_taken` (so older
 * columns keep their place): the sale's `net`, `tax`, `tip` and `discount` as journaled, in
 * `currency` — net + tax = fiat, the tip is inside fiat, the discount was taken off before it. A
 * sale from before pricing reads net = fiat and 0 for the rest; a row without a sale leaves them
 * empty. Written by DuckDB's COPY from the results table (electron/reconcile/service.ts); the
 * macros (fiat_text, defuse) are in shared/reconcile/plan.ts.
 */
export const CSV_SELECT_SQL = `
SELECT strftime(epoch_ms(time), '%Y-%m-%dT%H:%M:%S.%gZ') AS "\ufefftime",
       sale_number, defuse(sale_id) AS sale_id, tender, sale_state, defuse(payment_hash) AS payment_hash,
       CASE WHEN msat % 1000 = 0 THEN CAST(msat // 1000 AS VARCHAR)
            ELSE CAST(msat // 1000 AS VARCHAR) || '.' || lpad(CAST(msat % 1000 AS VARCHAR), 3, '0') END AS sats,
       fiat_text(fiat, currency) AS fiat, currency, defuse(rate) AS rate, defuse(rate_source) AS rate_source,
       defuse(order_name) AS shopify_order, outcome, repair AS suggested_repair,
       nullif(defuse(detail), '') AS detail,
       CASE WHEN ${MONEY_TAKEN} THEN 'yes' ELSE 'no' END AS money_taken,
       fiat_text(net, currency) AS net, fiat_text(tax, currency) AS tax, fiat_text(tip, currency) AS tip,
       fiat_text(discounts, currency) AS discount
FROM results ORDER BY time NULLS FIRST, seq`;

/** The same items typed, for DuckDB, pandas or a warehouse: amounts in msat and minor units. */
export const PARQUET_SELECT_SQL = `
SELECT seq, epoch_ms(time) AS time, sale_number, sale_id, tender, sale_state, payment_hash, msat,
       fiat, currency, fiat_text(fiat, currency) AS fiat_decimal, rate, rate_source, order_id,
       order_name AS shopify_order, outcome, repair AS suggested_repair, safe AND repair <> 'none' AS safe_repair,
       detail, ${MONEY_TAKEN} AS money_taken, net, tax, tip, discounts AS discount, applied
FROM results ORDER BY time NULLS FIRST, seq`;

/** One RFC 4180 cell, with a formula-looking text defused for spreadsheets. */
export function cell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  // A leading = + - @ would be read as a formula by a spreadsheet.
  const safe = /^[=+\-@]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
