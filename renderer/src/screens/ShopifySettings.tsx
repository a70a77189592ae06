import { useState } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import type { ShopifyCheck } from '../../../shared/domain/index.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { useShell } from '../context.js';
import { errorMessage } from '../till-client.js';

function ago(iso: string | null): string {
  if (!iso) return 'never';
  const min = Math.round((Date.now() - Date.parse(iso)) / 60_000);
  return min < 1 ? 'just now' : min < 90 ? `${min} min ago` : `${Math.round(min / 60)} h ago`;
}

export function ShopifySettings() {
  const { till, status, toast } = useShell();
  const shopify = status?.shopify;
  const [mode, setMode] = useState<'token' | 'client'>('token');
  const [shopDomain, setShopDomain] = useState('');
  const [accessToken, setAccessToken] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [check, setCheck] = useState<ShopifyCheck | null>(null);
  const [locationId, setLocationId] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});

  const input = () => ({
    shopDomain,
    ...(mode === 'token' ? { accessToken } : { clientId, clientSecret }),
  });

  async function act(what: () => Promise<void>) {
    setBusy(true);
    setErrors({});
    try {
      await what();
    } catch (err) {
      if (err instanceof TillError && err.issues) {
        setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
      }
      toast('bad', errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const test = () =>
    act(async () => {
      const found = await till.testShopify({ shopify: input() });
      setCheck(found);
      setLocationId(found.locations[0]?.id ?? '');
    });
  const save = () =>
    act(async () => {
      await till.saveShopify({ shopify: input(), locationId });
      setCheck(null);
      setAccessToken('');
      setClientSecret('');
      toast('good', 'Store connected: every sale now becomes a Shopify order');
    });
  const sync = (full: boolean) => act(async () => void (await till.syncCatalog({ full })));
  const disconnect = () =>
    act(async () => {
      await till.disconnectShopify();
      toast('good', 'Store disconnected');
    });
  const error = (name: string) => errors[name] && <span className="field-error">{errors[name]}</span>;

  if (shopify?.connected) {
    const syncing = shopify.catalog.syncing;
    return (
      <div className="card" data-testid="shopify-card">
        <h2>Shopify</h2>
        <dl className="facts">
          <dt>Store</dt>
          <dd>
            {shopify.shopName} · {shopify.shopDomain}
          </dd>
          <dt>Location</dt>
          <dd>{shopify.locationName}</dd>
          <dt>Orders</dt>
          <dd data-testid="shopify-orders">
            {shopify.online === false ? 'Offline — ' : ''}
            {shopify.pendingOrders} waiting · {shopify.failedOrders} need attention
            {shopify.lastError && <div className="muted">{shopify.lastError}</div>}
          </dd>
          <dt>Catalog</dt>
          <dd data-testid="catalog-age">
            {shopify.catalog.source === 'shopify'
              ? `Synced ${ago(shopify.catalog.syncedAt)}`
              : 'Demo catalog (not synced yet)'}
          </dd>
        </dl>
        {syncing && (
          <div className="progress" data-testid="sync-progress">
            <div
              className="bar"
              style={{
                width: syncing.total ? `${Math.min(100, (syncing.done / syncing.total) * 100)}%` : '30%',
              }}
            />
            <span>
              Syncing… {(syncing.done ?? 0).toLocaleString()}
              {syncing.total ? ` of ${syncing.total.toLocaleString()}` : ''} items
            </span>
          </div>
        )}
        <div className="actions">
          <button className="btn ghost" disabled={busy || !!syncing} onClick={() => void sync(false)}>
            Sync changes
          </button>
          <button className="btn ghost" disabled={busy || !!syncing} onClick={() => void sync(true)}>
            Full sync
          </button>
        </div>
        <button className="btn danger ghost" disabled={busy} onClick={() => void disconnect()}>
          Disconnect store
        </button>
      </div>
    );
  }

  return (
    <form className="card" data-no-scan onSubmit={(e) => e.preventDefault()} data-testid="shopify-card">
      <h2>Shopify</h2>
      <p className="muted">
        Sell your store’s catalog and write every sale back as an order, with stock taken at this till’s
        location.
      </p>
      <label>
        Store address
        <input
          value={shopDomain}
          onChange={(e) => setShopDomain(e.target.value)}
          placeholder="corner-cafe.myshopify.com"
          maxLength={MAX_LENGTH.shopDomain}
          data-testid="shop-domain"
        />
        {error('shopDomain')}
      </label>
      <div className="segmented" role="radiogroup" aria-label="Credential">
        <button type="button" className={mode === 'token' ? 'active' : ''} onClick={() => setMode('token')}>
          Admin API token
        </button>
        <button type="button" className={mode === 'client' ? 'active' : ''} onClick={() => setMode('client')}>
          Dev Dashboard app
        </button>
      </div>
      {mode === 'token' ? (
        <label>
          Admin API access token
          <input
            type="password"
            value={accessToken}
            onChange={(e) => setAccessToken(e.target.value)}
            placeholder="shpat_…"
            maxLength={MAX_LENGTH.shopifyToken}
            autoComplete="off"
            data-testid="shop-token"
          />
          {error('accessToken')}
        </label>
      ) : (
        <>
          <label>
            Client id
            <input
              value={clientId}
              onChange={(e) => setClientId(e.target.value)}
              autoComplete="off"
              maxLength={MAX_LENGTH.shopifyClientId}
            />
          </label>
          <label>
            Client secret
            <input
              type="password"
              value={clientSecret}
              onChange={(e) => setClientSecret(e.target.value)}
              maxLength={MAX_LENGTH.shopifyToken}
              autoComplete="off"
            />
            {error('clientSecret')}
          </label>
        </>
      )}
      {check && (
        <div
          className={`node-check ${check.missingScopes.length ? 'bad' : 'good'}`}
          data-testid="shopify-check"
        >
          <dl className="facts">
            <dt>Store</dt>
            <dd>
              {check.shopName} ({check.currency})
            </dd>
          </dl>
          {check.missingScopes.map((m) => (
            <p key={m.scope} className="field-error">
              Missing {m.scope}: needed to {m.why}.
            </p>
          ))}
          {check.locations.length > 0 && (
            <label>
              This till’s location
              <select
                value={locationId}
                onChange={(e) => setLocationId(e.target.value)}
                data-testid="shop-location"
              >
                {check.locations.map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.name}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
      )}
      <div className="actions">
        <button
          className="btn ghost"
          type="button"
          disabled={busy}
          onClick={() => void test()}
          data-testid="shop-test"
        >
          Test connection
        </button>
        <button
          className="btn primary"
          type="button"
          disabled={busy || !check || check.missingScopes.length > 0 || !locationId}
          onClick={() => void save()}
          data-testid="shop-save"
        >
          Connect store
        </button>
      </div>
    </form>
  );
}
