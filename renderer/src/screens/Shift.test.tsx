// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TillError, type TillApi } from '../../../shared/contract/index.js';
import type { Shift, ShiftReport } from '../../../shared/domain/index.js';
import { ShiftNudge } from '../components/ShiftNudge.js';
import { ShellContext, type Shell } from '../context.js';
import { fakeTill, openShift, status } from '../test-support.js';
import { ShiftScreen } from './Shift.js';

afterEach(cleanup);

function shell(till: TillApi, role: 'cashier' | 'owner' = 'owner'): Shell {
  const s = status();
  return { till, status: { ...s, session: { ...s.session!, role } }, toast: vi.fn(), run: (fn) => fn() };
}

/** A report whose drawer expects $112.50. */
function report(kind: 'X' | 'Z', shift: Shift, counted: bigint | null = null): ShiftReport {
  const expected = 11_250n;
  return {
    kind,
    shift,
    shopName: 'Test Shop',
    generatedAt: '2026-11-27T17:00:00.000Z',
    approvedBy: null,
    saleCount: 3,
    unpaidCount: 0,
    currencies: [
      {
        currency: 'USD',
        sales: { count: 3, total: 2_000n },
        tenders: {
          cash: { count: 2, total: 1_250n },
          lightning: { count: 1, total: 750n, msat: 7_500_000n },
        },
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
          expected,
          counted,
          difference: counted === null ? null : counted - expected,
        },
        lightningRates: [],
        paidForEarlierShifts: { count: 0, total: 0n, msat: 0n },
      },
    ],
    movements: [],
    noSales: 0,
    node: {
      state: 'unreachable',
      from: shift.openedAt,
      to: '2026-11-27T17:00:00.000Z',
      journalCount: 1,
      journalMsat: 7_500_000n,
      message: 'the Lightning node is unreachable',
    },
    shopify: { pending: 0, failed: 0, orders: [] },
  };
}

describe('the Shift screen', () => {
  it('opens a shift with the float counted note by note', async () => {
    const opened = openShift();
    const { till } = fakeTill({
      getShift: vi.fn(() => Promise.resolve({ shift: null })),
      listShifts: vi.fn(() => Promise.resolve({ shifts: [] })),
      openShift: vi.fn(() => Promise.resolve(opened)),
    });
    render(
      <ShellContext.Provider value={shell(till)}>
        <ShiftScreen />
      </ShellContext.Provider>,
    );
    await screen.findByText('No shift open');
    fireEvent.click(screen.getByLabelText('One $20.00 more'));
    fireEvent.click(screen.getByLabelText('One $20.00 more'));
    fireEvent.change(screen.getByLabelText('How many $0.25'), { target: { value: '4' } });
    expect(screen.getByTestId('float-sum').textContent).toBe('$41.00');
    fireEvent.click(screen.getByTestId('open-shift'));
    await screen.findByText('Shift #1 open');
    const float = vi.mocked(till.openShift).mock.calls[0]![0]!.float;
    expect('denominations' in float && float.denominations.filter((d) => d.count > 0)).toEqual([
      { value: 2000n, count: 2 },
      { value: 25n, count: 4 },
    ]);
  });

  it('asks a manager for the X report, shows short before closing, then the Z report', async () => {
    const shift = openShift();
    const needsManager = () =>
      Promise.reject(new TillError('NeedsManager', 'This needs a manager: ask one to enter their PIN.'));
    const getShiftReport = vi.fn((input?: { managerPin?: string }) =>
      input?.managerPin === '4821' ? Promise.resolve(report('X', shift)) : needsManager(),
    );
    const closeShift = vi.fn((input?: { counted: { total: bigint } | object; managerPin?: string }) =>
      input?.managerPin === '4821'
        ? Promise.resolve({
            shift: { ...shift, closedAt: '2026-11-27T17:00:00.000Z' },
            report: report('Z', shift, 11_200n),
          })
        : needsManager(),
    );
    const { till } = fakeTill({ getShiftReport, closeShift });
    render(
      <ShellContext.Provider value={shell(till, 'cashier')}>
        <ShiftScreen />
      </ShellContext.Provider>,
    );
    fireEvent.click(await screen.findByTestId('close-shift'));
    fireEvent.change(await screen.findByTestId('manager-pin'), { target: { value: '4821' } });
    fireEvent.click(screen.getByTestId('manager-approve'));
    await screen.findByText('Close shift #1');
    expect(screen.getByTestId('close-expected').textContent).toBe('$112.50');

    fireEvent.click(screen.getByTestId('count-type-total'));
    fireEvent.change(screen.getByTestId('count-total'), { target: { value: '112.00' } });
    await waitFor(() => expect(screen.getByTestId('close-difference').textContent).toBe('−$0.50'));
    expect(screen.getByText('Short')).toBeTruthy();

    fireEvent.click(screen.getByTestId('confirm-close'));
    fireEvent.change(await screen.findByTestId('manager-pin'), { target: { value: '4821' } });
    fireEvent.click(screen.getByTestId('manager-approve'));
    const z = await screen.findByTestId('shift-report');
    expect(within(z).getByTestId('zr-title').textContent).toBe('Z report · Shift #1');
    expect(within(z).getByTestId('zr-difference').textContent).toContain('−$0.50');
    expect(within(z).getByTestId('zr-node').textContent).toContain(
      'Node not checked: the Lightning node is unreachable',
    );
    expect(closeShift).toHaveBeenLastCalledWith({ counted: { total: 11_200n }, managerPin: '4821' });
    expect(document.body.classList.contains('printing-shift-report')).toBe(true);
  });
});

