import { fromWire } from '../../shared/contract/wire.js';
import {
  Pricing,
  type CashMovement,
  type NodeCheckLine,
  type Shift,
  type ShiftCurrencyReport,
  type ShiftReport,
} from '../../shared/domain/index.js';
import { big, int, type Db } from '../journal/db.js';
import { movementsOf } from '../journal/shifts.js';
import { nodeInvoicePages, records } from '../reconcile/sources.js';
import type { LightningBackend } from '../lightning/backend.js';
import { backendErrorToTillError } from '../checkout/errors.js';

/**
 * The X and Z reports, computed from the journal: the shift's sales (`sales.shift_id`), their
 * journaled pricing, the paying invoices' locked rates, the shift's cash movements and outbox rows.
 * The Z report is this, computed once in the transaction that closes the shift, and frozen.
 */

interface SaleRow {
  id: string;
  number: bigint;
  state: string;
  currency: string;
  total: bigint;
  tender: 'cash' | 'lightning';
  cash_tendered: bigint | null;
  amount_paid_msat: bigint | null;
  pricing_json: string | null;
  staff_name: string | null;
  rate: string | null;
  rate_source: string | null;
  outbox_state: 'pending' | 'done' | 'failed' | null;
  outbox_error: string | null;
}

function pricingOf(r: SaleRow): Pricing | null {
  if (r.pricing_json === null) return null;
  const parsed = Pricing.safeParse(fromWire(r.pricing_json));
  if (!parsed.success) throw new Error(`sale ${r.id} has a pricing this till cannot read`);
  return parsed.data;
}

function emptyCurrency(currency: string): ShiftCurrencyReport {
  return {
    currency,
    sales: { count: 0, total: 0n },
    tenders: { cash: { count: 0, total: 0n }, lightning: { count: 0, total: 0n, msat: 0n } },
    taxes: [],
    taxTotal: 0n,
    discounts: 0n,
    tips: [],
    tipTotal: 0n,
    refunds: { count: 0, total: 0n },
    cash: {
      float: 0n,
      tendered: 0n,
      change: 0n,
      paidIn: 0n,
      paidOut: 0n,
      refunded: 0n,
      expected: 0n,
      counted: null,
      difference: null,
    },
    lightningRates: [],
    paidForEarlierShifts: { count: 0, total: 0n, msat: 0n },
  };
}

/**
 * When the shift's period starts for the node's side: its opening, or earlier when it adopted
 * sales rung up while no shift was open.
 */
export function periodStart(db: Db, shift: Shift): string {
  const r = db.prepare('SELECT min(created_at) AS first FROM sales WHERE shift_id = ?').get(shift.id) as {
    first: string | null;
  };
  return r.first !== null && r.first < shift.openedAt ? r.first : shift.openedAt;
}

/** How far before the period an invoice may have been issued and still be paid in it (late payments). */
const ISSUED_BEFORE_MS = 48 * 3600_000;

/**
 * The node's settled total over [from, to] beside the journal's, for this till's invoices only.
 * Invoice descriptions carry the shop's name and the sale number, which two tills of one shop
 * share; the payment hashes this till issued (sale_invoices) are what tell its invoices apart.
 * A node that cannot be asked is said so in the line, never a failure of the report.
 */
