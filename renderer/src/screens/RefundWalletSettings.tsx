import { useEffect, useState, type ReactNode } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import type { RefundWalletKind, RefundWalletSettings as Saved } from '../../../shared/domain/index.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { useShell } from '../context.js';
import { errorMessage } from '../till-client.js';

const KINDS: { kind: RefundWalletKind; label: string }[] = [
  { kind: 'none', label: 'None' },
  { kind: 'demo', label: 'Demo' },
  { kind: 'nwc', label: 'NWC' },
  { kind: 'lnbits', label: 'LNbits' },
];

const sats = (n: bigint | null) => (n === null ? '' : n.toString());

/** A limit as typed: blank is no limit; otherwise whole sats. */
function parseSats(text: string): bigint | null | 'bad' {
  const t = text.replace(/[\s,_]/g, '');
  if (t === '') return null;
  return /^\d{1,16}$/.test(t) && BigInt(t) > 0n ? BigInt(t) : 'bad';
}

/** The wallet's spending credential: write-only, a saved one shown only as saved. */
function CredentialField(props: {
  label: string;
  hasSaved: boolean;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  error: ReactNode;
}) {
  return (
    <label>
      {props.label} {props.hasSaved && <span className="muted">(saved — paste only to replace it)</span>}
      <input
        type="password"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        maxLength={MAX_LENGTH.secret}
        placeholder={props.hasSaved ? 'saved' : props.placeholder}
        autoComplete="off"
        data-testid="rw-credential"
      />
      {props.error}
    </label>
  );
}

/** One of the till's own limits on the wallet, in whole sats; blank is no limit. */
function LimitField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
  error: ReactNode;
}) {
  return (
    <label>
      {props.label}
      <input
        inputMode="numeric"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        maxLength={MAX_LENGTH.amount}
        placeholder="no limit"
        data-testid={props.testId}
      />
      {props.error}
    </label>
  );
}

/**
 * Settings → Refund wallet (owner): the spending connection Lightning refunds are paid from,
 * kept apart from the node that receives sales, and the till's own limits on it. A pasted
 * credential goes to the till and never comes back: the screen shows only that one is saved and
 * its hint (where it points, a fingerprint).
 */
