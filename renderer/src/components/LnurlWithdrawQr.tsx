import { useEffect, useState } from 'react';
import { RefundReceiptActions } from '../print/RefundReceiptActions.js';
import type { Refund } from '../../../shared/domain/index.js';
import { printedSaleNumber } from '../../../shared/domain/sale-number.js';
import { formatFiat, formatRate, formatSats } from '../../../shared/money/index.js';
import { useShell } from '../context.js';
import { QrCode } from './QrCode.js';
import { Sheet } from './Sheet.js';

function mmss(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** As big as the screen allows, for a phone held a metre away. */
function qrSize(): number {
  return Math.max(280, Math.min(640, window.innerHeight - 230, Math.floor(window.innerWidth * 0.5)));
}

/**
 * The LNURL-withdraw refund on screen (LUD-03): a one-time QR for exactly the refund's sats that
 * the customer scans with any Lightning wallet, a countdown to its expiry, and Cancel. It follows
 * the till's refundUpdated events: claimed → "Sending…", then "Refunded" once the refund wallet
 * paid, or why not.
 */
export function LnurlWithdrawQr({ initial, onClose }: { initial: Refund; onClose: () => void }) {
  const { till, run } = useShell();
  const [refund, setRefund] = useState(initial);
  const [now, setNow] = useState(() => Date.now());
  const [size, setSize] = useState(qrSize);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let heard = false;
    const off = till.on('refundUpdated', (r) => {
      if (r.id !== initial.id) return;
      heard = true;
      setRefund((old) => ({ ...r, withdraw: r.withdraw ?? old.withdraw }));
    });
    // An event sent before this screen listened is not lost: ask once (an event since is newer).
    void till.getRefund({ refundId: initial.id }).then(
      (r) => heard || setRefund(r),
      () => undefined,
    );
    return off;
  }, [till, initial.id]);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    const onResize = () => setSize(qrSize());
    window.addEventListener('resize', onResize);
    return () => {
      clearInterval(t);
      window.removeEventListener('resize', onResize);
    };
  }, []);

  const w = refund.withdraw;
  const left = w ? new Date(w.expiresAt).getTime() - now : 0;
  const open = w?.state === 'open' && refund.state === 'approved';
  const lnurl = open ? (w?.lnurl ?? null) : null;
  const sats = formatSats(refund.amountMsat ?? 0n);
  const fiat = formatFiat(refund.amount, refund.currency);

  const cancel = () => {
    if (busy) return;
    setBusy(true);
    void run(async () => setRefund(await till.cancelLnurlRefund({ refundId: refund.id }))).finally(() =>
      setBusy(false),
    );
  };

  const outcome =
    refund.state === 'paid'
      ? { tone: 'good', text: 'Refunded', detail: `${sats} sent to the customer’s wallet` }
      : refund.state === 'paying'
        ? {
            tone: 'info',
            text: 'Sending…',
            detail: 'The customer’s wallet claimed it: the refund wallet is paying.',
          }
        : refund.state === 'failed'
          ? {
              tone: 'bad',
              text: w?.state === 'expired' ? 'Expired' : w?.state === 'cancelled' ? 'Cancelled' : 'Not paid',
              detail: `${refund.stateReason ?? 'The refund wallet could not pay.'} Nothing left the shop.`,
            }
          : open && left <= 0
            ? { tone: 'bad', text: 'Expired', detail: 'Nothing left the shop.' }
            : null;

  return (
    <Sheet label="Refund by LNURL" className="lnurl-sheet" onClose={onClose}>
      <div className="lnurl-layout">
        <div className="qr-panel" data-testid="lnurl-qr" data-lnurl={lnurl ?? ''}>
          {lnurl ? (
            <QrCode bolt11={lnurl} size={size} dimmed={outcome !== null} />
          ) : (
            <div className="lnurl-qr-gone" style={{ width: size, height: size }} />
          )}
          {outcome && (
            <div className={`qr-overlay lnurl-outcome ${outcome.tone}`} data-testid="lnurl-outcome">
              {outcome.text}
            </div>
          )}
        </div>
        <div className="lnurl-info">
          <div className="charge-label">
            {outcome
              ? 'Refund to the customer’s Lightning wallet'
              : 'Customer: scan with your Lightning wallet to get your refund'}
          </div>
          <div className="charge-fiat" data-testid="lnurl-fiat">
            {fiat}
          </div>
          <div className="charge-sats" data-testid="lnurl-sats">
            {sats}
          </div>
          {w && (
            <div className="charge-rate">
              {formatRate(w.rate, refund.currency)} ·{' '}
              {w.rateBasis === 'sale' ? 'the sale’s rate' : 'today’s rate'}
            </div>
          )}
          {outcome ? (
            <p className="lnurl-detail" data-testid="lnurl-detail">
              {outcome.detail}
            </p>
          ) : (
            <div data-testid="lnurl-countdown" className={`countdown ${left < 60_000 ? 'soon' : ''}`}>
              Expires in {mmss(left)}
            </div>
          )}
          <p className="muted">
            Sale #{printedSaleNumber(refund.saleNumber)} · approved by {refund.approvedBy?.name ?? '—'} · one
            use only
          </p>
          <div className="sheet-actions">
            {open && left > 0 ? (
              <button className="btn ghost big" data-testid="lnurl-cancel" disabled={busy} onClick={cancel}>
                Cancel refund
              </button>
            ) : (
              <>
                {refund.state === 'paid' && <RefundReceiptActions refundId={refund.id} />}
                <button className="btn primary big" data-testid="refund-done" onClick={onClose} autoFocus>
                  Done
                </button>
              </>
            )}
          </div>
        </div>
      </div>
    </Sheet>
  );
}
