import { signedInTill } from '../test-support/till-calls.js';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReconcileRun, Sale } from '../../shared/domain/index.js';
import { fiatToDecimalString, fiatToMsat, MSAT_PER_SAT } from '../../shared/money/index.js';
import { openJournal } from '../journal/db.js';
import { STORE_FILE } from '../lightning/demo/store.js';
import { orderTotals } from '../test-support/fakes/shopify/orders.js';
import { RESOURCES_DIR } from '../test-support/fixtures.js';
import { reconcileDay } from '../test-support/reconcile-run.js';
import {
  call,
  closeWorld,
  connect,
  drain,
  ordersBySale,
  ringUpPriced,
  sellCash,
  sellLightning,
  world as makeWorld,
  type World,
} from '../test-support/shopify-world.js';

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await closeWorld(w);
});

async function world(): Promise<World> {
  const w = await makeWorld({ till: { reconcileEngine: { threads: 2 } } });
  worlds.push(w);
  return w;
}

/** Every progress a run published, in order (the last run's). */
let published: ReconcileRun['progress'][] = [];

/** Reconciles the clock's day, keeping what the run published. */
function reconcileToday(w: World, everything?: boolean): Promise<ReconcileRun> {
  published = [];
  return reconcileDay(w.till, w.clock.now().toISOString().slice(0, 10), {
    ...(everything === undefined ? {} : { everything }),
    progress: (p) => published.push(p),
  });
}

/** The till started again on the world's data, as after a restart (its old one closed). */
function restart(w: World) {
  return signedInTill({
    dataDir: w.dir.path,
    resourcesDir: RESOURCES_DIR,
    now: w.clock.now,
    timers: false,
    log: () => undefined,
    shopifyBaseUrl: w.fake.url,
    shopifySleep: () => Promise.resolve(),
    exportDir: join(w.dir.path, 'exports'),
    reconcileEngine: { threads: 1 },
  });
}

const count = (run: ReconcileRun, outcome: string) => run.outcomes.find((o) => o.outcome === outcome)!.count;

