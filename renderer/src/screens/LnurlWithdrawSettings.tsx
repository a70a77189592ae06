import { useEffect, useState } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import type { LnurlWithdrawSettings as Stored, LnurlWithdrawStatus } from '../../../shared/domain/index.js';
import { useShell } from '../context.js';
import { errorMessage } from '../till-client.js';

/**
 * LNURL-withdraw refunds (the customer's wallet pulls the refund): off by default. The till listens
 * on an address of this computer; the customer's phone reaches it at the public URL — the till's
 * address on the shop's Wi-Fi (plain http there), or an https address behind a reverse proxy.
 */
export function LnurlWithdrawSettings() {
  const { till, run, toast } = useShell();
  const [form, setForm] = useState<Record<'host' | 'port' | 'url' | 'minutes', string> | null>(null);
  const [enabled, setEnabled] = useState(false);
  const [basis, setBasis] = useState<Stored['rateBasis']>('current');
  const [status, setStatus] = useState<LnurlWithdrawStatus | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  const show = ({ settings, status }: { settings: Stored; status: LnurlWithdrawStatus }) => {
    setForm({
      host: settings.listenHost,
      port: String(settings.listenPort),
      url: settings.publicUrl,
      minutes: String(Math.round(settings.expirySec / 60)),
    });
    setEnabled(settings.enabled);
    setBasis(settings.rateBasis);
    setStatus(status);
  };

  useEffect(() => {
    void run(async () => show(await till.getLnurlWithdraw()));
  }, [till, run]);

  async function save() {
    if (!form) return;
    try {
      const saved = await till.saveLnurlWithdraw({
        enabled,
        listenHost: form.host,
        listenPort: Number(form.port),
        publicUrl: form.url,
        expirySec: Math.round(Number(form.minutes) * 60),
        rateBasis: basis,
      });
      setErrors({});
      show(saved);
      toast(saved.status.problem ? 'bad' : 'good', saved.status.problem ?? 'LNURL refunds saved');
    } catch (err) {
      if (err instanceof TillError && err.issues) {
        setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
      }
      toast('bad', errorMessage(err));
    }
  }

  const field = (key: 'host' | 'port' | 'url' | 'minutes', label: string, path: string, placeholder = '') =>
    form && (
      <label>
        {label}
        <input
          value={form[key]}
          placeholder={placeholder}
          inputMode={key === 'port' || key === 'minutes' ? 'numeric' : undefined}
          maxLength={key === 'url' ? 300 : 253}
          onChange={(e) => setForm({ ...form, [key]: e.target.value })}
          data-testid={`lnurlw-${key}`}
        />
        {errors[path] && <span className="field-error">{errors[path]}</span>}
      </label>
    );

  return (
    <form className="card" data-no-scan onSubmit={(e) => e.preventDefault()} data-testid="lnurlw-settings">
      <h2>LNURL-withdraw refunds</h2>
      <p className="muted">
        The till shows a one-time QR and the customer’s wallet pulls the refund, paid from the refund wallet.
        Phones must reach this till: on the shop’s Wi-Fi give its address there (http://192.168.1.20:3001);
        from anywhere, an https:// address of your reverse proxy.
      </p>
      <label className="toggle">
        <input
          type="checkbox"
          checked={enabled}
          onChange={(e) => setEnabled(e.target.checked)}
          data-testid="lnurlw-enabled"
        />
        Offer “Customer scans (LNURL)” refunds
      </label>
      {field('host', 'Listen on (this computer’s address, 0.0.0.0: all)', 'listenHost', '0.0.0.0')}
      {field('port', 'Port', 'listenPort', '3001')}
      {field('url', 'Address phones reach the till at', 'publicUrl', 'http://192.168.1.20:3001')}
      {field('minutes', 'A QR may be claimed for (minutes)', 'expirySec', '10')}
      <div className="refund-tender" role="radiogroup" aria-label="Rate for the sats">
        {(['current', 'sale'] as const).map((b) => (
          <button
            key={b}
            type="button"
            role="radio"
            aria-checked={basis === b}
            className={`btn${basis === b ? ' primary' : ' ghost'}`}
            onClick={() => setBasis(b)}
            data-testid={`lnurlw-rate-${b}`}
          >
            {b === 'current' ? 'Today’s rate' : 'The sale’s rate'}
          </button>
        ))}
      </div>
      {status && (
        <p className={status.problem ? 'field-error' : 'muted'} data-testid="lnurlw-status">
          {status.running ? `Running: wallets reach ${status.url}` : (status.problem ?? 'Off')}
        </p>
      )}
      <button className="btn primary" type="button" onClick={() => void save()} data-testid="lnurlw-save">
        Save LNURL refunds
      </button>
    </form>
  );
}
