import { useEffect, useState } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import type { OfflinePaySettings as Stored } from '../../../shared/domain/index.js';
import { currencyExponent, parseFiat } from '../../../shared/money/index.js';
import { useShell } from '../context.js';
import { errorMessage } from '../till-client.js';

type Field = 'url' | 'perSale' | 'perDay' | 'minutes' | 'keyId' | 'key';

/**
 * Lightning with the till offline (issue 17), the owner's settings: off by default; the
 * companion server's address (`npm run lnurl-server`), the key it shares with the till (pasted
 * once, shown back as a hint), the limits, and when Charge offers it.
 */
export function OfflinePaySettings() {
  const { till, run, toast, status } = useShell();
  const currency = status?.settings.currency ?? 'USD';
  const [saved, setSaved] = useState<Stored | null>(null);
  const [form, setForm] = useState<Record<Field, string> | null>(null);
  const [enabled, setEnabled] = useState(false);
  const [always, setAlways] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});

  const major = (v: bigint) => {
    const e = currencyExponent(currency);
    if (e === 0) return v.toString();
    const digits = v.toString().padStart(e + 1, '0');
    return `${digits.slice(0, -e)}.${digits.slice(-e)}`;
  };
  const show = (s: Stored) => {
    setSaved(s);
    setEnabled(s.enabled);
    setAlways(s.alwaysOffer);
    setForm({
      url: s.serverUrl ?? '',
      perSale: major(s.perSaleLimit),
      perDay: major(s.perDayLimit),
      minutes: String(s.maxRateAgeMin),
      keyId: '',
      key: '',
    });
  };

  useEffect(() => {
    void run(async () => show(await till.getOfflinePay()));
    // Loaded once; the currency only formats the limits.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [till, run]);

  async function save() {
    if (!form) return;
    const amount = (text: string, path: string): bigint | null => {
      try {
        return parseFiat(text, currency);
      } catch {
        setErrors({ [path]: 'Type an amount, e.g. 100.00' });
        return null;
      }
    };
    const perSaleLimit = amount(form.perSale, 'perSaleLimit');
    const perDayLimit = amount(form.perDay, 'perDayLimit');
    if (perSaleLimit === null || perDayLimit === null) return;
    try {
      const next = await till.saveOfflinePay({
        enabled,
        serverUrl: form.url.trim() === '' ? null : form.url,
        perSaleLimit,
        perDayLimit,
        maxRateAgeMin: Number(form.minutes),
        alwaysOffer: always,
        ...(form.keyId.trim() !== '' || form.key.trim() !== ''
          ? { key: { id: form.keyId, key: form.key } }
          : {}),
      });
      setErrors({});
      show(next);
      toast('good', 'Offline Lightning saved');
    } catch (err) {
      if (err instanceof TillError && err.issues) {
        setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
      }
      toast('bad', errorMessage(err));
    }
  }

  const field = (key: Field, label: string, path: string, placeholder = '', secret = false) =>
    form && (
      <label>
        {label}
        <input
          value={form[key]}
          placeholder={placeholder}
          type={secret ? 'password' : 'text'}
          autoComplete="off"
          inputMode={
            key === 'minutes' ? 'numeric' : key === 'perSale' || key === 'perDay' ? 'decimal' : undefined
          }
          maxLength={key === 'url' ? 300 : 80}
          onChange={(e) => setForm({ ...form, [key]: e.target.value })}
          data-testid={`offline-${key}`}
        />
        {errors[path] && <span className="field-error">{errors[path]}</span>}
      </label>
    );

  return (
    <form className="card" data-no-scan onSubmit={(e) => e.preventDefault()} data-testid="offline-settings">
      <h2>Offline Lightning</h2>
      <p className="muted">
        When the shop’s internet (or the node) is down, Charge can still take Lightning: the till shows a
        signed link, the customer pays it over their phone’s data through your companion server (
        <code>npm run lnurl-server</code>, where the node is reachable), and their wallet then shows a PIN the
        cashier types in. The till checks the PIN by itself.
      </p>
      <label className="toggle">
        <input
          type="checkbox"
          checked={enabled}
          onChange={(e) => setEnabled(e.target.checked)}
          data-testid="offline-enabled"
        />
        Offer “Lightning (offline)”
      </label>
      <label className="toggle">
        <input
          type="checkbox"
          checked={always}
          onChange={(e) => setAlways(e.target.checked)}
          data-testid="offline-always"
        />
        Always offer it (else only while the node is unreachable)
      </label>
      {field('url', 'Companion server address', 'serverUrl', 'https://pay.example.com')}
      <p className="muted" data-testid="offline-key-hint">
        {saved?.keyHint ? `Signing with: ${saved.keyHint}` : 'No shared key saved yet.'}
        {saved?.previousKeyHint && ` · Previous: ${saved.previousKeyHint}`}
      </p>
      {field('keyId', saved?.keyHint ? 'New key id (to rotate)' : 'Key id', 'key', '8–32 hex digits')}
      {field('key', saved?.keyHint ? 'New key (to rotate)' : 'Key', 'key', '64 hex digits', true)}
      {saved?.keyHint && (
        <p className="muted">
          A new key signs from the moment you save. Give it to the companion server first, and let the server
          accept both keys until the links the old one signed have ended (15 minutes).
        </p>
      )}
      {field('perSale', `Most a sale may be offline (${currency})`, 'perSaleLimit')}
      {field('perDay', `Most all offline sales of a day may add up to (${currency})`, 'perDayLimit')}
      {field('minutes', 'Oldest exchange rate allowed offline (minutes)', 'maxRateAgeMin', '240')}
      <button className="btn primary" type="button" onClick={() => void save()} data-testid="offline-save">
        Save offline Lightning
      </button>
    </form>
  );
}
