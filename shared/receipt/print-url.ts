import { ReceiptDocument } from './document.js';
import { PaperWidth } from './settings.js';

/**
 * The receipt print view's address inside the renderer (renderer/src/print/): a hash route, so
 * the desktop app (app://till/index.html#…) and the web host (/#…) load the same page.
 *
 * - `sale=<id>`: the page asks the till for the sale's receipt (the browser's Print button);
 *   `paper` overrides the paper in Settings, `print=1` opens the browser's print dialog.
 * - `refund=<id>`: the same for a paid refund's receipt.
 * - `doc=<json>`: the receipt itself (the desktop app's hidden print window, which has no
 *   bridge to the till at all and only draws what it is given).
 */
export const PRINT_ROUTE = '#print-receipt';

export type PrintRoute =
  | { kind: 'sale'; saleId: string; paper: PaperWidth | null; print: boolean }
  | { kind: 'refund'; refundId: string; paper: PaperWidth | null; print: boolean }
  | { kind: 'doc'; doc: ReceiptDocument };

export function salePrintHash(saleId: string, opts: { paper?: PaperWidth; print?: boolean } = {}): string {
  const q = new URLSearchParams({ sale: saleId });
  if (opts.paper) q.set('paper', opts.paper);
  if (opts.print) q.set('print', '1');
  return `${PRINT_ROUTE}?${q.toString()}`;
}

export function refundPrintHash(
  refundId: string,
  opts: { paper?: PaperWidth; print?: boolean } = {},
): string {
  const q = new URLSearchParams({ refund: refundId });
  if (opts.paper) q.set('paper', opts.paper);
  if (opts.print) q.set('print', '1');
  return `${PRINT_ROUTE}?${q.toString()}`;
}

export function documentPrintHash(doc: ReceiptDocument): string {
  return `${PRINT_ROUTE}?${new URLSearchParams({ doc: JSON.stringify(doc) }).toString()}`;
}

/** The print view's route in `hash`, or null for any other page (the cashier's screens). */
export function parsePrintHash(hash: string): PrintRoute | null {
  if (hash !== PRINT_ROUTE && !hash.startsWith(`${PRINT_ROUTE}?`)) return null;
  const q = new URLSearchParams(hash.slice(PRINT_ROUTE.length + 1));
  const doc = q.get('doc');
  if (doc !== null) {
    try {
      const parsed = ReceiptDocument.safeParse(JSON.parse(doc));
      return parsed.success ? { kind: 'doc', doc: parsed.data } : null;
    } catch {
      return null;
    }
  }
  const paper = PaperWidth.safeParse(q.get('paper'));
  const opts = { paper: paper.success ? paper.data : null, print: q.get('print') === '1' };
  const refundId = q.get('refund');
  if (refundId) return { kind: 'refund', refundId, ...opts };
  const saleId = q.get('sale');
  if (!saleId) return null;
  return { kind: 'sale', saleId, ...opts };
}
