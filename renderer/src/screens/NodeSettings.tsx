import { useEffect, useState } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import type {
  BackendConfig,
  BackendInput,
  BackendKind,
  ManualRatePreview,
  Network,
  NodeCheck,
  RateSourceId,
} from '../../../shared/domain/index.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { formatFiat, formatRate, formatSats } from '../../../shared/money/index.js';
import { useConfirmation } from '../components/Confirm.js';
import { useShell } from '../context.js';
import { errorMessage } from '../till-client.js';

const KINDS: { kind: BackendKind; label: string }[] = [
  { kind: 'demo', label: 'Demo' },
  { kind: 'lnd', label: 'LND' },
  { kind: 'cln', label: 'Core Lightning' },
  { kind: 'nwc', label: 'NWC' },
  { kind: 'lnbits', label: 'LNbits' },
];

const NETWORKS: Network[] = ['mainnet', 'testnet', 'signet', 'regtest'];

/** What each kind asks for; secrets are password fields that stay blank to keep the saved one. */
interface Fields {
  uri: string;
  restUrl: string;
  tlsCert: string;
  macaroon: string;
  url: string;
  rune: string;
  caCert: string;
  invoiceKey: string;
}

const EMPTY: Fields = {
  uri: '',
  restUrl: '',
  tlsCert: '',
  macaroon: '',
  url: '',
  rune: '',
  caCert: '',
  invoiceKey: '',
};

function fieldsFrom(config: BackendConfig): Fields {
  switch (config.kind) {
    case 'lnd':
      return { ...EMPTY, restUrl: config.restUrl, tlsCert: config.tlsCert ?? '' };
    case 'cln':
      return { ...EMPTY, url: config.url, caCert: config.caCert ?? '' };
    case 'lnbits':
      return { ...EMPTY, url: config.url };
    case 'demo':
    case 'nwc':
      return EMPTY;
  }
}

function inputFor(kind: BackendKind, network: Network, f: Fields): BackendInput {
  const opt = (v: string) => (v.trim() === '' ? undefined : v);
  switch (kind) {
    case 'demo':
      return { kind };
    case 'lnd':
      return {
        kind,
        network,
        uri: opt(f.uri),
        restUrl: opt(f.restUrl),
        tlsCert: opt(f.tlsCert),
        macaroon: opt(f.macaroon),
      };
    case 'cln':
      return { kind, network, url: f.url, rune: opt(f.rune), caCert: opt(f.caCert) };
    case 'nwc':
      return { kind, network, uri: opt(f.uri) };
    case 'lnbits':
      return { kind, network, url: f.url, invoiceKey: opt(f.invoiceKey) };
  }
}

