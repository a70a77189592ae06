import type { ReactNode } from 'react';
import type {
  CashMovement,
  ShiftCurrencyReport,
  ShiftReport as Report,
} from '../../../shared/domain/index.js';
import { formatFiat, formatRate, formatSats } from '../../../shared/money/index.js';
import './shift-report.css';

const KIND: Record<CashMovement['kind'], string> = {
  paid_in: 'Paid in',
  paid_out: 'Paid out',
  no_sale: 'No sale',
};

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function Row({
  label,
  value,
  strong,
  testId,
}: {
  label: ReactNode;
  value: ReactNode;
  strong?: boolean;
  testId?: string;
}) {
  return (
    <div className={`zr-row${strong ? ' strong' : ''}`} data-testid={testId}>
      <span>{label}</span>
      <span className="zr-value">{value}</span>
    </div>
  );
}

/** A signed amount that says which way it went: "+$0.35", "−$0.35", "$0.00". */
function signed(amount: bigint, currency: string): string {
  if (amount === 0n) return formatFiat(0n, currency);
  return amount > 0n ? `+${formatFiat(amount, currency)}` : `−${formatFiat(-amount, currency)}`;
}

function CurrencySection({ c, kind }: { c: ShiftCurrencyReport; kind: Report['kind'] }) {
  const f = (v: bigint) => formatFiat(v, c.currency);
  return (
    <section className="zr-currency" data-testid="zr-currency">
      <h3>Sales · {c.currency}</h3>
      <Row label={`Paid sales (${c.sales.count})`} value={f(c.sales.total)} strong testId="zr-sales-total" />
      <Row label={`Cash (${c.tenders.cash.count})`} value={f(c.tenders.cash.total)} testId="zr-cash-total" />
      <Row
        label={`Lightning (${c.tenders.lightning.count})`}
        value={`${f(c.tenders.lightning.total)} · ${formatSats(c.tenders.lightning.msat)}`}
        testId="zr-lightning-total"
      />
      {c.lightningRates.map((r) => (
        <Row
          key={`${r.rate}|${r.source}`}
          label={
            <span className="zr-sub">
              at {formatRate(r.rate, c.currency)} · {r.source} ({r.count})
            </span>
          }
          value={<span className="zr-sub">{`${f(r.total)} · ${formatSats(r.msat)}`}</span>}
        />
      ))}
      {c.paidForEarlierShifts.count > 0 && (
        <Row
          label={`Paid late for earlier shifts (${c.paidForEarlierShifts.count}), not in the totals`}
          value={`${f(c.paidForEarlierShifts.total)} · ${formatSats(c.paidForEarlierShifts.msat)}`}
          testId="zr-paid-earlier"
        />
      )}
      <Row label="Discounts given" value={f(c.discounts)} />
      <Row label={`Refunds (${c.refunds.count})`} value={f(c.refunds.total)} />

      <h3>Tax</h3>
      {c.taxes.length === 0 && <Row label="No taxed sales" value={f(0n)} />}
      {c.taxes.map((t) => (
        <Row
          key={`${t.title ?? ''}|${t.percent ?? ''}`}
          label={t.title === null ? `Untaxed · net ${f(t.net)}` : `${t.title} · net ${f(t.net)}`}
          value={f(t.tax)}
        />
      ))}
      <Row label="Tax total" value={f(c.taxTotal)} strong />

      <h3>Tips</h3>
      {c.tips.length === 0 && <Row label="No tips" value={f(0n)} />}
      {c.tips.map((t) => (
        <Row key={t.staffName ?? ''} label={`${t.staffName ?? 'Unknown'} (${t.count})`} value={f(t.total)} />
      ))}
      <Row label="Tips total" value={f(c.tipTotal)} strong />

      <h3>Cash drawer</h3>
      <Row label="Opening float" value={f(c.cash.float)} />
      <Row label="Cash taken" value={f(c.cash.tendered)} />
      <Row label="Change given" value={`−${f(c.cash.change)}`} />
      {c.cash.refunded > 0n && <Row label="Cash refunds" value={`−${f(c.cash.refunded)}`} />}
      <Row label="Paid in" value={f(c.cash.paidIn)} />
      <Row label="Paid out" value={`−${f(c.cash.paidOut)}`} />
      <Row label="Expected in the drawer" value={f(c.cash.expected)} strong testId="zr-expected" />
      {c.cash.counted !== null && (
        <Row label="Counted" value={f(c.cash.counted)} strong testId="zr-counted" />
      )}
      {c.cash.difference !== null && (
        <Row
          label={c.cash.difference < 0n ? 'Short' : c.cash.difference > 0n ? 'Over' : 'Difference'}
          value={signed(c.cash.difference, c.currency)}
          strong
          testId="zr-difference"
        />
      )}
      {kind === 'X' && c.cash.counted === null && <p className="zr-note">Counted at close.</p>}
    </section>
  );
}

