// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Refund } from '../../../shared/domain/index.js';
import { ShellContext, type Shell } from '../context.js';
import { fakeTill } from '../test-support.js';
import { LnurlWithdrawQr } from './LnurlWithdrawQr.js';

vi.mock('qrcode', () => ({ default: { toCanvas: vi.fn(() => Promise.resolve()) } }));
afterEach(cleanup);

const LNURL =
  'LNURL1DP68GURN8GHJ7UM9WFMXJCM99E3K7MF0V9CXJ0M385EKVCENXC6R2C35XVUKXEFCV5MKVV34X5EKZD3EV56NYD3HXQURZEPEXEJXXEPNXSCRVWFNV9NXZCN9XQ6XYEFHVGCXXCMYXYMNSERXFQ5FNS';

const open = (over: Partial<Refund> = {}): Refund => ({
  id: 'r1',
  saleId: 's1',
  saleNumber: 42,
  state: 'approved',
  tender: 'lightning',
  currency: 'USD',
  lines: [],
  tip: 0n,
  tax: 0n,
  amount: 450n,
  reason: 'Too cold',
  requestedBy: null,
  approvedBy: { staffId: 'm', name: 'Maya' },
  createdAt: '2026-11-27T10:00:00.000Z',
  updatedAt: '2026-11-27T10:00:00.000Z',
  paidAt: null,
  stateReason: null,
  shopify: null,
  amountMsat: 4_500_000n,
  withdraw: {
    state: 'open',
    lnurl: LNURL,
    expiresAt: new Date(Date.now() + 600_000).toISOString(),
    rate: '100000',
    rateBasis: 'current',
  },
  ...over,
});

function mount(initial: Refund, cancelLnurlRefund = vi.fn()) {
  const { till, emit } = fakeTill({
    getRefund: vi.fn(() => Promise.resolve(initial)),
    cancelLnurlRefund,
  });
  const shell: Shell = { till, status: null, toast: vi.fn(), run: (fn) => fn() };
  render(
    <ShellContext.Provider value={shell}>
      <LnurlWithdrawQr initial={initial} onClose={vi.fn()} />
    </ShellContext.Provider>,
  );
  return { emit, cancelLnurlRefund };
}

describe('the LNURL-withdraw QR screen', () => {
  it('shows the link, the sats and fiat and a countdown; turns to Refunded when the till says paid', () => {
    const { emit } = mount(open());
    expect(screen.getByTestId('lnurl-qr').getAttribute('data-lnurl')).toBe(LNURL);
    expect(screen.getByTestId('lnurl-sats').textContent).toContain('4,500');
    expect(screen.getByTestId('lnurl-fiat').textContent).toBe('$4.50');
    expect(screen.getByTestId('lnurl-countdown').textContent).toMatch(/Expires in (9:5\d|10:00)/);
    act(() =>
      emit(
        'refundUpdated',
        open({ state: 'paying', withdraw: { ...open().withdraw!, state: 'claimed', lnurl: null } }),
      ),
    );
    expect(screen.getByTestId('lnurl-outcome').textContent).toBe('Sending…');
    expect(screen.getByTestId('lnurl-qr').getAttribute('data-lnurl')).toBe('');
    act(() =>
      emit(
        'refundUpdated',
        open({ state: 'paid', withdraw: { ...open().withdraw!, state: 'claimed', lnurl: null } }),
      ),
    );
    expect(screen.getByTestId('lnurl-outcome').textContent).toBe('Refunded');
    expect(screen.queryByTestId('lnurl-cancel')).toBeNull();
  });

  it('Cancel takes the link down through the till and says Cancelled', async () => {
    const cancelled = open({
      state: 'failed',
      stateReason: 'Cancelled at the till before the customer’s wallet claimed it.',
      withdraw: { ...open().withdraw!, state: 'cancelled', lnurl: null },
    });
    const { cancelLnurlRefund } = mount(
      open(),
      vi.fn(() => Promise.resolve(cancelled)),
    );
    fireEvent.click(screen.getByTestId('lnurl-cancel'));
    await waitFor(() => expect(screen.getByTestId('lnurl-outcome').textContent).toBe('Cancelled'));
    expect(cancelLnurlRefund).toHaveBeenCalledWith({ refundId: 'r1' });
    expect(screen.getByTestId('lnurl-detail').textContent).toMatch(/Nothing left the shop/);
  });
});
