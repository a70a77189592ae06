// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CommandOutput, TillApi } from '../../../shared/contract/index.js';
import type { Sale, SaleSummary } from '../../../shared/domain/index.js';
import { ShellContext, type Shell } from '../context.js';
import { awaitingSale, fakeTill, status } from '../test-support.js';
import { dayName } from '../../../shared/domain/days.js';
import { SalesScreen } from './Sales.js';

afterEach(cleanup);

function shell(till: TillApi): Shell {
  return { till, status: status(), toast: vi.fn(), run: (fn) => fn() };
}

function summary(
  sale: Sale,
  parts: Partial<Pick<SaleSummary, 'discounts' | 'tax' | 'tip'>> = {},
): SaleSummary {
  const { id, number, state, currency, total, createdAt, paidAt, amountPaidMsat, paidLate, tender, order } =
    sale;
  const itemCount = sale.lines.length;
  return {
    id,
    number,
    state,
    currency,
    total,
    createdAt,
    paidAt,
    amountPaidMsat,
    paidLate,
    tender,
    order,
    itemCount,
    discounts: 0n,
    tax: 0n,
    tip: 0n,
    ...parts,
  };
}

function salesScreen(
  sale: Sale,
  totals: CommandOutput<'listSales'>['totals'] = [],
  parts: Parameters<typeof summary>[1] = {},
) {
  const { till } = fakeTill({
    listSales: vi.fn(() => Promise.resolve({ sales: [summary(sale, parts)], totals })),
    getSale: vi.fn(() => Promise.resolve(sale)),
  });
  render(
    <ShellContext.Provider value={shell(till)}>
      <SalesScreen />
    </ShellContext.Provider>,
  );
}

async function openReceipt() {
  fireEvent.click(await screen.findByTestId('sale-row'));
  return screen.findByTestId('receipt');
}

