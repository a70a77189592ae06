import { useRef, useState } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import type { Session } from '../../../shared/domain/index.js';
import { useShell } from '../context.js';
import { errorMessage } from '../till-client.js';
import { Sheet } from './Sheet.js';

const PIN = /^\d{4,8}$/;

/** Digits only, as a PIN field keeps what is typed in it. */
export const digits = (text: string) => text.replace(/\D/g, '').slice(0, 8);

/**
 * Anyone signed in changes their own PIN: the current one (checked by the till behind the same
 * lock-out as the PIN pad), then the new one twice so a slip of the finger cannot lock them out.
 */
export function ChangePinSheet({ session, onClose }: { session: Session; onClose: () => void }) {
  const { till, toast } = useShell();
  const [current, setCurrent] = useState('');
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [working, setWorking] = useState(false);
  const busy = useRef(false);

  const submit = async () => {
    if (busy.current) return;
    const wrong: Record<string, string> = {};
    if (!PIN.test(current)) wrong.currentPin = 'Enter your current PIN (4 to 8 digits).';
    if (!PIN.test(pin)) wrong.pin = 'A PIN is 4 to 8 digits';
    else if (pin !== again) wrong.again = 'The two new PINs are not the same: type it again.';
    setErrors(wrong);
    if (Object.keys(wrong).length > 0) return;
    busy.current = true;
    setWorking(true);
    try {
      await till.updateStaff({ staffId: session.staffId, pin, currentPin: current });
      toast('good', 'Your PIN is changed');
      onClose();
    } catch (err) {
      if (err instanceof TillError && err.issues?.length) {
        setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
      } else if (err instanceof TillError && err.kind === 'NotAuthorized') {
        setErrors({ currentPin: err.message });
        setCurrent('');
      } else {
        setErrors({ form: errorMessage(err) });
      }
    } finally {
      busy.current = false;
      setWorking(false);
    }
  };

  const field = (
    key: string,
    label: string,
    value: string,
    set: (v: string) => void,
    testid: string,
    autoFocus = false,
  ) => (
    <label className="field">
      <span>{label}</span>
      <input
        data-testid={testid}
        type="password"
        inputMode="numeric"
        autoComplete="off"
        autoFocus={autoFocus}
        maxLength={8}
        value={value}
        onChange={(e) => set(digits(e.target.value))}
      />
      {errors[key] && (
        <span className="field-error" role="alert" data-testid={`${testid}-error`}>
          {errors[key]}
        </span>
      )}
    </label>
  );

  return (
    <Sheet label="Change my PIN" className="change-pin" onClose={onClose}>
      <h2>Change my PIN</h2>
      <p className="hint">Signed in as {session.name}. Your new PIN signs you in from now on.</p>
      <form
        data-no-scan
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {field('currentPin', 'Current PIN', current, setCurrent, 'my-current-pin', true)}
        {field('pin', 'New PIN (4 to 8 digits)', pin, setPin, 'my-new-pin')}
        {field('again', 'New PIN again', again, setAgain, 'my-new-pin-again')}
        {errors.form && (
          <span className="field-error" role="alert">
            {errors.form}
          </span>
        )}
        <div className="sheet-actions">
          <button type="button" className="btn ghost" onClick={onClose}>
            Cancel
          </button>
          <button className="btn primary big" data-testid="my-pin-save" disabled={working}>
            Change PIN
          </button>
        </div>
      </form>
    </Sheet>
  );
}
