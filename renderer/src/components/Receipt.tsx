import { useEffect, useState } from 'react';
import type { Discount, Pricing, Sale, SaleState } from '../../../shared/domain/index.js';
import { printedSaleNumber } from '../../../shared/domain/sale-number.js';
import { formatFiat, formatRate, formatSats } from '../../../shared/money/index.js';
import { useShell } from '../context.js';

/** What the receipt prints under the shop's name, for the tax office. */
export interface ReceiptHeader {
  taxId: string;
  address: string;
}

/** The owner's receipt lines (Settings → Taxes and tips), read once per screen. */
export function useReceiptHeader(): ReceiptHeader | null {
  const { till } = useShell();
  const [header, setHeader] = useState<ReceiptHeader | null>(null);
  useEffect(() => {
    let live = true;
    till.getPricingSettings().then(
      (p) => live && setHeader(p.receipt),
      () => undefined, // a receipt without its tax id is still a receipt; Settings shows the error
    );
    const off = till.on('pricingChanged', (p) => setHeader(p.receipt));
    return () => {
      live = false;
      off();
    };
  }, [till]);
  return header;
}

function discountLabel(d: Discount): string {
  const what = d.kind === 'percentage' ? `Discount ${d.percent}%` : 'Discount';
  return d.reason ? `${what} · ${d.reason}` : what;
}

/** What an unpaid sale's record says it is: never "Paid", never a thank-you for money not received. */
const UNPAID: Record<Exclude<SaleState, 'paid'>, string> = {
  open: 'Open — not paid',
  awaiting_payment: 'Awaiting payment — not paid yet',
  expired: 'Expired — not paid',
  cancelled: 'Cancelled — not paid',
};

/** Only a paid sale can be printed as a receipt; any other sale is a record of what was asked. */
export function isReceipt(sale: Sale): boolean {
  return sale.state === 'paid';
}

export function Receipt({
  sale,
  shopName,
  header = null,
}: {
  sale: Sale;
  shopName: string;
  header?: ReceiptHeader | null;
}) {
  const paid = sale.state === 'paid';
  const when = new Date(sale.paidAt ?? sale.createdAt);
  const priced = sale.pricing;
  const byLine = new Map(priced?.lines.map((l) => [l.lineId, l]));
  return (
    <article className={paid ? 'receipt' : 'receipt unpaid'} data-testid="receipt">
      <h3>{shopName}</h3>
      {header?.address && <div className="receipt-address">{header.address}</div>}
      {header?.taxId && <div className="receipt-taxid">VAT / tax id {header.taxId}</div>}
      {sale.state !== 'paid' && (
        <div className="receipt-state" data-testid="receipt-state">
          {UNPAID[sale.state]}
        </div>
      )}
      <div className="receipt-meta">
        <span>Sale #{printedSaleNumber(sale.number)}</span>
        <span>{when.toLocaleString()}</span>
      </div>
      {sale.staffName && <div className="muted receipt-staff">Served by {sale.staffName}</div>}
      <table>
        <tbody>
          {sale.lines.map((l) => {
            const off = byLine.get(l.lineId)?.lineDiscount;
            return [
              <tr key={l.lineId}>
                <td className="q">{l.quantity} ×</td>
                <td>
                  {l.title}
                  {l.variantTitle && <div className="muted">{l.variantTitle}</div>}
                  {l.note && (
                    <div className="muted receipt-line-note" data-testid="receipt-line-note">
                      Note: {l.note}
                    </div>
                  )}
                </td>
                <td className="amt">{formatFiat(l.lineTotal, sale.currency)}</td>
              </tr>,
              off && off.amount > 0n && (
                <tr key={`${l.lineId}-off`} className="receipt-discount" data-testid="receipt-line-discount">
                  <td />
                  <td>{discountLabel(off.discount)}</td>
                  <td className="amt">−{formatFiat(off.amount, sale.currency)}</td>
                </tr>
              ),
            ];
          })}
        </tbody>
      </table>
      {priced && <PricedTotals pricing={priced} />}
      <div className="receipt-total">
        <span>{paid ? 'Total' : 'Total asked'}</span>
        <strong>{formatFiat(sale.total, sale.currency)}</strong>
      </div>
      {sale.note && (
        <div className="receipt-note" data-testid="receipt-note">
          Note: {sale.note}
        </div>
      )}
      {paid ? <PaidDetails sale={sale} /> : <UnpaidDetails sale={sale} />}
    </article>
  );
}

