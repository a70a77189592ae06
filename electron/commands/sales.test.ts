import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from '../journal/db.js';
import {
  call,
  closeWorld,
  ringUpPriced,
  sellCash,
  world,
  type World,
} from '../test-support/shopify-world.js';

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await closeWorld(w);
});

describe('the day’s sales with their discounts, tax and tips', () => {
  it('each sale carries its journaled discount, tax and tip; the day’s totals add the paid ones’ tax and tips only', async () => {
    const w = await world();
    worlds.push(w);
    await ringUpPriced(w);
    const cash = await call(w.till, 'payCash', { tendered: 10_000n, tip: { kind: 'fixed', amount: 150n } });
    await ringUpPriced(w);
    const charged = await call(w.till, 'charge', { tip: { kind: 'percentage', percent: '20' } });
    const lightning = await call(w.till, 'demoPay', { saleId: charged.id });
    await ringUpPriced(w);
    const unpaid = await call(w.till, 'cancelSale', {
      saleId: (await call(w.till, 'charge', { tip: { kind: 'percentage', percent: '15' } })).id,
    });
    const old = await sellCash(w, [2]);
    // Rung up before pricing existed: no tax, no discount, no tip.
    const db = openJournal(join(w.dir.path, 'journal.sqlite'));
    db.prepare('UPDATE sales SET pricing_json = NULL WHERE id = ?').run(old.id);
    db.close();

    const { sales, totals } = await call(w.till, 'listSales', {});
    const row = (id: string) => sales.find((s) => s.id === id)!;
    for (const s of [cash, lightning, unpaid]) {
      const t = s.pricing!.totals;
      expect(t.tax > 0n && t.discounts > 0n && t.tip > 0n).toBe(true);
      expect(row(s.id)).toMatchObject({ discounts: t.discounts, tax: t.tax, tip: t.tip, total: s.total });
    }
    expect(row(old.id)).toMatchObject({ discounts: 0n, tax: 0n, tip: 0n });

    const paid = [cash, lightning].map((s) => s.pricing!.totals);
    expect(totals).toEqual([
      {
        currency: 'USD',
        paidCount: 3,
        paidTotal: cash.total + lightning.total + old.total,
        paidMsat: lightning.amountPaidMsat,
        paidTax: paid[0]!.tax + paid[1]!.tax,
        paidTip: paid[0]!.tip + paid[1]!.tip,
      },
    ]);
  });
});
