import { useEffect, useState, type FormEvent } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import { useShell } from '../context.js';
import { errorMessage } from '../till-client.js';

const CURRENCIES = [
  'USD',
  'EUR',
  'GBP',
  'CHF',
  'CAD',
  'AUD',
  'JPY',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'BRL',
  'MXN',
  'ZAR',
  'INR',
];

export function SettingsScreen() {
  const { till, run, status, toast } = useShell();
  const [shopName, setShopName] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [minutes, setMinutes] = useState('10');
  const [errors, setErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    void run(async () => {
      const s = await till.getSettings();
      setShopName(s.shopName);
      setCurrency(s.currency);
      setMinutes(String(s.invoiceExpirySec / 60));
    });
  }, [till, run]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    const mins = Number(minutes);
    try {
      await till.updateSettings({ shopName, currency, invoiceExpirySec: Math.round(mins * 60) });
      toast('good', 'Settings saved');
    } catch (err) {
      if (err instanceof TillError && err.issues) {
        setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
      }
      toast('bad', errorMessage(err));
    }
  };

  const backend = status?.backend;
  return (
    <div className="settings">
      <form className="card" onSubmit={(e) => void save(e)} data-no-scan>
        <h2>Shop</h2>
        <label>
          Shop name
          <input value={shopName} onChange={(e) => setShopName(e.target.value)} maxLength={80} />
          {errors.shopName && <span className="field-error">{errors.shopName}</span>}
        </label>
        <label>
          Currency
          <select value={currency} onChange={(e) => setCurrency(e.target.value)}>
            {[...new Set([currency, ...CURRENCIES])].map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
          {errors.currency && <span className="field-error">{errors.currency}</span>}
        </label>
        <label>
          Invoice expires after (minutes)
          <input inputMode="numeric" value={minutes} onChange={(e) => setMinutes(e.target.value)} />
          {errors.invoiceExpirySec && <span className="field-error">{errors.invoiceExpirySec}</span>}
        </label>
        <button className="btn primary" type="submit">
          Save
        </button>
      </form>
      <div className="card">
        <h2>Lightning</h2>
        <dl className="facts">
          <dt>Backend</dt>
          <dd>{backend?.kind === 'demo' ? 'Embedded demo node (no real money)' : backend?.kind}</dd>
          <dt>Node</dt>
          <dd>{backend?.alias ?? '—'}</dd>
          <dt>Network</dt>
          <dd>{backend?.network ?? '—'}</dd>
          <dt>Status</dt>
          <dd>{backend ? `${backend.state}${backend.message ? ` — ${backend.message}` : ''}` : '—'}</dd>
          <dt>Exchange rate</dt>
          <dd>
            {status?.rate
              ? `${status.rate.rate} ${status.rate.currency}/BTC · ${status.rate.source}`
              : 'none yet'}
          </dd>
          <dt>Till id</dt>
          <dd className="mono">{status?.tillId}</dd>
        </dl>
        <p className="muted">
          Connecting a real node (LND, Core Lightning, NWC, LNbits) and a Shopify store comes next.
        </p>
      </div>
    </div>
  );
}
