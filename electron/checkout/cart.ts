import { randomUUID } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';
import type {
  Cart,
  CartLine,
  Discount,
  Pricing,
  RateQuote,
  ScanResult,
  Settings,
  Tip,
} from '../../shared/domain/index.js';
import type { PricingSettings } from '../../shared/pricing/settings.js';
import { invoiceMsat } from '../../shared/money/index.js';
import { printedSaleNumber, saleNumberFromCode } from '../../shared/domain/sale-number.js';
import { findByBarcode, findVariant } from '../journal/catalog.js';
import {
  clearCartLines,
  insertCartLine,
  readCartDiscount,
  readCartLines,
  readCartNote,
  setCartLineDiscount,
  setCartLineNote,
  setCartLineQuantity,
  writeCartDiscount,
  writeCartNote,
} from '../journal/cart.js';
import type { Db } from '../journal/db.js';
import type { EventBus } from '../events.js';
import { priceLines } from './pricing.js';
import { checkCartChange } from './limits.js';

export interface CartDeps {
  db: Db;
  events: EventBus;
  settings: () => Settings;
  pricing: () => PricingSettings;
  lastRate: () => RateQuote | null;
  /** Non-null while a sale's invoice is on screen: the cart it was made from is frozen. */
  activeSaleId: () => string | null;
}

export type CartService = ReturnType<typeof createCartService>;

/** A note as kept (the contract has trimmed it): nothing when nothing is left. */
function noteOrNull(note: string | null): string | null {
  return note === '' ? null : note;
}

