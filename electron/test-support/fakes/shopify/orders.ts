import { connection, type ShopifyFake } from './server.js';

/**
 * The order side of the Shopify fake: the sale-id metafield definition (with its
 * `uniqueValues` capability enforced on orderCreate), orderCreate with inventory decremented
 * at the transaction's location, and orderByIdentifier by that unique value.
 */

interface MoneyInput {
  amount: string;
  currencyCode: string;
}
interface LineInput {
  variantId?: string;
  title?: string;
  quantity: number;
  priceSet?: { shopMoney: MoneyInput };
}
interface OrderInput {
  lineItems?: LineInput[];
  transactions?: {
    amountSet: { shopMoney: MoneyInput };
    gateway?: string;
    locationId?: string;
    authorizationCode?: string;
  }[];
  metafields?: { namespace?: string; key?: string; type?: string; value?: string }[];
  tags?: string[];
  customAttributes?: { key: string; value: string }[];
  currency?: string;
}

export interface FakeOrder {
  id: string;
  name: string;
  createdAt: string;
  input: OrderInput;
  inventoryBehaviour: string;
  metafields: Map<string, string>;
}

export interface OrdersFake {
  /** Every order orderCreate really created (a refused or faulted-before-work call adds none). */
  orders: FakeOrder[];
  /**
   * Whether a definition's `uniqueValues` capability is enforced on orderCreate (Shopify always
   * does). Off, a test proves the look-up before retry keeps orders exactly-once on its own.
   */
  enforceUnique: boolean;
  /** Called as an order is created, before the answer leaves: a test can kill the till there. */
  onCreated: ((order: FakeOrder) => void) | null;
  definitions: { namespace: string; key: string; ownerType: string; unique: boolean; type: string }[];
  /** Stock per variant id per location id. */
  stock: Map<string, Map<string, number>>;
}

