// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TillError, type TillApi } from '../../shared/contract/index.js';
import { Keypad } from './components/Keypad.js';
import { ShellContext, type Shell } from './context.js';
import { useScanner } from './hooks/useScanner.js';
import { ChargeScreen } from './screens/Charge.js';
import { ReconcileScreen } from './screens/Reconcile.js';
import {
  idleReconcileRun,
  type OfflineProofReport,
  type ReconcileRow,
  type ReconcileRun,
} from '../../shared/domain/index.js';
import { SettingsScreen } from './screens/Settings.js';
import { NodeSettings } from './screens/NodeSettings.js';
import { CashSheet, suggestedTenders } from './components/CashSheet.js';
import { awaitingSale, fakeTill, status } from './test-support.js';
import { CustomerDisplaySettings } from './screens/CustomerDisplaySettings.js';

vi.mock('qrcode', () => ({ default: { toCanvas: vi.fn(() => Promise.resolve()) } }));

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function shell(till: TillApi, toast: Shell['toast'] = vi.fn()): Shell {
  return {
    till,
    status: status(),
    toast,
    run: async (fn) => {
      try {
        return await fn();
      } catch {
        return undefined;
      }
    },
  };
}

/** A reconciliation that never ran. */
const IDLE_RUN: ReconcileRun = idleReconcileRun();

describe('Keypad', () => {
  it('builds the amount from the right like a card terminal', () => {
    const onAdd = vi.fn();
    render(<Keypad currency="USD" onAdd={onAdd} />);
    for (const k of ['1', '2', '5', '0']) fireEvent.click(screen.getByRole('button', { name: k }));
    expect(screen.getByTestId('keypad-display').textContent).toContain('12.50');
    fireEvent.click(screen.getByRole('button', { name: 'Backspace' }));
    expect(screen.getByTestId('keypad-display').textContent).toContain('1.25');
    fireEvent.click(screen.getByRole('button', { name: '0' }));
    fireEvent.click(screen.getByRole('button', { name: /^Add/ }));
    expect(onAdd).toHaveBeenCalledWith(1250n, '');
  });
});

function ScannerProbe({ onScan }: { onScan: (code: string) => void }) {
  useScanner(onScan, { enabled: true });
  return <input data-testid="probe" />;
}

describe('useScanner', () => {
  // Dispatched on the body, bubbling, as a scanner's keystrokes reach a page with no focus.
  const burst = (text: string) => {
    for (const key of [...text, 'Enter']) {
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    }
  };

  it('turns a fast burst ending in Enter into one scan', () => {
    const onScan = vi.fn();
    render(<ScannerProbe onScan={onScan} />);
    burst('4006381333931');
    expect(onScan).toHaveBeenCalledTimes(1);
    expect(onScan).toHaveBeenCalledWith('4006381333931');
  });

  it('ignores slow typing in a text field and short bursts', () => {
    vi.useFakeTimers();
    const onScan = vi.fn();
    render(<ScannerProbe onScan={onScan} />);
    const input = screen.getByTestId('probe');
    // KeyboardEvent.timeStamp follows performance.now(), which fake timers advance.
    for (const key of [...'4006381333931', 'Enter']) {
      input.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
      vi.advanceTimersByTime(200);
    }
    burst('123');
    expect(onScan).not.toHaveBeenCalled();
  });

  it('accepts a barcode typed by hand when no field has focus', () => {
    vi.useFakeTimers();
    const onScan = vi.fn();
    render(<ScannerProbe onScan={onScan} />);
    for (const key of [...'4006381333931', 'Enter']) {
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
      vi.advanceTimersByTime(200);
    }
    expect(onScan).toHaveBeenCalledWith('4006381333931');
  });
});

