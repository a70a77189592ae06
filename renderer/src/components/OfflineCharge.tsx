import { useEffect, useRef, useState } from 'react';
import type { OfflineCharge, Sale } from '../../../shared/domain/index.js';
import { PIN_DIGITS } from '../../../shared/offline-pay/index.js';
import { printedSaleNumber } from '../../../shared/domain/sale-number.js';
import { formatFiat, formatSats } from '../../../shared/money/index.js';
import { useShell } from '../context.js';
import { errorMessage } from '../till-client.js';
import { QrCode } from './QrCode.js';

function mmss(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '⌫', '0', 'OK'] as const;

/**
 * Lightning with the till offline (issue 17): the signed LNURL-pay link as a big QR, the amount,
 * how long the link stays good and the offline rate, and the PIN pad for the code the customer's
 * wallet shows once paid. The till checks the PIN itself: no network.
 */
export function OfflineChargeView({
  sale,
  onPaid,
  onLeave,
}: {
  sale: Sale;
  onPaid: (sale: Sale) => void;
  onLeave: () => void;
}) {
  const { till, run } = useShell();
  const [charge, setCharge] = useState<OfflineCharge | null>(null);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const sending = useRef(false);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, []);

  // The QR library sizes the canvas itself: a bigger one on a tall screen.
  const [tall, setTall] = useState(() => window.innerHeight >= 1000);
  useEffect(() => {
    const onResize = () => setTall(window.innerHeight >= 1000);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);

  useEffect(() => {
    void run(async () => setCharge((await till.getOfflineCharge({ saleId: sale.id })).charge));
  }, [till, run, sale.id]);

  const locked = charge?.state === 'locked';

  const submit = (typed: string) => {
    if (sending.current || typed.length !== PIN_DIGITS || locked) return;
    sending.current = true;
    setBusy(true);
    till
      .enterOfflinePin({ saleId: sale.id, pin: typed })
      .then(
        async (c) => {
          setCharge(c);
          setError(null);
          if (c.state === 'paid') onPaid(await till.getSale({ saleId: sale.id }));
        },
        async (err: unknown) => {
          setError(errorMessage(err));
          setPin('');
          setCharge((await till.getOfflineCharge({ saleId: sale.id })).charge);
        },
      )
      .finally(() => {
        sending.current = false;
        setBusy(false);
      });
  };

  const press = (k: (typeof KEYS)[number]) => {
    if (k === '⌫') return setPin((p) => p.slice(0, -1));
    if (k === 'OK') return submit(pin);
    const next = (pin + k).slice(0, PIN_DIGITS);
    setPin(next);
    if (next.length === PIN_DIGITS) submit(next);
  };

  // A keyboard (or a scanner typing the code) works too.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (/^\d$/.test(e.key)) press(e.key as (typeof KEYS)[number]);
      else if (e.key === 'Backspace') press('⌫');
      else if (e.key === 'Enter') press('OK');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (!charge) return <div className="charge loading">Preparing the offline link…</div>;
  const left = new Date(charge.expiresAt).getTime() - now;
  const expired = left <= 0;

  return (
    <div className="charge offline-charge" data-testid="offline-charge" data-lnurl={charge.qr}>
      <div className="qr-panel">
        <QrCode bolt11={charge.qr} size={tall ? 600 : 400} dimmed={locked} />
        {locked && <div className="qr-overlay">Locked</div>}
      </div>
      <div className="charge-info">
        <div className="charge-label">Lightning (offline): scan, pay, then type the PIN</div>
        <div className="charge-fiat" data-testid="charge-fiat">
          {formatFiat(charge.total, charge.currency)}
        </div>
        <div className="charge-sats">{formatSats(charge.amountMsat)}</div>
        <div className="charge-rate offline-rate" data-testid="offline-rate">
          {charge.rateLabel}
        </div>
        <div
          data-testid="offline-countdown"
          className={`countdown ${expired ? 'expired' : left < 60_000 ? 'soon' : ''}`}
        >
          {expired ? 'Link expired: a customer who paid still has their PIN' : `Link good for ${mmss(left)}`}
        </div>
        <div className="offline-pin" aria-label="PIN from the customer's wallet">
          <div className="pin-boxes" data-testid="offline-pin-boxes">
            {Array.from({ length: PIN_DIGITS }, (_, i) => (
              <span key={i} className={`pin-box${i < pin.length ? ' filled' : ''}`}>
                {pin[i] ?? ''}
              </span>
            ))}
          </div>
          {error && (
            <div className="field-error offline-error" role="alert" data-testid="offline-error">
              {error}
            </div>
          )}
          <div className="pin-pad">
            {KEYS.map((k) => (
              <button
                key={k}
                type="button"
                className={`btn big${k === 'OK' ? ' primary' : ''}`}
                disabled={busy || locked || (k === 'OK' && pin.length !== PIN_DIGITS)}
                onClick={() => press(k)}
                data-testid={`pin-key-${k === '⌫' ? 'back' : k}`}
              >
                {k}
              </button>
            ))}
          </div>
        </div>
        <div className="charge-actions">
          <button
            className="btn ghost danger"
            disabled={busy}
            onClick={() => {
              if (!confirm('Cancel this payment and go back to the cart?')) return;
              void run(async () => {
                await till.cancelSale({ saleId: sale.id });
                onLeave();
              });
            }}
          >
            Cancel
          </button>
          <span className="sale-no">Sale #{printedSaleNumber(sale.number)}</span>
        </div>
      </div>
    </div>
  );
}