export async function nodeCheck(
  db: Db,
  backend: LightningBackend,
  from: string,
  to: string,
): Promise<NodeCheckLine> {
  const journal = db
    .prepare(
      `SELECT count(*) AS n, coalesce(sum(amount_paid_msat), 0) AS msat FROM sale_invoices
       WHERE settled_at IS NOT NULL AND settled_at >= ? AND settled_at <= ?`,
    )
    .get(from, to) as { n: bigint; msat: bigint };
  const journalCount = int(journal.n);
  const journalMsat = big(journal.msat);
  const ours = db.prepare('SELECT 1 FROM sale_invoices WHERE payment_hash = ?');
  try {
    let nodeCount = 0;
    let nodeMsat = 0n;
    const start = new Date(from);
    const end = new Date(to);
    const listFrom = new Date(start.getTime() - ISSUED_BEFORE_MS);
    for await (const invoice of records(nodeInvoicePages(backend, listFrom, new Date(end.getTime() + 1)))) {
      if (invoice.state !== 'settled' || invoice.settledAt === null) continue;
      if (invoice.settledAt < start || invoice.settledAt > end) continue;
      if (ours.get(invoice.paymentHash) === undefined) continue;
      nodeCount++;
      nodeMsat += invoice.amountPaidMsat ?? invoice.amountMsat;
    }
    return {
      state: 'checked',
      from,
      to,
      nodeCount,
      nodeMsat,
      journalCount,
      journalMsat,
      differenceMsat: nodeMsat - journalMsat,
    };
  } catch (err) {
    return {
      state: 'unreachable',
      from,
      to,
      journalCount,
      journalMsat,
      message: backendErrorToTillError(err, 'ask the node for its settled invoices').message,
    };
  }
}

/** Adds `amount` to the entry of `list` that `match` finds, or a new one made by `make`. */
function addTo<T>(list: T[], match: (t: T) => boolean, make: () => T, add: (t: T) => void): void {
  let entry = list.find(match);
  if (!entry) {
    entry = make();
    list.push(entry);
  }
  add(entry);
}

/** By name, a missing one last. */
const byName = (a: string | null, b: string | null): number =>
  a === null ? (b === null ? 0 : 1) : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0;