/** Subtotal, the cart's discount, tax added on top and the tip, when there are any. */
function PricedTotals({ pricing }: { pricing: Pricing }) {
  const { totals, currency } = pricing;
  const money = (v: bigint) => formatFiat(v, currency);
  const taxAdded = !pricing.taxesIncluded && totals.tax > 0n;
  const rated = pricing.taxLines.filter((r) => r.taxRate !== null);
  if (totals.discounts === 0n && !taxAdded && totals.tip === 0n && rated.length === 0) return null;
  return (
    <>
      <dl className="receipt-sums" data-testid="receipt-sums">
        {(totals.discounts > 0n || taxAdded || totals.tip > 0n) && (
          <>
            <dt>Subtotal</dt>
            <dd>{money(totals.subtotal)}</dd>
          </>
        )}
        {pricing.cartDiscount && pricing.cartDiscount.amount > 0n && (
          <>
            <dt>{discountLabel(pricing.cartDiscount.discount)}</dt>
            <dd>−{money(pricing.cartDiscount.amount)}</dd>
          </>
        )}
        {taxAdded && (
          <>
            <dt>Tax</dt>
            <dd>{money(totals.tax)}</dd>
          </>
        )}
        {totals.tip > 0n && (
          <>
            <dt>Tip</dt>
            <dd data-testid="receipt-tip">{money(totals.tip)}</dd>
          </>
        )}
      </dl>
      {rated.length > 0 && (
        <table className="receipt-taxes" data-testid="receipt-taxes">
          <thead>
            <tr>
              <th>{pricing.taxesIncluded ? 'Tax included' : 'Tax'}</th>
              <th className="amt">Net</th>
              <th className="amt">Tax</th>
              <th className="amt">Gross</th>
            </tr>
          </thead>
          <tbody>
            {pricing.taxLines.map((r) => (
              <tr key={r.taxRate?.title ?? 'untaxed'}>
                <td>{r.taxRate?.title ?? 'Untaxed'}</td>
                <td className="amt">{money(r.net)}</td>
                <td className="amt">{money(r.tax)}</td>
                <td className="amt">{money(r.gross)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function PaidDetails({ sale }: { sale: Sale }) {
  return (
    <>
      {sale.invoice && (
        <dl>
          <dt>Paid</dt>
          <dd>{formatSats(sale.amountPaidMsat ?? sale.invoice.amountMsat)} via Lightning</dd>
          <dt>Rate</dt>
          <dd>
            {formatRate(sale.invoice.rate.rate, sale.invoice.rate.currency)} ({sale.invoice.rate.source})
          </dd>
          <dt>Payment hash</dt>
          <dd className="hash">{sale.invoice.paymentHash}</dd>
        </dl>
      )}
      {sale.tender === 'lightning-offline' && sale.offline && (
        <dl data-testid="offline-tender">
          <dt>Paid</dt>
          <dd>{formatSats(sale.offline.amountMsat)} via Lightning (offline) — to be confirmed</dd>
          <dt>Rate</dt>
          <dd>
            {formatRate(sale.offline.rate.rate, sale.offline.rate.currency)} ({sale.offline.rate.source}, from{' '}
            {new Date(sale.offline.rate.fetchedAt).toLocaleTimeString([], {
              hour: '2-digit',
              minute: '2-digit',
            })}
            , offline)
          </dd>
          <dt>PIN</dt>
          <dd>Checked by the till</dd>
        </dl>
      )}
      {sale.tender === 'cash' && sale.cashTendered !== null && (
        <dl>
          <dt>Cash</dt>
          <dd>{formatFiat(sale.cashTendered, sale.currency)}</dd>
          <dt>Change</dt>
          <dd>{formatFiat(sale.cashTendered - sale.total, sale.currency)}</dd>
        </dl>
      )}
      {sale.order?.orderName && (
        <div className="muted order-name" data-testid="order-name">
          Shopify order {sale.order.orderName}
        </div>
      )}
      {sale.paidLate && <div className="late">Paid after the invoice expired</div>}
      <div className="thanks">Thank you!</div>
    </>
  );
}

/** What happened to a sale nobody paid: the invoice that was asked for and why it ended. */
function UnpaidDetails({ sale }: { sale: Sale }) {
  return (
    <dl>
      {sale.invoice && (
        <>
          <dt>Invoice</dt>
          <dd>{formatSats(sale.invoice.amountMsat)} asked, not received</dd>
          <dt>Invoice expiry</dt>
          <dd>{new Date(sale.invoice.expiresAt).toLocaleString()}</dd>
          <dt>Payment hash</dt>
          <dd className="hash">{sale.invoice.paymentHash}</dd>
        </>
      )}
      {sale.stateReason && (
        <>
          <dt>What happened</dt>
          <dd data-testid="receipt-reason">{sale.stateReason}</dd>
        </>
      )}
    </dl>
  );
}
