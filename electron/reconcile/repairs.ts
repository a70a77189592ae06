import type { Sale } from '../../shared/domain/index.js';
import type { Db } from '../journal/db.js';
import { notePaidSale } from '../journal/sales.js';
import { enqueueOrder, orderOutboxState, requeue } from '../shopify/outbox.js';

/**
 * A reconciliation's one repair that touches the outbox: a paid sale's missing Shopify order,
 * queued (or a parked one sent again), with the repair written to the sale's history in the
 * same transaction. Anything that could make a second order is refused and explained.
 */

export interface QueueOrderRepairDeps {
  db: Db;
  now: () => Date;
  shopifyConnected: () => boolean;
  sale: (saleId: string) => Sale;
  /** After commit: wake the outbox pump and push the sale and the till's status. */
  queued: (saleId: string) => void;
}

export type RepairResult = { done: string } | { skipped: string };

export function queueOrderRepair(deps: QueueOrderRepairDeps, saleId: string): RepairResult {
  const { db, now } = deps;
  if (!deps.shopifyConnected()) return { skipped: 'connect a Shopify store in Settings first.' };
  const sale = deps.sale(saleId);
  if (sale.state !== 'paid') return { skipped: `the sale is ${sale.state}, not paid.` };
  const result = db.transaction((): RepairResult => {
    const queued = orderOutboxState(db, saleId);
    let done: string;
    if (queued === null) {
      enqueueOrder(db, saleId, now());
      done = 'order queued for Shopify';
    } else if (queued === 'failed' && requeue(db, saleId, now())) {
      done = 'parked order sent again';
    } else if (queued === 'pending') {
      return { skipped: 'its order is already waiting to be sent.' };
    } else {
      // Sending again would duplicate an order someone may have removed on purpose.
      return {
        skipped: `its order${sale.order?.orderName ? ` ${sale.order.orderName}` : ''} was created in Shopify and is gone now (deleted there?). Re-create it in Shopify by hand if it should exist.`,
      };
    }
    notePaidSale(db, saleId, now(), { repair: 'queue_order', by: 'reconciliation' });
    return { done };
  })();
  if ('done' in result) deps.queued(saleId);
  return result;
}
