import type { TillApi } from '../../../shared/contract/index.js';
import type { SaleSummary } from '../../../shared/domain/index.js';
import { printedSaleNumber, saleNumberQuery } from '../../../shared/domain/sale-number.js';
import { formatFiat } from '../../../shared/money/index.js';
import { Sheet } from './Sheet.js';

/**
 * The sale a scanned receipt (or a typed sale number) names, exactly: "000042" is sale 42, not
 * sale 420. Null when there is none.
 */
export async function findSaleByCode(till: TillApi, text: string): Promise<SaleSummary | null> {
  const digits = saleNumberQuery(text);
  if (digits === null) return null;
  const { sales } = await till.listSales({ number: digits });
  return sales.find((s) => s.number === Number(digits)) ?? null;
}

/**
 * A receipt scanned at the Register: the customer is bringing something back, not buying the
 * sale again. "Sale #000042 — Return items?"; yes opens the sale in Sales with Return items.
 */
export function ReturnPrompt({
  sale,
  onReturn,
  onClose,
}: {
  sale: SaleSummary;
  onReturn: () => void;
  onClose: () => void;
}) {
  const number = printedSaleNumber(sale.number);
  return (
    <Sheet label={`Sale #${number} — Return items?`} className="return-prompt" onClose={onClose}>
      <h2 data-testid="return-prompt-title">Sale #{number} — Return items?</h2>
      <p className="muted">
        {new Date(sale.createdAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })} ·{' '}
        {sale.itemCount} {sale.itemCount === 1 ? 'item' : 'items'} · {formatFiat(sale.total, sale.currency)}
      </p>
      <p>The customer’s receipt was scanned: nothing was added to the cart.</p>
      <div className="sheet-actions">
        <button type="button" className="btn ghost big" data-testid="return-prompt-no" onClick={onClose}>
          Not now
        </button>
        <button
          type="button"
          className="btn primary big"
          data-testid="return-prompt-yes"
          autoFocus
          onClick={onReturn}
        >
          Return items
        </button>
      </div>
    </Sheet>
  );
}
