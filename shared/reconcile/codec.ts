import type { JournalSale, NodeInvoice, Outcome, ReconcileResult, Repair, ShopifyOrder } from './types.js';
import type { SaleState, Tender } from '../domain/index.js';
import type { InvoiceState } from './types.js';
import type { PartitionInput } from './classify.js';

/**
 * The wire form of records and results between the main thread and workers: one line per
 * record, tab-separated fields, the first field a tag (N node, J journal, S shopify). A batch
 * is the UTF-8 of many lines in one ArrayBuffer, transferred (not copied) to the worker.
 * Strings are escaped (\\ \t \n) only when they need it; NUL stands for null.
 */

const NULL = '\u0000';

function needsEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 92) return true;
  }
  return false;
}

function esc(s: string | null): string {
  if (s === null) return NULL;
  if (!needsEscape(s)) return s;
  // eslint-disable-next-line no-control-regex -- NUL is one of the characters escaped
  return s.replace(/[\\\t\n\r\u0000]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\0',
  );
}

function unesc(s: string): string | null {
  if (s === NULL) return null;
  if (!s.includes('\\')) return s;
  return s.replace(/\\(.)/g, (_, c: string) =>
    c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === '0' ? '\u0000' : c,
  );
}

const num = (n: number | null): string => (n === null ? NULL : String(n));
const big = (n: bigint | null): string => (n === null ? NULL : String(n));

export const encodeInvoice = (i: NodeInvoice): string =>
  `N\t${esc(i.paymentHash)}\t${i.amountMsat}\t${big(i.amountPaidMsat)}\t${i.state}\t${i.createdAt}\t${i.expiresAt}\t${num(i.settledAt)}\n`;

export const encodeSale = (s: JournalSale): string =>
  `J\t${esc(s.saleId)}\t${s.number}\t${esc(s.paymentHash)}\t${s.tender}\t${s.state}\t${s.total}\t${esc(s.currency)}\t${big(s.amountPaidMsat)}\t${esc(s.rate)}\t${esc(s.rateSource)}\t${num(s.paidAt)}\t${s.paidLate ? 1 : 0}\t${esc(s.orderName)}\t${s.net}\t${s.tax}\t${s.tip}\t${s.discounts}\n`;

export const encodeOrder = (o: ShopifyOrder): string =>
  `S\t${esc(o.orderId)}\t${esc(o.name)}\t${esc(o.saleId)}\t${o.total}\t${esc(o.currency)}\t${esc(o.paymentHash)}\n`;

/**
 * A cursor over tab-separated fields: reads each field in place with indexOf, so a line costs
 * its field strings and nothing else (no intermediate array per line).
 */
class Fields {
  pos = 0;
  constructor(readonly text: string) {}
  /** The next field, raw (escaped); the cursor moves past its tab or newline. */
  next(): string {
    const t = this.text;
    let end = this.pos;
    for (;;) {
      const c = t.charCodeAt(end);
      if (c === 9 || c === 10 || Number.isNaN(c)) break;
      end++;
    }
    const field = t.slice(this.pos, end);
    this.pos = end + 1;
    return field;
  }
  str(): string {
    return unesc(this.next()) ?? '';
  }
  nstr(): string | null {
    return unesc(this.next());
  }
  num(): number {
    return Number(this.next());
  }
  nnum(): number | null {
    const f = this.next();
    return f === NULL ? null : Number(f);
  }
  big(): bigint {
    return BigInt(this.next());
  }
  nbig(): bigint | null {
    const f = this.next();
    return f === NULL ? null : BigInt(f);
  }
}

/** Decode a batch of record lines back into the three record lists. */
export function decodeRecords(text: string, into?: PartitionInput): PartitionInput {
  const out = into ?? { node: [], journal: [], shopify: [] };
  const node = out.node as NodeInvoice[];
  const journal = out.journal as JournalSale[];
  const shopify = out.shopify as ShopifyOrder[];
  const f = new Fields(text);
  while (f.pos < text.length) {
    const tag = f.next();
    switch (tag) {
      case 'N':
        node.push({
          paymentHash: f.str(),
          amountMsat: f.big(),
          amountPaidMsat: f.nbig(),
          state: f.next() as InvoiceState,
          createdAt: f.num(),
          expiresAt: f.num(),
          settledAt: f.nnum(),
        });
        break;
      case 'J':
        journal.push({
          saleId: f.str(),
          number: f.num(),
          paymentHash: f.nstr(),
          tender: f.next() as Tender,
          state: f.next() as SaleState,
          total: f.big(),
          currency: f.str(),
          amountPaidMsat: f.nbig(),
          rate: f.nstr(),
          rateSource: f.nstr(),
          paidAt: f.nnum(),
          paidLate: f.next() === '1',
          orderName: f.nstr(),
          net: f.big(),
          tax: f.big(),
          tip: f.big(),
          discounts: f.big(),
        });
        break;
      case 'S':
        shopify.push({
          orderId: f.str(),
          name: f.str(),
          saleId: f.nstr(),
          total: f.big(),
          currency: f.str(),
          paymentHash: f.nstr(),
        });
        break;
      case '':
        break;
      default:
        throw new Error(`reconcile codec: unknown record tag "${tag.slice(0, 20)}"`);
    }
  }
  return out;
}

export function encodeResult(r: ReconcileResult): string {
  return `${r.outcome}\t${r.repair}\t${esc(r.saleId)}\t${num(r.saleNumber)}\t${esc(r.paymentHash)}\t${esc(r.orderId)}\t${esc(r.orderName)}\t${esc(r.tender)}\t${esc(r.saleState)}\t${num(r.time)}\t${big(r.msat)}\t${big(r.fiat)}\t${esc(r.currency)}\t${esc(r.rate)}\t${esc(r.rateSource)}\t${big(r.net)}\t${big(r.tax)}\t${big(r.tip)}\t${big(r.discounts)}\t${esc(r.detail)}\n`;
}

export function decodeResults(text: string, safeOf: (repair: Repair) => boolean): ReconcileResult[] {
  const out: ReconcileResult[] = [];
  const f = new Fields(text);
  while (f.pos < text.length) {
    const outcome = f.next() as Outcome;
    if ((outcome as string) === '') continue;
    const repair = f.next() as Repair;
    out.push({
      outcome,
      repair,
      safe: safeOf(repair),
      saleId: f.nstr(),
      saleNumber: f.nnum(),
      paymentHash: f.nstr(),
      orderId: f.nstr(),
      orderName: f.nstr(),
      tender: f.nstr() as Tender | null,
      saleState: f.nstr() as SaleState | null,
      time: f.nnum(),
      msat: f.nbig(),
      fiat: f.nbig(),
      currency: f.nstr(),
      rate: f.nstr(),
      rateSource: f.nstr(),
      net: f.nbig(),
      tax: f.nbig(),
      tip: f.nbig(),
      discounts: f.nbig(),
      detail: f.str(),
    });
  }
  return out;
}
