import { useRef, useState } from 'react';
import { currencyExponent, formatFiat } from '../../../shared/money/index.js';
import { useScanner } from '../hooks/useScanner.js';
import { KeyGrid, NOTHING_TYPED, typedAmount, useTypedAmount, type Typed } from './Keypad.js';
import { Sheet } from './Sheet.js';

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

const ignore = () => undefined;

/**
 * Cash: what the customer hands over, the change due, then one tap to record the sale. The
 * keyboard types the amount handed over too; Enter takes it, Escape closes the sheet.
 */
export function CashSheet({
  total,
  currency,
  onTake,
  onClose,
  maxChange,
  onScan = ignore,
}: {
  total: bigint;
  currency: string;
  /** The most change the till gives (Settings); more means the amount handed over is a typo. */
  maxChange?: bigint;
  onTake: (tendered: bigint) => Promise<unknown>;
  onClose: () => void;
  /** A scanner's burst while the sheet is open: never typed as cash, never a Take. */
  onScan?: (code: string) => void;
}) {
  const { typed, exponent, set, press, latest } = useTypedAmount(currency);
  // One tap records one sale: a second tap in the same instant (before React re-renders the
  // button disabled) must not ask the till again and come back with "the cart is empty".
  const taking = useRef(false);
  const dialog = useRef<HTMLDivElement>(null);
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
  const handedOver = (t: Typed) => (t.digits === '' && t.point === null ? total : typedAmount(t, exponent));
  const tendered = handedOver(typed);
  const change = tendered - total;
  const tooMuch = maxChange !== undefined && change > maxChange;
  const takeable = (amount: bigint) =>
    amount >= total && (maxChange === undefined || amount - total <= maxChange);
  useScanner(onScan, {
    enabled: true,
    owner: dialog,
    onType: (key) => {
      if (key === 'Enter') {
        const amount = handedOver(latest());
        if (takeable(amount)) take(amount);
      } else if (key === 'Delete') set(NOTHING_TYPED);
      else if (key === 'Backspace' || key.length === 1) press(key);
      else return false;
      return true;
    },
  });
  return (
    <Sheet label="Take cash" className="cash" onClose={onClose} dialogRef={dialog}>
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
                onClick={() => set({ digits: String(amount), point: null })}
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
        <KeyGrid onKey={press} />
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
    </Sheet>
  );
}
