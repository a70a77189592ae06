import type { Cart, Sale, Tip } from '../../shared/domain/index.js';
import type { DisplayState } from '../../shared/domain/display.js';
import type { PricingSettings } from '../../shared/pricing/settings.js';
import { TillError } from '../../shared/contract/index.js';
import type { EventBus } from '../events.js';

export interface DisplayDeps {
  events: EventBus;
  shopName: () => string;
  cart: () => Cart;
  pricing: () => PricingSettings;
  /** The sale on screen (awaiting payment), if any. */
  activeSale: () => Sale | null;
  /** A sale charged offline (issue 17): its signed LNURL-pay link, for the customer to scan here. */
  offlineLink?: (saleId: string) => { qr: string; amountMsat: bigint; expiresAt: string } | null;
}

/**
 * The customer-facing display's state, computed here from the cart and the sale on screen and
 * pushed as `displayChanged` whenever either moves. Carries nothing private (README, customer
 * display): the shop's name, the lines, the totals, the tip choices, the QR, paid and change.
 */
export function createDisplay(deps: DisplayDeps) {
  /** The last sale paid at this till, shown as "Paid" until the next line is rung up. */
  let paid: Sale | null = null;
  let customerTip: Tip | null = null;
  let last = '';

  function fromPricing(p: Cart['pricing']) {
    return {
      discounts: p.totals.discounts,
      taxes: p.taxLines
        .filter((t) => t.taxRate !== null && t.tax > 0n)
        .map((t) => ({ title: t.taxRate?.title ?? '', amount: t.tax })),
      tip: p.totals.tip,
    };
  }

  function lines(cartLines: Cart['lines'], p: Cart['pricing'] | null) {
    return cartLines.map((l, i) => ({
      lineId: l.lineId,
      title: l.title,
      variantTitle: l.variantTitle,
      quantity: l.quantity,
      amount: p?.lines[i]?.gross ?? l.lineTotal,
    }));
  }

  /** What the customer scans: the invoice, or an offline charge's signed link. */
  function payable(sale: Sale): DisplayState['invoice'] {
    if (sale.invoice)
      return {
        bolt11: sale.invoice.bolt11,
        amountMsat: sale.invoice.amountMsat,
        expiresAt: sale.invoice.expiresAt,
      };
    const link = sale.offline ? deps.offlineLink?.(sale.id) : null;
    return link ? { bolt11: link.qr, amountMsat: link.amountMsat, expiresAt: link.expiresAt } : null;
  }

  function fromSale(sale: Sale, phase: 'invoice' | 'paid'): DisplayState {
    const p = sale.pricing;
    return {
      shopName: deps.shopName(),
      phase,
      currency: sale.currency,
      lines: lines(sale.lines, p),
      ...(p ? fromPricing(p) : { discounts: 0n, taxes: [], tip: 0n }),
      total: sale.total,
      msat: sale.invoice?.amountMsat ?? sale.offline?.amountMsat ?? sale.amountPaidMsat,
      tipChoices: null,
      customerTip: null,
      invoice: phase === 'invoice' ? payable(sale) : null,
      change:
        phase === 'paid' && sale.tender === 'cash' && sale.cashTendered !== null
          ? sale.cashTendered - sale.total
          : null,
    };
  }

  function state(): DisplayState {
    const active = deps.activeSale();
    // An offline charge (issue 17) shows its sale too: the tip in it, no choices to tap any more.
    if (active && active.state === 'awaiting_payment' && (active.invoice || active.offline))
      return fromSale(active, 'invoice');
    const cart = deps.cart();
    if (cart.lines.length === 0 && paid) return fromSale(paid, 'paid');
    const tips = deps.pricing().tips;
    return {
      shopName: deps.shopName(),
      phase: cart.lines.length === 0 ? 'idle' : 'cart',
      currency: cart.currency,
      lines: lines(cart.lines, cart.pricing),
      ...fromPricing(cart.pricing),
      total: cart.total,
      msat: cart.estimatedMsat,
      tipChoices: tips.enabled && tips.presets.length > 0 && cart.lines.length > 0 ? tips.presets : null,
      customerTip: cart.lines.length > 0 ? customerTip : null,
      invoice: null,
      change: null,
    };
  }

  function publish(): void {
    const next = state();
    // Same state, no push: a display redraws only when something it shows moved.
    const key = JSON.stringify(next, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    if (key === last) return;
    last = key;
    deps.events.emit('displayChanged', next);
  }

  deps.events.subscribe((event, payload) => {
    if (event === 'saleUpdated') {
      const sale = payload as Sale;
      if (sale.state === 'paid') {
        paid = sale;
        customerTip = null;
      }
      if (sale.state === 'awaiting_payment') customerTip = null;
      publish();
    } else if (event === 'cartChanged') {
      const cart = payload as Cart;
      if (cart.lines.length > 0) paid = null;
      else customerTip = null;
      publish();
    } else if (event === 'pricingChanged' || event === 'statusChanged') {
      // statusChanged: the shop's name may have changed in Settings.
      publish();
    }
  });

  return {
    get: state,
    /** The customer's tap on a tip choice (or null: no tip); only while a cart is being rung up. */
    chooseTip(tip: Tip | null): DisplayState {
      const now = state();
      if (now.phase !== 'cart' || now.tipChoices === null) {
        throw new TillError('InvalidState', 'There is nothing to tip on right now.');
      }
      if (tip !== null && (tip.kind !== 'percentage' || !now.tipChoices.includes(tip.percent))) {
        throw new TillError('ValidationError', 'Choose one of the tips shown.');
      }
      customerTip = tip;
      publish();
      return state();
    },
  };
}
export type Display = ReturnType<typeof createDisplay>;
