import { afterEach, describe, expect, it } from 'vitest';
import { startShopifyFake, type ShopifyFake } from '../test-support/fakes/shopify/server.js';
import { createShopifyClient, normaliseShopDomain, ShopifyError } from './client.js';

let fake: ShopifyFake | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function setup(token = 'shpat_test_token') {
  fake = await startShopifyFake({ scopes: ['read_products', 'write_orders'] });
  const client = createShopifyClient({
    shopDomain: fake.shopDomain,
    token: () => Promise.resolve(token),
    baseUrl: fake.url,
    timeoutMs: 1_000,
  });
  return { fake, client };
}

describe('the Shopify client', () => {
  it('runs a document through Shopify’s client and records the throttle bucket', async () => {
    const { client } = await setup();
    const data = await client.request<{
      shop: { name: string };
      currentAppInstallation: { accessScopes: { handle: string }[] };
    }>('{ shop { name myshopifyDomain } currentAppInstallation { accessScopes { handle } } }');
    expect(data.shop.name).toBe('Corner Café');
    expect(data.currentAppInstallation.accessScopes.map((s) => s.handle)).toEqual([
      'read_products',
      'write_orders',
    ]);
    expect(client.throttle()).toMatchObject({ maximumAvailable: 2000, restoreRate: 100 });
  });

  it('names a wrong token, an outage, a hang and a THROTTLED answer for what they are', async () => {
    const { fake: f, client } = await setup();
    const bad = createShopifyClient({
      shopDomain: f.shopDomain,
      token: () => Promise.resolve('nope'),
      baseUrl: f.url,
    });
    await expect(bad.request('{ shop { name } }')).rejects.toMatchObject({ kind: 'NotAuthorized' });
    f.failNext('503');
    await expect(client.request('{ shop { name } }')).rejects.toMatchObject({ kind: 'Unreachable' });
    f.failNext('hang');
    await expect(client.request('{ shop { name } }')).rejects.toMatchObject({ kind: 'Timeout' });
    f.failNext('throttled');
    // Waited out, then answered.
    await expect(client.request<{ shop: { name: string } }>('{ shop { name } }')).resolves.toMatchObject({
      shop: { name: 'Corner Café' },
    });
  });

  it('fails the test when the till sends something the schema does not have', async () => {
    const { fake: f, client } = await setup();
    await expect(client.request('{ shop { nameThatDoesNotExist } }')).rejects.toBeInstanceOf(ShopifyError);
    expect(f.violations[0]).toMatch(/Cannot query field "nameThatDoesNotExist"/);
    f.violations.length = 0;
  });

  it('takes a store name or its myshopify.com address, and refuses anything else', () => {
    expect(normaliseShopDomain(' https://Corner-Cafe.myshopify.com/admin ')).toBe(
      'corner-cafe.myshopify.com',
    );
    expect(normaliseShopDomain('corner-cafe')).toBe('corner-cafe.myshopify.com');
    expect(() => normaliseShopDomain('cornercafe.com')).toThrow(/myshopify\.com/);
  });
});
