// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TillApi } from '../../shared/contract/index.js';
import type { Cart, CartLine } from '../../shared/domain/index.js';
import { CashSheet } from './components/CashSheet.js';
import { Keypad } from './components/Keypad.js';
import { Sheet } from './components/Sheet.js';
import { ShellContext, type Shell } from './context.js';
import { ChargeScreen } from './screens/Charge.js';
import { RegisterScreen } from './screens/Register.js';
import { awaitingSale, cartOf, fakeTill, status } from './test-support.js';

vi.mock('qrcode', () => ({ default: { toCanvas: vi.fn(() => Promise.resolve()) } }));

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function shell(till: TillApi, toast: Shell['toast'] = vi.fn()): Shell {
  return { till, status: status(), toast, run: (fn) => fn() };
}

/** A key as the keyboard sends it: to what has focus, or the page when nothing has. */
function press(key: string, target: Element = document.activeElement ?? document.body) {
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
}

/** A person: a tenth of a second between keys (KeyboardEvent.timeStamp follows the fake clock). */
function typeByHand(keys: string[]) {
  for (const key of keys) {
    act(() => press(key));
    act(() => void vi.advanceTimersByTime(100));
  }
}

/** A barcode scanner: the whole code and Enter in one instant. */
function scan(code: string) {
  act(() => {
    for (const key of [...code, 'Enter']) press(key);
  });
  act(() => void vi.advanceTimersByTime(100));
}

const display = () => screen.getByTestId('keypad-display').textContent;

describe('the keypad from the keyboard', () => {
  it('types digits, a decimal point and Backspace, names the amount, and Enter adds it', () => {
    vi.useFakeTimers();
    const onAdd = vi.fn();
    render(<Keypad currency="USD" onAdd={onAdd} />);
    typeByHand([...'1250']);
    expect(display()).toBe('$12.50');
    typeByHand(['Backspace', 'Backspace', 'Backspace', 'Backspace']);
    typeByHand([...'12.5']);
    expect(display()).toBe('$12.50');
    typeByHand(['Backspace', ',', '7', '5', '9']);
    expect(display()).toBe('$12.75');
    fireEvent.change(screen.getByLabelText('Name (optional)'), { target: { value: ' Gift wrap ' } });
    typeByHand(['Enter']);
    expect(onAdd).toHaveBeenCalledExactlyOnceWith(1275n, 'Gift wrap');
    expect(display()).toBe('$0.00');
    expect(screen.getByLabelText<HTMLInputElement>('Name (optional)').value).toBe('');
  });

  it('adds every digit typed, even when Enter follows the last one at once', () => {
    vi.useFakeTimers();
    const onAdd = vi.fn();
    render(<Keypad currency="USD" onAdd={onAdd} />);
    act(() => {
      for (const key of [...'450', 'Enter']) press(key);
    });
    expect(onAdd).toHaveBeenCalledExactlyOnceWith(450n, '');
  });

  it('leaves a scanner’s burst to the scan: nothing typed, nothing added', () => {
    vi.useFakeTimers();
    const onAdd = vi.fn();
    const onScan = vi.fn();
    render(<Keypad currency="USD" onAdd={onAdd} onScan={onScan} />);
    typeByHand(['5']);
    scan('4006381333931');
    expect(onScan).toHaveBeenCalledExactlyOnceWith('4006381333931');
    expect(onAdd).not.toHaveBeenCalled();
    expect(display()).toBe('$0.05');
  });

  it('Escape closes it and keeps what was typed; an inactive keypad hears nothing', () => {
    vi.useFakeTimers();
    const onClose = vi.fn();
    const { rerender } = render(<Keypad currency="USD" onAdd={vi.fn()} onClose={onClose} />);
    typeByHand(['7', 'Escape']);
    expect(onClose).toHaveBeenCalledTimes(1);
    rerender(<Keypad currency="USD" onAdd={vi.fn()} onClose={onClose} active={false} />);
    typeByHand(['9', 'Escape']);
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(display()).toBe('$0.07');
  });

  it('has no decimal point in yen', () => {
    vi.useFakeTimers();
    render(<Keypad currency="JPY" onAdd={vi.fn()} />);
    typeByHand([...'1.5']);
    expect(display()).toBe('¥15');
  });
});

