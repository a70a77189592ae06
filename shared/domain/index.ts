import { z } from 'zod';
import { MAX_LENGTH } from './limits.js';
import { Session } from './staff.js';

export * from './staff.js';
export * from './shift.js';
export * from './refund.js';
export * from './lnurl-withdraw.js';
export * from './offline-pay.js';

/**
 * Domain shapes shared by the till and the renderer. Each is a zod schema (the contract
 * validates with it) and a type inferred from it, so the two can never drift apart.
 * Money fields are bigint: msat for Lightning, minor units for fiat (shared/money).
 */

const id = z.string().min(1).max(MAX_LENGTH.id);
const money = z.bigint();

export const Variant = z.object({
  id,
  productId: id,
  title: z.string(),
  sku: z.string().nullable(),
  barcode: z.string().nullable(),
  /** Minor units of the shop currency, as sold (tax included when the shop prices so). */
  price: money,
  compareAtPrice: money.nullable(),
  taxable: z.boolean(),
  inventoryQuantity: z.number().int().nullable(),
  imageUrl: z.string().nullable(),
  options: z.array(z.object({ name: z.string(), value: z.string() })),
});
export type Variant = z.infer<typeof Variant>;

export const Product = z.object({
  id,
  title: z.string(),
  vendor: z.string().nullable(),
  productType: z.string().nullable(),
  status: z.enum(['ACTIVE', 'ARCHIVED', 'DRAFT']),
  imageUrl: z.string().nullable(),
  variants: z.array(Variant),
});
export type Product = z.infer<typeof Product>;

/** An exact percentage as typed: "10", "12.5", at most 100. */
const percent = z
  .string()
  .trim()
  .max(9, { message: 'Enter a percentage such as 10 or 12.5', abort: true })
  .regex(/^(100(\.0{1,4})?|\d{1,2}(\.\d{1,4})?)$/, 'Enter a percentage such as 10 or 12.5');

const reason = z.string().trim().max(MAX_LENGTH.discountReason);

/** A discount on a line or on the whole cart, and why (the receipt and Shopify show it). */
export const Discount = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('percentage'), percent, reason }).strict(),
  z
    .object({
      kind: z.literal('fixed'),
      amount: z
        .bigint()
        .positive('Enter an amount above zero')
        .max(10n ** 12n, 'That amount is too large'),
      reason,
    })
    .strict(),
]);
export type Discount = z.infer<typeof Discount>;

/** What the customer adds on the charge screen. */
export const Tip = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('percentage'), percent }).strict(),
  z
    .object({
      kind: z.literal('fixed'),
      amount: z
        .bigint()
        .min(0n)
        .max(10n ** 12n, 'That tip is too large'),
    })
    .strict(),
]);
export type Tip = z.infer<typeof Tip>;

export const TaxRateRef = z.object({ title: z.string(), percent: z.string() });
const applied = z.object({ discount: Discount, amount: money });

/**
 * A cart or sale priced by shared/pricing (its PricedCart, field for field), with the receipt's
 * tax breakdown: every total the screens, the receipt, the journal and Shopify show.
 */
export const Pricing = z.object({
  currency: z.string(),
  taxesIncluded: z.boolean(),
  lines: z.array(
    z.object({
      lineId: id,
      unitPrice: money,
      quantity: z.number().int(),
      subtotal: money,
      lineDiscount: applied.nullable(),
      cartDiscountShare: money,
      discountedPrice: money,
      taxRate: TaxRateRef.nullable(),
      net: money,
      tax: money,
      gross: money,
    }),
  ),
  cartDiscount: applied.nullable(),
  tip: z
    .object({ tip: Tip, amount: money, taxRate: TaxRateRef.nullable(), net: money, tax: money })
    .nullable(),
  totals: z.object({
    subtotal: money,
    lineDiscounts: money,
    cartDiscount: money,
    discounts: money,
    goods: money,
    tip: money,
    net: money,
    tax: money,
    total: money,
  }),
  /** One row per rate (net, tax, gross), the untaxed part last with taxRate null. */
  taxLines: z.array(z.object({ taxRate: TaxRateRef.nullable(), net: money, tax: money, gross: money })),
});
export type Pricing = z.infer<typeof Pricing>;

