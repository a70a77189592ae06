import { vi } from 'vitest';
import type { EventName, EventPayload, TillApi } from '../../shared/contract/index.js';
import type { Cart, CartLine, Pricing, Sale, Shift, TillStatus } from '../../shared/domain/index.js';
import { priceCart, taxBreakdown } from '../../shared/pricing/index.js';
import { DEFAULT_PRICING, type PricingSettings } from '../../shared/pricing/settings.js';

/** Lines priced as a till with no tax rates prices them: the total is their sum. */
export function untaxed(lines: readonly CartLine[], currency = 'USD'): Pricing {
  const priced = priceCart({
    currency,
    taxesIncluded: true,
    lines: lines.map((l) => ({ ...l, taxable: true, taxRate: null })),
  });
  return { ...priced, lines: [...priced.lines], taxLines: taxBreakdown(priced) };
}

/** A cart of these lines, as getCart answers it. */
export function cartOf(lines: CartLine[], currency = 'USD'): Cart {
  const pricing = untaxed(lines, currency);
  return {
    currency,
    lines,
    itemCount: lines.reduce((n, l) => n + l.quantity, 0),
    total: pricing.totals.goods,
    estimatedMsat: null,
    discount: null,
    note: null,
    pricing,
  };
}

/** A TillApi whose commands are vi.fn()s and whose events a test pushes by hand. */
export function fakeTill(overrides: Partial<Record<keyof TillApi, unknown>> = {}) {
  const listeners = new Map<EventName, Set<(p: never) => void>>();
  const emptyCart: Cart = cartOf([]);
  const till = {
    getStatus: vi.fn(() => Promise.resolve(status())),
    getJournalProblem: vi.fn(() => Promise.resolve(null)),
    getCart: vi.fn(() => Promise.resolve(emptyCart)),
    searchCatalog: vi.fn(() => Promise.resolve({ products: [], total: 0 })),
    listParkedCarts: vi.fn(() => Promise.resolve({ carts: [] })),
    getShift: vi.fn(() => Promise.resolve({ shift: openShift() })),
    listRefunds: vi.fn(() => Promise.resolve({ refunds: [] })),
    getOfflineCharge: vi.fn(() => Promise.resolve({ offered: false, charge: null })),
    getOfflineProofs: vi.fn(() =>
      Promise.resolve({
        configured: false,
        unproven: 0,
        flagged: 0,
        paidUnsold: 0,
        lastCheckedAt: null,
        lastError: null,
        last: null,
      }),
    ),
    getPricingSettings: vi.fn(() => Promise.resolve(DEFAULT_PRICING)),
    updatePricingSettings: vi.fn((s: PricingSettings) => Promise.resolve(s)),
    addCustomAmount: vi.fn(() => Promise.resolve(emptyCart)),
    scanBarcode: vi.fn(() =>
      Promise.resolve({ found: false, code: 'x', message: 'No product has the barcode x.' }),
    ),
    on: <E extends EventName>(event: E, l: (p: EventPayload<E>) => void) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(l);
      return () => set.delete(l);
    },
    ...overrides,
  } as unknown as TillApi;
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>) => {
    for (const l of listeners.get(event) ?? []) l(payload as never);
  };
  return { till, emit };
}

/** Shift #1, open since the morning with a $100 float: the register shows no nudge. */
export function openShift(): Shift {
  return {
    id: 'shift-1',
    tillId: 't1',
    number: 1,
    currency: 'USD',
    openedAt: '2026-11-27T08:00:00.000Z',
    openedBy: { id: 'owner-1', name: 'Olivia' },
    float: 10_000n,
    closedAt: null,
    closedBy: null,
  };
}

export function status(): TillStatus {
  return {
    tillId: 't1',
    demoMode: true,
    backend: {
      kind: 'demo',
      state: 'connected',
      alias: 'demo',
      expectedNetwork: 'regtest',
      network: 'regtest',
      message: null,
      permissions: { createInvoices: true, readInvoices: true, sendPayments: false },
    },
    rate: null,
    shopify: {
      connected: false,
      shopDomain: null,
      shopName: null,
      locationName: null,
      online: null,
      pendingOrders: 0,
      failedOrders: 0,
      lastError: null,
      catalog: { source: 'demo', syncedAt: null, syncing: null },
    },
    settings: {
      shopName: 'Test Shop',
      currency: 'USD',
      invoiceExpirySec: 600,
      rateSource: 'demo',
      maxRateAgeSec: 600,
      lineSoftLimit: 100_000n,
      lineHardLimit: 1_000_000n,
      saleSoftLimit: 200_000n,
      saleHardLimit: 2_000_000n,
      maxCashChange: 50_000n,
      manualRateBandPercent: 10,
      discountApprovalPercent: 20,
      idleLockSec: 300,
    },
    activeSaleId: null,
    catalogProblem: null,
    session: { staffId: 'owner-1', name: 'Olivia', role: 'owner', since: '2026-11-27T09:00:00.000Z' },
    demoOwnerPin: null,
    cardReader: null,
  };
}

export function awaitingSale(expiresAt: Date): Sale {
  return {
    id: 's1',
    tender: 'lightning',
    cashTendered: null,
    order: null,
    staffName: 'Olivia',
    number: 7,
    state: 'awaiting_payment',
    currency: 'USD',
    lines: [],
    total: 1250n,
    pricing: null,
    note: null,
    createdAt: new Date(expiresAt.getTime() - 600_000).toISOString(),
    updatedAt: new Date(expiresAt.getTime() - 600_000).toISOString(),
    invoice: {
      paymentHash: 'ab'.repeat(32),
      bolt11: 'lnbcrt125u1p0test',
      amountMsat: 12_500_000n,
      createdAt: new Date(expiresAt.getTime() - 600_000).toISOString(),
      expiresAt: expiresAt.toISOString(),
      rate: {
        currency: 'USD',
        rate: '100000.00',
        source: 'Demo fixed rate',
        fetchedAt: expiresAt.toISOString(),
      },
    },
    paidAt: null,
    amountPaidMsat: null,
    paidLate: false,
    stateReason: null,
  };
}
