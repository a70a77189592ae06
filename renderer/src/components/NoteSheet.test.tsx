// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CartLine } from '../../../shared/domain/index.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { ShellContext, type Shell } from '../context.js';
import { RegisterScreen } from '../screens/Register.js';
import { cartOf, fakeTill, status } from '../test-support.js';
import { NoteSheet } from './NoteSheet.js';

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

describe('the note sheet', () => {
  it('saves the note trimmed on Enter, and an empty one as none', async () => {
    const onSave = vi.fn(() => Promise.resolve());
    render(<NoteSheet title="Flat White" current={null} maxLength={100} onSave={onSave} onClose={vi.fn()} />);
    const input = screen.getByTestId('note-input');
    expect(input).toHaveProperty('maxLength', 100);
    expect(document.activeElement).toBe(input);
    fireEvent.change(input, { target: { value: '  oat milk ' } });
    await act(async () => {
      fireEvent.submit(input.closest('form')!);
      await Promise.resolve();
    });
    expect(onSave).toHaveBeenLastCalledWith('oat milk');
    fireEvent.change(input, { target: { value: '   ' } });
    fireEvent.submit(input.closest('form')!);
    expect(onSave).toHaveBeenLastCalledWith(null);
  });

  it('shows the note set, takes it off, and closes on Escape without saving', () => {
    const onSave = vi.fn(() => Promise.resolve());
    const onClose = vi.fn();
    render(<NoteSheet title="the order" current="to go" maxLength={500} onSave={onSave} onClose={onClose} />);
    expect(screen.getByTestId('note-input')).toHaveProperty('value', 'to go');
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledOnce();
    expect(onSave).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('note-remove'));
    expect(onSave).toHaveBeenCalledExactlyOnceWith(null);
  });
});

describe('notes on the register', () => {
  function renderRegister(overrides: Parameters<typeof fakeTill>[0]) {
    const { till } = fakeTill({ getCart: vi.fn(() => Promise.resolve(cartOf([coffee]))), ...overrides });
    const shell: Shell = { till, status: status(), toast: vi.fn(), run: (fn) => fn() };
    render(
      <ShellContext.Provider value={shell}>
        <RegisterScreen onCharged={vi.fn()} onPaidCash={vi.fn()} />
      </ShellContext.Provider>,
    );
  }

  it('a line’s note from the sheet its name opens, shown on the line', async () => {
    const setLineNote = vi.fn(() => Promise.resolve(cartOf([{ ...coffee, note: 'oat milk' }])));
    renderRegister({ setLineNote });
    fireEvent.click(await screen.findByTestId('line-title'));
    fireEvent.click(screen.getByTestId('discount-note'));
    expect(screen.queryByTestId('discount-reason')).toBeNull();
    const input = screen.getByTestId('note-input');
    expect(input).toHaveProperty('maxLength', MAX_LENGTH.lineNote);
    fireEvent.change(input, { target: { value: 'oat milk' } });
    await act(async () => {
      fireEvent.submit(input.closest('form')!);
      await Promise.resolve();
    });
    expect(setLineNote).toHaveBeenCalledExactlyOnceWith({ lineId: 'l1', note: 'oat milk' });
    await waitFor(() => expect(screen.getByTestId('line-note').textContent).toBe('oat milk'));
    expect(screen.queryByTestId('note-input')).toBeNull();
  });

  it('the order’s note from the cart’s Note button, shown in the cart', async () => {
    const setCartNote = vi.fn(() => Promise.resolve({ ...cartOf([coffee]), note: 'for table 4' }));
    renderRegister({ setCartNote });
    fireEvent.click(await screen.findByTestId('cart-note-button'));
    const input = screen.getByTestId('note-input');
    expect(input).toHaveProperty('maxLength', MAX_LENGTH.orderNote);
    fireEvent.change(input, { target: { value: 'for table 4' } });
    await act(async () => {
      fireEvent.submit(input.closest('form')!);
      await Promise.resolve();
    });
    expect(setCartNote).toHaveBeenCalledExactlyOnceWith({ note: 'for table 4' });
    await waitFor(() => expect(screen.getByTestId('cart-note').textContent).toBe('Note: for table 4'));
  });
});
