import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sale } from '../../shared/domain/index.js';
import { installOrders } from '../test-support/fakes/shopify/orders.js';
import { startShopifyFake } from '../test-support/fakes/shopify/server.js';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { sellThenKill } from '../test-support/kill-child.js';
import { createTill } from '../till.js';
import { SALE_ID_KEY, SALE_ID_NAMESPACE } from './orders.js';

const CHILD = resolve(import.meta.dirname, '../test-support/shopify-crash-child.ts');
const LOCATION = 'gid://shopify/Location/1';

describe('a till killed while sending orders to Shopify', () => {
  it(
    'sends every paid sale exactly once after restarts, answers lost or not',
    { timeout: 120_000 },
    async () => {
      const dir = tempDir('till-shopify-crash-');
      const fake = await startShopifyFake({
        scopes: ['read_products', 'read_inventory', 'read_locations', 'write_orders'],
      });
      fake.define('locations', () => ({
        nodes: [{ __typename: 'Location', id: LOCATION, name: 'Counter', isActive: true }],
      }));
      const orders = installOrders(fake);
      try {
        const setup = await createTill({
          dataDir: dir.path,
          resourcesDir: RESOURCES_DIR,
          timers: false,
          log: () => {},
          shopifyBaseUrl: fake.url,
        });
        const saved = await setup.invoke('saveShopify', {
          shopify: { shopDomain: fake.shopDomain, accessToken: 'shpat_test_token' },
          locationId: LOCATION,
        });
        expect(saved.ok).toBe(true);
        await setup.close();

        // Lost answers and outages while the till is being killed at random moments.
        fake.failRandomly(0.25, ['reset-after', '503', 'hang'], 7);
        const seen: string[] = [];
        for (let round = 0; round < 3; round++) {
          seen.push(...(await sellThenKill(CHILD, [dir.path, fake.url], 6, Math.floor(Math.random() * 60))));
        }
        fake.failRandomly(0, []);

        const till = await createTill({
          dataDir: dir.path,
          resourcesDir: RESOURCES_DIR,
          timers: false,
          log: () => {},
          shopifyBaseUrl: fake.url,
        });
        try {
          for (let i = 0; i < 400; i++) {
            await till.tick();
            const status = await till.invoke('getStatus', {});
            if (
              status.ok &&
              (status.value as { shopify: { pendingOrders: number } }).shopify.pendingOrders === 0
            )
              break;
            await new Promise((r) => setTimeout(r, 100));
          }
          const list = await till.invoke('listSales', {});
          const paid = list.ok
            ? (list.value as { sales: Sale[] }).sales.filter((s) => s.state === 'paid')
            : [];
          expect(paid.length).toBeGreaterThanOrEqual(seen.length);
          for (const id of seen) expect(paid.some((s) => s.id === id)).toBe(true);
          const ids = orders.orders.map((o) => o.metafields.get(`${SALE_ID_NAMESPACE}.${SALE_ID_KEY}`));
          expect(new Set(ids).size).toBe(ids.length);
          expect(new Set(ids)).toEqual(new Set(paid.map((s) => s.id)));
        } finally {
          await till.close();
        }
      } finally {
        await fake.close();
        dir.remove();
      }
    },
  );
});
