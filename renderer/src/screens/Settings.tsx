import { useEffect, useState, type FormEvent } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { useMayRun } from '../access.js';
import { useShell } from '../context.js';
import { errorMessage } from '../till-client.js';
import { CustomerDisplaySettings } from './CustomerDisplaySettings.js';
import { LimitSettings } from './LimitSettings.js';
import { LnurlWithdrawSettings } from './LnurlWithdrawSettings.js';
import { OfflinePaySettings } from './OfflinePaySettings.js';
import { NodeSettings, RateSettings } from './NodeSettings.js';
import { PricingSettings } from './PricingSettings.js';
import { ReceiptSettings } from './ReceiptSettings.js';
import { RefundWalletSettings } from './RefundWalletSettings.js';
import { ShopifySettings } from './ShopifySettings.js';
import { StaffSettings } from './StaffSettings.js';

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

/**
 * The owner's settings. A manager sees only what they may change (the manual rate); a cashier
 * has no Settings tab (App.tsx).
 */
export function SettingsScreen() {
  const may = useMayRun();
  if (!may('updateSettings')) {
    return (
      <div className="settings">
        <div className="col">
          <RateSettings />
          <p className="muted">The owner changes the shop, the staff and the connections.</p>
        </div>
      </div>
    );
  }
  return <OwnerSettings />;
}

function OwnerSettings() {
  const { till, run, status, toast } = useShell();
  const [shopName, setShopName] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [minutes, setMinutes] = useState('10');
  const [idleMinutes, setIdleMinutes] = useState('5');
  const [errors, setErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    void run(async () => {
      const s = await till.getSettings();
      setShopName(s.shopName);
      setCurrency(s.currency);
      setMinutes(String(s.invoiceExpirySec / 60));
      setIdleMinutes(String(s.idleLockSec / 60));
    });
  }, [till, run]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    const mins = Number(minutes);
    const idle = Number(idleMinutes.trim());
    if (idleMinutes.trim() === '' || !Number.isFinite(idle)) {
      setErrors({ idleLockSec: 'Enter a number of minutes (0: never)' });
      return;
    }
    try {
      await till.updateSettings({
        shopName,
        currency,
        invoiceExpirySec: Math.round(mins * 60),
        idleLockSec: Math.round(idle * 60),
      });
      toast('good', 'Settings saved');
    } catch (err) {
      if (err instanceof TillError && err.issues) {
        setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
      } else {
        // Refused as a whole (a sale under way): the currency shown goes back to the till's own,
        // so the screen never shows a currency the till is not using.
        void run(async () => setCurrency((await till.getSettings()).currency));
      }
      toast('bad', errorMessage(err));
    }
  };

  return (
    <div className="settings">
      <div className="col">
        <form className="card" onSubmit={(e) => void save(e)} data-no-scan>
          <h2>Shop</h2>
          <label>
            Shop name
            <input
              value={shopName}
              onChange={(e) => setShopName(e.target.value)}
              maxLength={MAX_LENGTH.shopName}
            />
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
            <input
              inputMode="numeric"
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
              maxLength={MAX_LENGTH.minutes}
            />
            {errors.invoiceExpirySec && <span className="field-error">{errors.invoiceExpirySec}</span>}
          </label>
          <label>
            Lock the till after this long untouched (minutes, 0: never)
            <input
              inputMode="decimal"
              value={idleMinutes}
              onChange={(e) => setIdleMinutes(e.target.value)}
              maxLength={MAX_LENGTH.minutes}
              data-testid="idle-lock-minutes"
            />
            {errors.idleLockSec && (
              <span className="field-error" data-testid="idle-lock-error">
                {errors.idleLockSec}
              </span>
            )}
          </label>
          <button className="btn primary" type="submit">
            Save
          </button>
          <p className="muted mono">Till {status?.tillId}</p>
        </form>
        <RateSettings />
        <LimitSettings />
        <LnurlWithdrawSettings />
      </div>
      <div className="col">
        <StaffSettings />
        <NodeSettings />
        <RefundWalletSettings />
        <OfflinePaySettings />
        <ShopifySettings />
        <ReceiptSettings />
        <CustomerDisplaySettings />
      </div>
      <PricingSettings />
    </div>
  );
}
