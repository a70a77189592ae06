import { useEffect, useState } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import { useShell } from '../context.js';
import { errorMessage } from '../till-client.js';

const PIN = /^\d{4,8}$/;

/**
 * Manager approval (until staff and roles arrive): the discount above which a manager's PIN is
 * asked, and that PIN — set once, changed only with the current one, never shown.
 */
export function ManagerSettings() {
  const { till, run, toast } = useShell();
  const [percent, setPercent] = useState('');
  const [pinSet, setPinSet] = useState<boolean | null>(null);
  const [current, setCurrent] = useState('');
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});

  useEffect(() => {
    void run(async () => setPercent(String((await till.getSettings()).discountApprovalPercent)));
    void run(async () => setPinSet((await till.getManagerPin()).set));
  }, [till, run]);

  async function savePercent() {
    const n = Number(percent);
    if (!/^\d{1,3}$/.test(percent.trim()) || n > 100) {
      setErrors({ percent: 'Enter a whole percentage from 0 to 100' });
      return;
    }
    setErrors({});
    try {
      setPercent(String((await till.updateSettings({ discountApprovalPercent: n })).discountApprovalPercent));
      toast('good', 'Approval limit saved');
    } catch (err) {
      setErrors({ percent: errorMessage(err) });
    }
  }

  async function savePin() {
    const wrong: Record<string, string> = {};
    if (!PIN.test(pin)) wrong.pin = 'A PIN is 4 to 8 digits';
    else if (pin !== again) wrong.again = 'The two PINs differ';
    if (pinSet && !PIN.test(current)) wrong.current = 'Enter the current PIN';
    setErrors(wrong);
    if (Object.keys(wrong).length > 0) return;
    try {
      await till.setManagerPin({ pin, ...(pinSet ? { currentPin: current } : {}) });
      setPinSet(true);
      setCurrent('');
      setPin('');
      setAgain('');
      toast('good', pinSet ? 'Manager PIN changed' : 'Manager PIN set');
    } catch (err) {
      const field = err instanceof TillError && err.kind === 'NotAuthorized' ? 'current' : 'pin';
      setErrors({ [field]: errorMessage(err) });
    }
  }

  const digits = (set: (v: string) => void) => (e: React.ChangeEvent<HTMLInputElement>) =>
    set(e.target.value.replace(/\D/g, ''));

  return (
    <form className="card" data-no-scan data-testid="manager-settings" onSubmit={(e) => e.preventDefault()}>
      <h2>Manager approval</h2>
      <p className="muted">
        A discount taking more than this off a line or the cart needs the manager’s PIN, typed on the
        cashier’s screen. 100 means never.
      </p>
      <label>
        Ask for the manager above (% off)
        <input
          data-testid="approval-percent"
          inputMode="numeric"
          maxLength={3}
          value={percent}
          onChange={digits(setPercent)}
        />
        {errors.percent && <span className="field-error">{errors.percent}</span>}
      </label>
      <button className="btn primary" type="button" onClick={() => void savePercent()}>
        Save limit
      </button>
      <p className="muted" data-testid="pin-state">
        {pinSet === null
          ? ''
          : pinSet
            ? 'A manager PIN is set.'
            : 'No manager PIN yet: discounts above the limit cannot be given.'}
      </p>
      {pinSet && (
        <label>
          Current PIN
          <input
            data-testid="pin-current"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={8}
            value={current}
            onChange={digits(setCurrent)}
          />
          {errors.current && <span className="field-error">{errors.current}</span>}
        </label>
      )}
      <label>
        {pinSet ? 'New PIN (4 to 8 digits)' : 'PIN (4 to 8 digits)'}
        <input
          data-testid="pin-new"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          maxLength={8}
          value={pin}
          onChange={digits(setPin)}
        />
        {errors.pin && <span className="field-error">{errors.pin}</span>}
      </label>
      <label>
        The PIN again
        <input
          data-testid="pin-again"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          maxLength={8}
          value={again}
          onChange={digits(setAgain)}
        />
        {errors.again && <span className="field-error">{errors.again}</span>}
      </label>
      <button className="btn primary" type="button" data-testid="save-pin" onClick={() => void savePin()}>
        {pinSet ? 'Change PIN' : 'Set PIN'}
      </button>
    </form>
  );
}