describe('the report’s Print and Save as PDF', () => {
  afterEach(() => {
    delete window.tillBridge;
    vi.restoreAllMocks();
  });

  async function openReport() {
    const shift = openShift();
    const { till } = fakeTill({
      getShift: vi.fn(() => Promise.resolve({ shift })),
      listShifts: vi.fn(() => Promise.resolve({ shifts: [shift] })),
      getShiftReport: vi.fn(() => Promise.resolve(report('X', shift))),
      printShiftReport: vi.fn(() => Promise.resolve({ printed: true })),
      saveShiftReportPdf: vi.fn(() =>
        Promise.resolve({ filename: 'shift_1_X.pdf', path: '/home/till/Downloads/shift_1_X.pdf' }),
      ),
    });
    const s = shell(till);
    render(
      <ShellContext.Provider value={s}>
        <ShiftScreen />
      </ShellContext.Provider>,
    );
    fireEvent.click(await screen.findByTestId('x-report'));
    await screen.findByTestId('report-view');
    return { till, shift, toast: s.toast };
  }

  it('go through the till in the desktop app: its printers, the PDF in Downloads', async () => {
    window.tillBridge = { invoke: vi.fn(), subscribe: vi.fn() };
    const printPage = vi.spyOn(window, 'print').mockImplementation(() => undefined);
    const { till, shift, toast } = await openReport();
    fireEvent.click(screen.getByTestId('report-print'));
    await waitFor(() => expect(toast).toHaveBeenCalledWith('good', 'Report sent to the printer'));
    expect(till.printShiftReport).toHaveBeenCalledTimes(1);
    expect(till.printShiftReport).toHaveBeenCalledWith({ shiftId: shift.id });
    fireEvent.click(screen.getByTestId('report-pdf'));
    await waitFor(() => expect(toast).toHaveBeenCalledWith('good', 'Saved shift_1_X.pdf in Downloads'));
    expect(till.saveShiftReportPdf).toHaveBeenCalledWith({ shiftId: shift.id });
    expect(printPage).not.toHaveBeenCalled();
  });

  it('stay the browser’s own print dialog in a browser', async () => {
    const printPage = vi.spyOn(window, 'print').mockImplementation(() => undefined);
    const { till } = await openReport();
    expect(screen.queryByTestId('report-pdf')).toBeNull();
    fireEvent.click(screen.getByTestId('report-print'));
    expect(printPage).toHaveBeenCalledTimes(1);
    expect(till.printShiftReport).not.toHaveBeenCalled();
    expect(till.saveShiftReportPdf).not.toHaveBeenCalled();
  });
});

describe('the register’s nudge', () => {
  it('says no shift is open, leads to the Shift screen, and goes once one opens', async () => {
    const { till, emit } = fakeTill({ getShift: vi.fn(() => Promise.resolve({ shift: null })) });
    const onOpen = vi.fn();
    render(
      <ShellContext.Provider value={shell(till)}>
        <ShiftNudge onOpenShift={onOpen} />
      </ShellContext.Provider>,
    );
    fireEvent.click(await screen.findByTestId('nudge-open-shift'));
    expect(onOpen).toHaveBeenCalled();
    act(() => emit('shiftChanged', { shift: openShift() }));
    expect(screen.queryByTestId('shift-nudge')).toBeNull();
  });
});
