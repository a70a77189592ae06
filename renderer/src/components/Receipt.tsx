import type { Sale, SaleState } from '../../../shared/domain/index.js';
import { printedSaleNumber } from '../../../shared/domain/sale-number.js';
import { formatFiat, formatRate, formatSats } from '../../../shared/money/index.js';

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

export function Receipt({ sale, shopName }: { sale: Sale; shopName: string }) {
  const paid = sale.state === 'paid';
  const when = new Date(sale.paidAt ?? sale.createdAt);
  return (
    <article className={paid ? 'receipt' : 'receipt unpaid'} data-testid="receipt">
      <h3>{shopName}</h3>
      {sale.state !== 'paid' && (
        <div className="receipt-state" data-testid="receipt-state">
          {UNPAID[sale.state]}
        </div>
      )}
      <div className="receipt-meta">
        <span>Sale #{printedSaleNumber(sale.number)}</span>
        <span>{when.toLocaleString()}</span>
      </div>
      <table>
        <tbody>
          {sale.lines.map((l) => (
            <tr key={l.lineId}>
              <td className="q">{l.quantity} ×</td>
              <td>
                {l.title}
                {l.variantTitle && <div className="muted">{l.variantTitle}</div>}
              </td>
              <td className="amt">{formatFiat(l.lineTotal, sale.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="receipt-total">
        <span>{paid ? 'Total' : 'Total asked'}</span>
        <strong>{formatFiat(sale.total, sale.currency)}</strong>
      </div>
      {paid ? <PaidDetails sale={sale} /> : <UnpaidDetails sale={sale} />}
    </article>
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
