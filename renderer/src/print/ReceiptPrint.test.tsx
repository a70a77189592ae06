// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CartLine, Sale } from '../../../shared/domain/index.js';
import { saleNumberFromCode, saleNumberQuery } from '../../../shared/domain/sale-number.js';
import { priceCart, taxBreakdown } from '../../../shared/pricing/index.js';
import { receiptDocument, type ReceiptDocument } from '../../../shared/receipt/document.js';
import { documentPrintHash, parsePrintHash, salePrintHash } from '../../../shared/receipt/print-url.js';
import {
  DEFAULT_RECEIPT_SETTINGS,
  PAPER_WIDTHS,
  type ReceiptSettings,
} from '../../../shared/receipt/settings.js';
import { pageCss } from './PrintView.js';
import { ReceiptPrint } from './ReceiptPrint.js';

afterEach(cleanup);

const VAT = { title: 'VAT 20%', percent: '20' };
const REDUCED = { title: 'Reduced 5.5%', percent: '5.5' };
const HASH = 'ab12cd34'.repeat(7) + '0011223344556677';
const LOGO = 'data:image/png;base64,iVBORw0KGgo=';
const SHOP = { shopName: 'Café Lumière', address: '3 rue des Lilas, Paris', taxId: 'FR 12 345678901' };
const SETTINGS: ReceiptSettings = {
  ...DEFAULT_RECEIPT_SETTINGS,
  logo: LOGO,
  header: 'Ouvert 8h–18h',
  footer: 'Merci et à bientôt',
};

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

