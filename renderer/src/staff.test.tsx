// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TillError, type TillApi } from '../../shared/contract/index.js';
import type { AuditEntry, Role, Session, StaffMember, TillStatus } from '../../shared/domain/index.js';
import { App } from './App.js';
import { ChangePinSheet } from './components/ChangePin.js';
import { ApprovalCancelled, useManagerApproval } from './components/ManagerApproval.js';
import { ShellContext, type Shell } from './context.js';
import { actionText, AuditScreen, detailText } from './screens/Audit.js';
import { StaffSettings } from './screens/StaffSettings.js';
import { awaitingSale, fakeTill, status } from './test-support.js';

vi.mock('qrcode', () => ({ default: { toCanvas: vi.fn(() => Promise.resolve()) } }));

afterEach(cleanup);

const person = (name: string, role: Role): Session => ({
  staffId: `${role}-1`,
  name,
  role,
  since: '2026-11-27T09:00:00.000Z',
});
const signedInAs = (session: Session | null, more: Partial<TillStatus> = {}): TillStatus => ({
  ...status(),
  session,
  ...more,
});
const locked = (more: Partial<TillStatus> = {}) => signedInAs(null, more);

function shellOf(till: TillApi, toast = vi.fn()): Shell {
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

const key = (k: string) => fireEvent.keyDown(window, { key: k });

describe('the PIN pad', () => {
  it('takes digits, Backspace and Enter from the keyboard, and shows a dot per digit', async () => {
    const unlock = vi.fn(() => Promise.resolve(signedInAs(person('Olivia', 'owner'))));
    const { till } = fakeTill({ getStatus: vi.fn(() => Promise.resolve(locked())), unlock });
    render(<App till={till} />);
    await screen.findByTestId('lock-screen');
    expect(screen.getByText('Enter your PIN')).toBeTruthy();
    expect(screen.getByText('Test Shop')).toBeTruthy();
    for (const d of '12349') key(d);
    const dots = () => screen.getByTestId('pin-dots').querySelectorAll('.dot.on').length;
    expect(dots()).toBe(5);
    key('Backspace');
    expect(dots()).toBe(4);
    // Enter with three digits is not yet a PIN: nothing is sent.
    key('Backspace');
    key('Enter');
    expect(unlock).not.toHaveBeenCalled();
    key('4');
    await act(async () => {
      key('Enter');
      await Promise.resolve();
    });
    expect(unlock).toHaveBeenCalledWith({ pin: '1234' });
    // Signed in: the register, with who it is in the top bar.
    await screen.findByTestId('nav-register');
    expect(screen.queryByTestId('lock-screen')).toBeNull();
    expect(screen.getByTestId('signed-in').textContent).toBe('OliviaOwner');
  });

  it('taps too: eight digits at most, and the till’s words for a wrong PIN and for a lock-out', async () => {
    const unlock = vi
      .fn()
      .mockRejectedValueOnce(new TillError('NotAuthorized', 'That PIN did not open the till. Try again.'))
      .mockRejectedValueOnce(new TillError('NotAuthorized', 'Too many wrong PINs: try again in 30 s.'));
    const { till } = fakeTill({ getStatus: vi.fn(() => Promise.resolve(locked())), unlock });
    render(<App till={till} />);
    await screen.findByTestId('lock-screen');
    for (const d of '123456789') fireEvent.click(screen.getByTestId(`pin-${d}`));
    expect(screen.getByTestId('pin-dots').querySelectorAll('.dot.on').length).toBe(8);
    await act(async () => {
      fireEvent.click(screen.getByTestId('pin-enter'));
      await Promise.resolve();
    });
    expect(unlock).toHaveBeenLastCalledWith({ pin: '12345678' });
    await waitFor(() =>
      expect(screen.getByTestId('pin-error').textContent).toBe('That PIN did not open the till. Try again.'),
    );
    // The typed PIN is gone, ready for the next try.
    expect(screen.getByTestId('pin-dots').querySelectorAll('.dot.on').length).toBe(0);
    for (const d of '0000') fireEvent.click(screen.getByTestId(`pin-${d}`));
    fireEvent.click(screen.getByTestId('pin-enter'));
    await waitFor(() =>
      expect(screen.getByTestId('pin-error').textContent).toBe('Too many wrong PINs: try again in 30 s.'),
    );
    expect(screen.getByTestId('lock-screen')).toBeTruthy();
  });

  it('shows the demo owner’s PIN while the demo owner still has it', async () => {
    const { till } = fakeTill({
      getStatus: vi.fn(() => Promise.resolve(locked({ demoOwnerPin: '1234' }))),
    });
    render(<App till={till} />);
    expect((await screen.findByTestId('demo-owner-pin')).textContent).toBe(
      'Demo owner PIN: 1234 — change it in Settings → Staff',
    );
  });

  it('comes back when any command is answered Locked (the till locked itself), and on Lock', async () => {
    const getStatus = vi.fn(() => Promise.resolve(status()));
    const lock = vi.fn(() => Promise.resolve(locked()));
    const listSales = vi.fn(() => Promise.resolve({ sales: [], totals: [] }));
    const { till, emit } = fakeTill({ getStatus, lock, listSales });
    render(<App till={till} />);
    await screen.findByTestId('nav-register');
    // The till locked itself while idle and pushes its status.
    act(() => emit('statusChanged', locked()));
    await screen.findByTestId('lock-screen');
    act(() => emit('statusChanged', status()));
    await screen.findByTestId('nav-sales');

    // A command refused with Locked (the push was missed): the App asks the till and shows the pad.
    getStatus.mockImplementation(() => Promise.resolve(locked()));
    listSales.mockImplementation(() =>
      Promise.reject(new TillError('Locked', 'The till is locked: enter your PIN.')),
    );
    fireEvent.click(screen.getByTestId('nav-sales'));
    await screen.findByTestId('lock-screen');

    listSales.mockImplementation(() => Promise.resolve({ sales: [], totals: [] }));
    act(() => emit('statusChanged', status()));
    fireEvent.click(await screen.findByTestId('lock'));
    await screen.findByTestId('lock-screen');
    expect(lock).toHaveBeenCalled();
  });
});

describe('tabs by role', () => {
  const tabsFor = async (session: Session) => {
    const { till } = fakeTill({
      getStatus: vi.fn(() => Promise.resolve(signedInAs(session))),
      getSettings: vi.fn(() => Promise.resolve(status().settings)),
    });
    render(<App till={till} />);
    await screen.findByTestId('nav-register');
    const tabs = [...document.querySelectorAll('nav button')].map((b) => b.textContent);
    cleanup();
    return tabs;
  };

  it('a cashier sells, sees sales and the shift; a manager also reconciles and reads the audit; the owner has Settings', async () => {
    expect(await tabsFor(person('Cam', 'cashier'))).toEqual(['Register', 'Sales', 'Shift']);
    expect(await tabsFor(person('Mia', 'manager'))).toEqual([
      'Register',
      'Sales',
      'Shift',
      'Reconcile',
      'Audit',
      'Settings',
    ]);
    expect(await tabsFor(person('Olivia', 'owner'))).toEqual([
      'Register',
      'Sales',
      'Shift',
      'Reconcile',
      'Audit',
      'Settings',
    ]);
  });

  it('a manager’s Settings hold only the manual rate: no shop, staff or node settings', async () => {
    const { till } = fakeTill({
      getStatus: vi.fn(() => Promise.resolve(signedInAs(person('Mia', 'manager')))),
      getSettings: vi.fn(() => Promise.resolve(status().settings)),
      listStaff: vi.fn(() => Promise.resolve({ staff: [] })),
    });
    render(<App till={till} />);
    fireEvent.click(await screen.findByTestId('nav-settings'));
    await screen.findByText('The owner changes the shop, the staff and the connections.');
    expect(screen.queryByTestId('staff')).toBeNull();
    expect(screen.queryByText('Shop')).toBeNull();
    expect(till.listStaff).not.toHaveBeenCalled();
  });

  it('a cashier signing in after the owner, who left Settings open, finds the register', async () => {
    const { till, emit } = fakeTill({
      getSettings: vi.fn(() => Promise.resolve(status().settings)),
      listStaff: vi.fn(() => Promise.resolve({ staff: [] })),
    });
    render(<App till={till} />);
    fireEvent.click(await screen.findByTestId('nav-settings'));
    await screen.findByTestId('staff');
    act(() => emit('statusChanged', locked()));
    await screen.findByTestId('lock-screen');
    act(() => emit('statusChanged', signedInAs(person('Cam', 'cashier'))));
    await screen.findByTestId('charge-button');
    expect(screen.queryByTestId('staff')).toBeNull();
    expect(screen.queryByTestId('nav-settings')).toBeNull();
  });
});

/** A screen with one button running `run` on the approving till, as any screen of the App would. */
function Approving({ till, run }: { till: TillApi; run: (till: TillApi) => Promise<unknown> }) {
  const approval = useManagerApproval();
  const [result, setResult] = useState('');
  const wrapped = approval.approving(till);
  return (
    <>
      <button
        onClick={() =>
          void run(wrapped).then(
            (v) => setResult(`done ${JSON.stringify(v)}`),
            (e: unknown) => setResult(e instanceof ApprovalCancelled ? 'cancelled' : 'failed'),
          )
        }
      >
        Go
      </button>
      <output data-testid="result">{result}</output>
      {approval.dialog}
    </>
  );
}

describe('approval in place for any command', () => {
  const needsOwner = new TillError(
    'NeedsManager',
    'Only the owner can do this: ask them to enter their PIN.',
  );

  it('asks with the till’s own words, says a wrong PIN, and runs the command once with the right one', async () => {
    const syncCatalog = vi.fn(({ managerPin }: { full?: boolean; managerPin?: string }) => {
      if (managerPin === undefined) return Promise.reject(needsOwner);
      if (managerPin !== '4821')
        return Promise.reject(new TillError('NotAuthorized', 'That PIN is not right. Try again.'));
      return Promise.resolve('synced');
    });
    const { till } = fakeTill({ syncCatalog });
    render(<Approving till={till} run={(t) => t.syncCatalog({ full: true })} />);
    fireEvent.click(screen.getByText('Go'));
    expect((await screen.findByTestId('manager-reason')).textContent).toBe(
      'Only the owner can do this: ask them to enter their PIN.',
    );
    expect(screen.getByTestId('manager-title').textContent).toBe('Owner’s approval');
    fireEvent.change(screen.getByTestId('manager-pin'), { target: { value: '1111' } });
    fireEvent.click(screen.getByTestId('manager-approve'));
    expect((await screen.findByTestId('manager-error')).textContent).toBe(
      'That PIN is not right. Try again.',
    );
    fireEvent.change(screen.getByTestId('manager-pin'), { target: { value: '4821' } });
    fireEvent.click(screen.getByTestId('manager-approve'));
    await waitFor(() => expect(screen.getByTestId('result').textContent).toBe('done "synced"'));
    expect(screen.queryByTestId('manager-pin')).toBeNull();
    expect(syncCatalog.mock.calls.map((c) => c[0])).toEqual([
      { full: true },
      { full: true, managerPin: '1111' },
      { full: true, managerPin: '4821' },
    ]);
  });

  it('Cancel does nothing and says so to the caller; other errors pass through untouched', async () => {
    const retryOrder = vi.fn(() =>
      Promise.reject(new TillError('NeedsManager', 'This needs a manager: ask one to enter their PIN.')),
    );
    const { till } = fakeTill({ retryOrder });
    render(<Approving till={till} run={(t) => t.retryOrder({ saleId: 's1' })} />);
    fireEvent.click(screen.getByText('Go'));
    expect((await screen.findByTestId('manager-title')).textContent).toBe('Manager approval');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.getByTestId('result').textContent).toBe('cancelled'));
    expect(retryOrder).toHaveBeenCalledTimes(1);
    cleanup();

    const getSale = vi.fn(() => Promise.reject(new TillError('NotFound', 'No such sale.')));
    render(<Approving till={fakeTill({ getSale }).till} run={(t) => t.getSale({ saleId: 's1' })} />);
    fireEvent.click(screen.getByText('Go'));
    await waitFor(() => expect(screen.getByTestId('result').textContent).toBe('failed'));
    expect(screen.queryByTestId('manager-pin')).toBeNull();
  });
});

