import { z } from 'zod';
import { createShopifyClient, ShopifyError, type ShopifyClient } from './client.js';
import { SALE_ID_KEY, SALE_ID_NAMESPACE } from './orders.js';

/**
 * Connecting a store: a static Admin API token, or a Dev Dashboard app's client id and secret
 * exchanged for a short-lived token (client-credentials grant) that is renewed before it
 * expires. Then: which scopes are missing, which locations exist, and the unique sale-id
 * metafield definition that makes order creation exactly-once.
 */

/** What the till does with Shopify, and the scopes each needs. */
export const REQUIRED_SCOPES: Record<string, string> = {
  read_products: 'read the catalog',
  read_inventory: 'read stock at the till’s location',
  read_locations: 'choose the till’s location',
  write_orders: 'write each sale as an order',
};

export type ShopifyCredentials =
  { kind: 'token'; accessToken: string } | { kind: 'client'; clientId: string; clientSecret: string };

export interface TokenProvider {
  (): Promise<string>;
}

const Grant = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive().optional(),
  scope: z.string().optional(),
});

/** Renewed when less than this much of its life is left. */
const RENEW_BEFORE_MS = 5 * 60_000;

export function tokenProvider(
  shopDomain: string,
  credentials: ShopifyCredentials,
  opts: { baseUrl?: string; now?: () => number; timeoutMs?: number } = {},
): TokenProvider {
  if (credentials.kind === 'token') return () => Promise.resolve(credentials.accessToken);
  const now = opts.now ?? (() => Date.now());
  let current: { token: string; renewAt: number } | null = null;
  let pending: Promise<string> | null = null;

  async function grant(): Promise<string> {
    const url = `${opts.baseUrl ?? `https://${shopDomain}`}/admin/oauth/access_token`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          client_id: credentials.kind === 'client' ? credentials.clientId : '',
          client_secret: credentials.kind === 'client' ? credentials.clientSecret : '',
          grant_type: 'client_credentials',
        }).toString(),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 20_000),
      });
    } catch (err) {
      throw new ShopifyError('Unreachable', `Shopify is unreachable (${String(err)})`, { cause: err });
    }
    const text = await res.text();
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new ShopifyError(
        'NotAuthorized',
        'Shopify refused the app’s client id or secret: copy them again from the Dev Dashboard.',
      );
    }
    if (!res.ok)
      throw new ShopifyError('Unreachable', `Shopify could not issue a token (HTTP ${res.status})`);
    let parsed;
    try {
      parsed = Grant.parse(JSON.parse(text));
    } catch {
      throw new ShopifyError('BadResponse', 'Shopify answered the token request with something unexpected');
    }
    const lifeMs = (parsed.expires_in ?? 3600) * 1000;
    // Renewed ahead of expiry: five minutes before, or halfway for a shorter-lived token.
    current = { token: parsed.access_token, renewAt: now() + lifeMs - Math.min(RENEW_BEFORE_MS, lifeMs / 2) };
    return parsed.access_token;
  }

  return () => {
    if (current && now() < current.renewAt) return Promise.resolve(current.token);
    pending ??= grant().finally(() => (pending = null));
    return pending;
  };
}

export interface ShopifyCheck {
  shopName: string;
  shopDomain: string;
  currency: string;
  /** Whether the shop's prices include tax (Shop.taxesIncluded). */
  taxesIncluded: boolean;
  grantedScopes: string[];
  /** Scope handles the till needs and lacks, each with why. */
  missingScopes: { scope: string; why: string }[];
  locations: { id: string; name: string }[];
}

interface CheckAnswer {
  shop: { name: string; myshopifyDomain: string; currencyCode: string; taxesIncluded: boolean };
  currentAppInstallation: { accessScopes: { handle: string }[] };
}
interface LocationsAnswer {
  locations: { nodes: { id: string; name: string; isActive: boolean }[] };
}

/** write_x implies read_x, as Shopify grants it. */
function grants(granted: Set<string>, scope: string): boolean {
  return granted.has(scope) || (scope.startsWith('read_') && granted.has(scope.replace(/^read_/, 'write_')));
}

