import { useCallback, useLayoutEffect, useState } from 'react';
import { TillError } from '../../../shared/contract/index.js';

export interface Question {
  text: string;
  yes: string;
  no: string;
  /** Put "yes" where the previous question had "no", so a double tap cannot answer two questions. */
  yesFirst?: boolean;
}

/** One question at a time, with big buttons; Escape or a tap outside answers no. */
function ConfirmDialog({ question, answer }: { question: Question; answer: (yes: boolean) => void }) {
  // Listen from the commit on (a layout effect): a key pressed the moment the screen shows
  // must not reach a listener that is not there yet, or one left from the last render.
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') answer(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [answer]);
  const yes = (
    <button key="yes" className="btn primary big" onClick={() => answer(true)} data-testid="confirm-yes">
      {question.yes}
    </button>
  );
  const no = (
    <button key="no" className="btn ghost big" onClick={() => answer(false)} data-testid="confirm-no">
      {question.no}
    </button>
  );
  return (
    <div className="sheet-backdrop" onClick={() => answer(false)}>
      <div
        className="sheet confirm"
        role="alertdialog"
        aria-label="Check before going on"
        onClick={(e) => e.stopPropagation()}
        data-no-scan
      >
        <p className="confirm-question" data-testid="confirm-question">
          {question.text}
        </p>
        <div className="actions">{question.yesFirst ? [yes, no] : [no, yes]}</div>
      </div>
    </div>
  );
}

/**
 * Asks the cashier before the till lets a large amount through: `withConfirmation` runs a
 * command as is, and when the till answers NeedsConfirmation (its message is the question)
 * asks it and, on yes, runs it again with `confirmLarge`. Render `dialog`.
 */
export function useConfirmation() {
  const [pending, setPending] = useState<{ question: Question; resolve: (yes: boolean) => void } | null>(
    null,
  );

  const ask = useCallback(
    (question: Question) => new Promise<boolean>((resolve) => setPending({ question, resolve })),
    [],
  );
  const answer = useCallback(
    (yes: boolean) => {
      pending?.resolve(yes);
      setPending(null);
    },
    [pending],
  );

  const withConfirmation = useCallback(
    async <T,>(command: (confirmLarge: boolean) => Promise<T>): Promise<T | undefined> => {
      try {
        return await command(false);
      } catch (err) {
        if (!(err instanceof TillError) || err.kind !== 'NeedsConfirmation') throw err;
        const yes = await ask({ text: err.message, yes: 'Yes, that’s right', no: 'No, go back' });
        return yes ? command(true) : undefined;
      }
    },
    [ask],
  );

  return {
    ask,
    withConfirmation,
    open: pending !== null,
    dialog: pending && <ConfirmDialog question={pending.question} answer={answer} />,
  };
}