export const CartLine = z.object({
  lineId: id,
  /** null for a custom amount keyed on the keypad. */
  variantId: id.nullable(),
  title: z.string(),
  variantTitle: z.string().nullable(),
  sku: z.string().nullable(),
  unitPrice: money,
  quantity: z.number().int().positive(),
  /** unitPrice × quantity, before discounts (and as priced: tax included or not). */
  lineTotal: money,
  /** This line's own discount, as the cashier set it. */
  discount: Discount.nullable(),
  /** What the customer asked for this line ("oat milk"); null: none. */
  note: z.string().nullable(),
});
export type CartLine = z.infer<typeof CartLine>;

export const Cart = z.object({
  currency: z.string(),
  lines: z.array(CartLine),
  itemCount: z.number().int(),
  /** What the customer pays before any tip: after discounts, tax included (pricing.totals.goods). */
  total: money,
  /** Indicative only: sats at the current rate. The rate is locked when the invoice is issued. */
  estimatedMsat: money.nullable(),
  /** The discount on the whole cart, as the cashier set it. */
  discount: Discount.nullable(),
  /** The order's note; null: none. */
  note: z.string().nullable(),
  pricing: Pricing,
});
export type Cart = z.infer<typeof Cart>;

/** A cart set aside under a name (a customer fetching their wallet), its prices as parked. */
export const ParkedCart = z.object({
  id,
  name: z.string(),
  currency: z.string(),
  /** ISO time it was parked. */
  parkedAt: z.string(),
  /** The cart's own discount, kept with it. */
  discount: Discount.nullable(),
  /** The cart's order note, kept with it. */
  note: z.string().nullable(),
  lines: z.array(CartLine),
  itemCount: z.number().int(),
  /** Σ lines before discounts, at the prices parked. */
  total: money,
});
export type ParkedCart = z.infer<typeof ParkedCart>;

/** What resuming a parked cart changed: the catalog's price moved, or the product is gone. */
export const ResumeChange = z.object({
  title: z.string(),
  variantTitle: z.string().nullable(),
  kind: z.enum(['repriced', 'removed']),
  /** The unit price when parked. */
  was: money,
  /** The unit price now; null when removed. */
  now: money.nullable(),
});
export type ResumeChange = z.infer<typeof ResumeChange>;

export const SaleState = z.enum(['open', 'awaiting_payment', 'paid', 'expired', 'cancelled']);
export type SaleState = z.infer<typeof SaleState>;

export const RateQuote = z.object({
  currency: z.string(),
  /** Fiat major units per 1 BTC, as an exact decimal string. */
  rate: z.string(),
  source: z.string(),
  fetchedAt: z.string(),
});
export type RateQuote = z.infer<typeof RateQuote>;

export const SaleInvoice = z.object({
  paymentHash: z.string().regex(/^[0-9a-f]{64}$/),
  bolt11: z.string(),
  amountMsat: money,
  createdAt: z.string(),
  expiresAt: z.string(),
  rate: RateQuote,
});
export type SaleInvoice = z.infer<typeof SaleInvoice>;

export const Tender = z.enum(['lightning', 'cash', 'lightning-offline']);
export type Tender = z.infer<typeof Tender>;

/** Where the sale stands with Shopify: none before it is paid (or with no store connected). */
export const OrderSync = z.object({
  state: z.enum(['pending', 'done', 'failed']),
  /** Shopify's order name, e.g. #1042, once known. */
  orderName: z.string().nullable(),
  /** Why it is parked, for a manager to act on. */
  error: z.string().nullable(),
});
export type OrderSync = z.infer<typeof OrderSync>;

export const Sale = z.object({
  id,
  tender: Tender,
  /** Cash only: what the customer handed over, in minor units; change is this minus the total. */
  cashTendered: money.nullable(),
  number: z.number().int().positive(),
  state: SaleState,
  currency: z.string(),
  lines: z.array(CartLine),
  /** What the customer pays: after discounts, tax and tip included. */
  total: money,
  /** Taxes, discounts and tip as rung up; null for a sale from before pricing (the lines' sum). */
  pricing: Pricing.nullable(),
  /** The order note as rung up (receipt, Shopify order); null: none. */
  note: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The invoice on screen (the latest one issued for this sale). */
  invoice: SaleInvoice.nullable(),
  paidAt: z.string().nullable(),
  amountPaidMsat: money.nullable(),
  /** Set when the payment settled after the invoice's expiry: journaled, flagged for a manager. */
  paidLate: z.boolean(),
  stateReason: z.string().nullable(),
  order: OrderSync.nullable(),
  /** Who rang it up (the receipt, the Shopify order); null for a sale from before staff. */
  staffName: z.string().nullable(),
  /** Charged with Lightning while the till was offline (issue 17): its link's nonce, sats and rate. */
  offline: z
    .object({
      nonce: z.string(),
      amountMsat: money,
      rate: RateQuote,
      state: z.enum(['pending', 'paid', 'locked', 'confirmed', 'flagged', 'cancelled']),
    })
    .nullable()
    .optional(),
});
export type Sale = z.infer<typeof Sale>;

