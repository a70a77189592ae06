import { useCallback, useEffect, useRef, useState } from 'react';
import type { CommandOutput } from '../../../shared/contract/index.js';
import type {
  OfflineProofReport,
  ReconcileRow,
  ReconcileRun,
  ReconcileSource,
} from '../../../shared/domain/index.js';
import { proofSummary } from '../../../shared/domain/offline-pay.js';
import { printedSaleNumber } from '../../../shared/domain/sale-number.js';
import { formatFiat, formatSats } from '../../../shared/money/index.js';
import { useShell } from '../context.js';
import { dayName } from '../../../shared/domain/days.js';

/** What each outcome means to a manager, in the order the screen lists them. */
export const OUTCOME_LABEL: Record<string, string> = {
  matched: 'Matched',
  paid_on_node_no_sale: 'Paid on node, no sale',
  sale_paid_no_settled_invoice: 'Sale paid, node has no payment',
  amount_mismatch: 'Amount mismatch',
  paid_after_expiry: 'Paid after expiry',
  paid_twice: 'Paid twice',
  sale_without_order: 'No Shopify order',
  order_without_sale: 'Shopify order, no sale',
  order_total_differs: 'Order total differs',
  refund_matched: 'Refund matched',
  refund_paid_not_recorded: 'Refund paid out, not in the books',
  refund_recorded_not_paid: 'Refund in the books, never paid out',
  refund_missing_in_shopify: 'Refund not in Shopify',
  refund_amount_mismatch: 'Refund amount differs',
  offline_unproven: 'Paid offline, not yet confirmed',
  offline_no_payment: 'Paid offline, no payment found',
};

/** Outcomes where nothing disagrees: a sale, or a refund, that matched. */
const isMatched = (outcome: string): boolean => outcome === 'matched' || outcome === 'refund_matched';

const REPAIR_LABEL: Record<string, string> = {
  none: '',
  record_payment: 'Record the payment',
  record_late_payment: 'Record the late payment',
  queue_order: 'Send the order to Shopify',
  recreate_order: 'Deleted in Shopify? Re-create it there if it should exist',
  investigate_payment: 'Find the customer: refund or ring up',
  investigate_sale: 'Check the node before anything else',
  review_amount: 'Compare receipt, node and Shopify',
  resolve_duplicate: 'Refund or void one of them',
  review_order: 'Cancel the order in Shopify, or find its sale',
  correct_order: 'Edit the order in Shopify',
  review_refund: 'Compare the refund in the till, the refund wallet and Shopify',
  await_offline_proof: 'The till asks the companion server again by itself',
};

const PAGE = 100;

function presets(now: Date): { label: string; from: string; to: string }[] {
  const y = now.getFullYear();
  const m = now.getMonth();
  const yesterday = new Date(y, m, now.getDate() - 1);
  return [
    { label: 'Today', from: dayName(now), to: dayName(now) },
    { label: 'Yesterday', from: dayName(yesterday), to: dayName(yesterday) },
    { label: 'This month', from: dayName(new Date(y, m, 1)), to: dayName(now) },
    { label: 'Last 12 months', from: dayName(new Date(y - 1, m, now.getDate() + 1)), to: dayName(now) },
  ];
}

