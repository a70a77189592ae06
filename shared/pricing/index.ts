import {
  allocate,
  currencyExponent,
  divRound,
  parseDecimal,
  type MinorUnits,
  type Rounding,
} from '../money/index.js';

/**
 * The pricing model: a cart in, priced lines and totals out. Pure (no I/O, no clock), so the
 * register, the charge screen, the receipt, the journal, the Shopify order and reconciliation
 * can all price the same cart and agree to the minor unit.
 *
 * Money is bigint minor units of `currency` (shared/money; JPY 0 decimals, EUR 2, BHD/KWD 3).
 * Every amount below is rounded to the currency's minor unit, so the exponent only matters
 * for validation here; percentages and rates are exact decimal strings ("20", "5.5"), never
 * floats, and every product of money and a percentage is an exact fraction until the one
 * named rounding step that ends it.
 *
 * A line is priced in this order, each step on what the previous one left:
 *
 *   1. subtotal          = unitPrice × quantity, as entered (tax included when the cart's
 *                          `taxesIncluded`, tax excluded otherwise). Exact.
 *   2. line discount     R1: a percentage of the subtotal, rounded **half-up, per line**; a
 *                          fixed amount is taken as given. Capped at the subtotal.
 *   3. cart discount     R2: a percentage of Σ(subtotal − line discount), rounded **half-up,
 *                          once per order**; a fixed amount is taken as given. Capped at that sum.
 *   4. cart-discount     R3: the cart discount is spread over every line (taxable or not) in
 *      share              proportion to (subtotal − line discount) by the **largest-remainder**
 *                          method (shared/money `allocate`; ties to the earlier line): the
 *                          shares sum exactly to the cart discount, no share exceeds its line,
 *                          and each is within one minor unit of its exact proportional value.
 *   5. discounted price  = subtotal − line discount − share, still as entered. Never negative.
 *   6. tax               R4: **per line, half-up**, then summed — Shopify's method: "tax amounts
 *                          are rounded at the line-item level … applying the tax rate to each
 *                          line in the order, rounding the results, and then adding these
 *                          subtotals together" (Shopify staff, citing the Help Center's tax
 *                          rounding page: https://community.shopify.com/c/accounting-and-taxes/
 *                          why-is-my-sales-tax-calculation-slightly-off-on-shopify/td-p/1784500).
 *                          The Admin API 2026-10 schema (contracts/shopify/admin_2026-10.json.gz)
 *                          agrees on where tax sits: `LineItem.taxLines` are "the taxes charged
 *                          for the line item", `TaxLine.priceSet` is "the amount of tax … after
 *                          discounts", and `Order.taxLines` "represent the total price for all
 *                          tax lines with the same `rate` and `title`" — the order's tax is the
 *                          sum of its lines'. (So an order sent to `orderCreate` carries these
 *                          per-line figures in `OrderCreateLineItemInput.taxLines`; tax lines on
 *                          the order instead "are split across the _taxable_ line items" by
 *                          Shopify, its way, not ours.) With rate r = percent / 100:
 *                            taxes added    (`taxesIncluded: false`): tax = round(net × r),
 *                                           net = discounted price, gross = net + tax;
 *                            taxes included (`taxesIncluded: true`, `Order.taxesIncluded`: "the
 *                                           subtotal and line item prices include tax
 *                                           amounts"): tax = round(gross × r / (1 + r)), i.e.
 *                                           gross − gross / (1 + r) rounded once,
 *                                           gross = discounted price, net = gross − tax.
 *                          A line that is not taxable (Shopify's `taxable` flag false) or has no
 *                          rate gets no tax: net = gross = discounted price.
 *   7. tip               R5: a percentage of the goods' gross (Σ line gross, after discounts,
 *                          tax included), rounded **half-up, once per order**; or a fixed amount.
 *                          The tip is what the customer adds to the total, whatever the cart's
 *                          tax mode: when tips are taxed the tax is carved out of it with the
 *                          tax-included formula (R4), never added on top.
 *
 * Neither Shopify's 2026-10 schema nor that answer says how an exact half is rounded; we round
 * halves up, the usual commercial rule. `ROUNDING` names each rule so that whatever else
 * reproduces these figures (the Shopify fake, a receipt printer) uses the same one.
 *
 * Taxes included vs added, the documented relation (held by the property tests): price a line
 * tax-added at net N, giving tax T and gross G = N + T; price the same line tax-included at G
 * and it gives back exactly net N and tax T. (N·r = T + e with |e| ≤ ½, so
 * G·r/(1+r) = T + e/(1+r), strictly within ½ of T for r > 0.) The other way is not exact: a
 * tax-included line's net, priced tax-added, gives a tax within one minor unit of the
 * included tax for rates up to 100 %.
 *
 * Totals: total = Σ line gross + tip = net + tax, where net = Σ line net + tip net and
 * tax = Σ line tax + tip tax; and subtotal − discounts = Σ discounted price.
 */

