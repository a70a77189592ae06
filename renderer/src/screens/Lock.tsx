import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { TillApi } from '../../../shared/contract/index.js';
import type { TillStatus } from '../../../shared/domain/index.js';
import { errorMessage } from '../till-client.js';

const MIN = 4;
const MAX = 8;

/** "Demo owner PIN: 1234 — change it in Settings → Staff", while the demo owner still has it. */
export function demoPinText(status: TillStatus | null): string | null {
  return status?.demoMode && status.demoOwnerPin
    ? `Demo owner PIN: ${status.demoOwnerPin} — change it in Settings → Staff`
    : null;
}

/**
 * The till is locked: one big PIN pad over everything. The PIN is the person (no name to pick),
 * typed by tapping or on a keyboard (digits, Backspace, Enter). What the till answers is shown in
 * its own words, the same for every wrong PIN ("That PIN did not open the till", "Too many wrong
 * PINs: try again in 30 s."). The cart and a sale on screen stay in the till for whoever signs in.
 */
export function LockScreen({
  till,
  status,
  onUnlocked,
}: {
  till: TillApi;
  status: TillStatus | null;
  onUnlocked: (status: TillStatus) => void;
}) {
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const busy = useRef(false);
  const demoPin = demoPinText(status);

  const submit = useCallback(
    (typed: string) => {
      if (busy.current || typed.length < MIN) return;
      busy.current = true;
      setWorking(true);
      till
        .unlock({ pin: typed })
        .then(
          (s) => onUnlocked(s),
          (err: unknown) => {
            setError(errorMessage(err));
            setPin('');
          },
        )
        .finally(() => {
          busy.current = false;
          setWorking(false);
        });
    },
    [till, onUnlocked],
  );

  const press = useCallback((digit: string) => {
    if (busy.current) return;
    setPin((p) => (p.length < MAX ? p + digit : p));
  }, []);
  const back = useCallback(() => setPin((p) => p.slice(0, -1)), []);

  // Listen from the commit on (a layout effect): a key pressed the moment the screen shows
  // must not reach a listener that is not there yet, or one left from the last render.
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (/^\d$/.test(e.key)) press(e.key);
      else if (e.key === 'Backspace') back();
      else if (e.key === 'Enter') submit(pin);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
    // Again with each digit: Enter submits what is typed now.
  }, [press, back, submit, pin]);

  return (
    <div className="lock" data-testid="lock-screen">
      <div className="lock-panel">
        <div className="lock-shop">
          <span className="bolt" aria-hidden>
            ⚡
          </span>
          {status?.settings.shopName ?? 'Lightning Till'}
        </div>
        <h1 className="lock-title">Enter your PIN</h1>
        <div className="pin-dots" data-testid="pin-dots" aria-label={`${pin.length} digits typed`}>
          {Array.from({ length: Math.max(MIN, pin.length) }, (_, i) => (
            <span key={i} className={i < pin.length ? 'dot on' : 'dot'} />
          ))}
        </div>
        <p className="pin-error" role="alert" data-testid="pin-error">
          {error ?? '\u00a0'}
        </p>
        <div className="pin-pad">
          {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
            <button
              key={d}
              className="pin-key"
              data-testid={`pin-${d}`}
              onClick={() => press(d)}
              disabled={working}
            >
              {d}
            </button>
          ))}
          <button className="pin-key ghost" data-testid="pin-back" aria-label="Delete a digit" onClick={back}>
            ⌫
          </button>
          <button className="pin-key" data-testid="pin-0" onClick={() => press('0')} disabled={working}>
            0
          </button>
          <button
            className="pin-key enter"
            data-testid="pin-enter"
            aria-label="Sign in"
            onClick={() => submit(pin)}
            disabled={working || pin.length < MIN}
          >
            ↵
          </button>
        </div>
        {demoPin && (
          <p className="lock-demo" data-testid="demo-owner-pin">
            {demoPin}
          </p>
        )}
      </div>
    </div>
  );
}