/**
 * The X or Z report of a shift, as shown and as printed: one column of label / amount rows that
 * reads the same on 80 mm thermal paper and on A4 (shift-report.css sizes it for each).
 */
export function ShiftReport({ report }: { report: Report }) {
  const s = report.shift;
  const node = report.node;
  return (
    <article className="shift-report" data-testid="shift-report">
      <header className="zr-head">
        <h2 data-testid="zr-title">
          {report.kind === 'Z' ? 'Z report' : 'X report'} · Shift #{s.number}
        </h2>
        <div>{report.shopName}</div>
        <div className="zr-sub">Till {s.tillId.slice(0, 8)}</div>
        <div className="zr-sub">
          Opened {when(s.openedAt)} by {s.openedBy.name ?? '—'}
        </div>
        {s.closedAt ? (
          <div className="zr-sub">
            Closed {when(s.closedAt)} by {s.closedBy?.name ?? '—'}
            {report.approvedBy ? `, approved by ${report.approvedBy.name ?? '—'}` : ''}
          </div>
        ) : (
          <div className="zr-sub">Still open · printed {when(report.generatedAt)}</div>
        )}
      </header>

      <Row label="Paid sales" value={report.saleCount} strong />
      {report.unpaidCount > 0 && (
        <Row label="Not paid (cancelled, expired, waiting)" value={report.unpaidCount} />
      )}

      {report.currencies.map((c) => (
        <CurrencySection key={c.currency} c={c} kind={report.kind} />
      ))}

      <section>
        <h3>Drawer log</h3>
        <Row label="No-sale openings" value={report.noSales} />
        {report.movements.length === 0 && <p className="zr-note">No paid in, paid out or no sale.</p>}
        {report.movements.map((m) => (
          <div key={m.id} className="zr-move" data-testid="zr-movement">
            <Row
              label={`${KIND[m.kind]} · ${new Date(m.at).toLocaleTimeString(undefined, { timeStyle: 'short' })}`}
              value={m.kind === 'no_sale' ? '' : formatFiat(m.amount, m.currency)}
            />
            <div className="zr-sub">
              {m.reason || 'No reason given'} — {m.by.name ?? '—'}
              {m.approvedBy ? `, approved by ${m.approvedBy.name ?? '—'}` : ''}
            </div>
          </div>
        ))}
      </section>

      <section>
        <h3>Lightning node</h3>
        {node === null && <p className="zr-note">Not checked.</p>}
        {node?.state === 'checked' && (
          <>
            <Row label={`Node settled (${node.nodeCount})`} value={formatSats(node.nodeMsat)} />
            <Row label={`Journal settled (${node.journalCount})`} value={formatSats(node.journalMsat)} />
            <Row
              label={node.differenceMsat === 0n ? 'Node and journal agree' : 'Node − journal'}
              value={formatSats(node.differenceMsat)}
              strong
              testId="zr-node"
            />
          </>
        )}
        {node?.state === 'unreachable' && (
          <>
            <Row label={`Journal settled (${node.journalCount})`} value={formatSats(node.journalMsat)} />
            <p className="zr-note" data-testid="zr-node">
              Node not checked: {node.message}
            </p>
          </>
        )}
      </section>

      <section>
        <h3>Shopify orders</h3>
        <Row label="Waiting to be sent" value={report.shopify.pending} />
        <Row label="Failed" value={report.shopify.failed} />
        {report.shopify.orders.map((o) => (
          <div key={o.saleNumber} className="zr-sub">
            Sale #{o.saleNumber}: {o.state === 'failed' ? `failed — ${o.error ?? ''}` : 'waiting'}
          </div>
        ))}
      </section>
      <footer className="zr-sub">
        {report.kind === 'Z' ? 'Frozen at close' : 'As of'} {when(report.generatedAt)}
      </footer>
    </article>
  );
}
