import { signedInTill } from '../test-support/till-calls.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sale } from '../../shared/domain/index.js';
import { openJournal } from '../journal/db.js';
import { createDemoBackend } from '../lightning/demo/backend.js';
import { createShopifyClient } from '../shopify/client.js';
import { installOrders } from '../test-support/fakes/shopify/orders.js';
import { startShopifyFake } from '../test-support/fakes/shopify/server.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { journalSalePages, nodeInvoicePages, records, shopifyOrders } from './sources.js';

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('reconciliation sources', () => {
  it('stream the node’s invoices, the journal’s sales and the till’s Shopify orders for a period', async () => {
    const dir = tempDir('till-recon-');
    const clock = manualClock();
    const fake = await startShopifyFake({
      scopes: ['read_products', 'read_inventory', 'read_locations', 'write_orders'],
    });
    fake.define('locations', () => ({
      nodes: [{ __typename: 'Location', id: 'gid://shopify/Location/1', name: 'Counter', isActive: true }],
    }));
    const orders = installOrders(fake);
    const backend = createDemoBackend({ dataDir: join(dir.path, 'node'), now: clock.now });
    const till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      backend,
      now: clock.now,
      timers: false,
      log: () => undefined,
      shopifyBaseUrl: fake.url,
    });
    try {
      const saved = await till.invoke('saveShopify', {
        shopify: { shopDomain: fake.shopDomain, accessToken: 'shpat_test_token' },
        locationId: 'gid://shopify/Location/1',
      });
      expect(saved.ok).toBe(true);
      const from = clock.now();
      await till.invoke('addCustomAmount', { amount: 450n });
      const cash = (await till.invoke('payCash', { tendered: 500n })) as { ok: true; value: Sale };
      clock.advance(1_000);
      await till.invoke('addCustomAmount', { amount: 1200n });
      const charged = (await till.invoke('charge', {})) as { ok: true; value: Sale };
      await till.invoke('demoPay', { saleId: charged.value.id });
      clock.advance(1_000);
      await till.tick();
      const to = new Date(clock.now().getTime() + 1);

      const invoices = await all(records(nodeInvoicePages(backend, from, to, 1)));
      expect(invoices.map((i) => i.paymentHash)).toEqual([charged.value.invoice!.paymentHash]);

      const db = openJournal(join(dir.path, 'journal.sqlite'));
      const sales = await all(records(journalSalePages(db, from, to)));
      // A page at a time gives the same sales.
      expect(await all(records(journalSalePages(db, from, to, 1)))).toEqual(sales);
      expect(await all(records(journalSalePages(db, to, new Date(to.getTime() + 1))))).toEqual([]);
      db.close();
      expect(sales.map((s) => [s.saleId, s.tender, s.total, s.orderName])).toEqual([
        [cash.value.id, 'cash', 450n, '#1001'],
        [charged.value.id, 'lightning', 1200n, '#1002'],
      ]);
      expect(sales[1]).toMatchObject({ paymentHash: charged.value.invoice!.paymentHash });

      const client = createShopifyClient({
        shopDomain: fake.shopDomain,
        token: () => Promise.resolve('shpat_test_token'),
        baseUrl: fake.url,
      });
      const found = await all(shopifyOrders(client, new Date(from.getTime() - 1), to));
      expect(found.map((o) => [o.name, o.saleId, o.total, o.paymentHash])).toEqual([
        ['#1001', cash.value.id, 450n, null],
        ['#1002', charged.value.id, 1200n, charged.value.invoice!.paymentHash],
      ]);
      expect(orders.orders).toHaveLength(2);
    } finally {
      await till.close();
      await fake.close();
      dir.remove();
    }
  });
});
