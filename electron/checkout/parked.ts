import { randomUUID } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';
import type { Cart, ParkedCart, ResumeChange } from '../../shared/domain/index.js';
import { findVariant } from '../journal/catalog.js';
import {
  insertCartLine,
  readCartDiscount,
  readCartLines,
  readCartNote,
  writeCartDiscount,
  writeCartNote,
} from '../journal/cart.js';
import type { Db } from '../journal/db.js';
import type { EventBus } from '../events.js';
import {
  countParkedCarts,
  deleteParkedCart,
  parkCartLines,
  readParkedCart,
  readParkedCarts,
  type ParkedRow,
} from '../journal/parked.js';
import type { CartService } from './cart.js';

/** More than this many held carts is a counter nobody is minding. */
export const MAX_PARKED_CARTS = 50;

export interface ParkedCartsDeps {
  db: Db;
  events: EventBus;
  cart: CartService;
  currency: () => string;
  now: () => Date;
  /** Non-null while a sale's invoice is on screen: its cart is frozen. */
  activeSaleId: () => string | null;
}

export type ParkedCarts = ReturnType<typeof createParkedCarts>;

function toParked(row: ParkedRow): ParkedCart {
  return {
    ...row,
    itemCount: row.lines.reduce((n, l) => n + l.quantity, 0),
    total: row.lines.reduce((sum, l) => sum + l.lineTotal, 0n),
  };
}

/**
 * Held carts. Parking moves the cart's lines aside in one transaction, so a crash leaves them
 * either in the cart or parked, never in both or neither. A parked cart keeps its prices until
 * it is resumed; resuming prices it again from the catalog and says what changed.
 */
export function createParkedCarts(deps: ParkedCartsDeps) {
  const { db, cart } = deps;

  function assertNoSaleOnScreen(): void {
    if (deps.activeSaleId() !== null) {
      throw new TillError('InvalidState', 'A payment is in progress: finish or cancel it first.');
    }
  }

  function gone(): TillError {
    return new TillError('NotFound', 'That cart is no longer parked: it was resumed or discarded.');
  }

  const park = db.transaction((name: string): ParkedCart => {
    assertNoSaleOnScreen();
    if (readCartLines(db).length === 0)
      throw new TillError('InvalidState', 'The cart is empty: nothing to park.');
    if (countParkedCarts(db) >= MAX_PARKED_CARTS) {
      throw new TillError(
        'InvalidState',
        `${MAX_PARKED_CARTS} carts are parked already: resume or discard one first.`,
      );
    }
    const id = randomUUID();
    parkCartLines(db, {
      id,
      name,
      currency: deps.currency(),
      parkedAt: deps.now().toISOString(),
      discount: readCartDiscount(db),
      note: readCartNote(db),
    });
    return toParked(readParkedCart(db, id)!);
  });

  const resume = db.transaction((parkedId: string): ResumeChange[] => {
    assertNoSaleOnScreen();
    const parked = readParkedCart(db, parkedId);
    if (!parked) throw gone();
    if (readCartLines(db).length > 0) {
      throw new TillError('InvalidState', 'Park or clear the current cart before resuming another.');
    }
    if (parked.currency !== deps.currency()) {
      throw new TillError(
        'InvalidState',
        `This cart was parked in ${parked.currency} and the till now sells in ${deps.currency()}: discard it and ring it up again.`,
      );
    }
    const changes: ResumeChange[] = [];
    for (const line of parked.lines) {
      let unitPrice = line.unitPrice;
      if (line.variantId !== null) {
        const found = findVariant(db, line.variantId);
        const described = { title: line.title, variantTitle: line.variantTitle, was: line.unitPrice };
        if (!found || found.product.status !== 'ACTIVE') {
          changes.push({ ...described, kind: 'removed', now: null });
          continue;
        }
        if (found.variant.price !== line.unitPrice) {
          unitPrice = found.variant.price;
          changes.push({ ...described, kind: 'repriced', now: unitPrice });
        }
      }
      insertCartLine(db, {
        lineId: line.lineId,
        variantId: line.variantId,
        title: line.title,
        variantTitle: line.variantTitle,
        sku: line.sku,
        unitPrice,
        quantity: line.quantity,
        discount: line.discount,
        note: line.note,
      });
    }
    writeCartDiscount(db, parked.discount);
    writeCartNote(db, parked.note);
    deleteParkedCart(db, parkedId);
    return changes;
  });

  const list = (): ParkedCart[] => readParkedCarts(db).map(toParked);

  function listChanged(): ParkedCart[] {
    const carts = list();
    deps.events.emit('parkedCartsChanged', carts);
    return carts;
  }

  return {
    list,

    park(name: string): { cart: Cart; parked: ParkedCart } {
      const parked = park(name);
      listChanged();
      return { cart: cart.changed(), parked };
    },

    resume(parkedId: string): { cart: Cart; changes: ResumeChange[] } {
      const changes = resume(parkedId);
      listChanged();
      return { cart: cart.changed(), changes };
    },

    discard(parkedId: string): ParkedCart[] {
      if (!deleteParkedCart(db, parkedId)) throw gone();
      return listChanged();
    },
  };
}