export function NodeSettings() {
  const { till, run, status, toast } = useShell();
  const [saved, setSaved] = useState<BackendConfig | null>(null);
  const [kind, setKind] = useState<BackendKind>('demo');
  const [network, setNetwork] = useState<Network>('mainnet');
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [check, setCheck] = useState<NodeCheck | null>(null);
  const [acceptSpending, setAcceptSpending] = useState(false);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    void run(async () => {
      const config = await till.getBackendConfig();
      setSaved(config);
      setKind(config.kind);
      if (config.kind !== 'demo') setNetwork(config.network);
      setFields(fieldsFrom(config));
    });
  }, [till, run]);

  const set = (name: keyof Fields) => (e: { target: { value: string } }) => {
    setFields((f) => ({ ...f, [name]: e.target.value }));
    setCheck(null);
  };
  const keepsSecret = saved !== null && saved.kind === kind && saved.kind !== 'demo' && saved.hasSecret;
  const secretHint = keepsSecret ? 'Saved — leave blank to keep it' : undefined;

  async function act(what: 'test' | 'save') {
    setBusy(what);
    setErrors({});
    const backend = inputFor(kind, kind === 'demo' ? 'regtest' : network, fields);
    try {
      if (what === 'test') {
        setCheck(await till.testBackend({ backend }));
      } else {
        const next = await till.saveBackend({ backend, acceptSpending });
        const config = await till.getBackendConfig();
        setSaved(config);
        setFields(fieldsFrom(config));
        toast('good', `Now taking payments through ${next.backend.alias ?? next.backend.kind}`);
      }
    } catch (err) {
      if (err instanceof TillError && err.issues) {
        setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
      }
      toast('bad', errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  const error = (name: string) => errors[name] && <span className="field-error">{errors[name]}</span>;
  const backend = status?.backend;

  return (
    <form className="card node-settings" data-no-scan onSubmit={(e) => e.preventDefault()}>
      <h2>Lightning node</h2>
      <p className={`node-now ${backend?.state ?? ''}`} data-testid="node-status">
        <span className="dot" />
        <span>
          {backend?.kind === 'demo'
            ? 'Embedded demo node — no real money'
            : `${backend?.alias ?? backend?.kind ?? '—'} · ${backend?.network ?? backend?.expectedNetwork ?? ''}`}
          {' · '}
          {backend?.state}
          {backend?.message ? ` — ${backend.message}` : ''}
        </span>
      </p>
      <div className="segmented kinds" role="radiogroup" aria-label="Backend">
        {KINDS.map((k) => (
          <button
            key={k.kind}
            type="button"
            role="radio"
            aria-checked={kind === k.kind}
            className={kind === k.kind ? 'active' : ''}
            data-testid={`backend-${k.kind}`}
            onClick={() => {
              setKind(k.kind);
              setCheck(null);
              setErrors({});
            }}
          >
            {k.label}
          </button>
        ))}
      </div>

      {kind !== 'demo' && (
        <label>
          Network
          <select value={network} onChange={(e) => (setNetwork(e.target.value as Network), setCheck(null))}>
            {NETWORKS.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
      )}

      {kind === 'demo' && (
        <p className="muted">
          A node inside the till that takes pretend payments (the “Customer pays (demo)” button on the charge
          screen). Use it to try the till; switch to your own node to take real bitcoin.
        </p>
      )}

      {kind === 'lnd' && (
        <>
          <label>
            lndconnect URI <span className="muted">(or fill in the fields below)</span>
            <input
              type="password"
              value={fields.uri}
              onChange={set('uri')}
              maxLength={MAX_LENGTH.secret}
              placeholder="lndconnect://host:8080?cert=…&macaroon=…"
              autoComplete="off"
            />
            {error('uri')}
          </label>
          <label>
            REST address
            <input
              value={fields.restUrl}
              onChange={set('restUrl')}
              maxLength={MAX_LENGTH.address}
              placeholder="192.168.1.20:8080"
            />
            {error('restUrl')}
          </label>
          <label>
            TLS certificate (tls.cert)
            <textarea
              value={fields.tlsCert}
              onChange={set('tlsCert')}
              maxLength={MAX_LENGTH.certificate}
              rows={3}
              placeholder="-----BEGIN CERTIFICATE-----"
            />
          </label>
          <label>
            Macaroon (hex) — invoice.macaroon is all a till needs
            <input
              type="password"
              value={fields.macaroon}
              onChange={set('macaroon')}
              maxLength={MAX_LENGTH.secret}
              placeholder={secretHint ?? '0201036c6e64…'}
              autoComplete="off"
            />
            {error('macaroon')}
          </label>
        </>
      )}

      {kind === 'cln' && (
        <>
          <label>
            clnrest address
            <input
              value={fields.url}
              onChange={set('url')}
              maxLength={MAX_LENGTH.address}
              placeholder="https://192.168.1.20:3010"
            />
            {error('url')}
          </label>
          <label>
            Rune — restrict it to invoice, listinvoices, waitanyinvoice and getinfo
            <input
              type="password"
              value={fields.rune}
              onChange={set('rune')}
              maxLength={MAX_LENGTH.secret}
              placeholder={secretHint ?? 'rune'}
              autoComplete="off"
            />
            {error('rune')}
          </label>
          <label>
            CA certificate <span className="muted">(optional)</span>
            <textarea
              value={fields.caCert}
              onChange={set('caCert')}
              rows={3}
              maxLength={MAX_LENGTH.certificate}
            />
          </label>
        </>
      )}

      {kind === 'nwc' && (
        <label>
          Connection URI
          <input
            type="password"
            value={fields.uri}
            onChange={set('uri')}
            maxLength={MAX_LENGTH.secret}
            placeholder={secretHint ?? 'nostr+walletconnect://…'}
            autoComplete="off"
          />
          {error('uri')}
        </label>
      )}

      {kind === 'lnbits' && (
        <>
          <label>
            LNbits address
            <input
              value={fields.url}
              onChange={set('url')}
              maxLength={MAX_LENGTH.address}
              placeholder="https://lnbits.example.com"
            />
            {error('url')}
          </label>
          <label>
            Invoice/read key
            <input
              type="password"
              value={fields.invoiceKey}
              onChange={set('invoiceKey')}
              maxLength={MAX_LENGTH.secret}
              placeholder={secretHint ?? 'the wallet’s Invoice/read key'}
              autoComplete="off"
            />
            {error('invoiceKey')}
          </label>
        </>
      )}

      {check && (
        <div className={`node-check ${check.problems.length ? 'bad' : 'good'}`} data-testid="node-check">
          <dl className="facts">
            <dt>Node</dt>
            <dd>{check.alias}</dd>
            <dt>Network</dt>
            <dd>{check.network}</dd>
            <dt>Block height</dt>
            <dd>{check.blockHeight ?? 'not shown to this credential'}</dd>
            <dt>May</dt>
            <dd>
              <ul className="perms">
                <li className={check.permissions.createInvoices ? 'yes' : 'no'}>create invoices</li>
                <li className={check.permissions.readInvoices ? 'yes' : 'no'}>read invoices</li>
                <li className={check.permissions.sendPayments ? 'warn' : 'yes'}>
                  {check.permissions.sendPayments ? 'SPEND the node’s funds' : 'not spend funds'}
                </li>
              </ul>
            </dd>
          </dl>
          {check.problems.map((p) => (
            <p key={p} className="field-error">
              {p}
            </p>
          ))}
          {check.permissions.sendPayments && (
            <label className="accept">
              <input
                type="checkbox"
                checked={acceptSpending}
                onChange={(e) => setAcceptSpending(e.target.checked)}
                data-testid="accept-spending"
              />
              Manager: this credential can send the node’s money. Keep it anyway.
            </label>
          )}
        </div>
      )}

      <div className="actions">
        {kind !== 'demo' && (
          <button
            className="btn ghost"
            type="button"
            disabled={busy !== null}
            onClick={() => void act('test')}
            data-testid="test-connection"
          >
            {busy === 'test' ? 'Testing…' : 'Test connection'}
          </button>
        )}
        <button
          className="btn primary"
          type="button"
          disabled={busy !== null}
          onClick={() => void act('save')}
          data-testid="save-backend"
        >
          {busy === 'save' ? 'Connecting…' : 'Save and switch'}
        </button>
      </div>
    </form>
  );
}

const SOURCES: { id: RateSourceId; label: string }[] = [
  { id: 'kraken', label: 'Kraken' },
  { id: 'coinbase', label: 'Coinbase' },
  { id: 'bitstamp', label: 'Bitstamp' },
  { id: 'coingecko', label: 'CoinGecko' },
  { id: 'manual', label: 'Manual rate only' },
  { id: 'demo', label: 'Demo fixed rate (demo node only)' },
];

function farOff(p: ManualRatePreview): string {
  return p.last
    ? `This rate is ${p.differencePercent}% away from the last quote (more than ${p.bandPercent}%).`
    : 'There is no quote to compare this rate with.';
}

function age(fetchedAt: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(fetchedAt)) / 1000));
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

export function RateSettings() {
  const { till, run, status, toast } = useShell();
  const [source, setSource] = useState<RateSourceId>('demo');
  const [maxAgeMin, setMaxAgeMin] = useState('10');
  const [band, setBand] = useState('10');
  const [manual, setManual] = useState('');
  const [previewed, setPreviewed] = useState<{
    rate: string;
    preview: ManualRatePreview | null;
    error: string | null;
  } | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const { ask, dialog } = useConfirmation();

  useEffect(() => {
    void run(async () => {
      const s = await till.getSettings();
      setSource(s.rateSource);
      setMaxAgeMin(String(s.maxRateAgeSec / 60));
      setBand(String(s.manualRateBandPercent));
    });
    const t = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(t);
  }, [till, run]);

  // What the typed rate means, before it can be saved: sats for a reference amount, beside the last quote.
  const typed = manual.trim();
  const shown = previewed !== null && previewed.rate === typed ? previewed : null;
  const preview = shown?.preview ?? null;
  useEffect(() => {
    if (typed === '') return;
    let current = true;
    const t = setTimeout(() => {
      till.previewManualRate({ rate: typed }).then(
        (p) => current && setPreviewed({ rate: typed, preview: p, error: null }),
        (err: unknown) => current && setPreviewed({ rate: typed, preview: null, error: errorMessage(err) }),
      );
    }, 150);
    return () => {
      current = false;
      clearTimeout(t);
    };
  }, [till, typed]);

  async function save() {
    try {
      await till.updateSettings({
        rateSource: source,
        maxRateAgeSec: Math.round(Number(maxAgeMin) * 60),
        manualRateBandPercent: Number(band),
      });
      toast('good', 'Rate settings saved');
    } catch (err) {
      toast('bad', errorMessage(err));
    }
  }

  /** Outside the band the till warns twice: the screen asks twice, the second time with the buttons swapped. */
  async function applyManualRate(p: ManualRatePreview) {
    try {
      if (p.token === null) {
        await till.setManualRate({ rate: p.rate });
      } else {
        const first = await ask({
          text: `${farOff(p)} ${formatFiat(p.reference, p.currency)} would be ${formatSats(p.msat)}. Use this rate?`,
          yes: 'Use this rate',
          no: 'No, go back',
        });
        if (!first) return;
        try {
          await till.setManualRate({ rate: p.rate, token: p.token });
        } catch (err) {
          if (!(err instanceof TillError) || err.kind !== 'NeedsConfirmation') throw err;
          const second = await ask({ text: err.message, yes: 'Yes, save it', no: 'No', yesFirst: true });
          if (!second) return;
          await till.setManualRate({ rate: p.rate, token: p.token });
        }
      }
      setManual('');
      toast('good', 'Manual rate set');
    } catch (err) {
      toast('bad', errorMessage(err));
    }
  }

  const rate = status?.rate;
  return (
    <form className="card" data-no-scan onSubmit={(e) => e.preventDefault()}>
      <h2>Exchange rate</h2>
      <p className="rate-now" data-testid="rate-now">
        {rate
          ? `1 BTC = ${rate.rate} ${rate.currency} · ${rate.source} · ${age(rate.fetchedAt, now)}`
          : 'No rate yet'}
      </p>
      <label>
        Source
        <select
          value={source}
          onChange={(e) => setSource(e.target.value as RateSourceId)}
          data-testid="rate-source"
        >
          {SOURCES.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Refuse Lightning charges when the rate is older than (minutes)
        <input
          inputMode="numeric"
          value={maxAgeMin}
          onChange={(e) => setMaxAgeMin(e.target.value)}
          maxLength={MAX_LENGTH.minutes}
        />
      </label>
      <label>
        Ask twice for a manager’s rate further from the last quote than (%)
        <input
          inputMode="numeric"
          value={band}
          onChange={(e) => setBand(e.target.value)}
          maxLength={MAX_LENGTH.percent}
          data-testid="rate-band"
        />
      </label>
      <button className="btn primary" type="button" onClick={() => void save()} data-testid="save-rates">
        Save
      </button>
      <label>
        Manager’s rate, used while the source is unreachable ({status?.settings.currency ?? ''} per BTC)
        <div className="inline">
          <input
            inputMode="decimal"
            value={manual}
            onChange={(e) => setManual(e.target.value)}
            maxLength={MAX_LENGTH.rate}
            placeholder="97250.50"
            data-testid="manual-rate"
          />
          <button
            className="btn"
            type="button"
            disabled={preview === null}
            onClick={() => preview && void applyManualRate(preview)}
            data-testid="use-manual-rate"
          >
            Use this rate
          </button>
        </div>
      </label>
      {shown?.error != null && <p className="field-error">{shown.error}</p>}
      {preview !== null && (
        <div className="rate-preview" data-testid="rate-preview">
          <p>
            {formatFiat(preview.reference, preview.currency)} = <strong>{formatSats(preview.msat)}</strong> at
            this rate
          </p>
          <p>
            {preview.last
              ? `${formatFiat(preview.reference, preview.currency)} = ${formatSats(preview.last.msat)} at the last quote (${formatRate(preview.last.rate, preview.currency)}, ${preview.last.source})`
              : 'There is no quote to compare this rate with.'}
          </p>
          {preview.token !== null && (
            <p className="field-error">{preview.last ? `${farOff(preview)} ` : ''}You will be asked twice.</p>
          )}
        </div>
      )}
      {dialog}
    </form>
  );
}