export function installOrders(
  fake: ShopifyFake,
  seed: { stock?: Map<string, Map<string, number>> } = {},
): OrdersFake {
  const state: OrdersFake = {
    orders: [],
    enforceUnique: true,
    onCreated: null,
    definitions: [],
    stock: seed.stock ?? new Map<string, Map<string, number>>(),
  };
  const defId = (i: number) => `gid://shopify/MetafieldDefinition/${i + 1}`;
  const definitionNode = (d: OrdersFake['definitions'][number], i: number) => ({
    __typename: 'MetafieldDefinition',
    id: defId(i),
    name: d.key,
    namespace: d.namespace,
    key: d.key,
    ownerType: d.ownerType,
    type: { __typename: 'MetafieldDefinitionType', name: d.type },
    capabilities: {
      __typename: 'MetafieldCapabilities',
      uniqueValues: { __typename: 'MetafieldCapabilityUniqueValues', enabled: d.unique },
    },
  });
  const orderNode = (o: FakeOrder) => {
    const tx = o.input.transactions?.[0];
    const money = tx?.amountSet.shopMoney ?? { amount: '0.00', currencyCode: o.input.currency ?? 'USD' };
    const processedAt = (o.input as { processedAt?: string }).processedAt ?? o.createdAt;
    return {
      __typename: 'Order',
      id: o.id,
      name: o.name,
      createdAt: o.createdAt,
      processedAt,
      cancelledAt: null,
      test: false,
      tags: o.input.tags ?? [],
      customAttributes: (o.input.customAttributes ?? []).map((a) => ({ __typename: 'Attribute', ...a })),
      metafield: (args: { namespace?: string; key: string }) => {
        const value = o.metafields.get(`${args.namespace ?? 'app'}.${args.key}`);
        return value === undefined
          ? null
          : { __typename: 'Metafield', id: `${o.id}/mf`, namespace: args.namespace, key: args.key, value };
      },
      totalPriceSet: {
        __typename: 'MoneyBag',
        shopMoney: { __typename: 'MoneyV2', ...money },
        presentmentMoney: { __typename: 'MoneyV2', ...money },
      },
      transactions: (o.input.transactions ?? []).map((t) => ({
        __typename: 'OrderTransaction',
        authorizationCode: t.authorizationCode ?? null,
        gateway: t.gateway ?? null,
        kind: 'SALE',
        status: 'SUCCESS',
        amountSet: {
          __typename: 'MoneyBag',
          shopMoney: { __typename: 'MoneyV2', ...t.amountSet.shopMoney },
          presentmentMoney: { __typename: 'MoneyV2', ...t.amountSet.shopMoney },
        },
      })),
    };
  };

  // orders(query: "tag:lightning-till processed_at:>='…' processed_at:<'…'"), oldest first.
  fake.define('orders', (args) => {
    const query = typeof args.query === 'string' ? args.query : '';
    const terms = query.match(/(\w+):(>=|<=|>|<)?'?([^'\s]+)'?/g) ?? [];
    let list = state.orders.map(orderNode);
    for (const term of terms) {
      const m = /^(\w+):(>=|<=|>|<)?'?([^'\s]+)'?$/.exec(term)!;
      const [, field, op, value] = m as unknown as [string, string, string | undefined, string];
      if (field === 'tag') list = list.filter((o) => o.tags.includes(value));
      else if (field === 'processed_at') {
        const t = Date.parse(value);
        list = list.filter((o) => {
          const at = Date.parse(o.processedAt);
          return op === '>='
            ? at >= t
            : op === '>'
              ? at > t
              : op === '<'
                ? at < t
                : op === '<='
                  ? at <= t
                  : at === t;
        });
      } else throw new Error(`the fake does not filter orders by ${field}`);
    }
    list.sort((a, b) => Date.parse(a.processedAt) - Date.parse(b.processedAt) || a.id.localeCompare(b.id));
    if (args.reverse === true) list.reverse();
    return connection(list, args);
  });

  fake.define('metafieldDefinitions', (args) => {
    const matching = state.definitions
      .map((d, i) => ({ d, i }))
      .filter(
        ({ d }) =>
          d.ownerType === args.ownerType &&
          (args.namespace === undefined || d.namespace === args.namespace) &&
          (args.key === undefined || d.key === args.key),
      )
      .map(({ d, i }) => definitionNode(d, i));
    return {
      nodes: matching,
      edges: matching.map((node) => ({ node, cursor: node.id })),
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    };
  });

  fake.define('metafieldDefinitionCreate', (args) => {
    const def = args.definition as {
      namespace?: string;
      key: string;
      ownerType: string;
      type: string;
      capabilities?: { uniqueValues?: { enabled: boolean } };
    };
    const namespace = def.namespace ?? 'app';
    if (
      state.definitions.some(
        (d) => d.namespace === namespace && d.key === def.key && d.ownerType === def.ownerType,
      )
    ) {
      return {
        createdDefinition: null,
        userErrors: [
          {
            field: ['definition', 'key'],
            message: 'Key is in use for Order metafields on this namespace.',
            code: 'TAKEN',
          },
        ],
      };
    }
    state.definitions.push({
      namespace,
      key: def.key,
      ownerType: def.ownerType,
      type: def.type,
      unique: def.capabilities?.uniqueValues?.enabled ?? false,
    });
    return {
      createdDefinition: definitionNode(state.definitions.at(-1)!, state.definitions.length - 1),
      userErrors: [],
    };
  });

  const uniqueOn = (namespace: string, key: string) =>
    state.enforceUnique &&
    state.definitions.some(
      (d) => d.ownerType === 'ORDER' && d.namespace === namespace && d.key === key && d.unique,
    );

  fake.define('orderCreate', (args) => {
    const input = args.order as OrderInput;
    const options = (args.options ?? {}) as { inventoryBehaviour?: string };
    const metafields = new Map<string, string>();
    for (const m of input.metafields ?? []) {
      const namespace = m.namespace ?? 'app';
      const id = `${namespace}.${m.key}`;
      if (uniqueOn(namespace, m.key ?? '') && state.orders.some((o) => o.metafields.get(id) === m.value)) {
        return {
          order: null,
          userErrors: [
            {
              field: ['order', 'metafields', '0', 'value'],
              message: 'Value has already been taken',
              code: 'INVALID',
            },
          ],
        };
      }
      metafields.set(id, m.value ?? '');
    }
    if (!input.lineItems?.length) {
      return {
        order: null,
        userErrors: [
          {
            field: ['order', 'lineItems'],
            message: 'Line items must have at least one item',
            code: 'INVALID',
          },
        ],
      };
    }
    const unknown = input.lineItems.find((l) => l.variantId && !state.stock.has(l.variantId));
    if (unknown) {
      return {
        order: null,
        userErrors: [
          {
            field: ['order', 'lineItems', '0', 'variantId'],
            message: `Variant ${unknown.variantId} does not exist`,
            code: 'INVALID',
          },
        ],
      };
    }
    const behaviour = options.inventoryBehaviour ?? 'BYPASS';
    const location = input.transactions?.[0]?.locationId;
    if (behaviour !== 'BYPASS' && location) {
      for (const line of input.lineItems) {
        if (!line.variantId) continue;
        const levels = state.stock.get(line.variantId) ?? new Map<string, number>();
        levels.set(location, (levels.get(location) ?? 0) - line.quantity);
        state.stock.set(line.variantId, levels);
      }
    }
    const order: FakeOrder = {
      id: `gid://shopify/Order/${1000 + state.orders.length + 1}`,
      name: `#${1000 + state.orders.length + 1}`,
      createdAt: new Date().toISOString(),
      input,
      inventoryBehaviour: behaviour,
      metafields,
    };
    state.orders.push(order);
    state.onCreated?.(order);
    return { order: orderNode(order), userErrors: [] };
  });

  fake.define('orderByIdentifier', (args) => {
    const identifier = args.identifier as {
      id?: string;
      customId?: { namespace?: string; key: string; value: string };
    };
    if (identifier.id) {
      const byId = state.orders.find((o) => o.id === identifier.id);
      return byId ? orderNode(byId) : null;
    }
    const c = identifier.customId;
    if (!c) return null;
    const id = `${c.namespace ?? 'app'}.${c.key}`;
    const found = state.orders.find((o) => o.metafields.get(id) === c.value);
    return found ? orderNode(found) : null;
  });

  return state;
}
