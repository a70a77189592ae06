import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { TillError, type TillApi } from '../../shared/contract/index.js';
import type { JournalProblem, Sale, TillStatus } from '../../shared/domain/index.js';
import { mayRun, ROLE_LABEL } from './access.js';
import { ChangePinSheet } from './components/ChangePin.js';
import { ApprovalCancelled, useManagerApproval } from './components/ManagerApproval.js';
import { Toasts } from './components/Toasts.js';
import { TillUnreachable } from './components/TillUnreachable.js';
import { ShellContext, type Shell, type Toast } from './context.js';
import { ChargeScreen } from './screens/Charge.js';
import { PaidScreen } from './screens/Paid.js';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { AuditScreen } from './screens/Audit.js';
import { JournalProblemScreen } from './screens/JournalProblem.js';
import { demoPinText, LockScreen } from './screens/Lock.js';
import { RegisterScreen } from './screens/Register.js';
import { ReconcileScreen } from './screens/Reconcile.js';
import { SalesScreen } from './screens/Sales.js';
import { SettingsScreen } from './screens/Settings.js';
import { ShiftScreen } from './screens/Shift.js';
import { connectTill, errorMessage, type SocketState } from './till-client.js';

type Tab = 'register' | 'sales' | 'shift' | 'reconcile' | 'audit' | 'settings';
type View =
  | { name: Tab }
  /** Sales with a sale open for Return items (its receipt was scanned at the Register). */
  | { name: 'sales'; returnSaleId: string }
  | { name: 'charge'; saleId: string }
  | { name: 'paid'; sale: Sale };

interface Link {
  socket: SocketState;
  lost: boolean;
  /**
   * Times the socket came back after an outage. The till may have acted meanwhile (a charge
   * whose reply never came, a payment found on restart): each return re-reads the till and
   * redraws the screen from what it says, rather than assume that what failed did not happen.
   */
  reconnects: number;
}

function followSocket(link: Link, socket: SocketState): Link {
  if (socket === 'down' || socket === 'refused') return { ...link, socket, lost: true };
  if (socket === 'open' && link.lost) return { socket, lost: false, reconnects: link.reconnects + 1 };
  return { ...link, socket };
}

