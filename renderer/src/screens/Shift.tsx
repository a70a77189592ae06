import { useCallback, useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import {
  cashCountTotal,
  roleCovers,
  type CashCount,
  type Shift,
  type ShiftReport as Report,
} from '../../../shared/domain/index.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { denominationsOf } from '../../../shared/money/denominations.js';
import { formatFiat, parseTypedFiat } from '../../../shared/money/index.js';
import { useManagerApproval } from '../components/ManagerApproval.js';
import { Sheet } from '../components/Sheet.js';
import { useShell } from '../context.js';
import { printsThroughTill } from '../print/ReceiptActions.js';
import { ShiftReport } from '../print/ShiftReport.js';
import './shift.css';

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The drawer counted note by note (tap + and −, or type how many), or as a typed total when the
 * currency's notes are not known or the cashier prefers. `onChange` gets null while nothing valid is entered.
 */
function CashCounter({
  currency,
  onChange,
  testId,
}: {
  currency: string;
  onChange: (count: CashCount | null) => void;
  testId: string;
}) {
  const faces = denominationsOf(currency);
  const [mode, setMode] = useState<'count' | 'total'>(faces.length > 0 ? 'count' : 'total');
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [typed, setTyped] = useState('');
  const count: CashCount | null =
    mode === 'count'
      ? { denominations: faces.map((value) => ({ value, count: counts[value.toString()] ?? 0 })) }
      : (() => {
          const total = parseTypedFiat(typed, currency);
          return total === null ? null : { total };
        })();
  const key = JSON.stringify(count, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  useEffect(() => onChange(count), [key]); // eslint-disable-line react-hooks/exhaustive-deps
  const set = (value: bigint, n: number) =>
    setCounts((c) => ({ ...c, [value.toString()]: Math.max(0, Math.min(99_999, n)) }));

  return (
    <div className="cash-counter" data-testid={testId}>
      {faces.length > 0 && (
        <div className="segmented" role="group" aria-label="How to count">
          <button className={mode === 'count' ? 'active' : ''} onClick={() => setMode('count')}>
            Count notes and coins
          </button>
          <button
            data-testid={`${testId}-type-total`}
            className={mode === 'total' ? 'active' : ''}
            onClick={() => setMode('total')}
          >
            Type a total
          </button>
        </div>
      )}
      {mode === 'count' ? (
        <div className="denominations">
          {faces.map((value) => {
            const n = counts[value.toString()] ?? 0;
            const label = formatFiat(value, currency);
            return (
              <div key={value.toString()} className="denomination" data-testid="denomination">
                <span className="face">{label}</span>
                <button
                  className="btn ghost"
                  aria-label={`One ${label} less`}
                  onClick={() => set(value, n - 1)}
                >
                  −
                </button>
                <input
                  aria-label={`How many ${label}`}
                  inputMode="numeric"
                  maxLength={5}
                  value={n === 0 ? '' : String(n)}
                  placeholder="0"
                  onChange={(e) => set(value, Number(e.target.value.replace(/\D/g, '') || '0'))}
                />
                <button
                  className="btn ghost"
                  aria-label={`One ${label} more`}
                  data-testid="denomination-more"
                  onClick={() => set(value, n + 1)}
                >
                  +
                </button>
              </div>
            );
          })}
        </div>
      ) : (
        <label className="field">
          <span>Total in the drawer</span>
          <input
            data-testid={`${testId}-total`}
            inputMode="decimal"
            autoComplete="off"
            maxLength={MAX_LENGTH.amount}
            placeholder={formatFiat(0n, currency)}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
        </label>
      )}
      <div className="counted-total">
        <span>Total</span>
        <strong data-testid={`${testId}-sum`}>
          {count === null ? '—' : formatFiat(cashCountTotal(count), currency)}
        </strong>
      </div>
    </div>
  );
}

type Moving = 'paidIn' | 'paidOut' | 'noSale';
const MOVING: Record<Moving, { title: string; hint: string; button: string }> = {
  paidIn: {
    title: 'Paid in',
    hint: 'Cash put into the drawer that is not a sale, such as more change.',
    button: 'Record paid in',
  },
  paidOut: {
    title: 'Paid out',
    hint: 'Cash taken out of the drawer that is not a sale, such as a delivery paid in cash.',
    button: 'Record paid out',
  },
  noSale: {
    title: 'No sale',
    hint: 'Opens the drawer without a sale. It is logged with your name.',
    button: 'Open drawer',
  },
};

function MovementSheet({
  kind,
  currency,
  onDone,
  onClose,
}: {
  kind: Moving;
  currency: string;
  onDone: (input: { amount: bigint; reason: string } | { reason: string }) => Promise<boolean>;
  onClose: () => void;
}) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const parsed = parseTypedFiat(amount, currency);
  const money = kind !== 'noSale';
  const ready = money ? parsed !== null && parsed > 0n && reason.trim() !== '' : true;
  const text = MOVING[kind];
  return (
    <Sheet label={text.title} className="movement" onClose={onClose}>
      <h2>{text.title}</h2>
      <p className="hint">{text.hint}</p>
      <form
        className="sheet-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!ready || busy) return;
          setBusy(true);
          void onDone(money ? { amount: parsed!, reason: reason.trim() } : { reason: reason.trim() }).then(
            (ok) => {
              setBusy(false);
              if (ok) onClose();
            },
          );
        }}
      >
        {money && (
          <label className="field">
            <span>Amount</span>
            <input
              data-testid="movement-amount"
              inputMode="decimal"
              autoComplete="off"
              autoFocus
              maxLength={MAX_LENGTH.amount}
              placeholder={formatFiat(0n, currency)}
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
            />
          </label>
        )}
        <label className="field">
          <span>{money ? 'What for' : 'Why (optional)'}</span>
          <input
            data-testid="movement-reason"
            autoComplete="off"
            autoFocus={!money}
            maxLength={MAX_LENGTH.cashReason}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </label>
        <div className="sheet-actions">
          <button type="button" className="btn ghost" onClick={onClose}>
            Cancel
          </button>
          <button className="btn primary big" data-testid="movement-save" disabled={!ready || busy}>
            {text.button}
          </button>
        </div>
      </form>
    </Sheet>
  );
}