describe('ChargeScreen', () => {
  it('counts down, offers a new invoice on expiry, and turns to paid on the event', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: false });
    const expiresAt = new Date(Date.now() + 65_000);
    const sale = awaitingSale(expiresAt);
    const reissue = () => awaitingSale(new Date(Date.now() + 600_000));
    const reissued = reissue();
    const { till, emit } = fakeTill({
      getSale: vi.fn(() => Promise.resolve(sale)),
      reissueInvoice: vi.fn(() => Promise.resolve(reissue())),
    });
    const onPaid = vi.fn();
    render(
      <ShellContext.Provider value={shell(till)}>
        <ChargeScreen saleId="s1" onPaid={onPaid} onLeave={vi.fn()} />
      </ShellContext.Provider>,
    );
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10);
    });
    expect(screen.getByTestId('invoice-countdown').textContent).toMatch(/1:05|1:04/);
    expect(screen.getByText('12,500 sats')).toBeTruthy();
    expect(screen.queryByText('New invoice')).toBeNull();

    await act(async () => {
      await vi.advanceTimersByTimeAsync(66_000);
    });
    expect(screen.getByTestId('invoice-countdown').textContent).toBe('Invoice expired');
    expect(screen.queryByTestId('demo-pay')).toBeNull();
    await act(async () => {
      fireEvent.click(screen.getByText('New invoice'));
      await vi.advanceTimersByTimeAsync(10);
    });
    expect(till.reissueInvoice).toHaveBeenCalledWith({ saleId: 's1' });
    expect(screen.getByTestId('invoice-countdown').textContent).toMatch(/Expires in (10:0\d|9:5\d)/);

    act(() => emit('saleUpdated', { ...reissued, state: 'paid', paidAt: new Date().toISOString() }));
    expect(onPaid).toHaveBeenCalledTimes(1);
  });
});

describe('SettingsScreen', () => {
  it('shows the till’s validation errors next to their fields', async () => {
    const { till } = fakeTill({
      getSettings: vi.fn(() => Promise.resolve(status().settings)),
      getBackendConfig: vi.fn(() => Promise.resolve({ kind: 'demo' as const, network: 'regtest' as const })),
      updateSettings: vi.fn(() =>
        Promise.reject(
          new TillError('ValidationError', 'invoiceExpirySec: too short', [
            { path: 'invoiceExpirySec', message: 'Invoices must live at least 60 seconds' },
          ]),
        ),
      ),
    });
    render(
      <ShellContext.Provider value={shell(till)}>
        <SettingsScreen />
      </ShellContext.Provider>,
    );
    const shop = within((await screen.findByDisplayValue('Test Shop')).closest('form')!);
    fireEvent.change(shop.getByDisplayValue('10'), { target: { value: '0.5' } });
    await act(async () => {
      fireEvent.click(shop.getByText('Save'));
      await Promise.resolve();
    });
    expect(till.updateSettings).toHaveBeenCalledWith({
      shopName: 'Test Shop',
      currency: 'USD',
      invoiceExpirySec: 30,
      idleLockSec: 300,
    });
    expect(await screen.findByText('Invoices must live at least 60 seconds')).toBeTruthy();
  });
});

describe('SettingsScreen, a refused currency change', () => {
  it('puts the currency back to the one the till is using', async () => {
    const { till } = fakeTill({
      getSettings: vi.fn(() => Promise.resolve(status().settings)),
      getBackendConfig: vi.fn(() => Promise.resolve({ kind: 'demo' as const, network: 'regtest' as const })),
      updateSettings: vi.fn(() =>
        Promise.reject(
          new TillError('InvalidState', 'Finish or clear the current sale before changing the currency.'),
        ),
      ),
    });
    render(
      <ShellContext.Provider value={shell(till)}>
        <SettingsScreen />
      </ShellContext.Provider>,
    );
    const shop = within((await screen.findByDisplayValue('Test Shop')).closest('form')!);
    const select = shop.getByDisplayValue<HTMLSelectElement>('USD');
    fireEvent.change(select, { target: { value: 'EUR' } });
    expect(select.value).toBe('EUR');
    await act(async () => {
      fireEvent.click(shop.getByText('Save'));
      await Promise.resolve();
    });
    await waitFor(() => expect(select.value).toBe('USD'));
  });
});

describe('CashSheet, tapped twice', () => {
  it('records one sale for a double tap on Take', async () => {
    let finish: () => void = () => undefined;
    const onTake = vi.fn(() => new Promise<void>((r) => (finish = r)));
    render(<CashSheet total={450n} currency="USD" onTake={onTake} onClose={() => undefined} />);
    const take = screen.getByTestId('cash-take');
    fireEvent.click(take);
    fireEvent.click(take);
    expect(onTake).toHaveBeenCalledTimes(1);
    await act(async () => {
      finish();
      await Promise.resolve();
    });
    // Refused by the till (say the disk was full): the cashier can tap again.
    fireEvent.click(take);
    expect(onTake).toHaveBeenCalledTimes(2);
  });
});