export function createCartService(deps: CartDeps) {
  const { db, events } = deps;

  function snapshot(lines: CartLine[] = readCartLines(db)): Cart {
    const rate = deps.lastRate();
    const currency = deps.settings().currency;
    const discount = readCartDiscount(db);
    const pricing = priceLines(db, { currency, lines, discount, settings: deps.pricing() });
    const total = pricing.totals.goods;
    return {
      currency,
      lines,
      itemCount: lines.reduce((n, l) => n + l.quantity, 0),
      total,
      // The sats the invoice will ask at this rate, rounded as it will be: never a fraction of a sat.
      estimatedMsat: rate && rate.currency === currency ? invoiceMsat(total, currency, rate.rate) : null,
      discount,
      note: readCartNote(db),
      pricing,
    };
  }

  function changed(): Cart {
    const cart = snapshot();
    events.emit('cartChanged', cart);
    return cart;
  }

  function assertEditable(): void {
    if (deps.activeSaleId() !== null) {
      throw new TillError(
        'InvalidState',
        'A payment is in progress: finish or cancel it before changing the cart.',
      );
    }
  }

  /** The line going from `before` to `after` (0: absent), checked against the limits. */
  function checkLimits(lines: CartLine[], before: bigint, after: bigint, confirmLarge: boolean): void {
    const saleBefore = lines.reduce((sum, l) => sum + l.lineTotal, 0n);
    checkCartChange(deps.settings(), { lineBefore: before, lineAfter: after, saleBefore, confirmLarge });
  }

  /** Adding a variant already in the cart bumps its quantity, as a cashier scanning twice expects. */
  function addVariantLine(variantId: string, quantity: number, confirmLarge: boolean): string {
    const found = findVariant(db, variantId);
    if (!found || found.product.status !== 'ACTIVE') {
      throw new TillError('NotFound', 'That product is no longer in the catalog.');
    }
    const { product, variant } = found;
    return db.transaction(() => {
      const lines = readCartLines(db);
      const existing = lines.find((l) => l.variantId === variant.id && l.unitPrice === variant.price);
      if (existing) {
        const next = Math.min(existing.quantity + quantity, 9999);
        checkLimits(lines, existing.lineTotal, existing.unitPrice * BigInt(next), confirmLarge);
        setCartLineQuantity(db, existing.lineId, next);
        return existing.lineId;
      }
      checkLimits(lines, 0n, variant.price * BigInt(quantity), confirmLarge);
      const lineId = randomUUID();
      insertCartLine(db, {
        lineId,
        variantId: variant.id,
        title: product.title,
        variantTitle: variant.title === '' ? null : variant.title,
        sku: variant.sku,
        unitPrice: variant.price,
        quantity,
      });
      return lineId;
    })();
  }

  function lineById(lineId: string): CartLine {
    const line = readCartLines(db).find((l) => l.lineId === lineId);
    if (!line) throw new TillError('NotFound', 'That line is no longer in the cart.');
    return line;
  }

  return {
    get: (): Cart => snapshot(),

    /** The cart's lines priced for a sale, with the customer's tip (read inside the sale's transaction). */
    priced(tip: Tip | null): { lines: CartLine[]; pricing: Pricing; note: string | null } {
      const lines = readCartLines(db);
      const pricing = priceLines(db, {
        currency: deps.settings().currency,
        lines,
        discount: readCartDiscount(db),
        tip,
        settings: deps.pricing(),
      });
      return { lines, pricing, note: readCartNote(db) };
    },

    addVariant(variantId: string, quantity: number, confirmLarge: boolean): Cart {
      assertEditable();
      addVariantLine(variantId, quantity, confirmLarge);
      return changed();
    },

    addCustom(amount: bigint, title: string, confirmLarge: boolean): Cart {
      assertEditable();
      checkLimits(readCartLines(db), 0n, amount, confirmLarge);
      insertCartLine(db, {
        lineId: randomUUID(),
        variantId: null,
        title: title === '' ? 'Custom amount' : title,
        variantTitle: null,
        sku: null,
        unitPrice: amount,
        quantity: 1,
      });
      return changed();
    },

    scan(code: string, confirmLarge: boolean): ScanResult {
      assertEditable();
      const receipt = saleNumberFromCode(code);
      if (receipt !== null) {
        // A receipt's QR (shared/domain/sale-number.ts): never a product, and the cashier is told where it belongs.
        return {
          found: false,
          code,
          message: `That is the receipt of sale #${printedSaleNumber(receipt)}: scan it in Sales to find the sale.`,
        };
      }
      const found = findByBarcode(db, code);
      if (!found) {
        return { found: false, code, message: `No product has the barcode ${code}.` };
      }
      const lineId = addVariantLine(found.variant.id, 1, confirmLarge);
      const cart = changed();
      return { found: true, line: cart.lines.find((l) => l.lineId === lineId) ?? lineById(lineId), cart };
    },

    setQuantity(lineId: string, quantity: number, confirmLarge: boolean): Cart {
      assertEditable();
      db.transaction(() => {
        const lines = readCartLines(db);
        const line = lines.find((l) => l.lineId === lineId);
        if (line) checkLimits(lines, line.lineTotal, line.unitPrice * BigInt(quantity), confirmLarge);
        if (!setCartLineQuantity(db, lineId, quantity)) {
          throw new TillError('NotFound', 'That line is no longer in the cart.');
        }
        // The last line gone: the cart's note and discount go too, never left for the next customer.
        if (readCartLines(db).length === 0) clearCartLines(db);
      })();
      return changed();
    },

    /** Relative, read and written in one synchronous step: concurrent taps never overwrite each other. */
    changeQuantity(lineId: string, by: number, confirmLarge: boolean): Cart {
      assertEditable();
      const line = readCartLines(db).find((l) => l.lineId === lineId);
      if (!line && by <= 0) return snapshot();
      if (!line) throw new TillError('NotFound', 'That line is no longer in the cart.');
      return this.setQuantity(lineId, Math.min(Math.max(line.quantity + by, 0), 9999), confirmLarge);
    },

    /** A second tap of × for a line already gone is quietly nothing. */
    remove(lineId: string): Cart {
      assertEditable();
      if (!readCartLines(db).some((l) => l.lineId === lineId)) return snapshot();
      return this.setQuantity(lineId, 0, false);
    },

    /** A line's own discount; null takes it off. */
    setLineDiscount(lineId: string, discount: Discount | null): Cart {
      assertEditable();
      if (!setCartLineDiscount(db, lineId, discount)) {
        throw new TillError('NotFound', 'That line is no longer in the cart.');
      }
      return changed();
    },

    /** The discount on the whole cart; null takes it off. */
    setCartDiscount(discount: Discount | null): Cart {
      assertEditable();
      if (discount !== null && readCartLines(db).length === 0) {
        throw new TillError('InvalidState', 'The cart is empty: add something before a discount.');
      }
      writeCartDiscount(db, discount);
      return changed();
    },

    /** A line's note ("oat milk"), trimmed; empty or null takes it off. */
    setLineNote(lineId: string, note: string | null): Cart {
      assertEditable();
      if (!setCartLineNote(db, lineId, noteOrNull(note))) {
        throw new TillError('NotFound', 'That line is no longer in the cart.');
      }
      return changed();
    },

    /** The order's note, trimmed; empty or null takes it off. */
    setCartNote(note: string | null): Cart {
      assertEditable();
      const kept = noteOrNull(note);
      if (kept !== null && readCartLines(db).length === 0) {
        throw new TillError('InvalidState', 'The cart is empty: add something before a note.');
      }
      writeCartNote(db, kept);
      return changed();
    },

    clear(): Cart {
      assertEditable();
      clearCartLines(db);
      return changed();
    },

    snapshot,
    changed,
  };
}
