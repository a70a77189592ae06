import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventPayload } from '../../../shared/contract/index.js';
import type { Sale } from '../../../shared/domain/index.js';
import { printedSaleNumber } from '../../../shared/domain/sale-number.js';
import { formatFiat, formatRate, formatSats } from '../../../shared/money/index.js';
import { OfflineChargeView } from '../components/OfflineCharge.js';
import { QrCode } from '../components/QrCode.js';
import { useShell } from '../context.js';
import { useScanner } from '../hooks/useScanner.js';

/** What a Bolt Card holds (LUD-17 lnurlw://, or a bech32 LNURL), as a keyboard-wedge reader types it. */
const CARD_TEXT = /^(lightning:)?(lnurlw:\/\/|lnurl1)/i;

type CardState = Pick<EventPayload<'cardTap'>, 'phase' | 'message'>;

function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, []);
  return now;
}

function mmss(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function ChargeScreen({
  saleId,
  onPaid,
  onLeave,
}: {
  saleId: string;
  onPaid: (sale: Sale) => void;
  onLeave: () => void;
}) {
  const { till, run, status, toast } = useShell();
  const [sale, setSale] = useState<Sale | null>(null);
  const [busy, setBusy] = useState(false);
  const acting = useRef(false);
  const [copied, setCopied] = useState(false);
  const [card, setCard] = useState<CardState | null>(null);
  const now = useNow();

  // A Bolt Card on the USB reader: the till reports its progress (the tapCard command's too).
  useEffect(
    () =>
      till.on('cardTap', (t) => {
        if (t.saleId === saleId) setCard({ phase: t.phase, message: t.message });
      }),
    [till, saleId],
  );

  // A keyboard-wedge NFC reader types the card's link then Enter: that is a tap.
  const tapped = useCallback(
    (text: string) => {
      if (!CARD_TEXT.test(text.trim())) return;
      setCard({ phase: 'reading', message: 'Card read — asking the card’s service…' });
      till.tapCard({ saleId, text }).then(
        (s) => {
          if (s.state === 'paid') onPaid(s);
        },
        (err: unknown) =>
          setCard({
            phase: 'failed',
            message:
              err instanceof Error
                ? err.message
                : 'The card could not be read. Ask the customer to tap again.',
          }),
      );
    },
    [till, saleId, onPaid],
  );
  useScanner(tapped, { enabled: sale?.invoice != null, minLength: 8 });

  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(t);
  }, [copied]);

  useEffect(() => {
    const off = till.on('saleUpdated', (s) => {
      if (s.id !== saleId) return;
      if (s.state === 'paid') onPaid(s);
      else setSale(s);
    });
    void run(async () => {
      const s = await till.getSale({ saleId });
      if (s.state === 'paid') onPaid(s);
      else if (s.state === 'cancelled') onLeave();
      else setSale(s);
    });
    return off;
  }, [till, run, saleId, onPaid, onLeave]);

  if (sale?.offline && !sale.invoice)
    return <OfflineChargeView sale={sale} onPaid={onPaid} onLeave={onLeave} />;
  if (!sale?.invoice) return <div className="charge loading">Preparing the invoice…</div>;
  const { invoice } = sale;
  const left = new Date(invoice.expiresAt).getTime() - now;
  const expired = sale.state === 'expired' || left <= 0;

  // One tap, one request: a second tap before the button turns disabled asks nothing.
  const act = (fn: () => Promise<Sale>) => {
    if (acting.current) return;
    acting.current = true;
    setBusy(true);
    void run(async () => {
      const s = await fn();
      if (s.state === 'paid') onPaid(s);
      else setSale(s);
    }).finally(() => {
      acting.current = false;
      setBusy(false);
    });
  };

  // Over plain http from another machine there is no navigator.clipboard at all: the same message.
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(invoice.bolt11);
      setCopied(true);
      toast('good', 'Invoice copied');
    } catch {
      toast('bad', 'Could not copy the invoice: this browser refused. The customer can scan the QR code.');
    }
  };

  return (
    <div className="charge">
      <div className="qr-panel">
        <QrCode bolt11={invoice.bolt11} size={460} dimmed={expired} />
        {expired && <div className="qr-overlay">Expired</div>}
      </div>
      <div className="charge-info">
        <div className="charge-label">
          {status?.cardReader
            ? 'Scan to pay with Lightning, or tap a Bolt Card'
            : 'Scan to pay with Lightning'}
        </div>
        <div className="charge-fiat" data-testid="charge-fiat">
          {formatFiat(sale.total, sale.currency)}
        </div>
        <div className="charge-sats">{formatSats(invoice.amountMsat)}</div>
        <div className="charge-rate">
          {formatRate(invoice.rate.rate, invoice.rate.currency)} · {invoice.rate.source}
        </div>
        <div
          data-testid="invoice-countdown"
          className={`countdown ${expired ? 'expired' : left < 60_000 ? 'soon' : ''}`}
        >
          {expired ? 'Invoice expired' : `Expires in ${mmss(left)}`}
        </div>
        {card ? (
          <div className={`card-tap ${card.phase}`} data-testid="card-tap" role="status">
            {card.phase === 'reading' && <span className="spinner" aria-hidden />}
            {card.message}
          </div>
        ) : (
          status?.cardReader &&
          !expired && (
            <div className="card-tap hint" data-testid="card-hint" title={status.cardReader}>
              <span className="card-icon" aria-hidden />
              Tap a Bolt Card on the reader
            </div>
          )
        )}
        <div className="charge-actions">
          {expired ? (
            <button
              className="btn primary big"
              disabled={busy}
              onClick={() => act(() => till.reissueInvoice({ saleId }))}
            >
              New invoice
            </button>
          ) : (
            <button className="btn ghost" data-testid="copy-invoice" onClick={() => void copy()}>
              {copied ? 'Copied ✓' : 'Copy invoice'}
            </button>
          )}
          {status?.demoMode && !expired && (
            <button
              data-testid="demo-pay"
              className="btn demo"
              disabled={busy}
              onClick={() => act(() => till.demoPay({ saleId }))}
            >
              Customer pays (demo)
            </button>
          )}
          <button
            className="btn ghost danger"
            disabled={busy}
            onClick={() => {
              if (!confirm('Cancel this payment and go back to the cart?')) return;
              void run(async () => {
                await till.cancelSale({ saleId });
                onLeave();
              });
            }}
          >
            Cancel
          </button>
        </div>
        <div className="sale-no">Sale #{printedSaleNumber(sale.number)}</div>
      </div>
    </div>
  );
}
