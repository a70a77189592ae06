import { useEffect, useState } from 'react';
import type { LnurlRefundQuote, Refund, RefundPreview } from '../../../shared/domain/index.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { printedSaleNumber } from '../../../shared/domain/sale-number.js';
import { fiatToMsat, formatFiat, formatSats, roundToSat } from '../../../shared/money/index.js';
import { useShell } from '../context.js';
import { RefundReceiptActions } from '../print/RefundReceiptActions.js';
import { errorMessage } from '../till-client.js';
import { LnurlWithdrawQr } from './LnurlWithdrawQr.js';
import { useManagerApproval } from './ManagerApproval.js';
import { Sheet } from './Sheet.js';

/** What looks like a Lightning Address (LUD-16 user@domain): the till checks it for real. */
function lightningAddressOf(text: string): { domain: string } | null {
  const m = /^(?:lightning:)?[a-z0-9\-_.]+@([a-z0-9.-]+(?::\d+)?)$/i.exec(text.trim());
  return m ? { domain: m[1]!.toLowerCase() } : null;
}

/**
 * Return items from a paid sale: how many of each line come back (never more than can), whether
 * each goes back on the shelf, the tip or not, and why. The till prices it (each unit's share of
 * what was paid) and a manager approves in place; then the screen says what to hand over — or,
 * for Lightning, takes the customer's invoice (typed, pasted, or typed by a scanner) and says
 * whether the refund wallet paid it.
 */
