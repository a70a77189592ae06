import { z } from 'zod';
import {
  BackendConfig,
  BackendInput,
  Cart,
  CashCount,
  CashMovementInput,
  MovementReason,
  Shift,
  ShiftReport,
  CurrencyTotal,
  Discount,
  JournalProblem,
  ManualRatePreview,
  AuditEntry,
  Pin,
  Role,
  StaffMember,
  StaffName,
  NEW_JOURNAL_CONFIRMATION,
  NodeCheck,
  ParkedCart,
  Product,
  ReconcileRow,
  ReconcileRun,
  Refund,
  RefundLineRequest,
  RefundPreview,
  RefundReason,
  RefundWalletInput,
  OfflineCharge,
  OfflinePayInput,
  OfflinePaySettings,
  OfflineProofReport,
  RefundWalletSettings,
  LnurlRefundQuote,
  LnurlWithdrawSettings,
  LnurlWithdrawStatus,
  ResumeChange,
  Sale,
  SaleSummary,
  ScanResult,
  Settings,
  ShopifyCheck,
  ShopifyInput,
  TillStatus,
  Tip,
} from '../domain/index.js';
import { DisplayState } from '../domain/display.js';
import { CustomerDisplayConfig, CustomerDisplaySettings } from '../domain/display-settings.js';
import { MAX_LENGTH } from '../domain/limits.js';
import { PricingSettings } from '../pricing/settings.js';
import { RefundReceiptDocument, SaleReceiptDocument } from '../receipt/document.js';
import { PaperWidth, ReceiptSettings } from '../receipt/settings.js';

/**
 * The one contract between the cashier's screen and the till (ARCHITECTURE.md, boundary 2).
 * Every Command is request/response with a zod schema for its argument; every Event is a
 * push. The preload, the web host and the renderer's client are all derived from these maps.
 */

const none = z.object({}).strict();
const manualRate = z
  .string()
  .max(MAX_LENGTH.rate, { message: 'Enter the price of one bitcoin, e.g. 97250.50', abort: true })
  .trim()
  .regex(/^\d{1,9}(\.\d{1,8})?$/, 'Enter the price of one bitcoin, e.g. 97250.50');
const saleRef = z.object({ saleId: z.string().min(1).max(MAX_LENGTH.id) }).strict();
/**
 * The cashier said yes to "This is $X — is that right?" (a NeedsConfirmation answer): lets a
 * line or a sale past its soft limit, never past its hard one.
 */
const confirmLarge = z.boolean().default(false);
/** What comes back of a sale: lines and quantities (each with restock yes/no), and the tip or not. */
const refundChoice = {
  saleId: z.string().min(1).max(MAX_LENGTH.id),
  lines: z.array(RefundLineRequest).max(500).default([]),
  refundTip: z.boolean().default(false),
};

