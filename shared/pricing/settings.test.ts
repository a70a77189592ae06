import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICING, lineTaxRate, PricingSettings, tipTaxRate } from './settings.js';

const eu: PricingSettings = {
  ...DEFAULT_PRICING,
  rates: [
    { id: 'std', title: 'VAT 20%', percent: '20' },
    { id: 'red', title: 'Reduced 5.5%', percent: '5.5' },
    { id: 'zero', title: 'Zero-rated', percent: '0' },
  ],
  defaultRateId: 'std',
  productTypeRates: { Bakery: 'red' },
  productRates: { 'gid://shopify/Product/9': 'zero' },
  tips: { enabled: true, presets: ['10', '15'], taxRateId: 'std' },
};

describe('which rate a line is taxed at', () => {
  it('takes the product’s own rate, then its type’s, then the default; none when not taxable', () => {
    const line = (productId: string | null, productType: string | null, taxable = true) =>
      lineTaxRate(eu, { productId, productType, taxable })?.title ?? null;
    expect(line('gid://shopify/Product/9', 'Bakery')).toBe('Zero-rated');
    expect(line('gid://shopify/Product/1', 'Bakery')).toBe('Reduced 5.5%');
    expect(line('gid://shopify/Product/1', 'Coffee')).toBe('VAT 20%');
    expect(line(null, null)).toBe('VAT 20%');
    expect(line('gid://shopify/Product/9', 'Bakery', false)).toBeNull();
    expect(lineTaxRate(DEFAULT_PRICING, { productId: null, productType: null, taxable: true })).toBeNull();
    expect(tipTaxRate(eu)).toEqual({ title: 'VAT 20%', percent: '20' });
    expect(tipTaxRate(DEFAULT_PRICING)).toBeNull();
  });
});

describe('the pricing settings a screen may save', () => {
  it('accepts the defaults and an EU shop', () => {
    expect(PricingSettings.parse(DEFAULT_PRICING)).toEqual(DEFAULT_PRICING);
    expect(PricingSettings.parse(eu)).toEqual(eu);
  });

  it('refuses rates that are not percentages and rules that name a rate that is gone', () => {
    const messages = (s: unknown) => {
      const r = PricingSettings.safeParse(s);
      return r.success ? [] : r.error.issues.map((i) => i.message);
    };
    for (const bad of ['-5', '101', '20%', '5,5', 'abc', '1e2', '', '100.5'])
      expect(messages({ ...eu, rates: [{ id: 'x', title: 'X', percent: bad }] }), bad).toContain(
        'Enter a rate such as 20 or 5.5',
      );
    expect(messages({ ...eu, defaultRateId: 'gone' })).toEqual([
      'That tax rate no longer exists: choose another',
    ]);
    expect(messages({ ...eu, productTypeRates: { Bakery: 'gone' } })).toEqual([
      'That tax rate no longer exists: choose another',
    ]);
    expect(messages({ ...eu, rates: [...eu.rates, eu.rates[0]] })).toEqual(['Two rates share one id']);
    expect(messages({ ...eu, rates: [{ id: 'x', title: '  ', percent: '7' }] })).toContain(
      'Name the rate as the receipt shows it, e.g. VAT 20%',
    );
  });
});
