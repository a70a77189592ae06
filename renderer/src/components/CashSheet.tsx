import { useRef, useState } from 'react';
import { currencyExponent, formatFiat } from '../../../shared/money/index.js';
import { keypadAmount } from './Keypad.js';

/** Round amounts a customer is likely to hand over for `total`, in minor units. */
export function suggestedTenders(total: bigint, currency: string): bigint[] {
  const unit = 10n ** BigInt(currencyExponent(currency));
  const steps = [1n, 5n, 10n, 20n, 50n, 100n].map((n) => n * unit);
  const out = new Set<bigint>([total]);
  for (const step of steps) {
    const up = ((total + step - 1n) / step) * step;
    if (up > total) out.add(up);
    if (out.size >= 4) break;
  }
  return [...out].sort((a, b) => (a < b ? -1 : 1));
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '00', '0', '⌫'] as const;

/** Cash: what the customer hands over, the change due, then one tap to record the sale. */
export function CashSheet({
  total,
  currency,
  onTake,
  onClose,
  maxChange,
}: {
  total: bigint;
  currency: string;
  /** The most change the till gives (Settings → Limits): more handed over is a slip of the finger. */
  maxChange?: bigint;
  onTake: (tendered: bigint) => Promise<unknown>;
  onClose: () => void;
}) {
  const [digits, setDigits] = useState('');
  // One tap records one sale: a second tap in the same instant (before React re-renders the
  // button disabled) must not ask the till again and come back with "the cart is empty".
  const taking = useRef(false);
  const [busy, setBusy] = useState(false);
  const take = (amount: bigint) => {
    if (taking.current) return;
    taking.current = true;
    setBusy(true);
    void onTake(amount).finally(() => {
      taking.current = false;
      setBusy(false);
    });
  };
  const typed = keypadAmount(digits);
  const tendered = digits === '' ? total : typed;
  const change = tendered - total;
  const tooMuch = maxChange !== undefined && change > maxChange;
  const press = (k: (typeof KEYS)[number]) => {
    if (k === '⌫') return setDigits((d) => d.slice(0, -1));
    setDigits((d) => (d + k).replace(/^0+/, '').slice(0, 12));
  };
  return (
    <div className="sheet-backdrop" onClick={onClose}>
      <div
        className="sheet cash"
        role="dialog"
        aria-label="Take cash"
        onClick={(e) => e.stopPropagation()}
        data-no-scan
      >
        <h2>
          Cash · <span data-testid="cash-total">{formatFiat(total, currency)}</span>
        </h2>
        <div className="cash-grid">
          <div className="cash-left">
            <div className="quick">
              {suggestedTenders(total, currency).map((amount) => (
                <button
                  key={String(amount)}
                  className={`btn ${amount === tendered ? 'primary' : 'ghost'}`}
                  onClick={() => setDigits(String(amount))}
                  data-testid="cash-quick"
                >
                  {amount === total ? 'Exact' : formatFiat(amount, currency)}
                </button>
              ))}
            </div>
            <div className="cash-figures">
              <span>Handed over</span>
              <strong data-testid="cash-tendered">{formatFiat(tendered, currency)}</strong>
              <span>Change due</span>
              <strong className={`change ${change < 0n || tooMuch ? 'short' : ''}`} data-testid="cash-change">
                {change < 0n ? `${formatFiat(-change, currency)} short` : formatFiat(change, currency)}
              </strong>
              {tooMuch && (
                <span className="too-much" data-testid="cash-too-much">
                  More change than the till gives ({formatFiat(maxChange, currency)}): check the amount handed
                  over.
                </span>
              )}
            </div>
          </div>
          <div className="keypad-grid">
            {KEYS.map((k) => (
              <button
                key={k}
                className="key"
                onClick={() => press(k)}
                aria-label={k === '⌫' ? 'Backspace' : k}
              >
                {k}
              </button>
            ))}
          </div>
        </div>
        <div className="actions">
          <button className="btn ghost big" onClick={onClose}>
            Cancel
          </button>
          <button
            className="btn primary big"
            disabled={change < 0n || tooMuch || busy}
            onClick={() => take(tendered)}
            data-testid="cash-take"
          >
            Take {formatFiat(tendered, currency)}
          </button>
        </div>
      </div>
    </div>
  );
}
