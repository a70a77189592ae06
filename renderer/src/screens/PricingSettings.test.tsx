// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TillError, type TillApi } from '../../../shared/contract/index.js';
import type { Product } from '../../../shared/domain/index.js';
import { DEFAULT_PRICING, type PricingSettings as Settings } from '../../../shared/pricing/settings.js';
import { ShellContext, type Shell } from '../context.js';
import { fakeTill, status } from '../test-support.js';
import { PricingSettings } from './PricingSettings.js';

afterEach(cleanup);

function product(id: string, title: string, productType: string | null): Product {
  return { id, title, vendor: null, productType, status: 'ACTIVE', imageUrl: null, variants: [] };
}

const CATALOG = [
  product('p1', 'Croissant', 'Bakery'),
  product('p2', 'Flat white', 'Coffee'),
  product('p3', 'Sourdough loaf', 'Bakery'),
  product('p4', 'Gift card', null),
];

const EU: Settings = {
  taxesIncluded: true,
  rates: [
    { id: 'vat', title: 'VAT 20%', percent: '20' },
    { id: 'reduced', title: 'Reduced 5.5%', percent: '5.5' },
  ],
  defaultRateId: 'vat',
  productTypeRates: { Bakery: 'reduced' },
  productRates: {},
  tips: { enabled: true, presets: ['10', '15', '20'], taxRateId: null },
  receipt: { taxId: 'GB123456789', address: '12 High Street' },
};

function open(settings: Settings = DEFAULT_PRICING, overrides: Partial<Record<keyof TillApi, unknown>> = {}) {
  const { till } = fakeTill({
    getPricingSettings: vi.fn(() => Promise.resolve(settings)),
    searchCatalog: vi.fn(({ query }: { query: string }) => {
      const products = CATALOG.filter((p) => p.title.toLowerCase().includes(query.toLowerCase()));
      return Promise.resolve({ products, total: products.length });
    }),
    ...overrides,
  });
  const toast = vi.fn();
  const shell: Shell = { till, status: status(), toast, run: (fn) => fn() };
  render(
    <ShellContext.Provider value={shell}>
      <PricingSettings />
    </ShellContext.Provider>,
  );
  return { till, toast };
}

const sent = (till: TillApi) => vi.mocked(till.updatePricingSettings).mock.lastCall?.[0];

async function save() {
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Save taxes and tips' }));
    await Promise.resolve();
  });
}

const rateRow = (n: number) => within(screen.getAllByTestId('tax-rate')[n]!);

