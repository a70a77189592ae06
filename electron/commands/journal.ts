import { TillError } from '../../shared/contract/index.js';

/**
 * The journal commands of a till whose journal is open; the stand-in that runs when it could
 * not be opened (electron/open-till.ts) answers them otherwise.
 */
export const openJournalCommands = {
  getJournalProblem: () => null,
  startNewJournal: (): never => {
    throw new TillError('InvalidState', 'This till’s journal is open: there is nothing to start afresh.');
  },
};
