import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Product, ShiftReport } from '../../shared/domain/index.js';
import { DEFAULT_PRICING, type PricingSettings } from '../../shared/pricing/settings.js';
import { BackendError, type LightningBackend } from '../lightning/backend.js';
import { createDemoBackend, type DemoBackend } from '../lightning/demo/backend.js';
import { keypadOnlyResources, manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused, signedInTill } from '../test-support/till-calls.js';
import type { Till } from '../till.js';

/** A café with VAT included, a reduced rate on the bakery, and tips. */
const CAFE: PricingSettings = {
  ...DEFAULT_PRICING,
  taxesIncluded: true,
  rates: [
    { id: 'std', title: 'VAT 20%', percent: '20' },
    { id: 'red', title: 'Reduced 5.5%', percent: '5.5' },
  ],
  defaultRateId: 'std',
  productTypeRates: { Bakery: 'red' },
  tips: { enabled: true, presets: ['10', '15', '20'], taxRateId: null },
};

const CASHIER_PIN = '5511';
const MANAGER_PIN = '7294';

describe('a shift at the till, from the float to the Z report', () => {
  let dir: ReturnType<typeof tempDir>;
  let clock: ReturnType<typeof manualClock>;
  let demo: DemoBackend;
  let nodeDown: boolean;
  let till: Till;
  let products: Product[];
  const variant = (title: string) => products.find((p) => p.title === title)!.variants[0]!.id;
  const journal = () =>
    new Database(join(dir.path, 'journal.sqlite'), { readonly: true }).defaultSafeIntegers(true);
  const tick = () => clock.advance(60_000);

  beforeEach(async () => {
    dir = tempDir();
    clock = manualClock();
    nodeDown = false;
    demo = createDemoBackend({ dataDir: join(dir.path, 'node'), now: clock.now });
    // The demo node, whose invoice list can be made unreachable (a node down at closing time).
    const backend: LightningBackend = {
      ...demo,
      listInvoices: (req) =>
        nodeDown
          ? Promise.reject(new BackendError('Unreachable', 'connect ECONNREFUSED 10.0.0.5:8080'))
          : demo.listInvoices(req),
    };
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers: false,
      backend,
      exportDir: join(dir.path, 'exports'),
    });
    products = (await call(till, 'searchCatalog', { limit: 500 })).products;
    await call(till, 'updatePricingSettings', CAFE);
    await call(till, 'addStaff', { name: 'Casey', role: 'cashier', pin: CASHIER_PIN });
    await call(till, 'addStaff', { name: 'Morgan', role: 'manager', pin: MANAGER_PIN });
  });
  afterEach(async () => {
    await till.close();
    dir.remove();
  });

  /** Flat White less 10 %, a croissant, 50 ¢ off the cart: $6.80 with VAT at two rates. */
  async function ringUpDiscounted() {
    const cart = await call(till, 'addToCart', { variantId: variant('Flat White') });
    await call(till, 'setLineDiscount', {
      lineId: cart.lines[0]!.lineId,
      discount: { kind: 'percentage', percent: '10', reason: 'Regular' },
    });
    await call(till, 'addToCart', { variantId: variant('Butter Croissant') });
    await call(till, 'setCartDiscount', {
      discount: { kind: 'fixed', amount: 50n, reason: 'Yesterday’s bake' },
    });
  }

  async function sellLightning(tip: bigint) {
    await call(till, 'addToCart', { variantId: variant('Flat White') });
    const sale = await call(till, 'charge', { tip: { kind: 'fixed', amount: tip } });
    tick();
    return call(till, 'demoPay', { saleId: sale.id });
  }

  it('closes with a Z report equal to the sums read straight from the journal', async () => {
    const shift = await call(till, 'openShift', {
      float: {
        denominations: [
          { value: 2000n, count: 2 },
          { value: 500n, count: 3 },
          { value: 25n, count: 8 },
        ],
      },
    });
    expect(shift.float).toBe(5700n);
    tick();

    // The owner: a discounted cash sale with a 10 % tip, and a Lightning sale with a $1 tip.
    await ringUpDiscounted();
    await call(till, 'payCash', { tendered: 2000n, tip: { kind: 'percentage', percent: '10' } });
    tick();
    await sellLightning(100n);
    tick();
    // Casey, a cashier: a croissant for cash with a 50 ¢ tip, a Lightning sale, and one the customer walked away from.
    await call(till, 'unlock', { pin: CASHIER_PIN });
    await call(till, 'addToCart', { variantId: variant('Butter Croissant') });
    await call(till, 'payCash', { tendered: 500n, tip: { kind: 'fixed', amount: 50n } });
    tick();
    await sellLightning(0n);
    await call(till, 'addToCart', { variantId: variant('Flat White') });
    const walked = await call(till, 'charge', { tip: null });
    await call(till, 'cancelSale', { saleId: walked.id });
    await call(till, 'noSale', { reason: 'Change for the bakery next door' });
    tick();
    // Morgan approves a paid-out in place.
    await call(till, 'paidOut', {
      amount: 730n,
      reason: 'Milk from the corner shop',
      managerPin: MANAGER_PIN,
    });
    await call(till, 'unlock', { pin: MANAGER_PIN });
    await call(till, 'paidIn', { amount: 1000n, reason: 'Rolls of quarters' });
    tick();

    // The independent sums: plain SQL over the journal, never the report's code.
    const db = journal();
    const sum = (sql: string) => (db.prepare(sql).get(shift.id) as { v: bigint | null }).v ?? 0n;
    const n = (sql: string) => Number((db.prepare(sql).get(shift.id) as { v: bigint }).v);
    const paid = `FROM sales s WHERE s.shift_id = ? AND s.state = 'paid'`;
    const priced = (f: string) => `CAST(json_extract(s.pricing_json, '$.totals.${f}."$bigint"') AS INTEGER)`;
    const expected = {
      saleCount: n(`SELECT count(*) AS v ${paid}`),
      unpaid: n(`SELECT count(*) AS v FROM sales WHERE shift_id = ? AND state <> 'paid'`),
      total: sum(`SELECT sum(total) AS v ${paid}`),
      cash: sum(`SELECT sum(total) AS v ${paid} AND tender = 'cash'`),
      cashCount: n(`SELECT count(*) AS v ${paid} AND tender = 'cash'`),
      tendered: sum(`SELECT sum(cash_tendered) AS v ${paid} AND tender = 'cash'`),
      lightning: sum(`SELECT sum(total) AS v ${paid} AND tender = 'lightning'`),
      msat: sum(`SELECT sum(amount_paid_msat) AS v ${paid} AND tender = 'lightning'`),
      tax: sum(`SELECT sum(${priced('tax')}) AS v ${paid}`),
      discounts: sum(`SELECT sum(${priced('discounts')}) AS v ${paid}`),
      paidIn: sum(`SELECT sum(amount) AS v FROM cash_movements WHERE shift_id = ? AND kind = 'paid_in'`),
      paidOut: sum(`SELECT sum(amount) AS v FROM cash_movements WHERE shift_id = ? AND kind = 'paid_out'`),
      noSales: n(`SELECT count(*) AS v FROM cash_movements WHERE shift_id = ? AND kind = 'no_sale'`),
      settledMsat: (
        db
          .prepare(
            'SELECT coalesce(sum(amount_paid_msat), 0) AS v FROM sale_invoices WHERE settled_at IS NOT NULL',
          )
          .get() as { v: bigint }
      ).v,
    };
    const taxes = (
      db
        .prepare(
          `SELECT json_extract(t.value, '$.taxRate.title') AS title,
                  sum(CAST(json_extract(t.value, '$.tax."$bigint"') AS INTEGER)) AS tax,
                  sum(CAST(json_extract(t.value, '$.net."$bigint"') AS INTEGER)) AS net
           FROM sales s, json_each(s.pricing_json, '$.taxLines') t
           WHERE s.shift_id = ? AND s.state = 'paid' GROUP BY title ORDER BY title IS NULL, title`,
        )
        .all(shift.id) as { title: string | null; tax: bigint; net: bigint }[]
    ).map((t) => ({ title: t.title, tax: t.tax, net: t.net }));
    const tips = db
      .prepare(
        `SELECT s.staff_name AS staffName, count(*) AS count, sum(${priced('tip')}) AS total ${paid}
         AND ${priced('tip')} > 0 GROUP BY s.staff_name ORDER BY s.staff_name`,
      )
      .all(shift.id) as { staffName: string; count: bigint; total: bigint }[];
    db.close();
    // float + cash tendered − change (tendered − total) + paid in − paid out.
    const expectedCash =
      5700n + expected.tendered - (expected.tendered - expected.cash) + expected.paidIn - expected.paidOut;

    const x = await call(till, 'getShiftReport', { shiftId: shift.id });
    expect(x.kind).toBe('X');
    expect(x.currencies[0]!.cash.expected).toBe(expectedCash);

    const counted = expectedCash - 35n; // 35 ¢ short
    const { report: z, shift: closed } = await call(till, 'closeShift', { counted: { total: counted } });
    const usd = z.currencies[0]!;
    expect(z.kind).toBe('Z');
    expect(closed.closedAt).not.toBeNull();
    expect(closed.closedBy?.name).toBe('Morgan');
    expect(z.currencies.map((c) => c.currency)).toEqual(['USD']);
    expect({
      saleCount: z.saleCount,
      unpaid: z.unpaidCount,
      total: usd.sales.total,
      cash: usd.tenders.cash.total,
      cashCount: usd.tenders.cash.count,
      tendered: usd.cash.tendered,
      lightning: usd.tenders.lightning.total,
      msat: usd.tenders.lightning.msat,
      tax: usd.taxTotal,
      discounts: usd.discounts,
      paidIn: usd.cash.paidIn,
      paidOut: usd.cash.paidOut,
      noSales: z.noSales,
      settledMsat: z.node?.state === 'checked' ? z.node.nodeMsat : null,
    }).toEqual(expected);
    expect(expected).toMatchObject({ saleCount: 4, unpaid: 1, cashCount: 2, noSales: 1, paidOut: 730n });
    expect(usd.taxes.map((t) => ({ title: t.title, tax: t.tax, net: t.net }))).toEqual(taxes);
    expect(usd.tips.map((t) => ({ ...t, count: BigInt(t.count) }))).toEqual(tips);
    expect(usd.tips.map((t) => t.staffName)).toEqual(['Casey', 'Owner']);
    expect(usd.refunds).toEqual({ count: 0, total: 0n });
    expect(usd.cash).toMatchObject({ float: 5700n, expected: expectedCash, counted, difference: -35n });
    // The node's settled total for the period, this till's invoices only, matches the journal.
    expect(z.node).toMatchObject({ state: 'checked', nodeCount: 2, journalCount: 2, differenceMsat: 0n });
    expect(usd.lightningRates).toEqual([
      {
        rate: '100000.00',
        source: 'Demo fixed rate',
        count: 2,
        total: expected.lightning,
        msat: expected.msat,
      },
    ]);

    // Frozen: a reprint is the same report, whatever is sold afterwards.
    tick();
    await call(till, 'addToCart', { variantId: variant('Flat White') });
    await call(till, 'payCash', { tendered: 1000n, tip: null });
    expect(await call(till, 'getShiftReport', { shiftId: shift.id })).toEqual(z);

    const csv = await call(till, 'exportShiftCsv', { shiftId: shift.id });
    const text = readFileSync(csv.path, 'utf8');
    expect(text).toContain('cash,difference,USD,-0.35');
    expect(text).toContain('cash,paid out,USD,7.30');
    expect(text).toContain('"drawer,paid out,USD,7.30,'.slice(1, -1));
  });

  it('keeps a closed shift as it was: the till refuses, and so does the journal itself', async () => {
    const shift = await call(till, 'openShift', { float: { total: 10000n } });
    await call(till, 'addToCart', { variantId: variant('Flat White') });
    const sale = await call(till, 'payCash', { tendered: 500n, tip: null });
    await call(till, 'noSale', {});
    await call(till, 'closeShift', { counted: { total: 10450n } });

    for (const [name, input] of [
      ['paidOut', { amount: 100n, reason: 'late' }],
      ['paidIn', { amount: 100n, reason: 'late' }],
      ['noSale', {}],
      ['closeShift', { counted: { total: 1n } }],
    ] as const) {
      expect(await refused(till, name, input)).toMatchObject({
        kind: 'InvalidState',
        message: 'No shift is open: open a shift first.',
      });
    }
    await till.close();

    const db = new Database(join(dir.path, 'journal.sqlite')).defaultSafeIntegers(true);
    const attempts = [
      () => db.prepare('UPDATE shifts SET counted_total = 99999 WHERE id = ?').run(shift.id),
      () => db.prepare("UPDATE shifts SET report_json = '{}' WHERE id = ?").run(shift.id),
      () => db.prepare('DELETE FROM shifts WHERE id = ?').run(shift.id),
      () =>
        db
          .prepare(
            `INSERT INTO cash_movements (shift_id, kind, currency, amount, reason, at) VALUES (?, 'paid_out', 'USD', 100, 'x', 'now')`,
          )
          .run(shift.id),
      () => db.prepare('UPDATE sales SET shift_id = NULL WHERE id = ?').run(sale.id),
      () => db.prepare('UPDATE cash_movements SET amount = 1').run(),
    ];
    for (const attempt of attempts)
      expect(attempt).toThrow(/closed shift cannot be changed|append-only|cannot be deleted/);
    const row = db
      .prepare('SELECT counted_total, shift_id FROM shifts, sales WHERE sales.id = ?')
      .get(sale.id) as {
      counted_total: bigint;
      shift_id: string;
    };
    expect(row).toEqual({ counted_total: 10450n, shift_id: shift.id });
    db.close();
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers: false,
    });
  });

  it('refuses a paid-out of more cash than the drawer should hold, and records nothing', async () => {
    await call(till, 'openShift', { float: { total: 5000n } });
    expect(await refused(till, 'paidOut', { amount: 5001n, reason: 'Window cleaner' })).toEqual({
      kind: 'ValidationError',
      message:
        'The drawer should hold $50.00: a paid out of $50.01 is more than that. Count the drawer, or pay it from elsewhere.',
    });
    const db = journal();
    expect(db.prepare('SELECT count(*) AS n FROM cash_movements').get()).toEqual({ n: 0n });
    db.close();
    // A paid in makes room; the whole drawer can go.
    await call(till, 'paidIn', { amount: 1000n, reason: 'Rolls of quarters' });
    await call(till, 'paidOut', { amount: 6000n, reason: 'Banked at noon' });
    const last = await refused(till, 'paidOut', { amount: 1n, reason: 'One more' });
    expect(last.kind).toBe('ValidationError');
    expect(last.message).toContain('should hold $0.00');
  });

  it('refuses a cashier’s paid-out without a manager, and attributes an approved one to both', async () => {
    const shift = await call(till, 'openShift', { float: { total: 10000n } });
    await call(till, 'unlock', { pin: CASHIER_PIN });
    expect(await refused(till, 'paidOut', { amount: 2000n, reason: 'Window cleaner' })).toMatchObject({
      kind: 'NeedsManager',
    });
    expect(
      await refused(till, 'paidOut', { amount: 2000n, reason: 'Window cleaner', managerPin: CASHIER_PIN }),
    ).toMatchObject({
      kind: 'NotAuthorized',
    });
    const db = journal();
    expect(db.prepare('SELECT count(*) AS n FROM cash_movements').get()).toEqual({ n: 0n });
    db.close();

    await call(till, 'paidOut', { amount: 2000n, reason: 'Window cleaner', managerPin: MANAGER_PIN });
    expect(await refused(till, 'getShiftReport', { shiftId: shift.id })).toMatchObject({
      kind: 'NeedsManager',
    });
    const x = await call(till, 'getShiftReport', { shiftId: shift.id, managerPin: MANAGER_PIN });
    expect(x.movements).toEqual([
      expect.objectContaining({
        kind: 'paid_out',
        amount: 2000n,
        reason: 'Window cleaner',
        by: expect.objectContaining({ name: 'Casey' }) as unknown,
        approvedBy: expect.objectContaining({ name: 'Morgan' }) as unknown,
      }),
    ]);
    expect(x.currencies[0]!.cash.expected).toBe(8000n);
    const audit = await call(till, 'listAudit', { managerPin: MANAGER_PIN });
    expect(audit.entries.find((e) => e.action === 'paidOut' && e.outcome === 'done')).toMatchObject({
      staffName: 'Casey',
      approverName: 'Morgan',
    });
    // A cashier may open the drawer without a sale, and it is logged as theirs.
    await call(till, 'noSale', { reason: 'Customer needed change' });
    // A cashier may not close the shift alone either.
    expect(await refused(till, 'closeShift', { counted: { total: 8000n } })).toMatchObject({
      kind: 'NeedsManager',
    });
  });

  it('adopts sales rung up while no shift was open into the next shift', async () => {
    expect(await call(till, 'getShift')).toEqual({ shift: null });
    await call(till, 'addToCart', { variantId: variant('Flat White') });
    const early = await call(till, 'payCash', { tendered: 500n, tip: null });
    tick();
    const first = await call(till, 'openShift', { float: { total: 0n } });
    expect((await call(till, 'getShift')).shift?.id).toBe(first.id);
    tick();
    await call(till, 'addToCart', { variantId: variant('Flat White') });
    await call(till, 'payCash', { tendered: 500n, tip: null });
    const z1 = (await call(till, 'closeShift', { counted: { total: 900n } })).report;
    expect(z1.saleCount).toBe(2);
    expect(z1.currencies[0]!.cash.difference).toBe(0n);
    tick();

    // After the close: a sale with no shift waits for the next one, and the first keeps its two.
    await call(till, 'addToCart', { variantId: variant('Butter Croissant') });
    const orphan = await call(till, 'payCash', { tendered: 325n, tip: null });
    const second = await call(till, 'openShift', { float: { total: 0n } });
    const x = await call(till, 'getShiftReport', { shiftId: second.id });
    expect(x.saleCount).toBe(1);
    expect(x.currencies[0]!.sales.total).toBe(orphan.total);
    const db = journal();
    const shiftOf = (id: string) =>
      (db.prepare('SELECT shift_id FROM sales WHERE id = ?').get(id) as { shift_id: string }).shift_id;
    expect([shiftOf(early.id), shiftOf(orphan.id)]).toEqual([first.id, second.id]);
    db.close();
    expect((await call(till, 'getShiftReport', { shiftId: first.id })).saleCount).toBe(2);
    expect((await call(till, 'listShifts')).shifts.map((s) => s.number)).toEqual([2, 1]);
  });

  it('takes a cash refund out of the drawer it was paid from; a refund with no shift open joins the next', async () => {
    const shift = await call(till, 'openShift', { float: { total: 5_000n } });
    await ringUpDiscounted();
    const sale = await call(till, 'payCash', { tendered: 1_000n, tip: null });
    tick();
    const refund = await call(till, 'createRefund', {
      saleId: sale.id,
      lines: [{ lineId: sale.lines[1]!.lineId, quantity: 1, restock: true }],
      reason: 'Stale',
      tender: 'cash',
    });
    const x = await call(till, 'getShiftReport', { shiftId: shift.id });
    const usd = x.currencies[0]!;
    expect(usd.refunds).toEqual({ count: 1, total: refund.amount });
    expect(usd.cash.refunded).toBe(refund.amount);
    // Read straight from the journal: float + cash taken − change − cash refunded.
    const db = journal();
    const sums = db
      .prepare(
        `SELECT (SELECT float_total FROM shifts WHERE id = ?) AS float,
           (SELECT sum(cash_tendered - total) FROM sales WHERE shift_id = ? AND state = 'paid' AND tender = 'cash') AS change,
           (SELECT sum(cash_tendered) FROM sales WHERE shift_id = ? AND state = 'paid' AND tender = 'cash') AS tendered,
           (SELECT sum(amount) FROM refunds WHERE shift_id = ? AND state = 'paid' AND tender = 'cash') AS refunded`,
      )
      .get(shift.id, shift.id, shift.id, shift.id) as Record<string, bigint>;
    db.close();
    expect(usd.cash.expected).toBe(sums.float! + sums.tendered! - sums.change! - sums.refunded!);
    const z = (await call(till, 'closeShift', { counted: { total: usd.cash.expected } })).report;
    expect(z.currencies[0]!.cash.difference).toBe(0n);
    tick();

    // No shift open: the refund waits for the next shift, whose drawer it comes out of.
    const later = await call(till, 'createRefund', {
      saleId: sale.id,
      lines: [{ lineId: sale.lines[0]!.lineId, quantity: 1, restock: false }],
      reason: 'Spilt',
      tender: 'cash',
    });
    const next = await call(till, 'openShift', { float: { total: 5_000n } });
    const x2 = (await call(till, 'getShiftReport', { shiftId: next.id })).currencies[0]!;
    expect(x2.refunds).toEqual({ count: 1, total: later.amount });
    expect(x2.cash.expected).toBe(5_000n - later.amount);
    // The closed shift's Z report is frozen as it was.
    expect((await call(till, 'getShiftReport', { shiftId: shift.id })).currencies[0]!.refunds.count).toBe(1);
  });

  it('counts only this till’s invoices on a node another till shares', async () => {
    await call(till, 'openShift', { float: { total: 0n } });
    tick();
    await sellLightning(0n);
    // The other till, same shop name, same node: its invoice settles during this shift.
    const other = await demo.createInvoice({
      amountMsat: 12_345_000n,
      description: 'Satoshi’s Corner Café · sale #1',
      expirySec: 600,
    });
    await demo.simulatePayment(other.paymentHash);
    tick();
    const { report } = await call(till, 'closeShift', { counted: { total: 0n } });
    expect(report.node).toMatchObject({
      state: 'checked',
      nodeCount: 1,
      journalCount: 1,
      nodeMsat: report.currencies[0]!.tenders.lightning.msat,
      differenceMsat: 0n,
    });
  });

  it('shows a late payment of an earlier shift’s sale in the shift it arrives in, never in the frozen Z', async () => {
    await call(till, 'openShift', { float: { total: 0n } });
    await call(till, 'addToCart', { variantId: variant('Flat White') });
    const walked = await call(till, 'charge', { tip: null });
    await call(till, 'cancelSale', { saleId: walked.id });
    tick();
    const z1 = (await call(till, 'closeShift', { counted: { total: 0n } })).report;
    tick();
    const second = await call(till, 'openShift', { float: { total: 0n } });
    tick();
    // The customer's wallet pays the old invoice after all.
    await call(till, 'demoPay', { saleId: walked.id });
    const x = await call(till, 'getShiftReport', { shiftId: second.id });
    expect(x.saleCount).toBe(0);
    expect(x.currencies[0]!.paidForEarlierShifts).toEqual({ count: 1, total: 450n, msat: 4_500_000n });
    expect(x.node).toMatchObject({ state: 'checked', nodeCount: 1, journalCount: 1, differenceMsat: 0n });
    expect(await call(till, 'getShiftReport', { shiftId: z1.shift.id })).toEqual(z1);
  });

  it('closes the shift when the node cannot be reached, and says so in the report', async () => {
    const shift = await call(till, 'openShift', { float: { total: 5000n } });
    // Not while an invoice is on the charge screen: its payment would land after the Z report.
    await call(till, 'addToCart', { variantId: variant('Flat White') });
    const onScreen = await call(till, 'charge', { tip: null });
    expect(await refused(till, 'closeShift', { counted: { total: 5000n } })).toMatchObject({
      kind: 'InvalidState',
    });
    await call(till, 'demoPay', { saleId: onScreen.id });
    nodeDown = true;
    const { report } = await call(till, 'closeShift', { counted: { total: 5000n } });
    expect(report.node).toMatchObject({ state: 'unreachable', journalCount: 1 });
    const node = report.node as Extract<ShiftReport['node'], { state: 'unreachable' }>;
    expect(node.message).toMatch(/unreachable/);
    expect(report.currencies[0]!.tenders.lightning.count).toBe(1);
    expect((await call(till, 'getShiftReport', { shiftId: shift.id })).node).toEqual(report.node);
  });

  it('keeps each currency apart: dollars and euros are never one total', async () => {
    const kiosk = keypadOnlyResources('USD');
    const dataDir = join(dir.path, 'kiosk');
    const k = await signedInTill({ dataDir, resourcesDir: kiosk.path, now: clock.now, timers: false });
    try {
      await call(k, 'openShift', { float: { total: 5000n } });
      await call(k, 'addCustomAmount', { amount: 1200n, title: 'Tea' });
      await call(k, 'payCash', { tendered: 2000n, tip: null });
      await call(k, 'updateSettings', { currency: 'EUR' });
      await call(k, 'addCustomAmount', { amount: 300n, title: 'Café' });
      await call(k, 'payCash', { tendered: 500n, tip: null });
      const { report } = await call(k, 'closeShift', { counted: { total: 6200n } });
      expect(
        report.currencies.map((c) => [c.currency, c.sales.total, c.cash.expected, c.cash.difference]),
      ).toEqual([
        // The drawer was counted in the shift's currency; euros taken are expected, not counted.
        ['USD', 1200n, 6200n, 0n],
        ['EUR', 300n, 300n, null],
      ]);
    } finally {
      await k.close();
      kiosk.remove();
    }
  });
});