describe('reconciliation in the till', () => {
  it('finds a sale Shopify never heard of and a payment the journal missed, repairs both, and then everything matches', async () => {
    const w = await world();
    // Sold before the store was connected: no order was ever queued.
    const beforeShopify = await sellCash(w, [0]);
    // The node settled this one in time, but the journal lost it (the till's own polling would
    // find it on its next tick; the reconciliation runs first).
    const lost = await sellLightning(w, [1]);
    await connect(w);
    const b = await sellLightning(w, [1]);
    const c = await sellLightning(w, [2, 3]);
    const d = await sellCash(w, [4]);
    await drain(w);
    expect(w.orders.orders).toHaveLength(3);
    const db = openJournal(join(w.dir.path, 'journal.sqlite'));
    db.transaction(() => {
      db.prepare(
        `UPDATE sales SET state = 'expired', paid_at = NULL, amount_paid_msat = NULL WHERE id = ?`,
      ).run(lost.id);
      db.prepare('UPDATE sale_invoices SET settled_at = NULL, amount_paid_msat = NULL WHERE sale_id = ?').run(
        lost.id,
      );
    })();
    db.close();

    const first = await reconcileToday(w);
    expect(first.state).toBe('done');
    expect(first.error).toBeNull();
    expect(first.items).toBe(5);
    expect(first.sources).toEqual({ node: true, shopify: true });
    expect(count(first, 'matched')).toBe(3);
    expect(count(first, 'sale_without_order')).toBe(1);
    expect(count(first, 'paid_on_node_no_sale')).toBe(1);
    expect(first.repairable).toBe(2);
    expect(first.progress.stage).toBe('done');
    // The screen heard each source as it was read, then each of the engine's steps in turn.
    expect(first.progress.read).toEqual({ companion: 0, journal: 5, node: 3, shopify: 3, refunds: 0 });
    expect(first.progress.records).toBe(11);
    const sources = published.filter((p) => p.stage === 'reading' && p.source !== null).map((p) => p.source);
    expect([...new Set(sources)]).toEqual(['journal', 'node', 'shopify', 'refunds']);
    const steps = published.filter((p) => p.stage === 'classifying' && p.stepLabel !== null);
    expect(steps.map((p) => p.step)).toEqual(steps.map((_, i) => i));
    expect(steps[0]).toMatchObject({ stepLabel: 'indexing the node’s invoices', steps: steps.length });
    expect(steps.at(-1)?.stepLabel).toBe('totalling');
    expect(first.progress).toMatchObject({ step: steps.length, steps: steps.length });

    const all = await call(w.till, 'getReconcile', {});
    expect(all.total).toBe(5);
    const problems = all.rows.filter((r) => r.outcome !== 'matched');
    expect(problems.map((r) => [r.saleId, r.outcome, r.repair, r.safe])).toEqual(
      expect.arrayContaining([
        [beforeShopify.id, 'sale_without_order', 'queue_order', true],
        [lost.id, 'paid_on_node_no_sale', 'record_payment', true],
      ]),
    );
    const matched = await call(w.till, 'getReconcile', { outcome: 'matched' });
    expect(matched.rows.map((r) => r.saleId).sort()).toEqual([b.id, c.id, d.id].sort());
    expect(matched.rows.find((r) => r.saleId === b.id)!.orderName).toMatch(/^#\d+$/);

    const csv = await call(w.till, 'exportReconcileCsv');
    expect(csv.filename).toMatch(/^reconciliation_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv.path).toBe(join(w.dir.path, 'exports', csv.filename));
    expect(csv.rows).toBe(5);
    // A second export never overwrites the first.
    expect((await call(w.till, 'exportReconcileCsv')).filename).toMatch(/ \(2\)\.csv$/);
    const text = readFileSync(csv.path, 'utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toContain(
      'time,sale_number,sale_id,tender,sale_state,payment_hash,sats,fiat,currency,rate,rate_source',
    );
    expect(lines).toHaveLength(6);
    const lostLine = lines.find((l) => l.includes(lost.id))!;
    expect(lostLine).toContain(lost.invoice!.paymentHash);
    expect(lostLine).toContain('paid_on_node_no_sale');

    const repaired = await call(w.till, 'applySafeRepairs');
    expect(repaired.skipped).toEqual([]);
    expect(repaired.applied).toBe(2);
    expect(repaired.run.repairable).toBe(0);
    expect((await call(w.till, 'getSale', { saleId: lost.id })).state).toBe('paid');
    // Applying again does nothing twice.
    expect((await call(w.till, 'applySafeRepairs')).applied).toBe(0);
    await drain(w);
    expect(w.orders.orders).toHaveLength(5);

    const second = await reconcileToday(w);
    expect(count(second, 'matched')).toBe(5);
    expect(second.items).toBe(5);
    expect(second.repairable).toBe(0);
  }, 60_000);

  it('refuses a backwards period and a second run at once, and a cancelled run leaves the last figures honest', async () => {
    const w = await world();
    await sellCash(w, [0]);
    const refusal = await w.till.invoke('startReconcile', { from: '2026-11-25', to: '2026-11-24' });
    expect(refusal.ok).toBe(false);
    if (!refusal.ok) expect(refusal.error.message).toMatch(/ends before it starts/);
    const bad = await w.till.invoke('startReconcile', { from: '24/11/2026', to: '2026-11-24' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/YYYY-MM-DD/);

    const day = w.clock.now().toISOString().slice(0, 10);
    await call(w.till, 'startReconcile', { from: day, to: day });
    const twice = await w.till.invoke('startReconcile', { from: day, to: day });
    expect(twice.ok).toBe(false);
    if (!twice.ok) expect(twice.error.message).toMatch(/already running/);
    const cancelled = await call(w.till, 'cancelReconcile');
    expect(['cancelled', 'done']).toContain(cancelled.state);
    // Without Shopify connected, a run still reconciles node and journal, says so, and does
    // not call every sale one without an order.
    const run = await reconcileToday(w);
    expect(run.state).toBe('done');
    expect(run.sources.shopify).toBe(false);
    expect(count(run, 'matched')).toBe(1);
    expect(count(run, 'sale_without_order')).toBe(0);
    expect(run.repairable).toBe(0);
    const repaired = await call(w.till, 'applySafeRepairs');
    expect(repaired).toMatchObject({ applied: 0, skipped: [] });
  }, 60_000);

  it('runs again, from its sources, a run the till was closed in the middle of', async () => {
    const w = await world();
    await connect(w);
    for (let i = 0; i < 3; i++) await sellCash(w, [i]);
    await drain(w);
    const day = w.clock.now().toISOString().slice(0, 10);
    await w.till.close();
    // What a till killed mid-run leaves: the period it was reconciling.
    writeFileSync(
      join(w.dir.path, 'reconcile-run.json'),
      JSON.stringify({ from: day, to: day, currency: 'USD' }),
    );
    w.till = await restart(w);
    await expect
      .poll(async () => (await call(w.till, 'getReconcile', {})).run.state, { timeout: 20_000 })
      .toBe('done');
    const { run, total } = await call(w.till, 'getReconcile', {});
    expect(run.from).toBe(day);
    expect(total).toBe(3);
    expect(count(run, 'matched')).toBe(3);
    expect(existsSync(join(w.dir.path, 'reconcile-run.json'))).toBe(false);
  }, 60_000);

  it('a cancelled ten-billion-dollar cart is matched but in no total, and the CSV says it was not paid', async () => {
    const w = await world();
    const paid = await sellCash(w, [0]);
    await call(w.till, 'addToCart', { variantId: w.products[1]!.variants[0]!.id });
    const charged = await call(w.till, 'charge');
    const cancelled = await call(w.till, 'cancelSale', { saleId: charged.id });
    expect(cancelled.state).toBe('cancelled');
    const db = openJournal(join(w.dir.path, 'journal.sqlite'));
    db.prepare('UPDATE sales SET total = ? WHERE id = ?').run(1_000_000_000_000n, charged.id);
    db.close();

    const run = await reconcileToday(w);
    expect(run.state).toBe('done');
    expect(run.items).toBe(2);
    const matched = run.outcomes.find((o) => o.outcome === 'matched')!;
    expect(matched).toEqual({ outcome: 'matched', count: 2, unpaid: 1, msat: 0n, fiat: paid.total });

    const rows = (await call(w.till, 'getReconcile', { outcome: 'matched' })).rows;
    expect(rows.find((r) => r.saleId === charged.id)).toMatchObject({
      saleState: 'cancelled',
      tender: 'lightning',
      fiat: 1_000_000_000_000n,
    });
    expect(rows.find((r) => r.saleId === paid.id)).toMatchObject({ saleState: 'paid', tender: 'cash' });

    const csv = await call(w.till, 'exportReconcileCsv');
    const [header, ...lines] = readFileSync(csv.path, 'utf8').slice(1).trimEnd().split('\r\n');
    const columns = header!.split(',');
    const at = (line: string, column: string) => line.split(',')[columns.indexOf(column)];
    const line = (saleId: string) => lines.find((l) => l.includes(saleId))!;
    expect(at(line(charged.id), 'tender')).toBe('lightning');
    expect(at(line(charged.id), 'sale_state')).toBe('cancelled');
    expect(at(line(charged.id), 'fiat')).toBe('10000000000.00');
    expect(at(line(charged.id), 'money_taken')).toBe('no');
    expect(at(line(paid.id), 'tender')).toBe('cash');
    expect(at(line(paid.id), 'sale_state')).toBe('paid');
    expect(at(line(paid.id), 'money_taken')).toBe('yes');

    // The Parquet export, read back with DuckDB itself: typed, exact, private to the till's user.
    const parquet = await call(w.till, 'exportReconcileParquet');
    expect(parquet.filename).toMatch(/\.parquet$/);
    expect(parquet.rows).toBe(2);
    if (process.platform !== 'win32') expect(statSync(parquet.path).mode & 0o777).toBe(0o600);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const duck = await DuckDBInstance.create(':memory:');
    const reader = await (
      await duck.connect()
    ).runAndReadAll(
      `SELECT sale_id, fiat, fiat_decimal, money_taken, typeof(time) AS time_type FROM read_parquet('${parquet.path}') ORDER BY sale_id`,
    );
    const read = reader.getRowObjects();
    duck.closeSync();
    expect(read.find((r) => r.sale_id === charged.id)).toMatchObject({
      fiat: 1_000_000_000_000n,
      fiat_decimal: '10000000000.00',
      money_taken: false,
      time_type: 'TIMESTAMP',
    });
    expect(read.find((r) => r.sale_id === paid.id)).toMatchObject({ fiat: paid.total, money_taken: true });
  }, 60_000);

  it('starts afresh when a crash left the results file unreadable, and removes the old engine’s files', async () => {
    const w = await world();
    await sellCash(w, [0]);
    await w.till.close();
    mkdirSync(join(w.dir.path, 'reconcile'), { recursive: true });
    writeFileSync(join(w.dir.path, 'reconcile', 'reconcile.duckdb'), 'not a database, whatever a crash left');
    writeFileSync(join(w.dir.path, 'reconcile.sqlite'), 'the home-made engine’s results');
    w.till = await restart(w);
    expect(existsSync(join(w.dir.path, 'reconcile.sqlite'))).toBe(false);
    expect((await call(w.till, 'getReconcile', {})).run.state).toBe('idle');
    const run = await reconcileToday(w);
    expect(run.items).toBe(1);
  });

  it('compares totals with tax, discount and tip: a priced sale matches its order; a lost tax line or discount, or an invoice without the tip, does not; the CSV carries the breakdown', async () => {
    // A patient Shopify client: a loaded machine must not make this about timeouts.
    const w = await makeWorld({ till: { reconcileEngine: { threads: 2 }, shopifyTimeoutMs: 10_000 } });
    worlds.push(w);
    await connect(w);
    const tip = { kind: 'percentage' as const, percent: '18' };
    const priced = async (tender: 'cash' | 'lightning'): Promise<Sale> => {
      await ringUpPriced(w);
      return tender === 'cash'
        ? call(w.till, 'payCash', { tendered: 10_000n, tip })
        : call(w.till, 'demoPay', { saleId: (await call(w.till, 'charge', { tip })).id });
    };
    const matched = await priced('lightning');
    const lostTax = await priced('cash');
    const lostDiscount = await priced('lightning');
    const beforeTip = await priced('lightning');
    const old = await sellCash(w, [2]);
    await drain(w);
    const p = matched.pricing!;
    expect([p.totals.tax, p.totals.discounts, p.totals.tip].every((x) => x > 0n)).toBe(true);

    // Shopify's copies lose a tax line, or the discount; its totals follow, as Shopify's would.
    const orderOf = (s: Sale) => ordersBySale(w.orders).get(s.id)![0]!;
    const taxed = orderOf(lostTax).input.lineItems!.find((l) => l.taxLines?.length)!;
    taxed.taxLines = [];
    delete orderOf(lostDiscount).input.discountCode;
    for (const s of [lostTax, lostDiscount]) orderOf(s).totals = orderTotals(orderOf(s).input);
    expect(orderOf(lostTax).totals.total).toBeLessThan(lostTax.total);
    expect(orderOf(lostDiscount).totals.total).toBe(
      lostDiscount.total + lostDiscount.pricing!.totals.discounts,
    );

    // The invoice asked for the goods without the tip, and the customer paid exactly that.
    const rate = beforeTip.invoice!.rate.rate;
    const goodsMsat = fiatToMsat(beforeTip.pricing!.totals.goods, 'USD', rate, 'up');
    const paid = ((goodsMsat + MSAT_PER_SAT - 1n) / MSAT_PER_SAT) * MSAT_PER_SAT;
    const hash = beforeTip.invoice!.paymentHash;
    const node = new Database(join(w.dir.path, STORE_FILE));
    node
      .prepare('UPDATE invoices SET amount_msat = ?, amount_paid_msat = ? WHERE payment_hash = ?')
      .run(paid, paid, hash);
    node.close();
    const db = openJournal(join(w.dir.path, 'journal.sqlite'));
    db.prepare('UPDATE sale_invoices SET amount_msat = ?, amount_paid_msat = ? WHERE payment_hash = ?').run(
      paid,
      paid,
      hash,
    );
    db.prepare('UPDATE sales SET amount_paid_msat = ? WHERE id = ?').run(paid, beforeTip.id);
    // A sale rung up before pricing existed.
    db.prepare('UPDATE sales SET pricing_json = NULL WHERE id = ?').run(old.id);
    db.close();

    const run = await reconcileToday(w);
    expect(run.items).toBe(5);
    const rows = (await call(w.till, 'getReconcile', {})).rows;
    const outcome = (s: Sale) => rows.find((r) => r.saleId === s.id)!.outcome;
    expect(outcome(matched)).toBe('matched');
    expect(outcome(old)).toBe('matched');
    expect(outcome(lostTax)).toBe('order_total_differs');
    expect(outcome(lostDiscount)).toBe('order_total_differs');
    expect(outcome(beforeTip)).toBe('amount_mismatch');
    expect(rows.find((r) => r.saleId === matched.id)).toMatchObject({
      fiat: matched.total,
      net: p.totals.net,
      tax: p.totals.tax,
      tip: p.totals.tip,
      discount: p.totals.discounts,
    });

    const csv = await call(w.till, 'exportReconcileCsv');
    const [header, ...lines] = readFileSync(csv.path, 'utf8').slice(1).trimEnd().split('\r\n');
    expect(header).toBe(
      'time,sale_number,sale_id,tender,sale_state,payment_hash,sats,fiat,currency,rate,rate_source,' +
        'shopify_order,outcome,suggested_repair,detail,money_taken,net,tax,tip,discount',
    );
    const columns = header!.split(',');
    const line = (s: Sale) => lines.find((l) => l.includes(s.id))!;
    // Details hold commas in quotes: the new columns are read from the end.
    const tail = (s: Sale) =>
      line(s)
        .split(',')
        .slice(-(columns.length - columns.indexOf('money_taken')));
    const usd = (m: bigint) => fiatToDecimalString(m, 'USD');
    expect(tail(matched)).toEqual([
      'yes',
      ...[p.totals.net, p.totals.tax, p.totals.tip, p.totals.discounts].map(usd),
    ]);
    expect(line(matched).split(',')[columns.indexOf('fiat')]).toBe(usd(matched.total));
    // Before pricing: no tax, no tip, no discount; net is the total.
    expect(tail(old)).toEqual(['yes', usd(old.total), '0.00', '0.00', '0.00']);
  }, 60_000);

  it('several tills on one node and one store: a till reconciles only its own invoices and orders, unless asked for everything the node received', async () => {
    const w = await world();
    await connect(w);
    const mine = await sellLightning(w, [1]);
    await drain(w);
    const journal = openJournal(join(w.dir.path, 'journal.sqlite'));
    const tillId = (
      journal.prepare("SELECT value FROM meta WHERE key = 'till_id'").get() as { value: string }
    ).value;
    journal.close();
    // The invoice this till made carries its id on the node, and its order the till_id attribute.
    const node = new Database(join(w.dir.path, STORE_FILE));
    const marked = node
      .prepare('SELECT till, bolt11, created_at FROM invoices WHERE payment_hash = ?')
      .get(mine.invoice!.paymentHash) as { till: string; bolt11: string; created_at: number };
    expect(marked.till).toBe(tillId);
    // Another till on the same node sold something, and someone sent the node a donation.
    const settle = node.prepare(
      `INSERT INTO invoices (payment_hash, preimage, bolt11, description, amount_msat, created_at, expires_at,
                             state, settle_index, settled_at, amount_paid_msat, till)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'settled', ?, ?, ?, ?)`,
    );
    const at = marked.created_at;
    settle.run(
      'b'.repeat(64),
      '1'.repeat(64),
      marked.bolt11,
      'till B · sale #1',
      5000,
      at,
      at + 600_000,
      1000,
      at + 1,
      5000,
      'till-b',
    );
    settle.run(
      'd'.repeat(64),
      '2'.repeat(64),
      marked.bolt11,
      'donation',
      7000,
      at,
      at + 600_000,
      1001,
      at + 1,
      7000,
      null,
    );
    node.close();
    // And till B's sale became an order in the same store.
    const order = w.orders.orders[0]!;
    w.orders.orders.push({
      ...order,
      id: 'gid://shopify/Order/999999',
      name: '#9999',
      metafields: new Map([...order.metafields].map(([k]) => [k, 'till-b-sale-1'])),
      input: {
        ...order.input,
        customAttributes: (order.input.customAttributes ?? [])
          .filter((a) => a.key !== 'till_id' && a.key !== 'payment_hash')
          .concat([{ key: 'till_id', value: 'till-b' }]),
        // Paid by till B's invoice, not this till's.
        transactions: (order.input.transactions ?? []).map((t) => ({
          ...t,
          authorizationCode: 'b'.repeat(64),
        })),
      },
    });

    const own = await reconcileToday(w);
    expect(own.state).toBe('done');
    expect(own.everything).toBe(false);
    expect(own.otherTills).toBe(3);
    expect(own.items).toBe(1);
    expect(count(own, 'matched')).toBe(1);
    expect(count(own, 'paid_on_node_no_sale')).toBe(0);
    expect(count(own, 'order_without_sale')).toBe(0);

    const all = await reconcileToday(w, true);
    expect(all.everything).toBe(true);
    expect(all.otherTills).toBe(0);
    expect(all.items).toBe(4);
    expect(count(all, 'matched')).toBe(1);
    const rows = (await call(w.till, 'getReconcile', {})).rows;
    expect(
      rows
        .filter((r) => r.outcome !== 'matched')
        .map((r) => [r.outcome, r.orderName ?? r.paymentHash])
        .sort(),
    ).toEqual([
      ['order_without_sale', '#9999'],
      ['paid_on_node_no_sale', 'b'.repeat(64)],
      ['paid_on_node_no_sale', 'd'.repeat(64)],
    ]);
  }, 60_000);
});