export function App({ till: injected }: { till?: TillApi } = {}) {
  const [{ socket, reconnects }, onSocket] = useReducer(followSocket, {
    socket: 'open',
    lost: false,
    reconnects: 0,
  });
  const raw = useMemo(() => injected ?? connectTill(onSocket), [injected]);
  const [status, setShownStatus] = useState<TillStatus | null>(null);
  const approval = useManagerApproval();
  const { approving, cancel: cancelApproval } = approval;
  // Locked with an approval still asked for: it is dropped (Cancel), never left for the next person.
  const setStatus = useCallback(
    (s: TillStatus) => {
      if (s.session === null) cancelApproval();
      setShownStatus(s);
    },
    [cancelApproval],
  );
  // Any command answered Locked (the till locked itself after idle time) brings up the PIN pad.
  const till = useMemo(
    () =>
      lockAware(approving(raw), () => {
        raw.getStatus().then(setStatus, () => undefined);
      }),
    [raw, approving, setStatus],
  );
  const [changingPin, setChangingPin] = useState(false);
  /** undefined until the till has said whether its journal is open: nothing asks it for more before. */
  const [problem, setProblem] = useState<JournalProblem | null | undefined>(undefined);
  const [chosen, setView] = useState<View>({ name: 'register' });
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextToast = useRef(1);

  const toast = useCallback((tone: Toast['tone'], text: string) => {
    const id = nextToast.current++;
    // Two at most, a repeat replacing its twin: they sit over the top bar, never over the search field.
    setToasts((t) => [...t.filter((x) => x.text !== text).slice(-1), { id, tone, text }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), tone === 'bad' ? 6000 : 2500);
  }, []);

  const run = useCallback(
    async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await fn();
      } catch (err) {
        // Cancelled approval: nothing was done, as the person chose. Locked: the PIN pad says it.
        if (err instanceof ApprovalCancelled || (err instanceof TillError && err.kind === 'Locked'))
          return undefined;
        toast('bad', errorMessage(err));
        // The journal failed under the running till: if the till stopped selling, say so in full.
        if (err instanceof TillError && (err.kind === 'StorageError' || err.kind === 'JournalUnavailable')) {
          void till.getJournalProblem().then(
            (p) => p && setProblem(p),
            () => undefined,
          );
        }
        return undefined;
      }
    },
    [toast, till],
  );

  // A receipt that prints by itself may fail long after the screen moved on: the sale is paid.
  useEffect(
    () =>
      till.on('receiptPrintFailed', ({ saleNumber, message }) =>
        toast('bad', `Sale #${saleNumber} is paid. ${message}`),
      ),
    [till, toast],
  );

  // A Bolt Card tapped on the USB reader while no invoice was on screen: say what to do.
  useEffect(
    () =>
      till.on('cardTap', ({ saleId, phase, message }) => {
        if (saleId === null && phase === 'failed') toast('bad', message);
      }),
    [till, toast],
  );

  useEffect(() => {
    const off = till.on('statusChanged', setStatus);
    void run(async () => {
      // A till that could not open its journal sells nothing and answers only this.
      let journalProblem: JournalProblem | null = null;
      try {
        journalProblem = await till.getJournalProblem();
      } finally {
        setProblem(journalProblem);
      }
      if (journalProblem) return;
      const s = await till.getStatus();
      setStatus(s);
      // A reloaded window, or one back from an outage, goes back to the invoice awaiting payment.
      const active = s.activeSaleId;
      if (active)
        setView((v) =>
          v.name === 'register' || v.name === 'charge' ? { name: 'charge', saleId: active } : v,
        );
    });
    return off;
  }, [till, run, reconnects, setStatus]);

  const session = status?.session ?? null;
  /** The tabs the person signed in may use (shared/contract/access.ts); the till decides either way. */
  const tabs = useMemo(() => allowedTabs(session), [session]);
  // Another person signed in (a cashier after the owner): a screen they may not use shows the register.
  const view: View =
    chosen.name === 'charge' || chosen.name === 'paid' || tabs.has(chosen.name)
      ? chosen
      : { name: 'register' };

  const shell: Shell = useMemo(() => ({ till, status, toast, run }), [till, status, toast, run]);
  const nav = (name: Tab) => {
    if (name !== 'register') return setView({ name });
    // While an invoice is on screen the register is its charge screen.
    void run(async () => {
      const s = await till.getStatus();
      setStatus(s);
      setView(s.activeSaleId ? { name: 'charge', saleId: s.activeSaleId } : { name });
    });
  };
  const onCharge = view.name === 'charge' || view.name === 'paid';

  const unreachable = <TillUnreachable state={socket} />;
  if (problem === undefined) {
    return (
      <>
        <div className="app opening" aria-busy="true">
          Opening the till…
        </div>
        {unreachable}
      </>
    );
  }
  if (problem) {
    return (
      <>
        <JournalProblemScreen
          till={till}
          problem={problem}
          onStarted={(s) => {
            setProblem(null);
            setStatus(s);
            setView({ name: 'register' });
          }}
        />
        {/* What just failed (a cash sale not recorded) stays in view above the problem. */}
        <Toasts toasts={toasts} onDismiss={(id) => setToasts((t) => t.filter((x) => x.id !== id))} />
        {unreachable}
      </>
    );
  }

  if (status === null || status.session === null) {
    return (
      <>
        {status === null ? (
          <div className="app opening" aria-busy="true">
            Opening the till…
          </div>
        ) : (
          <LockScreen
            till={raw}
            status={status}
            onUnlocked={(s) => {
              setStatus(s);
              // Whoever signs in finds the sale that was on screen (the till kept it).
              if (s.activeSaleId) setView({ name: 'charge', saleId: s.activeSaleId });
            }}
          />
        )}
        <Toasts toasts={toasts} onDismiss={(id) => setToasts((t) => t.filter((x) => x.id !== id))} />
        {unreachable}
      </>
    );
  }
  const me = status.session;

  return (
    <ShellContext.Provider value={shell}>
      <div className="app">
        {status?.demoMode && (
          <div className="demo-banner" role="status">
            Demo mode — invoices are not real money
            {demoPinText(status) && <span data-testid="demo-owner-pin"> · {demoPinText(status)}</span>}
          </div>
        )}
        <header className="topbar">
          <div className="brand">
            <span className="bolt" aria-hidden>
              ⚡
            </span>
            {status?.settings.shopName ?? 'Lightning Till'}
          </div>
          <nav className="nav">
            <button
              data-testid="nav-register"
              className={view.name === 'register' || onCharge ? 'active' : ''}
              onClick={() => nav('register')}
            >
              Register
            </button>
            <button
              data-testid="nav-sales"
              className={view.name === 'sales' ? 'active' : ''}
              onClick={() => nav('sales')}
            >
              Sales
            </button>
            {tabs.has('shift') && (
              <button
                data-testid="nav-shift"
                className={view.name === 'shift' ? 'active' : ''}
                onClick={() => nav('shift')}
              >
                Shift
              </button>
            )}
            {tabs.has('reconcile') && (
              <button
                data-testid="nav-reconcile"
                className={view.name === 'reconcile' ? 'active' : ''}
                onClick={() => nav('reconcile')}
              >
                Reconcile
              </button>
            )}
            {tabs.has('audit') && (
              <button
                data-testid="nav-audit"
                className={view.name === 'audit' ? 'active' : ''}
                onClick={() => nav('audit')}
              >
                Audit
              </button>
            )}
            {tabs.has('settings') && (
              <button
                data-testid="nav-settings"
                className={view.name === 'settings' ? 'active' : ''}
                onClick={() => nav('settings')}
              >
                Settings
              </button>
            )}
          </nav>
          <ShopifyBadge status={status} />
          <CardReaderBadge status={status} />
          <ConnectionBadge status={status} socket={socket} />
          <div className="who">
            <button
              className="who-name"
              data-testid="signed-in"
              title="Change my PIN"
              onClick={() => setChangingPin(true)}
            >
              <span className="who-person">{me.name}</span>
              <span className="who-role">{ROLE_LABEL[me.role]}</span>
            </button>
            <button
              className="btn small lock-btn"
              data-testid="lock"
              onClick={() =>
                void run(async () => {
                  setChangingPin(false);
                  setStatus(await raw.lock());
                })
              }
            >
              Lock
            </button>
          </div>
        </header>
        <main className="main">
          {/* Back from an outage, the screen is drawn afresh from what the till says now. */}
          <ErrorBoundary key={`${view.name}-${reconnects}`} onReset={() => setView({ name: 'register' })}>
            {view.name === 'register' && (
              <RegisterScreen
                onCharged={(sale) => setView({ name: 'charge', saleId: sale.id })}
                onPaidCash={(sale) => setView({ name: 'paid', sale })}
                onOpenShift={() => setView({ name: 'shift' })}
                onReturnSale={(saleId) => setView({ name: 'sales', returnSaleId: saleId })}
              />
            )}
            {view.name === 'charge' && (
              <ChargeScreen
                saleId={view.saleId}
                onPaid={(sale) => setView({ name: 'paid', sale })}
                onLeave={() => setView({ name: 'register' })}
              />
            )}
            {view.name === 'paid' && (
              <PaidScreen sale={view.sale} onNewSale={() => setView({ name: 'register' })} />
            )}
            {view.name === 'sales' && (
              <SalesScreen returnSaleId={'returnSaleId' in view ? view.returnSaleId : undefined} />
            )}
            {view.name === 'shift' && <ShiftScreen />}
            {view.name === 'reconcile' && <ReconcileScreen />}
            {view.name === 'audit' && <AuditScreen />}
            {view.name === 'settings' && <SettingsScreen />}
          </ErrorBoundary>
        </main>
        {changingPin && <ChangePinSheet session={me} onClose={() => setChangingPin(false)} />}
        {approval.dialog}
        <Toasts toasts={toasts} onDismiss={(id) => setToasts((t) => t.filter((x) => x.id !== id))} />
        {unreachable}
      </div>
    </ShellContext.Provider>
  );
}