describe('Sales screen receipt', () => {
  const expiresAt = new Date('2026-11-27T10:10:00Z');

  it('a cancelled sale states it was not paid: no "Paid", no thank-you, nothing to print', async () => {
    salesScreen({ ...awaitingSale(expiresAt), state: 'cancelled', stateReason: 'Cancelled by the cashier' });
    const receipt = await openReceipt();
    expect(within(receipt).getByTestId('receipt-state').textContent).toBe('Cancelled — not paid');
    expect(within(receipt).getByText('Total asked')).toBeTruthy();
    expect(within(receipt).getByText('$12.50')).toBeTruthy();
    expect(within(receipt).getByText('Cancelled by the cashier')).toBeTruthy();
    expect(within(receipt).queryByText('Paid')).toBeNull();
    expect(within(receipt).queryByText(/via Lightning/)).toBeNull();
    expect(within(receipt).queryByText(/Thank you/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Print receipt' })).toBeNull();
  });

  it('an expired, unpaid sale says so', async () => {
    salesScreen({ ...awaitingSale(expiresAt), state: 'expired' });
    const receipt = await openReceipt();
    expect(within(receipt).getByTestId('receipt-state').textContent).toBe('Expired — not paid');
    expect(within(receipt).queryByText(/Thank you/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Print receipt' })).toBeNull();
  });

  it('a paid sale still has its paid receipt and a Print button', async () => {
    const sale = awaitingSale(expiresAt);
    salesScreen({ ...sale, state: 'paid', paidAt: expiresAt.toISOString(), amountPaidMsat: 12_500_000n });
    const receipt = await openReceipt();
    expect(within(receipt).queryByTestId('receipt-state')).toBeNull();
    expect(within(receipt).getByText('Paid')).toBeTruthy();
    expect(within(receipt).getByText(/via Lightning/)).toBeTruthy();
    expect(within(receipt).getByText('Thank you!')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Print receipt' })).toBeTruthy();
  });
});

describe('Sales screen totals', () => {
  it('shows one total per currency, each in its own money', async () => {
    const sale = { ...awaitingSale(new Date('2026-11-27T10:10:00Z')), state: 'paid' as const };
    salesScreen(sale, [
      { currency: 'EUR', paidCount: 1, paidTotal: 900n, paidMsat: 0n, paidTax: 150n, paidTip: 0n },
      {
        currency: 'USD',
        paidCount: 2,
        paidTotal: 2500n,
        paidMsat: 12_500_000n,
        paidTax: 203n,
        paidTip: 375n,
      },
    ]);
    const totals = await screen.findAllByTestId('sales-total');
    expect(totals).toHaveLength(2);
    expect(within(totals[0]!).getByText('€9.00')).toBeTruthy();
    expect(within(totals[0]!).getByText('1 paid')).toBeTruthy();
    expect(within(totals[1]!).getByText('$25.00')).toBeTruthy();
    expect(within(totals[1]!).getByText('2 paid')).toBeTruthy();
    // Never the raw sum of both (9.00 + 25.00 minor units as one amount).
    expect(screen.queryByText(/34\.00/)).toBeNull();
    // The tax and tips inside each, in that currency's own money, never added across.
    expect(within(totals[0]!).getByTestId('sales-total-tax').textContent).toBe('tax €1.50');
    expect(within(totals[0]!).getByTestId('sales-total-tips').textContent).toBe('tips €0.00');
    expect(within(totals[1]!).getByTestId('sales-total-tax').textContent).toBe('tax $2.03');
    expect(within(totals[1]!).getByTestId('sales-total-tips').textContent).toBe('tips $3.75');
    expect(screen.queryByText(/3\.53/)).toBeNull();
  });

  it('shows a row’s discount, tax and tip under its total, and nothing for a sale without them', async () => {
    const sale = { ...awaitingSale(new Date('2026-11-27T10:10:00Z')), state: 'paid' as const };
    salesScreen(sale, [], { discounts: 50n, tax: 35n, tip: 65n });
    const row = await screen.findByTestId('sale-row');
    expect(within(row).getByTestId('sale-parts').textContent).toBe('−$0.50 off · tax $0.35 · tip $0.65');
    cleanup();
    salesScreen(sale, [], { tax: 35n });
    expect(within(await screen.findByTestId('sale-row')).getByTestId('sale-parts').textContent).toBe(
      'tax $0.35',
    );
    cleanup();
    salesScreen(sale);
    expect(within(await screen.findByTestId('sale-row')).queryByTestId('sale-parts')).toBeNull();
  });

  it('says nothing is paid yet on a day without paid sales', async () => {
    salesScreen({ ...awaitingSale(new Date('2026-11-27T10:10:00Z')), state: 'cancelled' });
    expect(await screen.findByText('Nothing paid yet')).toBeTruthy();
    expect(screen.queryByTestId('sales-total')).toBeNull();
  });
});

describe('Sales screen, earlier days', () => {
  it('goes back a day at a time, never past today, and back to today', async () => {
    const listSales = vi.fn(() => Promise.resolve({ sales: [], totals: [] }));
    const { till } = fakeTill({ listSales });
    render(
      <ShellContext.Provider value={shell(till)}>
        <SalesScreen />
      </ShellContext.Provider>,
    );
    await waitFor(() => expect(listSales).toHaveBeenLastCalledWith({}));
    const now = new Date();
    fireEvent.click(screen.getByTestId('sales-prev'));
    await waitFor(() => expect(listSales).toHaveBeenLastCalledWith({ day: dayName(now, -1) }));
    fireEvent.click(screen.getByTestId('sales-prev'));
    await waitFor(() => expect(listSales).toHaveBeenLastCalledWith({ day: dayName(now, -2) }));
    expect(screen.getByTestId('sales-title').textContent).toMatch(/^Sales on /);
    fireEvent.click(screen.getByTestId('sales-next'));
    await waitFor(() => expect(listSales).toHaveBeenLastCalledWith({ day: dayName(now, -1) }));
    fireEvent.click(screen.getByTestId('sales-next'));
    await waitFor(() => expect(listSales).toHaveBeenLastCalledWith({}));
    expect(screen.getByTestId('sales-title').textContent).toBe('Today’s sales');
    expect(screen.queryByTestId('sales-next')).toBeNull();
    fireEvent.click(screen.getByTestId('sales-prev'));
    fireEvent.click(await screen.findByTestId('sales-today'));
    await waitFor(() => expect(listSales).toHaveBeenLastCalledWith({}));
  });
});

describe('Sales screen, search by number', () => {
  it('finds a sale by the number printed on its receipt, on any day', async () => {
    const sale = { ...awaitingSale(new Date('2026-11-20T10:10:00Z')), number: 42 };
    const listSales = vi.fn((input: { number?: string }) =>
      Promise.resolve({ sales: input.number ? [summary(sale)] : [], totals: [] }),
    );
    const { till } = fakeTill({ listSales, getSale: vi.fn(() => Promise.resolve(sale)) });
    render(
      <ShellContext.Provider value={shell(till)}>
        <SalesScreen />
      </ShellContext.Provider>,
    );
    await waitFor(() => expect(listSales).toHaveBeenLastCalledWith({}));
    const search = screen.getByLabelText('Find a sale by its number');
    for (const [typed, number] of [
      ['#000042', '000042'],
      [' 42 ', '42'],
    ] as const) {
      fireEvent.change(search, { target: { value: typed } });
      await waitFor(() => expect(listSales).toHaveBeenLastCalledWith({ number }));
      expect(screen.getByTestId('sales-title').textContent).toBe('Sales by number, any day');
      expect(await screen.findByText('#000042')).toBeTruthy();
      expect(screen.getByTestId('sales-found').textContent).toBe('1 found');
    }
    const calls = listSales.mock.calls.length;
    fireEvent.change(search, { target: { value: 'abc' } });
    expect(screen.getByTestId('sales-found').textContent).toBe(
      'Type the sale number as printed on the receipt',
    );
    expect(screen.queryByTestId('sale-row')).toBeNull();
    expect(listSales).toHaveBeenCalledTimes(calls);
    fireEvent.change(search, { target: { value: '' } });
    await waitFor(() => expect(listSales).toHaveBeenLastCalledWith({}));
    expect(screen.getByTestId('sales-title').textContent).toBe('Today’s sales');
  });
});
