// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TillError } from '../../../shared/contract/index.js';
import type { Refund, RefundLineRequest, RefundPreview } from '../../../shared/domain/index.js';
import { ShellContext, type Shell } from '../context.js';
import { fakeTill, status } from '../test-support.js';
import { RefundSheet } from './RefundSheet.js';

afterEach(cleanup);

/** A sale of 3 flat whites ($3.82 each after discounts, tax added) and a croissant, with a 50 ¢ tip. */
function previewOf(lines: RefundLineRequest[] = [], refundTip = false): RefundPreview {
  const price = { fw: 382n, cr: 325n };
  const q = (id: string) => lines.find((l) => l.lineId === id)?.quantity ?? 0;
  const fw = price.fw * BigInt(q('fw'));
  const cr = price.cr * BigInt(q('cr'));
  const tip = refundTip ? 50n : 0n;
  const line = (lineId: string, title: string, sold: number, returned: number, amount: bigint) => ({
    lineId,
    title,
    variantTitle: null,
    sold,
    returned,
    returnable: sold - returned,
    quantity: q(lineId),
    restock: lines.find((l) => l.lineId === lineId)?.restock ?? true,
    amount,
    tax: 0n,
    discount: 0n,
  });
  return {
    saleId: 's1',
    saleNumber: 42,
    currency: 'USD',
    lines: [line('fw', 'Flat White', 3, 1, fw), line('cr', 'Butter Croissant', 1, 0, cr)],
    saleTip: 50n,
    tipRefunded: false,
    tip,
    tax: 0n,
    amount: fw + cr + tip,
    refundedBefore: 382n,
    remaining: 1000n,
  };
}

function mount(
  createRefund: (input: Record<string, unknown>) => Promise<Refund>,
  rate: string | null = null,
) {
  const previewRefund = vi.fn((input: { lines?: RefundLineRequest[]; refundTip?: boolean }) =>
    Promise.resolve(previewOf(input.lines, input.refundTip)),
  );
  const { till } = fakeTill({ previewRefund, createRefund: vi.fn(createRefund) });
  const base = status();
  const shell: Shell = {
    till,
    status: rate
      ? {
          ...base,
          rate: { currency: 'USD', rate, source: 'Demo fixed rate', fetchedAt: '2026-11-27T10:00:00.000Z' },
        }
      : base,
    toast: vi.fn(),
    run: (fn) => fn(),
  };
  const onRefunded = vi.fn();
  render(
    <ShellContext.Provider value={shell}>
      <RefundSheet saleId="s1" onClose={vi.fn()} onRefunded={onRefunded} />
    </ShellContext.Provider>,
  );
  return { till, onRefunded };
}

const refund = (amount: bigint): Refund => ({
  id: 'r1',
  saleId: 's1',
  saleNumber: 42,
  state: 'paid',
  tender: 'cash',
  currency: 'USD',
  lines: [],
  tip: 50n,
  tax: 0n,
  amount,
  reason: 'Cold',
  requestedBy: { staffId: 'c', name: 'Casey' },
  approvedBy: { staffId: 'm', name: 'Maya' },
  createdAt: '2026-11-27T10:00:00.000Z',
  updatedAt: '2026-11-27T10:00:00.000Z',
  paidAt: '2026-11-27T10:00:00.000Z',
  stateReason: null,
  shopify: null,
});

describe('Return items', () => {
  it('chooses lines within what can come back, the tip and a reason; a manager approves in place; says what to hand over', async () => {
    const createRefund = vi.fn((input: Record<string, unknown>) =>
      input.managerPin === undefined
        ? Promise.reject(new TillError('NeedsManager', 'This needs a manager: ask one to enter their PIN.'))
        : Promise.resolve(refund(1139n)),
    );
    const { till, onRefunded } = mount(createRefund);
    const rows = await screen.findAllByTestId('refund-line');
    expect(rows[0]!.textContent).toContain('2 of 3 can come back');
    const more = screen.getAllByTestId('refund-more');
    fireEvent.click(more[0]!);
    fireEvent.click(more[0]!);
    // Only two may come back: the third tap is not offered.
    expect((more[0] as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(more[1]!);
    fireEvent.click(screen.getAllByTestId('refund-restock')[1]!);
    fireEvent.click(screen.getByTestId('refund-tip'));
    await waitFor(() => expect(screen.getByTestId('refund-amount').textContent).toContain('$11.39'));
    expect(screen.getByTestId<HTMLButtonElement>('refund-approve').disabled).toBe(true);
    fireEvent.change(screen.getByTestId('refund-reason'), { target: { value: 'Cold' } });
    fireEvent.click(screen.getByTestId('refund-approve'));

    fireEvent.change(await screen.findByTestId('manager-pin'), { target: { value: '4821' } });
    fireEvent.click(screen.getByTestId('manager-approve'));
    expect((await screen.findByTestId('refund-hand-over')).textContent).toBe(
      'Give the customer $11.39 in cash',
    );
    expect(onRefunded).toHaveBeenCalledOnce();
    expect(createRefund).toHaveBeenLastCalledWith({
      saleId: 's1',
      lines: [
        { lineId: 'fw', quantity: 2, restock: true },
        { lineId: 'cr', quantity: 1, restock: false },
      ],
      refundTip: true,
      reason: 'Cold',
      tender: 'cash',
      managerPin: '4821',
    });
    expect(till.previewRefund).toHaveBeenCalled();
  });

  it('says the till’s refusal in the sheet', async () => {
    mount(() =>
      Promise.reject(
        new TillError(
          'InvalidState',
          'Flat White: only 1 of the 3 sold can still come back (2 already returned).',
        ),
      ),
    );
    fireEvent.click((await screen.findAllByTestId('refund-more'))[0]!);
    fireEvent.change(screen.getByTestId('refund-reason'), { target: { value: 'Cold' } });
    fireEvent.click(screen.getByTestId('refund-approve'));
    expect((await screen.findByTestId('refund-error')).textContent).toBe(
      'Flat White: only 1 of the 3 sold can still come back (2 already returned).',
    );
  });

  it('Lightning: shows the sats the invoice must ask for, sends the scanned invoice, says what was sent', async () => {
    const createRefund = vi.fn(() =>
      Promise.resolve({ ...refund(325n), tender: 'lightning' as const, amountMsat: 3_250_000n }),
    );
    mount(createRefund, '100000.00');
    fireEvent.click((await screen.findAllByTestId('refund-more'))[1]!);
    fireEvent.change(screen.getByTestId('refund-reason'), { target: { value: 'Stale' } });
    fireEvent.click(screen.getByTestId('refund-tender-lightning'));
    await waitFor(() => expect(screen.getByTestId('refund-sats').textContent).toBe('3,250 sats'));
    const approve = screen.getByTestId<HTMLButtonElement>('refund-approve');
    expect(approve.disabled).toBe(true);
    expect(approve.textContent).toBe('Scan the customer’s invoice');
    fireEvent.change(screen.getByTestId('refund-invoice'), { target: { value: 'lnbcrt32500n1pcustomer' } });
    fireEvent.click(approve);
    expect((await screen.findByTestId('refund-hand-over')).textContent).toBe(
      'Sent 3,250 sats ($3.25) to the customer’s wallet',
    );
    expect(createRefund).toHaveBeenLastCalledWith({
      saleId: 's1',
      lines: [{ lineId: 'cr', quantity: 1, restock: true }],
      refundTip: false,
      reason: 'Stale',
      tender: 'lightning',
      invoice: 'lnbcrt32500n1pcustomer',
      managerPin: undefined,
    });
  });
});
