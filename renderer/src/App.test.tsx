// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App.js';
import { awaitingSale, fakeTill, status } from './test-support.js';
import type * as client from './till-client.js';
import { connectTill, type SocketState } from './till-client.js';

vi.mock('qrcode', () => ({ default: { toCanvas: vi.fn(() => Promise.resolve()) } }));
vi.mock('./till-client.js', async (real) => ({
  ...(await real<typeof client>()),
  connectTill: vi.fn(),
}));

afterEach(cleanup);

/** The App on its own socket (as in the browser), with the socket's state in the test's hands. */
function appOnSocket(overrides: Parameters<typeof fakeTill>[0] = {}) {
  const { till } = fakeTill(overrides);
  let report: (s: SocketState) => void = () => undefined;
  vi.mocked(connectTill).mockImplementation((onState) => {
    report = onState;
    return till;
  });
  render(<App />);
  return { till, socket: (s: SocketState) => act(() => report(s)) };
}

describe('the screen when the browser loses the till', () => {
  it('covers the screen with what to do while the till is not answering, and goes when it is back', async () => {
    const { socket } = appOnSocket();
    await screen.findByTestId('nav-register');
    socket('down');
    const notice = screen.getByTestId('till-unreachable');
    expect(notice.textContent).toMatch(/The till is not answering/);
    expect(notice.textContent).toMatch(/npm run serve/);
    expect(notice.textContent).toMatch(/reconnects by itself/);
    socket('refused');
    expect(screen.getByTestId('till-unreachable').textContent).toMatch(/Open the address the till printed/);
    socket('open');
    expect(screen.queryByTestId('till-unreachable')).toBeNull();
  });

  it('back from an outage, re-reads the till: a charge whose reply never came shows its invoice', async () => {
    const getStatus = vi.fn(() => Promise.resolve(status()));
    const { till, socket } = appOnSocket({
      getStatus,
      getSale: vi.fn(() => Promise.resolve(awaitingSale(new Date(Date.now() + 600_000)))),
    });
    await screen.findByTestId('charge-button');
    await waitFor(() => expect(till.getCart).toHaveBeenCalledTimes(1));
    socket('down');
    // Meanwhile the till did make the sale the cashier charged.
    getStatus.mockImplementation(() => Promise.resolve({ ...status(), activeSaleId: 's1' }));
    socket('open');
    await screen.findByTestId('invoice-countdown');
    expect(till.getSale).toHaveBeenCalledWith({ saleId: 's1' });
  });

  it('back from an outage, draws the register again from the till’s cart', async () => {
    const { till, socket } = appOnSocket();
    await screen.findByTestId('charge-button');
    await waitFor(() => expect(till.getCart).toHaveBeenCalledTimes(1));
    socket('down');
    socket('open');
    await waitFor(() => expect(till.getCart).toHaveBeenCalledTimes(2));
    // A socket that merely opens for the first time re-reads nothing more.
    socket('open');
    expect(till.getCart).toHaveBeenCalledTimes(2);
  });
});

describe('a receipt that printed by itself and failed', () => {
  it('says so on whatever screen is up, and that the sale is paid', async () => {
    const { till, emit } = fakeTill();
    render(<App till={till} />);
    await screen.findByTestId('nav-register');
    act(() =>
      emit('receiptPrintFailed', {
        saleId: 's1',
        saleNumber: '000042',
        message: 'The receipt did not print: the printer is out of paper. Check the printer and try again.',
      }),
    );
    expect((await screen.findByTestId('toast')).textContent).toContain(
      'Sale #000042 is paid. The receipt did not print: the printer is out of paper.',
    );
  });
});