describe('approval in place, wired into the App', () => {
  const paid = {
    ...awaitingSale(new Date(Date.now() + 600_000)),
    state: 'paid' as const,
    staffName: 'Cam',
    order: { state: 'failed' as const, orderName: null, error: 'Shopify refused the order.' },
  };
  const needsManager = () =>
    Promise.reject(new TillError('NeedsManager', 'This needs a manager: ask one to enter their PIN.'));

  /** Cam, a cashier, on Sales with a paid sale whose Shopify order failed, its retry tapped. */
  async function cashierRetries(
    retryOrder: (input: { saleId: string; managerPin?: string }) => Promise<unknown>,
  ) {
    const { id, number, state, currency, total, createdAt, paidAt, amountPaidMsat, paidLate, tender, order } =
      paid;
    const summary = {
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
    };
    const { till, emit } = fakeTill({
      getStatus: vi.fn(() => Promise.resolve(signedInAs(person('Cam', 'cashier')))),
      listSales: vi.fn(() =>
        Promise.resolve({
          sales: [{ ...summary, itemCount: 0, discounts: 0n, tax: 0n, tip: 0n }],
          totals: [],
        }),
      ),
      getSale: vi.fn(() => Promise.resolve(paid)),
      retryOrder: vi.fn(retryOrder),
    });
    render(<App till={till} />);
    fireEvent.click(await screen.findByTestId('nav-sales'));
    fireEvent.click(await screen.findByTestId('sale-row'));
    expect((await screen.findByTestId('rung-up-by')).textContent).toBe('Rung up by Cam');
    fireEvent.click(await screen.findByTestId('retry-order'));
    expect((await screen.findByTestId('manager-reason')).textContent).toBe(
      'This needs a manager: ask one to enter their PIN.',
    );
    return { till, emit };
  }

  it('a cashier sends a parked order again with a manager’s PIN typed on their screen; Sales says who rang it up', async () => {
    const { till } = await cashierRetries(({ managerPin }) =>
      managerPin === '4821'
        ? Promise.resolve({ ...paid, order: { state: 'pending' as const, orderName: null, error: null } })
        : needsManager(),
    );
    fireEvent.change(screen.getByTestId('manager-pin'), { target: { value: '4821' } });
    fireEvent.click(screen.getByTestId('manager-approve'));
    await waitFor(() => expect(screen.queryByTestId('order-failed')).toBeNull());
    expect(till.retryOrder).toHaveBeenLastCalledWith({ saleId: 's1', managerPin: '4821' });
    expect(till.retryOrder).toHaveBeenCalledTimes(2);
  });

  it('an approval still asked for when the till locks is dropped, not left for the next person', async () => {
    const { till, emit } = await cashierRetries(needsManager);
    act(() => emit('statusChanged', locked()));
    await screen.findByTestId('lock-screen');
    act(() => emit('statusChanged', signedInAs(person('Mia', 'manager'))));
    await screen.findByTestId('nav-audit');
    expect(screen.queryByTestId('manager-pin')).toBeNull();
    expect(till.retryOrder).toHaveBeenCalledTimes(1);
  });
});

