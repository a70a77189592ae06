import { TillError } from '../../shared/contract/index.js';
import type { Handlers, TillContext } from './context.js';

/** Settings → Shopify, the catalog sync and parked orders. */
export function shopifyCommands({ shopify, flow, status }: TillContext) {
  return {
    testShopify: ({ shopify: input }) => shopify.check(input),
    saveShopify: async ({ shopify: input, locationId }) => {
      await shopify.save(input, locationId);
      return status();
    },
    disconnectShopify: () => {
      shopify.disconnect();
      return status();
    },
    syncCatalog: ({ full }) => {
      if (!shopify.connected()) throw new TillError('InvalidState', 'Connect a Shopify store first.');
      shopify.startSync(full);
      return status();
    },
    retryOrder: ({ saleId }) => {
      shopify.retry(saleId);
      return flow.get(saleId);
    },
  } satisfies Partial<Handlers>;
}
