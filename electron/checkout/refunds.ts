import { randomUUID } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';
import type {
  Refund,
  RefundLineRequest,
  RefundPreview,
  RefundPreviewLine,
  Sale,
} from '../../shared/domain/index.js';
import {
  refundAmounts,
  RefundAmountError,
  type RefundAmounts,
  type SoldLine,
  type SoldTip,
} from '../../shared/pricing/refund.js';
import type { Db } from '../journal/db.js';
import {
  approveRefund,
  getRefund,
  insertRefund,
  listRefunds,
  refundTransition,
  returnedSoFar,
} from '../journal/refunds.js';
import { getSale, notePaidSale } from '../journal/sales.js';
import { enqueueRefund } from '../shopify/outbox.js';

/**
 * Returns and refunds at the till (issue 14, first slice: cash). A refund is journaled before
 * any money moves, in one IMMEDIATE transaction that reads what earlier refunds took back,
 * prices this one (shared/pricing/refund.ts), writes it and its history and queues it for
 * Shopify: holding the journal's write lock from the first read means two refunds of the same
 * line — two screens, two tills on one journal — are decided one after the other, and only
 * what is still returnable can pass. The refund_lines trigger (migration 6/7) refuses the
 * rest even from a writer that skipped this code.
 */

export interface RefundRequest {
  saleId: string;
  lines: readonly RefundLineRequest[];
  refundTip: boolean;
}

export interface RefundServiceDeps {
  db: Db;
  now: () => Date;
  /** True while a Shopify store is connected: each refund then gets its outbox row. */
  queueToShopify: () => boolean;
  /** After commit, when a refund was queued for Shopify (wakes the pump). */
  onQueued: () => void;
  /** After commit: the sale's history changed (the screens refresh it). */
  saleChanged: (saleId: string) => void;
}

export type RefundService = ReturnType<typeof createRefundService>;

/** A sale's lines as sold: priced as rung up, or, from before pricing, the lines' sum untaxed. */
function soldOf(sale: Sale): { lines: SoldLine[]; tip: SoldTip | null } {
  const titles = new Map(sale.lines.map((l) => [l.lineId, l.title]));
  if (!sale.pricing) {
    return {
      lines: sale.lines.map((l) => ({
        lineId: l.lineId,
        title: l.title,
        quantity: l.quantity,
        gross: l.unitPrice * BigInt(l.quantity),
        tax: 0n,
        discount: 0n,
      })),
      tip: null,
    };
  }
  return {
    lines: sale.pricing.lines.map((p) => ({
      lineId: p.lineId,
      title: titles.get(p.lineId) ?? 'That line',
      quantity: p.quantity,
      gross: p.gross,
      tax: p.tax,
      discount: (p.lineDiscount?.amount ?? 0n) + p.cartDiscountShare,
    })),
    tip: sale.pricing.tip ? { amount: sale.pricing.tip.amount, tax: sale.pricing.tip.tax } : null,
  };
}

