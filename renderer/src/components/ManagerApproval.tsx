import { useCallback, useRef, useState } from 'react';
import { commandNames, TillError, type TillApi } from '../../../shared/contract/index.js';
import { errorMessage } from '../till-client.js';
import { Sheet } from './Sheet.js';

interface Pending {
  reason: string;
  retry: (pin: string) => Promise<unknown>;
  resolve: (value: unknown) => void;
  cancel: () => void;
}

/**
 * What a command approved in place answers when the approval was cancelled: nothing was done
 * (the till's NeedsManager message still says why), and run() stays quiet about it.
 */
export class ApprovalCancelled extends TillError {
  constructor(message: string) {
    super('NeedsManager', message);
  }
}

/**
 * Someone whose role may approves on the cashier's screen: `withManager` runs a command as is
 * and, when the till answers NeedsManager, asks for that person's PIN right there (the sheet says
 * what the till said, "Only the owner can do this: …") and runs it again with it, once. A wrong
 * PIN is said in the sheet, which stays open; Cancel leaves everything as it was.
 *
 * `withManager` answers undefined on Cancel; `approving(till)` wraps every command of a till this
 * way (the App's till: any command answered NeedsManager can be approved in place) and rejects
 * with ApprovalCancelled on Cancel, so no caller mistakes "not done" for an answer.
 */
export function useManagerApproval() {
  const [pending, setPending] = useState<Pending | null>(null);

  const ask = useCallback(
    async <T,>(command: (managerPin: string | undefined) => Promise<T>, onCancel: 'undefined' | 'reject') => {
      try {
        return await command(undefined);
      } catch (err) {
        // Already asked and cancelled further in (a screen's own withManager over the App's till).
        if (!(err instanceof TillError) || err.kind !== 'NeedsManager' || err instanceof ApprovalCancelled)
          throw err;
        return new Promise<T | undefined>((resolve, reject) =>
          setPending({
            reason: err.message,
            retry: command,
            resolve: resolve as (value: unknown) => void,
            cancel: () =>
              onCancel === 'reject' ? reject(new ApprovalCancelled(err.message)) : resolve(undefined),
          }),
        );
      }
    },
    [],
  );

  const withManager = useCallback(
    <T,>(command: (managerPin: string | undefined) => Promise<T>): Promise<T | undefined> =>
      ask(command, 'undefined'),
    [ask],
  );

  const approving = useCallback(
    (till: TillApi): TillApi => {
      const wrapped: Record<string, unknown> = { on: till.on.bind(till) };
      const raw = till as unknown as Record<string, unknown>;
      for (const name of commandNames) {
        const fn = raw[name] as ((input?: unknown) => Promise<unknown>) | undefined;
        if (typeof fn !== 'function') continue;
        wrapped[name] = (input?: unknown) =>
          ask(
            (managerPin) =>
              managerPin === undefined
                ? fn(input)
                : fn({ ...((input as object | undefined) ?? {}), managerPin }),
            'reject',
          );
      }
      return wrapped as unknown as TillApi;
    },
    [ask],
  );

  const close = useCallback(() => {
    pending?.cancel();
    setPending(null);
  }, [pending]);

  /** Drops an approval still asked for (the till locked): the next person never approves it by mistake. */
  const cancel = useCallback(
    () =>
      setPending((p) => {
        p?.cancel();
        return null;
      }),
    [],
  );

  return {
    withManager,
    approving,
    cancel,
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

/** The sheet's title, from what the till asked for: the owner's approval or a manager's. */
export function approvalTitle(reason: string): string {
  return /\bowner\b/i.test(reason) ? 'Owner’s approval' : 'Manager approval';
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
  const title = approvalTitle(reason);
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
    <Sheet label={title} className="manager" onClose={onCancel}>
      <h2 data-testid="manager-title">{title}</h2>
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
          <span>{title === 'Owner’s approval' ? 'Owner’s PIN' : 'Manager’s PIN'}</span>
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