describe('Settings → Taxes and tips', () => {
  it('shows what the till has saved, with every product type of the catalog', async () => {
    open(EU);
    expect(await screen.findAllByTestId('tax-rate')).toHaveLength(2);
    expect(rateRow(0).getByLabelText('Name')).toHaveProperty('value', 'VAT 20%');
    expect(screen.getByRole('button', { name: 'Prices include tax' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(rateRow(1).getByLabelText('Name')).toHaveProperty('value', 'Reduced 5.5%');
    expect(rateRow(1).getByLabelText('Percent')).toHaveProperty('value', '5.5');
    expect(screen.getByLabelText('Default rate')).toHaveProperty('value', 'vat');
    expect(screen.getAllByTestId('type-rule').map((r) => r.textContent?.split('Default')[0])).toEqual([
      'Bakery',
      'Coffee',
    ]);
    expect(screen.getByLabelText('Tax rate for Bakery')).toHaveProperty('value', 'reduced');
    expect(screen.getByLabelText('Tax rate for Coffee')).toHaveProperty('value', '');
    expect(screen.getByLabelText('Offer a tip on the charge screen')).toHaveProperty('checked', true);
    expect(screen.getAllByTestId('tip-preset').map((p) => within(p).getByRole('textbox'))).toHaveLength(3);
    expect(screen.getByLabelText('VAT or tax id')).toHaveProperty('value', 'GB123456789');
    expect(screen.getByLabelText('Shop address')).toHaveProperty('value', '12 High Street');
  });

  it('adds a rate, makes it the default and saves the whole settings; a rename keeps its id', async () => {
    const { till } = open();
    fireEvent.click(await screen.findByRole('button', { name: 'Add a tax rate' }));
    fireEvent.change(rateRow(0).getByLabelText('Name'), { target: { value: 'Sales tax 8.875%' } });
    fireEvent.change(rateRow(0).getByLabelText('Percent'), { target: { value: '8.875' } });
    fireEvent.click(screen.getByRole('button', { name: 'Tax is added at the till' }));
    const defaultRate = screen.getByLabelText('Default rate');
    const id = within(defaultRate).getByRole<HTMLOptionElement>('option', { name: 'Sales tax 8.875%' }).value;
    fireEvent.change(defaultRate, { target: { value: id } });
    await save();
    expect(sent(till)).toEqual({
      ...DEFAULT_PRICING,
      taxesIncluded: false,
      rates: [{ id, title: 'Sales tax 8.875%', percent: '8.875' }],
      defaultRateId: id,
    });
    expect(id).toMatch(/^rate-/);
    expect(screen.getByRole('status').textContent).toBe('Saved');

    fireEvent.change(rateRow(0).getByLabelText('Name'), { target: { value: 'City sales tax' } });
    expect(screen.queryByRole('status')).toBeNull(); // an edit since the save is not saved
    await save();
    expect(sent(till)!.rates).toEqual([{ id, title: 'City sales tax', percent: '8.875' }]);
    expect(sent(till)!.defaultRateId).toBe(id);
  });

  it('maps product types to rates, "Default" meaning no rule for the type', async () => {
    const { till } = open({ ...EU, productTypeRates: {} });
    fireEvent.change(await screen.findByLabelText('Tax rate for Bakery'), { target: { value: 'reduced' } });
    fireEvent.change(screen.getByLabelText('Tax rate for Coffee'), { target: { value: 'vat' } });
    fireEvent.change(screen.getByLabelText('Tax rate for Coffee'), { target: { value: '' } });
    await save();
    expect(sent(till)!.productTypeRates).toEqual({ Bakery: 'reduced' });
  });

  it('keeps a rule for a type the catalog no longer has, so it can be cleared', async () => {
    const { till } = open({ ...EU, productTypeRates: { Pastries: 'reduced' } });
    const row = within((await screen.findByLabelText('Tax rate for Pastries')).closest('li')!);
    expect(row.getByText('(not in the catalog)')).toBeTruthy();
    fireEvent.change(row.getByRole('combobox'), { target: { value: '' } });
    await save();
    expect(sent(till)!.productTypeRates).toEqual({});
  });

  it('asks before removing a rate still in use, and clears every rule that named it', async () => {
    const used: Settings = {
      ...EU,
      productTypeRates: { Bakery: 'reduced', Coffee: 'vat' },
      productRates: { p1: 'vat', p2: 'reduced' },
      tips: { ...EU.tips, taxRateId: 'vat' },
    };
    const { till } = open(used);
    fireEvent.click(await screen.findByRole('button', { name: 'Remove VAT 20%' }));
    const question = screen.getByRole('alert');
    expect(question.textContent).toBe(
      '“VAT 20%” is the default rate; the rate of Coffee; the rate of Croissant and the tax on tips. ' +
        'Removing it clears those too.Remove and clearKeep the rate',
    );
    fireEvent.click(within(question).getByRole('button', { name: 'Keep the rate' }));
    expect(screen.getAllByTestId('tax-rate')).toHaveLength(2);

    fireEvent.click(screen.getByRole('button', { name: 'Remove VAT 20%' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove and clear' }));
    expect(screen.getAllByTestId('tax-rate')).toHaveLength(1);
    await save();
    expect(sent(till)).toEqual({
      ...used,
      rates: [EU.rates[1]],
      defaultRateId: null,
      productTypeRates: { Bakery: 'reduced' },
      productRates: { p2: 'reduced' },
      tips: { ...EU.tips, taxRateId: null },
    });
  });

  it('removes a rate no rule names without asking', async () => {
    open({ ...EU, productTypeRates: {} });
    fireEvent.click(await screen.findByRole('button', { name: 'Remove Reduced 5.5%' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getAllByTestId('tax-rate')).toHaveLength(1);
  });

  it('shows the till’s refusal under the field it is about', async () => {
    const { toast } = open(EU, {
      updatePricingSettings: vi.fn(() =>
        Promise.reject(
          new TillError('ValidationError', 'Enter a rate such as 20 or 5.5; Enter a tip such as 20 or 5.5', [
            { path: 'rates.1.percent', message: 'Enter a rate such as 20 or 5.5' },
            { path: 'tips.presets.2', message: 'Enter a tip such as 20 or 5.5' },
            { path: 'productTypeRates.Bakery', message: 'That tax rate no longer exists: choose another' },
          ]),
        ),
      ),
    });
    await screen.findAllByTestId('tax-rate');
    fireEvent.change(rateRow(1).getByLabelText('Percent'), { target: { value: '5,5' } });
    await save();
    expect(rateRow(1).getByText('Enter a rate such as 20 or 5.5')).toBeTruthy();
    expect(rateRow(0).queryByText('Enter a rate such as 20 or 5.5')).toBeNull();
    expect(
      within(screen.getAllByTestId('tip-preset')[2]!).getByText('Enter a tip such as 20 or 5.5'),
    ).toBeTruthy();
    const bakery = within(screen.getByLabelText('Tax rate for Bakery').closest('li')!);
    expect(bakery.getByText('That tax rate no longer exists: choose another')).toBeTruthy();
    expect(screen.queryByRole('status')).toBeNull();
    expect(toast).toHaveBeenCalledWith(
      'bad',
      'Enter a rate such as 20 or 5.5; Enter a tip such as 20 or 5.5',
    );
  });

  it('switches tips on with up to four choices and a tax on them', async () => {
    const { till } = open({ ...EU, tips: { ...DEFAULT_PRICING.tips } });
    fireEvent.click(await screen.findByLabelText('Offer a tip on the charge screen'));
    fireEvent.click(screen.getByRole('button', { name: 'Remove tip choice 1' }));
    fireEvent.change(screen.getByLabelText('Tip choice 2'), { target: { value: '18' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add a tip choice' }));
    fireEvent.change(screen.getByLabelText('Tip choice 3'), { target: { value: '25' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add a tip choice' }));
    fireEvent.change(screen.getByLabelText('Tip choice 4'), { target: { value: '12.5' } });
    expect(screen.queryByRole('button', { name: 'Add a tip choice' })).toBeNull();
    fireEvent.change(screen.getByLabelText('Tax on tips'), { target: { value: 'vat' } });
    await save();
    expect(sent(till)!.tips).toEqual({
      enabled: true,
      presets: ['15', '18', '25', '12.5'],
      taxRateId: 'vat',
    });
  });

  it('gives one product its own rate, found by a search, and takes it away again', async () => {
    const { till } = open(EU);
    fireEvent.change(await screen.findByPlaceholderText('Find a product'), { target: { value: 'crois' } });
    fireEvent.click(await screen.findByRole('button', { name: /Croissant/ }));
    const select = screen.getByLabelText('Tax rate for Croissant');
    expect(select).toHaveProperty('value', 'vat'); // starts at the default rate
    fireEvent.change(select, { target: { value: 'reduced' } });
    await save();
    expect(sent(till)!.productRates).toEqual({ p1: 'reduced' });
    fireEvent.click(screen.getByRole('button', { name: 'Remove the rule for Croissant' }));
    await save();
    expect(sent(till)!.productRates).toEqual({});
  });

  it('takes the first product found on Enter in the search, without saving', async () => {
    const { till } = open(EU);
    const box = await screen.findByPlaceholderText('Find a product');
    fireEvent.change(box, { target: { value: 'sour' } });
    await screen.findByRole('button', { name: /Sourdough loaf/ });
    // false: the Enter's default (submitting the whole form) was prevented
    expect(fireEvent.keyDown(box, { key: 'Enter' })).toBe(false);
    expect(screen.getByLabelText('Tax rate for Sourdough loaf')).toHaveProperty('value', 'vat');
    expect(box).toHaveProperty('value', '');
    expect(till.updatePricingSettings).not.toHaveBeenCalled();
  });

  it('shows the answer to the latest search, never a slower answer to an earlier one', async () => {
    let answerFirst: () => void = () => undefined;
    const found = (products: Product[]) => ({ products, total: products.length });
    open(EU, {
      searchCatalog: vi.fn(({ query }: { query: string }) => {
        if (query === '') return Promise.resolve(found(CATALOG));
        if (query === 'f') return new Promise((r) => (answerFirst = () => r(found([CATALOG[1]!]))));
        return Promise.resolve(found([CATALOG[0]!]));
      }),
    });
    const box = await screen.findByPlaceholderText('Find a product');
    fireEvent.change(box, { target: { value: 'f' } });
    fireEvent.change(box, { target: { value: 'cr' } });
    await screen.findByRole('button', { name: /Croissant/ });
    await act(async () => {
      answerFirst();
      await Promise.resolve();
    });
    expect(screen.queryByRole('button', { name: /Flat white/ })).toBeNull();
    expect(screen.getByRole('button', { name: /Croissant/ })).toBeTruthy();
  });

  it('caps every text field at what the till accepts', async () => {
    open(EU);
    await screen.findAllByTestId('tax-rate');
    const uncapped = [...document.querySelectorAll<HTMLInputElement>('input')]
      .filter((el) => el.type !== 'checkbox' && !(el.maxLength > 0))
      .map((el) => el.outerHTML);
    expect(uncapped).toEqual([]);
    expect(rateRow(0).getByLabelText('Name')).toHaveProperty('maxLength', 40);
    expect(rateRow(0).getByLabelText('Percent')).toHaveProperty('maxLength', 9);
  });
});
