import type { ReceiptDocument, SaleReceiptDocument } from '../../../shared/receipt/document.js';
import { RefundReceiptPrint } from './RefundReceiptPrint.js';
import { SaleQr } from './SaleQr.js';

/** The QR's printed size: big enough for a hand scanner at arm's length, small enough for 58 mm. */
export const QR_MM = { '58mm': 24, '80mm': 28, a4: 30 } as const;

/** The shop at the top of every receipt, a sale's or a refund's. */
export function ShopHead({
  doc,
}: {
  doc: Pick<ReceiptDocument, 'logo' | 'shopName' | 'address' | 'taxId' | 'header'>;
}) {
  return (
    <header className="pr-head">
      <div className="pr-shop">
        {doc.logo && <img className="pr-logo" src={doc.logo} alt="" />}
        <h1>{doc.shopName}</h1>
        {doc.address && <div className="pr-address">{doc.address}</div>}
        {doc.taxId && <div>VAT / tax id {doc.taxId}</div>}
        {doc.header && <div className="pr-header-text">{doc.header}</div>}
      </div>
    </header>
  );
}

/**
 * A receipt exactly as it prints, on 58 mm and 80 mm rolls and on A4. Only what the document
 * holds: the words and figures were written by the till (shared/receipt/document.ts).
 */
export function ReceiptPrint({ doc }: { doc: ReceiptDocument }) {
  return doc.kind === 'refund' ? <RefundReceiptPrint doc={doc} /> : <SaleReceiptPrint doc={doc} />;
}

function SaleReceiptPrint({ doc }: { doc: SaleReceiptDocument }) {
  return (
    <article className={`print-receipt paper-${doc.paper}`} data-testid="print-receipt">
      <ShopHead doc={doc} />
      <dl className="pr-meta">
        <dt>Sale</dt>
        <dd data-testid="print-sale-number">#{doc.saleNumber}</dd>
        <dt>Time</dt>
        <dd>{doc.time}</dd>
        {doc.staffName && (
          <>
            <dt>Served by</dt>
            <dd>{doc.staffName}</dd>
          </>
        )}
      </dl>
      <table className="pr-lines">
        <tbody>
          {doc.lines.map((l, i) => [
            <tr key={i}>
              <td className="q">{l.quantity} ×</td>
              <td>
                {l.title}
                {l.variant && <div className="pr-muted">{l.variant}</div>}
                {l.note && <div className="pr-muted">Note: {l.note}</div>}
              </td>
              <td className="amt">{l.amount}</td>
            </tr>,
            l.discount && (
              <tr key={`${i}-off`}>
                <td />
                <td>{l.discount.label}</td>
                <td className="amt">{l.discount.amount}</td>
              </tr>
            ),
          ])}
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
        <span>Total</span>
        <strong>{doc.total}</strong>
      </div>
      {doc.taxes.length > 0 && (
        <table className="pr-taxes">
          <thead>
            <tr>
              <th>{doc.taxesIncluded ? 'Tax included' : 'Tax'}</th>
              <th className="amt">Net</th>
              <th className="amt">Tax</th>
              <th className="amt">Gross</th>
            </tr>
          </thead>
          <tbody>
            {doc.taxes.map((t) => (
              <tr key={t.title}>
                <td>{t.title}</td>
                <td className="amt">{t.net}</td>
                <td className="amt">{t.tax}</td>
                <td className="amt">{t.gross}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <dl className="pr-tender">
        {doc.tender.kind === 'cash' ? (
          <>
            <dt>Cash</dt>
            <dd>{doc.tender.tendered}</dd>
            <dt>Change</dt>
            <dd>{doc.tender.change}</dd>
          </>
        ) : doc.tender.kind === 'lightning-offline' ? (
          <>
            <dt>{doc.tender.label}</dt>
            <dd>{doc.tender.sats}</dd>
            <dt>Rate</dt>
            <dd>{doc.tender.rate}</dd>
            <dt>Rate source</dt>
            <dd>{doc.tender.rateSource}</dd>
            <dt>Offline link</dt>
            <dd className="pr-hash">{doc.tender.nonce}</dd>
          </>
        ) : (
          <>
            <dt>Paid via Lightning</dt>
            <dd>{doc.tender.sats}</dd>
            <dt>Rate</dt>
            <dd>{doc.tender.rate}</dd>
            <dt>Rate source</dt>
            <dd>{doc.tender.rateSource}</dd>
            <dt>Payment hash</dt>
            <dd className="pr-hash">{doc.tender.paymentHash}</dd>
          </>
        )}
      </dl>
      {doc.paidLate && <div className="pr-muted">Paid after the invoice expired</div>}
      {doc.note && <div className="pr-note">Note: {doc.note}</div>}
      {doc.orderName && <div className="pr-muted">Shopify order {doc.orderName}</div>}
      {doc.refunds && doc.refunds.length > 0 && (
        <section className="pr-refunds" data-testid="print-refunds">
          <div className="pr-refunds-title">Refunded since</div>
          <dl className="pr-sums">
            {doc.refunds.map((r) => [
              <dt key={`${r.number}-l`}>
                Refund {r.number}
                <div className="pr-muted">
                  {r.time} · {r.tender}
                </div>
              </dt>,
              <dd key={`${r.number}-a`}>{r.amount}</dd>,
            ])}
          </dl>
          {doc.netAfterRefunds && (
            <div className="pr-total pr-net">
              <span>After refunds</span>
              <strong>{doc.netAfterRefunds}</strong>
            </div>
          )}
        </section>
      )}
      <footer className="pr-foot">
        <SaleQr code={doc.saleCode} sizeMm={QR_MM[doc.paper]} />
        <div className="pr-code">{doc.saleCode}</div>
        {doc.footer && <div className="pr-footer-text">{doc.footer}</div>}
      </footer>
    </article>
  );
}