export function createRefundService(deps: RefundServiceDeps) {
  const { db, now } = deps;

  function paidSale(saleId: string): Sale {
    const sale = getSale(db, saleId);
    if (!sale) throw new TillError('NotFound', 'No sale with that number.');
    if (sale.state !== 'paid') {
      throw new TillError(
        'InvalidState',
        `Sale #${sale.number} was never paid (${sale.state.replace('_', ' ')}): there is nothing to refund.`,
      );
    }
    return sale;
  }

  /** Prices the request against what is still returnable; reads only (the caller holds the transaction to write). */
  function price(sale: Sale, req: RefundRequest) {
    const sold = soldOf(sale);
    const before = returnedSoFar(db, sale.id);
    let amounts: RefundAmounts;
    try {
      amounts = refundAmounts(
        sold.lines,
        sold.tip,
        before.lines,
        before.tipRefunded,
        req.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
        req.refundTip,
      );
    } catch (err) {
      if (err instanceof RefundAmountError) throw new TillError('InvalidState', err.message);
      throw err;
    }
    return { sold, before, amounts };
  }

  function preview(req: RefundRequest): RefundPreview {
    const sale = paidSale(req.saleId);
    const { sold, before, amounts } = price(sale, req);
    const chosen = new Map(amounts.lines.map((l) => [l.lineId, l]));
    const restock = new Map(req.lines.map((l) => [l.lineId, l.restock]));
    const saleLines = new Map(sale.lines.map((l) => [l.lineId, l]));
    const lines = sold.lines.map((s): RefundPreviewLine => {
      const returned = before.lines.get(s.lineId) ?? 0;
      const c = chosen.get(s.lineId);
      return {
        lineId: s.lineId,
        title: s.title,
        variantTitle: saleLines.get(s.lineId)?.variantTitle ?? null,
        sold: s.quantity,
        returned,
        returnable: s.quantity - returned,
        quantity: c?.quantity ?? 0,
        restock: restock.get(s.lineId) ?? true,
        amount: c?.amount ?? 0n,
        tax: c?.tax ?? 0n,
        discount: c?.discount ?? 0n,
      };
    });
    return {
      saleId: sale.id,
      saleNumber: sale.number,
      currency: sale.currency,
      lines,
      saleTip: sold.tip?.amount ?? 0n,
      tipRefunded: before.tipRefunded,
      tip: amounts.tip,
      tax: amounts.tax,
      amount: amounts.amount,
      refundedBefore: before.amount,
      remaining: sale.total - before.amount - amounts.amount,
    };
  }

  /**
   * A cash refund, approved (the gate has checked the role or the manager's PIN), journaled and
   * paid in one transaction: the answer is the amount to hand over from the drawer.
   */
  function createCash(req: RefundRequest & { reason: string }): Refund {
    if (req.lines.length === 0 && !req.refundTip) {
      throw new TillError('ValidationError', 'Choose what comes back: a line, or the tip.');
    }
    const id = randomUUID();
    const at = now();
    let queued = false;
    const journal = db.transaction(() => {
      const sale = paidSale(req.saleId);
      const { amounts } = price(sale, req);
      const restock = new Map(req.lines.map((l) => [l.lineId, l.restock]));
      insertRefund(db, {
        id,
        saleId: sale.id,
        tender: 'cash',
        currency: sale.currency,
        lines: amounts.lines.map((l) => ({ ...l, restock: restock.get(l.lineId) ?? true })),
        tip: amounts.tip,
        tax: amounts.tax,
        amount: amounts.amount,
        reason: req.reason,
        at,
      });
      approveRefund(db, id, at);
      // Cash leaves the drawer as it is approved: nothing can fail in between.
      refundTransition(db, id, 'paid', at, { tender: 'cash', handedOver: amounts.amount.toString() });
      notePaidSale(db, sale.id, at, { refund: id, amount: amounts.amount.toString(), tender: 'cash' });
      if (deps.queueToShopify()) {
        enqueueRefund(db, sale.id, id, at);
        queued = true;
      }
    });
    try {
      journal.immediate();
    } catch (err) {
      // The journal's own net (the refund_lines trigger): only a writer that raced past the
      // check above meets it, and the cashier's answer is the same as the check's.
      if (err instanceof Error && err.message.includes('refund_lines_within_sold')) {
        throw new TillError(
          'InvalidState',
          'Some of these were just returned at another screen: look again at what can still come back.',
        );
      }
      throw err;
    }
    deps.saleChanged(req.saleId);
    if (queued) deps.onQueued();
    return mustGet(id);
  }

  function mustGet(refundId: string): Refund {
    const refund = getRefund(db, refundId);
    if (!refund) throw new TillError('NotFound', 'No refund with that id.');
    return refund;
  }

  return {
    preview,
    createCash,
    get: mustGet,
    list(saleId: string): Refund[] {
      if (!getSale(db, saleId)) throw new TillError('NotFound', 'No sale with that number.');
      return listRefunds(db, saleId);
    },
  };
}