/** Text a cashier can type or paste into, with no cap on its length. */
function uncappedFields(root: HTMLElement): string[] {
  return [...root.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea')]
    .filter((el) => !['checkbox', 'radio', 'date'].includes(el.type) && !(el.maxLength > 0))
    .map((el) => el.outerHTML);
}

describe('text fields', () => {
  it('cap every settings field at what the contract accepts, for every backend', async () => {
    const { till } = fakeTill({
      getSettings: vi.fn(() => Promise.resolve(status().settings)),
      getBackendConfig: vi.fn(() => Promise.resolve({ kind: 'demo' as const, network: 'regtest' as const })),
    });
    const { container } = render(
      <ShellContext.Provider value={shell(till)}>
        <SettingsScreen />
      </ShellContext.Provider>,
    );
    await screen.findByDisplayValue('Test Shop');
    for (const kind of ['lnd', 'cln', 'nwc', 'lnbits']) {
      fireEvent.click(await screen.findByTestId(`backend-${kind}`));
      expect(uncappedFields(container), kind).toEqual([]);
    }
    expect(container.querySelectorAll('input, textarea').length).toBeGreaterThan(5);
  });
});

describe('NodeSettings', () => {
  it('tests a node, shows what the credential may do, and needs a manager to keep one that can spend', async () => {
    const check = {
      alias: 'shop-lnd',
      pubkey: '02' + 'ab'.repeat(32),
      network: 'mainnet' as const,
      blockHeight: 871_000,
      permissions: { createInvoices: true, readInvoices: true, sendPayments: true },
      problems: [],
    };
    const { till } = fakeTill({
      getBackendConfig: vi.fn(() => Promise.resolve({ kind: 'demo' as const, network: 'regtest' as const })),
      testBackend: vi.fn(() => Promise.resolve(check)),
      saveBackend: vi.fn(() => Promise.resolve(status())),
    });
    render(
      <ShellContext.Provider value={shell(till)}>
        <NodeSettings />
      </ShellContext.Provider>,
    );
    fireEvent.click(await screen.findByTestId('backend-lnd'));
    fireEvent.change(screen.getByPlaceholderText('192.168.1.20:8080'), { target: { value: 'node:8080' } });
    fireEvent.change(screen.getByPlaceholderText('0201036c6e64…'), { target: { value: '0201abcd' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('test-connection'));
      await Promise.resolve();
    });
    expect(till.testBackend).toHaveBeenCalledWith({
      backend: { kind: 'lnd', network: 'mainnet', restUrl: 'node:8080', macaroon: '0201abcd' },
    });
    const result = await screen.findByTestId('node-check');
    expect(result.textContent).toContain('shop-lnd');
    expect(result.textContent).toContain('SPEND the node’s funds');

    fireEvent.click(screen.getByTestId('accept-spending'));
    await act(async () => {
      fireEvent.click(screen.getByTestId('save-backend'));
      await Promise.resolve();
    });
    expect(till.saveBackend).toHaveBeenCalledWith({
      backend: { kind: 'lnd', network: 'mainnet', restUrl: 'node:8080', macaroon: '0201abcd' },
      acceptSpending: true,
    });
  });
});

describe('cash tender', () => {
  it('suggests the exact amount and the next round notes', () => {
    expect(suggestedTenders(1_234n, 'USD')).toEqual([1_234n, 1_300n, 1_500n, 2_000n]);
    expect(suggestedTenders(2_000n, 'USD')).toEqual([2_000n, 5_000n, 10_000n]);
    expect(suggestedTenders(450n, 'JPY')).toEqual([450n, 460n, 500n]);
  });

  it('shows the change due and refuses less than the total', () => {
    const onTake = vi.fn(() => Promise.resolve());
    render(<CashSheet total={1_234n} currency="USD" onTake={onTake} onClose={() => undefined} />);
    expect(screen.getByTestId('cash-change').textContent).toBe('$0.00');
    fireEvent.click(screen.getAllByTestId('cash-quick')[3]!);
    expect(screen.getByTestId('cash-change').textContent).toBe('$7.66');
    fireEvent.click(screen.getByLabelText('Backspace'));
    fireEvent.click(screen.getByLabelText('Backspace'));
    fireEvent.click(screen.getByLabelText('Backspace'));
    expect(screen.getByTestId('cash-change').textContent).toBe('$12.32 short');
    expect(screen.getByTestId<HTMLButtonElement>('cash-take').disabled).toBe(true);
    fireEvent.click(screen.getAllByTestId('cash-quick')[0]!);
    fireEvent.click(screen.getByTestId('cash-take'));
    expect(onTake).toHaveBeenCalledWith(1_234n);
  });
});

describe('ReconcileScreen', () => {
  const idle = IDLE_RUN;
  const row = (over: Partial<ReconcileRow>): ReconcileRow => ({
    outcome: 'matched',
    repair: 'none',
    safe: true,
    saleId: 's1',
    saleNumber: 1,
    paymentHash: 'ab'.repeat(32),
    orderName: '#1001',
    tender: 'lightning',
    saleState: 'paid',
    time: '2026-11-24T10:00:00.000Z',
    msat: 21_000_000n,
    fiat: 1500n,
    currency: 'USD',
    rate: '70000',
    rateSource: 'coingecko',
    net: 1500n,
    tax: 0n,
    tip: 0n,
    discount: 0n,
    detail: '',
    applied: false,
    ...over,
  });

  it('shows reading then comparing, then counts per outcome, and asks before repairing', async () => {
    const done: ReconcileRun = {
      ...idle,
      state: 'done',
      from: '2026-11-24',
      to: '2026-11-24',
      progress: { ...idle.progress, stage: 'done', records: 6, step: 14, steps: 14 },
      startedAt: '2026-11-24T10:00:00.000Z',
      finishedAt: '2026-11-24T10:00:01.500Z',
      outcomes: [
        // One of the two matched is a cancelled cart nobody paid: counted, in no total.
        { outcome: 'matched', count: 2, unpaid: 1, msat: 21_000_000n, fiat: 1500n },
        { outcome: 'sale_without_order', count: 1, unpaid: 0, msat: 0n, fiat: 1050n },
        { outcome: 'paid_twice', count: 0, unpaid: 0, msat: 0n, fiat: 0n },
      ],
      items: 3,
      repairable: 1,
      sources: { node: true, shopify: true },
      otherTills: 2,
    };
    const rows = [
      row({}),
      row({
        saleId: 's2',
        saleNumber: 2,
        tender: 'cash',
        outcome: 'sale_without_order',
        repair: 'queue_order',
        orderName: null,
        msat: null,
        fiat: 1050n,
        detail: 'paid; never sent to Shopify',
      }),
    ];
    let latest = done;
    const applySafeRepairs = vi.fn(() => {
      latest = { ...done, repairable: 0 };
      return Promise.resolve({ applied: 1, skipped: [], run: latest });
    });
    const { till, emit } = fakeTill({
      getReconcile: vi.fn((input: { outcome?: string }) =>
        Promise.resolve({
          run: latest,
          rows: input.outcome ? rows.filter((r) => r.outcome === input.outcome) : rows,
          total: input.outcome ? 1 : 2,
        }),
      ),
      startReconcile: vi.fn(() =>
        Promise.resolve({ ...idle, state: 'running', progress: { ...idle.progress, stage: 'reading' } }),
      ),
      applySafeRepairs,
    });
    // The screen opens on the last run; a new one starts from the button.
    render(
      <ShellContext.Provider value={shell(till)}>
        <ReconcileScreen />
      </ShellContext.Provider>,
    );
    await screen.findByTestId('rc-summary');
    expect(screen.getByTestId('rc-scope').textContent).toBe(
      'This till only: 2 payments or orders of other tills (or of no till) left out.',
    );
    // The manager asks for everything the node received (other tills, payments no till made).
    fireEvent.click(screen.getByTestId('rc-everything'));
    fireEvent.click(screen.getByTestId('rc-start'));
    await waitFor(() =>
      expect(till.startReconcile).toHaveBeenCalledWith(expect.objectContaining({ everything: true })),
    );
    act(() => {
      emit('reconcileProgress', {
        ...idle,
        state: 'running',
        progress: {
          ...idle.progress,
          stage: 'reading',
          records: 12_000,
          source: 'node',
          read: { companion: 0, journal: 9_000, node: 3_000, shopify: 0, refunds: 0 },
        },
      });
    });
    // Reading: which source, and how many records of each so far.
    expect(screen.getByTestId('rc-progress-text').textContent).toBe('Reading the node’s invoices…');
    expect(screen.getByTestId('rc-sources').textContent).toBe(
      'Sales: 9,000Invoices: 3,000Shopify orders: 0Refunds: 0',
    );
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBeNull();
    act(() => {
      emit('reconcileProgress', {
        ...idle,
        state: 'running',
        progress: {
          ...idle.progress,
          stage: 'classifying',
          records: 30_000,
          read: { companion: 0, journal: 10_000, node: 9_000, shopify: 11_000, refunds: 0 },
          step: 3,
          steps: 13,
          stepLabel: 'comparing sales',
        },
      });
    });
    // The engine's steps: the bar counts them.
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('23');
    expect(screen.getByTestId('rc-progress-text').textContent).toBe(
      'Comparing 30,000 records on every core: comparing sales (step 4 of 13)',
    );
    expect(screen.getByTestId('rc-cancel')).toBeTruthy();
    act(() => emit('reconcileProgress', done));
    await screen.findByTestId('rc-summary');
    expect(screen.getByTestId('rc-done').textContent).toMatch(/6 records compared in 1\.5 s/);
    expect(screen.getByTestId('rc-card-sale_without_order').textContent).toMatch(
      /No Shopify order1\$10\.50$/,
    );
    expect(screen.getByTestId('rc-card-matched-unpaid').textContent).toBe(
      '1 not paid (cancelled/expired), not in the totals',
    );
    expect(screen.queryByTestId('rc-card-sale_without_order-unpaid')).toBeNull();
    // Outcomes with nothing in them get no card.
    expect(screen.queryByTestId('rc-card-paid_twice')).toBeNull();
    expect(screen.getAllByTestId('rc-row')).toHaveLength(2);

    fireEvent.click(screen.getByTestId('rc-card-sale_without_order'));
    await waitFor(() => expect(screen.getAllByTestId('rc-row')).toHaveLength(1));

    fireEvent.click(screen.getByTestId('rc-repair'));
    expect(applySafeRepairs).not.toHaveBeenCalled();
    expect(screen.getByTestId('rc-repair-explain').textContent).toMatch(/Nothing is refunded/);
    fireEvent.click(screen.getByTestId('rc-repair-confirm'));
    await waitFor(() => expect(applySafeRepairs).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(screen.queryByTestId('rc-repair')).toBeNull());
  });
});

describe('Reconcile, offline Lightning proven later', () => {
  const report: OfflineProofReport = {
    configured: true,
    unproven: 2,
    flagged: 0,
    paidUnsold: 0,
    lastCheckedAt: null,
    lastError: null,
    last: null,
  };

  it('names what waits for the companion and asks it on a tap, its answer and its failure in words', async () => {
    let reply: Promise<unknown> = Promise.resolve({
      ...report,
      unproven: 0,
      flagged: 1,
      lastCheckedAt: '2026-11-27T14:05:00.000Z',
      last: { asked: 2, confirmed: 1, flagged: 1, paidUnsold: 0 },
    });
    const checkOfflinePayments = vi.fn(() => reply);
    const getOfflineProofs = vi.fn((): Promise<OfflineProofReport> => Promise.resolve(report));
    const toast = vi.fn();
    const { till } = fakeTill({
      getReconcile: vi.fn(() => Promise.resolve({ run: { ...IDLE_RUN }, rows: [], total: 0 })),
      getOfflineProofs,
      checkOfflinePayments,
    });
    render(
      <ShellContext.Provider value={shell(till, toast)}>
        <ReconcileScreen />
      </ShellContext.Provider>,
    );
    expect((await screen.findByTestId('rc-offline-counts')).textContent).toBe(
      '2 paid offline, waiting for the companion server’s confirmation',
    );
    expect(screen.getByTestId('rc-offline-last').textContent).toBe(
      'The companion server has not been asked yet.',
    );
    fireEvent.click(screen.getByTestId('rc-offline-check'));
    await waitFor(() =>
      expect(screen.getByTestId('rc-offline-counts').textContent).toBe(
        '1 with no payment found — check them below',
      ),
    );
    expect(checkOfflinePayments).toHaveBeenCalledTimes(1);
    expect(toast).toHaveBeenCalledWith(
      'info',
      'Companion server asked about 2 offline payments: 1 confirmed, 1 with no payment (flagged for a manager).',
    );
    // The companion cannot be reached: the till says so and keeps what waits.
    const failed = {
      ...report,
      lastCheckedAt: '2026-11-27T14:10:00.000Z',
      lastError: 'The companion server at pay.example.com cannot be reached.',
    };
    reply = Promise.reject(new TillError('BackendUnavailable', failed.lastError));
    getOfflineProofs.mockImplementation(() => Promise.resolve(failed));
    fireEvent.click(screen.getByTestId('rc-offline-check'));
    await waitFor(() =>
      expect(screen.getByTestId('rc-offline-last').textContent).toMatch(
        /: The companion server at pay\.example\.com cannot be reached\.$/,
      ),
    );
    expect(screen.getByTestId('rc-offline-counts').textContent).toBe(
      '2 paid offline, waiting for the companion server’s confirmation',
    );
  });

  it('shows nothing where offline Lightning is not set up, or nothing waits', async () => {
    const { till } = fakeTill({
      getReconcile: vi.fn(() => Promise.resolve({ run: { ...IDLE_RUN }, rows: [], total: 0 })),
      getOfflineProofs: vi.fn(() => Promise.resolve({ ...report, unproven: 0 })),
    });
    render(
      <ShellContext.Provider value={shell(till)}>
        <ReconcileScreen />
      </ShellContext.Provider>,
    );
    await waitFor(() => expect(till.getOfflineProofs).toHaveBeenCalled());
    await act(() => Promise.resolve());
    expect(screen.queryByTestId('rc-offline')).toBeNull();
  });
});

describe('CustomerDisplaySettings', () => {
  const settings = { lanEnabled: false, lanAddress: '', lanPort: 4243, monitorId: null };
  const monitors = [
    { id: 1, label: 'Built-in', width: 1280, height: 800, primary: true },
    { id: 7, label: 'DELL P2419H', width: 1920, height: 1080, primary: false },
  ];

  it('lets the owner pick the customer’s screen among those attached', async () => {
    const update = vi.fn(({ settings: s }: { settings: typeof settings }) =>
      Promise.resolve({ settings: s, displays: [], monitors }),
    );
    const { till } = fakeTill({
      getCustomerDisplay: vi.fn(() => Promise.resolve({ settings, displays: [], monitors })),
      updateCustomerDisplay: update,
    });
    render(
      <ShellContext.Provider value={shell(till)}>
        <CustomerDisplaySettings />
      </ShellContext.Provider>,
    );
    const select = await screen.findByTestId('display-monitor');
    expect([...select.querySelectorAll('option')].map((o) => o.textContent)).toEqual([
      'No customer screen',
      'The first screen that is not the main one',
      'Built-in · 1280×800 (the main screen, where the till is)',
      'DELL P2419H · 1920×1080',
    ]);
    fireEvent.change(select, { target: { value: '7' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(update).toHaveBeenCalledWith({ settings: { ...settings, monitorId: 7 } }));
  });

  it('offers the plain switch where no screens can be listed (the browser host)', async () => {
    const { till } = fakeTill({
      getCustomerDisplay: vi.fn(() => Promise.resolve({ settings, displays: [], monitors: [] })),
    });
    render(
      <ShellContext.Provider value={shell(till)}>
        <CustomerDisplaySettings />
      </ShellContext.Provider>,
    );
    await screen.findByText(/On a second monitor \(desktop app\)/);
    expect(screen.queryByTestId('display-monitor')).toBeNull();
  });
});
