// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TillError, type TillApi } from '../../../shared/contract/index.js';
import type { Cart, ManualRatePreview } from '../../../shared/domain/index.js';
import { ShellContext, type Shell } from '../context.js';
import { CashSheet } from '../components/CashSheet.js';
import { cartOf, fakeTill, status } from '../test-support.js';
import { LimitSettings } from './LimitSettings.js';
import { RateSettings } from './NodeSettings.js';
import { RegisterScreen } from './Register.js';

afterEach(cleanup);

function renderIn(till: TillApi, ui: React.ReactElement) {
  const toast = vi.fn();
  const shell: Shell = {
    till,
    status: status(),
    toast,
    run: async (fn) => {
      try {
        return await fn();
      } catch (err) {
        toast('bad', err instanceof Error ? err.message : String(err));
        return undefined;
      }
    },
  };
  render(<ShellContext.Provider value={shell}>{ui}</ShellContext.Provider>);
  return { toast };
}

const customCart = (total: bigint): Cart =>
  cartOf([
    {
      lineId: 'l1',
      variantId: null,
      title: 'Custom amount',
      variantTitle: null,
      sku: null,
      unitPrice: total,
      quantity: 1,
      lineTotal: total,
      discount: null,
      note: null,
    },
  ]);

describe('the register asks before a large amount goes through', () => {
  async function keyIn(digits: string) {
    fireEvent.click(await screen.findByTestId('keypad-tab'));
    for (const d of digits) fireEvent.click(screen.getByRole('button', { name: d }));
    fireEvent.click(screen.getByRole('button', { name: /^Add/ }));
  }

  function largeAmountTill() {
    const addCustomAmount = vi.fn(({ confirmLarge }: { amount: bigint; confirmLarge: boolean }) =>
      confirmLarge
        ? Promise.resolve(customCart(150_000n))
        : Promise.reject(new TillError('NeedsConfirmation', 'This is $1,500.00 — is that right?')),
    );
    return fakeTill({ addCustomAmount }).till;
  }

  it('shows the till’s question with big buttons, and sends confirmLarge only on yes', async () => {
    const till = largeAmountTill();
    renderIn(till, <RegisterScreen onCharged={vi.fn()} onPaidCash={vi.fn()} />);
    await keyIn('150000');
    const dialog = await screen.findByRole('alertdialog');
    expect(within(dialog).getByTestId('confirm-question').textContent).toBe(
      'This is $1,500.00 — is that right?',
    );
    expect(till.addCustomAmount).toHaveBeenCalledTimes(1);
    expect(till.addCustomAmount).toHaveBeenLastCalledWith({
      amount: 150_000n,
      title: '',
      confirmLarge: false,
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Yes, that’s right' }));
    await waitFor(() =>
      expect(till.addCustomAmount).toHaveBeenLastCalledWith({
        amount: 150_000n,
        title: '',
        confirmLarge: true,
      }),
    );
    expect(await screen.findByText('Charge $1,500.00')).toBeTruthy();
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('leaves the cart alone on no (or Escape)', async () => {
    const till = largeAmountTill();
    const { toast } = renderIn(till, <RegisterScreen onCharged={vi.fn()} onPaidCash={vi.fn()} />);
    await keyIn('150000');
    fireEvent.click(
      within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'No, go back' }),
    );
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    await keyIn('150000');
    await screen.findByRole('alertdialog');
    fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(till.addCustomAmount).toHaveBeenCalledTimes(2);
    expect(vi.mocked(till.addCustomAmount).mock.calls.every(([input]) => input?.confirmLarge === false)).toBe(
      true,
    );
    expect(toast).not.toHaveBeenCalled();
  });

  it('shows a hard refusal as the till words it, with no question', async () => {
    const message =
      '$15,000.00 is more than one line may be on this till ($10,000.00). A manager can change the limit in Settings.';
    const till = fakeTill({
      addCustomAmount: vi.fn(() => Promise.reject(new TillError('ValidationError', message))),
    }).till;
    const { toast } = renderIn(till, <RegisterScreen onCharged={vi.fn()} onPaidCash={vi.fn()} />);
    await keyIn('1500000');
    await waitFor(() => expect(toast).toHaveBeenCalledWith('bad', message));
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });
});

describe('a manager’s rate', () => {
  const farOff: ManualRatePreview = {
    currency: 'USD',
    rate: '5',
    reference: 1_000n,
    msat: 200_000_000_000n,
    last: { rate: '100000', source: 'Kraken', fetchedAt: new Date().toISOString(), msat: 10_000_000n },
    differencePercent: 100,
    bandPercent: 10,
    token: 'tok-1',
  };

  function rateTill(preview: ManualRatePreview) {
    const setManualRate = vi.fn((input: { rate: string; token?: string }) => {
      if (preview.token === null) return Promise.resolve(status());
      // The till's second warning comes back for the first call with the token.
      return setManualRate.mock.calls.length === 1
        ? Promise.reject(
            new TillError(
              'NeedsConfirmation',
              'Are you sure? At this rate $10.00 is 200,000,000 sats instead of 10,000 sats at the last quote.',
            ),
          )
        : Promise.resolve({ ...status(), input });
    });
    return fakeTill({
      getSettings: vi.fn(() => Promise.resolve(status().settings)),
      previewManualRate: vi.fn(({ rate }: { rate: string }) => Promise.resolve({ ...preview, rate })),
      setManualRate,
    }).till;
  }

  async function typeRate(rate: string) {
    fireEvent.change(await screen.findByTestId('manual-rate'), { target: { value: rate } });
    return screen.findByTestId('rate-preview');
  }

  it('shows the sats for $10 at this rate and at the last quote before it can be saved', async () => {
    const till = rateTill(farOff);
    renderIn(till, <RateSettings />);
    const use = await screen.findByTestId<HTMLButtonElement>('use-manual-rate');
    fireEvent.change(screen.getByTestId('manual-rate'), { target: { value: '5' } });
    expect(use.disabled).toBe(true);
    const preview = await screen.findByTestId('rate-preview');
    expect(preview.textContent).toContain('$10.00 = 200,000,000 sats at this rate');
    expect(preview.textContent).toContain('$10.00 = 10,000 sats at the last quote (100,000 USD/BTC, Kraken)');
    expect(preview.textContent).toContain(
      '100% away from the last quote (more than 10%). You will be asked twice.',
    );
    expect(use.disabled).toBe(false);
  });

  it('far from the last quote: asks twice, the second time with the buttons swapped, then saves', async () => {
    const till = rateTill(farOff);
    const { toast } = renderIn(till, <RateSettings />);
    await typeRate('5');
    fireEvent.click(screen.getByTestId('use-manual-rate'));
    const first = await screen.findByRole('alertdialog');
    expect(first.textContent).toContain('$10.00 would be 200,000,000 sats. Use this rate?');
    expect(till.setManualRate).not.toHaveBeenCalled();
    fireEvent.click(within(first).getByRole('button', { name: 'Use this rate' }));
    const second = await screen.findByText(/^Are you sure\?/);
    expect(till.setManualRate).toHaveBeenCalledTimes(1);
    expect(till.setManualRate).toHaveBeenLastCalledWith({ rate: '5', token: 'tok-1' });
    const buttons = within(screen.getByRole('alertdialog')).getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['Yes, save it', 'No']);
    expect(second).toBeTruthy();
    fireEvent.click(buttons[0]!);
    await waitFor(() => expect(toast).toHaveBeenCalledWith('good', 'Manual rate set'));
    expect(till.setManualRate).toHaveBeenCalledTimes(2);
    expect(till.setManualRate).toHaveBeenLastCalledWith({ rate: '5', token: 'tok-1' });
  });

  it('far from the last quote: a no at either question saves nothing', async () => {
    const till = rateTill(farOff);
    const { toast } = renderIn(till, <RateSettings />);
    await typeRate('5');
    fireEvent.click(screen.getByTestId('use-manual-rate'));
    fireEvent.click(
      within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'No, go back' }),
    );
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(till.setManualRate).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('use-manual-rate'));
    fireEvent.click(
      within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Use this rate' }),
    );
    await screen.findByText(/^Are you sure\?/);
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'No' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(till.setManualRate).toHaveBeenCalledTimes(1);
    expect(toast).not.toHaveBeenCalledWith('good', 'Manual rate set');
  });

  it('with no quote at all says so; within the band saves with one tap', async () => {
    const none = rateTill({ ...farOff, last: null, differencePercent: null });
    renderIn(none, <RateSettings />);
    expect((await typeRate('97000')).textContent).toContain('There is no quote to compare this rate with.');
    cleanup();

    const near = rateTill({ ...farOff, rate: '95000', msat: 10_527_000n, differencePercent: 5, token: null });
    const { toast } = renderIn(near, <RateSettings />);
    expect((await typeRate('95000')).textContent).not.toContain('asked twice');
    fireEvent.click(screen.getByTestId('use-manual-rate'));
    await waitFor(() => expect(toast).toHaveBeenCalledWith('good', 'Manual rate set'));
    expect(near.setManualRate).toHaveBeenCalledWith({ rate: '95000' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });
});

