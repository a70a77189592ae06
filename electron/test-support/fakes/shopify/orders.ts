import { fiatToDecimalString, parseDecimal, parseFiat } from '../../../../shared/money/index.js';
import { connection, type ShopifyFake } from './server.js';

/**
 * The order side of the Shopify fake: the sale-id metafield definition (with its
 * `uniqueValues` capability enforced on orderCreate), orderCreate with inventory decremented
 * at the transaction's location, and orderByIdentifier by that unique value. A created order's
 * totals are computed from what orderCreate received, the way the 2026-10 schema documents
 * them (see `orderTotals`), so a wrong price, tax line or discount shows in its totals.
 */

interface MoneyInput {
  amount: string;
  currencyCode: string;
}
interface TaxLineInput {
  title: string;
  rate: string;
  priceSet?: { shopMoney: MoneyInput };
}
interface LineInput {
  variantId?: string;
  title?: string;
  quantity: number;
  priceSet?: { shopMoney: MoneyInput };
  taxable?: boolean;
  requiresShipping?: boolean;
  taxLines?: TaxLineInput[];
  properties?: { name: string; value: string }[];
}
interface DiscountCodeInput {
  itemFixedDiscountCode?: { code: string; amountSet?: { shopMoney: MoneyInput } };
  itemPercentageDiscountCode?: { code: string; percentage?: number };
  freeShippingDiscountCode?: { code: string };
}
interface OrderInput {
  lineItems?: LineInput[];
  transactions?: {
    amountSet: { shopMoney: MoneyInput };
    gateway?: string;
    locationId?: string;
    authorizationCode?: string;
    kind?: string;
    status?: string;
  }[];
  metafields?: { namespace?: string; key?: string; type?: string; value?: string }[];
  tags?: string[];
  customAttributes?: { key: string; value: string }[];
  currency?: string;
  taxesIncluded?: boolean;
  taxLines?: TaxLineInput[];
  discountCode?: DiscountCodeInput;
  note?: string;
}

/** A created order's totals in minor units of its currency, as Shopify derives them. */
export interface OrderTotals {
  currency: string;
  taxesIncluded: boolean;
  /** `subtotalPriceSet`: "the sum of the prices for all line items after discounts"; tax
   * included in it when `taxesIncluded` (the prices include it). */
  subtotal: bigint;
  /** `totalDiscountsSet`: "both order and line level discounts". */
  discounts: bigint;
  /** `totalTaxSet` / `currentTotalTaxSet`: "the sum of the prices of all tax lines". */
  tax: bigint;
  /** `totalPriceSet` / `currentTotalPriceSet`: "includes taxes and discounts" — the subtotal,
   * plus the tax when it is not already in the prices. */
  total: bigint;
  /** Σ successful SALE transactions. */
  paid: bigint;
  /** `totalOutstandingSet`: total − paid. */
  outstanding: bigint;
  /** `Order.taxLines`: one per `rate` and `title`, "the total price for all tax lines with the
   * same rate and title", in the order first met. */
  taxLines: { title: string; rate: string; tax: bigint }[];
}

/** What orderCreate refuses, as a userError, before anything is created. */
export class OrderRefusal extends Error {
  constructor(
    readonly field: string[],
    message: string,
  ) {
    super(message);
  }
}

const RATE_SCALE = 30;

/**
 * An input whose answer Shopify does not document (a price with more decimals than the
 * currency, money in another currency, a discount above the prices …): not modelled, so the
 * fake records it as a violation and the test fails naming it, rather than guessing an answer.
 */
function unmodelled(what: string): Error {
  return new Error(`the fake does not model Shopify's answer to ${what}`);
}

/**
 * The totals of an order created from `input`, as the 2026-10 schema documents each field
 * (quoted on `OrderTotals`). What the schema says orderCreate refuses is an `OrderRefusal`
 * (a userError); what it does not say is `unmodelled`.
 */

