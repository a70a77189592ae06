import { useState } from 'react';
import { currencyExponent, formatFiat } from '../../../shared/money/index.js';

/** Card-terminal entry: digits fill from the right, so "1","2","5","0" is 12.50 in USD. */
export function keypadAmount(digits: string): bigint {
  return digits === '' ? 0n : BigInt(digits);
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '00', '0', '⌫'] as const;

export function Keypad({ currency, onAdd }: { currency: string; onAdd: (amount: bigint) => void }) {
  const [digits, setDigits] = useState('');
  const amount = keypadAmount(digits);
  const press = (k: (typeof KEYS)[number]) => {
    if (k === '⌫') return setDigits((d) => d.slice(0, -1));
    setDigits((d) => (d + k).replace(/^0+/, '').slice(0, 12));
  };
  return (
    <div className="keypad" data-testid="keypad">
      <div className="keypad-display" data-testid="keypad-display">
        {formatFiat(amount, currency)}
      </div>
      <div className="keypad-grid">
        {KEYS.map((k) => (
          <button key={k} className="key" onClick={() => press(k)} aria-label={k === '⌫' ? 'Backspace' : k}>
            {k}
          </button>
        ))}
      </div>
      <div className="keypad-actions">
        <button className="btn ghost" onClick={() => setDigits('')}>
          Clear
        </button>
        <button
          className="btn primary"
          disabled={amount === 0n}
          onClick={() => {
            onAdd(amount);
            setDigits('');
          }}
        >
          Add {currencyExponent(currency) >= 0 ? formatFiat(amount, currency) : ''}
        </button>
      </div>
    </div>
  );
}
