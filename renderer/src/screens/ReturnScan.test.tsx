// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SaleSummary } from '../../../shared/domain/index.js';
import { ShellContext, type Shell } from '../context.js';
import { fakeTill, status } from '../test-support.js';
import { RegisterScreen } from './Register.js';

/** A receipt scanned at the Register: "Return items?", never a product added to the cart. */

afterEach(cleanup);

const summary = (number: number, state: SaleSummary['state'] = 'paid'): SaleSummary =>
  ({
    id: `sale-${number}`,
    number,
    state,
    total: 1225n,
    currency: 'USD',
    createdAt: '2026-11-27T14:05:00.000Z',
    itemCount: 3,
  }) as SaleSummary;

/** A scanner: the whole code and Enter in one instant, with nothing focused. */
function scan(code: string) {
  act(() => {
    for (const key of [...code, 'Enter'])
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  });
}

function register(sales: SaleSummary[]) {
  const toast = vi.fn();
  const onReturnSale = vi.fn();
  const { till } = fakeTill({
    // The till finds sales whose number starts with the digits: 42 and 420 for "000042".
    listSales: vi.fn(() => Promise.resolve({ sales, totals: [] })),
  });
  const shell: Shell = { till, status: status(), toast, run: (fn) => fn() };
  render(
    <ShellContext.Provider value={shell}>
      <RegisterScreen onCharged={vi.fn()} onPaidCash={vi.fn()} onReturnSale={onReturnSale} />
    </ShellContext.Provider>,
  );
  return { till, toast, onReturnSale };
}

describe('a receipt scanned at the Register', () => {
  it('asks "Sale #000042 — Return items?" for exactly that sale, adds nothing, and yes opens its return', async () => {
    const { till, onReturnSale } = register([summary(420), summary(42)]);
    scan('sale:000042');
    expect((await screen.findByTestId('return-prompt-title')).textContent).toBe(
      'Sale #000042 — Return items?',
    );
    expect(till.scanBarcode).not.toHaveBeenCalled();
    expect(till.listSales).toHaveBeenCalledWith({ number: '000042' });
    fireEvent.click(screen.getByTestId('return-prompt-yes'));
    expect(onReturnSale).toHaveBeenCalledWith('sale-42');
    await waitFor(() => expect(screen.queryByTestId('return-prompt-title')).toBeNull());
  });

  it('says so for a sale never paid, or none at all, and still adds nothing', async () => {
    const { till, toast } = register([summary(7, 'expired')]);
    scan('SALE:000007');
    await waitFor(() =>
      expect(toast).toHaveBeenCalledWith('bad', 'Sale #000007 was never paid: nothing to return.'),
    );
    scan('sale:000008');
    await waitFor(() => expect(toast).toHaveBeenCalledWith('bad', 'No sale #000008 on this till.'));
    expect(till.scanBarcode).not.toHaveBeenCalled();
    expect(screen.queryByTestId('return-prompt-title')).toBeNull();
  });

  it('a product barcode is still a product', async () => {
    const { till } = register([]);
    scan('4006381333931');
    await waitFor(() =>
      expect(till.scanBarcode).toHaveBeenCalledWith({ code: '4006381333931', confirmLarge: false }),
    );
    expect(till.listSales).not.toHaveBeenCalled();
  });
});
