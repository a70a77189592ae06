import { useEffect, useRef, useState, type FormEvent } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import type { Product } from '../../../shared/domain/index.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import {
  MAX_TAX_RATES,
  MAX_TIP_PRESETS,
  PricingSettings as Schema,
  TaxRateSetting,
  type PricingSettings as Settings,
} from '../../../shared/pricing/settings.js';
import { useShell } from '../context.js';
import { errorMessage } from '../till-client.js';

// The same caps the till's schema refuses past, read from it so the two cannot drift apart.
const CAP = {
  title: TaxRateSetting.shape.title.maxLength ?? undefined,
  percent: TaxRateSetting.shape.percent.maxLength ?? undefined,
  taxId: Schema.shape.receipt.shape.taxId.maxLength ?? undefined,
  address: Schema.shape.receipt.shape.address.maxLength ?? undefined,
};

/** Enough to list every product type of a shop; more than this is a catalog, not a café. */
const CATALOG_SCAN = 500;

/** A rate id made here once and never changed, so renaming a rate keeps every rule on it. */
function newRateId(taken: Settings['rates']): string {
  for (;;) {
    const id = `rate-${crypto.randomUUID().slice(0, 8)}`;
    if (!taken.some((r) => r.id === id)) return id;
  }
}

/** Where a rate is in use, in the owner's words; empty when it can go without a question. */
function usesOf(s: Settings, id: string, productTitle: (id: string) => string): string[] {
  const uses: string[] = [];
  if (s.defaultRateId === id) uses.push('the default rate');
  const types = Object.keys(s.productTypeRates).filter((t) => s.productTypeRates[t] === id);
  if (types.length > 0) uses.push(`the rate of ${types.join(', ')}`);
  const products = Object.keys(s.productRates).filter((p) => s.productRates[p] === id);
  if (products.length > 0) uses.push(`the rate of ${products.map(productTitle).join(', ')}`);
  if (s.tips.taxRateId === id) uses.push('the tax on tips');
  return uses;
}

/** The rate gone, and every rule that named it back to "Default" / none. */
function withoutRate(s: Settings, id: string): Settings {
  const keep = (m: Record<string, string>) =>
    Object.fromEntries(Object.entries(m).filter(([, v]) => v !== id));
  return {
    ...s,
    rates: s.rates.filter((r) => r.id !== id),
    defaultRateId: s.defaultRateId === id ? null : s.defaultRateId,
    productTypeRates: keep(s.productTypeRates),
    productRates: keep(s.productRates),
    tips: { ...s.tips, taxRateId: s.tips.taxRateId === id ? null : s.tips.taxRateId },
  };
}

/** "VAT 20%" as named; the figure added when the name does not already say it. */
function rateLabel(r: TaxRateSetting): string {
  const title = r.title.trim() || 'Unnamed rate';
  const figure = `${r.percent.trim() || '?'}%`;
  return title.includes(figure) ? title : `${title} (${figure})`;
}

function joinUses(uses: string[]): string {
  return uses.length < 2 ? (uses[0] ?? '') : `${uses.slice(0, -1).join('; ')} and ${uses.at(-1)}`;
}