describe('LimitSettings', () => {
  it('shows the limits in dollars, says which field is wrong in its own words, and saves minor units', async () => {
    const updateSettings = vi.fn(() => Promise.resolve(status().settings));
    const till = fakeTill({
      getSettings: vi.fn(() => Promise.resolve(status().settings)),
      updateSettings,
    }).till;
    renderIn(till, <LimitSettings />);
    const line = await screen.findByTestId<HTMLInputElement>('limit-lineSoftLimit');
    expect(line.value).toBe('1000.00');
    expect(screen.getByTestId<HTMLInputElement>('limit-saleHardLimit').value).toBe('20000.00');
    fireEvent.change(line, { target: { value: 'lots' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('save-limits'));
      await Promise.resolve();
    });
    expect(screen.getByText('Enter an amount in USD, such as 1000.00')).toBeTruthy();
    expect(updateSettings).not.toHaveBeenCalled();
    fireEvent.change(line, { target: { value: '1,500' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('save-limits'));
      await Promise.resolve();
    });
    expect(updateSettings).toHaveBeenCalledWith({
      lineSoftLimit: 150_000n,
      lineHardLimit: 1_000_000n,
      saleSoftLimit: 200_000n,
      saleHardLimit: 2_000_000n,
      maxCashChange: 50_000n,
    });
  });
});

describe('CashSheet with the most change the till gives', () => {
  it('says so and keeps Take off when the cash handed over is absurd', () => {
    const onTake = vi.fn(() => Promise.resolve());
    render(<CashSheet total={800n} currency="USD" maxChange={50_000n} onTake={onTake} onClose={vi.fn()} />);
    const sheet = screen.getByRole('dialog', { name: 'Take cash' });
    for (const d of '999999999999') fireEvent.click(within(sheet).getByRole('button', { name: d }));
    expect(screen.getByTestId('cash-too-much').textContent).toBe(
      'More change than the till gives ($500.00): check the amount handed over.',
    );
    const take = screen.getByTestId<HTMLButtonElement>('cash-take');
    expect(take.disabled).toBe(true);
    for (let i = 0; i < 12; i++) fireEvent.click(within(sheet).getByRole('button', { name: 'Backspace' }));
    for (const d of '50800') fireEvent.click(within(sheet).getByRole('button', { name: d }));
    expect(screen.queryByTestId('cash-too-much')).toBeNull();
    expect(take.disabled).toBe(false);
    fireEvent.click(take);
    expect(onTake).toHaveBeenCalledWith(50_800n);
  });
});