export function orderTotals(input: OrderInput): OrderTotals {
  const currency = input.currency ?? 'USD';
  const amount = (m: { shopMoney: MoneyInput } | undefined, field: string[]): bigint => {
    if (!m) return 0n;
    if (m.shopMoney.currencyCode !== currency) {
      throw unmodelled(`${field.join('.')} in ${m.shopMoney.currencyCode} on an order in ${currency}`);
    }
    let minor: bigint;
    try {
      minor = parseFiat(m.shopMoney.amount, currency);
    } catch (err) {
      throw unmodelled(`${field.join('.')} = ${m.shopMoney.amount} (${String(err)})`);
    }
    if (minor < 0n) throw unmodelled(`a negative ${field.join('.')}`);
    return minor;
  };
  const lines = input.lineItems ?? [];
  if (input.taxLines?.length && lines.some((l) => l.taxLines?.length)) {
    // "tax lines can be specified on the order or the line items but not both"
    throw new OrderRefusal(
      ['order', 'taxLines'],
      'Tax lines can be specified on the order or the line items but not both',
    );
  }
  let prices = 0n;
  const groups = new Map<string, { title: string; rate: string; tax: bigint }>();
  const addTax = (t: TaxLineInput, field: string[]) => {
    const rate = parseDecimal(t.rate);
    if (rate.units < 0n) throw unmodelled(`a negative ${field.join('.')}.rate`);
    // "0.2" and "0.20" are one rate.
    const key = `${t.title}\u0000${rate.units * 10n ** BigInt(RATE_SCALE - rate.scale)}`;
    const group = groups.get(key) ?? { title: t.title, rate: t.rate, tax: 0n };
    group.tax += amount(t.priceSet, [...field, 'priceSet']);
    groups.set(key, group);
  };
  lines.forEach((l, i) => {
    const field = ['order', 'lineItems', String(i)];
    prices += amount(l.priceSet, [...field, 'priceSet']) * BigInt(l.quantity);
    (l.taxLines ?? []).forEach((t, k) => addTax(t, [...field, 'taxLines', String(k)]));
  });
  (input.taxLines ?? []).forEach((t, k) => addTax(t, ['order', 'taxLines', String(k)]));

  const code = input.discountCode ?? {};
  const kinds = Object.values(code).filter((v) => v !== null && v !== undefined);
  if (kinds.length > 1) {
    // OrderCreateDiscountCodeInput: "Only one type of discount can be applied to an order."
    throw new OrderRefusal(['order', 'discountCode'], 'Only one type of discount can be applied to an order');
  }
  let discounts = 0n;
  if (code.itemFixedDiscountCode) {
    discounts = amount(code.itemFixedDiscountCode.amountSet, [
      'order',
      'discountCode',
      'itemFixedDiscountCode',
      'amountSet',
    ]);
  } else if (code.itemPercentageDiscountCode) {
    throw unmodelled('a percentage discount code (how Shopify rounds it is not documented)');
  }
  if (discounts > prices) throw unmodelled('a discount code above the line items’ prices');
  const taxLines = [...groups.values()];
  const tax = taxLines.reduce((a, t) => a + t.tax, 0n);
  const taxesIncluded = input.taxesIncluded ?? false;
  const subtotal = prices - discounts;
  if (taxesIncluded && tax > subtotal)
    throw unmodelled('taxes included in prices that are smaller than them');
  const total = subtotal + (taxesIncluded ? 0n : tax);
  const paid = (input.transactions ?? [])
    .filter((t) => (t.kind ?? 'SALE') === 'SALE' && (t.status ?? 'SUCCESS') === 'SUCCESS')
    .reduce((a, t, i) => a + amount(t.amountSet, ['order', 'transactions', String(i), 'amountSet']), 0n);
  return {
    currency,
    taxesIncluded,
    subtotal,
    discounts,
    tax,
    total,
    paid,
    outstanding: total - paid,
    taxLines,
  };
}

export interface FakeOrder {
  id: string;
  name: string;
  createdAt: string;
  input: OrderInput;
  inventoryBehaviour: string;
  metafields: Map<string, string>;
  totals: OrderTotals;
  /** Each line item's id, in the order orderCreate received them. */
  lineItemIds: string[];
  /** Each transaction's id, in the order orderCreate received them. */
  transactionIds: string[];
}

interface RefundLineItemInput {
  lineItemId: string;
  quantity: number;
  restockType?: string;
  locationId?: string;
}
interface RefundInput {
  orderId: string;
  note?: string;
  notify?: boolean;
  processedAt?: string;
  allowOverRefunding?: boolean;
  refundLineItems?: RefundLineItemInput[];
  transactions?: { orderId: string; kind: string; gateway: string; amount: string; parentId?: string }[];
}