export const SaleSummary = Sale.pick({
  id: true,
  number: true,
  state: true,
  currency: true,
  total: true,
  createdAt: true,
  paidAt: true,
  amountPaidMsat: true,
  paidLate: true,
  tender: true,
  order: true,
}).extend({
  itemCount: z.number().int(),
  /** From the sale's pricing, minor units: what discounts took off, the tax in the total, the tip. 0
   * for a sale from before pricing (no tax, no discount). */
  discounts: money,
  tax: money,
  tip: money,
});
export type SaleSummary = z.infer<typeof SaleSummary>;

/**
 * The paid sales of one currency. Minor units of different currencies never add up (cents and
 * euro cents are different money), so a day's totals are one of these per currency.
 */
export const CurrencyTotal = z.object({
  currency: z.string(),
  paidCount: z.number().int(),
  paidTotal: money,
  /** What arrived over Lightning for these sales; cash sales add nothing. */
  paidMsat: money,
  /** The tax and the tips inside `paidTotal`. */
  paidTax: money,
  paidTip: money,
});
export type CurrencyTotal = z.infer<typeof CurrencyTotal>;

/** Where the BTC price comes from; `demo` is a fixed price for the demo node only. */
export const RateSourceId = z.enum(['demo', 'kraken', 'coinbase', 'bitstamp', 'coingecko', 'manual']);
export type RateSourceId = z.infer<typeof RateSourceId>;

/** The highest amount limit a manager may set: 10^10 minor units, which every screen fits. */
export const MAX_AMOUNT_LIMIT = 10n ** 10n;

function limit(what: string) {
  return z
    .bigint({ error: `Enter the amount for ${what} as a number` })
    .positive(`The amount for ${what} must be above zero`)
    .max(MAX_AMOUNT_LIMIT, `The amount for ${what} is too large`);
}

export const Settings = z.object({
  shopName: z.string().trim().min(1, 'Shop name cannot be empty').max(MAX_LENGTH.shopName),
  currency: z
    .string()
    .max(3, { message: 'Currency must be a three-letter ISO code such as USD', abort: true })
    .regex(/^[A-Z]{3}$/, 'Currency must be a three-letter ISO code such as USD'),
  // Messages in words that hold whatever unit a screen asks in (Settings asks minutes).
  invoiceExpirySec: z
    .number({ error: 'Enter how long an invoice lives, as a number' })
    .int('Enter a whole number of seconds')
    .min(60, 'Invoices must live at least a minute')
    .max(86_400, 'Invoices can live at most one day'),
  rateSource: RateSourceId,
  /** A Lightning charge is refused when the last good rate is older than this. */
  maxRateAgeSec: z
    .number({ error: 'Enter the oldest rate to sell at, as a number' })
    .int('Enter a whole number of seconds')
    .min(30, 'Allow rates at least half a minute old')
    .max(86_400, 'A rate older than a day is too stale to sell at'),
  /**
   * Amount limits, in minor units of the till's currency. Above a soft limit the cashier
   * confirms ("This is $1,500.00 — is that right?"); above a hard one the till refuses, whatever
   * the screen sends. Soft is never above hard (the till checks the pair).
   */
  lineSoftLimit: limit('a line'),
  lineHardLimit: limit('a line'),
  saleSoftLimit: limit('a sale'),
  saleHardLimit: limit('a sale'),
  /** The most change a cash sale gives: more than this handed over is a slip of the finger. */
  maxCashChange: limit('the change'),
  /** A manager's rate further than this from the last quote must be confirmed twice. */
  manualRateBandPercent: z
    .number({ error: 'Enter the allowed difference as a whole percentage' })
    .int('Enter a whole percentage')
    .min(1, 'Allow at least 1% difference')
    .max(100, 'Allow at most 100% difference'),
  /** A discount taking more than this percentage off needs the manager's PIN (100: never). */
  discountApprovalPercent: z
    .number({ error: 'Enter a whole percentage' })
    .int('Enter a whole percentage')
    .min(0, 'Enter a percentage from 0 to 100')
    .max(100, 'Enter a percentage from 0 to 100'),
  /** The till locks itself after this long without a tap (0: never). */
  idleLockSec: z
    .number({ error: 'Enter a number of minutes' })
    .int('Enter a whole number of seconds')
    .min(0, 'Enter 0 (never) or more')
    .max(86_400, 'Lock at least once a day'),
});
export type Settings = z.infer<typeof Settings>;

