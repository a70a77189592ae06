import { useCallback, useRef, useState } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import { errorMessage } from '../till-client.js';
import { Sheet } from './Sheet.js';

interface Pending {
  reason: string;
  retry: (pin: string) => Promise<unknown>;
  resolve: (value: unknown) => void;
}

/**
 * A manager approves on the cashier's screen: `withManager` runs a command as is and, when the
 * till answers NeedsManager, asks for the manager's PIN right there and runs it again with it.
 * A wrong PIN is said in the sheet, which stays open; Cancel leaves everything as it was.
 */
export function useManagerApproval() {
  const [pending, setPending] = useState<Pending | null>(null);

  const withManager = useCallback(
    async <T,>(command: (managerPin: string | undefined) => Promise<T>): Promise<T | undefined> => {
      try {
        return await command(undefined);
      } catch (err) {
        if (!(err instanceof TillError) || err.kind !== 'NeedsManager') throw err;
        return new Promise<T | undefined>((resolve) =>
          setPending({
            reason: err.message,
            retry: command,
            resolve: resolve as (value: unknown) => void,
          }),
        );
      }
    },
    [],
  );

  const close = useCallback(() => {
    pending?.resolve(undefined);
    setPending(null);
  }, [pending]);

  return {
    withManager,
    open: pending !== null,
    dialog: pending && (
      <ManagerPinSheet
        reason={pending.reason}
        onCancel={close}
        onPin={async (pin) => {
          const value = await pending.retry(pin);
          pending.resolve(value);
          setPending(null);
        }}
      />
    ),
  };
}

function ManagerPinSheet({
  reason,
  onPin,
  onCancel,
}: {
  reason: string;
  onPin: (pin: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  const [working, setWorking] = useState(false);
  const submit = () => {
    if (busy.current || !/^\d{4,8}$/.test(pin)) return;
    busy.current = true;
    setWorking(true);
    onPin(pin)
      .catch((err: unknown) => {
        setError(errorMessage(err));
        setPin('');
      })
      .finally(() => {
        busy.current = false;
        setWorking(false);
      });
  };
  return (
    <Sheet label="Manager approval" className="manager" onClose={onCancel}>
      <h2>Manager approval</h2>
      <p className="hint" data-testid="manager-reason">
        {reason}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="field">
          <span>Manager’s PIN</span>
          <input
            data-testid="manager-pin"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            autoFocus
            maxLength={8}
            value={pin}
            onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
          />
        </label>
        {error && (
          <span className="field-error" role="alert" data-testid="manager-error">
            {error}
          </span>
        )}
        <div className="sheet-actions">
          <button type="button" className="btn ghost" onClick={onCancel}>
            Cancel
          </button>
          <button
            className="btn primary big"
            data-testid="manager-approve"
            disabled={working || !/^\d{4,8}$/.test(pin)}
          >
            Approve
          </button>
        </div>
      </form>
    </Sheet>
  );
}
