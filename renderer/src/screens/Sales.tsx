import { useCallback, useEffect, useRef, useState } from 'react';
import type { CommandOutput } from '../../../shared/contract/index.js';
import type { Refund, Sale, SaleState, SaleSummary } from '../../../shared/domain/index.js';
import {
  printedSaleNumber,
  saleNumberFromCode,
  saleNumberQuery,
} from '../../../shared/domain/sale-number.js';
import { findSaleByCode } from '../components/ReturnPrompt.js';
import { useScanner } from '../hooks/useScanner.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { formatFiat, formatSats } from '../../../shared/money/index.js';
import { isReceipt, Receipt, useReceiptHeader } from '../components/Receipt.js';
import { ReceiptActions } from '../print/ReceiptActions.js';
import { RefundSheet } from '../components/RefundSheet.js';
import { RefundReceiptActions } from '../print/RefundReceiptActions.js';
import { useShell } from '../context.js';
import { dayName, dayStart } from '../../../shared/domain/days.js';

const LABEL: Record<SaleState, string> = {
  open: 'Open',
  awaiting_payment: 'Awaiting payment',
  paid: 'Paid',
  expired: 'Expired',
  cancelled: 'Cancelled',
};

function dayTitle(day: string): string {
  const date = dayStart(day);
  return `Sales on ${date.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })}`;
}

/** Under a row's total, the parts of it there are: what discounts took off, the tax in it, the tip. */
function PriceParts({ sale }: { sale: SaleSummary }) {
  const parts = [
    sale.discounts > 0n && `−${formatFiat(sale.discounts, sale.currency)} off`,
    sale.tax > 0n && `tax ${formatFiat(sale.tax, sale.currency)}`,
    sale.tip > 0n && `tip ${formatFiat(sale.tip, sale.currency)}`,
  ].filter((p): p is string => p !== false);
  if (parts.length === 0) return null;
  return (
    <small className="muted sale-parts" data-testid="sale-parts">
      {/* Each part whole on its line: a narrow column wraps between parts, never sideways. */}
      {parts.map((part, i) => (
        <span key={part} className="sale-part">
          {i > 0 ? ' · ' : ''}
          {part}
        </span>
      ))}
    </small>
  );
}

