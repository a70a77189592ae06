// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CartLine, Sale } from '../../../shared/domain/index.js';
import { priceCart, taxBreakdown } from '../../../shared/pricing/index.js';
import { Receipt } from './Receipt.js';

afterEach(cleanup);

const VAT = { title: 'VAT 20%', percent: '20' };
const REDUCED = { title: 'Reduced 5.5%', percent: '5.5' };

function line(lineId: string, title: string, unitPrice: bigint, quantity = 1): CartLine {
  return {
    lineId,
    variantId: null,
    title,
    variantTitle: null,
    sku: null,
    unitPrice,
    quantity,
    lineTotal: unitPrice * BigInt(quantity),
    discount: null,
    note: null,
  };
}

/** A café sale in euros, VAT included: a discounted coffee, a croissant, 50 ¢ off and a tip. */
function cafeSale(taxesIncluded = true): Sale {
  const lines = [line('a', 'Flat White', 450n), line('b', 'Butter Croissant', 325n)];
  lines[0]!.discount = { kind: 'percentage', percent: '10', reason: 'Regular' };
  const priced = priceCart({
    currency: 'EUR',
    taxesIncluded,
    lines: [
      { ...lines[0]!, taxable: true, taxRate: VAT },
      { ...lines[1]!, taxable: true, taxRate: REDUCED },
    ],
    cartDiscount: { kind: 'fixed', amount: 50n, reason: 'Yesterday’s bake' },
    tip: { kind: 'fixed', amount: 100n },
  });
  const at = '2026-11-27T09:00:00.000Z';
  return {
    id: 's1',
    tender: 'cash',
    cashTendered: 2000n,
    number: 12,
    state: 'paid',
    currency: 'EUR',
    lines,
    total: priced.totals.total,
    pricing: { ...priced, lines: [...priced.lines], taxLines: taxBreakdown(priced) },
    note: null,
    createdAt: at,
    updatedAt: at,
    invoice: null,
    paidAt: at,
    amountPaidMsat: null,
    paidLate: false,
    stateReason: null,
    order: null,
    staffName: null,
  };
}

const rows = (el: HTMLElement) =>
  within(el)
    .getAllByRole('row')
    .map((r) => [...r.children].map((c) => c.textContent).join(' | '));

describe('the receipt of a priced sale', () => {
  it('shows the line discount, the cart discount, the tip and the tax per rate, summing to the total', () => {
    render(
      <Receipt
        sale={cafeSale()}
        shopName="Café Lumière"
        header={{ taxId: 'FR 12 345678901', address: '3 rue des Lilas, Paris' }}
      />,
    );
    const receipt = screen.getByTestId('receipt');
    expect(receipt.textContent).toContain('VAT / tax id FR 12 345678901');
    expect(receipt.textContent).toContain('3 rue des Lilas, Paris');
    expect(screen.getByTestId('receipt-line-discount').textContent).toBe('Discount 10% · Regular−€0.45');
    const sums = screen.getByTestId('receipt-sums').textContent;
    expect(sums).toBe('Subtotal€7.75Discount · Yesterday’s bake−€0.50Tip€1.00');
    // 377 × 20/120 = 62.8 → 63; 303 × 5.5/105.5 = 15.8 → 16; the tip is untaxed.
    expect(rows(screen.getByTestId('receipt-taxes'))).toEqual([
      'Tax included | Net | Tax | Gross',
      'Reduced 5.5% | €2.87 | €0.16 | €3.03',
      'VAT 20% | €3.14 | €0.63 | €3.77',
      'Untaxed | €1.00 | €0.00 | €1.00',
    ]);
    expect(receipt.querySelector('.receipt-total')!.textContent).toBe('Total€7.80');
  });

  it('adds the tax on top when prices exclude it', () => {
    render(<Receipt sale={cafeSale(false)} shopName="Corner Deli" />);
    const sums = screen.getByTestId('receipt-sums').textContent;
    expect(sums).toMatch(/^Subtotal€7\.75Discount · Yesterday’s bake−€0\.50Tax€0\.92Tip€1\.00$/);
    expect(rows(screen.getByTestId('receipt-taxes'))[0]).toBe('Tax | Net | Tax | Gross');
  });

  it('stays as it always was for a sale with no tax, discount or tip', () => {
    const plain = cafeSale();
    plain.pricing = null;
    render(<Receipt sale={plain} shopName="Corner Deli" />);
    expect(screen.queryByTestId('receipt-sums')).toBeNull();
    expect(screen.queryByTestId('receipt-taxes')).toBeNull();
    expect(screen.queryByTestId('receipt-line-discount')).toBeNull();
  });

  it('prints a line’s note under it and the order’s note under the total', () => {
    const sale = cafeSale();
    sale.lines[0]!.note = 'oat milk';
    sale.note = 'For Anna, table 4';
    render(<Receipt sale={sale} shopName="Corner Deli" />);
    const notes = screen.getAllByTestId('receipt-line-note');
    expect(notes.map((n) => n.textContent)).toEqual(['Note: oat milk']);
    expect(notes[0]!.closest('tr')!.textContent).toContain('Flat White');
    expect(screen.getByTestId('receipt-note').textContent).toBe('Note: For Anna, table 4');
  });

  it('prints no note when there is none', () => {
    render(<Receipt sale={cafeSale()} shopName="Corner Deli" />);
    expect(screen.queryByTestId('receipt-line-note')).toBeNull();
    expect(screen.queryByTestId('receipt-note')).toBeNull();
  });
});

describe('who served', () => {
  it('names the person who rang the sale up, and nobody for a sale from before staff', () => {
    render(<Receipt sale={{ ...cafeSale(), staffName: 'Casey' }} shopName="Café Lumière" />);
    expect(screen.getByTestId('receipt').textContent).toContain('Served by Casey');
    cleanup();
    render(<Receipt sale={cafeSale()} shopName="Café Lumière" />);
    expect(screen.getByTestId('receipt').textContent).not.toContain('Served by');
  });
});
