/*
 * Testing the tests — a till killed while its orders go to Shopify (answers lost besides) must
 * end, once its queue drains, with exactly one order per paid sale and none parked or waiting.
 *   npx vitest run electron/shopify/crash.test.ts
 * SHOPIFY_CRASH_SEED=<n> replays a run (the seed is in the test's name and every failure message).
 *
 * The fake's unique check on the sale-id metafield is off here, so this test holds the look-up
 * before a retry to exactly-once on its own under SIGKILL (orders.test.ts proves the unique
 * metafield alone). SHOPIFY_CRASH_UNIQUE=on runs it against the unique check, as Shopify is.
 *
 * M1, the look-up before a retry removed — electron/shopify/orders.ts, drainOutbox:
 *     const existing = head.attempts > 0 ? await findOrder(client, sale.id) : null;
 *   becomes
 *     const existing = null as { id: string; name: string } | null;
 *   → red: "orders created for sale …: expected 2 to be 1".
 * M6, the attempt counted after the call instead of before — electron/shopify/orders.ts,
 *   drainOutbox: move `markAttempt(db, head.seq);` from before `orderInput(…)` to just after
 *   the `await client.request<Created>(ORDER_CREATE, …)` line (a till killed mid-call then
 *   restarts thinking it never tried, and does not look first)
 *   → red: "orders created for sale …: expected 2 to be 1".
 * Both stay green with SHOPIFY_CRASH_UNIQUE=on: the unique refusal catches the second send.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random.js';
import { tempDir } from '../test-support/fixtures.js';
import { bundleChild } from '../test-support/kill-child.js';
import {
  drawRun,
  restartAndDrain,
  startRun,
  setUpCrashTill,
  startCrashShopify,
} from '../test-support/shopify-crash.js';
import { call, expectedTotals, orderTotal, ordersBySale } from '../test-support/shopify-world.js';
import { runSeed } from '../../shared/test-support/seed.js';

const CHILD = resolve(import.meta.dirname, '../test-support/shopify-crash-child.ts');
const SEED = runSeed('SHOPIFY_CRASH_SEED');
const UNIQUE = process.env.SHOPIFY_CRASH_UNIQUE === 'on';
const KILLS = 24;
const REPLAY = `replay with SHOPIFY_CRASH_SEED=${SEED}`;
/** Where a child dies: inside the fake as an order is created (its answer never heard), or at its own step. */
const KILL_POINTS = ['order created', 'sell', 'pump'] as const;

describe('a till killed while sending orders to Shopify', () => {
  let child: Awaited<ReturnType<typeof bundleChild>>;
  beforeAll(async () => {
    child = await bundleChild(CHILD);
  });
  afterAll(() => child.remove());

  it(
    `sends every paid sale exactly once after restarts, answers lost or not (SHOPIFY_CRASH_SEED=${SEED}, ${KILLS} kills, unique check ${UNIQUE ? 'on' : 'off'})`,
    { timeout: 120_000 },
    async () => {
      const dir = tempDir('till-shopify-crash-');
      const { fake, orders } = await startCrashShopify();
      const random = mulberry32(SEED);
      try {
        await setUpCrashTill(dir.path, fake);
        orders.enforceUnique = UNIQUE;

        // Lost answers and outages while the till is being killed at seeded moments.
        fake.failRandomly(0.2, ['reset-after', '503-after', 'hang-after', '503'], SEED);
        const paid = new Set<string>();
        let killedOnCreate = 0;
        for (let kill = 0; kill < KILLS; kill++) {
          const at = KILL_POINTS[kill % KILL_POINTS.length]!;
          const { nth, args } = drawRun(random, at, 3);
          const started = startRun(child.path, dir.path, fake, kill, args);
          let created = 0;
          orders.onCreated =
            at === 'order created'
              ? () => {
                  if (++created === nth) {
                    killedOnCreate++;
                    started.kill(`order created #${nth}`);
                  }
                }
              : null;
          const run = await started.run.catch((err: unknown) => {
            throw new Error(`${REPLAY}: kill ${kill} (${args.join(' ')}): ${String(err)}`);
          });
          for (const line of run.lines) if (line.startsWith('paid ')) paid.add(line.slice(5));
        }
        orders.onCreated = null;
        fake.failRandomly(0, []);
        expect(killedOnCreate, REPLAY).toBe(KILLS / KILL_POINTS.length);

        const till = await restartAndDrain(dir.path, fake, REPLAY);
        try {
          const totals = expectedTotals(dir.path, new Map());
          expect(totals.size, `${REPLAY}: paid sales`).toBeGreaterThanOrEqual(paid.size);
          for (const id of paid) expect(totals.has(id), `${REPLAY}: sale ${id} shown paid`).toBe(true);
          const bySale = ordersBySale(orders);
          expect([...bySale.keys()].sort(), `${REPLAY}: orders for sales the till never made`).toEqual(
            [...totals.keys()].sort(),
          );
          for (const [id, expected] of totals) {
            const list = bySale.get(id) ?? [];
            expect(list.length, `${REPLAY}: orders created for sale ${id}`).toBe(1);
            expect(orderTotal(list[0]!), `${REPLAY}: order total of sale ${id}`).toEqual({
              paid: expected,
              lines: expected,
            });
            const sale = await call(till, 'getSale', { saleId: id });
            expect(sale.order, `${REPLAY}: sale ${id}`).toEqual({
              state: 'done',
              orderName: list[0]!.name,
              error: null,
            });
          }
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