/**
 * The report over the whole screen, with Print, PDF and CSV. In the desktop app the till prints
 * it as it prints receipts (the receipt printer, or the system's dialog) and writes the PDF to
 * Downloads; in a browser the page prints itself, showing only the report.
 */
function ReportView({ report, onClose }: { report: Report; onClose: () => void }) {
  const { till, run, toast } = useShell();
  const manager = useManagerApproval();
  useEffect(() => {
    document.body.classList.add('printing-shift-report');
    return () => document.body.classList.remove('printing-shift-report');
  }, []);
  const exportCsv = () =>
    void run(async () => {
      const done = await manager.withManager((managerPin) =>
        till.exportShiftCsv({ shiftId: report.shift.id, managerPin }),
      );
      if (done) toast('good', `Saved ${done.filename}`);
    });
  const desktop = printsThroughTill();
  const print = () =>
    void run(async () => {
      const done = await manager.withManager((managerPin) =>
        till.printShiftReport({ shiftId: report.shift.id, managerPin }),
      );
      if (done?.printed) toast('good', 'Report sent to the printer');
    });
  const pdf = () =>
    void run(async () => {
      const done = await manager.withManager((managerPin) =>
        till.saveShiftReportPdf({ shiftId: report.shift.id, managerPin }),
      );
      if (done) toast('good', `Saved ${done.filename} in Downloads`);
    });
  return createPortal(
    <div className="shift-report-print" role="dialog" aria-label="Shift report" data-testid="report-view">
      <div className="report-tools no-print">
        {desktop ? (
          <>
            <button className="btn primary" data-testid="report-print" onClick={print}>
              Print
            </button>
            <button className="btn ghost" data-testid="report-pdf" onClick={pdf}>
              Save as PDF
            </button>
          </>
        ) : (
          <button className="btn primary" data-testid="report-print" onClick={() => window.print()}>
            Print or save as PDF
          </button>
        )}
        <button className="btn ghost" data-testid="report-csv" onClick={exportCsv}>
          Export CSV
        </button>
        <button className="btn ghost" data-testid="report-close" onClick={onClose}>
          Done
        </button>
      </div>
      <ShiftReport report={report} />
      {manager.dialog}
    </div>,
    document.body,
  );
}