const members: StaffMember[] = [
  { id: 'o1', name: 'Olivia', role: 'owner', active: true, createdAt: '2026-11-27T09:00:00.000Z' },
  { id: 'c1', name: 'Cam', role: 'cashier', active: true, createdAt: '2026-11-27T09:00:00.000Z' },
  { id: 'x1', name: 'Xavier', role: 'cashier', active: false, createdAt: '2026-11-27T09:00:00.000Z' },
];

describe('Settings → Staff', () => {
  function staffScreen(overrides: Parameters<typeof fakeTill>[0] = {}) {
    const { till } = fakeTill({ listStaff: vi.fn(() => Promise.resolve({ staff: members })), ...overrides });
    render(
      <ShellContext.Provider value={shellOf(till)}>
        <StaffSettings />
      </ShellContext.Provider>,
    );
    return till;
  }

  it('lists everyone with role and whether they may sign in', async () => {
    staffScreen();
    await waitFor(() => expect(screen.getAllByTestId('staff-row')).toHaveLength(3));
    expect(screen.getAllByTestId('staff-name').map((e) => e.textContent)).toEqual([
      'Olivia',
      'Cam',
      'Xavier',
    ]);
    expect(screen.getAllByTestId('staff-role').map((e) => e.textContent)).toEqual([
      'Owner',
      'Cashier',
      'Cashier',
    ]);
    expect(screen.getAllByTestId('staff-state').map((e) => e.textContent)).toEqual([
      'Active',
      'Active',
      'Deactivated',
    ]);
  });

  it('adding: a name, a PIN typed twice the same, then the till’s own refusal beside the PIN', async () => {
    const addStaff = vi.fn(() =>
      Promise.reject(
        new TillError('ValidationError', 'Someone already has that PIN: choose another.', [
          { path: 'pin', message: 'Someone already has that PIN: choose another.' },
        ]),
      ),
    );
    staffScreen({ addStaff });
    const form = within(await screen.findByTestId('staff-add'));
    fireEvent.click(form.getByTestId('add-staff'));
    expect(form.getByTestId('add-name-error').textContent).toBe('Enter the person’s name');
    expect(form.getByTestId('add-pin-error').textContent).toBe('A PIN is 4 to 8 digits');
    fireEvent.change(form.getByTestId('add-name'), { target: { value: 'Mia' } });
    fireEvent.change(form.getByTestId('add-role'), { target: { value: 'manager' } });
    fireEvent.change(form.getByTestId('add-pin'), { target: { value: '48a21' } });
    expect(form.getByTestId<HTMLInputElement>('add-pin').value).toBe('4821');
    fireEvent.change(form.getByTestId('add-pin-again'), { target: { value: '4822' } });
    fireEvent.click(form.getByTestId('add-staff'));
    expect(form.getByTestId('add-pin-again-error').textContent).toBe(
      'The two PINs are not the same: type it again.',
    );
    expect(addStaff).not.toHaveBeenCalled();
    fireEvent.change(form.getByTestId('add-pin-again'), { target: { value: '4821' } });
    fireEvent.click(form.getByTestId('add-staff'));
    expect((await form.findByTestId('add-pin-error')).textContent).toBe(
      'Someone already has that PIN: choose another.',
    );
    expect(addStaff).toHaveBeenCalledWith({ name: 'Mia', role: 'manager', pin: '4821' });
  });

  it('editing: the last owner’s role change refused beside the role; a reset PIN; deactivating', async () => {
    const updateStaff = vi.fn((input: { staffId: string; role?: Role; active?: boolean; pin?: string }) =>
      input.role === 'manager'
        ? Promise.reject(
            new TillError('InvalidState', 'The till needs an owner: make someone else owner first.'),
          )
        : Promise.resolve({ ...members[1]!, ...input }),
    );
    staffScreen({ updateStaff });
    const rows = await screen.findAllByTestId('staff-edit');
    fireEvent.click(rows[0]!);
    fireEvent.change(screen.getByTestId('edit-role'), { target: { value: 'manager' } });
    fireEvent.click(screen.getByTestId('edit-save'));
    expect((await screen.findByTestId('edit-role-error')).textContent).toBe(
      'The till needs an owner: make someone else owner first.',
    );
    expect(updateStaff).toHaveBeenLastCalledWith({ staffId: 'o1', role: 'manager' });
    fireEvent.click(screen.getByTestId('edit-cancel'));

    fireEvent.click(screen.getAllByTestId('staff-edit')[1]!);
    fireEvent.click(screen.getByTestId('edit-reset-pin'));
    fireEvent.change(screen.getByTestId('edit-pin'), { target: { value: '5555' } });
    fireEvent.change(screen.getByTestId('edit-pin-again'), { target: { value: '5555' } });
    fireEvent.click(screen.getByTestId('edit-save-pin'));
    await waitFor(() => expect(updateStaff).toHaveBeenLastCalledWith({ staffId: 'c1', pin: '5555' }));
    fireEvent.click(screen.getByTestId('edit-deactivate'));
    await waitFor(() => expect(updateStaff).toHaveBeenLastCalledWith({ staffId: 'c1', active: false }));
  });
});