/** A manager's rate beside the last good quote, for a reference amount, before it is saved. */
export const ManualRatePreview = z.object({
  currency: z.string(),
  rate: z.string(),
  /** Minor units: 10 of the currency's major units. */
  reference: money,
  /** The invoice's msat for `reference` at this rate. */
  msat: money,
  /** The last good quote and the msat it gives for `reference`; null when there is none. */
  last: z.object({ rate: z.string(), source: z.string(), fetchedAt: z.string(), msat: money }).nullable(),
  /** How far this rate is from the last quote, in whole percent (rounded up); null without one. */
  differencePercent: z.number().int().nullable(),
  bandPercent: z.number().int(),
  /** Outside the band or nothing to compare: saving needs this token, confirmed twice. */
  token: z.string().nullable(),
});
export type ManualRatePreview = z.infer<typeof ManualRatePreview>;

export const BackendKind = z.enum(['demo', 'lnd', 'cln', 'nwc', 'lnbits']);
export type BackendKind = z.infer<typeof BackendKind>;

export const Network = z.enum(['mainnet', 'testnet', 'signet', 'regtest']);
export type Network = z.infer<typeof Network>;

export const ConnectionState = z.enum(['connecting', 'connected', 'disconnected']);
export type ConnectionState = z.infer<typeof ConnectionState>;

export const Permissions = z.object({
  createInvoices: z.boolean(),
  readInvoices: z.boolean(),
  /** A till never needs this: when true the UI warns and a manager must accept it. */
  sendPayments: z.boolean(),
});
export type Permissions = z.infer<typeof Permissions>;

const secretField = z.string().trim().max(MAX_LENGTH.secret).optional();
const pem = z.string().trim().max(MAX_LENGTH.certificate).optional();

/**
 * Connection details as a manager enters them. A secret left blank keeps the one already
 * saved for that backend; secrets go to the SecretStore, never to SQLite, logs or Events.
 */
export const BackendInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('demo') }).strict(),
  z
    .object({
      kind: z.literal('lnd'),
      network: Network,
      /** lndconnect://…; takes precedence over the separate fields. */
      uri: secretField,
      restUrl: z.string().trim().max(MAX_LENGTH.address).optional(),
      tlsCert: pem,
      macaroon: secretField,
    })
    .strict(),
  z
    .object({
      kind: z.literal('cln'),
      network: Network,
      url: z.string().trim().min(1, 'Enter the clnrest address').max(MAX_LENGTH.address),
      rune: secretField,
      caCert: pem,
    })
    .strict(),
  z.object({ kind: z.literal('nwc'), network: Network, uri: secretField }).strict(),
  z
    .object({
      kind: z.literal('lnbits'),
      network: Network,
      url: z.string().trim().min(1, 'Enter the LNbits address').max(MAX_LENGTH.address),
      invoiceKey: secretField,
    })
    .strict(),
]);
export type BackendInput = z.infer<typeof BackendInput>;

/** The saved connection as the screen may see it: addresses and certificates, never secrets. */
export const BackendConfig = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('demo'), network: z.literal('regtest') }),
  z.object({
    kind: z.literal('lnd'),
    network: Network,
    restUrl: z.string(),
    tlsCert: z.string().nullable(),
    hasSecret: z.boolean(),
  }),
  z.object({
    kind: z.literal('cln'),
    network: Network,
    url: z.string(),
    caCert: z.string().nullable(),
    hasSecret: z.boolean(),
  }),
  z.object({ kind: z.literal('nwc'), network: Network, relays: z.array(z.string()), hasSecret: z.boolean() }),
  z.object({ kind: z.literal('lnbits'), network: Network, url: z.string(), hasSecret: z.boolean() }),
]);
export type BackendConfig = z.infer<typeof BackendConfig>;

/** What "Test connection" found. */
export const NodeCheck = z.object({
  alias: z.string(),
  pubkey: z.string(),
  network: Network,
  blockHeight: z.number().int().nullable(),
  permissions: Permissions,
  /** Reasons the till will not use this node as it is (wrong network, cannot create invoices). */
  problems: z.array(z.string()),
});
export type NodeCheck = z.infer<typeof NodeCheck>;