/** The rounding rule of each named step (R1, R2, R4, R5 above; R3 is largest remainder). */
export const ROUNDING = {
  lineDiscount: 'half-up',
  cartDiscount: 'half-up',
  tax: 'half-up',
  tip: 'half-up',
} as const satisfies Record<string, Rounding>;

export class PricingError extends Error {
  override readonly name = 'PricingError';
}

/** A named rate, as the receipt and Shopify's `TaxLine.title` show it: "VAT 20%". */
export interface TaxRate {
  readonly title: string;
  /** Percent as an exact decimal string: "20", "5.5", "0". */
  readonly percent: string;
}

export type Discount =
  | { readonly kind: 'percentage'; readonly percent: string; readonly reason: string }
  | { readonly kind: 'fixed'; readonly amount: MinorUnits; readonly reason: string };

export type Tip =
  | { readonly kind: 'percentage'; readonly percent: string }
  | { readonly kind: 'fixed'; readonly amount: MinorUnits };

export interface LineInput {
  readonly lineId: string;
  /** Minor units per unit, as entered: tax included when the cart's `taxesIncluded`. */
  readonly unitPrice: MinorUnits;
  readonly quantity: number;
  /** Shopify's `taxable` flag of the variant: false means no tax whatever the rate. */
  readonly taxable: boolean;
  /** The rate that applies to this line (default, per type or per product, chosen by the caller). */
  readonly taxRate: TaxRate | null;
  readonly discount?: Discount | null;
}

export interface CartInput {
  readonly currency: string;
  /** Prices are gross (Shopify's `taxesIncluded`) or net with tax added on top. */
  readonly taxesIncluded: boolean;
  readonly lines: readonly LineInput[];
  readonly cartDiscount?: Discount | null;
  readonly tip?: Tip | null;
  /** The rate on the tip, or null/absent for an untaxed tip. */
  readonly tipTaxRate?: TaxRate | null;
}

export interface AppliedDiscount {
  readonly discount: Discount;
  /** What it took off, after rounding (R1/R2) and capping. */
  readonly amount: MinorUnits;
}

export interface PricedLine {
  readonly lineId: string;
  readonly unitPrice: MinorUnits;
  readonly quantity: number;
  /** unitPrice × quantity, as entered. */
  readonly subtotal: MinorUnits;
  readonly lineDiscount: AppliedDiscount | null;
  readonly cartDiscountShare: MinorUnits;
  /** subtotal − line discount − cart-discount share, as entered (gross when taxes are included). */
  readonly discountedPrice: MinorUnits;
  /** The rate actually charged: null when the line is not taxable or has no rate. */
  readonly taxRate: TaxRate | null;
  /** The taxable base, tax excluded. */
  readonly net: MinorUnits;
  readonly tax: MinorUnits;
  readonly gross: MinorUnits;
}

export interface PricedTip {
  readonly tip: Tip;
  /** What the customer adds: net + tax. */
  readonly amount: MinorUnits;
  readonly taxRate: TaxRate | null;
  readonly net: MinorUnits;
  readonly tax: MinorUnits;
}

export interface PricingTotals {
  /** Σ line subtotals, as entered. */
  readonly subtotal: MinorUnits;
  readonly lineDiscounts: MinorUnits;
  readonly cartDiscount: MinorUnits;
  /** lineDiscounts + cartDiscount. */
  readonly discounts: MinorUnits;
  /** Σ line gross: the goods after discounts, tax included. */
  readonly goods: MinorUnits;
  readonly tip: MinorUnits;
  /** Σ line net + tip net. */
  readonly net: MinorUnits;
  /** Σ line tax + tip tax. */
  readonly tax: MinorUnits;
  /** What the customer pays: goods + tip = net + tax. */
  readonly total: MinorUnits;
}