describe('the cash sheet from the keyboard', () => {
  it('types what is handed over, Enter takes it once, Escape closes', () => {
    vi.useFakeTimers();
    const onTake = vi.fn(() => new Promise<void>(() => undefined));
    const onClose = vi.fn();
    render(<CashSheet total={1_234n} currency="USD" onTake={onTake} onClose={onClose} />);
    typeByHand([...'10.', 'Enter']);
    // Short of the total: Enter takes nothing.
    expect(screen.getByTestId('cash-change').textContent).toBe('$2.34 short');
    expect(onTake).not.toHaveBeenCalled();
    typeByHand(['Delete', ...'20.', 'Enter', 'Enter']);
    expect(screen.getByTestId('cash-change').textContent).toBe('$7.66');
    expect(onTake).toHaveBeenCalledExactlyOnceWith(2_000n);
    typeByHand(['Escape']);
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('never takes a scanner’s burst as cash', () => {
    vi.useFakeTimers();
    const onTake = vi.fn(() => Promise.resolve());
    const onScan = vi.fn();
    render(<CashSheet total={1_234n} currency="USD" onTake={onTake} onClose={vi.fn()} onScan={onScan} />);
    scan('4006381333931');
    expect(onScan).toHaveBeenCalledExactlyOnceWith('4006381333931');
    expect(onTake).not.toHaveBeenCalled();
    expect(screen.getByTestId('cash-tendered').textContent).toBe('$12.34');
  });
});

describe('a dialog over a keypad', () => {
  it('owns the keyboard: Enter on it never takes the cash beneath, Escape closes only it', () => {
    vi.useFakeTimers();
    const onTake = vi.fn(() => Promise.resolve());
    const onCloseCash = vi.fn();
    const onCloseTop = vi.fn();
    const { rerender } = render(
      <>
        <CashSheet total={1_234n} currency="USD" onTake={onTake} onClose={onCloseCash} />
        <Sheet label="Are you sure?" onClose={onCloseTop}>
          <button>OK</button>
        </Sheet>
      </>,
    );
    typeByHand([...'50', 'Enter', 'Escape']);
    expect(onTake).not.toHaveBeenCalled();
    expect(screen.getByTestId('cash-tendered').textContent).toBe('$12.34');
    expect(onCloseTop).toHaveBeenCalledTimes(1);
    expect(onCloseCash).not.toHaveBeenCalled();
    // The confirmation gone, the cash sheet has the keyboard again.
    rerender(<CashSheet total={1_234n} currency="USD" onTake={onTake} onClose={onCloseCash} />);
    typeByHand(['Enter']);
    expect(onTake).toHaveBeenCalledExactlyOnceWith(1_234n);
  });

  it('keeps the keypad behind it from typing or closing', () => {
    vi.useFakeTimers();
    const onClose = vi.fn();
    render(
      <>
        <Keypad currency="USD" onAdd={vi.fn()} onClose={onClose} />
        <Sheet label="Held carts" onClose={vi.fn()}>
          held
        </Sheet>
      </>,
    );
    typeByHand(['7', 'Escape']);
    expect(display()).toBe('$0.00');
    expect(onClose).not.toHaveBeenCalled();
  });
});

describe('Escape on stacked sheets', () => {
  function Stack() {
    const [open, setOpen] = useState({ lower: true, upper: true });
    return (
      <>
        {open.lower && (
          <Sheet label="Lower" onClose={() => setOpen((o) => ({ ...o, lower: false }))}>
            lower
          </Sheet>
        )}
        {open.upper && (
          <Sheet label="Upper" onClose={() => setOpen((o) => ({ ...o, upper: false }))}>
            upper
          </Sheet>
        )}
      </>
    );
  }

  it('closes the top one only, then the next', () => {
    render(<Stack />);
    act(() => press('Escape'));
    expect(screen.queryByRole('dialog', { name: 'Upper' })).toBeNull();
    expect(screen.getByRole('dialog', { name: 'Lower' })).toBeTruthy();
    act(() => press('Escape'));
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

function line(quantity: number): CartLine {
  return {
    lineId: 'l1',
    variantId: 'v1',
    title: 'Flat white',
    variantTitle: null,
    sku: null,
    unitPrice: 450n,
    quantity,
    lineTotal: 450n * BigInt(quantity),
    discount: null,
    note: null,
  };
}

/** The cart with the one line, `quantity` of it. */
const cartWith = (quantity: number): Cart => cartOf([line(quantity)]);

function register(overrides: Partial<Record<keyof TillApi, unknown>> = {}) {
  const { till } = fakeTill({
    getCart: vi.fn(() => Promise.resolve(cartWith(1))),
    changeLineQuantity: vi.fn(() => new Promise<Cart>(() => undefined)),
    setLineQuantity: vi.fn(() => Promise.resolve(cartWith(5))),
    ...overrides,
  });
  render(
    <ShellContext.Provider value={shell(till)}>
      <RegisterScreen onCharged={vi.fn()} onPaidCash={vi.fn()} />
    </ShellContext.Provider>,
  );
  return till;
}

describe('a cart line', () => {
  it('asks the till for one more per tap of "+", never "quantity + 1" from what the screen last saw', async () => {
    const till = register();
    const plus = await screen.findByLabelText('One more Flat white');
    // Three taps before the first answer comes back.
    fireEvent.click(plus);
    fireEvent.click(plus);
    fireEvent.click(plus);
    expect(till.changeLineQuantity).toHaveBeenCalledTimes(3);
    for (const [args] of vi.mocked(till.changeLineQuantity).mock.calls)
      expect(args).toEqual({ lineId: 'l1', by: 1, confirmLarge: false });
    fireEvent.click(screen.getByLabelText('One less Flat white'));
    expect(till.changeLineQuantity).toHaveBeenLastCalledWith({ lineId: 'l1', by: -1, confirmLarge: false });
  });

  it('asks for one invoice for a double tap on Charge', async () => {
    const charge = vi.fn(() => new Promise(() => undefined));
    register({ charge });
    const button = await screen.findByTestId('charge-button');
    await waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    // Both taps before React renders the button disabled.
    act(() => {
      button.click();
      button.click();
    });
    expect(charge).toHaveBeenCalledTimes(1);
  });

  it('takes a typed quantity on Enter, and Escape leaves it as it was', async () => {
    const till = register();
    fireEvent.click(await screen.findByTestId('qty-value'));
    const input = screen.getByLabelText<HTMLInputElement>('Quantity of Flat white');
    expect(document.activeElement).toBe(input);
    fireEvent.change(input, { target: { value: '3' } });
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.queryByTestId('qty-input')).toBeNull();
    expect(till.setLineQuantity).not.toHaveBeenCalled();

    fireEvent.click(screen.getByTestId('qty-value'));
    fireEvent.change(screen.getByTestId('qty-input'), { target: { value: '5x' } });
    fireEvent.keyDown(screen.getByTestId('qty-input'), { key: 'Enter' });
    expect(till.setLineQuantity).toHaveBeenCalledExactlyOnceWith({
      lineId: 'l1',
      quantity: 5,
      confirmLarge: false,
    });
    await waitFor(() => expect(screen.getByTestId('qty-value').textContent).toBe('5'));
  });

  it('keeps nothing of a typed quantity when a scan comes in, though the field blurs as it goes', async () => {
    const till = register();
    fireEvent.click(await screen.findByTestId('qty-value'));
    const input = screen.getByTestId('qty-input');
    // The scanner's first digits land in the field (it is a keyboard), then its Enter is a scan.
    fireEvent.change(input, { target: { value: '4006' } });
    act(() => {
      for (const key of [...'4006381333931', 'Enter'])
        input.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
      // Chromium blurs a focused field as it is removed: that blur, before the next render.
      fireEvent.blur(input);
    });
    expect(till.scanBarcode).toHaveBeenCalledWith({ code: '4006381333931', confirmLarge: false });
    expect(till.setLineQuantity).not.toHaveBeenCalled();
    expect(screen.queryByTestId('qty-input')).toBeNull();
  });

  it('names a custom amount typed on the keypad', async () => {
    const addCustomAmount = vi.fn(() => Promise.resolve(cartWith(1)));
    register({ addCustomAmount });
    fireEvent.click(await screen.findByTestId('keypad-tab'));
    for (const k of ['3', '0', '0']) fireEvent.click(screen.getByRole('button', { name: k }));
    fireEvent.change(screen.getByLabelText('Name (optional)'), { target: { value: 'Corkage' } });
    fireEvent.click(screen.getByRole('button', { name: /^Add/ }));
    expect(addCustomAmount).toHaveBeenCalledExactlyOnceWith({
      amount: 300n,
      title: 'Corkage',
      confirmLarge: false,
    });
  });
});

describe('the charge screen, tapped twice', () => {
  it('asks the demo node to pay once', async () => {
    const demoPay = vi.fn(() => new Promise(() => undefined));
    const { till } = fakeTill({
      getSale: vi.fn(() => Promise.resolve(awaitingSale(new Date(Date.now() + 600_000)))),
      demoPay,
    });
    render(
      <ShellContext.Provider value={shell(till)}>
        <ChargeScreen saleId="s1" onPaid={vi.fn()} onLeave={vi.fn()} />
      </ShellContext.Provider>,
    );
    const pay = await screen.findByTestId('demo-pay');
    act(() => {
      pay.click();
      pay.click();
    });
    expect(demoPay).toHaveBeenCalledTimes(1);
  });
});

describe('the charge screen, with a keyboard-wedge NFC reader', () => {
  it('takes a typed Bolt Card link and Enter as a tap, and nothing else', async () => {
    const tapCard = vi.fn(() =>
      Promise.reject(new Error('The card was declined: Daily limit. Take another payment.')),
    );
    const { till } = fakeTill({
      getSale: vi.fn(() => Promise.resolve(awaitingSale(new Date(Date.now() + 600_000)))),
      tapCard,
    });
    render(
      <ShellContext.Provider value={shell(till)}>
        <ChargeScreen saleId="s1" onPaid={vi.fn()} onLeave={vi.fn()} />
      </ShellContext.Provider>,
    );
    await screen.findByTestId('copy-invoice');
    const typed = (text: string) => {
      act(() => {
        for (const key of text) press(key);
        press('Enter');
      });
    };
    typed('4006381333931'); // a barcode on the charge screen is no card
    expect(tapCard).not.toHaveBeenCalled();
    typed('lnurlw://card.example.com/ln?p=A1&c=B2');
    expect(tapCard).toHaveBeenCalledWith({ saleId: 's1', text: 'lnurlw://card.example.com/ln?p=A1&c=B2' });
    await waitFor(() =>
      expect(screen.getByTestId('card-tap').textContent).toBe(
        'The card was declined: Daily limit. Take another payment.',
      ),
    );
    typed('LNURL1DP68GURN8GHJ7');
    expect(tapCard).toHaveBeenCalledTimes(2);
  });
});

describe('Copy invoice', () => {
  async function chargeScreen(clipboard: unknown) {
    vi.stubGlobal('navigator', { ...navigator, clipboard });
    const toast = vi.fn();
    const { till } = fakeTill({
      getSale: vi.fn(() => Promise.resolve(awaitingSale(new Date(Date.now() + 600_000)))),
    });
    render(
      <ShellContext.Provider value={shell(till, toast)}>
        <ChargeScreen saleId="s1" onPaid={vi.fn()} onLeave={vi.fn()} />
      </ShellContext.Provider>,
    );
    fireEvent.click(await screen.findByTestId('copy-invoice'));
    return toast;
  }

  it('says it copied, on the button and in a toast', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    const toast = await chargeScreen({ writeText });
    await waitFor(() => expect(screen.getByTestId('copy-invoice').textContent).toBe('Copied ✓'));
    expect(writeText).toHaveBeenCalledWith('lnbcrt125u1p0test');
    expect(toast).toHaveBeenCalledWith('good', 'Invoice copied');
  });

  it('says so when the browser refuses, or has no clipboard at all', async () => {
    for (const clipboard of [{ writeText: () => Promise.reject(new Error('NotAllowedError')) }, undefined]) {
      const toast = await chargeScreen(clipboard);
      await waitFor(() => expect(toast).toHaveBeenCalledWith('bad', expect.stringMatching(/Could not copy/)));
      expect(screen.getByTestId('copy-invoice').textContent).toBe('Copy invoice');
      cleanup();
    }
  });
});
