// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CartLine } from '../../../shared/domain/index.js';
import { ShellContext, type Shell } from '../context.js';
import { RegisterScreen } from '../screens/Register.js';
import { cartOf, fakeTill, status } from '../test-support.js';
import { describeDiscount, DiscountSheet } from './DiscountSheet.js';

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

describe('the discount sheet', () => {
  it('applies a tapped percentage with its reason', () => {
    const onApply = vi.fn(() => Promise.resolve());
    render(
      <DiscountSheet title="Flat White" currency="USD" current={null} onApply={onApply} onClose={vi.fn()} />,
    );
    fireEvent.change(screen.getByTestId('discount-reason'), { target: { value: ' Regular ' } });
    fireEvent.click(screen.getAllByTestId('discount-percent')[1]!);
    expect(onApply).toHaveBeenCalledExactlyOnceWith({ kind: 'percentage', percent: '10', reason: 'Regular' });
  });

  it('takes an amount off, refusing what is not an amount above zero', () => {
    const onApply = vi.fn(() => Promise.resolve());
    render(
      <DiscountSheet
        title="the whole cart"
        currency="EUR"
        current={null}
        onApply={onApply}
        onClose={vi.fn()}
      />,
    );
    const amount = screen.getByTestId('discount-amount');
    for (const bad of ['0', '1.234', 'abc']) {
      fireEvent.change(amount, { target: { value: bad } });
      expect(screen.getByTestId('discount-amount-ok')).toHaveProperty('disabled', true);
    }
    fireEvent.change(amount, { target: { value: '0,50' } });
    fireEvent.submit(amount.closest('form')!);
    expect(onApply).toHaveBeenCalledExactlyOnceWith({ kind: 'fixed', amount: 50n, reason: '' });
  });

  it('takes a discount off, and shows the one set', () => {
    const onApply = vi.fn(() => Promise.resolve());
    render(
      <DiscountSheet
        title="Flat White"
        currency="USD"
        current={{ kind: 'fixed', amount: 125n, reason: 'Spilt' }}
        onApply={onApply}
        onClose={vi.fn()}
      />,
    );
    expect(screen.getByTestId('discount-amount')).toHaveProperty('value', '1.25');
    fireEvent.click(screen.getByTestId('discount-remove'));
    expect(onApply).toHaveBeenCalledWith(null);
  });

  it('reads as the cart line shows it', () => {
    expect(describeDiscount({ kind: 'percentage', percent: '12.5', reason: 'Staff' }, 'USD')).toBe(
      '−12.5% · Staff',
    );
    expect(describeDiscount({ kind: 'fixed', amount: 300n, reason: '' }, 'JPY')).toBe('−¥300');
  });
});

describe('discounts on the register', () => {
  it('a tap on a line’s name sets that line’s discount, and the line says so', async () => {
    const discounted = { ...coffee, discount: { kind: 'percentage' as const, percent: '10', reason: '' } };
    const setLineDiscount = vi.fn(() => Promise.resolve(cartOf([discounted])));
    const { till } = fakeTill({ getCart: vi.fn(() => Promise.resolve(cartOf([coffee]))), setLineDiscount });
    const shell: Shell = { till, status: status(), toast: vi.fn(), run: (fn) => fn() };
    render(
      <ShellContext.Provider value={shell}>
        <RegisterScreen onCharged={vi.fn()} onPaidCash={vi.fn()} />
      </ShellContext.Provider>,
    );
    fireEvent.click(await screen.findByTestId('line-title'));
    await act(async () => {
      fireEvent.click(screen.getAllByTestId('discount-percent')[1]!);
      await Promise.resolve();
    });
    expect(setLineDiscount).toHaveBeenCalledExactlyOnceWith({
      lineId: 'l1',
      discount: { kind: 'percentage', percent: '10', reason: '' },
    });
    await waitFor(() => expect(screen.getByTestId('line-discount').textContent).toBe('−10%'));
    expect(screen.queryByTestId('discount-reason')).toBeNull();
    expect(screen.getByTestId('cart-breakdown').textContent).toBe('Subtotal $4.50Discounts −$0.45');
  });
});
