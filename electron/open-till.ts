import { ZodError } from 'zod';
import { commands, isCommandName, type Reply } from '../shared/contract/index.js';
import type { JournalProblem } from '../shared/domain/index.js';
import { unknownCommand } from './commands/failure.js';
import { createEventBus } from './events.js';
import { JournalProblemError, recheckJournal, startNewJournal } from './journal/health.js';
import { createTill, type Till, type TillDeps } from './till.js';

/**
 * What the hosts (Electron main, the web host) start: the till, or — when its journal cannot
 * be trusted — a stand-in that tells the cashier why and refuses to sell, so a damaged, missing
 * or unwritable journal becomes a screen with what to do instead of a till that never appears.
 * When the journal is missing beside another till's files, the stand-in can start a new one
 * (after a typed confirmation) and hands over to the real till without a restart.
 */
export async function openTill(deps: TillDeps): Promise<Till> {
  const log = deps.log ?? ((message: string, err?: unknown) => console.error(`[till] ${message}`, err ?? ''));
  const bus = createEventBus((err) => log('an event listener failed', err));
  let inner: Till;
  let unsubscribe = () => {};
  const use = (till: Till) => {
    unsubscribe();
    inner = till;
    unsubscribe = till.subscribe((event, payload) => bus.emit(event, payload));
  };

  let healthy = false;
  const standIn = (problem: JournalProblem) =>
    unavailableTill(problem, async () => {
      const { movedTo } = startNewJournal(
        deps.dataDir,
        (deps.now ?? (() => new Date()))(),
        deps.sqliteBinding,
      );
      log(`started a new journal${movedTo ? `; the previous till's files are in ${movedTo}` : ''}`);
      const till = await createTill(deps);
      use(till);
      healthy = true;
      const status = await till.invoke('getStatus', {});
      if (status.ok) bus.emit('statusChanged', commands.getStatus.output.parse(status.value));
      return status;
    });

  try {
    use(await createTill(deps));
    healthy = true;
  } catch (err) {
    if (!(err instanceof JournalProblemError)) throw err;
    log(`the journal cannot be opened: ${err.problem.message}`, err.cause);
    use(standIn(err.problem));
  }

  /** A journal damaged under a running till: nothing more is sold into it (the answer in hand still goes back). */
  async function stopIfDamaged(): Promise<void> {
    const problem = recheckJournal(deps.dataDir, deps.sqliteBinding);
    if (problem === null || !healthy) return;
    healthy = false;
    log(problem.message);
    const damagedTill = inner;
    use(standIn(problem));
    await damagedTill
      .close()
      .catch((err: unknown) => log('closing the till on a damaged journal failed', err));
  }

  return {
    invoke: async (name, input) => {
      const reply = await inner.invoke(name, input);
      if (healthy && !reply.ok && reply.error.kind === 'StorageError') await stopIfDamaged();
      return reply;
    },
    subscribe: bus.subscribe,
    tick: () => inner.tick(),
    displays: () => inner.displays?.() ?? null,
    close: async () => {
      unsubscribe();
      await inner.close();
    },
  };
}

/** Answers getJournalProblem, startNewJournal (for a missing journal only), and refuses the rest. */
function unavailableTill(problem: JournalProblem, startNew: () => Promise<Reply<unknown>>): Till {
  let starting = false;
  return {
    async invoke(name, input) {
      if (!isCommandName(name)) {
        return { ok: false, error: unknownCommand(name) };
      }
      if (name === 'getJournalProblem') return { ok: true, value: problem };
      if (name !== 'startNewJournal') {
        return { ok: false, error: { kind: 'JournalUnavailable', message: problem.message } };
      }
      try {
        commands.startNewJournal.input.parse(input ?? {});
      } catch (err) {
        if (!(err instanceof ZodError)) throw err;
        return {
          ok: false,
          error: { kind: 'ValidationError', message: 'Type the confirmation exactly to start a new till.' },
        };
      }
      if (problem.kind !== 'missing') {
        // A damaged or newer journal still holds sales: starting over beside it would bury them.
        return {
          ok: false,
          error: {
            kind: 'InvalidState',
            message: 'Only a missing journal can be started afresh; restore this one from a backup.',
          },
        };
      }
      if (starting)
        return { ok: false, error: { kind: 'InvalidState', message: 'A new journal is being started.' } };
      starting = true;
      try {
        return await startNew();
      } catch (err) {
        starting = false;
        return {
          ok: false,
          error: {
            kind: 'StorageError',
            message: `The new journal could not be started: ${err instanceof Error ? err.message : String(err)}`,
          },
        };
      }
    },
    subscribe: () => () => {},
    tick: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