/** A refund refundCreate really made. */
export interface FakeRefund {
  id: string;
  orderId: string;
  /** The `@idempotent(key:)` it was made under. */
  key: string;
  input: RefundInput;
  /** Σ REFUND transactions, minor units of the order's currency. */
  amount: bigint;
  /** When refundCreate made it (ISO). */
  createdAt: string;
  /** The order's currency (its shop money). */
  currency: string;
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
  /** Every refund refundCreate really made. */
  refunds: FakeRefund[];
  /**
   * Whether a second refundCreate with the same idempotency key answers the first refund instead
   * of making another (Shopify always does). Off, a test proves the till's look-up alone.
   */
  honourIdempotency: boolean;
  /** Called as a refund is made, before the answer leaves. */
  onRefunded: ((refund: FakeRefund) => void) | null;
  /** Whether `Order.refunds` lists the order's refunds (Shopify always does). Off, a test proves the key alone. */
  listRefunds: boolean;
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
    refunds: [],
    honourIdempotency: true,
    onRefunded: null,
    listRefunds: true,
  };
  const refundNode = (r: FakeRefund) => {
    const money = {
      __typename: 'MoneyV2',
      amount: fiatToDecimalString(r.amount, r.currency),
      currencyCode: r.currency,
    };
    return {
      __typename: 'Refund',
      id: r.id,
      note: r.input.note ?? null,
      createdAt: r.createdAt,
      totalRefundedSet: { __typename: 'MoneyBag', shopMoney: money, presentmentMoney: money },
    };
  };
  /** An order changes when it is processed and when it is refunded. */
  const updatedAt = (orderId: string, processedAt: string): number =>
    Math.max(
      Date.parse(processedAt),
      ...state.refunds.filter((r) => r.orderId === orderId).map((r) => Date.parse(r.createdAt)),
    );
  /** Units of a line item refunded so far. */
  const refundedQuantity = (lineItemId: string) =>
    state.refunds
      .flatMap((r) => r.input.refundLineItems ?? [])
      .filter((l) => l.lineItemId === lineItemId)
      .reduce((a, l) => a + l.quantity, 0);
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
    const t = o.totals;
    const bag = (minor: bigint) => {
      const money = {
        __typename: 'MoneyV2',
        amount: fiatToDecimalString(minor, t.currency),
        currencyCode: t.currency,
      };
      return { __typename: 'MoneyBag', shopMoney: money, presentmentMoney: money };
    };
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
      taxesIncluded: t.taxesIncluded,
      subtotalPriceSet: bag(t.subtotal),
      currentSubtotalPriceSet: bag(t.subtotal),
      totalDiscountsSet: bag(t.discounts),
      currentTotalDiscountsSet: bag(t.discounts),
      totalTaxSet: bag(t.tax),
      currentTotalTaxSet: bag(t.tax),
      totalPriceSet: bag(t.total),
      currentTotalPriceSet: bag(t.total),
      totalOutstandingSet: bag(t.outstanding),
      note: o.input.note ?? null,
      taxLines: t.taxLines.map((l) => ({
        __typename: 'TaxLine',
        title: l.title,
        rate: Number(l.rate),
        priceSet: bag(l.tax),
      })),
      lineItems: (args: Record<string, unknown>) =>
        connection(
          (o.input.lineItems ?? []).map((l, i) => ({
            __typename: 'LineItem',
            id: o.lineItemIds[i],
            name: l.title ?? l.variantId ?? '',
            title: l.title ?? l.variantId ?? '',
            quantity: l.quantity,
            refundableQuantity: l.quantity - refundedQuantity(o.lineItemIds[i]!),
          })),
          args,
        ),
      refunds: () =>
        state.listRefunds ? state.refunds.filter((r) => r.orderId === o.id).map(refundNode) : [],
      transactions: (o.input.transactions ?? []).map((t, i) => ({
        __typename: 'OrderTransaction',
        id: o.transactionIds[i],
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
      } else if (field === 'updated_at' && op === '>=') {
        const t = Date.parse(value);
        list = list.filter((o) => updatedAt(o.id, o.processedAt) >= t);
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
    let totals: OrderTotals;
    try {
      totals = orderTotals(input);
    } catch (err) {
      if (!(err instanceof OrderRefusal)) throw err;
      return { order: null, userErrors: [{ field: err.field, message: err.message, code: 'INVALID' }] };
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
    const n = 1000 + state.orders.length + 1;
    const order: FakeOrder = {
      id: `gid://shopify/Order/${n}`,
      name: `#${n}`,
      createdAt: new Date().toISOString(),
      input,
      inventoryBehaviour: behaviour,
      metafields,
      totals,
      lineItemIds: input.lineItems.map((_, i) => `gid://shopify/LineItem/${n * 1000 + i + 1}`),
      transactionIds: (input.transactions ?? []).map(
        (_, i) => `gid://shopify/OrderTransaction/${n * 1000 + i + 1}`,
      ),
    };
    state.orders.push(order);
    state.onCreated?.(order);
    return { order: orderNode(order), userErrors: [] };
  });

  // refundCreate (2026-10): the `@idempotent(key:)` directive is required since 2026-04; the same
  // key answers the refund it already made. Line items and the REFUND transaction are checked
  // against the order; RETURN puts the units back in stock at the given location.
  const byKey = new Map<string, { input: string; refund: FakeRefund }>();
  fake.define('refundCreate', (args, ctx) => {
    const key = ctx.directives.idempotent?.key;
    if (typeof key !== 'string' || key.trim() === '') {
      throw new Error('refundCreate requires an idempotency key (@idempotent(key:)) since 2026-04');
    }
    const input = args.input as RefundInput;
    const inputText = JSON.stringify(input);
    const earlier = state.honourIdempotency ? byKey.get(key) : undefined;
    if (earlier) {
      if (earlier.input !== inputText) {
        throw new Error(`refundCreate: idempotency key ${key} reused with different parameters`);
      }
      return { refund: refundNode(earlier.refund), order: null, userErrors: [] };
    }
    const refusal = (field: string[], message: string) => ({
      refund: null,
      order: null,
      userErrors: [{ field, message }],
    });
    const order = state.orders.find((o) => o.id === input.orderId);
    if (!order) return refusal(['orderId'], 'Order does not exist');
    const lines = input.refundLineItems ?? [];
    for (const [i, l] of lines.entries()) {
      const at = order.lineItemIds.indexOf(l.lineItemId);
      const item = order.input.lineItems?.[at];
      if (!item) return refusal(['refundLineItems', String(i), 'lineItemId'], 'Line item does not exist');
      if (l.quantity < 1 || l.quantity > item.quantity - refundedQuantity(l.lineItemId)) {
        return refusal(
          ['refundLineItems', String(i), 'quantity'],
          'Quantity cannot refund more items than were purchased',
        );
      }
      const restock = l.restockType ?? 'NO_RESTOCK';
      if (restock === 'RETURN' && !l.locationId) throw unmodelled('a RETURN restock without a location');
      if (restock === 'NO_RESTOCK' && l.locationId) throw unmodelled('a location on a NO_RESTOCK line');
      if (restock !== 'RETURN' && restock !== 'NO_RESTOCK') throw unmodelled(`restockType ${restock}`);
    }
    const currency = order.totals.currency;
    let amount = 0n;
    for (const [i, t] of (input.transactions ?? []).entries()) {
      if (t.kind !== 'REFUND') throw unmodelled(`a ${t.kind} transaction on a refund`);
      if (t.orderId !== order.id)
        return refusal(['transactions', String(i), 'orderId'], 'Transaction belongs to another order');
      if (!t.parentId || !order.transactionIds.includes(t.parentId)) {
        return refusal(['transactions', String(i), 'parentId'], 'Parent transaction does not exist');
      }
      amount += parseFiat(t.amount, currency);
    }
    const refundedBefore = state.refunds
      .filter((r) => r.orderId === order.id)
      .reduce((a, r) => a + r.amount, 0n);
    if (!input.allowOverRefunding && refundedBefore + amount > order.totals.paid) {
      return refusal(['transactions'], 'Refund amount exceeds the amount paid for the order');
    }
    for (const l of lines) {
      if (l.restockType !== 'RETURN' || !l.locationId) continue;
      const variantId = order.input.lineItems?.[order.lineItemIds.indexOf(l.lineItemId)]?.variantId;
      if (!variantId) continue;
      const levels = state.stock.get(variantId) ?? new Map<string, number>();
      levels.set(l.locationId, (levels.get(l.locationId) ?? 0) + l.quantity);
      state.stock.set(variantId, levels);
    }
    const refund: FakeRefund = {
      id: `gid://shopify/Refund/${state.refunds.length + 1}`,
      orderId: order.id,
      key,
      input,
      amount,
      createdAt: new Date().toISOString(),
      currency,
    };
    state.refunds.push(refund);
    byKey.set(key, { input: inputText, refund });
    state.onRefunded?.(refund);
    return { refund: refundNode(refund), order: null, userErrors: [] };
  });

  fake.define('order', (args) => {
    const found = state.orders.find((o) => o.id === args.id);
    return found ? orderNode(found) : null;
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
