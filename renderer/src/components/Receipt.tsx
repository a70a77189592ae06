import type { Sale } from '../../../shared/domain/index.js';
import { formatFiat, formatRate, formatSats } from '../../../shared/money/index.js';

export function Receipt({ sale, shopName }: { sale: Sale; shopName: string }) {
  const when = new Date(sale.paidAt ?? sale.createdAt);
  return (
    <article className="receipt" data-testid="receipt">
      <h3>{shopName}</h3>
      <div className="receipt-meta">
        <span>Sale #{String(sale.number).padStart(6, '0')}</span>
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
        <span>Total</span>
        <strong>{formatFiat(sale.total, sale.currency)}</strong>
      </div>
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
    </article>
  );
}
