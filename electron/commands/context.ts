import type { z } from 'zod';
import type { CommandName, CommandOutput, Commands } from '../../shared/contract/index.js';
import type { Settings, TillStatus } from '../../shared/domain/index.js';
import type { CartService } from '../checkout/cart.js';
import type { ParkedCarts } from '../checkout/parked.js';
import type { PricingSettingsStore } from '../checkout/pricing-settings.js';
import type { Receipts } from '../printing/receipts.js';
import type { ReceiptSettingsStore } from '../printing/receipt-settings.js';
import type { Audit } from '../staff/audit.js';
import type { StaffService } from '../staff/staff.js';
import type { RefundService } from '../checkout/refunds.js';
import type { RefundWallets } from '../refund-wallet/settings.js';
import type { LnurlWithdraw } from '../lnurl-withdraw/service.js';
import type { OfflinePay } from '../offline-pay/service.js';
import type { SaleFlow } from '../checkout/sale-flow.js';
import type { CardTaps } from '../bolt-card/taps.js';
import type { Display } from '../display/display.js';
import type { DisplayPairing } from '../display/pairing.js';
import type { EventBus } from '../events.js';
import type { Db } from '../journal/db.js';
import type { NodeConnection } from '../lightning/connection.js';
import type { BackendDeps } from '../lightning/registry.js';
import type { TillRates } from '../rates/till-rates.js';
import type { ReconcileService } from '../reconcile/service.js';
import type { SecretStore } from '../secrets/store.js';
import type { ShopifyService } from '../shopify/service.js';

/** One handler per Command, typed from the contract; each area's module supplies its share. */
export type Handlers = {
  [K in CommandName]: (input: z.output<Commands[K]['input']>) => CommandOutput<K> | Promise<CommandOutput<K>>;
};

/** The till's parts, as createTill wired them, for the command handlers to use. */
export interface TillContext {
  db: Db;
  events: EventBus;
  now: () => Date;
  log: (message: string, err?: unknown) => void;
  secrets: SecretStore;
  backendDeps: BackendDeps;
  settings: { get(): Settings; save(patch: Partial<Settings>): Settings };
  pricing: PricingSettingsStore;
  receiptSettings: ReceiptSettingsStore;
  receipts: Receipts;
  staff: StaffService;
  audit: Audit;
  rates: TillRates;
  node: NodeConnection;
  cart: CartService;
  display: Display;
  displayPairing: DisplayPairing;
  parked: ParkedCarts;
  flow: SaleFlow;
  refunds: RefundService;
  refundWallets: RefundWallets;
  lnurlWithdraw: LnurlWithdraw;
  /** Lightning with the till offline (issue 17). */
  offlinePay: OfflinePay;
  shopify: ShopifyService;
  reconciliation: ReconcileService;
  exportDir: string;
  status: () => TillStatus;
  /** Pushes the status to every screen. */
  statusChanged: () => void;
  /** True while the cart has lines or a sale's invoice is on screen. */
  saleUnderWay: () => boolean;
  /** Bolt Cards tapped on the charge screen. */
  cards: CardTaps;
}