/**
 * Register and Sales for everyone signed in; Reconcile and Audit for a manager; Settings for a
 * manager (the manual rate) and the owner (everything else).
 */
function allowedTabs(session: TillStatus['session']): Set<Tab> {
  const tabs = new Set<Tab>(['register', 'sales']);
  if (mayRun(session, 'getShift')) tabs.add('shift');
  if (mayRun(session, 'getReconcile')) tabs.add('reconcile');
  if (mayRun(session, 'listAudit')) tabs.add('audit');
  if (mayRun(session, 'setManualRate')) tabs.add('settings');
  return tabs;
}

/** The till, telling the App when a command was answered Locked. */
function lockAware(till: TillApi, onLocked: () => void): TillApi {
  const wrapped: Record<string, unknown> = { ...till };
  for (const [name, fn] of Object.entries(till)) {
    if (name === 'on' || typeof fn !== 'function') continue;
    wrapped[name] = async (input?: unknown) => {
      try {
        return await (fn as (i?: unknown) => Promise<unknown>)(input);
      } catch (err) {
        if (err instanceof TillError && err.kind === 'Locked') onLocked();
        throw err;
      }
    };
  }
  return wrapped as unknown as TillApi;
}

/** "offline — N orders waiting": the till sells on; the manager knows what is queued. */
function ShopifyBadge({ status }: { status: TillStatus | null }) {
  const shopify = status?.shopify;
  if (!shopify?.connected) return null;
  const waiting = shopify.pendingOrders;
  const failed = shopify.failedOrders;
  const offline = shopify.online === false;
  const text = offline
    ? `Shopify offline — ${waiting} order${waiting === 1 ? '' : 's'} waiting`
    : failed > 0
      ? `${failed} order${failed === 1 ? '' : 's'} need${failed === 1 ? 's' : ''} attention`
      : waiting > 0
        ? `Sending ${waiting} order${waiting === 1 ? '' : 's'}…`
        : 'Shopify';
  return (
    <div
      className={`conn shopify ${offline || failed > 0 ? 'bad' : 'good'}`}
      title={shopify.lastError ?? undefined}
      data-testid="shopify-badge"
    >
      <span className="dot" aria-hidden />
      {text}
    </div>
  );
}

/** The USB NFC reader for Bolt Cards, while one is plugged in. */
function CardReaderBadge({ status }: { status: TillStatus | null }) {
  if (!status?.cardReader) return null;
  return (
    <div
      className="conn good card-reader"
      title={`Bolt Card reader: ${status.cardReader}`}
      aria-label="Card reader plugged in"
      data-testid="card-reader-badge"
    >
      <span className="card-icon" aria-hidden />
      <span className="card-reader-label">Card reader</span>
    </div>
  );
}

function ConnectionBadge({ status, socket }: { status: TillStatus | null; socket: SocketState }) {
  if (socket === 'down') return <div className="conn bad">Till not answering</div>;
  if (socket === 'refused') return <div className="conn bad">Open the till’s address</div>;
  if (!status) return <div className="conn">Connecting…</div>;
  const { state, alias, message } = status.backend;
  const tone = state === 'connected' ? 'good' : state === 'connecting' ? '' : 'bad';
  return (
    <div className={`conn ${tone}`} title={message ?? undefined}>
      <span className="dot" aria-hidden />
      {state === 'connected'
        ? (alias ?? 'Node connected')
        : state === 'connecting'
          ? 'Connecting to node…'
          : 'Node offline'}
    </div>
  );
}
