import { createAdminApiClient } from '@shopify/admin-api-client';

/**
 * The till's one door to Shopify's Admin GraphQL API (2026-10), through Shopify's own client.
 * It adds what a till needs on top: a hard timeout, errors a manager can act on, and pacing
 * by the leaky bucket Shopify reports in `extensions.cost.throttleStatus`, so that normal
 * operation never meets THROTTLED (and waits it out if it does).
 */

export const API_VERSION = '2026-10';

export type ShopifyErrorKind =
  /** No answer: offline, DNS, reset, 5xx. Worth retrying later. */
  | 'Unreachable'
  | 'Timeout'
  /** 401/403: the token is wrong, revoked or lacks a scope. */
  | 'NotAuthorized'
  /** The document or its variables were refused (a bug, or an API change). */
  | 'Rejected'
  | 'BadResponse';

export class ShopifyError extends Error {
  override readonly name = 'ShopifyError';
  constructor(
    readonly kind: ShopifyErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface ShopifyClientOptions {
  /** mystore.myshopify.com */
  shopDomain: string;
  /** Returns a valid Admin API token (static, or renewed by the client-credentials grant). */
  token: () => Promise<string>;
  timeoutMs?: number;
  /** Tests: where https://{shop} really lives (an http fake on loopback). */
  baseUrl?: string;
  /** Tests: a clock for pacing. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface ShopifyClient {
  /** Runs one document; `cost` is the expected query cost, used for pacing before sending. */
  request<T>(document: string, variables?: Record<string, unknown>, cost?: number): Promise<T>;
  /** The bucket as last reported, restored to now. */
  throttle(): ThrottleStatus | null;
  readonly shopDomain: string;
}

const MAX_THROTTLE_RETRIES = 5;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a shop domain and gives it back lower-cased; *.myshopify.com only. */
export function normaliseShopDomain(text: string): string {
  const trimmed = text
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '');
  const domain = trimmed.includes('.') ? trimmed : `${trimmed}.myshopify.com`;
  if (!/^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$/.test(domain)) {
    throw new ShopifyError(
      'Rejected',
      `"${text.trim()}" is not a Shopify store address: use the store's myshopify.com domain, e.g. corner-cafe.myshopify.com`,
    );
  }
  return domain;
}

export function createShopifyClient(opts: ShopifyClientOptions): ShopifyClient {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = opts.now ?? (() => Date.now());
  let bucket: (ThrottleStatus & { at: number }) | null = null;

  let currentToken = '';
  // Shopify's client always builds https://{shop}/admin/api/...; a test fake on http is
  // reached by rewriting the origin in the fetch it is given. Its access-token header is
  // fixed at creation, so the current (possibly renewed) token is put in here.
  const customFetchApi = (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const target = opts.baseUrl
      ? String(url instanceof Request ? url.url : url).replace(`https://${opts.shopDomain}`, opts.baseUrl)
      : url;
    const headers = { ...(init?.headers as Record<string, string>), 'X-Shopify-Access-Token': currentToken };
    return fetch(target, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
  };
  const client = createAdminApiClient({
    storeDomain: opts.shopDomain,
    apiVersion: API_VERSION,
    // Replaced on every request by the current token (it may be renewed).
    accessToken: 'pending',
    customFetchApi,
    // Retries are ours: Shopify's client reads Retry-After seconds as milliseconds.
    retries: 0,
  });

  function available(): number | null {
    if (!bucket) return null;
    const restored = bucket.currentlyAvailable + ((now() - bucket.at) / 1000) * bucket.restoreRate;
    return Math.min(bucket.maximumAvailable, restored);
  }

  async function pace(cost: number): Promise<void> {
    const have = available();
    if (!bucket || have === null || have >= cost) return;
    const waitMs = Math.ceil(((cost - have) / bucket.restoreRate) * 1000);
    await sleep(Math.min(waitMs, 60_000));
  }

  function record(extensions: unknown): void {
    if (!isRecord(extensions) || !isRecord(extensions.cost)) return;
    const t = extensions.cost.throttleStatus;
    if (
      isRecord(t) &&
      typeof t.maximumAvailable === 'number' &&
      typeof t.currentlyAvailable === 'number' &&
      typeof t.restoreRate === 'number'
    ) {
      bucket = {
        maximumAvailable: t.maximumAvailable,
        currentlyAvailable: t.currentlyAvailable,
        restoreRate: t.restoreRate,
        at: now(),
      };
    }
  }

  async function request<T>(document: string, variables?: Record<string, unknown>, cost = 10): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await pace(cost);
      currentToken = await opts.token();
      let res;
      try {
        res = await client.request(document, variables ? { variables } : {});
      } catch (err) {
        throw new ShopifyError('Unreachable', `Shopify is unreachable (${String(err)})`, { cause: err });
      }
      record(res.extensions);
      const errors = res.errors;
      if (!errors) {
        if (res.data === undefined || res.data === null) {
          throw new ShopifyError('BadResponse', 'Shopify answered with no data');
        }
        return res.data as T;
      }
      const status = errors.networkStatusCode;
      const gql = errors.graphQLErrors ?? [];
      const throttled = gql.some((e) => isRecord(e.extensions) && e.extensions.code === 'THROTTLED');
      if (throttled) {
        if (attempt >= MAX_THROTTLE_RETRIES) {
          throw new ShopifyError(
            'Unreachable',
            'Shopify kept throttling the till; it will try again shortly',
          );
        }
        // Wait for the bucket to hold this query again (at least a second).
        const have = available() ?? 0;
        const rate = bucket?.restoreRate ?? 50;
        await sleep(Math.max(1_000, Math.ceil(((cost - have) / rate) * 1000)));
        continue;
      }
      const message = (errors.message ?? '').replace(/^GraphQL Client: /, '');
      if (status === 401 || status === 403) {
        throw new ShopifyError(
          'NotAuthorized',
          status === 401
            ? 'Shopify refused the access token: it is wrong or was revoked. Reconnect the store in Settings.'
            : `Shopify refused the request (HTTP 403): the app lacks a permission. ${message}`,
        );
      }
      if (status === undefined) {
        const timedOut = /timeout|aborted/i.test(message);
        throw new ShopifyError(
          timedOut ? 'Timeout' : 'Unreachable',
          timedOut
            ? `Shopify did not answer within ${timeoutMs / 1000} s`
            : `Shopify is unreachable (${message})`,
        );
      }
      if (status >= 500 || status === 429) {
        throw new ShopifyError(
          'Unreachable',
          `Shopify is having trouble (HTTP ${status}); the till will retry`,
        );
      }
      if (gql.length > 0) {
        const access = gql.some((e) => isRecord(e.extensions) && e.extensions.code === 'ACCESS_DENIED');
        const text = gql.map((e) => e.message).join('; ');
        throw new ShopifyError(access ? 'NotAuthorized' : 'Rejected', `Shopify refused the request: ${text}`);
      }
      throw new ShopifyError(status >= 400 ? 'Rejected' : 'BadResponse', `Shopify answered: ${message}`);
    }
  }

  return {
    request,
    throttle: () => {
      const have = available();
      return bucket && have !== null
        ? {
            maximumAvailable: bucket.maximumAvailable,
            currentlyAvailable: have,
            restoreRate: bucket.restoreRate,
          }
        : null;
    },
    shopDomain: opts.shopDomain,
  };
}
