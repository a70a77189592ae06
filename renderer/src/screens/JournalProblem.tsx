import { useState, type ReactNode } from 'react';
import type { TillApi } from '../../../shared/contract/index.js';
import {
  NEW_JOURNAL_CONFIRMATION,
  type JournalProblem,
  type JournalProblemKind,
  type TillStatus,
} from '../../../shared/domain/index.js';
import { errorMessage } from '../till-client.js';

/** What each kind of problem asks of a person; the till says what it found (problem.message). */
const guidance: Record<JournalProblemKind, { title: string; steps: (p: JournalProblem) => ReactNode[] }> = {
  damaged: {
    title: 'The journal is damaged',
    steps: (p) => [
      'Do not take sales on this till: its record of sales cannot be trusted.',
      'Close the till.',
      <>
        Restore the journal from your latest backup: copy it over <Path>{p.journalPath}</Path> and delete{' '}
        <Path>journal.sqlite-wal</Path> and <Path>journal.sqlite-shm</Path> beside it if they are there.
      </>,
      'Open the till again. It checks the journal every time it starts.',
      'No backup? Keep the damaged file as it is and call support: it can often be repaired.',
    ],
  },
  missing: {
    title: 'The journal is missing',
    steps: (p) => [
      <>
        To keep this till’s sales: close the till, copy your backup of <Path>journal.sqlite</Path> into{' '}
        <Path>{p.dataDir}</Path> and open the till again.
      </>,
      'If this is meant to be a new till, start it as one below. The old till’s files are moved into a folder beside them, never deleted.',
    ],
  },
  newer: {
    title: 'The journal is from a newer version',
    steps: (p) => [
      'A newer version of Lightning Till has written this journal; this version cannot read it safely.',
      'Install the newer version again (or the latest one) and open the till with it.',
      <>
        Do not replace the journal in <Path>{p.dataDir}</Path>: it holds the newer version’s sales.
      </>,
    ],
  },
  unwritable: {
    title: 'The till cannot write its journal',
    steps: (p) => [
      'A till that cannot record a sale must not take one.',
      <>
        Free some disk space, or make <Path>{p.dataDir}</Path> writable for the user running the till.
      </>,
      'Then close and open the till again.',
    ],
  },
};

function Path({ children }: { children: ReactNode }) {
  return <code className="path">{children}</code>;
}

/**
 * Shown instead of the register when the till will not open its journal: what it found, what
 * to do, where the files are. Selling is impossible from here (the till refuses every command).
 */
export function JournalProblemScreen({
  till,
  problem,
  onStarted,
}: {
  till: TillApi;
  problem: JournalProblem;
  onStarted: (status: TillStatus) => void;
}) {
  const { title, steps } = guidance[problem.kind];
  return (
    <div className="journal-problem" role="alert" data-testid="journal-problem">
      <div className="journal-problem-card">
        <p className="journal-problem-kicker">
          <span className="bolt" aria-hidden>
            ⚡
          </span>{' '}
          Lightning Till
        </p>
        <h1>The till can’t open its journal</h1>
        <h2>{title}</h2>
        <p className="journal-problem-found">{problem.message}</p>
        <p className="journal-problem-stop">No sales can be taken until this is fixed.</p>
        <h3>What to do</h3>
        <ol className="journal-problem-steps">
          {steps(problem).map((step, i) => (
            <li key={i}>{step}</li>
          ))}
        </ol>
        <dl className="journal-problem-paths">
          <dt>Data folder</dt>
          <dd>
            <Path>{problem.dataDir}</Path>
          </dd>
          <dt>Journal</dt>
          <dd>
            <Path>{problem.journalPath}</Path>
          </dd>
        </dl>
        {problem.kind === 'missing' && <StartNewTill till={till} onStarted={onStarted} />}
      </div>
    </div>
  );
}

function StartNewTill({ till, onStarted }: { till: TillApi; onStarted: (status: TillStatus) => void }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirmed = typed.trim() === NEW_JOURNAL_CONFIRMATION;
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      onStarted(await till.startNewJournal({ confirm: NEW_JOURNAL_CONFIRMATION }));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <div className="journal-problem-new">
      <h3>Start as a new till</h3>
      <p>It starts with no sales. Only do this if the old sales are not needed on this till.</p>
      <div className="inline">
        <label>
          Type {NEW_JOURNAL_CONFIRMATION} to confirm
          <input
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            data-testid="new-journal-confirm"
          />
        </label>
        <button
          className="btn danger ghost"
          disabled={!confirmed || busy}
          onClick={() => void start()}
          data-testid="start-new-journal"
        >
          {busy ? 'Starting…' : 'Start as a new till'}
        </button>
      </div>
      {error && (
        <p className="journal-problem-error" role="status">
          {error}
        </p>
      )}
    </div>
  );
}