export function RefundWalletSettings() {
  const { till, run, status, toast } = useShell();
  const onDemoNode = status?.backend.kind === 'demo';
  const [saved, setSaved] = useState<Saved | null>(null);
  const [kind, setKind] = useState<RefundWalletKind>('none');
  const [url, setUrl] = useState('');
  const [credential, setCredential] = useState('');
  const [perRefund, setPerRefund] = useState('');
  const [perDay, setPerDay] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [check, setCheck] = useState<{ ok: boolean; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const show = (s: Saved) => {
    setSaved(s);
    setKind(s.kind);
    setUrl(s.url ?? '');
    setCredential('');
    setPerRefund(sats(s.perRefundLimitSats));
    setPerDay(sats(s.perDayLimitSats));
  };

  useEffect(() => {
    void run(async () => show(await till.getRefundWallet()));
  }, [till, run]);

  const hasSaved = saved?.kind === kind && saved.credentialHint !== null;

  async function save(): Promise<boolean> {
    const one = parseSats(perRefund);
    const day = parseSats(perDay);
    const wrong: Record<string, string> = {};
    if (one === 'bad') wrong.perRefundLimitSats = 'Whole sats, such as 100000 (blank: no limit)';
    if (day === 'bad') wrong.perDayLimitSats = 'Whole sats, such as 500000 (blank: no limit)';
    setErrors(wrong);
    if (one === 'bad' || day === 'bad') return false;
    setBusy(true);
    try {
      show(
        await till.saveRefundWallet({
          kind,
          perRefundLimitSats: one,
          perDayLimitSats: day,
          ...(kind === 'lnbits' ? { url } : {}),
          ...(credential.trim() !== '' ? { credential } : {}),
        }),
      );
      setCheck(null);
      toast('good', 'Refund wallet saved');
      return true;
    } catch (err) {
      if (err instanceof TillError && err.issues) {
        setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
      }
      toast('bad', errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function test() {
    // Test what is on the screen: a changed kind or a fresh credential is saved first.
    const changed =
      saved?.kind !== kind || credential.trim() !== '' || (kind === 'lnbits' && url !== (saved?.url ?? ''));
    if (changed && !(await save())) return;
    setBusy(true);
    setCheck(null);
    try {
      setCheck(await till.testRefundWallet());
    } catch (err) {
      setCheck({ ok: false, message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  }

  const typeCredential = (value: string) => (setCredential(value), setCheck(null));

  const error = (field: string) =>
    errors[field] ? (
      <span className="field-error" data-testid={`rw-error-${field}`}>
        {errors[field]}
      </span>
    ) : null;

  return (
    <form
      className="card refund-wallet"
      data-no-scan
      onSubmit={(e) => e.preventDefault()}
      data-testid="refund-wallet"
    >
      <h2>Refund wallet</h2>
      <p className="muted">
        Lightning refunds are paid from a wallet of their own, never from the node that takes sales: the
        till’s receiving credential cannot spend, and a budget in this one caps what refunds can lose.
      </p>
      <p className="rw-saved" data-testid="rw-saved">
        {saved === null
          ? 'Loading…'
          : saved.kind === 'none'
            ? 'No refund wallet: Lightning refunds are refused (cash refunds work).'
            : saved.kind === 'demo'
              ? 'Saved: the demo refund wallet (no money moves).'
              : saved.credentialHint
                ? `Saved: ${saved.credentialHint}`
                : 'Saved, but its credential is missing: paste it again.'}
      </p>
      <div className="segmented kinds" role="radiogroup" aria-label="Refund wallet">
        {KINDS.map((k) => (
          <button
            key={k.kind}
            type="button"
            role="radio"
            aria-checked={kind === k.kind}
            className={kind === k.kind ? 'active' : ''}
            data-testid={`rw-kind-${k.kind}`}
            disabled={k.kind === 'demo' && !onDemoNode}
            onClick={() => {
              setKind(k.kind);
              setCredential('');
              setCheck(null);
              setErrors({});
            }}
          >
            {k.label}
          </button>
        ))}
      </div>

      {kind === 'demo' && (
        <p className="muted" data-testid="rw-demo-note">
          Demo mode: the demo refund wallet is the default while the till runs on the demo node. It “pays” by
          writing the refund down — no money moves — so refunds can be tried end to end. It cannot be chosen
          with a real node.
        </p>
      )}
      {kind === 'none' && (
        <p className="muted">The till refuses Lightning refunds; cash refunds still work.</p>
      )}

      {kind === 'nwc' && (
        <>
          <CredentialField
            label="NWC connection"
            hasSaved={hasSaved}
            value={credential}
            onChange={typeCredential}
            placeholder="nostr+walletconnect://…"
            error={error('credential')}
          />
          <p className="muted">
            In the wallet (Alby Hub, Coinos, …) make a new connection for the till’s refunds only, allowed{' '}
            <b>pay_invoice</b> and <b>lookup_invoice</b>, with a daily or monthly budget.
          </p>
        </>
      )}

      {kind === 'lnbits' && (
        <>
          <label>
            LNbits address
            <input
              value={url}
              onChange={(e) => (setUrl(e.target.value), setCheck(null))}
              maxLength={MAX_LENGTH.address}
              placeholder="https://lnbits.example.com"
              data-testid="rw-url"
            />
            {error('url')}
          </label>
          <CredentialField
            label="Admin key"
            hasSaved={hasSaved}
            value={credential}
            onChange={typeCredential}
            placeholder="the refund wallet’s Admin key"
            error={error('credential')}
          />
          <p className="muted">
            Make a separate LNbits wallet for refunds, move only a float into it, and paste its Admin key (API
            info). The Invoice/read key cannot pay.
          </p>
        </>
      )}

      {kind !== 'none' && (
        <div className="rw-limits">
          <LimitField
            label="Per refund, at most (sats)"
            value={perRefund}
            onChange={setPerRefund}
            testId="rw-per-refund"
            error={error('perRefundLimitSats')}
          />
          <LimitField
            label="Per day, at most (sats)"
            value={perDay}
            onChange={setPerDay}
            testId="rw-per-day"
            error={error('perDayLimitSats')}
          />
        </div>
      )}

      {check && (
        <div className={`node-check ${check.ok ? 'good' : 'bad'}`} data-testid="rw-check">
          <p>
            <b>{check.ok ? 'Can pay refunds. ' : 'Cannot pay refunds. '}</b>
            {check.message}
          </p>
        </div>
      )}

      <div className="rw-actions">
        <button
          className="btn primary"
          type="button"
          disabled={busy}
          onClick={() => void save()}
          data-testid="rw-save"
        >
          Save
        </button>
        {kind !== 'none' && (
          <button
            className="btn"
            type="button"
            disabled={busy}
            onClick={() => void test()}
            data-testid="rw-test"
          >
            {busy ? 'Checking…' : 'Test — pays nothing'}
          </button>
        )}
      </div>
    </form>
  );
}
