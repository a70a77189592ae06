// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CartLine } from '../../../shared/domain/index.js';
import { DEFAULT_PRICING } from '../../../shared/pricing/settings.js';
import { ShellContext, type Shell } from '../context.js';
import { RegisterScreen } from '../screens/Register.js';
import { cartOf, fakeTill, status } from '../test-support.js';
import { TipSheet } from './TipSheet.js';

afterEach(cleanup);

const coffee: CartLine = {
  lineId: 'l1',
  variantId: null,
  title: 'Flat White',
  variantTitle: null,
  sku: null,
  unitPrice: 680n,
  quantity: 1,
  lineTotal: 680n,
  discount: null,
  note: null,
};

describe('the tip sheet', () => {
  it('shows what each preset adds, rounded as the till rounds it (half-up)', () => {
    const onChoose = vi.fn();
    render(
      <TipSheet goods={685n} currency="USD" presets={['10', '15']} onChoose={onChoose} onClose={vi.fn()} />,
    );
    // 10 % of $6.85 is 68.5 ¢ → 69 ¢; 15 % is 102.75 ¢ → $1.03.
    expect(screen.getAllByTestId('tip-preset').map((b) => b.textContent)).toEqual(['10%+$0.69', '15%+$1.03']);
    fireEvent.click(screen.getAllByTestId('tip-preset')[1]!);
    expect(onChoose).toHaveBeenCalledWith({ kind: 'percentage', percent: '15' });
    fireEvent.click(screen.getByTestId('tip-none'));
    expect(onChoose).toHaveBeenLastCalledWith(null);
  });

  it('takes an amount of the customer’s own, refusing what is not one', () => {
    const onChoose = vi.fn();
    render(<TipSheet goods={685n} currency="EUR" presets={['10']} onChoose={onChoose} onClose={vi.fn()} />);
    fireEvent.click(screen.getByTestId('tip-other'));
    const input = screen.getByTestId('tip-amount');
    fireEvent.change(input, { target: { value: '2.555' } });
    expect(screen.getByTestId('tip-amount-ok')).toHaveProperty('disabled', true);
    expect(screen.getByText('Enter an amount such as €2.50')).toBeTruthy();
    fireEvent.change(input, { target: { value: '2,5' } });
    fireEvent.submit(input.closest('form')!);
    expect(onChoose).toHaveBeenCalledWith({ kind: 'fixed', amount: 250n });
  });

  it('closes on Escape without choosing', () => {
    const onChoose = vi.fn();
    const onClose = vi.fn();
    render(<TipSheet goods={685n} currency="USD" presets={['10']} onChoose={onChoose} onClose={onClose} />);
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(onClose).toHaveBeenCalled();
    expect(onChoose).not.toHaveBeenCalled();
  });
});

