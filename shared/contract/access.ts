import type { Role } from '../domain/staff.js';
import type { CommandName, EventName } from './index.js';

/**
 * Who may run each Command — the one table the till enforces (electron/staff/gate.ts) and the
 * screens read to show or hide what a role cannot do. `locked`: anyone, even with nobody signed
 * in (the PIN pad, the status, the journal's own recovery); otherwise the least role that may.
 * A role below it is answered NeedsManager and may send the command again with the PIN of
 * someone whose role may (a manager's approval in place).
 *
 * `reads`: the command changes nothing, so the audit does not record it. Everything else that
 * runs is recorded with who did it and who approved it.
 */
export type Access = 'locked' | Role;

export const COMMAND_ACCESS = {
  getStatus: { role: 'locked', reads: true },
  getJournalProblem: { role: 'locked', reads: true },
  // Offered only when the journal is missing, when no staff can exist yet; guarded by its typed confirmation.
  startNewJournal: { role: 'locked', reads: false },
  unlock: { role: 'locked', reads: false },
  lock: { role: 'locked', reads: false },
  listStaff: { role: 'manager', reads: true },
  addStaff: { role: 'owner', reads: false },
  // Owner-only except a person changing their own PIN (checked in the handler).
  updateStaff: { role: 'cashier', reads: false },
  listAudit: { role: 'manager', reads: true },

  searchCatalog: { role: 'cashier', reads: true },
  getCart: { role: 'cashier', reads: true },
  // The customer's display runs with nobody signed in on it; it shows nothing private.
  getDisplay: { role: 'locked', reads: true },
  chooseTip: { role: 'locked', reads: false },
  getCustomerDisplay: { role: 'owner', reads: true },
  updateCustomerDisplay: { role: 'owner', reads: false },
  startDisplayPairing: { role: 'owner', reads: false },
  revokeDisplay: { role: 'owner', reads: false },
  addToCart: { role: 'cashier', reads: false },
  addCustomAmount: { role: 'cashier', reads: false },
  scanBarcode: { role: 'cashier', reads: false },
  setLineQuantity: { role: 'cashier', reads: false },
  changeLineQuantity: { role: 'cashier', reads: false },
  removeLine: { role: 'cashier', reads: false },
  clearCart: { role: 'cashier', reads: false },
  // Above the owner's limit the handler asks for a manager (electron/checkout/discount-approval.ts).
  setLineDiscount: { role: 'cashier', reads: false },
  setCartDiscount: { role: 'cashier', reads: false },
  setLineNote: { role: 'cashier', reads: false },
  setCartNote: { role: 'cashier', reads: false },
  parkCart: { role: 'cashier', reads: false },
  listParkedCarts: { role: 'cashier', reads: true },
  resumeParkedCart: { role: 'cashier', reads: false },
  discardParkedCart: { role: 'cashier', reads: false },
  charge: { role: 'cashier', reads: false },
  getOfflineCharge: { role: 'cashier', reads: true },
  chargeOffline: { role: 'cashier', reads: false },
  enterOfflinePin: { role: 'cashier', reads: false },
  reissueInvoice: { role: 'cashier', reads: false },
  cancelSale: { role: 'cashier', reads: false },
  tapCard: { role: 'cashier', reads: false },
  demoPay: { role: 'cashier', reads: false },
  getSale: { role: 'cashier', reads: true },
  listSales: { role: 'cashier', reads: true },
  payCash: { role: 'cashier', reads: false },
  // A cashier may look at what a refund would give back; giving it takes a manager (in place).
  previewRefund: { role: 'cashier', reads: true },
  listRefunds: { role: 'cashier', reads: true },
  getRefund: { role: 'cashier', reads: true },
  quoteLnurlRefund: { role: 'cashier', reads: true },
  // Ending an unclaimed link pays nothing: whoever shows the QR may take it down.
  cancelLnurlRefund: { role: 'cashier', reads: false },
  getSettings: { role: 'cashier', reads: true },
  getPricingSettings: { role: 'cashier', reads: true },
  getReceiptSettings: { role: 'cashier', reads: true },
  getReceipt: { role: 'cashier', reads: true },
  listPrinters: { role: 'cashier', reads: true },
  // A reprint is recorded: who printed which sale's receipt again.
  printReceipt: { role: 'cashier', reads: false },
  saveReceiptPdf: { role: 'cashier', reads: false },
  // A refund's receipt: read, printed and saved as a sale's is (the refund itself took a manager).
  getRefundReceipt: { role: 'cashier', reads: true },
  printRefundReceipt: { role: 'cashier', reads: false },
  saveRefundReceiptPdf: { role: 'cashier', reads: false },

  openShift: { role: 'cashier', reads: false },
  // Whether a shift is open, never its takings (the X report is a manager's).
  getShift: { role: 'cashier', reads: true },
  noSale: { role: 'cashier', reads: false },

  retryOrder: { role: 'manager', reads: false },
  createRefund: { role: 'manager', reads: false },
  syncCatalog: { role: 'manager', reads: false },
  startReconcile: { role: 'manager', reads: false },
  cancelReconcile: { role: 'manager', reads: false },
  getReconcile: { role: 'manager', reads: true },
  exportReconcileCsv: { role: 'manager', reads: false },
  exportReconcileParquet: { role: 'manager', reads: false },
  applySafeRepairs: { role: 'manager', reads: false },
  paidIn: { role: 'manager', reads: false },
  paidOut: { role: 'manager', reads: false },
  closeShift: { role: 'manager', reads: false },
  listShifts: { role: 'manager', reads: true },
  getShiftReport: { role: 'manager', reads: true },
  exportShiftCsv: { role: 'manager', reads: false },
  printShiftReport: { role: 'manager', reads: false },
  saveShiftReportPdf: { role: 'manager', reads: false },
  previewManualRate: { role: 'manager', reads: true },
  setManualRate: { role: 'manager', reads: false },

  updateSettings: { role: 'owner', reads: false },
  updatePricingSettings: { role: 'owner', reads: false },
  updateReceiptSettings: { role: 'owner', reads: false },
  getBackendConfig: { role: 'owner', reads: true },
  testBackend: { role: 'owner', reads: true },
  saveBackend: { role: 'owner', reads: false },
  getRefundWallet: { role: 'owner', reads: true },
  testRefundWallet: { role: 'owner', reads: true },
  saveRefundWallet: { role: 'owner', reads: false },
  getOfflinePay: { role: 'owner', reads: true },
  saveOfflinePay: { role: 'owner', reads: false },
  getOfflineProofs: { role: 'manager', reads: true },
  checkOfflinePayments: { role: 'manager', reads: false },
  getLnurlWithdraw: { role: 'owner', reads: true },
  saveLnurlWithdraw: { role: 'owner', reads: false },
  testShopify: { role: 'owner', reads: true },
  saveShopify: { role: 'owner', reads: false },
  disconnectShopify: { role: 'owner', reads: false },
} as const satisfies Record<CommandName, { role: Access; reads: boolean }>;

/** The least role that may run `name`, or `locked` for anyone. */
export function accessOf(name: CommandName): Access {
  return COMMAND_ACCESS[name].role;
}

/**
 * What a customer display may run — on the shop's network (electron/web-host/lan-display.ts) and
 * in the second-monitor window (electron/main/ipc.ts bridgeDisplay) — and the one event it hears:
 * the sale as the customer sees it, and the customer's tip. Nothing else reaches the till.
 */
export const DISPLAY_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>(['getDisplay', 'chooseTip']);
export const DISPLAY_EVENT = 'displayChanged' as const satisfies EventName;
