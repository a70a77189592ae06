import { describe, expect, it } from 'vitest';
import type { ShiftReport } from '../shared/domain/index.js';
import { shiftReportPrintHash } from '../shared/receipt/shift-report-url.js';
import { SHOTS } from './browser.js';
import { tillInBrowser } from './served-till.js';

/** A Z report with a cash and a Lightning sale, a paid out and a short drawer. */
const report: ShiftReport = {
  kind: 'Z',
  shift: {
    id: 'shift-1',
    tillId: 'a1b2c3d4e5f6',
    number: 7,
    currency: 'USD',
    openedAt: '2026-11-27T09:00:00.000Z',
    openedBy: { id: null, name: 'Casey' },
    float: 10_000n,
    closedAt: '2026-11-27T17:00:00.000Z',
    closedBy: { id: null, name: 'Morgan' },
  },
  shopName: "Satoshi's Corner Café",
  generatedAt: '2026-11-27T17:00:00.000Z',
  approvedBy: { id: null, name: 'Morgan' },
  saleCount: 3,
  unpaidCount: 0,
  currencies: [
    {
      currency: 'USD',
      sales: { count: 3, total: 2_000n },
      tenders: { cash: { count: 2, total: 1_250n }, lightning: { count: 1, total: 750n, msat: 7_500_000n } },
      taxes: [],
      taxTotal: 0n,
      discounts: 0n,
      tips: [],
      tipTotal: 0n,
      refunds: { count: 0, total: 0n },
      cash: {
        float: 10_000n,
        tendered: 1_250n,
        change: 0n,
        paidIn: 0n,
        paidOut: 0n,
        refunded: 0n,
        expected: 11_250n,
        counted: 11_200n,
        difference: -50n,
      },
      lightningRates: [],
      paidForEarlierShifts: { count: 0, total: 0n, msat: 0n },
    },
  ],
  movements: [],
  noSales: 0,
  node: {
    state: 'unreachable',
    from: '2026-11-27T09:00:00.000Z',
    to: '2026-11-27T17:00:00.000Z',
    journalCount: 1,
    journalMsat: 7_500_000n,
    message: 'the Lightning node is unreachable',
  },
  shopify: { pending: 0, failed: 0, orders: [] },
};

describe('the shift report’s print view (what the desktop app’s hidden print window draws)', () => {
  const till = tillInBrowser('till-e2e-shift-print-', { viewport: null });

  it('draws the report it is given on its paper, says when it is ready, and its PDF is one page', async () => {
    const { page } = till;
    for (const paper of ['80mm', 'a4'] as const) {
      await page.goto(`${till.served.url}${shiftReportPrintHash(report, paper)}`);
      await page.waitForFunction("document.body.dataset.receiptReady === '1'");
      expect(await page.getByTestId('zr-title').textContent()).toBe('Z report · Shift #7');
      const height = Number(await page.evaluate<string>('document.documentElement.dataset.pageHeightMm'));
      if (paper === 'a4') expect(height).toBe(297);
      else expect(height).toBeGreaterThan(50);
      await page.screenshot({ path: `${SHOTS}/shift-report-print-${paper}.png`, fullPage: true });
      const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
      const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
      expect(pages, `${paper} pages`).toHaveLength(1);
    }
  }, 120_000);
});