export interface PricedCart {
  readonly currency: string;
  readonly taxesIncluded: boolean;
  readonly lines: readonly PricedLine[];
  readonly cartDiscount: AppliedDiscount | null;
  readonly tip: PricedTip | null;
  readonly totals: PricingTotals;
}

/** A percentage as an exact fraction of one: percent "5.5" → 55 / 1000. */
interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
}

function percentFraction(percent: string, what: string, max: bigint | null): Fraction {
  const d = parseDecimal(percent);
  const den = 100n * 10n ** BigInt(d.scale);
  if (d.units < 0n) throw new PricingError(`${what} must not be negative`);
  if (max !== null && d.units * 100n > max * den) throw new PricingError(`${what} must be at most ${max} %`);
  return { num: d.units, den };
}

function nonNegative(amount: MinorUnits, what: string): MinorUnits {
  if (amount < 0n) throw new PricingError(`${what} must not be negative`);
  return amount;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** R1/R2: what a discount takes off `base`, never more than `base`. */
function discountAmount(discount: Discount, base: MinorUnits, rounding: Rounding): MinorUnits {
  switch (discount.kind) {
    case 'percentage': {
      const p = percentFraction(discount.percent, 'A discount', 100n);
      return divRound(base * p.num, p.den, rounding);
    }
    case 'fixed':
      return min(nonNegative(discount.amount, 'A discount'), base);
  }
}

/** R4, taxes added: the tax on a net amount. */
export function taxOnNet(net: MinorUnits, rate: TaxRate): MinorUnits {
  const r = percentFraction(rate.percent, `The rate of ${rate.title}`, null);
  return divRound(net * r.num, r.den, ROUNDING.tax);
}

/** R4, taxes included: the tax inside a gross amount, gross × r / (1 + r) rounded once. */
export function taxInGross(gross: MinorUnits, rate: TaxRate): MinorUnits {
  const r = percentFraction(rate.percent, `The rate of ${rate.title}`, null);
  return divRound(gross * r.num, r.den + r.num, ROUNDING.tax);
}

/**
 * A rate as Shopify's `OrderCreateTaxLineInput.rate` wants it: "the proportion of the item
 * price that the tax represents as a decimal" — "20" % → "0.2", "5.5" → "0.055". Exact.
 */
export function rateProportion(rate: TaxRate): string {
  const { num, den } = percentFraction(rate.percent, `The rate of ${rate.title}`, null);
  const scale = den.toString().length - 1; // den is a power of ten
  const digits = num.toString().padStart(scale + 1, '0');
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, '');
  return text === '' ? '0' : text;
}

/** Two rates are the same row of the receipt (and the same Shopify order tax line) when title and rate agree. */
function rateKey(rate: TaxRate): string {
  return `${rate.title}\u0000${rateProportion(rate)}`;
}

