// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DisplayState } from '../../../shared/domain/display.js';
import { fakeTill } from '../test-support.js';
import { DisplayScreen } from './DisplayScreen.js';

afterEach(cleanup);

/** A 10 % tipped flat white being paid offline (issue 17): the till's display state for it. */
const offline: DisplayState = {
  shopName: 'Satoshi’s Corner Café',
  phase: 'invoice',
  currency: 'USD',
  lines: [{ lineId: 'l1', title: 'Flat White', variantTitle: null, quantity: 1, amount: 450n }],
  discounts: 0n,
  taxes: [],
  tip: 45n,
  total: 495n,
  msat: 4_950_000n,
  tipChoices: null,
  customerTip: null,
  invoice: null,
  change: null,
};

describe('the customer display, a sale charged offline', () => {
  it('shows the total with the tip and the exact sats, points to the till’s QR, offers no tip', async () => {
    const { till } = fakeTill({ getDisplay: vi.fn(() => Promise.resolve(offline)) });
    render(<DisplayScreen injected={till} />);
    expect((await screen.findByTestId('display-offline')).textContent).toMatch(/till’s screen/);
    expect(screen.getByTestId('display-total').textContent).toBe('Total$4.95');
    expect(screen.getByText('4,950 sats')).toBeTruthy();
    expect(screen.getByText('Tip')).toBeTruthy();
    expect(screen.queryByText('Add a tip?')).toBeNull();
    expect(screen.queryByTestId('invoice-qr')).toBeNull();
  });
});
