// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TillError } from '../../../shared/contract/index.js';
import type { CartLine } from '../../../shared/domain/index.js';
import { ShellContext, type Shell } from '../context.js';
import { RegisterScreen } from '../screens/Register.js';
import { cartOf, fakeTill, status } from '../test-support.js';

afterEach(cleanup);

const coffee: CartLine = {
  lineId: 'l1',
  variantId: null,
  title: 'Flat White',
  variantTitle: null,
  sku: null,
  unitPrice: 450n,
  quantity: 1,
  lineTotal: 450n,
  discount: null,
  note: null,
};
const half = { kind: 'percentage' as const, percent: '50', reason: '' };

function mount(ui: React.ReactNode, overrides: Parameters<typeof fakeTill>[0]) {
  const { till } = fakeTill(overrides);
  const toast = vi.fn();
  const shell: Shell = { till, status: status(), toast, run: (fn) => fn().catch(() => undefined) };
  render(<ShellContext.Provider value={shell}>{ui}</ShellContext.Provider>);
  return { till, toast };
}

describe('a manager approves a large discount on the cashier’s screen', () => {
  it('asks for the PIN when the till says so, says a wrong one, and applies the discount with the right one', async () => {
    const setLineDiscount = vi.fn(({ managerPin }: { managerPin?: string }) => {
      if (managerPin === undefined)
        return Promise.reject(new TillError('NeedsManager', 'A discount above 20% needs a manager’s PIN.'));
      if (managerPin !== '4821')
        return Promise.reject(new TillError('NotAuthorized', 'That is not the manager’s PIN.'));
      return Promise.resolve(cartOf([{ ...coffee, discount: half }]));
    });
    mount(<RegisterScreen onCharged={vi.fn()} onPaidCash={vi.fn()} />, {
      getCart: vi.fn(() => Promise.resolve(cartOf([coffee]))),
      setLineDiscount,
    });
    fireEvent.click(await screen.findByTestId('line-title'));
    fireEvent.click(screen.getAllByTestId('discount-percent')[4]!);
    expect((await screen.findByTestId('manager-reason')).textContent).toBe(
      'A discount above 20% needs a manager’s PIN.',
    );
    const pin = screen.getByTestId('manager-pin');
    fireEvent.change(pin, { target: { value: '1111' } });
    await act(async () => {
      fireEvent.submit(pin.closest('form')!);
      await Promise.resolve();
    });
    expect((await screen.findByTestId('manager-error')).textContent).toBe('That is not the manager’s PIN.');
    expect(screen.getByTestId('manager-pin')).toHaveProperty('value', '');
    fireEvent.change(screen.getByTestId('manager-pin'), { target: { value: '4821' } });
    await act(async () => {
      fireEvent.submit(screen.getByTestId('manager-pin').closest('form')!);
      await Promise.resolve();
    });
    await waitFor(() => expect(screen.queryByTestId('manager-pin')).toBeNull());
    expect(setLineDiscount).toHaveBeenLastCalledWith({ lineId: 'l1', discount: half, managerPin: '4821' });
    expect(screen.getByTestId('line-discount').textContent).toBe('−50%');
    expect(screen.queryByTestId('discount-reason')).toBeNull();
  });

  it('Cancel leaves the cart as it was, and the discount sheet open', async () => {
    const setLineDiscount = vi.fn(() =>
      Promise.reject(new TillError('NeedsManager', 'A discount above 20% needs a manager’s PIN.')),
    );
    mount(<RegisterScreen onCharged={vi.fn()} onPaidCash={vi.fn()} />, {
      getCart: vi.fn(() => Promise.resolve(cartOf([coffee]))),
      setLineDiscount,
    });
    fireEvent.click(await screen.findByTestId('line-title'));
    fireEvent.click(screen.getAllByTestId('discount-percent')[4]!);
    await screen.findByTestId('manager-pin');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByTestId('manager-pin')).toBeNull());
    expect(setLineDiscount).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('line-discount')).toBeNull();
    expect(screen.getByTestId('discount-reason')).toBeTruthy();
  });
});
