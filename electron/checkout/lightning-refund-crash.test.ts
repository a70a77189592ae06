/*
 * Testing the tests — a till killed at every step of its refunds, Lightning and cash (issue 14):
 * before and after it journals a refund, after `paying` is journaled but before the refund
 * wallet is asked, inside the wallet as it pays (the answer never heard), after the wallet
 * answered but before `paid` is journaled, and in the Shopify pump. Once a clean till has started
 * and its queue has drained: every refund ends paid or failed (none left paying), the wallet paid
 * each paid refund exactly once and no failed one, no invoice twice, no payment without its
 * refund, and Shopify has exactly one refund per paid refund, its stock back once.
 *   npx vitest run electron/checkout/lightning-refund-crash.test.ts
 * LN_REFUND_CRASH_SEED=<n> replays a run (the seed is in the test's name and every failure message).
 *
 * The refund wallet is the real LNbits refund wallet (electron/refund-wallet/lnbits.ts) against
 * the LNbits fake in this process, which counts every pay call per payment hash — the demo wallet
 * writes into the till's own journal and could not show a second payment. The Shopify fake does
 * not list an order's refunds here, so the idempotency key alone keeps Shopify's refunds
 * exactly-once (refund-crash.test.ts holds the look-up alone).
 *
 * Mutations (electron/checkout/refunds.ts unless said), each red, then restored:
 * L1 pay first, journal after (wallet.pay before the `paying` transaction) → red: "payments
 *    without a journaled refund" (killed inside the wallet or just after it answered).
 * L2 the restart re-pays a `paying` refund instead of looking it up (resolvePaying calls
 *    wallet.pay) → red: "invoices the wallet was asked to pay more than once".
 * L3 the idempotency key no longer the refund's id (electron/shopify/refunds.ts, key: randomUUID())
 *    → red: "the queue once drained" (a lost answer's retry makes a second refund, or Shopify
 *    refuses it as more than was paid and it is parked).
 */
import Database from 'better-sqlite3';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random.js';
import { runSeed } from '../../shared/test-support/seed.js';
import { startLnbitsFake, type LnbitsPayOutcome } from '../test-support/fakes/lnbits.js';
import { tempDir } from '../test-support/fixtures.js';
import { bundleChild } from '../test-support/kill-child.js';
import { INVOICES_PER_RUN, refundPreimage } from '../test-support/refund-invoices.js';
import {
  drawRun,
  expectStockBack,
  journalCatalog,
  restartAndDrain,
  startRun,
  setUpCrashTill,
  soldPerVariant,
  startCrashShopify,
  type PerVariant,
} from '../test-support/shopify-crash.js';
import { call, catalog } from '../test-support/shopify-world.js';

const CHILD = resolve(import.meta.dirname, '../test-support/refund-crash-child.ts');
const SEED = runSeed('LN_REFUND_CRASH_SEED');
const REPLAY = `replay with LN_REFUND_CRASH_SEED=${SEED}`;
/**
 * Where a child dies. Its own steps: 'refund' (a cash refund, some microtasks in: before or after
 * its one transaction), 'lightning' (a Lightning refund asked for, before or after it is
 * journaled), 'before pay' / 'after pay' (around the wallet's pay call), 'pump'. The parent's:
 * 'wallet paid' (inside the LNbits fake as it records the payment), 'refund created' (inside the
 * Shopify fake as it makes the refund).
 */
const KILL_POINTS = [
  'refund',
  'lightning',
  'before pay',
  'wallet paid',
  'after pay',
  'refund created',
  'pump',
] as const;
const KILLS = KILL_POINTS.length * 5;
/** How the wallet answers a pay call in a run: 'pay' mostly; answers lost, pending, refused besides. */
const OUTCOMES: LnbitsPayOutcome[] = [
  'pay',
  'pay',
  'pay',
  'paidThen500',
  'paidNoAnswer',
  'pending',
  'failed',
];

