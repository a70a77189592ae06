// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TillApi } from '../../../shared/contract/index.js';
import type { Cart, ParkedCart } from '../../../shared/domain/index.js';
import { ShellContext, type Shell } from '../context.js';
import { cartOf, fakeTill, status } from '../test-support.js';
import { describeChange, HeldCarts } from './HeldCarts.js';

afterEach(cleanup);

const line = {
  lineId: 'l1',
  variantId: 'v1',
  title: 'Flat White',
  variantTitle: null,
  sku: null,
  unitPrice: 450n,
  quantity: 2,
  lineTotal: 900n,
  discount: null,
  note: null,
};
const full: Cart = cartOf([line]);
const empty: Cart = cartOf([]);
const parked: ParkedCart = {
  id: 'p1',
  name: 'Anna',
  currency: 'USD',
  parkedAt: '2026-11-27T09:30:00Z',
  lines: [line],
  itemCount: 2,
  total: 900n,
  discount: null,
  note: null,
};

function mount(till: TillApi, cart: Cart) {
  const toast = vi.fn();
  const onCart = vi.fn();
  const shell: Shell = { till, status: status(), toast, run: async (fn) => fn().catch(() => undefined) };
  render(
    <ShellContext.Provider value={shell}>
      <HeldCarts cart={cart} onCart={onCart} />
    </ShellContext.Provider>,
  );
  return { toast, onCart };
}

describe('held carts in the cart’s header', () => {
  it('parks the cart under the name typed, with Enter', async () => {
    const parkCart = vi.fn(() => Promise.resolve({ cart: empty, parked }));
    const { till } = fakeTill({ parkCart });
    const { onCart, toast } = mount(till, full);
    fireEvent.click(screen.getByTestId('park-cart'));
    const name = screen.getByTestId('park-name');
    expect(document.activeElement).toBe(name);
    expect(screen.getByTestId('park-confirm')).toHaveProperty('disabled', true);
    fireEvent.change(name, { target: { value: '  Anna ' } });
    fireEvent.submit(name.closest('form')!);
    await waitFor(() => expect(onCart).toHaveBeenCalledWith(empty));
    expect(parkCart).toHaveBeenCalledTimes(1);
    expect(parkCart).toHaveBeenCalledWith({ name: 'Anna' });
    expect(toast).toHaveBeenCalledWith('info', 'Parked “Anna”');
    expect(screen.queryByTestId('park-name')).toBeNull();
  });

  it('closes the name dialog on Escape without parking', () => {
    const parkCart = vi.fn();
    const { till } = fakeTill({ parkCart });
    mount(till, full);
    fireEvent.click(screen.getByTestId('park-cart'));
    fireEvent.keyDown(screen.getByTestId('park-name'), { key: 'Escape' });
    expect(screen.queryByTestId('park-name')).toBeNull();
    expect(parkCart).not.toHaveBeenCalled();
  });

  it('lists held carts, resumes one and says what changed in price', async () => {
    const resumeParkedCart = vi.fn(() =>
      Promise.resolve({
        cart: full,
        changes: [
          { title: 'Flat White', variantTitle: null, kind: 'repriced' as const, was: 450n, now: 475n },
          { title: 'Banana Bread', variantTitle: 'Slice', kind: 'removed' as const, was: 325n, now: null },
        ],
      }),
    );
    const { till, emit } = fakeTill({ resumeParkedCart });
    const { onCart, toast } = mount(till, empty);
    expect(screen.queryByTestId('held-carts')).toBeNull();
    emit('parkedCartsChanged', [{ ...parked, note: 'Oat milk, takeaway' }]);
    fireEvent.click(await screen.findByTestId('held-carts'));
    expect(screen.getByTestId('held-cart').textContent).toContain('Anna');
    // The cart's note helps find the right cart.
    expect(screen.getByTestId('held-note').textContent).toBe('Oat milk, takeaway');
    expect(screen.getByTestId('held-cart').textContent).toContain('$9.00');
    fireEvent.click(screen.getByTestId('resume-cart'));
    await waitFor(() => expect(onCart).toHaveBeenCalledWith(full));
    expect(resumeParkedCart).toHaveBeenCalledWith({ parkedId: 'p1' });
    expect(toast.mock.calls).toEqual([
      ['info', 'Resumed “Anna”'],
      ['bad', 'Flat White: was $4.50, now $4.75'],
      ['bad', 'Banana Bread — Slice is no longer sold: left out'],
    ]);
  });

  it('will not resume over a cart that has lines', async () => {
    const { till } = fakeTill({ listParkedCarts: vi.fn(() => Promise.resolve({ carts: [parked] })) });
    mount(till, full);
    fireEvent.click(await screen.findByTestId('held-carts'));
    expect(screen.getByTestId('resume-cart')).toHaveProperty('disabled', true);
    expect(screen.getByText('Park or clear the current cart to resume another.')).toBeTruthy();
  });

  it('words a price change for the cashier', () => {
    expect(
      describeChange(
        { title: 'Mocha', variantTitle: 'Large', kind: 'repriced', was: 475n, now: 500n },
        'EUR',
      ),
    ).toBe('Mocha — Large: was €4.75, now €5.00');
  });
});