export const commands = {
  getStatus: { input: none, output: TillStatus },
  /**
   * Signs in whoever's PIN this is (switching user when someone else was signed in). Wrong PINs
   * lock the pad for a growing while; the answer never says which part was wrong.
   */
  unlock: { input: z.object({ pin: Pin }).strict(), output: TillStatus },
  /** Locks the till (the cart and any sale on screen stay as they are for the next person). */
  lock: { input: none, output: TillStatus },
  /** Everyone who works the till, active first. */
  listStaff: { input: none, output: z.object({ staff: z.array(StaffMember) }) },
  /** The owner adds a person with a role and their own PIN (no two people share a PIN). */
  addStaff: {
    input: z.object({ name: StaffName, role: Role, pin: Pin }).strict(),
    output: StaffMember,
  },
  /**
   * The owner renames, changes the role or PIN of, or deactivates a person. Anyone signed in may
   * change their own PIN with `currentPin`. The last active owner cannot be demoted or removed.
   */
  updateStaff: {
    input: z
      .object({
        staffId: z.string().min(1).max(MAX_LENGTH.id),
        name: StaffName.optional(),
        role: Role.optional(),
        pin: Pin.optional(),
        currentPin: Pin.optional(),
        active: z.boolean().optional(),
      })
      .strict(),
    output: StaffMember,
  },
  /** Who did what, newest first; a page at a time, optionally one person's or one sale's. */
  listAudit: {
    input: z
      .object({
        staffId: z.string().max(MAX_LENGTH.id).optional(),
        saleId: z.string().max(MAX_LENGTH.id).optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: z.object({ entries: z.array(AuditEntry), total: z.number().int() }),
  },
  /** Null when the journal is open; otherwise why not, and the till refuses every other command. */
  getJournalProblem: { input: none, output: JournalProblem.nullable() },
  /**
   * Only when the journal is missing beside another till's files: starts this till afresh (the
   * old files are moved aside, never deleted). The typed confirmation keeps it from a mis-tap.
   */
  startNewJournal: {
    input: z.object({ confirm: z.literal(NEW_JOURNAL_CONFIRMATION) }).strict(),
    output: TillStatus,
  },
  searchCatalog: {
    input: z
      .object({
        query: z.string().max(MAX_LENGTH.search).default(''),
        limit: z.number().int().min(1).max(500).default(200),
      })
      .strict(),
    output: z.object({ products: z.array(Product), total: z.number().int() }),
  },
  getCart: { input: none, output: Cart },
  addToCart: {
    input: z
      .object({
        variantId: z.string().min(1).max(MAX_LENGTH.id),
        quantity: z.number().int().min(1).max(9999).default(1),
        confirmLarge,
      })
      .strict(),
    output: Cart,
  },
  addCustomAmount: {
    input: z
      .object({
        amount: z
          .bigint()
          .positive('Enter an amount above zero')
          .max(10n ** 12n, 'That amount is too large'),
        title: z.string().trim().max(MAX_LENGTH.customTitle).default('Custom amount'),
        confirmLarge,
      })
      .strict(),
    output: Cart,
  },
  /** What a barcode scanner typed: adds the matching variant or says nothing matched. */
  scanBarcode: {
    input: z.object({ code: z.string().trim().min(1).max(MAX_LENGTH.barcode), confirmLarge }).strict(),
    output: ScanResult,
  },
  setLineQuantity: {
    input: z
      .object({
        lineId: z.string().min(1).max(MAX_LENGTH.id),
        quantity: z.number().int().min(0).max(9999),
        confirmLarge,
      })
      .strict(),
    output: Cart,
  },
  /**
   * "+" and "−": the till adds `by` to the line's quantity as it stands, so three taps in the
   * same instant add three (a screen sending "quantity + 1" from what it last saw adds one).
   * A "−" for a line already gone (a double tap that removed it) is quietly nothing.
   */
  changeLineQuantity: {
    input: z
      .object({
        lineId: z.string().min(1).max(MAX_LENGTH.id),
        by: z.number().int().min(-9999).max(9999),
        confirmLarge,
      })
      .strict(),
    output: Cart,
  },
  removeLine: { input: z.object({ lineId: z.string().min(1).max(MAX_LENGTH.id) }).strict(), output: Cart },
  clearCart: { input: none, output: Cart },
  /** A line's own discount (percentage or amount, with a reason); null takes it off. */
  setLineDiscount: {
    input: z
      .object({
        lineId: z.string().min(1).max(MAX_LENGTH.id),
        discount: Discount.nullable(),
      })
      .strict(),
    output: Cart,
  },
  /**
   * A discount on the whole cart, spread over its lines; null takes it off. Above the owner's
   * limit (Settings) a cashier is answered NeedsManager until a manager approves (`managerPin`).
   */
  setCartDiscount: {
    input: z.object({ discount: Discount.nullable() }).strict(),
    output: Cart,
  },
  /** A line's note ("oat milk"): trimmed; empty or null takes it off. */
  setLineNote: {
    input: z
      .object({
        lineId: z.string().min(1).max(MAX_LENGTH.id),
        note: z
          .string()
          .trim()
          .max(MAX_LENGTH.lineNote, `Keep the note under ${MAX_LENGTH.lineNote} characters`)
          .nullable(),
      })
      .strict(),
    output: Cart,
  },
  /** The order's note (receipt, Shopify order): trimmed; empty or null takes it off. */
  setCartNote: {
    input: z
      .object({
        note: z
          .string()
          .trim()
          .max(MAX_LENGTH.orderNote, `Keep the note under ${MAX_LENGTH.orderNote} characters`)
          .nullable(),
      })
      .strict(),
    output: Cart,
  },
  /** Sets the cart aside under a name and empties it for the next customer. */
  parkCart: {
    input: z
      .object({
        name: z
          .string()
          .trim()
          .min(1, 'Give the cart a name, such as the customer’s')
          .max(MAX_LENGTH.parkedName, `Keep the name under ${MAX_LENGTH.parkedName} characters`),
      })
      .strict(),
    output: z.object({ cart: Cart, parked: ParkedCart }),
  },
  /** Held carts, the longest-waiting first. */
  listParkedCarts: { input: none, output: z.object({ carts: z.array(ParkedCart) }) },
  /**
   * Brings a held cart back into the (empty) cart, priced again from the catalog; `changes` says
   * which prices moved and which products are gone.
   */
  resumeParkedCart: {
    input: z.object({ parkedId: z.string().min(1).max(MAX_LENGTH.id) }).strict(),
    output: z.object({ cart: Cart, changes: z.array(ResumeChange) }),
  },
  discardParkedCart: {
    input: z.object({ parkedId: z.string().min(1).max(MAX_LENGTH.id) }).strict(),
    output: z.object({ carts: z.array(ParkedCart) }),
  },
  /** Lock the rate, journal the sale (priced, with the customer's tip), ask the backend for an invoice. */
  charge: { input: z.object({ tip: Tip.nullable().default(null) }).strict(), output: Sale },
  reissueInvoice: { input: saleRef, output: Sale },
  cancelSale: { input: saleRef, output: Sale },
  /** Offline Lightning (issue 17): whether Charge offers it now, and the sale's offline payment if any. */
  getOfflineCharge: {
    input: z.object({ saleId: z.string().min(1).max(MAX_LENGTH.id).nullable().default(null) }).strict(),
    output: z.object({ offered: z.boolean(), charge: OfflineCharge.nullable() }),
  },
  /**
   * The cart as an offline Lightning sale: a signed LNURL-pay link (no network), journaled before
   * its QR is shown; a second call for the sale on screen returns the same link.
   */
  chargeOffline: { input: z.object({ tip: Tip.nullable().default(null) }).strict(), output: OfflineCharge },
  /** The PIN the customer's wallet showed once paid: right, the sale is paid; three wrong ones lock it. */
  enterOfflinePin: {
    input: z
      .object({
        saleId: z.string().min(1).max(MAX_LENGTH.id),
        pin: z.string().trim().max(12, 'The PIN is 6 digits'),
      })
      .strict(),
    output: OfflineCharge,
  },
  /**
   * A Bolt Card tapped (its NDEF text: `lnurlw://…` or `LNURL1…`, from the USB reader or a
   * keyboard-wedge reader): the till asks the card's service (LUD-03) to pay the sale's invoice.
   * Answers once the service accepted; the sale turns paid as for any QR payment.
   */
  tapCard: {
    input: z
      .object({
        saleId: z.string().min(1).max(MAX_LENGTH.id),
        text: z.string().trim().min(1).max(MAX_LENGTH.cardText, 'That is not a Bolt Card'),
      })
      .strict(),
    output: Sale,
  },
  /** Demo backend only: the customer "pays" the invoice on screen. */
  demoPay: { input: saleRef, output: Sale },
  getSale: { input: saleRef, output: Sale },
  listSales: {
    input: z
      .object({
        day: z
          .string()
          .max(10, { message: 'day must be YYYY-MM-DD', abort: true })
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'day must be YYYY-MM-DD')
          .optional(),
        /**
         * A sale number as printed on the receipt, or its first digits: finds matching sales on
         * any day (the newest 50), instead of one day's sales.
         */
        number: z
          .string()
          .max(12, { message: 'Type the sale number as printed on the receipt', abort: true })
          .regex(/^\d{1,12}$/, 'Type the sale number as printed on the receipt')
          .optional(),
      })
      .strict(),
    output: z.object({
      sales: z.array(SaleSummary),
      /** One per currency with a paid sale, by currency code; none on a day with nothing paid. */
      totals: z.array(CurrencyTotal),
    }),
  },
  /**
   * What a refund of these lines (and the tip) would give back, under the pricing model, and what
   * stays returnable; with no lines, what may still come back of the sale. Changes nothing.
   */
  previewRefund: { input: z.object(refundChoice).strict(), output: RefundPreview },
  /**
   * A manager's refund (a cashier is answered NeedsManager and sends it again with the manager's
   * PIN). Cash: journaled, approved and paid at once — `amount` is what to hand over. Lightning:
   * the customer's BOLT11 invoice (exactly the refund's sats at today's rate, on the till's
   * network, not about to expire) — or, in the same field, their Lightning Address (user@domain,
   * LUD-16), whose service the till asks for that invoice and checks (LUD-06) — paid once through the refund wallet; the answer is paid, failed,
   * or still paying (the till looks it up, never pays twice). Never more than was sold less what
   * earlier refunds took back.
   */
  createRefund: {
    input: z.discriminatedUnion('tender', [
      z
        .object({
          ...refundChoice,
          reason: RefundReason,
          tender: z.literal('cash'),
        })
        .strict(),
      z
        .object({
          ...refundChoice,
          reason: RefundReason,
          tender: z.literal('lightning'),
          invoice: z
            .string()
            .trim()
            .min(1, 'Scan or type the customer’s Lightning invoice or Lightning Address')
            .max(MAX_LENGTH.refundInvoice, 'That is too long to be a Lightning invoice'),
        })
        .strict(),
      // LNURL-withdraw (LUD-03): approved and journaled with its fixed sats and a one-time link;
      // the answer carries the LNURL to show as a QR, and the customer's wallet pulls the sats.
      z
        .object({
          ...refundChoice,
          reason: RefundReason,
          tender: z.literal('lnurl-withdraw'),
        })
        .strict(),
    ]),
    output: Refund,
  },
  /** What an LNURL-withdraw refund of this choice would pay (sats, rate and its basis), before approval. */
  quoteLnurlRefund: { input: z.object(refundChoice).strict(), output: LnurlRefundQuote },
  /** Ends a withdraw link nobody has claimed yet: the refund fails, nothing is paid. */
  cancelLnurlRefund: {
    input: z.object({ refundId: z.string().min(1).max(MAX_LENGTH.id) }).strict(),
    output: Refund,
  },
  /** The LNURL-withdraw server's settings and whether it runs (owner). */
  getLnurlWithdraw: {
    input: none,
    output: z.object({ settings: LnurlWithdrawSettings, status: LnurlWithdrawStatus }),
  },
  saveLnurlWithdraw: {
    input: LnurlWithdrawSettings,
    output: z.object({ settings: LnurlWithdrawSettings, status: LnurlWithdrawStatus }),
  },
  /** The refund wallet Lightning refunds are paid from, and the till's limits on it (owner). */
  getRefundWallet: { input: none, output: RefundWalletSettings },
  saveRefundWallet: { input: RefundWalletInput, output: RefundWalletSettings },
  /** Checks the saved refund wallet answers (pays nothing). */
  testRefundWallet: { input: none, output: z.object({ ok: z.boolean(), message: z.string() }) },
  /** Offline Lightning's settings (owner): the companion server, the shared key's hint, the limits. */
  getOfflinePay: { input: none, output: OfflinePaySettings },
  saveOfflinePay: { input: OfflinePayInput, output: OfflinePaySettings },
  /** Offline payments waiting for the companion server's proof, and its last answer (manager). */
  getOfflineProofs: { input: none, output: OfflineProofReport },
  /** Asks the companion server now which offline payments were paid (manager). */
  checkOfflinePayments: { input: none, output: OfflineProofReport },
  /** A sale's refunds, oldest first. */
  listRefunds: { input: saleRef, output: z.object({ refunds: z.array(Refund) }) },
  getRefund: {
    input: z.object({ refundId: z.string().min(1).max(MAX_LENGTH.id) }).strict(),
    output: Refund,
  },
  getSettings: { input: none, output: Settings },
  /** Tax rates and which products they apply to, tips, the receipt's tax id and address. */
  getPricingSettings: { input: none, output: PricingSettings },
  /** Replaces the pricing settings as a whole (an owner's Save). */
  updatePricingSettings: { input: PricingSettings, output: PricingSettings },
  /** The receipt's logo, header and footer, the paper, the receipt printer, printing by itself. */
  getReceiptSettings: { input: none, output: ReceiptSettings },
  /** Replaces the receipt settings as a whole (an owner's Save); a logo over 14 KB is refused. */
  updateReceiptSettings: { input: ReceiptSettings, output: ReceiptSettings },
  /** A paid sale's receipt as printed, on the paper Settings names unless `paper` says another. */
  getReceipt: {
    input: z.object({ saleId: z.string().min(1).max(MAX_LENGTH.id), paper: PaperWidth.optional() }).strict(),
    output: SaleReceiptDocument,
  },
  /** The desktop app's printers (Settings chooses the receipt printer); refused in the web host. */
  listPrinters: {
    input: none,
    output: z.object({
      printers: z.array(z.object({ name: z.string(), displayName: z.string() })),
    }),
  },
  /**
   * Prints a paid sale's receipt in the desktop app: to the receipt printer without a dialog,
   * or through the system's dialog when Settings names none (`printed` false: it was cancelled).
   */
  printReceipt: {
    input: z
      .object({
        saleId: z.string().min(1).max(MAX_LENGTH.id),
        copies: z.number().int().min(1).max(5).default(1),
      })
      .strict(),
    output: z.object({ printed: z.boolean() }),
  },
  /** Writes a paid sale's receipt as a PDF to the exports folder (desktop app). */
  saveReceiptPdf: { input: saleRef, output: z.object({ filename: z.string(), path: z.string() }) },
  /** A paid refund's receipt as printed (a refund still paying, or failed, has none). */
  getRefundReceipt: {
    input: z
      .object({ refundId: z.string().min(1).max(MAX_LENGTH.id), paper: PaperWidth.optional() })
      .strict(),
    output: RefundReceiptDocument,
  },
  /** Prints a paid refund's receipt in the desktop app, as printReceipt does a sale's. */
  printRefundReceipt: {
    input: z
      .object({
        refundId: z.string().min(1).max(MAX_LENGTH.id),
        copies: z.number().int().min(1).max(5).default(1),
      })
      .strict(),
    output: z.object({ printed: z.boolean() }),
  },
  /** Writes a paid refund's receipt as a PDF to the exports folder (desktop app). */
  saveRefundReceiptPdf: {
    input: z.object({ refundId: z.string().min(1).max(MAX_LENGTH.id) }).strict(),
    output: z.object({ filename: z.string(), path: z.string() }),
  },
  updateSettings: { input: Settings.partial().strict(), output: Settings },
  /** The saved Lightning connection, without its secrets. */
  getBackendConfig: { input: none, output: BackendConfig },
  /** Connects with these details without saving them: alias, network, height, permissions. */
  testBackend: { input: z.object({ backend: BackendInput }).strict(), output: NodeCheck },
  /**
   * Tests, then saves and switches to these details without a restart. A credential that can
   * spend is kept only when a manager accepts it (`acceptSpending`).
   */
  saveBackend: {
    input: z.object({ backend: BackendInput, acceptSpending: z.boolean().default(false) }).strict(),
    output: TillStatus,
  },
  /** A cash sale of the cart: paid at once; `tendered` is what the customer handed over. */
  payCash: {
    input: z
      .object({
        tendered: z
          .bigint()
          .positive('Enter the cash handed over')
          .max(10n ** 12n),
        tip: Tip.nullable().default(null),
      })
      .strict(),
    output: Sale,
  },
  /** Connects to a store without saving: shop, missing scopes, locations. */
  testShopify: { input: z.object({ shopify: ShopifyInput }).strict(), output: ShopifyCheck },
  /** Saves the store and the till's location, creates the sale-id metafield definition, starts syncing. */
  saveShopify: {
    input: z.object({ shopify: ShopifyInput, locationId: z.string().min(1).max(MAX_LENGTH.id) }).strict(),
    output: TillStatus,
  },
  disconnectShopify: { input: none, output: TillStatus },
  /** Starts a catalog sync in the background (full, or changes since the last one). */
  syncCatalog: { input: z.object({ full: z.boolean().default(false) }).strict(), output: TillStatus },
  /** A manager sends a parked order again. */
  retryOrder: { input: saleRef, output: Sale },
  /** Reconciles node ↔ journal ↔ Shopify for local days [from, to] in the background. */
  startReconcile: {
    input: z
      .object({
        from: z
          .string()
          .max(10, { message: 'from must be YYYY-MM-DD', abort: true })
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'from must be YYYY-MM-DD'),
        to: z
          .string()
          .max(10, { message: 'to must be YYYY-MM-DD', abort: true })
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'to must be YYYY-MM-DD'),
        /** Everything the node received and every till's orders, not only this till's. */
        everything: z.boolean().default(false),
      })
      .strict(),
    output: ReconcileRun,
  },
  cancelReconcile: { input: none, output: ReconcileRun },
  /** The last run and a page of its items, optionally of one outcome. */
  getReconcile: {
    input: z
      .object({
        outcome: z.string().max(MAX_LENGTH.reconcileOutcome).optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: z.object({ run: ReconcileRun, rows: z.array(ReconcileRow), total: z.number().int() }),
  },
  /** Writes the last run as CSV (one row per item, for the bookkeeper) to the exports folder. */
  exportReconcileCsv: {
    input: none,
    output: z.object({ filename: z.string(), path: z.string(), rows: z.number().int() }),
  },
  /** Writes the last run as Parquet (typed columns, for an accountant's tools or DuckDB) to the exports folder. */
  exportReconcileParquet: {
    input: none,
    output: z.object({ filename: z.string(), path: z.string(), rows: z.number().int() }),
  },
  /** Applies every safe repair of the last run (record payments, queue missing orders); journaled. */
  applySafeRepairs: {
    input: none,
    output: z.object({ applied: z.number().int(), skipped: z.array(z.string()), run: ReconcileRun }),
  },
  /**
   * What a manager's rate would mean, before it is saved: the sats for a reference amount at it
   * and at the last good quote. A rate outside the band (or with no quote to compare) comes
   * with a token: the first warning. setManualRate then needs that token twice.
   */
  previewManualRate: { input: z.object({ rate: manualRate }).strict(), output: ManualRatePreview },
  /**
   * A manager's BTC price, used while the rate source cannot give a fresh one. Outside the band
   * it needs the preview's token: the first call with it is answered NeedsConfirmation (the
   * second warning), the second call saves.
   */
  setManualRate: {
    input: z.object({ rate: manualRate, token: z.string().max(MAX_LENGTH.id).optional() }).strict(),
    output: TillStatus,
  },
  /**
   * Opens this till's shift with the counted float (a total, or a count per note and coin). Sales
   * rung up while no shift was open join it, so its Z report covers everything since the last close.
   */
  openShift: { input: z.object({ float: CashCount }).strict(), output: Shift },
  /** The open shift (no takings: those are the X report's, for a manager); null when none is open. */
  getShift: { input: none, output: z.object({ shift: Shift.nullable() }) },
  /** Cash put into the drawer that is not a sale (more change), with why; journaled with who. */
  paidIn: { input: CashMovementInput, output: Shift },
  /** Cash taken out of the drawer that is not a sale (a supplier paid), with why. */
  paidOut: { input: CashMovementInput, output: Shift },
  /** Opens the drawer without a sale: logged with who, when and why. */
  noSale: { input: z.object({ reason: MovementReason.default('') }).strict(), output: Shift },
  /**
   * Closes the open shift with the drawer as counted: the Z report (expected against counted, the
   * node's settled total beside the journal's) is frozen with it, and never changes afterwards.
   */
  closeShift: {
    input: z.object({ counted: CashCount }).strict(),
    output: z.object({ shift: Shift, report: ShiftReport }),
  },
  /** Past and open shifts, the newest first. */
  listShifts: {
    input: z.object({ limit: z.number().int().min(1).max(500).default(100) }).strict(),
    output: z.object({ shifts: z.array(Shift) }),
  },
  /** The open shift's X report (live), or a closed one's Z report as frozen at close. */
  getShiftReport: {
    input: z.object({ shiftId: z.string().min(1).max(MAX_LENGTH.id) }).strict(),
    output: ShiftReport,
  },
  /** Writes a shift's report as CSV to the exports folder. */
  exportShiftCsv: {
    input: z.object({ shiftId: z.string().min(1).max(MAX_LENGTH.id) }).strict(),
    output: z.object({ filename: z.string(), path: z.string(), rows: z.number().int() }),
  },
  /**
   * Prints a shift's report in the desktop app as a receipt prints: on the receipt printer's
   * roll without a dialog, or on A4 through the system's dialog when Settings names none
   * (`printed` false: it was cancelled). Refused in the web host, where the browser prints.
   */
  printShiftReport: {
    input: z
      .object({
        shiftId: z.string().min(1).max(MAX_LENGTH.id),
        copies: z.number().int().min(1).max(5).default(1),
      })
      .strict(),
    output: z.object({ printed: z.boolean() }),
  },
  /** Writes a shift's report as an A4 PDF to the exports folder (desktop app). */
  saveShiftReportPdf: {
    input: z.object({ shiftId: z.string().min(1).max(MAX_LENGTH.id) }).strict(),
    output: z.object({ filename: z.string(), path: z.string() }),
  },
  /** What the customer-facing display shows now (README, customer display); nothing private. */
  getDisplay: { input: none, output: DisplayState },
  /** The customer's tap on a tip choice on the display (null: no tip), while the cart is rung up. */
  chooseTip: { input: z.object({ tip: Tip.nullable() }).strict(), output: DisplayState },
  /** Settings → Customer display: the LAN display and second monitor settings, and the paired devices. */
  getCustomerDisplay: { input: none, output: CustomerDisplayConfig },
  updateCustomerDisplay: {
    input: z.object({ settings: CustomerDisplaySettings }).strict(),
    output: CustomerDisplayConfig,
  },
  /** A one-time code for the pairing QR (five minutes, one device). */
  startDisplayPairing: { input: none, output: z.object({ code: z.string(), expiresAt: z.string() }) },
  /** Cuts a paired display off at once. */
  revokeDisplay: {
    input: z.object({ id: z.string().min(1).max(MAX_LENGTH.id) }).strict(),
    output: CustomerDisplayConfig,
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export const events = {
  cartChanged: Cart,
  /** What the customer-facing display shows, after anything on it moved. */
  displayChanged: DisplayState,
  /** The owner's pricing settings after a save (or a Shopify shop's tax default was adopted). */
  pricingChanged: PricingSettings,
  /** Held carts after one was parked, resumed or discarded. */
  parkedCartsChanged: z.array(ParkedCart),
  reconcileProgress: ReconcileRun,
  /** The till's shift after it was opened or closed (null: none open). */
  shiftChanged: z.object({ shift: Shift.nullable() }),
  saleUpdated: Sale,
  /** A refund changed state (a withdraw link claimed, paid, expired or cancelled). */
  refundUpdated: Refund,
  statusChanged: TillStatus,
  /** A receipt that prints by itself after a sale failed; the sale is paid all the same. */
  receiptPrintFailed: z.object({ saleId: z.string(), saleNumber: z.string(), message: z.string() }),
  /**
   * A Bolt Card's progress on the charge screen: read (the card's service is being asked),
   * accepted (its payment is on the way), failed (the message says what to do). saleId is null
   * for a card tapped while no invoice was on screen.
   */
  cardTap: z.object({
    saleId: z.string().nullable(),
    phase: z.enum(['reading', 'accepted', 'failed']),
    message: z.string(),
  }),
} as const satisfies Record<string, z.ZodType>;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<K extends CommandName> = z.input<Commands[K]['input']>;
export type CommandOutput<K extends CommandName> = z.output<Commands[K]['output']>;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const commandNames = Object.keys(commands) as CommandName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commands, name);
}

/** Error kinds a caller can act on; the message is written for a cashier or manager. */
export const ErrorKind = z.enum([
  'ValidationError',
  'NotFound',
  'InvalidState',
  'BackendUnavailable',
  'NotAuthorized',
  'RateUnavailable',
  /** Allowed only once a person says yes: the message is the question to ask them. */
  'NeedsConfirmation',
  /**
   * Allowed only with the approval of someone whose role may do it: sent again with that person's
   * PIN as `managerPin`, it runs once, attributed to both. The message says why.
   */
  'NeedsManager',
  /** Nobody is signed in (or the till locked itself): the PIN pad comes first. */
  'Locked',
  /** The journal could not be written (disk full, read-only, I/O error, damaged). */
  'StorageError',
  /** The till did not open its journal; getJournalProblem says why. */
  'JournalUnavailable',
  'Internal',
]);
export type ErrorKind = z.infer<typeof ErrorKind>;

export const TillErrorShape = z.object({
  kind: ErrorKind,
  message: z.string(),
  /** For ValidationError: which field said what. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type TillErrorShape = z.infer<typeof TillErrorShape>;

export class TillError extends Error {
  override readonly name = 'TillError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly issues?: TillErrorShape['issues'],
  ) {
    super(message);
  }
  toShape(): TillErrorShape {
    return { kind: this.kind, message: this.message, ...(this.issues ? { issues: this.issues } : {}) };
  }
}

/** A command's answer as it crosses a process boundary: errors travel as values. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: TillErrorShape };

/**
 * A manager's approval in place: any command's input may carry `managerPin`, the PIN of someone
 * whose role may do what the signed-in person may not. The till takes it off before the command's
 * own schema sees the input (shared/contract/access.ts says who may do what).
 */
export interface Approval {
  managerPin?: string;
}

/** The API the renderer sees as `window.till`, derived from the contract. */
export type TillApi = {
  [K in CommandName]: (input?: CommandInput<K> & Approval) => Promise<CommandOutput<K>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** What the preload and the web socket carry: one invoke function and one event stream. */
export interface Transport {
  invoke(name: CommandName, input: unknown): Promise<Reply<unknown>>;
  subscribe(listener: (event: EventName, payload: unknown) => void): () => void;
}

export function createTillApi(transport: Transport): TillApi {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  transport.subscribe((event, payload) => {
    for (const l of listeners.get(event) ?? []) l(payload as never);
  });
  const api: Record<string, unknown> = {
    on(event: EventName, listener: (payload: never) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  for (const name of commandNames) {
    api[name] = async (input: unknown = {}) => {
      const reply = await transport.invoke(name, input);
      if (reply.ok) return reply.value;
      throw new TillError(reply.error.kind, reply.error.message, reply.error.issues);
    };
  }
  return api as TillApi;
}

/**
 * What the Electron preload exposes as `window.tillBridge`: the same wire format as the web
 * host's socket (shared/contract/wire.ts), so bigints survive the context bridge and both
 * hosts run one client (`createTillApi`).
 */
export interface TillBridge {
  invoke(name: CommandName, inputWire: string): Promise<string>;
  subscribe(listener: (event: EventName, payloadWire: string) => void): () => void;
}

/** Messages on the web host's socket, encoded with toWire. */
export type ClientMessage = { type: 'invoke'; id: number; name: CommandName; input: unknown };
export type ServerMessage =
  | { type: 'reply'; id: number; reply: Reply<unknown> }
  | { type: 'event'; event: EventName; payload: unknown };