export function buildShiftReport(
  db: Db,
  input: {
    kind: 'X' | 'Z';
    shift: Shift;
    shopName: string;
    at: Date;
    /** The drawer as counted at close, in the shift's currency. */
    counted: bigint | null;
    approvedBy: ShiftReport['approvedBy'];
    node: NodeCheckLine | null;
  },
): ShiftReport {
  const { shift } = input;
  const rows = db
    .prepare(
      `SELECT s.id, s.number, s.state, s.currency, s.total, s.tender, s.cash_tendered, s.amount_paid_msat,
              s.pricing_json, s.staff_name, i.rate, i.rate_source, o.state AS outbox_state, o.last_error AS outbox_error
       FROM sales s
       LEFT JOIN sale_invoices i ON i.payment_hash = s.invoice_hash
       LEFT JOIN outbox o ON o.sale_id = s.id AND o.kind = 'orderCreate'
       WHERE s.shift_id = ? ORDER BY s.number`,
    )
    .all(shift.id) as SaleRow[];

  const byCurrency = new Map<string, ShiftCurrencyReport>();
  const section = (currency: string) => {
    let c = byCurrency.get(currency);
    if (!c) {
      c = emptyCurrency(currency);
      byCurrency.set(currency, c);
    }
    return c;
  };
  // The drawer's own currency first, even with nothing sold.
  section(shift.currency).cash.float = shift.float;

  let saleCount = 0;
  let unpaidCount = 0;
  const shopify: ShiftReport['shopify'] = { pending: 0, failed: 0, orders: [] };
  for (const r of rows) {
    if (r.state !== 'paid') {
      unpaidCount++;
      continue;
    }
    saleCount++;
    const c = section(r.currency);
    const total = big(r.total);
    c.sales.count++;
    c.sales.total += total;
    if (r.tender === 'cash') {
      const tendered = r.cash_tendered === null ? total : big(r.cash_tendered);
      c.tenders.cash.count++;
      c.tenders.cash.total += total;
      c.cash.tendered += tendered;
      c.cash.change += tendered - total;
    } else {
      const msat = r.amount_paid_msat === null ? 0n : big(r.amount_paid_msat);
      c.tenders.lightning.count++;
      c.tenders.lightning.total += total;
      c.tenders.lightning.msat += msat;
      const rate = r.rate ?? '';
      const source = r.rate_source ?? '';
      addTo(
        c.lightningRates,
        (l) => l.rate === rate && l.source === source,
        () => ({ rate, source, count: 0, total: 0n, msat: 0n }),
        (l) => {
          l.count++;
          l.total += total;
          l.msat += msat;
        },
      );
    }
    const pricing = pricingOf(r);
    if (pricing) {
      for (const t of pricing.taxLines) {
        const title = t.taxRate?.title ?? null;
        const percent = t.taxRate?.percent ?? null;
        addTo(
          c.taxes,
          (x) => x.title === title && x.percent === percent,
          () => ({ title, percent, net: 0n, tax: 0n }),
          (x) => {
            x.net += t.net;
            x.tax += t.tax;
          },
        );
      }
      c.taxTotal += pricing.totals.tax;
      c.discounts += pricing.totals.discounts;
      if (pricing.totals.tip > 0n) {
        const tip = pricing.totals.tip;
        addTo(
          c.tips,
          (x) => x.staffName === r.staff_name,
          () => ({ staffName: r.staff_name, count: 0, total: 0n }),
          (x) => {
            x.count++;
            x.total += tip;
          },
        );
        c.tipTotal += tip;
      }
    } else {
      // A sale from before pricing: its lines' sum, untaxed.
      addTo(
        c.taxes,
        (x) => x.title === null,
        () => ({ title: null, percent: null, net: 0n, tax: 0n }),
        (x) => (x.net += total),
      );
    }
    if (r.outbox_state === 'pending' || r.outbox_state === 'failed') {
      shopify[r.outbox_state]++;
      shopify.orders.push({ saleNumber: int(r.number), state: r.outbox_state, error: r.outbox_error });
    }
  }

  // Late payments of earlier shifts' sales, paid while this shift was open.
  const late = db
    .prepare(
      `SELECT s.currency, count(*) AS n, sum(s.total) AS total, coalesce(sum(s.amount_paid_msat), 0) AS msat
       FROM sales s JOIN shifts f ON f.id = s.shift_id
       WHERE s.state = 'paid' AND f.id <> ? AND f.closed_at IS NOT NULL AND s.paid_at > f.closed_at
         AND s.paid_at >= ? AND s.paid_at <= ?
       GROUP BY s.currency`,
    )
    .all(shift.id, periodStart(db, shift), input.at.toISOString()) as {
    currency: string;
    n: bigint;
    total: bigint;
    msat: bigint;
  }[];
  for (const l of late) {
    section(l.currency).paidForEarlierShifts = { count: int(l.n), total: big(l.total), msat: big(l.msat) };
  }

  // Refunds paid in this shift: the section per currency, and cash handed back leaves the drawer.
  const refunds = db
    .prepare(
      `SELECT currency, tender, count(*) AS n, coalesce(sum(amount), 0) AS total FROM refunds
       WHERE shift_id = ? AND state = 'paid' GROUP BY currency, tender`,
    )
    .all(shift.id) as { currency: string; tender: 'cash' | 'lightning'; n: bigint; total: bigint }[];
  for (const r of refunds) {
    const c = section(r.currency);
    c.refunds.count += int(r.n);
    c.refunds.total += big(r.total);
    if (r.tender === 'cash') c.cash.refunded += big(r.total);
  }

  const movements: CashMovement[] = movementsOf(db, shift.id);
  let noSales = 0;
  for (const m of movements) {
    if (m.kind === 'no_sale') noSales++;
    else if (m.kind === 'paid_in') section(m.currency).cash.paidIn += m.amount;
    else section(m.currency).cash.paidOut += m.amount;
  }

  for (const c of byCurrency.values()) {
    // The untaxed part last, as on the receipt.
    c.taxes.sort((a, b) => byName(a.title, b.title));
    c.tips.sort((a, b) => byName(a.staffName, b.staffName));
    c.cash.expected =
      c.cash.float + c.cash.tendered - c.cash.change - c.cash.refunded + c.cash.paidIn - c.cash.paidOut;
    if (input.counted !== null && c.currency === shift.currency) {
      c.cash.counted = input.counted;
      c.cash.difference = input.counted - c.cash.expected;
    }
  }

  return {
    kind: input.kind,
    shift,
    shopName: input.shopName,
    generatedAt: input.at.toISOString(),
    approvedBy: input.approvedBy,
    saleCount,
    unpaidCount,
    currencies: [...byCurrency.values()],
    movements,
    noSales,
    node: input.node,
    shopify,
  };
}