/** Settings → Taxes and tips: the owner's rates, which lines they apply to, tips and the receipt. */
export function PricingSettings() {
  const { till, run, toast } = useShell();
  const [draft, setDraft] = useState<Settings | null>(null);
  const [types, setTypes] = useState<string[]>([]);
  const [titles, setTitles] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Product[]>([]);
  const searchNo = useRef(0);

  useEffect(() => {
    void run(async () => {
      const [settings, catalog] = await Promise.all([
        till.getPricingSettings(),
        till.searchCatalog({ query: '', limit: CATALOG_SCAN }),
      ]);
      setDraft(settings);
      setTypes([...new Set(catalog.products.flatMap((p) => (p.productType ? [p.productType] : [])))]);
      setTitles(Object.fromEntries(catalog.products.map((p) => [p.id, p.title])));
    });
  }, [till, run]);

  if (!draft) {
    return (
      <section className="card pricing-settings">
        <h2>Taxes and tips</h2>
        <p className="muted">Loading…</p>
      </section>
    );
  }

  const edit = (change: (s: Settings) => Settings) => {
    setDraft((s) => (s ? change(s) : s));
    setSaved(false);
  };
  const productTitle = (id: string) => titles[id] ?? id;
  const error = (path: string) => errors[path] && <span className="field-error">{errors[path]}</span>;
  const rateOptions = draft.rates.map((r) => (
    <option key={r.id} value={r.id}>
      {rateLabel(r)}
    </option>
  ));
  // Types the catalog no longer has keep their row, so a stale rule can still be seen and cleared.
  const typeRows = [...new Set([...types, ...Object.keys(draft.productTypeRates)])].sort((a, b) =>
    a.localeCompare(b),
  );

  const setRate = (i: number, field: 'title' | 'percent', value: string) =>
    edit((s) => ({ ...s, rates: s.rates.map((r, j) => (j === i ? { ...r, [field]: value } : r)) }));
  const addRate = () =>
    edit((s) => ({ ...s, rates: [...s.rates, { id: newRateId(s.rates), title: '', percent: '' }] }));
  const removeRate = (id: string, confirmed: boolean) => {
    if (!confirmed && usesOf(draft, id, productTitle).length > 0) {
      setRemoving(id);
      return;
    }
    setRemoving(null);
    setErrors({}); // they point at rows by position, which just moved
    edit((s) => withoutRate(s, id));
  };
  const setRule = (map: 'productTypeRates' | 'productRates', key: string, id: string) =>
    edit((s) => {
      const next = { ...s[map] };
      if (id === '') delete next[key];
      else next[key] = id;
      return { ...s, [map]: next };
    });
  const setTips = (change: Partial<Settings['tips']>) =>
    edit((s) => ({ ...s, tips: { ...s.tips, ...change } }));
  const setReceipt = (change: Partial<Settings['receipt']>) =>
    edit((s) => ({ ...s, receipt: { ...s.receipt, ...change } }));

  const search = (text: string) => {
    setQuery(text);
    const no = ++searchNo.current;
    if (text.trim() === '') {
      setFound([]);
      return;
    }
    void run(async () => {
      const { products } = await till.searchCatalog({ query: text, limit: 6 });
      if (no === searchNo.current) setFound(products); // a slower, older answer never wins
    });
  };
  const pick = (p: Product) => {
    const rateId = draft.defaultRateId ?? draft.rates[0]?.id;
    if (rateId === undefined) return;
    setTitles((t) => ({ ...t, [p.id]: p.title }));
    setRule('productRates', p.id, rateId);
    search('');
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setSaved(false);
    setBusy(true);
    try {
      setDraft(await till.updatePricingSettings(draft));
      setSaved(true);
    } catch (err) {
      if (err instanceof TillError && err.issues) {
        setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
      }
      toast('bad', errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const noRates = draft.rates.length === 0;
  const overrides = Object.keys(draft.productRates);
  const choices = found.filter((p) => draft.productRates[p.id] === undefined);

  return (
    <form
      className="card pricing-settings"
      data-no-scan
      data-testid="pricing-settings"
      onSubmit={(e) => void save(e)}
    >
      <h2>Taxes and tips</h2>
      <div className="pricing-body">
        <div className="pricing-col">
          <div className="segmented" role="group" aria-label="Shelf prices">
            {[
              { included: true, label: 'Prices include tax' },
              { included: false, label: 'Tax is added at the till' },
            ].map((o) => (
              <button
                key={o.label}
                type="button"
                className={draft.taxesIncluded === o.included ? 'active' : ''}
                aria-pressed={draft.taxesIncluded === o.included}
                onClick={() => edit((s) => ({ ...s, taxesIncluded: o.included }))}
              >
                {o.label}
              </button>
            ))}
          </div>
          {error('taxesIncluded')}

          <h3>Tax rates</h3>
          {noRates && <p className="hint">No tax rates yet: sales carry no tax.</p>}
          <ul className="tax-rates">
            {draft.rates.map((r, i) => {
              const uses = removing === r.id ? usesOf(draft, r.id, productTitle) : [];
              const name = r.title.trim() || 'this rate';
              return (
                <li key={r.id} className="tax-rate" data-testid="tax-rate">
                  <label>
                    Name
                    <input
                      value={r.title}
                      placeholder="VAT 20%"
                      maxLength={CAP.title}
                      onChange={(e) => setRate(i, 'title', e.target.value)}
                    />
                    {error(`rates.${i}.title`)}
                  </label>
                  <label>
                    Percent
                    <span className="percent">
                      <input
                        value={r.percent}
                        inputMode="decimal"
                        placeholder="20"
                        maxLength={CAP.percent}
                        onChange={(e) => setRate(i, 'percent', e.target.value)}
                      />
                    </span>
                    {error(`rates.${i}.percent`)}
                  </label>
                  <button
                    type="button"
                    className="btn ghost danger"
                    aria-label={`Remove ${name}`}
                    onClick={() => removeRate(r.id, false)}
                  >
                    Remove
                  </button>
                  {uses.length > 0 && (
                    <div className="remove-confirm" role="alert">
                      <p>
                        “{name}” is {joinUses(uses)}. Removing it clears {uses.length > 1 ? 'those' : 'that'}{' '}
                        too.
                      </p>
                      <div className="actions">
                        <button type="button" className="btn danger" onClick={() => removeRate(r.id, true)}>
                          Remove and clear
                        </button>
                        <button type="button" className="btn ghost" onClick={() => setRemoving(null)}>
                          Keep the rate
                        </button>
                      </div>
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
          {error('rates')}
          <button
            type="button"
            className="btn ghost"
            disabled={draft.rates.length >= MAX_TAX_RATES}
            onClick={addRate}
          >
            Add a tax rate
          </button>

          <label>
            Default rate
            <select
              value={draft.defaultRateId ?? ''}
              onChange={(e) => edit((s) => ({ ...s, defaultRateId: e.target.value || null }))}
            >
              <option value="">None — untaxed unless a rule below says so</option>
              {rateOptions}
            </select>
            {error('defaultRateId')}
          </label>

          <h3>Tips</h3>
          <label className="toggle">
            <input
              type="checkbox"
              checked={draft.tips.enabled}
              onChange={(e) => setTips({ enabled: e.target.checked })}
            />
            Offer a tip on the charge screen
          </label>
          <div className="tip-presets" role="group" aria-label="Tip choices">
            {draft.tips.presets.map((p, i) => (
              <span key={i} className="tip-preset" data-testid="tip-preset">
                <span className="percent">
                  <input
                    value={p}
                    inputMode="decimal"
                    aria-label={`Tip choice ${i + 1}`}
                    maxLength={CAP.percent}
                    onChange={(e) =>
                      setTips({ presets: draft.tips.presets.map((q, j) => (j === i ? e.target.value : q)) })
                    }
                  />
                </span>
                <button
                  type="button"
                  className="btn ghost"
                  aria-label={`Remove tip choice ${i + 1}`}
                  onClick={() => setTips({ presets: draft.tips.presets.filter((_, j) => j !== i) })}
                >
                  ✕
                </button>
                {error(`tips.presets.${i}`)}
              </span>
            ))}
            {draft.tips.presets.length < MAX_TIP_PRESETS && (
              <button
                type="button"
                className="btn ghost"
                onClick={() => setTips({ presets: [...draft.tips.presets, ''] })}
              >
                Add a tip choice
              </button>
            )}
          </div>
          {error('tips.presets')}
          <label>
            Tax on tips
            <select
              value={draft.tips.taxRateId ?? ''}
              onChange={(e) => setTips({ taxRateId: e.target.value || null })}
            >
              <option value="">None — tips are untaxed</option>
              {rateOptions}
            </select>
            {error('tips.taxRateId')}
          </label>
        </div>
        <div className="pricing-col">
          <h3>By product type</h3>
          {noRates ? (
            <p className="hint">Add a tax rate first.</p>
          ) : typeRows.length === 0 ? (
            <p className="hint">The catalog has no product types.</p>
          ) : (
            <ul className="rules">
              {typeRows.map((type) => (
                <li key={type} className="rule" data-testid="type-rule">
                  <span>
                    {type}
                    {!types.includes(type) && <small className="muted"> (not in the catalog)</small>}
                  </span>
                  <select
                    aria-label={`Tax rate for ${type}`}
                    value={draft.productTypeRates[type] ?? ''}
                    onChange={(e) => setRule('productTypeRates', type, e.target.value)}
                  >
                    <option value="">Default</option>
                    {rateOptions}
                  </select>
                  {error(`productTypeRates.${type}`)}
                </li>
              ))}
            </ul>
          )}

          <h3>By product</h3>
          {noRates ? (
            <p className="hint">Add a tax rate first.</p>
          ) : (
            <>
              {overrides.length > 0 && (
                <ul className="rules">
                  {overrides.map((id) => (
                    <li key={id} className="rule product" data-testid="product-rule">
                      <span>{productTitle(id)}</span>
                      <select
                        aria-label={`Tax rate for ${productTitle(id)}`}
                        value={draft.productRates[id]}
                        onChange={(e) => setRule('productRates', id, e.target.value)}
                      >
                        {rateOptions}
                      </select>
                      <button
                        type="button"
                        className="btn ghost danger"
                        aria-label={`Remove the rule for ${productTitle(id)}`}
                        onClick={() => setRule('productRates', id, '')}
                      >
                        Remove
                      </button>
                      {error(`productRates.${id}`)}
                    </li>
                  ))}
                </ul>
              )}
              <label>
                Give a product its own rate
                <input
                  type="search"
                  value={query}
                  placeholder="Find a product"
                  maxLength={MAX_LENGTH.search}
                  onChange={(e) => search(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key !== 'Enter') return;
                    e.preventDefault(); // picks the first product found; never saves the form by surprise
                    if (choices[0]) pick(choices[0]);
                  }}
                />
              </label>
              {choices.length > 0 && (
                <ul className="product-results">
                  {choices.map((p) => (
                    <li key={p.id}>
                      <button type="button" onClick={() => pick(p)}>
                        {p.title}
                        {p.productType && <small className="muted"> · {p.productType}</small>}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}

          <h3>On the receipt</h3>
          <label>
            VAT or tax id
            <input
              value={draft.receipt.taxId}
              maxLength={CAP.taxId}
              onChange={(e) => setReceipt({ taxId: e.target.value })}
            />
            {error('receipt.taxId')}
          </label>
          <label>
            Shop address
            <input
              value={draft.receipt.address}
              placeholder="12 High Street, Bristol BS1 4DJ"
              maxLength={CAP.address}
              onChange={(e) => setReceipt({ address: e.target.value })}
            />
            {error('receipt.address')}
          </label>
        </div>
      </div>

      <button className="btn primary" type="submit" disabled={busy} data-testid="save-pricing">
        Save taxes and tips
      </button>
      {saved && (
        <p className="saved" role="status">
          Saved
        </p>
      )}
    </form>
  );
}
