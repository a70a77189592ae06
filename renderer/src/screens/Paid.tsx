import { useEffect, useRef, useState } from 'react';
import type { Sale } from '../../../shared/domain/index.js';
import { formatFiat, formatSats } from '../../../shared/money/index.js';
import { Receipt, useReceiptHeader } from '../components/Receipt.js';
import { useShell } from '../context.js';
import { ReceiptActions } from '../print/ReceiptActions.js';

export function PaidScreen({ sale: paid, onNewSale }: { sale: Sale; onNewSale: () => void }) {
  const { status, till } = useShell();
  const header = useReceiptHeader();
  // The Shopify order name arrives after the sale is paid: follow the sale's updates.
  const [sale, setSale] = useState(paid);
  useEffect(() => {
    const off = till.on('saleUpdated', (s) => s.id === paid.id && setSale(s));
    // An update sent before this screen subscribed (the order can be that quick) is read back.
    till.getSale({ saleId: paid.id }).then(
      (s) => setSale((current) => (current.order?.orderName ? current : s)),
      () => undefined,
    );
    return off;
  }, [till, paid.id]);
  const newSale = useRef<HTMLButtonElement>(null);
  useEffect(() => newSale.current?.focus(), []);
  return (
    <div className="paid">
      <div className="paid-banner" data-testid="sale-paid">
        <div className="check" aria-hidden>
          ✓
        </div>
        <div>
          <div className="paid-title">Paid</div>
          <div className="paid-amount">
            {sale.tender === 'cash'
              ? `${formatFiat(sale.total, sale.currency)} in cash`
              : `${formatFiat(sale.total, sale.currency)} · ${formatSats(sale.amountPaidMsat ?? 0n)}`}
          </div>
          {sale.tender === 'cash' && sale.cashTendered !== null && (
            <div className="paid-change" data-testid="paid-change">
              Change {formatFiat(sale.cashTendered - sale.total, sale.currency)}
            </div>
          )}
        </div>
      </div>
      <div className="paid-body">
        <Receipt sale={sale} shopName={status?.settings.shopName ?? ''} header={header} />
        <div className="paid-actions">
          <button ref={newSale} data-testid="new-sale" className="btn primary big" onClick={onNewSale}>
            New sale
          </button>
          <ReceiptActions saleId={sale.id} big />
        </div>
      </div>
    </div>
  );
}