export function SalesScreen({ returnSaleId }: { returnSaleId?: string | undefined } = {}) {
  const { till, run, status, toast } = useShell();
  const header = useReceiptHeader();
  const [data, setData] = useState<CommandOutput<'listSales'> | null>(null);
  const [open, setOpen] = useState<Sale | null>(null);
  // The open sale's refunds (by sale, so another sale's never show), and the Return items sheet.
  const [loaded, setLoaded] = useState<{ saleId: string; refunds: Refund[] } | null>(null);
  const [returning, setReturning] = useState(false);
  const openId = open?.id ?? null;
  const refunds = loaded !== null && loaded.saleId === openId ? loaded.refunds : [];
  const loadRefunds = useCallback(() => {
    if (openId === null) return;
    void run(async () => setLoaded({ saleId: openId, ...(await till.listRefunds({ saleId: openId })) }));
  }, [till, run, openId]);
  useEffect(() => loadRefunds(), [loadRefunds]);
  // An LNURL refund ends when the customer's wallet claims it (or the link expires): follow it.
  useEffect(
    () => till.on('refundUpdated', (r) => (r.saleId === openId ? loadRefunds() : undefined)),
    [till, openId, loadRefunds],
  );
  // null is today, whatever the date when the screen is looked at.
  const [day, setDay] = useState<string | null>(null);
  // A sale number typed in the search: its sales on any day, instead of the day's.
  const [search, setSearch] = useState('');
  const number = saleNumberQuery(search);
  const searching = search.trim() !== '';
  // A sale found by its receipt's code: Return items is the next thing, so it takes the focus.
  const returnButton = useRef<HTMLButtonElement>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const [found, setFound] = useState<string | null>(null);
  useEffect(() => {
    if (found !== null && open?.id === found) returnButton.current?.focus();
  }, [found, open]);
  // Sent here from the Register's "Return items?": the sale, with its Return items sheet open.
  useEffect(() => {
    if (!returnSaleId) return;
    void run(async () => {
      setOpen(await till.getSale({ saleId: returnSaleId }));
      setReturning(true);
    });
  }, [till, run, returnSaleId]);
  /** A receipt's code scanned, or a sale number typed and Enter: that sale, exactly, opened. */
  const openByCode = useCallback(
    (text: string) => {
      if (saleNumberQuery(text) === null) return;
      void run(async () => {
        const sale = await findSaleByCode(till, text);
        if (!sale)
          return toast('bad', `No sale #${printedSaleNumber(Number(saleNumberQuery(text)))} on this till.`);
        setOpen(await till.getSale({ saleId: sale.id }));
        setFound(sale.id);
      });
    },
    [till, run, toast],
  );
  // A scanner reads a receipt anywhere on the screen (into the search, or with nothing focused).
  useScanner(
    (code) => {
      // In the search field the burst may be only the tail of what was typed (a busy machine).
      const field = searchInput.current?.value.trim() ?? '';
      const text = saleNumberFromCode(code) !== null ? code : field.endsWith(code) ? field : code;
      if (saleNumberFromCode(text) === null) return;
      setSearch(text);
      openByCode(text);
    },
    { enabled: !returning },
  );
  const load = useCallback(() => {
    if (searching && number === null) return;
    void run(async () =>
      setData(await till.listSales(number !== null ? { number } : day === null ? {} : { day })),
    );
  }, [till, run, day, number, searching]);
  // Letters in the search find nothing: no stale list under them.
  const sales = searching && number === null ? [] : (data?.sales ?? null);
  const today = dayName(new Date());
  const step = (offset: number) => {
    const next = dayName(dayStart(day ?? today), offset);
    setOpen(null);
    setDay(next >= today ? null : next);
  };
  useEffect(() => {
    load();
    const offSale = till.on('saleUpdated', load);
    // Order names arrive as the outbox drains (statusChanged carries the counts).
    const offStatus = till.on('statusChanged', load);
    return () => {
      offSale();
      offStatus();
    };
  }, [till, load]);
  const retry = (saleId: string) =>
    void run(async () => {
      setOpen(await till.retryOrder({ saleId }));
      load();
    });

  return (
    <div className="sales">
      <div className="sales-list">
        <div className="sales-head">
          {searching ? (
            <h2 data-testid="sales-title">Sales by number, any day</h2>
          ) : (
            <div className="sales-day">
              <button
                className="btn ghost"
                aria-label="The day before"
                data-testid="sales-prev"
                onClick={() => step(-1)}
              >
                ‹
              </button>
              <h2 data-testid="sales-title">{day === null ? 'Today’s sales' : dayTitle(day)}</h2>
              {day !== null && (
                <>
                  <button
                    className="btn ghost"
                    aria-label="The day after"
                    data-testid="sales-next"
                    onClick={() => step(1)}
                  >
                    ›
                  </button>
                  <button
                    className="btn ghost"
                    data-testid="sales-today"
                    onClick={() => (setOpen(null), setDay(null))}
                  >
                    Today
                  </button>
                </>
              )}
            </div>
          )}
          <input
            ref={searchInput}
            className="search sales-search"
            data-testid="sales-search"
            type="search"
            inputMode="numeric"
            aria-label="Find a sale by its number"
            placeholder="Sale #"
            maxLength={MAX_LENGTH.search}
            value={search}
            onChange={(e) => (setOpen(null), setSearch(e.target.value))}
            onKeyDown={(e) => {
              if (e.key === 'Enter') openByCode(search);
            }}
          />
          {searching ? (
            <span className="muted" data-testid="sales-found">
              {number === null
                ? 'Type the sale number as printed on the receipt'
                : `${sales?.length ?? 0} found${sales?.length === 50 ? ' (the newest 50)' : ''}`}
            </span>
          ) : (
            data && (
              <div className="sales-totals-list">
                {data.totals.length === 0 && <span className="muted">Nothing paid yet</span>}
                {/* One line per currency: dollars and euros are not one sum. */}
                {data.totals.map((t) => (
                  <div key={t.currency} className="sales-totals" data-testid="sales-total">
                    <span>{t.paidCount} paid</span>
                    <strong>{formatFiat(t.paidTotal, t.currency)}</strong>
                    <span>{formatSats(t.paidMsat)}</span>
                    {/* Inside the total, not added to it. */}
                    <span className="muted" data-testid="sales-total-tax">
                      tax {formatFiat(t.paidTax, t.currency)}
                    </span>
                    <span className="muted" data-testid="sales-total-tips">
                      tips {formatFiat(t.paidTip, t.currency)}
                    </span>
                  </div>
                ))}
              </div>
            )
          )}
        </div>
        <table>
          <thead>
            <tr>
              <th>Sale</th>
              <th>Time</th>
              <th>Items</th>
              <th className="amt">Total</th>
              <th className="amt">Sats</th>
              <th>Status</th>
              <th>Shopify</th>
            </tr>
          </thead>
          <tbody>
            {sales?.map((s) => (
              <tr
                key={s.id}
                data-testid="sale-row"
                className={open?.id === s.id ? 'selected' : ''}
                onClick={() => void run(async () => setOpen(await till.getSale({ saleId: s.id })))}
              >
                <td>#{printedSaleNumber(s.number)}</td>
                <td>
                  {new Date(s.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
                </td>
                <td>{s.itemCount}</td>
                <td className="amt">
                  {formatFiat(s.total, s.currency)}
                  <PriceParts sale={s} />
                </td>
                <td className="amt">{s.amountPaidMsat !== null ? formatSats(s.amountPaidMsat) : '—'}</td>
                <td>
                  <span className={`badge state-${s.state}`}>{LABEL[s.state]}</span>
                  {s.paidLate && <span className="badge late">Late</span>}
                  {s.tender === 'cash' && <span className="badge cash">Cash</span>}
                </td>
                <td data-testid="sale-order">
                  {s.order === null ? (
                    '—'
                  ) : s.order.state === 'done' ? (
                    s.order.orderName
                  ) : s.order.state === 'failed' ? (
                    <span className="badge state-cancelled">Needs attention</span>
                  ) : (
                    <span className="muted">Waiting</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {sales?.length === 0 && (
          <div className="empty">
            {searching
              ? `No sale numbered #${number ?? search.trim()}…`
              : day === null
                ? 'No sales yet today.'
                : 'No sales on this day.'}
          </div>
        )}
      </div>
      <div className="sales-detail">
        {open ? (
          <>
            {open.staffName && (
              <p className="muted rung-up-by" data-testid="rung-up-by">
                Rung up by {open.staffName}
              </p>
            )}
            <Receipt sale={open} shopName={status?.settings.shopName ?? ''} header={header} />
            {open.order?.state === 'failed' && (
              <div className="order-failed" data-testid="order-failed">
                <p>{open.order.error}</p>
                <button className="btn primary" onClick={() => retry(open.id)} data-testid="retry-order">
                  Send to Shopify again
                </button>
              </div>
            )}
            {refunds.length > 0 && (
              <ul className="sale-refunds" data-testid="sale-refunds">
                {refunds.map((r) => (
                  <li key={r.id} data-testid="sale-refund">
                    {r.tender === 'cash'
                      ? `Refunded ${formatFiat(r.amount, r.currency)} in cash`
                      : r.withdraw && r.state === 'approved'
                        ? `LNURL refund of ${formatFiat(r.amount, r.currency)} waiting for the customer’s wallet (until ${new Date(r.withdraw.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })})`
                        : r.withdraw && r.state === 'failed' && r.withdraw.state !== 'claimed'
                          ? `LNURL refund of ${formatFiat(r.amount, r.currency)} ${r.withdraw.state}: not paid`
                          : r.state === 'paid'
                            ? `Refunded ${formatFiat(r.amount, r.currency)} over Lightning (${formatSats(r.amountMsat ?? 0n)})`
                            : r.state === 'paying'
                              ? `Lightning refund of ${formatFiat(r.amount, r.currency)} under way`
                              : `Lightning refund of ${formatFiat(r.amount, r.currency)} not paid`}{' '}
                    · {r.lines.map((l) => `${l.quantity} × ${l.title}`).join(', ')}
                    {r.tip > 0n ? `${r.lines.length > 0 ? ', ' : ''}the tip` : ''} · {r.reason}
                    {r.state === 'paid' && (
                      <span className="sale-refund-actions">
                        <RefundReceiptActions refundId={r.id} small />
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {/* Only money received has a receipt to hand over, and things to bring back. */}
            {isReceipt(open) && (
              <div className="receipt-actions">
                <ReceiptActions saleId={open.id} />
                {open.state === 'paid' && (
                  <button
                    ref={returnButton}
                    className="btn primary"
                    data-testid="return-items"
                    onClick={() => setReturning(true)}
                  >
                    Return items
                  </button>
                )}
              </div>
            )}
            {returning && (
              <RefundSheet
                saleId={open.id}
                onClose={() => setReturning(false)}
                onRefunded={() => loadRefunds()}
              />
            )}
          </>
        ) : (
          <div className="empty">Tap a sale to see its receipt.</div>
        )}
      </div>
    </div>
  );
}