export async function checkStore(client: ShopifyClient): Promise<ShopifyCheck> {
  const answer = await client.request<CheckAnswer>(
    `query TillCheck { shop { name myshopifyDomain currencyCode taxesIncluded } currentAppInstallation { accessScopes { handle } } }`,
    undefined,
    2,
  );
  const granted = new Set(answer.currentAppInstallation.accessScopes.map((s) => s.handle));
  const missingScopes = Object.entries(REQUIRED_SCOPES)
    .filter(([scope]) => !grants(granted, scope))
    .map(([scope, why]) => ({ scope, why }));
  let locations: ShopifyCheck['locations'] = [];
  if (grants(granted, 'read_locations')) {
    const found = await client.request<LocationsAnswer>(
      `query TillLocations { locations(first: 50) { nodes { id name isActive } } }`,
      undefined,
      52,
    );
    locations = found.locations.nodes.filter((l) => l.isActive).map(({ id, name }) => ({ id, name }));
  }
  return {
    shopName: answer.shop.name,
    shopDomain: answer.shop.myshopifyDomain,
    currency: answer.shop.currencyCode,
    taxesIncluded: answer.shop.taxesIncluded,
    grantedScopes: [...granted].sort(),
    missingScopes,
    locations,
  };
}

interface DefinitionsAnswer {
  metafieldDefinitions: { nodes: { id: string; capabilities: { uniqueValues: { enabled: boolean } } }[] };
}
interface CreateDefinitionAnswer {
  metafieldDefinitionCreate: {
    createdDefinition: { id: string } | null;
    userErrors: { message: string; code: string | null }[];
  };
}

/** Makes sure orders have the unique sale-id metafield definition; creates it when absent. */
export async function ensureSaleIdDefinition(client: ShopifyClient): Promise<'existed' | 'created'> {
  const found = await client.request<DefinitionsAnswer>(
    `query TillSaleIdDefinition($namespace: String!, $key: String!) {
      metafieldDefinitions(first: 1, ownerType: ORDER, namespace: $namespace, key: $key) {
        nodes { id capabilities { uniqueValues { enabled } } }
      }
    }`,
    { namespace: SALE_ID_NAMESPACE, key: SALE_ID_KEY },
    4,
  );
  const existing = found.metafieldDefinitions.nodes[0];
  if (existing) {
    if (!existing.capabilities.uniqueValues.enabled) {
      throw new ShopifyError(
        'Rejected',
        `The order metafield ${SALE_ID_NAMESPACE}.${SALE_ID_KEY} exists without unique values: turn "Unique values" on for it in Shopify (Settings → Custom data → Orders), so no sale can become two orders.`,
      );
    }
    return 'existed';
  }
  const created = await client.request<CreateDefinitionAnswer>(
    `mutation TillCreateSaleIdDefinition($definition: MetafieldDefinitionInput!) {
      metafieldDefinitionCreate(definition: $definition) { createdDefinition { id } userErrors { message code } }
    }`,
    {
      definition: {
        name: 'Lightning Till sale id',
        namespace: SALE_ID_NAMESPACE,
        key: SALE_ID_KEY,
        description: 'The till’s sale id: one order per sale, never two.',
        type: 'single_line_text_field',
        ownerType: 'ORDER',
        capabilities: { uniqueValues: { enabled: true } },
      },
    },
  );
  const { createdDefinition, userErrors } = created.metafieldDefinitionCreate;
  if (!createdDefinition) {
    throw new ShopifyError(
      'Rejected',
      `Shopify would not create the sale-id metafield definition: ${userErrors.map((e) => e.message).join('; ')}`,
    );
  }
  return 'created';
}

export function clientFor(
  shopDomain: string,
  credentials: ShopifyCredentials,
  opts: {
    baseUrl?: string;
    timeoutMs?: number;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
  } = {},
): ShopifyClient {
  return createShopifyClient({
    shopDomain,
    token: tokenProvider(shopDomain, credentials, opts),
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
  });
}
