import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Product, Refund, Sale } from '../../shared/domain/index.js';
import { divRound } from '../../shared/money/index.js';
import { DEFAULT_PRICING, type PricingSettings } from '../../shared/pricing/settings.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { bundleChild } from '../test-support/kill-child.js';
import { call, refused, signedInTill, signIn } from '../test-support/till-calls.js';
import { createTill, type Till } from '../till.js';

/** A US café: tax added at 8.875 %, tips untaxed. */
const SHOP: PricingSettings = {
  ...DEFAULT_PRICING,
  taxesIncluded: false,
  rates: [{ id: 'nyc', title: 'NYC sales tax 8.875%', percent: '8.875' }],
  defaultRateId: 'nyc',
  tips: { enabled: true, presets: ['15', '18', '20'], taxRateId: null },
};

const MANAGER_PIN = '4821';
const CASHIER_PIN = '2468';

describe('cash refunds at the till, on real SQLite', () => {
  let dir: ReturnType<typeof tempDir>;
  let till: Till;
  let products: Product[];
  const clock = manualClock();
  const deps = () => ({ dataDir: dir.path, resourcesDir: RESOURCES_DIR, now: clock.now, timers: false });
  const variant = (title: string) => products.find((p) => p.title === title)!.variants[0]!.id;

  beforeEach(async () => {
    dir = tempDir();
    till = await signedInTill(deps());
    products = (await call(till, 'searchCatalog', { limit: 500 })).products;
    await call(till, 'updatePricingSettings', SHOP);
    await call(till, 'addStaff', { name: 'Maya', role: 'manager', pin: MANAGER_PIN });
    await call(till, 'addStaff', { name: 'Casey', role: 'cashier', pin: CASHIER_PIN });
  });
  afterEach(async () => {
    await till.close();
    dir.remove();
  });

  /** Three flat whites 15 % off, a croissant, 37 ¢ off the cart, tax added, a 15 % tip, paid in cash. */
  async function sell(tip = true): Promise<Sale> {
    const cart = await call(till, 'addToCart', { variantId: variant('Flat White'), quantity: 3 });
    await call(till, 'setLineDiscount', {
      lineId: cart.lines[0]!.lineId,
      discount: { kind: 'percentage', percent: '15', reason: 'Staff' },
    });
    await call(till, 'addToCart', { variantId: variant('Butter Croissant') });
    const priced = await call(till, 'setCartDiscount', {
      discount: { kind: 'fixed', amount: 37n, reason: 'Regular' },
    });
    return call(till, 'payCash', {
      tendered: priced.total * 2n,
      tip: tip ? { kind: 'percentage', percent: '15' } : null,
    });
  }

  const refund = (
    sale: Sale,
    lines: { line: number; quantity: number; restock?: boolean }[],
    refundTip = false,
  ) =>
    call(till, 'createRefund', {
      saleId: sale.id,
      lines: lines.map((l) => ({
        lineId: sale.lines[l.line]!.lineId,
        quantity: l.quantity,
        restock: l.restock ?? true,
      })),
      refundTip,
      reason: 'Changed their mind',
      tender: 'cash',
    });

  it('gives back each unit’s share of what was paid, exact to the cent, and the parts add up to the sale', async () => {
    const sale = await sell();
    const pricing = sale.pricing!;
    const [fw, croissant] = pricing.lines;
    expect(pricing.cartDiscount!.amount).toBe(37n);
    expect(fw!.tax).toBeGreaterThan(0n);

    // One flat white: a third of its line's gross (after its 15 % and its cart-discount share,
    // tax added), rounded half-up — worked apart from the till from the journaled line.
    const first = await refund(sale, [{ line: 0, quantity: 1 }]);
    const third = (x: bigint, k: bigint) => divRound(x * k, 3n, 'half-up');
    expect(first.amount).toBe(third(fw!.gross, 1n));
    expect(first.tax).toBe(third(fw!.tax, 1n));
    expect(first.lines[0]!.discount).toBe(third(fw!.lineDiscount!.amount + fw!.cartDiscountShare, 1n));
    expect(first.state).toBe('paid');
    expect(first.tender).toBe('cash');
    expect(first.tip).toBe(0n);

    const second = await refund(sale, [{ line: 0, quantity: 1 }]);
    expect(second.amount).toBe(third(fw!.gross, 2n) - third(fw!.gross, 1n));

    const preview = await call(till, 'previewRefund', { saleId: sale.id });
    expect(preview.lines.map((l) => [l.sold, l.returned, l.returnable])).toEqual([
      [3, 2, 1],
      [1, 0, 1],
    ]);
    expect(preview.tipRefunded).toBe(false);
    expect(preview.remaining).toBe(sale.total - first.amount - second.amount);

    const rest = await refund(
      sale,
      [
        { line: 0, quantity: 1 },
        { line: 1, quantity: 1, restock: false },
      ],
      true,
    );
    expect(rest.tip).toBe(pricing.tip!.amount);
    expect(rest.lines.find((l) => l.lineId === croissant!.lineId)).toMatchObject({
      quantity: 1,
      restock: false,
      amount: croissant!.gross,
      tax: croissant!.tax,
    });
    // Everything back, tip included: exactly what the customer paid, not a cent more or less.
    expect(first.amount + second.amount + rest.amount).toBe(sale.total);
    expect(first.tax + second.tax + rest.tax).toBe(pricing.totals.tax);

    const { refunds } = await call(till, 'listRefunds', { saleId: sale.id });
    expect(refunds.map((r) => r.id)).toEqual([first.id, second.id, rest.id]);
    expect((await call(till, 'previewRefund', { saleId: sale.id })).remaining).toBe(0n);
  });

  it('a whole sale at once is its total; without the tip, its total less the tip', async () => {
    const sale = await sell();
    const kept = await call(till, 'previewRefund', {
      saleId: sale.id,
      lines: sale.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
    });
    expect(kept.amount).toBe(sale.total - sale.pricing!.tip!.amount);
    const all = await refund(
      sale,
      [
        { line: 0, quantity: 3 },
        { line: 1, quantity: 1 },
      ],
      true,
    );
    expect(all.amount).toBe(sale.total);
    expect(all.tax).toBe(sale.pricing!.totals.tax);
  });

  it('the tip alone, once', async () => {
    const sale = await sell();
    const tip = await refund(sale, [], true);
    expect(tip.amount).toBe(sale.pricing!.tip!.amount);
    expect(tip.lines).toEqual([]);
    const again = await refused(till, 'createRefund', {
      saleId: sale.id,
      refundTip: true,
      reason: 'Again',
      tender: 'cash',
    });
    expect(again).toMatchObject({ kind: 'InvalidState', message: 'The tip was already given back.' });
    const noTip = await sell(false);
    expect(
      await refused(till, 'createRefund', { saleId: noTip.id, refundTip: true, reason: 'x', tender: 'cash' }),
    ).toMatchObject({ kind: 'InvalidState', message: 'This sale had no tip.' });
  });

  it('never more than sold less what came back, with a message naming the item; nothing journaled', async () => {
    const sale = await sell();
    await refund(sale, [{ line: 0, quantity: 2 }]);
    const over = await refused(till, 'createRefund', {
      saleId: sale.id,
      lines: [{ lineId: sale.lines[0]!.lineId, quantity: 2 }],
      reason: 'Too many',
      tender: 'cash',
    });
    expect(over).toEqual({
      kind: 'InvalidState',
      message: 'Flat White: only 1 of the 3 sold can still come back (2 already returned).',
    });
    await refund(sale, [{ line: 0, quantity: 1 }]);
    const none = await refused(till, 'createRefund', {
      saleId: sale.id,
      lines: [{ lineId: sale.lines[0]!.lineId, quantity: 1 }],
      reason: 'Once more',
      tender: 'cash',
    });
    expect(none.message).toBe('Flat White: all 3 sold already came back, nothing more to return.');
    expect((await call(till, 'listRefunds', { saleId: sale.id })).refunds).toHaveLength(2);
    expect(
      (await refused(till, 'createRefund', { saleId: sale.id, reason: 'Nothing', tender: 'cash' })).message,
    ).toBe('Choose what comes back: a line, or the tip.');
    expect(
      (
        await refused(till, 'createRefund', {
          saleId: sale.id,
          refundTip: true,
          reason: '  ',
          tender: 'cash',
        })
      ).message,
    ).toBe('Say why it came back');
  });

  it('two refunds of the same line racing each other: exactly one wins', async () => {
    const sale = await sell();
    const attempt = () =>
      till.invoke('createRefund', {
        saleId: sale.id,
        lines: [{ lineId: sale.lines[0]!.lineId, quantity: 2 }],
        reason: 'Double tap',
        tender: 'cash',
      });
    const replies = await Promise.all([attempt(), attempt(), attempt(), attempt()]);
    expect(replies.filter((r) => r.ok)).toHaveLength(1);
    for (const r of replies.filter((r) => !r.ok)) {
      expect(r).toMatchObject({ ok: false, error: { kind: 'InvalidState' } });
    }
  });

  it('two tills on one journal file racing the same line: exactly one wins', async () => {
    const sale = await sell();
    const other = await signIn(await createTill(deps()));
    try {
      const attempt = (t: Till) =>
        t.invoke('createRefund', {
          saleId: sale.id,
          lines: [{ lineId: sale.lines[0]!.lineId, quantity: 3 }],
          reason: 'Two counters',
          tender: 'cash',
        });
      const replies = await Promise.all([attempt(till), attempt(other), attempt(till), attempt(other)]);
      expect(replies.filter((r) => r.ok)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('processes racing on one journal file: exactly as many units back as were sold, each loser told so', async () => {
    const cart = await call(till, 'addToCart', { variantId: variant('Flat White'), quantity: 30 });
    const sale = await call(till, 'payCash', { tendered: cart.total });
    const child = await bundleChild(resolve(import.meta.dirname, '../test-support/refund-race-child.ts'));
    try {
      const startAt = String(Date.now() + 1_500);
      const runOne = () =>
        new Promise<string[]>((done, fail) => {
          const p = spawn(
            process.execPath,
            [child.path, join(dir.path, 'journal.sqlite'), sale.id, sale.lines[0]!.lineId, '25', startAt],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          );
          let out = '';
          let err = '';
          p.stdout.on('data', (c: Buffer) => (out += c.toString()));
          p.stderr.on('data', (c: Buffer) => (err += c.toString()));
          p.once('exit', (code) => (code === 0 ? done(out.trim().split('\n')) : fail(new Error(err))));
        });
      const answers = (await Promise.all([runOne(), runOne(), runOne()])).flat();
      expect(answers).toHaveLength(75);
      // Never SQLITE_BUSY or any other surprise: every attempt is a refund or the till's refusal.
      expect(answers.filter((a) => a !== 'ok' && a !== 'refused InvalidState')).toEqual([]);
      expect(answers.filter((a) => a === 'ok')).toHaveLength(30);
      const preview = await call(till, 'previewRefund', { saleId: sale.id });
      expect(preview.lines[0]).toMatchObject({ sold: 30, returned: 30, returnable: 0 });
      expect(preview.remaining).toBe(0n);
    } finally {
      child.remove();
    }
  }, 60_000);

  it('the journal itself refuses more back than sold, whoever writes', () => {
    return (async () => {
      const sale = await sell();
      await refund(sale, [{ line: 1, quantity: 1 }]);
      const db = new Database(join(dir.path, 'journal.sqlite'));
      try {
        db.prepare(
          `INSERT INTO refunds (id, sale_id, state, tender, currency, amount, tax, reason, created_at, updated_at)
           VALUES ('r-raw', ?, 'requested', 'cash', 'USD', 1, 0, 'raw', 'now', 'now')`,
        ).run(sale.id);
        expect(() =>
          db
            .prepare(
              `INSERT INTO refund_lines (refund_id, sale_id, line_id, quantity, restock, amount, tax, discount)
               VALUES ('r-raw', ?, ?, 1, 1, 1, 0, 0)`,
            )
            .run(sale.id, sale.lines[1]!.lineId),
        ).toThrow(/more returned than sold/);
      } finally {
        db.close();
      }
    })();
  });

  it('a cashier is answered NeedsManager and may look; with a manager’s PIN it runs, attributed to both', async () => {
    const sale = await sell();
    await call(till, 'unlock', { pin: CASHIER_PIN });
    const input = {
      saleId: sale.id,
      lines: [{ lineId: sale.lines[1]!.lineId, quantity: 1 }],
      reason: 'Stale',
      tender: 'cash',
    };
    expect(await refused(till, 'createRefund', input)).toMatchObject({ kind: 'NeedsManager' });
    expect((await call(till, 'listRefunds', { saleId: sale.id })).refunds).toEqual([]);
    const preview = await call(till, 'previewRefund', { saleId: sale.id, lines: input.lines });
    expect(preview.amount).toBe(sale.pricing!.lines[1]!.gross);
    expect(await refused(till, 'createRefund', { ...input, managerPin: '9999' })).toMatchObject({
      kind: 'NotAuthorized',
    });
    const done: Refund = await call(till, 'createRefund', { ...input, managerPin: MANAGER_PIN });
    expect(done.requestedBy?.name).toBe('Casey');
    expect(done.approvedBy?.name).toBe('Maya');
    expect(done.amount).toBe(preview.amount);

    // Its history, row by row, says who did each step.
    const db = new Database(join(dir.path, 'journal.sqlite'), { readonly: true });
    try {
      const events = db
        .prepare(
          'SELECT from_state, to_state, staff_name, approver_name FROM refund_events WHERE refund_id = ? ORDER BY seq',
        )
        .all(done.id);
      expect(events).toEqual([
        { from_state: null, to_state: 'requested', staff_name: 'Casey', approver_name: 'Maya' },
        { from_state: 'requested', to_state: 'approved', staff_name: 'Casey', approver_name: 'Maya' },
        { from_state: 'approved', to_state: 'paid', staff_name: 'Casey', approver_name: 'Maya' },
      ]);
    } finally {
      db.close();
    }
    const audit = await call(till, 'unlock', { pin: MANAGER_PIN }).then(() =>
      call(till, 'listAudit', { saleId: sale.id }),
    );
    expect(audit.entries.find((e) => e.action === 'createRefund')).toMatchObject({
      staffName: 'Casey',
      approverName: 'Maya',
      outcome: 'done',
    });
  });

  it('a manager refunds alone and is both who asked and who approved', async () => {
    const sale = await sell();
    await call(till, 'unlock', { pin: MANAGER_PIN });
    const done = await refund(sale, [{ line: 0, quantity: 1 }]);
    expect(done.requestedBy?.name).toBe('Maya');
    expect(done.approvedBy?.name).toBe('Maya');
  });

  it('a journal that cannot be written: the refund is not recorded and the screen says to hand over nothing', async () => {
    const sale = await sell();
    await till.close();
    let journal: Database.Database | null = null;
    till = await signIn(
      await createTill({ ...deps(), log: () => undefined, onJournalOpen: (db) => void (journal = db) }),
    );
    journal!.pragma('query_only = 1');
    const error = await refused(till, 'createRefund', {
      saleId: sale.id,
      lines: [{ lineId: sale.lines[0]!.lineId, quantity: 1 }],
      reason: 'Cold',
      tender: 'cash',
    });
    expect(error.kind).toBe('StorageError');
    expect(error.message).toMatch(/^The refund was NOT recorded: hand over no cash: /);
    journal!.pragma('query_only = 0');
    expect((await call(till, 'listRefunds', { saleId: sale.id })).refunds).toEqual([]);
  });

  it('a sale that was never paid has nothing to refund', async () => {
    await call(till, 'addToCart', { variantId: variant('Flat White') });
    const open = await call(till, 'charge');
    const never = await refused(till, 'previewRefund', { saleId: open.id });
    expect(never.kind).toBe('InvalidState');
    expect(never.message).toMatch(/was never paid/);
    expect(await refused(till, 'getRefund', { refundId: 'nope' })).toMatchObject({ kind: 'NotFound' });
  });
});