export function RefundSheet({
  saleId,
  onClose,
  onRefunded,
}: {
  saleId: string;
  onClose: () => void;
  onRefunded: (refund: Refund) => void;
}) {
  const { till, status } = useShell();
  const manager = useManagerApproval();
  const [base, setBase] = useState<RefundPreview | null>(null);
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [keptOff, setKeptOff] = useState<Record<string, boolean>>({});
  const [tip, setTip] = useState(false);
  const [reason, setReason] = useState('');
  const [preview, setPreview] = useState<RefundPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Refund | null>(null);
  const [tender, setTender] = useState<'cash' | 'lightning' | 'lnurl-withdraw'>('cash');
  // LNURL-withdraw: the sats, the rate and its basis as the till will fix them, for the manager.
  const [quote, setQuote] = useState<LnurlRefundQuote | null>(null);
  const [invoice, setInvoice] = useState('');

  useEffect(() => {
    till.previewRefund({ saleId }).then(
      (p) => (setBase(p), setPreview(p)),
      (err: unknown) => setError(errorMessage(err)),
    );
  }, [till, saleId]);

  const lines = Object.entries(quantities)
    .filter(([, q]) => q > 0)
    .map(([lineId, quantity]) => ({ lineId, quantity, restock: !keptOff[lineId] }));
  const choice = JSON.stringify({ lines, tip });
  useEffect(() => {
    if (!base) return;
    const { lines: chosen, tip: refundTip } = JSON.parse(choice) as { lines: typeof lines; tip: boolean };
    till.previewRefund({ saleId, lines: chosen, refundTip }).then(
      (p) => (setPreview(p), setError(null)),
      (err: unknown) => setError(errorMessage(err)),
    );
  }, [till, saleId, base, choice]);
  useEffect(() => {
    if (!base || tender !== 'lnurl-withdraw') return;
    const { lines: chosen, tip: refundTip } = JSON.parse(choice) as { lines: typeof lines; tip: boolean };
    till
      .quoteLnurlRefund({ saleId, lines: chosen, refundTip })
      .then(setQuote, (err: unknown) => setError(errorMessage(err)));
  }, [till, saleId, base, choice, tender]);

  const nothing = lines.length === 0 && !tip;
  const currency = base?.currency ?? 'USD';
  // What the customer's invoice must ask for: the till's own sum (rounded down to the sat) at the
  // rate it last had; the till checks it again against the current rate when it pays.
  const rate = status?.rate && status.rate.currency === currency ? status.rate.rate : null;
  const owedSats =
    rate && preview ? roundToSat(fiatToMsat(preview.amount, currency, rate, 'down'), 'down') : null;
  const needsInvoice = tender === 'lightning' && invoice.trim() === '';
  const lnurlBlocked = tender === 'lnurl-withdraw' && (quote === null || quote.problem !== null);
  const address = tender === 'lightning' ? lightningAddressOf(invoice) : null;
  const submit = () => {
    if (busy || nothing || reason.trim() === '' || needsInvoice || lnurlBlocked) return;
    setBusy(true);
    manager
      .withManager((managerPin) =>
        tender === 'lightning'
          ? till.createRefund({ saleId, lines, refundTip: tip, reason, tender, invoice, managerPin })
          : till.createRefund({ saleId, lines, refundTip: tip, reason, tender, managerPin }),
      )
      .then(
        (refund) => {
          if (!refund) return;
          setDone(refund);
          onRefunded(refund);
        },
        (err: unknown) => setError(errorMessage(err)),
      )
      .finally(() => setBusy(false));
  };

  if (done?.withdraw) return <LnurlWithdrawQr initial={done} onClose={onClose} />;

  if (done) {
    return (
      <Sheet label="Refund done" className="refund-sheet" onClose={onClose}>
        <h2>Refund done</h2>
        <p className="refund-hand-over" data-testid="refund-hand-over">
          {done.tender === 'cash' ? (
            <>
              Give the customer <strong>{formatFiat(done.amount, done.currency)}</strong> in cash
            </>
          ) : done.state === 'paid' ? (
            <>
              Sent <strong>{formatSats(done.amountMsat ?? 0n)}</strong> (
              {formatFiat(done.amount, done.currency)}) to the customer’s wallet
            </>
          ) : done.state === 'paying' ? (
            <>
              The payment of <strong>{formatSats(done.amountMsat ?? 0n)}</strong> is under way: the till is
              checking with the refund wallet and will never pay it twice. Look at the sale again in a minute.
            </>
          ) : (
            <>Not paid: {done.stateReason ?? 'the refund wallet could not pay'}. Nothing left the shop.</>
          )}
        </p>
        <p className="muted">
          Sale #{printedSaleNumber(done.saleNumber)} · approved by {done.approvedBy?.name ?? '—'}
        </p>
        <div className="sheet-actions">
          {/* The customer's proof that the money went back: only once it has. */}
          {done.state === 'paid' && <RefundReceiptActions refundId={done.id} big />}
          <button className="btn primary big" data-testid="refund-done" onClick={onClose} autoFocus>
            Done
          </button>
        </div>
      </Sheet>
    );
  }

  return (
    <Sheet label="Return items" className="refund-sheet" onClose={onClose}>
      <h2>Return items{base ? ` · sale #${printedSaleNumber(base.saleNumber)}` : ''}</h2>
      {base && (
        <form
          className="sheet-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <ul className="refund-lines">
            {base.lines.map((l) => {
              const q = quantities[l.lineId] ?? 0;
              const set = (n: number) =>
                setQuantities((all) => ({ ...all, [l.lineId]: Math.max(0, Math.min(l.returnable, n)) }));
              const priced = preview?.lines.find((p) => p.lineId === l.lineId);
              return (
                <li key={l.lineId} className="refund-line" data-testid="refund-line">
                  <div className="refund-line-name">
                    <strong>
                      {l.title}
                      {l.variantTitle ? ` — ${l.variantTitle}` : ''}
                    </strong>
                    <small className="muted">
                      {l.returnable === 0
                        ? `All ${l.sold} already returned`
                        : `${l.returnable} of ${l.sold} can come back`}
                      {q > 0 && priced ? ` · ${formatFiat(priced.amount, currency)}` : ''}
                    </small>
                  </div>
                  <div className="qty">
                    <button
                      type="button"
                      aria-label={`One fewer ${l.title}`}
                      data-testid="refund-less"
                      disabled={q === 0}
                      onClick={() => set(q - 1)}
                    >
                      −
                    </button>
                    <span className="qty-value" data-testid="refund-qty">
                      {q}
                    </span>
                    <button
                      type="button"
                      aria-label={`One more ${l.title}`}
                      data-testid="refund-more"
                      disabled={q >= l.returnable}
                      onClick={() => set(q + 1)}
                    >
                      +
                    </button>
                  </div>
                  <label className={`refund-restock${q === 0 ? ' muted' : ''}`}>
                    <input
                      type="checkbox"
                      data-testid="refund-restock"
                      checked={!keptOff[l.lineId]}
                      disabled={q === 0}
                      onChange={(e) => setKeptOff((all) => ({ ...all, [l.lineId]: !e.target.checked }))}
                    />
                    Back to stock
                  </label>
                </li>
              );
            })}
          </ul>
          {base.saleTip > 0n && (
            <label className="refund-tip">
              <input
                type="checkbox"
                data-testid="refund-tip"
                checked={tip}
                disabled={base.tipRefunded}
                onChange={(e) => setTip(e.target.checked)}
              />
              {base.tipRefunded
                ? 'The tip was already given back'
                : `Give the tip back (${formatFiat(base.saleTip, currency)})`}
            </label>
          )}
          <label className="field">
            <span>Why is it coming back?</span>
            <input
              data-testid="refund-reason"
              value={reason}
              maxLength={MAX_LENGTH.refundReason}
              placeholder="Wrong size, damaged, changed their mind…"
              onChange={(e) => setReason(e.target.value)}
            />
          </label>
          <div className="refund-tender" role="radiogroup" aria-label="How the money goes back">
            {(['cash', 'lightning', 'lnurl-withdraw'] as const).map((t) => (
              <button
                key={t}
                type="button"
                role="radio"
                aria-checked={tender === t}
                data-testid={`refund-tender-${t}`}
                className={`btn big${tender === t ? ' primary' : ' ghost'}`}
                onClick={() => setTender(t)}
              >
                {t === 'cash' ? 'Cash' : t === 'lightning' ? 'Lightning' : 'Customer scans (LNURL)'}
              </button>
            ))}
          </div>
          {tender === 'lightning' && (
            <label className="field">
              <span>The customer’s Lightning invoice or Lightning Address (scan, paste or type it)</span>
              <input
                data-testid="refund-invoice"
                value={invoice}
                maxLength={MAX_LENGTH.refundInvoice}
                autoComplete="off"
                autoCapitalize="off"
                spellCheck={false}
                placeholder="lnbc…  or  name@wallet.com"
                onChange={(e) => setInvoice(e.target.value)}
              />
              {address && (
                <small className="muted" data-testid="refund-address-note">
                  The till asks {address.domain} for an invoice of exactly the refund, checks it, then pays
                  it.
                </small>
              )}
            </label>
          )}
          <p className="refund-amount" data-testid="refund-amount">
            Refund <strong>{formatFiat(preview?.amount ?? 0n, currency)}</strong>{' '}
            {tender === 'cash' ? (
              'in cash'
            ) : tender === 'lnurl-withdraw' ? (
              quote ? (
                <>
                  as a one-time QR for exactly{' '}
                  <strong data-testid="refund-sats">{formatSats(quote.amountMsat)}</strong>
                </>
              ) : (
                'as a one-time QR, in sats'
              )
            ) : owedSats !== null ? (
              <>
                over Lightning: {address ? 'exactly' : 'an invoice for exactly'}{' '}
                <strong data-testid="refund-sats">{formatSats(owedSats)}</strong>
                {address ? ' to their address' : ''}
              </>
            ) : (
              'over Lightning, in sats at today’s rate'
            )}
            {preview && preview.tax > 0n && (
              <span className="muted"> · tax {formatFiat(preview.tax, currency)} inside</span>
            )}
          </p>
          {tender === 'lnurl-withdraw' && quote && (
            <p className="refund-quote muted" data-testid="refund-quote">
              At {quote.rateNote}. The customer scans it with any Lightning wallet within{' '}
              {Math.round(quote.expirySec / 60)} minutes; it pays once.
              {quote.problem && (
                <span className="field-error" role="alert" data-testid="refund-quote-problem">
                  {' '}
                  {quote.problem}
                </span>
              )}
            </p>
          )}
          {error && (
            <span className="field-error" role="alert" data-testid="refund-error">
              {error}
            </span>
          )}
          <div className="sheet-actions">
            <button type="button" className="btn ghost" onClick={onClose}>
              Cancel
            </button>
            <button
              className="btn primary big"
              data-testid="refund-approve"
              disabled={busy || nothing || reason.trim() === '' || needsInvoice || lnurlBlocked}
            >
              {nothing
                ? 'Choose what comes back'
                : reason.trim() === ''
                  ? 'Say why'
                  : needsInvoice
                    ? 'Scan the customer’s invoice'
                    : tender === 'lnurl-withdraw'
                      ? 'Approve and show the QR'
                      : busy && address
                        ? `Asking ${address.domain}…`
                        : 'Refund'}
            </button>
          </div>
        </form>
      )}
      {!base && error && (
        <>
          <p className="field-error" role="alert" data-testid="refund-error">
            {error}
          </p>
          <div className="sheet-actions">
            <button type="button" className="btn ghost" onClick={onClose}>
              Close
            </button>
          </div>
        </>
      )}
      {manager.dialog}
    </Sheet>
  );
}