export function priceCart(cart: CartInput): PricedCart {
  currencyExponent(cart.currency); // validates the code
  const chargedRate = (taxable: boolean, rate: TaxRate | null | undefined): TaxRate | null =>
    taxable && rate ? rate : null;

  const stage1 = cart.lines.map((line) => {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      throw new PricingError('A quantity must be a whole number of at least 1');
    }
    const subtotal = nonNegative(line.unitPrice, 'A price') * BigInt(line.quantity);
    const lineDiscount = line.discount
      ? { discount: line.discount, amount: discountAmount(line.discount, subtotal, ROUNDING.lineDiscount) }
      : null;
    return { line, subtotal, lineDiscount, afterLine: subtotal - (lineDiscount?.amount ?? 0n) };
  });

  const weights = stage1.map((s) => s.afterLine);
  const base = weights.reduce((a, b) => a + b, 0n);
  const cartDiscount = cart.cartDiscount
    ? {
        discount: cart.cartDiscount,
        amount: discountAmount(cart.cartDiscount, base, ROUNDING.cartDiscount),
      }
    : null;
  // R3: largest remainder; with nothing left to discount every share is zero.
  const shares = base === 0n ? weights.map(() => 0n) : allocate(cartDiscount?.amount ?? 0n, weights);

  const lines = stage1.map((s, i): PricedLine => {
    const share = shares[i] ?? 0n;
    const discountedPrice = s.afterLine - share;
    const taxRate = chargedRate(s.line.taxable, s.line.taxRate);
    let net = discountedPrice;
    let tax = 0n;
    if (taxRate) {
      if (cart.taxesIncluded) {
        tax = taxInGross(discountedPrice, taxRate);
        net = discountedPrice - tax;
      } else {
        tax = taxOnNet(discountedPrice, taxRate);
      }
    }
    return {
      lineId: s.line.lineId,
      unitPrice: s.line.unitPrice,
      quantity: s.line.quantity,
      subtotal: s.subtotal,
      lineDiscount: s.lineDiscount,
      cartDiscountShare: share,
      discountedPrice,
      taxRate,
      net,
      tax,
      gross: net + tax,
    };
  });

  const sum = (pick: (l: PricedLine) => bigint): bigint => lines.reduce((a, l) => a + pick(l), 0n);
  const goods = sum((l) => l.gross);

  let tip: PricedTip | null = null;
  if (cart.tip) {
    let amount: MinorUnits;
    switch (cart.tip.kind) {
      case 'percentage': {
        const p = percentFraction(cart.tip.percent, 'A tip', null);
        amount = divRound(goods * p.num, p.den, ROUNDING.tip);
        break;
      }
      case 'fixed':
        amount = nonNegative(cart.tip.amount, 'A tip');
        break;
    }
    const taxRate = cart.tipTaxRate ?? null;
    const tax = taxRate ? taxInGross(amount, taxRate) : 0n;
    tip = { tip: cart.tip, amount, taxRate, net: amount - tax, tax };
  }

  const lineDiscounts = sum((l) => l.lineDiscount?.amount ?? 0n);
  const cartDiscountTotal = cartDiscount?.amount ?? 0n;
  const tipAmount = tip?.amount ?? 0n;
  return {
    currency: cart.currency,
    taxesIncluded: cart.taxesIncluded,
    lines,
    cartDiscount,
    tip,
    totals: {
      subtotal: sum((l) => l.subtotal),
      lineDiscounts,
      cartDiscount: cartDiscountTotal,
      discounts: lineDiscounts + cartDiscountTotal,
      goods,
      tip: tipAmount,
      net: sum((l) => l.net) + (tip?.net ?? 0n),
      tax: sum((l) => l.tax) + (tip?.tax ?? 0n),
      total: goods + tipAmount,
    },
  };
}

export interface TaxBreakdownRow {
  /** null: the untaxed part (non-taxable lines, lines without a rate, an untaxed tip). */
  readonly taxRate: TaxRate | null;
  readonly net: MinorUnits;
  readonly tax: MinorUnits;
  readonly gross: MinorUnits;
}

/**
 * The receipt's tax breakdown, one row per rate (net, tax, gross), as EU receipts must show
 * it: the sums of the lines' own rounded figures (R4), never a tax recomputed on the row's
 * net — the same grouping as Shopify's `Order.taxLines` (one per `rate` and `title`). Rows
 * in ascending rate, then title; the untaxed part last. The rows' gross sum to the total.
 */
export function taxBreakdown(priced: PricedCart): TaxBreakdownRow[] {
  const rows = new Map<string, { taxRate: TaxRate | null; net: bigint; tax: bigint }>();
  const add = (taxRate: TaxRate | null, net: bigint, tax: bigint): void => {
    const key = taxRate ? rateKey(taxRate) : '';
    const row = rows.get(key) ?? { taxRate, net: 0n, tax: 0n };
    row.net += net;
    row.tax += tax;
    rows.set(key, row);
  };
  for (const l of priced.lines) add(l.taxRate, l.net, l.tax);
  if (priced.tip && priced.tip.amount > 0n) add(priced.tip.taxRate, priced.tip.net, priced.tip.tax);
  const order = (a: TaxRate | null, b: TaxRate | null): number => {
    if (!a || !b) return a ? -1 : b ? 1 : 0;
    const pa = percentFraction(a.percent, a.title, null);
    const pb = percentFraction(b.percent, b.title, null);
    const diff = pa.num * pb.den - pb.num * pa.den;
    return diff < 0n ? -1 : diff > 0n ? 1 : a.title < b.title ? -1 : a.title > b.title ? 1 : 0;
  };
  return [...rows.values()]
    .sort((a, b) => order(a.taxRate, b.taxRate))
    .map((r) => ({ taxRate: r.taxRate, net: r.net, tax: r.tax, gross: r.net + r.tax }));
}