export function ReconcileScreen() {
  const { till, run, status, toast } = useShell();
  const currency = status?.settings.currency ?? 'USD';
  const [from, setFrom] = useState(() => dayName(new Date()));
  const [to, setTo] = useState(() => dayName(new Date()));
  // Several tills on one node: this till's invoices and orders only, unless the manager asks.
  const [everything, setEverything] = useState(false);
  const [current, setCurrent] = useState<ReconcileRun | null>(null);
  const [filter, setFilter] = useState<string | null>(null);
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<CommandOutput<'getReconcile'> | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [skipped, setSkipped] = useState<string[]>([]);
  const [exported, setExported] = useState<CommandOutput<'exportReconcileCsv'> | null>(null);
  // Progress events can overtake a command's reply; the newer event wins.
  const heard = useRef(0);

  const load = useCallback(
    (outcome: string | null, at: number) =>
      void run(async () => {
        const p = await till.getReconcile({ ...(outcome ? { outcome } : {}), offset: at, limit: PAGE });
        setPage(p);
        setCurrent(p.run);
      }),
    [till, run],
  );

  useEffect(() => {
    load(null, 0);
    return till.on('reconcileProgress', (r) => {
      heard.current++;
      setCurrent(r);
      // A finished run starts on its first page, unfiltered.
      if (r.state !== 'running') {
        setFilter(null);
        setOffset(0);
        load(null, 0);
      }
    });
  }, [till, load]);

  const choose = (outcome: string | null) => {
    setFilter(outcome);
    setOffset(0);
    load(outcome, 0);
  };
  const start = () =>
    void run(async () => {
      setSkipped([]);
      setExported(null);
      setConfirming(false);
      const before = heard.current;
      const started = await till.startReconcile({ from, to, everything });
      if (heard.current === before) setCurrent(started);
    });
  const cancel = () => void run(async () => setCurrent(await till.cancelReconcile()));
  const exportRun = (format: 'csv' | 'parquet') =>
    void run(async () => {
      setExported(null);
      const saved = format === 'csv' ? await till.exportReconcileCsv() : await till.exportReconcileParquet();
      setExported(saved);
      toast('good', `Saved ${saved.filename}`);
    });
  const repair = () =>
    void run(async () => {
      const result = await till.applySafeRepairs();
      setConfirming(false);
      setSkipped(result.skipped);
      setCurrent(result.run);
      toast(
        result.applied > 0 ? 'good' : 'info',
        `${result.applied} repair${result.applied === 1 ? '' : 's'} applied`,
      );
      load(filter, offset);
    });

  const running = current?.state === 'running';
  const done = current?.state === 'done';
  const problems = current?.outcomes.filter((o) => !isMatched(o.outcome) && o.count > 0) ?? [];
  const matchedCount =
    current?.outcomes.filter((o) => isMatched(o.outcome)).reduce((n, o) => n + o.count, 0) ?? 0;

  return (
    <div className="reconcile">
      <section className="rc-bar">
        <div className="rc-period">
          <label>
            From
            <input
              type="date"
              value={from}
              max={to}
              onChange={(e) => setFrom(e.target.value)}
              data-testid="rc-from"
            />
          </label>
          <label>
            To
            <input
              type="date"
              value={to}
              min={from}
              onChange={(e) => setTo(e.target.value)}
              data-testid="rc-to"
            />
          </label>
          <div className="rc-presets">
            {presets(new Date()).map((p) => (
              <button
                key={p.label}
                className={`btn small ${p.from === from && p.to === to ? 'primary' : 'ghost'}`}
                onClick={() => {
                  setFrom(p.from);
                  setTo(p.to);
                }}
              >
                {p.label}
              </button>
            ))}
          </div>
          <label className="rc-scope" title="Other tills on this node and store, and payments no till made">
            <input
              type="checkbox"
              checked={everything}
              onChange={(e) => setEverything(e.target.checked)}
              data-testid="rc-everything"
            />
            Everything the node received
          </label>
        </div>
        {running ? (
          <button className="btn big ghost" onClick={cancel} data-testid="rc-cancel">
            Cancel
          </button>
        ) : (
          <button className="btn big primary" onClick={start} disabled={!from || !to} data-testid="rc-start">
            Reconcile
          </button>
        )}
      </section>

      <OfflineProofs finished={current?.finishedAt ?? null} />

      {current && current.state !== 'idle' && <Progress run={current} />}

      {done && (
        <section className="rc-summary" data-testid="rc-summary">
          <button
            className={`rc-card good ${filter === null ? 'on' : ''}`}
            onClick={() => choose(null)}
            data-testid="rc-card-all"
          >
            <span className="rc-label">All items</span>
            <strong>{current.items.toLocaleString()}</strong>
            <span className="muted">
              {matchedCount.toLocaleString()} matched ·{' '}
              {problems.reduce((n, o) => n + o.count, 0).toLocaleString()} to look at
            </span>
          </button>
          {current.outcomes
            .filter((o) => o.count > 0)
            .map((o) => (
              <button
                key={o.outcome}
                className={`rc-card ${isMatched(o.outcome) ? 'good' : 'warn'} ${filter === o.outcome ? 'on' : ''}`}
                onClick={() => choose(o.outcome)}
                data-testid={`rc-card-${o.outcome}`}
              >
                <span className="rc-label">{OUTCOME_LABEL[o.outcome] ?? o.outcome}</span>
                <strong>{o.count.toLocaleString()}</strong>
                <span className="muted">
                  {formatFiat(o.fiat, currency)}
                  {o.msat > 0n ? ` · ${formatSats(o.msat)}` : ''}
                </span>
                {o.unpaid > 0 && (
                  <span className="muted" data-testid={`rc-card-${o.outcome}-unpaid`}>
                    {o.unpaid.toLocaleString()} not paid (cancelled/expired), not in the totals
                  </span>
                )}
              </button>
            ))}
        </section>
      )}

      {done && (
        <section className="rc-actions">
          <span className="muted">
            {current.sources.shopify
              ? 'Node, journal and Shopify compared.'
              : 'Node and journal compared — connect Shopify in Settings to check orders too.'}{' '}
            <span data-testid="rc-scope">
              {current.everything
                ? 'Everything the node received, every till’s orders.'
                : current.otherTills > 0
                  ? `This till only: ${current.otherTills.toLocaleString()} payment${current.otherTills === 1 ? '' : 's'} or order${current.otherTills === 1 ? '' : 's'} of other tills (or of no till) left out.`
                  : 'This till only.'}
            </span>
            {current.offlineProof && (
              <span className="rc-offline-line" data-testid="rc-offline-proof">
                {current.offlineProof}
              </span>
            )}
          </span>
          <div className="rc-buttons">
            <button className="btn ghost" onClick={() => exportRun('csv')} data-testid="rc-export">
              Export CSV
            </button>
            <button
              className="btn ghost"
              onClick={() => exportRun('parquet')}
              data-testid="rc-export-parquet"
              title="Typed columns for an accountant’s tools, DuckDB or a data warehouse"
            >
              Export Parquet
            </button>
            {current.repairable > 0 &&
              (confirming ? (
                <>
                  <button className="btn ghost" onClick={() => setConfirming(false)}>
                    Not now
                  </button>
                  <button className="btn primary" onClick={repair} data-testid="rc-repair-confirm">
                    Yes, apply {current.repairable}
                  </button>
                </>
              ) : (
                <button className="btn primary" onClick={() => setConfirming(true)} data-testid="rc-repair">
                  Apply {current.repairable} safe repair{current.repairable === 1 ? '' : 's'}
                </button>
              ))}
          </div>
          {confirming && (
            <p className="rc-confirm" data-testid="rc-repair-explain">
              Safe repairs only journal what the node already says (a payment it settled) or send a paid
              sale’s missing order to Shopify. Each is recorded on the sale. Nothing is refunded or changed in
              Shopify.
            </p>
          )}
          {exported && (
            <p className="rc-exported" data-testid="rc-exported">
              {exported.rows.toLocaleString()} rows saved to <code>{exported.path}</code>
            </p>
          )}
          {skipped.length > 0 && (
            <ul className="rc-skipped" data-testid="rc-skipped">
              {skipped.slice(0, 5).map((s) => (
                <li key={s}>{s}</li>
              ))}
              {skipped.length > 5 && <li>…and {skipped.length - 5} more.</li>}
            </ul>
          )}
        </section>
      )}

      {done && page && (
        <section className="rc-table">
          <table>
            <thead>
              <tr>
                <th>Time</th>
                <th>Sale</th>
                <th className="amt">Total</th>
                <th className="amt">Sats</th>
                <th>Shopify</th>
                <th>Outcome</th>
                <th>What to do</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((r, i) => (
                <Row key={`${offset}-${i}`} row={r} />
              ))}
            </tbody>
          </table>
          {page.total === 0 && <div className="empty">Nothing in this period.</div>}
          {page.total > PAGE && (
            <div className="rc-pages">
              <button
                className="btn small ghost"
                disabled={offset === 0}
                onClick={() => {
                  const at = Math.max(0, offset - PAGE);
                  setOffset(at);
                  load(filter, at);
                }}
              >
                Previous
              </button>
              <span className="muted">
                {(offset + 1).toLocaleString()}–{Math.min(offset + PAGE, page.total).toLocaleString()} of{' '}
                {page.total.toLocaleString()}
              </span>
              <button
                className="btn small ghost"
                disabled={offset + PAGE >= page.total}
                onClick={() => {
                  const at = offset + PAGE;
                  setOffset(at);
                  load(filter, at);
                }}
              >
                Next
              </button>
            </div>
          )}
        </section>
      )}

      {!current || current.state === 'idle' ? (
        <div className="empty rc-intro">
          Choose a period and press Reconcile: every payment on the node, every sale in the journal and every
          order in Shopify are compared, and anything that disagrees is listed with what to do about it.
        </div>
      ) : null}
    </div>
  );
}

