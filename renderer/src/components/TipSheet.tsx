import { useState } from 'react';
import type { Tip } from '../../../shared/domain/index.js';
import { formatFiat, parseTypedFiat } from '../../../shared/money/index.js';
import { tipOn } from '../../../shared/pricing/index.js';
import { Sheet } from './Sheet.js';

/**
 * The tip, asked before the invoice or the cash: a big button per preset with what it adds, an
 * amount of the customer's own, or no tip. The till computes the tip itself (R5); the amounts
 * shown here are computed the same way, from the same goods total.
 */
export function TipSheet({
  goods,
  currency,
  presets,
  onChoose,
  onClose,
}: {
  /** The cart's total before the tip (after discounts, tax included). */
  goods: bigint;
  currency: string;
  presets: readonly string[];
  onChoose: (tip: Tip | null) => void;
  onClose: () => void;
}) {
  const [other, setOther] = useState<string | null>(null);
  const amount = other === null ? null : parseTypedFiat(other, currency);
  return (
    <Sheet label="Add a tip?" className="tip" onClose={onClose}>
      <h2>Add a tip?</h2>
      <div className="tip-total">
        Total <strong>{formatFiat(goods, currency)}</strong>
      </div>
      <div className="tip-grid">
        {presets.map((percent) => {
          const tip: Tip = { kind: 'percentage', percent };
          return (
            <button
              key={percent}
              className="btn tip-choice"
              data-testid="tip-preset"
              onClick={() => onChoose(tip)}
            >
              <strong>{percent}%</strong>
              <span>+{formatFiat(tipOn(goods, tip), currency)}</span>
            </button>
          );
        })}
        <button className="btn tip-choice ghost" data-testid="tip-other" onClick={() => setOther('')}>
          <strong>Other</strong>
          <span>amount</span>
        </button>
        <button className="btn tip-choice ghost" data-testid="tip-none" onClick={() => onChoose(null)}>
          <strong>No tip</strong>
          <span>{formatFiat(goods, currency)}</span>
        </button>
      </div>
      {other !== null && (
        <form
          className="tip-other"
          onSubmit={(e) => {
            e.preventDefault();
            if (amount !== null) onChoose(amount === 0n ? null : { kind: 'fixed', amount });
          }}
        >
          <label className="field">
            <span>Tip amount ({currency})</span>
            <input
              data-testid="tip-amount"
              autoFocus
              inputMode="decimal"
              maxLength={13}
              value={other}
              onChange={(e) => setOther(e.target.value)}
            />
          </label>
          {other.trim() !== '' && amount === null && (
            <span className="field-error">Enter an amount such as {formatFiat(250n, currency)}</span>
          )}
          <button className="btn primary big" data-testid="tip-amount-ok" disabled={amount === null}>
            {amount === null ? 'Add tip' : `Add ${formatFiat(amount, currency)}`}
          </button>
        </form>
      )}
    </Sheet>
  );
}