export const ShopifyStatus = z.object({
  connected: z.boolean(),
  shopDomain: z.string().nullable(),
  shopName: z.string().nullable(),
  locationName: z.string().nullable(),
  /** null before the first call; false while Shopify cannot be reached (the till sells on). */
  online: z.boolean().nullable(),
  pendingOrders: z.number().int(),
  failedOrders: z.number().int(),
  /** Why the last call failed, for a manager. */
  lastError: z.string().nullable(),
  catalog: z.object({
    source: z.enum(['demo', 'shopify']),
    syncedAt: z.string().nullable(),
    /** A sync under way: objects read so far, and the total when known. */
    syncing: z.object({ done: z.number().int(), total: z.number().int().nullable() }).nullable(),
  }),
});
export type ShopifyStatus = z.infer<typeof ShopifyStatus>;

export const ShopifyInput = z
  .object({
    shopDomain: z
      .string()
      .trim()
      .min(1, 'Enter the store’s myshopify.com address')
      .max(MAX_LENGTH.shopDomain),
    /** An Admin API access token (shpat_…); or the two below. */
    accessToken: z.string().trim().max(MAX_LENGTH.shopifyToken).optional(),
    clientId: z.string().trim().max(MAX_LENGTH.shopifyClientId).optional(),
    clientSecret: z.string().trim().max(MAX_LENGTH.shopifyToken).optional(),
  })
  .strict();
export type ShopifyInput = z.infer<typeof ShopifyInput>;

