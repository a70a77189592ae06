import type { RefundReceiptDocument } from '../../../shared/receipt/document.js';
import { QR_MM, ShopHead } from './ReceiptPrint.js';
import { SaleQr } from './SaleQr.js';

/**
 * A refund's receipt as it prints, beside a sale's (ReceiptPrint): "Refund" in large letters so
 * nobody takes it for a sale's, the sale it gives back from, each line with whether it went back
 * to stock, how the money went back, who did it and who approved it. The QR is the sale's: a
 * second return scans it as the first did.
 */
export function RefundReceiptPrint({ doc }: { doc: RefundReceiptDocument }) {
  return (
    <article className={`print-receipt paper-${doc.paper} pr-refund`} data-testid="print-receipt">
      <ShopHead doc={doc} />
      <div className="pr-refund-title" data-testid="print-refund-title">
        Refund
      </div>
      <dl className="pr-meta">
        <dt>Refund no.</dt>
        <dd data-testid="print-refund-number">{doc.refundNumber}</dd>
        <dt>Time</dt>
        <dd>{doc.time}</dd>
        <dt>Of sale</dt>
        <dd data-testid="print-sale-number">#{doc.saleNumber}</dd>
        <dt>Sold</dt>
        <dd>{doc.saleTime}</dd>
      </dl>
      <table className="pr-lines">
        <tbody>
          {doc.lines.map((l, i) => (
            <tr key={i}>
              <td className="q">{l.quantity} ×</td>
              <td>
                {l.title}
                {l.variant && <div className="pr-muted">{l.variant}</div>}
                <div className="pr-muted">{l.restocked ? 'Back to stock' : 'Not restocked'}</div>
              </td>
              <td className="amt">−{l.amount}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {doc.sums.length > 0 && (
        <dl className="pr-sums">
          {doc.sums.map((s) => [
            <dt key={`${s.label}-l`}>{s.label}</dt>,
            <dd key={`${s.label}-a`}>{s.amount}</dd>,
          ])}
        </dl>
      )}
      <div className="pr-total">
        <span>Refunded</span>
        <strong>−{doc.total}</strong>
      </div>
      <dl className="pr-tender">
        {doc.tender.kind === 'cash' ? (
          <>
            <dt>Cash given back</dt>
            <dd>{doc.tender.amount}</dd>
          </>
        ) : (
          <>
            <dt>Sent via Lightning</dt>
            <dd>{doc.tender.sats}</dd>
            <dt>Payment hash</dt>
            <dd className="pr-hash">{doc.tender.paymentHash}</dd>
          </>
        )}
      </dl>
      <dl className="pr-meta pr-people">
        <dt>Reason</dt>
        <dd>{doc.reason}</dd>
        {doc.refundedBy && (
          <>
            <dt>Refunded by</dt>
            <dd>{doc.refundedBy}</dd>
          </>
        )}
        {doc.approvedBy && (
          <>
            <dt>Approved by</dt>
            <dd>{doc.approvedBy}</dd>
          </>
        )}
      </dl>
      <footer className="pr-foot">
        <SaleQr code={doc.saleCode} sizeMm={QR_MM[doc.paper]} />
        <div className="pr-code">{doc.saleCode}</div>
        {doc.footer && <div className="pr-footer-text">{doc.footer}</div>}
      </footer>
    </article>
  );
}
