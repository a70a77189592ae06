/**
 * The parent side the Shopify crash tests share (shopify/crash, shopify/refund-crash,
 * checkout/lightning-refund-crash): the Shopify fake the children send to, the data directory
 * set up once, each run's seeded arguments, and the last clean restart that drains the queue.
 * Each test keeps its own kill points and what it checks at the end.
 */
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Product } from '../../shared/domain/index.js';
import { replaceCatalog } from '../journal/catalog.js';
import { openJournal } from '../journal/db.js';
import type { Till, TillDeps } from '../till.js';
import { installOrders, type OrdersFake } from './fakes/shopify/orders.js';
import { startShopifyFake, type ShopifyFake } from './fakes/shopify/server.js';
import { manualClock, RESOURCES_DIR } from './fixtures.js';
import { startChild } from './kill-child.js';
import { ALL_SCOPES, call, LOCATION } from './shopify-world.js';
import { signedInTill } from './till-calls.js';

/** The Shopify fake with the till's scopes and one location, recording the orders it is sent. */
export async function startCrashShopify(
  stock?: Map<string, Map<string, number>>,
): Promise<{ fake: ShopifyFake; orders: OrdersFake }> {
  const fake = await startShopifyFake({ scopes: ALL_SCOPES });
  fake.define('locations', () => ({
    nodes: [{ __typename: 'Location', id: LOCATION, name: 'Counter', isActive: true }],
  }));
  return { fake, orders: installOrders(fake, stock ? { stock } : {}) };
}

/** The products in the data directory's journal before any till opens it, priced in USD. */
export function journalCatalog(dataDir: string, products: Product[]): void {
  const journal = openJournal(join(dataDir, 'journal.sqlite'));
  replaceCatalog(journal, products, 'USD');
  journal.close();
}

/** Sets the data directory up once, before any child runs: Shopify saved, then `more`, then closed. */
export async function setUpCrashTill(
  dataDir: string,
  fake: ShopifyFake,
  more: (till: Till) => Promise<unknown> = async () => {},
): Promise<void> {
  const setup = await signedInTill({
    dataDir,
    resourcesDir: RESOURCES_DIR,
    timers: false,
    log: () => {},
    shopifyBaseUrl: fake.url,
  });
  await call(setup, 'saveShopify', {
    shopify: { shopDomain: fake.shopDomain, accessToken: 'shpat_test_token' },
    locationId: LOCATION,
  });
  await more(setup);
  await setup.close();
}

/**
 * One child run's seeded draws, in the order every crash test draws them: which occurrence of its
 * kill point dies (1…maxNth), the child's own seed, and the argument list the children read
 * (seed, kill point, occurrence, microtasks to wait).
 */
export function drawRun(
  random: () => number,
  at: string,
  maxNth: number,
): { nth: number; runSeed: number; args: string[] } {
  const nth = 1 + Math.floor(random() * maxNth);
  const runSeed = Math.floor(random() * 2 ** 31);
  return { nth, runSeed, args: [String(runSeed), at, String(nth), String(Math.floor(random() * 8))] };
}

/**
 * Starts run number `kill` of the bundled child on the data directory, as the children read their
 * arguments (data directory, resources, Shopify's address, start time, the drawn `args`, `extra`).
 * A week per run on the child's clock: its back-offs are always due by the next run.
 */
export function startRun(
  childPath: string,
  dataDir: string,
  fake: ShopifyFake,
  kill: number,
  args: string[],
  extra: string[] = [],
): ReturnType<typeof startChild> {
  const start = String(Date.UTC(2026, 10, 24, 10) + kill * 7 * 24 * 3600_000);
  return startChild(childPath, [dataDir, RESOURCES_DIR, fake.url, start, ...args, ...extra]);
}

/**
 * The last restart: a clean till that drains the queue by itself, a bounded number of its own
 * ticks with its clock moved past each back-off (no wall-clock waits), checked drained. The
 * caller closes it.
 */
export async function restartAndDrain(
  dataDir: string,
  fake: ShopifyFake,
  replay: string,
  deps: Partial<TillDeps> = {},
): Promise<Till> {
  const clock = manualClock(new Date('2030-01-01T00:00:00Z'));
  const till = await signedInTill({
    dataDir,
    resourcesDir: RESOURCES_DIR,
    now: clock.now,
    timers: false,
    log: () => {},
    shopifyBaseUrl: fake.url,
    ...deps,
  });
  try {
    for (let i = 0; i < 10 && (await call(till, 'getStatus')).shopify.pendingOrders > 0; i++) {
      await till.tick();
      clock.advance(10 * 60_000);
    }
    expect((await call(till, 'getStatus')).shopify, `${replay}: the queue once drained`).toMatchObject({
      pendingOrders: 0,
      failedOrders: 0,
    });
  } catch (err) {
    await till.close();
    throw err;
  }
  return till;
}

export type PerVariant = { variant_id: string; n: bigint }[];

/** Units each variant sold in paid sales, from the journal. */
export function soldPerVariant(db: Database.Database): PerVariant {
  return db
    .prepare(
      `SELECT sl.variant_id, sum(sl.quantity) AS n FROM sale_lines sl JOIN sales s ON s.id = sl.sale_id
       WHERE s.state = 'paid' AND sl.variant_id IS NOT NULL GROUP BY sl.variant_id`,
    )
    .all() as PerVariant;
}

/** Shopify's stock: 1000 less what was sold plus what refunds put back on the shelf. */
export function expectStockBack(
  orders: OrdersFake,
  products: Product[],
  sold: PerVariant,
  restocked: PerVariant,
  replay: string,
): void {
  for (const p of products) {
    const v = p.variants[0]!.id;
    const n = (rows: PerVariant) => Number(rows.find((r) => r.variant_id === v)?.n ?? 0n);
    expect(orders.stock.get(v)?.get(LOCATION), `${replay}: stock of ${v}`).toBe(
      1000 - n(sold) + n(restocked),
    );
  }
}
