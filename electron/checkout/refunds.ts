import { createHash, randomUUID } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';
import type {
  Network,
  RateQuote,
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
import { fiatToMsat, formatSats, roundToSat } from '../../shared/money/index.js';
import { decodeInvoice, type DecodedInvoice } from '../lightning/bolt11/decode.js';
import { big, type Db } from '../journal/db.js';
import { RefundPaymentFailed, type RefundWallet } from '../refund-wallet/wallet.js';
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
import { formatAddress, parseLightningAddress, type LightningAddressClient } from './lightning-address.js';

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
  /** The wallet Lightning refunds are paid from; null: none set up (they are refused). */
  refundWallet?: () => RefundWallet | null;
  /** The till's own limits on what goes out through it (sats; null: none). */
  refundLimits?: () => { perRefundSats: bigint | null; perDaySats: bigint | null };
  /** The network the till's node is on: a refund invoice must be on it too. */
  expectedNetwork?: () => Network;
  /** The current rate for a currency; throws TillError('RateUnavailable') when none can be had. */
  lockRate?: (currency: string) => Promise<RateQuote>;
  /** Asks a Lightning Address's service for the refund's invoice (LUD-16); none: addresses refused. */
  lightningAddress?: LightningAddressClient;
  log?: (message: string, err?: unknown) => void;
}

/** How long a look-up of a paying refund may take before the till tries again later. */
const LOOKUP_TIMEOUT_MS = 15_000;

/** An invoice must stay payable at least this long after the till checks it. */
export const REFUND_INVOICE_MIN_LIFE_SEC = 60;