describe('a till killed at every step of its Lightning and cash refunds', () => {
  let child: Awaited<ReturnType<typeof bundleChild>>;
  beforeAll(async () => {
    child = await bundleChild(CHILD);
  });
  afterAll(() => child.remove());

  it(
    `pays every refund once and tells Shopify once, whatever the kill (LN_REFUND_CRASH_SEED=${SEED}, ${KILLS} kills)`,
    { timeout: 360_000 },
    async () => {
      const dir = tempDir('till-ln-refund-crash-');
      const { products, stock } = catalog(4);
      journalCatalog(dir.path, products);
      const { fake, orders } = await startCrashShopify(stock);
      orders.listRefunds = false;
      const lnbits = await startLnbitsFake({ now: () => new Date(), spends: true });
      lnbits.fund(1_000_000_000_000);
      const random = mulberry32(SEED);
      try {
        await setUpCrashTill(dir.path, fake, (setup) =>
          call(setup, 'saveRefundWallet', {
            kind: 'lnbits',
            url: lnbits.url,
            credential: lnbits.adminKey,
            perRefundLimitSats: null,
            perDayLimitSats: null,
          }),
        );

        fake.failRandomly(0.2, ['reset-after', '503-after', 'hang-after', '503'], SEED);
        const reported = new Set<string>();
        const killedBy = new Map<string, number>();
        for (let kill = 0; kill < KILLS; kill++) {
          const at = KILL_POINTS[kill % KILL_POINTS.length]!;
          const { nth, runSeed, args } = drawRun(random, at, 2);
          const drawn = OUTCOMES[Math.floor(random() * OUTCOMES.length)]!;
          // The wallet must pay for the child to die in it or after it.
          const outcome: LnbitsPayOutcome =
            at === 'after pay' || (at === 'wallet paid' && drawn === 'failed') ? 'pay' : drawn;
          lnbits.payOutcome(outcome);
          for (let n = 0; n < INVOICES_PER_RUN; n++) {
            const { hash, preimage } = refundPreimage(runSeed, n);
            lnbits.knowPreimage(hash, preimage);
          }
          const started = startRun(child.path, dir.path, fake, kill, args, [lnbits.url, lnbits.adminKey]);
          let made = 0;
          const killHere = (where: string) => {
            if (++made !== nth) return;
            killedBy.set(at, (killedBy.get(at) ?? 0) + 1);
            started.kill(`${where} #${nth}`);
          };
          orders.onRefunded = at === 'refund created' ? () => killHere('refund created') : null;
          lnbits.onPaid(at === 'wallet paid' ? () => killHere('wallet paid') : null);
          const run = await started.run.catch((err: unknown) => {
            throw new Error(`${REPLAY}: kill ${kill} (${args.join(' ')}, wallet ${outcome}): ${String(err)}`);
          });
          if (at !== 'refund created' && at !== 'wallet paid') {
            killedBy.set(at, (killedBy.get(at) ?? 0) + 1);
            expect(run.diedAt, `${REPLAY}: kill ${kill}`).toContain(at);
          }
          for (const line of run.lines) if (line.startsWith('refund ')) reported.add(line.slice(7));
        }
        orders.onRefunded = null;
        lnbits.onPaid(null);
        fake.failRandomly(0, []);
        expect(Object.fromEntries(killedBy), REPLAY).toEqual(
          Object.fromEntries(KILL_POINTS.map((p) => [p, KILLS / KILL_POINTS.length])),
        );
        // Payments the wallet had still under way reach the customer while the till is down.
        for (const p of lnbits.outgoing()) {
          if (p.status === 'pending') lnbits.finishOutgoing(p.paymentHash, 'success');
        }

        const till = await restartAndDrain(dir.path, fake, REPLAY, {
          backendTimeoutMs: 5_000,
          // Start-up waits for the look-ups of refunds left paying: they are what is tested.
          startupWaitMs: 120_000,
        });
        try {
          const db = new Database(join(dir.path, 'journal.sqlite'), { readonly: true });
          db.defaultSafeIntegers(true);
          const journaled = db
            .prepare(`SELECT id, state, tender, payment_hash, amount FROM refunds`)
            .all() as {
            id: string;
            state: string;
            tender: string;
            payment_hash: string | null;
            amount: bigint;
          }[];
          const restocked = db
            .prepare(
              `SELECT sl.variant_id, sum(l.quantity) AS n FROM refund_lines l
               JOIN refunds r ON r.id = l.refund_id
               JOIN sale_lines sl ON sl.sale_id = l.sale_id AND sl.line_id = l.line_id
               WHERE r.state = 'paid' AND l.restock = 1 AND sl.variant_id IS NOT NULL GROUP BY sl.variant_id`,
            )
            .all() as PerVariant;
          const sold = soldPerVariant(db);
          db.close();

          const lightning = journaled.filter((r) => r.tender === 'lightning');
          expect(
            lightning.filter((r) => r.state === 'paid').length,
            `${REPLAY}: Lightning refunds paid`,
          ).toBeGreaterThan(5);
          expect(
            journaled.filter((r) => r.tender === 'cash').length,
            `${REPLAY}: cash refunds`,
          ).toBeGreaterThan(3);
          for (const id of reported)
            expect(
              journaled.some((r) => r.id === id),
              `${REPLAY}: refund ${id} journaled`,
            ).toBe(true);

          // The wallet: one pay call per paid refund, none that paid for a failed one, and no
          // money out for an invoice the journal does not know.
          const calls = new Map<string, number>();
          for (const h of lnbits.payRequests) calls.set(h, (calls.get(h) ?? 0) + 1);
          const succeeded = lnbits.outgoing().filter((p) => p.status === 'success');
          const hashes = new Set(lightning.map((r) => r.payment_hash));
          expect(
            [...calls.keys()].filter((h) => !hashes.has(h)),
            `${REPLAY}: payments without a journaled refund`,
          ).toEqual([]);
          expect(
            [...calls].filter(([, n]) => n > 1),
            `${REPLAY}: invoices the wallet was asked to pay more than once`,
          ).toEqual([]);
          for (const r of journaled) {
            expect(['paid', 'failed'], `${REPLAY}: refund ${r.id} (${r.tender}) ended`).toContain(r.state);
            if (r.tender === 'cash') {
              expect(r.state, `${REPLAY}: cash refund ${r.id}`).toBe('paid');
              continue;
            }
            const h = r.payment_hash!;
            const out = succeeded.filter((p) => p.paymentHash === h).length;
            if (r.state === 'paid') {
              expect(calls.get(h), `${REPLAY}: pay calls for refund ${r.id}`).toBe(1);
              expect(out, `${REPLAY}: payments for refund ${r.id}`).toBe(1);
            } else {
              expect(calls.get(h) ?? 0, `${REPLAY}: pay calls for failed refund ${r.id}`).toBeLessThanOrEqual(
                1,
              );
              expect(out, `${REPLAY}: payments for failed refund ${r.id}`).toBe(0);
            }
          }

          // Shopify: exactly one refund per paid refund, made under its id, of its amount; none for a failed one.
          const paid = journaled.filter((r) => r.state === 'paid');
          expect(
            [...new Set(orders.refunds.map((r) => r.key))].sort(),
            `${REPLAY}: Shopify refunds for refunds the till never paid`,
          ).toEqual(paid.map((r) => r.id).sort());
          for (const r of paid) {
            const sent = orders.refunds.filter((x) => x.key === r.id);
            expect(sent.length, `${REPLAY}: Shopify refunds for refund ${r.id}`).toBe(1);
            expect(sent[0]!.amount, `${REPLAY}: amount of refund ${r.id}`).toBe(r.amount);
            expect((await call(till, 'getRefund', { refundId: r.id })).shopify?.state).toBe('done');
          }
          // Shopify's stock: what paid refunds put back on the shelf.
          expectStockBack(orders, products, sold, restocked, REPLAY);
        } finally {
          await till.close();
        }
      } finally {
        await lnbits.close();
        await fake.close();
        dir.remove();
      }
    },
  );
});
