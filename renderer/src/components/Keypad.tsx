import { useCallback, useRef, useState } from 'react';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { currencyExponent, formatFiat } from '../../../shared/money/index.js';
import { useScanner } from '../hooks/useScanner.js';

/** Card-terminal entry: digits fill from the right, so "1","2","5","0" is 12.50 in USD. */
export function keypadAmount(digits: string): bigint {
  return digits === '' ? 0n : BigInt(digits);
}

/** What a keypad holds: the digits, and how many of them follow a typed decimal point (null: none). */
export interface Typed {
  digits: string;
  point: number | null;
}
export const NOTHING_TYPED: Typed = { digits: '', point: null };

/**
 * Without a decimal point the digits fill from the right like a card terminal ("1250" is
 * 12.50); a keyboard's "." or "," fixes the point where it was typed ("12.5" is 12.50).
 */
export function typedAmount(t: Typed, exponent: number): bigint {
  const n = keypadAmount(t.digits);
  return t.point === null ? n : n * 10n ** BigInt(exponent - t.point);
}

/** One key: a digit, "00", a decimal point ("." or ",", where the currency has one) or Backspace. */
export function typeKey(t: Typed, key: string, exponent: number): Typed {
  if (key === 'Backspace' || key === '⌫') {
    if (t.point === 0) return { digits: t.digits, point: null };
    return { digits: t.digits.slice(0, -1), point: t.point === null ? null : t.point - 1 };
  }
  if (key === '.' || key === ',') return exponent > 0 && t.point === null ? { ...t, point: 0 } : t;
  if (!/^\d+$/.test(key)) return t;
  // No more decimals than the currency has.
  const add = t.point === null ? key : key.slice(0, exponent - t.point);
  const digits = (t.digits + add).replace(/^0+/, '');
  if (add === '' || digits.length > 12) return t;
  return { digits, point: t.point === null ? null : t.point + add.length };
}

/**
 * A keypad's state, read from a ref by key handlers: keys released together by the keyboard
 * (useScanner) and an Enter right after them see every digit, before React has rendered.
 */
export function useTypedAmount(currency: string) {
  const exponent = currencyExponent(currency);
  const now = useRef(NOTHING_TYPED);
  const [typed, setTyped] = useState(NOTHING_TYPED);
  const set = useCallback((t: Typed) => {
    now.current = t;
    setTyped(t);
  }, []);
  const press = useCallback((key: string) => set(typeKey(now.current, key, exponent)), [set, exponent]);
  const latest = useCallback(() => now.current, []);
  return { typed, amount: typedAmount(typed, exponent), exponent, set, press, latest };
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '00', '0', '⌫'] as const;

/** The twelve keys the Keypad and the cash sheet share. */
export function KeyGrid({ onKey }: { onKey: (key: string) => void }) {
  return (
    <div className="keypad-grid">
      {KEYS.map((k) => (
        <button key={k} className="key" onClick={() => onKey(k)} aria-label={k === '⌫' ? 'Backspace' : k}>
          {k}
        </button>
      ))}
    </div>
  );
}

const ignore = () => undefined;

/**
 * A custom amount, with an optional name. While `active`, the keyboard types it too: digits,
 * "." or ",", Backspace, Delete (clear), Enter (add) and Escape (`onClose`, what is typed kept).
 */
export function Keypad({
  currency,
  onAdd,
  onScan = ignore,
  onClose,
  active = true,
}: {
  currency: string;
  onAdd: (amount: bigint, title: string) => void;
  /** A scanner's burst while the keypad has the keyboard. */
  onScan?: (code: string) => void;
  onClose?: () => void;
  active?: boolean;
}) {
  const { amount, exponent, set, press, latest } = useTypedAmount(currency);
  const [title, setTitle] = useState('');
  const add = () => {
    const now = typedAmount(latest(), exponent);
    if (now === 0n) return;
    onAdd(now, title.trim());
    set(NOTHING_TYPED);
    setTitle('');
  };
  useScanner(onScan, {
    enabled: active,
    onType: (key) => {
      if (key === 'Enter') add();
      else if (key === 'Escape' && onClose) onClose();
      else if (key === 'Delete') set(NOTHING_TYPED);
      else if (key === 'Backspace' || key.length === 1) press(key);
      else return false;
      return true;
    },
  });
  return (
    <div className="keypad" data-testid="keypad">
      <div className="keypad-display" data-testid="keypad-display">
        {formatFiat(amount, currency)}
      </div>
      <input
        className="keypad-title"
        data-testid="keypad-title"
        aria-label="Name (optional)"
        placeholder="Name (optional): Custom amount"
        maxLength={MAX_LENGTH.customTitle}
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') add();
          if (e.key === 'Escape') e.currentTarget.blur();
        }}
      />
      <KeyGrid onKey={press} />
      <div className="keypad-actions">
        <button className="btn ghost" onClick={() => set(NOTHING_TYPED)}>
          Clear
        </button>
        <button className="btn primary" disabled={amount === 0n} onClick={add}>
          Add {currencyExponent(currency) >= 0 ? formatFiat(amount, currency) : ''}
        </button>
      </div>
    </div>
  );
}
