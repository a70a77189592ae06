import { useEffect, useMemo, useState } from 'react';
import type { TillApi } from '../../../shared/contract/index.js';
import type { DisplayState } from '../../../shared/domain/display.js';
import { formatFiat, formatSats } from '../../../shared/money/index.js';
import { QrCode } from '../components/QrCode.js';
import { connectTill, type SocketState } from '../till-client.js';
import './display.css';

/** Seconds left until `iso`, never below 0. */
function secondsUntil(iso: string, now: number): number {
  return Math.max(0, Math.floor((Date.parse(iso) - now) / 1000));
}

function Countdown({ expiresAt }: { expiresAt: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const left = secondsUntil(expiresAt, now);
  const m = Math.floor(left / 60);
  const s = String(left % 60).padStart(2, '0');
  return (
    <div className="cd-countdown" data-testid="display-countdown">
      {left > 0 ? `Valid for ${m}:${s}` : 'This code has expired'}
    </div>
  );
}

/**
 * The customer-facing display (README, customer display): a second monitor, or a tablet paired
 * over the shop's network. Reads only `getDisplay` and `displayChanged`; the one thing it sends
 * is the customer's tip tap. When it loses the till it says "Please wait" rather than show a QR
 * that may be stale, and picks up again by itself when the till answers.
 */
export function DisplayScreen({ injected }: { injected?: TillApi }) {
  const [socket, setSocket] = useState<SocketState>('connecting');
  const till = useMemo(() => injected ?? connectTill(setSocket), [injected]);
  const [state, setState] = useState<DisplayState | null>(null);
  const [tipError, setTipError] = useState<string | null>(null);
  const connected = injected !== undefined || window.tillBridge !== undefined || socket === 'open';

  useEffect(() => till.on('displayChanged', setState), [till]);
  useEffect(() => {
    if (!connected) return;
    // On each (re)connection: what changed while the link was down is asked for again.
    till.getDisplay().then(setState, () => setState(null));
  }, [till, connected]);

  if (!connected || state === null) {
    return (
      <main className="cd cd-wait" data-testid="display" data-phase="wait">
        <div className="cd-wait-text">Please wait</div>
        <div className="cd-wait-sub">
          {socket === 'refused' ? 'This display needs pairing again.' : 'Connecting to the till…'}
        </div>
      </main>
    );
  }

  const money = (minor: bigint) => formatFiat(minor, state.currency);
  const chooseTip = (percent: string | null) => {
    setTipError(null);
    till
      .chooseTip({ tip: percent === null ? null : { kind: 'percentage', percent } })
      .then(setState, () => setTipError('The till did not take that; ask at the counter.'));
  };

  if (state.phase === 'idle') {
    return (
      <main className="cd cd-idle" data-testid="display" data-phase="idle">
        <div className="cd-bolt" aria-hidden>
          ⚡
        </div>
        <h1 className="cd-shop">{state.shopName}</h1>
        <p className="cd-welcome">Welcome · we take Lightning and cash</p>
      </main>
    );
  }

  if (state.phase === 'paid') {
    return (
      <main className="cd cd-paid" data-testid="display" data-phase="paid">
        <div className="cd-check" aria-hidden>
          ✓
        </div>
        <h1 className="cd-paid-title">Paid — thank you!</h1>
        <div className="cd-paid-total">{money(state.total)}</div>
        {state.change !== null && state.change > 0n && (
          <div className="cd-change" data-testid="display-change">
            Your change: <strong>{money(state.change)}</strong>
          </div>
        )}
        <p className="cd-receipt">Ask for a receipt if you would like one.</p>
        <p className="cd-shop-small">{state.shopName}</p>
      </main>
    );
  }

  const totals = (
    <section className="cd-totals">
      {state.discounts > 0n && (
        <div className="cd-row cd-discount">
          <span>Discounts</span>
          <span>−{money(state.discounts)}</span>
        </div>
      )}
      {state.taxes.map((t) => (
        <div className="cd-row cd-tax" key={t.title}>
          <span>incl. {t.title}</span>
          <span>{money(t.amount)}</span>
        </div>
      ))}
      {state.tip > 0n && (
        <div className="cd-row">
          <span>Tip</span>
          <span>{money(state.tip)}</span>
        </div>
      )}
      <div className="cd-row cd-total" data-testid="display-total">
        <span>Total</span>
        <span>{money(state.total)}</span>
      </div>
      {state.msat !== null && (
        <div className="cd-sats">
          {state.phase === 'invoice' ? '' : '≈ '}
          {formatSats(state.msat)}
        </div>
      )}
    </section>
  );

  return (
    <main className={`cd cd-${state.phase}`} data-testid="display" data-phase={state.phase}>
      <section className="cd-order">
        <header className="cd-head">{state.shopName}</header>
        <ol className="cd-lines" data-testid="display-lines">
          {state.lines.map((l) => (
            <li key={l.lineId} className="cd-line">
              <span className="cd-qty">{l.quantity}×</span>
              <span className="cd-title">
                {l.title}
                {l.variantTitle && <span className="cd-variant"> · {l.variantTitle}</span>}
              </span>
              <span className="cd-amount">{money(l.amount)}</span>
            </li>
          ))}
        </ol>
        {totals}
      </section>
      <aside className="cd-side">
        {state.phase === 'invoice' && state.invoice ? (
          <div className="cd-pay">
            <h2>Scan to pay</h2>
            <div className="cd-qr">
              <QrCode bolt11={state.invoice.bolt11} size={560} dimmed={false} />
            </div>
            <div className="cd-pay-amount">{formatSats(state.invoice.amountMsat)}</div>
            <Countdown expiresAt={state.invoice.expiresAt} />
          </div>
        ) : state.phase === 'invoice' ? (
          // Charged offline (issue 17): the signed link's QR is on the till's own screen.
          <div className="cd-brand" data-testid="display-offline">
            <div className="cd-bolt" aria-hidden>
              ⚡
            </div>
            <p>Scan the code on the till’s screen to pay</p>
          </div>
        ) : state.tipChoices ? (
          <div className="cd-tips">
            <h2>Add a tip?</h2>
            {/* One row for up to three choices, two by two for four: no empty cell. */}
            <div
              className="cd-tip-grid"
              style={{
                gridTemplateColumns: `repeat(${state.tipChoices.length === 4 ? 2 : Math.min(state.tipChoices.length, 3) || 1}, 1fr)`,
              }}
            >
              {state.tipChoices.map((p) => {
                const chosen = state.customerTip?.kind === 'percentage' && state.customerTip.percent === p;
                return (
                  <button
                    key={p}
                    className={`cd-tip ${chosen ? 'chosen' : ''}`}
                    aria-pressed={chosen}
                    onClick={() => chooseTip(p)}
                  >
                    {p}%
                  </button>
                );
              })}
              <button className="cd-tip cd-tip-none" onClick={() => chooseTip(null)}>
                No tip
              </button>
            </div>
            {state.customerTip && <p className="cd-tip-thanks">Thank you!</p>}
            {tipError && <p className="cd-error">{tipError}</p>}
          </div>
        ) : (
          <div className="cd-brand">
            <div className="cd-bolt" aria-hidden>
              ⚡
            </div>
            <p>Pay with Lightning or cash</p>
          </div>
        )}
      </aside>
    </main>
  );
}