describe('Change my PIN', () => {
  it('needs the current PIN and the new one twice; the till’s refusal of the current PIN shows beside it', async () => {
    const updateStaff = vi
      .fn()
      .mockRejectedValueOnce(new TillError('NotAuthorized', 'Enter your current PIN to change it.'))
      .mockResolvedValueOnce(members[1]);
    const onClose = vi.fn();
    const { till } = fakeTill({ updateStaff });
    render(
      <ShellContext.Provider value={shellOf(till)}>
        <ChangePinSheet session={person('Cam', 'cashier')} onClose={onClose} />
      </ShellContext.Provider>,
    );
    const type = (id: string, v: string) =>
      fireEvent.change(screen.getByTestId(id), { target: { value: v } });
    type('my-current-pin', '1111');
    type('my-new-pin', '2468');
    type('my-new-pin-again', '2469');
    fireEvent.click(screen.getByTestId('my-pin-save'));
    expect(screen.getByTestId('my-new-pin-again-error').textContent).toBe(
      'The two new PINs are not the same: type it again.',
    );
    type('my-new-pin-again', '2468');
    fireEvent.click(screen.getByTestId('my-pin-save'));
    expect((await screen.findByTestId('my-current-pin-error')).textContent).toBe(
      'Enter your current PIN to change it.',
    );
    expect(updateStaff).toHaveBeenLastCalledWith({ staffId: 'cashier-1', pin: '2468', currentPin: '1111' });
    type('my-current-pin', '1357');
    fireEvent.click(screen.getByTestId('my-pin-save'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(updateStaff).toHaveBeenLastCalledWith({ staffId: 'cashier-1', pin: '2468', currentPin: '1357' });
  });
});

describe('the audit', () => {
  const entry = (id: number, more: Partial<AuditEntry> = {}): AuditEntry => ({
    id,
    at: '2026-11-27T10:15:00.000Z',
    tillId: 't1',
    staffId: 'c1',
    staffName: 'Cam',
    approverId: null,
    approverName: null,
    action: 'addToCart',
    detail: '{"variantId":"v1","quantity":1}',
    outcome: 'done',
    saleId: null,
    ...more,
  });

  it('says who, who approved, what in words and the detail; filters by person; pages', async () => {
    const listAudit = vi.fn((filter: { offset?: number; staffId?: string }) =>
      Promise.resolve({
        total: 120,
        entries:
          filter.offset === 0
            ? [
                entry(120, {
                  action: 'setCartDiscount',
                  approverId: 'm1',
                  approverName: 'Mia',
                  detail: '{"discount":{"kind":"percentage","percent":"50","reason":"Damaged box"}}',
                }),
                entry(119, {
                  outcome: 'refused',
                  action: 'updateSettings',
                  detail: 'Only the owner can do this.',
                }),
              ]
            : [entry(70)],
      }),
    );
    const { till } = fakeTill({ listAudit, listStaff: vi.fn(() => Promise.resolve({ staff: members })) });
    render(
      <ShellContext.Provider value={shellOf(till)}>
        <AuditScreen />
      </ShellContext.Provider>,
    );
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(2));
    const first = within(screen.getAllByTestId('audit-row')[0]!);
    expect(first.getByTestId('audit-who').textContent).toBe('Cam');
    expect(first.getByTestId('audit-approver').textContent).toBe('Mia');
    expect(first.getByTestId('audit-what').textContent).toBe('Discount on the cart');
    expect(first.getByTestId('audit-detail').textContent).toBe('50% off (Damaged box)');
    expect(within(screen.getAllByTestId('audit-row')[1]!).getByTestId('audit-outcome').textContent).toBe(
      'Refused',
    );
    expect(screen.getByTestId('audit-range').textContent).toBe('1–50 of 120');

    fireEvent.click(screen.getByTestId('audit-older'));
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(1));
    expect(listAudit).toHaveBeenLastCalledWith({ offset: 50, limit: 50 });
    expect(screen.getByTestId('audit-range').textContent).toBe('51–100 of 120');

    await waitFor(() => expect(screen.getAllByRole('option')).toHaveLength(4));
    fireEvent.change(screen.getByTestId('audit-staff'), { target: { value: 'c1' } });
    await waitFor(() => expect(listAudit).toHaveBeenLastCalledWith({ offset: 0, limit: 50, staffId: 'c1' }));
  });

  it('words for actions and details', () => {
    expect(actionText('payCash')).toBe('Cash sale');
    expect(actionText('openShift')).toBe('Open Shift');
    expect(actionText('unlock')).toBe('Signed in');
    expect(detailText('{"staffId":"c1","name":"Cam B"}', 'USD', new Map([['c1', 'Cam']]))).toBe(
      'Cam, name: Cam B',
    );
    expect(actionText('unlock', 'refused')).toBe('Wrong PIN on the PIN pad');
    expect(detailText('{"variantId":"gid://shopify/ProductVariant/2012","quantity":1}', 'USD')).toBe(
      'item 2012, quantity: 1',
    );
    expect(detailText('{"amount":"1250","title":"Gift"}', 'USD')).toBe('$12.50, title: Gift');
    expect(detailText('{"discount":{"kind":"fixed","amount":"500","reason":""}}', 'USD')).toBe('$5.00 off');
    expect(detailText('approval refused: wrong PIN or role', 'USD')).toBe(
      'approval refused: wrong PIN or role',
    );
  });
});
