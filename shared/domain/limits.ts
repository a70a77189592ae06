/**
 * The longest text each input takes. The contract's zod schemas refuse anything longer, and
 * the screens set the same numbers as `maxLength`, so a paste is cut where the till would
 * refuse it instead of travelling to the till to be refused.
 */
export const MAX_LENGTH = {
  /** A BOLT11 invoice a customer shows for a refund (long route hints included). */
  refundInvoice: 4000,
  /** Ids the till hands out (sales, lines, variants, locations). */
  id: 200,
  search: 200,
  /** What a barcode scanner types. */
  barcode: 64,
  customTitle: 80,
  /** Why a discount was given ("regular", "damaged box"). */
  discountReason: 80,
  /** A held cart's name (the customer's, a table number). */
  parkedName: 60,
  /** A staff member's name as the receipt and the audit show it. */
  staffName: 60,
  /** Why cash went into or out of the drawer, or why it was opened without a sale. */
  cashReason: 80,
  /** A line's note for whoever makes it ("oat milk", "no onions"). */
  lineNote: 100,
  /** The order's note (the receipt and the Shopify order carry it). */
  orderNote: 500,
  /** Why something came back ("wrong size", "damaged"): the refund's note in Shopify too. */
  refundReason: 200,
  shopName: 80,
  /** A node's REST address (host:port or URL). */
  address: 300,
  /** Macaroons, runes, NWC and lndconnect URIs, LNbits keys. */
  secret: 20_000,
  /** PEM certificates. */
  certificate: 20_000,
  shopDomain: 200,
  shopifyToken: 500,
  shopifyClientId: 200,
  /** A manager's BTC price: "97250.50" and room for spaces. */
  rate: 32,
  reconcileOutcome: 64,
  /** A number of minutes the screen turns into seconds (invoice life, rate age). */
  minutes: 6,
  /** An amount limit in major units, "10000000000.00" and room for grouping commas. */
  amount: 20,
  percent: 3,
  /** What a Bolt Card reader reads or a keyboard-wedge reader types (an lnurlw:// URL or LNURL1…). */
  cardText: 2000,
} as const;