export const ShopifyCheck = z.object({
  shopName: z.string(),
  shopDomain: z.string(),
  currency: z.string(),
  grantedScopes: z.array(z.string()),
  missingScopes: z.array(z.object({ scope: z.string(), why: z.string() })),
  locations: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type ShopifyCheck = z.infer<typeof ShopifyCheck>;

/** One reconciliation item as the screen shows it (shared/reconcile ReconcileResult). */
export const ReconcileRow = z.object({
  outcome: z.string(),
  repair: z.string(),
  safe: z.boolean(),
  saleId: z.string().nullable(),
  saleNumber: z.number().int().nullable(),
  paymentHash: z.string().nullable(),
  orderName: z.string().nullable(),
  tender: z.string().nullable(),
  /** The sale's state in the journal (`paid`, `cancelled`, `expired`, …); null when no sale. */
  saleState: z.string().nullable(),
  time: z.string().nullable(),
  msat: money.nullable(),
  fiat: money.nullable(),
  currency: z.string().nullable(),
  rate: z.string().nullable(),
  rateSource: z.string().nullable(),
  /**
   * The sale's price breakdown as journaled, minor units of `currency`: net + tax = fiat, the tip
   * inside it, the discounts taken off before it. A sale from before pricing: net = fiat, the
   * rest 0. Null when the item has no sale (or its amount is a second order's).
   */
  net: money.nullable(),
  tax: money.nullable(),
  tip: money.nullable(),
  discount: money.nullable(),
  detail: z.string(),
  /** A safe repair of this item has been applied. */
  applied: z.boolean(),
});
export type ReconcileRow = z.infer<typeof ReconcileRow>;

/** Where a reconciliation reads from: the journal's sales, the node's invoices, Shopify's orders, and refunds (journal, refund wallet, Shopify). */
/** `companion`: the offline payments asked of the companion server first (issue 17). */
export const ReconcileSource = z.enum(['companion', 'journal', 'node', 'shopify', 'refunds']);
export type ReconcileSource = z.infer<typeof ReconcileSource>;

export const ReconcileRun = z.object({
  state: z.enum(['idle', 'running', 'done', 'failed', 'cancelled']),
  /** Local days, inclusive. */
  from: z.string().nullable(),
  to: z.string().nullable(),
  progress: z.object({
    stage: z.enum(['idle', 'reading', 'classifying', 'done']),
    /** Records read from every source. */
    records: z.number().int(),
    /** While reading: the source being read. */
    source: ReconcileSource.nullable(),
    /** Records read per source. */
    read: z.object({
      companion: z.number().int(),
      journal: z.number().int(),
      node: z.number().int(),
      shopify: z.number().int(),
      refunds: z.number().int(),
    }),
    /** While classifying: the engine's steps done of `steps`, and the one under way. */
    step: z.number().int(),
    steps: z.number().int(),
    stepLabel: z.string().nullable(),
  }),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  /**
   * Per outcome: count, sats (msat) and fiat (minor units of the shop currency). The amounts are
   * money that moved only: `unpaid` of the `count` (matched sales cancelled, expired or never paid,
   * whose invoice nobody paid) are counted but not summed.
   */
  outcomes: z.array(
    z.object({
      outcome: z.string(),
      count: z.number().int(),
      unpaid: z.number().int(),
      msat: money,
      fiat: money,
    }),
  ),
  items: z.number().int(),
  /** Items a manager can repair with one action. */
  repairable: z.number().int(),
  sources: z.object({ node: z.boolean(), shopify: z.boolean() }),
  /**
   * What the companion server said of the offline payments asked before reading (issue 17), in
   * a manager's words; null when offline Lightning is not set up or none waited for it.
   */
  offlineProof: z.string().nullable(),
  /**
   * false: this till's invoices and orders only (marked with its id, or named by its sales);
   * true: everything the node received and every till's orders.
   */
  everything: z.boolean(),
  /** Invoices and orders of other tills (or no till) the run left out; 0 with `everything`. */
  otherTills: z.number().int(),
});
export type ReconcileRun = z.infer<typeof ReconcileRun>;

/** The progress of a run that has read nothing yet. */
export const idleReconcileProgress = (stage: 'idle' | 'reading'): ReconcileRun['progress'] => ({
  stage,
  records: 0,
  source: null,
  read: { companion: 0, journal: 0, node: 0, shopify: 0, refunds: 0 },
  step: 0,
  steps: 0,
  stepLabel: null,
});

/** A reconciliation that never ran: what a till reports before its first run. */
export const idleReconcileRun = (): ReconcileRun => ({
  state: 'idle',
  from: null,
  to: null,
  progress: idleReconcileProgress('idle'),
  startedAt: null,
  finishedAt: null,
  error: null,
  outcomes: [],
  items: 0,
  repairable: 0,
  sources: { node: false, shopify: false },
  offlineProof: null,
  everything: false,
  otherTills: 0,
});

/** Why the till will not open its journal (and so sells nothing until a person acts). */
export const JournalProblemKind = z.enum(['damaged', 'missing', 'newer', 'unwritable']);
export type JournalProblemKind = z.infer<typeof JournalProblemKind>;

export const JournalProblem = z.object({
  kind: JournalProblemKind,
  /** What the till found, for the cashier and whoever they call. */
  message: z.string(),
  /** The folder with every file the till keeps (back it up, restore into it). */
  dataDir: z.string(),
  journalPath: z.string(),
  /** For 'missing': the other till files still in the folder, which show a journal was there. */
  found: z.array(z.string()),
});
export type JournalProblem = z.infer<typeof JournalProblem>;

/** What a person types to start a new journal beside another till's files. */
export const NEW_JOURNAL_CONFIRMATION = 'NEW TILL';

export const TillStatus = z.object({
  tillId: id,
  demoMode: z.boolean(),
  backend: z.object({
    kind: BackendKind,
    state: ConnectionState,
    alias: z.string().nullable(),
    /** The network the till is configured for; a node on another one is refused. */
    expectedNetwork: Network,
    network: Network.nullable(),
    message: z.string().nullable(),
    permissions: Permissions.nullable(),
  }),
  rate: RateQuote.nullable(),
  settings: Settings,
  shopify: ShopifyStatus,
  /** The sale whose invoice is on the charge screen, so a reloaded window returns to it. */
  activeSaleId: z.string().nullable(),
  /** Why the register has no products (a demo catalog file that could not be used), else null. */
  catalogProblem: z.string().nullable(),
  /** Who is signed in; null: the till is locked and shows its PIN pad. */
  session: Session.nullable(),
  /**
   * The demo owner's PIN while the owner still has it (shown on the demo banner: change it before
   * taking real money); null once changed.
   */
  demoOwnerPin: z.string().nullable(),
  /** The USB NFC reader's name while one is plugged in (Bolt Cards can be tapped); null: none. */
  cardReader: z.string().nullable(),
});
export type TillStatus = z.infer<typeof TillStatus>;

export const ScanResult = z.discriminatedUnion('found', [
  z.object({ found: z.literal(true), line: CartLine, cart: Cart }),
  z.object({ found: z.literal(false), code: z.string(), message: z.string() }),
]);
export type ScanResult = z.infer<typeof ScanResult>;