export function ShiftScreen() {
  const { till, run, toast, status } = useShell();
  const manager = useManagerApproval();
  const { withManager } = manager;
  const currency = status?.settings.currency ?? 'USD';
  const isManager = status?.session ? roleCovers(status.session.role, 'manager') : false;
  /** undefined until the till has said. */
  const [shift, setShift] = useState<Shift | null | undefined>(undefined);
  const [count, setCount] = useState<CashCount | null>(null);
  const [moving, setMoving] = useState<Moving | null>(null);
  const [closing, setClosing] = useState<Report | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [past, setPast] = useState<Shift[] | null>(null);
  const [busy, setBusy] = useState(false);

  const loadPast = useCallback(
    (approve: boolean) =>
      void run(async () => {
        const list = approve
          ? await withManager((managerPin) => till.listShifts({ managerPin }))
          : await till.listShifts();
        if (list) setPast(list.shifts);
      }),
    [till, run, withManager],
  );
  useEffect(() => {
    void run(async () => setShift((await till.getShift()).shift));
    return till.on('shiftChanged', ({ shift: next }) => {
      setShift(next);
      setClosing(null);
    });
  }, [till, run]);
  useEffect(() => {
    if (isManager) loadPast(false);
  }, [isManager, loadPast, shift?.id]);

  const openShift = () => {
    if (!count || busy) return;
    setBusy(true);
    void run(async () => {
      const opened = await till.openShift({ float: count });
      setShift(opened);
      toast('good', `Shift #${opened.number} open`);
    }).finally(() => setBusy(false));
  };
  const showReport = (shiftId: string) =>
    void run(async () => {
      const r = await withManager((managerPin) => till.getShiftReport({ shiftId, managerPin }));
      if (r) setReport(r);
    });
  const startClose = (open: Shift) =>
    void run(async () => {
      // Expected cash comes from the live X report: a manager's numbers.
      const x = await withManager((managerPin) => till.getShiftReport({ shiftId: open.id, managerPin }));
      if (x) {
        setCount(null);
        setClosing(x);
      }
    });
  const confirmClose = () => {
    if (!count || busy) return;
    setBusy(true);
    void run(async () => {
      const done = await withManager((managerPin) => till.closeShift({ counted: count, managerPin }));
      if (!done) return;
      setShift(null);
      setClosing(null);
      setReport(done.report);
      if (isManager) loadPast(false);
    }).finally(() => setBusy(false));
  };
  const move = async (kind: Moving, input: { amount: bigint; reason: string } | { reason: string }) => {
    const done = await run(() =>
      withManager((managerPin) =>
        kind === 'noSale'
          ? till.noSale({ reason: input.reason, managerPin })
          : till[kind]({ ...(input as { amount: bigint; reason: string }), managerPin }),
      ),
    );
    if (done) toast('good', kind === 'noSale' ? 'Drawer opened: logged' : `${MOVING[kind].title} recorded`);
    return done !== undefined;
  };

  const drawer = closing?.currencies.find((c) => c.currency === closing.shift.currency) ?? null;
  const counted = count ? cashCountTotal(count) : null;
  const difference = drawer && counted !== null ? counted - drawer.cash.expected : null;

  return (
    <div className="shift-screen">
      <div className="card shift-card" data-testid="shift-card">
        {shift === undefined && <p className="muted">Asking the till…</p>}
        {shift === null && (
          <>
            <h2 data-testid="shift-state">No shift open</h2>
            <p className="hint">
              Count the float in the drawer, note by note or as a total, then open the shift. Sales rung up
              before then join it.
            </p>
            <CashCounter key="float" currency={currency} onChange={setCount} testId="float" />
            <button
              className="btn primary big"
              data-testid="open-shift"
              disabled={!count || busy}
              onClick={openShift}
            >
              Open shift
            </button>
          </>
        )}
        {shift && !closing && (
          <>
            <h2 data-testid="shift-state">Shift #{shift.number} open</h2>
            <dl className="facts">
              <dt>Opened</dt>
              <dd>
                {when(shift.openedAt)} by {shift.openedBy.name ?? '—'}
              </dd>
              <dt>Float</dt>
              <dd data-testid="shift-float">{formatFiat(shift.float, shift.currency)}</dd>
            </dl>
            <div className="shift-actions">
              <button className="btn big" data-testid="paid-in" onClick={() => setMoving('paidIn')}>
                Paid in
              </button>
              <button className="btn big" data-testid="paid-out" onClick={() => setMoving('paidOut')}>
                Paid out
              </button>
              <button className="btn big" data-testid="no-sale" onClick={() => setMoving('noSale')}>
                No sale
              </button>
              <button className="btn big" data-testid="x-report" onClick={() => showReport(shift.id)}>
                X report
              </button>
              <button className="btn primary big" data-testid="close-shift" onClick={() => startClose(shift)}>
                Close shift
              </button>
            </div>
          </>
        )}
        {shift && closing && drawer && (
          <>
            <h2 data-testid="shift-state">Close shift #{shift.number}</h2>
            <p className="hint">
              Count the cash in the drawer. The Z report is final once the shift is closed.
            </p>
            <CashCounter key="count" currency={shift.currency} onChange={setCount} testId="count" />
            <div className="close-sums" data-testid="close-sums">
              <div>
                <span>Expected</span>
                <strong data-testid="close-expected">
                  {formatFiat(drawer.cash.expected, shift.currency)}
                </strong>
              </div>
              <div>
                <span>Counted</span>
                <strong data-testid="close-counted">
                  {counted === null ? '—' : formatFiat(counted, shift.currency)}
                </strong>
              </div>
              <div className={difference === null || difference === 0n ? '' : 'off'}>
                <span>
                  {difference !== null && difference < 0n ? 'Short' : difference ? 'Over' : 'Difference'}
                </span>
                <strong data-testid="close-difference">
                  {difference === null
                    ? '—'
                    : `${difference < 0n ? '−' : difference > 0n ? '+' : ''}${formatFiat(difference < 0n ? -difference : difference, shift.currency)}`}
                </strong>
              </div>
            </div>
            <div className="sheet-actions">
              <button className="btn ghost big" onClick={() => setClosing(null)}>
                Back
              </button>
              <button
                className="btn primary big"
                data-testid="confirm-close"
                disabled={!count || busy}
                onClick={confirmClose}
              >
                Close shift and print Z
              </button>
            </div>
          </>
        )}
      </div>

      <div className="card past-shifts" data-testid="past-shifts">
        <h2>Past shifts</h2>
        {past === null ? (
          <button className="btn ghost" data-testid="show-past" onClick={() => loadPast(true)}>
            Show past shifts (manager)
          </button>
        ) : past.filter((s) => s.closedAt).length === 0 ? (
          <p className="muted">No shift closed yet.</p>
        ) : (
          <ul>
            {past
              .filter((s) => s.closedAt)
              .map((s) => (
                <li key={s.id} data-testid="past-shift">
                  <div>
                    <strong>Shift #{s.number}</strong>
                    <div className="muted">
                      {when(s.openedAt)} – {when(s.closedAt!)}
                    </div>
                    <div className="muted">Closed by {s.closedBy?.name ?? '—'}</div>
                  </div>
                  <button className="btn ghost" data-testid="past-z" onClick={() => showReport(s.id)}>
                    Z report
                  </button>
                </li>
              ))}
          </ul>
        )}
      </div>

      {moving && (
        <MovementSheet
          kind={moving}
          currency={currency}
          onClose={() => setMoving(null)}
          onDone={(input) => move(moving, input)}
        />
      )}
      {report && <ReportView report={report} onClose={() => setReport(null)} />}
      {manager.dialog}
    </div>
  );
}