/** A café sale in euros, VAT included: a discounted coffee, a croissant, 50 ¢ off and a 1 € tip. */
function cafeSale(tender: 'cash' | 'lightning'): Sale {
  const lines = [line('a', 'Flat White', 450n), line('b', 'Butter Croissant', 325n)];
  lines[0]!.discount = { kind: 'percentage', percent: '10', reason: 'Regular' };
  const priced = priceCart({
    currency: 'EUR',
    taxesIncluded: true,
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
    tender,
    cashTendered: tender === 'cash' ? 2000n : null,
    number: 42,
    state: 'paid',
    currency: 'EUR',
    lines,
    total: priced.totals.total,
    pricing: { ...priced, lines: [...priced.lines], taxLines: taxBreakdown(priced) },
    note: 'Table 4',
    createdAt: at,
    updatedAt: at,
    invoice:
      tender === 'lightning'
        ? {
            paymentHash: HASH,
            bolt11: 'lnbcrt1',
            amountMsat: 9_600_000n,
            createdAt: at,
            expiresAt: at,
            rate: { currency: 'EUR', rate: '88000.5', source: 'Kraken', fetchedAt: at },
          }
        : null,
    paidAt: at,
    amountPaidMsat: tender === 'lightning' ? 9_600_000n : null,
    paidLate: false,
    stateReason: null,
    order: null,
    staffName: 'Casey',
  };
}

/** What every receipt prints whatever the tender and the paper. */
function expectEveryCommonField(text: string, doc: ReceiptDocument) {
  for (const words of [
    'Café Lumière',
    '3 rue des Lilas, Paris',
    'VAT / tax id FR 12 345678901',
    'Ouvert 8h–18h',
    'Merci et à bientôt',
    '#000042',
    'sale:000042',
    'Served by',
    'Casey',
    doc.time,
    'Flat White',
    'Butter Croissant',
    'Discount 10% · Regular',
    'Discount · Yesterday’s bake',
    'Tip',
    'Tax included',
    'VAT 20%',
    'Reduced 5.5%',
    'Total',
    'Note: Table 4',
  ])
    expect(text, words).toContain(words);
}

describe('the printed receipt', () => {
  for (const paper of PAPER_WIDTHS) {
    it(`prints every field of a cash sale on ${paper}: cash handed over and change`, () => {
      const doc = receiptDocument(cafeSale('cash'), SHOP, { ...SETTINGS, paper });
      render(<ReceiptPrint doc={doc} />);
      const receipt = screen.getByTestId('print-receipt');
      expect(receipt.className).toContain(`paper-${paper}`);
      expectEveryCommonField(receipt.textContent ?? '', doc);
      expect(receipt.textContent).toContain(`Cash${doc.tender.kind === 'cash' ? doc.tender.tendered : ''}`);
      expect(receipt.textContent).toMatch(/Change€?\s?\d/);
      expect(receipt.textContent).not.toContain('Lightning');
      expect(receipt.querySelector('img')?.getAttribute('src')).toBe(LOGO);
      const qr = screen.getByTestId('receipt-qr');
      expect(qr.getAttribute('data-code')).toBe('sale:000042');
      expect(qr.querySelector('path')?.getAttribute('d')).toMatch(/^M/);
    });

    it(`prints every field of a Lightning sale on ${paper}: sats, rate and its source, the shortened payment hash`, () => {
      const doc = receiptDocument(cafeSale('lightning'), SHOP, { ...SETTINGS, paper });
      render(<ReceiptPrint doc={doc} />);
      const receipt = screen.getByTestId('print-receipt');
      expectEveryCommonField(receipt.textContent ?? '', doc);
      const tender = within(receipt).getByText('Paid via Lightning').closest('dl')!.textContent;
      expect(tender).toContain('9,600 sats');
      expect(tender).toContain('88,000.5 EUR/BTC');
      expect(tender).toContain('Kraken');
      expect(tender).toContain('ab12cd34…44556677');
      expect(tender).not.toContain(HASH);
      expect(receipt.textContent).not.toContain('Change');
    });
  }

  it('leaves out what the owner left empty: no logo, header, address or tax id', () => {
    const doc = receiptDocument(
      cafeSale('cash'),
      { ...SHOP, address: '', taxId: '' },
      DEFAULT_RECEIPT_SETTINGS,
    );
    render(<ReceiptPrint doc={doc} />);
    const receipt = screen.getByTestId('print-receipt');
    expect(receipt.querySelector('img')).toBeNull();
    expect(receipt.textContent).not.toContain('tax id');
    expect(receipt.textContent).toContain('Thank you!');
  });

  it('is never made for a sale that was not paid', () => {
    expect(() => receiptDocument({ ...cafeSale('lightning'), state: 'expired' }, SHOP, SETTINGS)).toThrow(
      'Sale #000042 is not paid',
    );
  });

  it('sizes the page to the paper: a roll as long as the receipt, A4 with margins', () => {
    expect(pageCss('58mm', 140)).toBe('@page { size: 58mm 140mm; margin: 0; }');
    expect(pageCss('80mm', 151)).toBe('@page { size: 80mm 151mm; margin: 0; }');
    expect(pageCss('a4', 151)).toBe('@page { size: A4; margin: 18mm; }');
  });
});

describe('the print view’s address and the sale code', () => {
  it('carries a sale or a whole receipt, and nothing else opens the print view', () => {
    const doc = receiptDocument(cafeSale('lightning'), SHOP, SETTINGS);
    expect(parsePrintHash(documentPrintHash(doc))).toEqual({ kind: 'doc', doc });
    expect(parsePrintHash(salePrintHash('s-1', { paper: '58mm', print: true }))).toEqual({
      kind: 'sale',
      saleId: 's-1',
      paper: '58mm',
      print: true,
    });
    expect(parsePrintHash(salePrintHash('s-1'))).toEqual({
      kind: 'sale',
      saleId: 's-1',
      paper: null,
      print: false,
    });
    expect(parsePrintHash('')).toBeNull();
    expect(parsePrintHash('#print-receiptx?sale=1')).toBeNull();
    expect(parsePrintHash('#print-receipt?doc={"paper":"58mm"}')).toBeNull();
    expect(parsePrintHash('#print-receipt?doc=%7Bnot json')).toBeNull();
  });

  it('reads a scanned receipt back as its sale number, in Sales’ search too', () => {
    expect(saleNumberFromCode('sale:000042')).toBe(42);
    expect(saleNumberFromCode('SALE:000042')).toBe(42);
    expect(saleNumberFromCode('4006381333931')).toBeNull();
    expect(saleNumberQuery('sale:000042')).toBe('000042');
    expect(saleNumberQuery('#42')).toBe('42');
  });
});
