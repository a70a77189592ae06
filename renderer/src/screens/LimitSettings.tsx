import { useEffect, useState } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import type { Settings } from '../../../shared/domain/index.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { fiatToDecimalString, parseFiat } from '../../../shared/money/index.js';
import { useShell } from '../context.js';
import { errorMessage } from '../till-client.js';

type LimitKey = 'lineSoftLimit' | 'lineHardLimit' | 'saleSoftLimit' | 'saleHardLimit' | 'maxCashChange';

const FIELDS: { key: LimitKey; label: string }[] = [
  { key: 'lineSoftLimit', label: 'Ask to confirm a line above' },
  { key: 'lineHardLimit', label: 'Refuse a line above' },
  { key: 'saleSoftLimit', label: 'Ask to confirm a sale above' },
  { key: 'saleHardLimit', label: 'Refuse a sale above' },
  { key: 'maxCashChange', label: 'Most change given for cash' },
];

/** The amounts a careless finger cannot pass, in the till's currency as a manager thinks of them. */
export function LimitSettings() {
  const { till, run, status, toast } = useShell();
  const currency = status?.settings.currency ?? 'USD';
  const [values, setValues] = useState<Record<LimitKey, string> | null>(null);
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});

  const show = (s: Settings) =>
    setValues(
      Object.fromEntries(FIELDS.map(({ key }) => [key, fiatToDecimalString(s[key], s.currency)])) as Record<
        LimitKey,
        string
      >,
    );

  useEffect(() => {
    void run(async () => show(await till.getSettings()));
  }, [till, run, currency]);

  async function save() {
    if (!values) return;
    const patch: Partial<Record<LimitKey, bigint>> = {};
    const wrong: Record<string, string> = {};
    for (const { key } of FIELDS) {
      try {
        patch[key] = parseFiat(values[key].replace(/[\s,]/g, ''), currency);
      } catch {
        wrong[key] = `Enter an amount in ${currency}, such as 1000.00`;
      }
    }
    setErrors(wrong);
    if (Object.keys(wrong).length > 0) return;
    try {
      show(await till.updateSettings(patch));
      toast('good', 'Limits saved');
    } catch (err) {
      if (err instanceof TillError && err.issues) {
        setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
      }
      toast('bad', errorMessage(err));
    }
  }

  return (
    <form className="card" data-no-scan onSubmit={(e) => e.preventDefault()} data-testid="limits">
      <h2>Limits</h2>
      <p className="muted">
        Above “ask” the cashier confirms the amount; above “refuse” the till will not take it.
      </p>
      {values &&
        FIELDS.map(({ key, label }) => (
          <label key={key}>
            {label} ({currency})
            <input
              inputMode="decimal"
              value={values[key]}
              onChange={(e) => setValues({ ...values, [key]: e.target.value })}
              maxLength={MAX_LENGTH.amount}
              data-testid={`limit-${key}`}
            />
            {errors[key] && <span className="field-error">{errors[key]}</span>}
          </label>
        ))}
      <button className="btn primary" type="button" onClick={() => void save()} data-testid="save-limits">
        Save limits
      </button>
    </form>
  );
}
