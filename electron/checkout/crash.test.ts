/*
 * Testing the tests — the till killed with SIGKILL at seeded points of the sale path, then
 * restarted, must end with every settled invoice credited to exactly one paid sale and back.
 *   npx vitest run electron/checkout/crash.test.ts
 * CRASH_SEED=<n> replays a run (the seed is in the test's name and in every failure message);
 * CRASH_KILLS=<n> changes the number of kills (default 55: five at each of the eleven steps).
 *
 * M3, no replay from the journaled cursor — electron/lightning/connection.ts, connect():
 *     let fromCursor = readCursor(db, cursorKey);
 *   becomes
 *     let fromCursor: string | null = null;
 *   (the till then subscribes from the node's newest settlement, as on first contact)
 *   → red: a sale cancelled and then paid is never credited ("settled invoice … not journaled
 *   as settled"); only the subscription's replay can find it, the lookup no longer watches it.
 * M4, no lookup of awaiting invoices — electron/checkout/sale-flow.ts, first line of
 *   pollAwaiting(): `if (Date.now() > 0) return;`
 *   → red: the child's lookup after its customer paid sees the sale unpaid and exits on its own
 *   ("the till looked up sale … and saw it awaiting_payment").
 * M5, applySettlement not idempotent — electron/checkout/sale-flow.ts, applySettlement:
 *     } else if (record.settledAt === null) {
 *   becomes
 *     } else {
 *   (a settlement reported again — subscription, lookup, replay — is credited again)
 *   → red: "settled invoice … credited: expected 2 to be 1".
 */
import { signedInTill } from '../test-support/till-calls.js';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random.js';
import { SALE_STEPS } from '../test-support/crash-steps.js';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { bundleChild, runToKillPoint } from '../test-support/kill-child.js';
import { runSeed } from '../../shared/test-support/seed.js';

const CHILD = resolve(import.meta.dirname, '../test-support/crash-child.ts');
const SEED = runSeed('CRASH_SEED');
const KILLS = Number(process.env.CRASH_KILLS ?? 5 * SALE_STEPS.length);
const REPLAY = `replay with CRASH_SEED=${SEED}`;

/** What the children told the parent before they died. */
interface Reported {
  cash: Set<string>;
  /** Lightning sales the till answered were paid, with the hash they were paid by. */
  paid: Map<string, string>;
  /** Payments the customer's wallet made (the node committed them). */
  settled: Map<string, string>;
}

function collect(lines: string[], into: Reported): void {
  for (const line of lines) {
    const [what, sale, hash] = line.split(' ');
    if (what === 'cash' && sale) into.cash.add(sale);
    if (what === 'paid' && sale && hash) into.paid.set(sale, hash);
    if (what === 'settled' && sale && hash) into.settled.set(hash, sale);
  }
}

interface Credit {
  saleId: string;
  /** The payment hash the event credits, or 'cash'. */
  by: string;
}

/**
 * Every event that credits a payment to a sale: its move into `paid` (by the payment hash in
 * its detail, or cash), and a later note of a second payment of an already paid sale. A
 * settlement applied twice shows here as two credits of one hash — a duplicate the schema's
 * keys cannot stop, so this is the check that can trip.
 */
function credits(journal: Database.Database): Credit[] {
  const rows = journal
    .prepare(`SELECT sale_id, from_state, detail FROM sale_events WHERE to_state = 'paid' ORDER BY seq`)
    .all() as { sale_id: string; from_state: string | null; detail: string | null }[];
  return rows.flatMap((r) => {
    const detail = JSON.parse(r.detail ?? '{}') as {
      paymentHash?: string;
      tender?: string;
      duplicatePayment?: string;
    };
    if (r.from_state !== 'paid')
      return [{ saleId: r.sale_id, by: detail.tender === 'cash' ? 'cash' : (detail.paymentHash ?? '?') }];
    return detail.duplicatePayment ? [{ saleId: r.sale_id, by: detail.duplicatePayment }] : [];
  });
}