function Progress({ run }: { run: ReconcileRun }) {
  const p = run.progress;
  if (run.state === 'failed') {
    return (
      <div className="rc-error" role="alert" data-testid="rc-error">
        The reconciliation stopped: {run.error}. Nothing was changed; press Reconcile to try again.
      </div>
    );
  }
  if (run.state === 'cancelled') return <div className="rc-note">Cancelled. Nothing was changed.</div>;
  if (run.state === 'done') {
    const secs =
      run.startedAt && run.finishedAt
        ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000
        : null;
    return (
      <div className="rc-note" data-testid="rc-done">
        {run.from === run.to ? run.from : `${run.from} – ${run.to}`}: {p.records.toLocaleString()}{' '}
        {p.records === 1 ? 'record' : 'records'} compared
        {secs !== null ? ` in ${secs < 10 ? secs.toFixed(1) : Math.round(secs)} s` : ''}.
      </div>
    );
  }
  const fraction = p.stage === 'classifying' && p.steps > 0 ? p.step / p.steps : null;
  return (
    <div className="rc-progress" data-testid="rc-progress">
      <div
        className={`rc-track ${fraction === null ? 'indeterminate' : ''}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
      >
        <div className="rc-fill" style={{ width: `${Math.round((fraction ?? 0.3) * 100)}%` }} />
      </div>
      <span className="muted" data-testid="rc-progress-text">
        {p.stage === 'classifying'
          ? `Comparing ${p.records.toLocaleString()} records on every core${
              p.stepLabel ? `: ${p.stepLabel} (step ${p.step + 1} of ${p.steps})` : '…'
            }`
          : `Reading ${p.source ? SOURCE_WORDS[p.source].reading : 'the sources'}…`}
      </span>
      <ul className="rc-sources" data-testid="rc-sources">
        {(Object.keys(SOURCE_WORDS) as ReconcileSource[])
          // The companion is a source only where offline Lightning is set up and a payment waits.
          .filter((source) => source !== 'companion' || p.source === 'companion' || p.read.companion > 0)
          .map((source) => (
            <li key={source} className={p.source === source ? 'current' : ''}>
              {SOURCE_WORDS[source].name}: {p.read[source].toLocaleString()}
            </li>
          ))}
      </ul>
    </div>
  );
}

/**
 * Offline Lightning proven later (issue 17): the payments whose PIN the till took offline and
 * the companion server has not vouched for, and a button to ask it now. Shown only where
 * offline Lightning is set up and something waits (or the last question failed).
 */
function OfflineProofs({ finished }: { finished: string | null }) {
  const { till, run, toast } = useShell();
  const [report, setReport] = useState<OfflineProofReport | null>(null);
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    // Again after each run: the run asked the companion first.
    void till.getOfflineProofs().then(setReport, () => setReport(null));
  }, [till, finished]);
  if (!report?.configured) return null;
  const waiting = report.unproven + report.flagged + report.paidUnsold;
  if (waiting === 0 && report.lastError === null) return null;
  const ask = () =>
    void run(async () => {
      setAsking(true);
      try {
        const r = await till.checkOfflinePayments();
        setReport(r);
        if (r.last) toast(r.flagged + r.paidUnsold > 0 ? 'info' : 'good', proofSummary(r.last));
      } catch (err) {
        void till.getOfflineProofs().then(setReport, () => undefined);
        throw err;
      } finally {
        setAsking(false);
      }
    });
  const parts = [
    report.unproven > 0 &&
      `${report.unproven.toLocaleString()} paid offline, waiting for the companion server’s confirmation`,
    report.flagged > 0 && `${report.flagged.toLocaleString()} with no payment found — check them below`,
    report.paidUnsold > 0 &&
      `${report.paidUnsold.toLocaleString()} link${report.paidUnsold === 1 ? '' : 's'} paid though the sale was not — refund or ring up`,
  ].filter(Boolean);
  return (
    <section
      className={`rc-offline ${report.flagged + report.paidUnsold > 0 || report.lastError ? 'warn' : ''}`}
      data-testid="rc-offline"
    >
      <div>
        <strong>Offline Lightning</strong>
        <span data-testid="rc-offline-counts">
          {parts.length > 0 ? parts.join(' · ') : 'Nothing waits for proof.'}
        </span>
        <span className="muted" data-testid="rc-offline-last">
          {report.lastCheckedAt === null
            ? 'The companion server has not been asked yet.'
            : `Last asked ${new Date(report.lastCheckedAt).toLocaleString()}${report.lastError ? `: ${report.lastError}` : '.'}`}
        </span>
      </div>
      <button className="btn ghost" onClick={ask} disabled={asking} data-testid="rc-offline-check">
        {asking ? 'Asking…' : 'Ask the companion now'}
      </button>
    </section>
  );
}

/** Each source as the progress names it. */
const SOURCE_WORDS: Record<ReconcileSource, { name: string; reading: string }> = {
  companion: { name: 'Offline payments', reading: 'the companion server’s word on offline payments' },
  journal: { name: 'Sales', reading: 'the till’s sales' },
  node: { name: 'Invoices', reading: 'the node’s invoices' },
  shopify: { name: 'Shopify orders', reading: 'Shopify’s orders' },
  refunds: { name: 'Refunds', reading: 'refunds' },
};

function Row({ row }: { row: ReconcileRow }) {
  const time = row.time ? new Date(row.time) : null;
  return (
    <tr data-testid="rc-row" className={isMatched(row.outcome) ? '' : 'problem'}>
      <td>
        {time
          ? time.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
          : '—'}
      </td>
      <td>
        {row.saleNumber !== null ? `#${printedSaleNumber(row.saleNumber)}` : '—'}
        {row.tender === 'cash' && <span className="badge cash">Cash</span>}
      </td>
      <td className="amt">{row.fiat !== null && row.currency ? formatFiat(row.fiat, row.currency) : '—'}</td>
      <td className="amt">{row.msat !== null ? formatSats(row.msat) : '—'}</td>
      <td>
        {row.orderName === null ? (
          '—'
        ) : row.outcome === 'sale_without_order' ? (
          <s title="Not in Shopify">{row.orderName}</s>
        ) : (
          row.orderName
        )}
      </td>
      <td>
        <span className={`badge ${isMatched(row.outcome) ? 'state-paid' : 'rc-bad'}`}>
          {OUTCOME_LABEL[row.outcome] ?? row.outcome}
        </span>
        {row.detail && <div className="rc-detail">{row.detail}</div>}
      </td>
      <td>
        {row.applied ? (
          <span className="badge state-paid">Repaired</span>
        ) : (
          <>
            {REPAIR_LABEL[row.repair] ?? row.repair}
            {row.safe && <span className="badge rc-safe">Safe</span>}
          </>
        )}
      </td>
    </tr>
  );
}