describe('the register asks for the tip when tips are on', () => {
  function register(tipsOn: boolean) {
    const charge = vi.fn(() => new Promise(() => undefined));
    const payCash = vi.fn(() => new Promise(() => undefined));
    // The node unreachable: "Lightning (offline)" is offered beside Charge (issue 17).
    const chargeOffline = vi.fn(() => new Promise(() => undefined));
    const getOfflineCharge = vi.fn(() => Promise.resolve({ offered: true, charge: null }));
    const getPricingSettings = vi.fn(() =>
      Promise.resolve({
        ...DEFAULT_PRICING,
        tips: { enabled: tipsOn, presets: ['10', '20'], taxRateId: null },
      }),
    );
    const { till, emit } = fakeTill({
      getCart: vi.fn(() => Promise.resolve(cartOf([coffee]))),
      getPricingSettings,
      charge,
      payCash,
      chargeOffline,
      getOfflineCharge,
    });
    const shell: Shell = { till, status: status(), toast: vi.fn(), run: (fn) => fn() };
    render(
      <ShellContext.Provider value={shell}>
        <RegisterScreen onCharged={vi.fn()} onPaidCash={vi.fn()} />
      </ShellContext.Provider>,
    );
    return { charge, payCash, chargeOffline, getPricingSettings, emit };
  }

  /** The cart and the owner's tip settings are on screen. */
  async function loaded(getPricingSettings: ReturnType<typeof vi.fn>) {
    await waitFor(() => expect(screen.getByTestId('charge-button')).toHaveProperty('disabled', false));
    await waitFor(() => expect(getPricingSettings).toHaveBeenCalled());
    await act(() => Promise.resolve());
  }

  it('before the invoice: Charge asks, the chosen tip goes with the charge', async () => {
    const { charge, getPricingSettings } = register(true);
    await loaded(getPricingSettings);
    fireEvent.click(screen.getByTestId('charge-button'));
    expect(screen.getAllByTestId('tip-preset')).toHaveLength(2);
    expect(charge).not.toHaveBeenCalled();
    fireEvent.click(screen.getAllByTestId('tip-preset')[1]!);
    expect(charge).toHaveBeenCalledExactlyOnceWith({ tip: { kind: 'percentage', percent: '20' } });
  });

  it('before the offline link: Lightning (offline) asks the same way, the tip goes into the signed link', async () => {
    const { charge, chargeOffline, getPricingSettings } = register(true);
    await loaded(getPricingSettings);
    fireEvent.click(await screen.findByTestId('charge-offline-button'));
    expect(screen.getAllByTestId('tip-preset')).toHaveLength(2);
    expect(chargeOffline).not.toHaveBeenCalled();
    fireEvent.click(screen.getAllByTestId('tip-preset')[1]!);
    expect(chargeOffline).toHaveBeenCalledExactlyOnceWith({ tip: { kind: 'percentage', percent: '20' } });
    expect(charge).not.toHaveBeenCalled();
  });

  it('offline too: the tip the customer tapped on the display is taken without asking; none when tips are off', async () => {
    const { chargeOffline, getPricingSettings, emit } = register(true);
    await loaded(getPricingSettings);
    act(() =>
      emit('displayChanged', {
        shopName: 'Demo',
        phase: 'cart',
        currency: 'USD',
        lines: [],
        discounts: 0n,
        taxes: [],
        tip: 68n,
        total: 748n,
        msat: null,
        tipChoices: ['10', '20'],
        customerTip: { kind: 'percentage', percent: '10' },
        invoice: null,
        change: null,
      }),
    );
    fireEvent.click(await screen.findByTestId('charge-offline-button'));
    expect(screen.queryByTestId('tip-preset')).toBeNull();
    expect(chargeOffline).toHaveBeenCalledExactlyOnceWith({ tip: { kind: 'percentage', percent: '10' } });
    cleanup();

    const off = register(false);
    await loaded(off.getPricingSettings);
    fireEvent.click(await screen.findByTestId('charge-offline-button'));
    expect(screen.queryByTestId('tip-preset')).toBeNull();
    expect(off.chargeOffline).toHaveBeenCalledExactlyOnceWith({ tip: null });
  });

  it('before the cash: the cash sheet asks for the total with the tip, and the tip goes with it', async () => {
    const { payCash, getPricingSettings } = register(true);
    await loaded(getPricingSettings);
    fireEvent.click(screen.getByTestId('cash-button'));
    expect(screen.getAllByTestId('tip-preset')).toHaveLength(2);
    fireEvent.click(screen.getAllByTestId('tip-preset')[0]!);
    // $6.80 and a 10 % tip of 68 ¢.
    expect(screen.getByTestId('cash-total').textContent).toBe('$7.48');
    fireEvent.click(screen.getByTestId('cash-take'));
    expect(payCash).toHaveBeenCalledExactlyOnceWith({
      tendered: 748n,
      tip: { kind: 'percentage', percent: '10' },
    });
  });

  it('never asks when tips are off', async () => {
    const { charge, getPricingSettings } = register(false);
    await loaded(getPricingSettings);
    fireEvent.click(screen.getByTestId('charge-button'));
    expect(screen.queryByTestId('tip-preset')).toBeNull();
    expect(charge).toHaveBeenCalledExactlyOnceWith({ tip: null });
  });

  it('asks from the moment the owner turns tips on, without a reload', async () => {
    const { charge, getPricingSettings, emit } = register(false);
    await loaded(getPricingSettings);
    act(() =>
      emit('pricingChanged', {
        ...DEFAULT_PRICING,
        tips: { enabled: true, presets: ['10', '15'], taxRateId: null },
      }),
    );
    fireEvent.click(screen.getByTestId('charge-button'));
    expect(screen.getAllByTestId('tip-preset')).toHaveLength(2);
    expect(charge).not.toHaveBeenCalled();
  });
});