function expectSettlementsMatchSales(dataDir: string, reported: Reported): void {
  const node = new Database(join(dataDir, 'demo-node.db'), { readonly: true });
  const settled = new Map(
    (
      node.prepare(`SELECT payment_hash, amount_paid_msat FROM invoices WHERE state = 'settled'`).all() as {
        payment_hash: string;
        amount_paid_msat: number;
      }[]
    ).map((r) => [r.payment_hash, BigInt(r.amount_paid_msat)]),
  );
  node.close();
  const journal = new Database(join(dataDir, 'journal.sqlite'), { readonly: true });
  try {
    const invoices = new Map(
      (
        journal
          .prepare(`SELECT payment_hash, sale_id, settled_at, amount_paid_msat FROM sale_invoices`)
          .all() as {
          payment_hash: string;
          sale_id: string;
          settled_at: string | null;
          amount_paid_msat: number | null;
        }[]
      ).map((r) => [r.payment_hash, r]),
    );
    const sales = new Map(
      (
        journal.prepare(`SELECT id, state, tender FROM sales`).all() as {
          id: string;
          state: string;
          tender: string;
        }[]
      ).map((s) => [s.id, s]),
    );
    const all = credits(journal);
    const byHash = new Map<string, Credit[]>();
    const bySale = new Map<string, Credit[]>();
    for (const c of all) {
      if (c.by !== 'cash') byHash.set(c.by, [...(byHash.get(c.by) ?? []), c]);
      bySale.set(c.saleId, [...(bySale.get(c.saleId) ?? []), c]);
    }

    // Node → till: every settled invoice is the till's, journaled as settled for its amount,
    // credited exactly once, to a sale that is paid.
    expect(settled.size, `${REPLAY}: the node settled nothing — the test proved nothing`).toBeGreaterThan(0);
    for (const [hash, amount] of settled) {
      const invoice = invoices.get(hash);
      expect(invoice, `${REPLAY}: settled invoice ${hash} unknown to the journal`).toBeDefined();
      const sale = sales.get(invoice?.sale_id ?? '');
      const what = `settled invoice ${hash} (sale ${sale?.id}, ${sale?.state})`;
      expect(invoice?.settled_at, `${REPLAY}: ${what} not journaled as settled`).not.toBeNull();
      expect(BigInt(invoice?.amount_paid_msat ?? -1), `${REPLAY}: amount of ${what}`).toBe(amount);
      expect(byHash.get(hash)?.length ?? 0, `${REPLAY}: ${what} credited`).toBe(1);
      expect(sale?.state, `${REPLAY}: ${what}`).toBe('paid');
    }
    // Till → node: nothing credited or journaled as settled that the node did not settle.
    for (const [hash, list] of byHash) {
      expect(settled.has(hash), `${REPLAY}: payment ${hash} credited but not settled on the node`).toBe(true);
      expect(list.length, `${REPLAY}: payment ${hash} credited`).toBe(1);
    }
    for (const [hash, invoice] of invoices)
      if (invoice.settled_at !== null)
        expect(settled.has(hash), `${REPLAY}: ${hash} journaled settled, open on the node`).toBe(true);
    expect(journal.prepare('SELECT count(*) FROM unmatched_payments').pluck().get(), REPLAY).toBe(0);

    // Every paid sale was paid exactly once: one move into paid, by cash or by one of its own
    // invoices the node settled — a Lightning sale by a payment, a cash sale by cash.
    for (const sale of sales.values()) {
      const list = bySale.get(sale.id) ?? [];
      const entered = list.filter((c) => c.by === 'cash' || invoices.get(c.by)?.sale_id === sale.id);
      expect(entered.length, `${REPLAY}: credits of sale ${sale.id}`).toBe(list.length);
      if (sale.state !== 'paid') {
        expect(list, `${REPLAY}: unpaid sale ${sale.id} has credits`).toEqual([]);
        continue;
      }
      expect(list.length, `${REPLAY}: paid sale ${sale.id} credited`).toBeGreaterThanOrEqual(1);
      expect(list[0]!.by === 'cash', `${REPLAY}: tender of sale ${sale.id}`).toBe(sale.tender === 'cash');
      if (sale.tender === 'cash') expect(list.length, `${REPLAY}: cash sale ${sale.id} credited`).toBe(1);
    }

    // What the cashier was shown as paid is paid, by what she was shown.
    for (const id of reported.cash) {
      expect(sales.get(id)?.state, `${REPLAY}: cash sale ${id}`).toBe('paid');
      expect(
        bySale.get(id)?.map((c) => c.by),
        `${REPLAY}: cash sale ${id}`,
      ).toEqual(['cash']);
    }
    for (const [id, hash] of reported.paid)
      expect(
        bySale.get(id)?.map((c) => c.by),
        `${REPLAY}: Lightning sale ${id}`,
      ).toEqual([hash]);
    for (const [hash, id] of reported.settled)
      expect(invoices.get(hash)?.sale_id, `${REPLAY}: the wallet's payment ${hash}`).toBe(id);
  } finally {
    journal.close();
  }
}

describe('a till killed anywhere on the sale path', () => {
  let child: Awaited<ReturnType<typeof bundleChild>>;
  beforeAll(async () => {
    child = await bundleChild(CHILD);
  });
  afterAll(() => child.remove());

  it(
    `credits every payment the node settled to exactly one paid sale, and back (CRASH_SEED=${SEED}, ${KILLS} kills)`,
    { timeout: 180_000 },
    async () => {
      const dir = tempDir('till-crash-');
      const random = mulberry32(SEED);
      const reported: Reported = { cash: new Set(), paid: new Map(), settled: new Map() };
      const diedAt: string[] = [];
      try {
        for (let kill = 0; kill < KILLS; kill++) {
          // Every step kind in turn, its first or second occurrence, some microtasks into it.
          const at = SALE_STEPS[kill % SALE_STEPS.length]!;
          const args = [
            String(Math.floor(random() * 2 ** 31)),
            at,
            String(1 + Math.floor(random() * 2)),
            String(Math.floor(random() * 12)),
          ];
          const run = await runToKillPoint(child.path, [dir.path, RESOURCES_DIR, ...args]).catch(
            (err: unknown) => {
              throw new Error(`${REPLAY}: kill ${kill} (${args.join(' ')}): ${String(err)}`);
            },
          );
          collect(run.lines, reported);
          diedAt.push(run.diedAt);
        }
        expect(diedAt, REPLAY).toHaveLength(KILLS);
        expect(reported.settled.size, `${REPLAY}: the wallet paid nothing`).toBeGreaterThan(0);

        // The last restart: the till alone finds whatever the node settled while it was dead.
        const till = await signedInTill({
          dataDir: dir.path,
          resourcesDir: RESOURCES_DIR,
          timers: false,
          log: () => {},
        });
        await till.close();
        expectSettlementsMatchSales(dir.path, reported);
      } finally {
        dir.remove();
      }
    },
  );
});
