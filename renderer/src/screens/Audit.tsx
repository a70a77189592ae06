import { useCallback, useEffect, useState } from 'react';
import type { CommandName } from '../../../shared/contract/index.js';
import type { AuditEntry, StaffMember } from '../../../shared/domain/index.js';
import { formatFiat } from '../../../shared/money/index.js';
import { useShell } from '../context.js';

const PAGE = 50;

/** What each change was, in a manager's words. Commands not named here read from their name. */
const ACTION: Partial<Record<CommandName | 'unlockRefused', string>> = {
  unlock: 'Signed in',
  unlockRefused: 'Wrong PIN on the PIN pad',
  lock: 'Locked the till',
  addStaff: 'Added a person',
  updateStaff: 'Changed a person',
  startNewJournal: 'Started a new journal',
  addToCart: 'Added to the cart',
  addCustomAmount: 'Added a custom amount',
  scanBarcode: 'Scanned a barcode',
  setLineQuantity: 'Changed a quantity',
  changeLineQuantity: 'Changed a quantity',
  removeLine: 'Removed a line',
  clearCart: 'Cleared the cart',
  setLineDiscount: 'Discount on a line',
  setCartDiscount: 'Discount on the cart',
  setLineNote: 'Note on a line',
  setCartNote: 'Note on the order',
  parkCart: 'Held a cart',
  resumeParkedCart: 'Resumed a held cart',
  discardParkedCart: 'Discarded a held cart',
  charge: 'Charged (Lightning)',
  reissueInvoice: 'New invoice',
  cancelSale: 'Cancelled a sale',
  tapCard: 'Bolt Card tapped',
  demoPay: 'Demo payment',
  payCash: 'Cash sale',
  retryOrder: 'Sent an order to Shopify again',
  syncCatalog: 'Synced the catalog',
  startReconcile: 'Started a reconciliation',
  cancelReconcile: 'Stopped a reconciliation',
  exportReconcileCsv: 'Exported the reconciliation',
  exportReconcileParquet: 'Exported the reconciliation (Parquet)',
  applySafeRepairs: 'Applied safe repairs',
  setManualRate: 'Set a manual rate',
  updateSettings: 'Changed settings',
  updatePricingSettings: 'Changed taxes and tips',
  saveBackend: 'Changed the Lightning connection',
  saveShopify: 'Connected Shopify',
  disconnectShopify: 'Disconnected Shopify',
};

/** "Discount on the cart" for setCartDiscount; "Open Shift" for a command added later. */
export function actionText(action: string, outcome: AuditEntry['outcome'] = 'done'): string {
  if (action === 'unlock' && outcome === 'refused') return 'Wrong PIN on the PIN pad';
  return (
    (ACTION as Record<string, string | undefined>)[action] ??
    action.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase())
  );
}

const FIELD: Record<string, string> = {
  staffId: 'person',
  saleId: 'sale',
  lineId: 'line',
  parkedId: 'held cart',
  variantId: 'item',
};

/** The audit's detail (the command's safe fields as JSON) as a short line a manager can read. */
export function detailText(
  detail: string,
  currency: string,
  names: ReadonlyMap<string, string> = new Map(),
): string {
  let value: unknown;
  try {
    value = JSON.parse(detail);
  } catch {
    return detail;
  }
  if (value === null || typeof value !== 'object') return detail;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'confirmLarge' || v === false || v === null || v === '') continue;
    if (k === 'discount' && v && typeof v === 'object') {
      const d = v as { kind?: string; percent?: string; amount?: string; reason?: string };
      const off =
        d.kind === 'percentage'
          ? `${d.percent}% off`
          : d.amount
            ? `${amount(d.amount, currency)} off`
            : 'discount';
      parts.push(d.reason ? `${off} (${d.reason})` : off);
    } else if ((k === 'amount' || k === 'tendered') && typeof v === 'string') {
      parts.push(`${k === 'tendered' ? 'handed over ' : ''}${amount(v, currency)}`);
    } else if (k === 'staffId' && typeof v === 'string' && names.has(v)) {
      parts.push(names.get(v)!);
    } else if (k in FIELD && typeof v === 'string') {
      // The end of an id is enough to tell two apart (gid://shopify/ProductVariant/2012 → 2012).
      parts.push(`${FIELD[k]} ${(v.split('/').pop() ?? v).slice(0, 8)}`);
    } else {
      parts.push(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    }
  }
  return parts.join(', ');
}

function amount(minor: string, currency: string): string {
  try {
    return formatFiat(BigInt(minor), currency);
  } catch {
    return minor;
  }
}

/** The time for today's entries; the date too for older ones. */
function when(at: string): string {
  const d = new Date(at);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return d.toDateString() === new Date().toDateString()
    ? time
    : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })}, ${time}`;
}

/**
 * Who did what on this till, newest first: the person signed in, the manager who approved it in
 * place, what it was in words, when, and whether it went through. Filtered by one person (as
 * themselves or as approver), a page at a time.
 */
export function AuditScreen() {
  const { till, run, status } = useShell();
  const currency = status?.settings.currency ?? 'USD';
  const [staff, setStaff] = useState<StaffMember[]>([]);
  const [staffId, setStaffId] = useState('');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ entries: AuditEntry[]; total: number } | null>(null);

  useEffect(() => {
    void run(async () => setStaff((await till.listStaff()).staff));
  }, [till, run]);

  const load = useCallback(
    () =>
      run(async () =>
        setPage(await till.listAudit({ offset, limit: PAGE, ...(staffId ? { staffId } : {}) })),
      ),
    [till, run, offset, staffId],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const total = page?.total ?? 0;
  const names = new Map(staff.map((m) => [m.id, m.name]));
  return (
    <div className="audit" data-no-scan>
      <div className="audit-head">
        <h2>Audit</h2>
        <label className="audit-filter">
          Person
          <select
            value={staffId}
            data-testid="audit-staff"
            onChange={(e) => {
              setOffset(0);
              setStaffId(e.target.value);
            }}
          >
            <option value="">Everyone</option>
            {staff.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <div className="audit-pages">
          <span className="muted" data-testid="audit-range">
            {total === 0 ? 'Nothing yet' : `${offset + 1}–${Math.min(offset + PAGE, total)} of ${total}`}
          </span>
          <button
            className="btn small"
            data-testid="audit-newer"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE))}
          >
            Newer
          </button>
          <button
            className="btn small"
            data-testid="audit-older"
            disabled={offset + PAGE >= total}
            onClick={() => setOffset(offset + PAGE)}
          >
            Older
          </button>
          <button className="btn small ghost" onClick={() => void load()}>
            Refresh
          </button>
        </div>
      </div>
      <div className="audit-table">
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Approved by</th>
              <th>What</th>
              <th>Detail</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {page?.entries.map((e) => (
              <tr key={e.id} data-testid="audit-row" className={e.outcome === 'refused' ? 'refused' : ''}>
                <td className="when">{when(e.at)}</td>
                <td data-testid="audit-who">{e.staffName ?? '—'}</td>
                <td data-testid="audit-approver">{e.approverName ?? ''}</td>
                <td data-testid="audit-what">{actionText(e.action, e.outcome)}</td>
                <td className="detail" data-testid="audit-detail">
                  {detailText(e.detail, currency, names)}
                </td>
                <td data-testid="audit-outcome">
                  {e.outcome === 'done' ? 'Done' : <span className="badge state-cancelled">Refused</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {page?.entries.length === 0 && <div className="empty">Nothing recorded yet.</div>}
      </div>
    </div>
  );
}
