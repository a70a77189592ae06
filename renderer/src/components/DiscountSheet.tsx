import { useState } from 'react';
import type { Discount } from '../../../shared/domain/index.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { fiatToDecimalString, formatFiat, parseTypedFiat } from '../../../shared/money/index.js';
import { Sheet } from './Sheet.js';

const PERCENTS = ['5', '10', '15', '20', '50'];

/** "−10% · Regular", "−$0.50 · Damaged box": how a discount reads on a cart line. */
export function describeDiscount(d: Discount, currency: string): string {
  const what = d.kind === 'percentage' ? `−${d.percent}%` : `−${formatFiat(d.amount, currency)}`;
  return d.reason ? `${what} · ${d.reason}` : what;
}

/** An amount off: typed as the till's currency is written, above zero. */
function parseAmount(text: string, currency: string): bigint | null {
  const amount = parseTypedFiat(text, currency);
  return amount !== null && amount > 0n ? amount : null;
}

/**
 * A discount on one line or the whole cart: a percentage tapped from the usual ones or an
 * amount typed, and why. The till checks it (never more than 100 %, a line never below zero).
 */
export function DiscountSheet({
  title,
  currency,
  current,
  onApply,
  onClose,
  onNote,
}: {
  /** What is discounted: "Flat White" or "the whole cart". */
  title: string;
  currency: string;
  current: Discount | null;
  onApply: (discount: Discount | null) => Promise<unknown>;
  onClose: () => void;
  /** A line's sheet also leads to its note ("oat milk"). */
  onNote?: () => void;
}) {
  const [reason, setReason] = useState(current?.reason ?? '');
  const [amount, setAmount] = useState(
    current?.kind === 'fixed' ? fiatToDecimalString(current.amount, currency) : '',
  );
  const [busy, setBusy] = useState(false);
  const typed = amount.trim() === '' ? null : parseAmount(amount, currency);
  const apply = (discount: Discount | null) => {
    if (busy) return;
    setBusy(true);
    void onApply(discount).finally(() => setBusy(false));
  };
  return (
    <Sheet label={`Discount on ${title}`} className="discount" onClose={onClose}>
      <h2>Discount on {title}</h2>
      <label className="field">
        <span>Why (on the receipt)</span>
        <input
          data-testid="discount-reason"
          value={reason}
          maxLength={MAX_LENGTH.discountReason}
          placeholder="Regular, damaged box, staff…"
          onChange={(e) => setReason(e.target.value)}
        />
      </label>
      <div className="discount-grid">
        {PERCENTS.map((percent) => (
          <button
            key={percent}
            data-testid="discount-percent"
            className={`btn ${current?.kind === 'percentage' && current.percent === percent ? 'primary' : 'ghost'}`}
            disabled={busy}
            onClick={() => apply({ kind: 'percentage', percent, reason: reason.trim() })}
          >
            {percent}%
          </button>
        ))}
      </div>
      <form
        className="discount-amount"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed !== null) apply({ kind: 'fixed', amount: typed, reason: reason.trim() });
        }}
      >
        <label className="field">
          <span>Or an amount off ({currency})</span>
          <input
            data-testid="discount-amount"
            inputMode="decimal"
            maxLength={16}
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />
        </label>
        <button className="btn primary" data-testid="discount-amount-ok" disabled={typed === null || busy}>
          {typed === null ? 'Take off' : `Take off ${formatFiat(typed, currency)}`}
        </button>
      </form>
      {amount.trim() !== '' && typed === null && (
        <span className="field-error">Enter an amount above zero, such as {formatFiat(250n, currency)}</span>
      )}
      <div className="sheet-actions">
        {onNote && (
          <button className="btn ghost" data-testid="discount-note" disabled={busy} onClick={onNote}>
            Note…
          </button>
        )}
        {current && (
          <button
            className="btn ghost danger"
            data-testid="discount-remove"
            disabled={busy}
            onClick={() => apply(null)}
          >
            Remove the discount
          </button>
        )}
        <button className="btn ghost" onClick={onClose}>
          Close
        </button>
      </div>
    </Sheet>
  );
}
