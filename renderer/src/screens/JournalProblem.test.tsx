// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TillError } from '../../../shared/contract/index.js';
import type { JournalProblem } from '../../../shared/domain/index.js';
import { App } from '../App.js';
import { fakeTill, status } from '../test-support.js';

afterEach(cleanup);

function problem(kind: JournalProblem['kind'], extra: Partial<JournalProblem> = {}): JournalProblem {
  return {
    kind,
    message:
      'The journal /data/till/journal.sqlite is damaged (quick_check: Page 12: btreeInitPage() returns error code 11).',
    dataDir: '/data/till',
    journalPath: '/data/till/journal.sqlite',
    found: [],
    ...extra,
  };
}

describe('the till cannot open its journal', () => {
  it('a damaged journal: a full screen with what was found, what to do and where the files are; no register', async () => {
    const { till } = fakeTill({ getJournalProblem: vi.fn(() => Promise.resolve(problem('damaged'))) });
    render(<App till={till} />);
    expect(await screen.findByRole('heading', { name: 'The till can’t open its journal' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'The journal is damaged' })).toBeTruthy();
    expect(screen.getByText(/btreeInitPage/)).toBeTruthy();
    expect(screen.getByText(/No sales can be taken/)).toBeTruthy();
    expect(screen.getByText(/Restore the journal from your latest backup/)).toBeTruthy();
    expect(screen.getAllByText('/data/till/journal.sqlite').length).toBeGreaterThan(0);
    expect(screen.getByText('/data/till')).toBeTruthy();
    // Nothing to sell with, and no way to start over a journal that still holds sales.
    expect(screen.queryByTestId('nav-register')).toBeNull();
    expect(screen.queryByTestId('start-new-journal')).toBeNull();
    // Nothing else was asked of a till that refuses everything (each refusal would be a red toast).
    expect(till.getStatus).not.toHaveBeenCalled();
    expect(till.getCart).not.toHaveBeenCalled();
    expect(till.searchCatalog).not.toHaveBeenCalled();
  });

  it('a missing journal asks, and starts a new till only after the typed confirmation', async () => {
    const startNewJournal = vi.fn(() => Promise.resolve(status()));
    const { till } = fakeTill({
      getJournalProblem: vi.fn(() =>
        Promise.resolve(
          problem('missing', {
            message: 'The journal is missing, but …',
            found: ['demo-node.db', 'secrets.json'],
          }),
        ),
      ),
      startNewJournal,
    });
    render(<App till={till} />);
    expect(await screen.findByRole('heading', { name: 'The journal is missing' })).toBeTruthy();
    expect(screen.getByText('The journal is missing, but …')).toBeTruthy();
    expect(screen.getByText(/copy your backup of/)).toBeTruthy();
    const start = screen.getByTestId<HTMLButtonElement>('start-new-journal');
    expect(start.disabled).toBe(true);
    fireEvent.change(screen.getByTestId('new-journal-confirm'), { target: { value: 'new till' } });
    expect(start.disabled).toBe(true);
    fireEvent.change(screen.getByTestId('new-journal-confirm'), { target: { value: 'NEW TILL' } });
    expect(start.disabled).toBe(false);
    fireEvent.click(start);
    await waitFor(() => expect(screen.getByTestId('nav-register')).toBeTruthy());
    expect(startNewJournal).toHaveBeenCalledWith({ confirm: 'NEW TILL' });
    expect(screen.queryByTestId('journal-problem')).toBeNull();
  });

  it('says why when the new journal cannot be started, and stays', async () => {
    const { till } = fakeTill({
      getJournalProblem: vi.fn(() => Promise.resolve(problem('missing', { found: ['demo-node.key'] }))),
      startNewJournal: vi.fn(() =>
        Promise.reject(
          new TillError('StorageError', 'The new journal could not be started: the disk is full.'),
        ),
      ),
    });
    render(<App till={till} />);
    fireEvent.change(await screen.findByTestId('new-journal-confirm'), { target: { value: 'NEW TILL' } });
    fireEvent.click(screen.getByTestId('start-new-journal'));
    expect(await screen.findByText(/could not be started: the disk is full/)).toBeTruthy();
    expect(screen.getByTestId('journal-problem')).toBeTruthy();
  });

  it.each([
    ['newer', 'The journal is from a newer version', /Install the newer version/],
    ['unwritable', 'The till cannot write its journal', /Free some disk space/],
  ] as const)('%s: its own heading and steps', async (kind, heading, step) => {
    const { till } = fakeTill({ getJournalProblem: vi.fn(() => Promise.resolve(problem(kind))) });
    render(<App till={till} />);
    expect(await screen.findByRole('heading', { name: heading })).toBeTruthy();
    expect(screen.getByText(step)).toBeTruthy();
  });

  it('a healthy till opens the register as before', async () => {
    const { till } = fakeTill();
    render(<App till={till} />);
    await waitFor(() => expect(till.getStatus).toHaveBeenCalled());
    expect(screen.getByTestId('nav-register')).toBeTruthy();
    expect(screen.queryByTestId('journal-problem')).toBeNull();
  });
});

describe('a register with no products because the demo catalog was refused', () => {
  it('says why, in place of the products', async () => {
    const message =
      'The demo catalog /app/resources/demo-catalog.json cannot be used: products[1].variants[0].price must be above zero.';
    const { till } = fakeTill({
      getStatus: vi.fn(() => Promise.resolve({ ...status(), catalogProblem: message })),
    });
    render(<App till={till} />);
    expect(await screen.findByText(message)).toBeTruthy();
  });
});

describe('a journal that fails under a running till', () => {
  it('the failure is shown, then the problem screen replaces the register', async () => {
    const damaged = problem('damaged', {
      message: 'The journal /data/till/journal.sqlite was damaged while the till was running.',
    });
    const getJournalProblem = vi.fn().mockResolvedValueOnce(null).mockResolvedValue(damaged);
    const { till } = fakeTill({
      getJournalProblem,
      getCart: vi.fn(() =>
        Promise.reject(
          new TillError('StorageError', 'Nothing was saved: the journal file is damaged. Restart the till.'),
        ),
      ),
    });
    render(<App till={till} />);
    expect(await screen.findByText(/was damaged while the till was running/)).toBeTruthy();
    expect(screen.getByText(/Nothing was saved: the journal file is damaged/)).toBeTruthy();
    expect(screen.queryByTestId('nav-register')).toBeNull();
  });
});