const sats = (msat: bigint) => `${formatSats(msat)}`;

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
    let queued = false;
    const id = journalRefund(req, 'cash', ({ id, sale, amount, at }) => {
      // Cash leaves the drawer as it is approved: nothing can fail in between.
      refundTransition(db, id, 'paid', at, { tender: 'cash', handedOver: amount.toString() });
      notePaidSale(db, sale.id, at, { refund: id, amount: amount.toString(), tender: 'cash' });
      if (deps.queueToShopify()) {
        enqueueRefund(db, sale.id, id, at);
        queued = true;
      }
    });
    if (queued) deps.onQueued();
    return mustGet(id);
  }

  /**
   * Reads the customer's invoice as the till will pay it: its signature verified by the project's
   * decoder, on the till's network, still payable for a while, with an amount. An amountless
   * invoice is refused rather than filled in: the customer's wallet then shows the amount it
   * asked for, and nobody has to trust a number typed at the till.
   */
  function readInvoice(text: string): DecodedInvoice {
    let inv: DecodedInvoice;
    try {
      inv = decodeInvoice(text);
    } catch {
      throw new TillError(
        'ValidationError',
        'That is not a Lightning invoice the till can read: scan the customer’s invoice again.',
      );
    }
    const network = deps.expectedNetwork?.() ?? 'mainnet';
    if (inv.network !== network) {
      throw new TillError(
        'ValidationError',
        `That invoice is for ${inv.network}, but this till pays on ${network}: ask the customer for a ${network} invoice.`,
      );
    }
    const expiresAt = (inv.timestamp + inv.expirySec) * 1000;
    if (expiresAt - REFUND_INVOICE_MIN_LIFE_SEC * 1000 <= now().getTime()) {
      throw new TillError(
        'ValidationError',
        'That invoice has expired (or is about to): ask the customer for a new one.',
      );
    }
    if (inv.amountMsat === null) {
      throw new TillError(
        'ValidationError',
        'That invoice has no amount: ask the customer for an invoice of the refund’s amount in sats.',
      );
    }
    return inv;
  }

  /** What one UTC day's Lightning refunds took out (not failed ones), in msat. */
  function paidOutOn(day: Date): bigint {
    const start = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
    const end = new Date(start.getTime() + 86_400_000);
    const row = db
      .prepare(
        `SELECT coalesce(sum(amount_msat), 0) AS msat FROM refunds
         WHERE tender = 'lightning' AND state <> 'failed' AND created_at >= ? AND created_at < ?`,
      )
      .get(start.toISOString(), end.toISOString()) as { msat: bigint };
    return big(row.msat);
  }

  /** Refunds whose pay call this process is still waiting on: the periodic look-up leaves them be. */
  const inFlight = new Set<string>();

  /** Ends a paying refund with what the wallet said: paid (its preimage checked against the hash) or failed. */
  function settle(
    refundId: string,
    status: { state: 'paid'; preimage: string | null } | { state: 'failed'; reason: string },
  ): void {
    const at = now();
    db.transaction(() => {
      const row = db
        .prepare('SELECT state, payment_hash, sale_id, amount FROM refunds WHERE id = ?')
        .get(refundId) as
        { state: string; payment_hash: string; sale_id: string; amount: bigint } | undefined;
      if (!row || row.state !== 'paying') {
        // Settled already (another look-up won). A wallet saying "paid" for a refund recorded as
        // failed is money out with no refund to show for it: loud, for reconciliation.
        if (row?.state === 'failed' && status.state === 'paid') {
          deps.log?.(`refund ${refundId}: the wallet says paid, but the refund is recorded failed`);
        }
        return;
      }
      if (status.state === 'paid') {
        if (status.preimage !== null) {
          const hash = createHash('sha256').update(Buffer.from(status.preimage, 'hex')).digest('hex');
          if (hash !== row.payment_hash) {
            // A wallet answering with someone else's preimage is not believed: stay paying, look again.
            throw new Error(`refund ${refundId}: the wallet's preimage does not match the payment hash`);
          }
        }
        refundTransition(db, refundId, 'paid', at, { tender: 'lightning', preimage: status.preimage });
        notePaidSale(db, row.sale_id, at, {
          refund: refundId,
          amount: big(row.amount).toString(),
          tender: 'lightning',
        });
        if (deps.queueToShopify()) enqueueRefund(db, row.sale_id, refundId, at);
      } else {
        refundTransition(db, refundId, 'failed', at, { reason: status.reason });
      }
    }).immediate();
  }

  /**
   * Looks a paying refund up on the wallet and settles it when the wallet knows. Never pays.
   * 'unknown' (the wallet never saw it) ends it only once the invoice has expired — before then a
   * request still in flight could yet arrive.
   */
  async function resolvePaying(refundId: string): Promise<void> {
    const row = db
      .prepare('SELECT state, payment_hash, invoice, sale_id FROM refunds WHERE id = ?')
      .get(refundId) as { state: string; payment_hash: string; invoice: string; sale_id: string } | undefined;
    if (!row || row.state !== 'paying') return;
    const wallet = deps.refundWallet?.() ?? null;
    if (!wallet) return;
    // A wallet that does not answer must not hold up the till's other background work.
    let timer: NodeJS.Timeout | undefined;
    const status = await Promise.race([
      wallet.lookup(row.payment_hash),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('the refund wallet did not answer the look-up')),
          LOOKUP_TIMEOUT_MS,
        );
        timer.unref();
      }),
    ]).finally(() => clearTimeout(timer));
    if (status.state === 'paid' || status.state === 'failed') {
      settle(refundId, status);
    } else if (status.state === 'unknown') {
      const inv = decodeInvoice(row.invoice);
      if ((inv.timestamp + inv.expirySec) * 1000 <= now().getTime()) {
        settle(refundId, {
          state: 'failed',
          reason: 'The refund wallet never paid it and the invoice has expired.',
        });
      }
    }
    deps.saleChanged(row.sale_id);
  }

  /**
   * A Lightning refund to the customer's invoice, exactly once. Approved (the gate has checked
   * the role or the manager's PIN) and journaled `paying` with the invoice, its amount and its
   * payment hash in one transaction *before* the wallet is asked to pay; the wallet's answer ends
   * it. If the till dies in between, `resumePaying` looks the payment up on restart.
   */
  async function createLightning(req: RefundRequest & { reason: string; invoice: string }): Promise<Refund> {
    mustChoose(req);
    const wallet = deps.refundWallet?.() ?? null;
    if (!wallet) {
      throw new TillError(
        'InvalidState',
        'No refund wallet is set up for Lightning refunds: refund in cash, or ask the owner to set one up.',
      );
    }
    // A Lightning Address (LUD-16) instead of an invoice: its service makes the invoice, once the
    // till knows the sats; from there it is paid as any invoice is.
    const address = parseLightningAddress(req.invoice);
    let invoiceText = req.invoice;
    let inv = address ? null : readInvoice(req.invoice);
    const sale0 = paidSale(req.saleId);
    const rate = deps.lockRate ? await deps.lockRate(sale0.currency) : null;
    if (!rate)
      throw new TillError(
        'RateUnavailable',
        'No exchange rate: the till cannot tell what the refund is in sats.',
      );
    if (address) {
      if (!deps.lightningAddress)
        throw new TillError(
          'InvalidState',
          'This till cannot pay to a Lightning Address: ask for an invoice.',
        );
      const { amounts } = price(sale0, req);
      const owed = roundToSat(fiatToMsat(amounts.amount, sale0.currency, rate.rate, 'down'), 'down');
      invoiceText = (await deps.lightningAddress.invoiceFor(address, owed)).invoice;
      // Network and expiry as for any invoice; the amount again inside the journal's transaction.
      inv = readInvoice(invoiceText);
    }
    const invoiceMsat = inv!.amountMsat!;
    const paymentHash = inv!.paymentHash;
    const limits = deps.refundLimits?.() ?? { perRefundSats: null, perDaySats: null };
    const id = randomUUID();
    const at = now();
    const journal = db.transaction(() => {
      const sale = paidSale(req.saleId);
      const { amounts } = price(sale, req);
      // The shop never pays out more than it owes: the sats are rounded down.
      const owedMsat = roundToSat(fiatToMsat(amounts.amount, sale.currency, rate.rate, 'down'), 'down');
      if (invoiceMsat !== owedMsat) {
        throw new TillError(
          'ValidationError',
          `That invoice asks for ${sats(invoiceMsat)}, but the refund is ${sats(owedMsat)} at today’s rate: ask the customer for an invoice of exactly ${sats(owedMsat)}.`,
        );
      }
      if (limits.perRefundSats !== null && owedMsat > limits.perRefundSats * 1000n) {
        throw new TillError(
          'InvalidState',
          `This refund (${sats(owedMsat)}) is over the ${sats(limits.perRefundSats * 1000n)} a Lightning refund may pay: refund in cash, or the owner raises the limit.`,
        );
      }
      if (limits.perDaySats !== null && paidOutOn(at) + owedMsat > limits.perDaySats * 1000n) {
        throw new TillError(
          'InvalidState',
          `Today’s Lightning refunds would go over the ${sats(limits.perDaySats * 1000n)} a day allows: refund in cash, or the owner raises the limit.`,
        );
      }
      insertApproved(req, { id, sale, tender: 'lightning', amounts, at });
      db.prepare('UPDATE refunds SET payment_hash = ?, amount_msat = ?, invoice = ? WHERE id = ?').run(
        paymentHash,
        owedMsat,
        invoiceText.trim().replace(/^lightning:/i, ''),
        id,
      );
      refundTransition(db, id, 'paying', at, {
        tender: 'lightning',
        paymentHash,
        ...(address ? { lightningAddress: formatAddress(address) } : {}),
        amountMsat: owedMsat.toString(),
        rate: rate.rate,
        wallet: wallet.kind,
      });
    });
    commit(journal, (err) =>
      err.message.includes('refunds.payment_hash')
        ? new TillError(
            'InvalidState',
            'That invoice is already being paid, or was paid, by another refund: ask the customer for a new one.',
          )
        : null,
    );
    deps.saleChanged(req.saleId);
    await payJournaled(wallet, id, invoiceText.trim().replace(/^lightning:/i, ''), paymentHash, invoiceMsat);
    deps.saleChanged(req.saleId);
    return mustGet(id);
  }

  /**
   * Pays a refund journaled `paying` with this invoice's hash (createLightning, or an LNURL-withdraw
   * callback): only now may money move. The wallet's answer ends it; an open outcome is looked up.
   */
  async function payJournaled(
    wallet: RefundWallet,
    id: string,
    invoice: string,
    paymentHash: string,
    amountMsat: bigint,
  ): Promise<void> {
    inFlight.add(id);
    try {
      const paid = await wallet.pay(invoice, paymentHash, amountMsat).finally(() => inFlight.delete(id));
      settle(id, { state: 'paid', preimage: paid.preimage });
    } catch (err) {
      if (err instanceof RefundPaymentFailed) {
        settle(id, { state: 'failed', reason: `The refund wallet could not pay: ${err.message}` });
      } else {
        // The outcome is open (a timeout, a dropped connection): ask the wallet, never pay again.
        deps.log?.(`refund ${id}: pay call ended without an answer; looking it up`, err);
        try {
          await resolvePaying(id);
        } catch (lookupErr) {
          deps.log?.(`refund ${id}: look-up failed; it stays paying until the wallet answers`, lookupErr);
        }
      }
    }
  }

  /** On start (and when asked): every refund left paying is looked up on the wallet, never paid again. */
  async function resumePaying(): Promise<void> {
    const rows = db.prepare(`SELECT id FROM refunds WHERE state = 'paying' ORDER BY created_at`).all() as {
      id: string;
    }[];
    for (const r of rows) {
      if (inFlight.has(r.id)) continue;
      try {
        await resolvePaying(r.id);
      } catch (err) {
        deps.log?.(`refund ${r.id}: look-up failed; it stays paying`, err);
      }
    }
  }

  function mustGet(refundId: string): Refund {
    const refund = getRefund(db, refundId);
    if (!refund) throw new TillError('NotFound', 'No refund with that id.');
    return refund;
  }

  function mustChoose(req: RefundRequest): void {
    if (req.lines.length === 0 && !req.refundTip) {
      throw new TillError('ValidationError', 'Choose what comes back: a line, or the tip.');
    }
  }

  /** Inside a refund's transaction: the refund of these amounts journaled, requested → approved. */
  function insertApproved(
    req: RefundRequest & { reason: string },
    r: { id: string; sale: Sale; tender: 'cash' | 'lightning'; amounts: RefundAmounts; at: Date },
  ): void {
    const restock = new Map(req.lines.map((l) => [l.lineId, l.restock]));
    insertRefund(db, {
      id: r.id,
      saleId: r.sale.id,
      tender: r.tender,
      currency: r.sale.currency,
      lines: r.amounts.lines.map((l) => ({ ...l, restock: restock.get(l.lineId) ?? true })),
      tip: r.amounts.tip,
      tax: r.amounts.tax,
      amount: r.amounts.amount,
      reason: req.reason,
      at: r.at,
    });
    approveRefund(db, r.id, r.at);
  }

  /**
   * Runs a refund's transaction IMMEDIATE. The journal's own net (the refund_lines trigger): only a
   * writer that raced past the check in `price` meets it, and the cashier's answer is the same as
   * the check's; `explain` words the caller's own constraints.
   */
  function commit(
    journal: { immediate: () => void },
    explain: (err: Error) => TillError | null = () => null,
  ): void {
    try {
      journal.immediate();
    } catch (err) {
      if (err instanceof Error && err.message.includes('refund_lines_within_sold')) {
        throw new TillError(
          'InvalidState',
          'Some of these were just returned at another screen: look again at what can still come back.',
        );
      }
      const explained = err instanceof Error ? explain(err) : null;
      throw explained ?? err;
    }
  }

  /**
   * Journals an approved refund of this choice (requested → approved, in one IMMEDIATE transaction
   * with what `write` adds for its tender), and tells the sale's screens; its id.
   */
  function journalRefund(
    req: RefundRequest & { reason: string },
    tender: 'cash' | 'lightning',
    write: (ctx: { id: string; sale: Sale; amount: bigint; at: Date }) => void,
  ): string {
    mustChoose(req);
    const id = randomUUID();
    const at = now();
    const journal = db.transaction(() => {
      const sale = paidSale(req.saleId);
      const { amounts } = price(sale, req);
      insertApproved(req, { id, sale, tender, amounts, at });
      write({ id, sale, amount: amounts.amount, at });
    });
    commit(journal);
    deps.saleChanged(req.saleId);
    return id;
  }

  /** journalRefund for the tenders that pay later (LNURL-withdraw). */
  function journalApproved(
    req: RefundRequest & { reason: string },
    write: (ctx: { id: string; sale: Sale; amount: bigint; at: Date }) => void,
  ): string {
    return journalRefund(req, 'lightning', write);
  }

  return {
    preview,
    createCash,
    createLightning,
    journalApproved,
    payJournaled,
    readInvoice,
    paidOutOn,
    paidSale,
    resumePaying,
    get: mustGet,
    list(saleId: string): Refund[] {
      if (!getSale(db, saleId)) throw new TillError('NotFound', 'No sale with that number.');
      return listRefunds(db, saleId);
    },
  };
}
