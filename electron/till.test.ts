import { signedInTill } from './test-support/till-calls.js';
import { join } from 'node:path';
import bolt11 from 'bolt11';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, Reply } from '../shared/contract/index.js';
import type { Cart, Product, Sale } from '../shared/domain/index.js';
import { BackendError, type LightningBackend } from './lightning/backend.js';
import { createDemoBackend } from './lightning/demo/backend.js';
import { call, refused } from './test-support/till-calls.js';
import type { Till } from './till.js';
import { manualClock, RESOURCES_DIR, tempDir } from './test-support/fixtures.js';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };

function firstWithVariants(products: Product[], n: number): Product {
  const p = products.find((x) => x.variants.length >= n);
  if (!p) throw new Error(`demo catalog has no product with ${n} variants`);
  return p;
}

describe('createTill with real SQLite and the demo node', () => {
  let dir: ReturnType<typeof tempDir>;
  let clock: ReturnType<typeof manualClock>;
  let till: Till;
  const events: { event: EventName; payload: unknown }[] = [];

  async function open(): Promise<Till> {
    const t = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers: false,
    });
    t.subscribe((event, payload) => events.push({ event, payload }));
    return t;
  }

  beforeEach(async () => {
    dir = tempDir();
    clock = manualClock();
    events.length = 0;
    till = await open();
  });

  afterEach(async () => {
    await till.close();
    dir.remove();
  });

  it('answers a command name of any type with a typed error, never a throw', async () => {
    for (const name of [
      42,
      null,
      {},
      { toString: 1 },
      ['getStatus'],
      '__proto__',
      'constructor',
      'x'.repeat(10_000),
    ]) {
      const reply = await till.invoke(name, {});
      expect(reply).toMatchObject({ ok: false, error: { kind: 'ValidationError' } });
      expect(reply.ok === false && reply.error.message.length).toBeLessThan(100);
    }
  });

  it('refuses bad settings in the screen’s words, never the contract’s field names', async () => {
    for (const [patch, words] of [
      [{ invoiceExpirySec: 30 }, /at least a minute/],
      [{ invoiceExpirySec: null }, /as a number/],
      [{ maxRateAgeSec: 10 }, /half a minute/],
    ] as const) {
      const error = await refused(till, 'updateSettings', patch);
      expect(error.kind).toBe('ValidationError');
      expect(error.message).toMatch(words);
      expect(error.message).not.toMatch(/Sec|Invalid input|expected/);
    }
  });

  it('rings up a sale from cart to paid', async () => {
    const { products, total } = await call(till, 'searchCatalog', {});
    expect(total).toBeGreaterThanOrEqual(40);
    const multi = firstWithVariants(products, 2);
    const single = firstWithVariants(products, 1);

    await call(till, 'addToCart', { variantId: multi.variants[1]!.id });
    await call(till, 'addToCart', { variantId: single.variants[0]!.id, quantity: 2 });
    const cart = await call(till, 'addCustomAmount', { amount: 199n, title: 'Gift wrap' });
    const expected = multi.variants[1]!.price + 2n * single.variants[0]!.price + 199n;
    expect(cart.total).toBe(expected);
    expect(cart.lines).toHaveLength(3);

    const sale = await call(till, 'charge');
    expect(sale.state).toBe('awaiting_payment');
    expect(sale.total).toBe(expected);
    expect(sale.invoice).not.toBeNull();
    const invoice = sale.invoice!;
    // 100 000 USD/BTC demo rate: cents × 10 000 msat, rounded up to whole sats.
    expect(invoice.amountMsat).toBe(expected * 10_000n);
    const decoded = bolt11.decode(invoice.bolt11, REGTEST);
    expect(decoded.millisatoshis).toBe(invoice.amountMsat.toString());
    expect(decoded.tagsObject.payment_hash).toBe(invoice.paymentHash);
    expect(decoded.tagsObject.description).toContain(`sale #${sale.number}`);
    expect(invoice.rate).toMatchObject({ currency: 'USD', rate: '100000.00', source: 'Demo fixed rate' });

    // The cart is frozen while its invoice is on screen.
    const blocked = await till.invoke('clearCart', {});
    expect(blocked).toMatchObject({ ok: false, error: { kind: 'InvalidState' } });

    const paid = await call(till, 'demoPay', { saleId: sale.id });
    expect(paid.state).toBe('paid');
    expect(paid.amountPaidMsat).toBe(invoice.amountMsat);
    expect(paid.paidLate).toBe(false);
    expect(events.some((e) => e.event === 'saleUpdated' && (e.payload as Sale).state === 'paid')).toBe(true);
    expect((await call(till, 'getCart')).lines).toHaveLength(0);

    const { sales, totals } = await call(till, 'listSales', {});
    expect(sales.map((s) => [s.id, s.state])).toEqual([[sale.id, 'paid']]);
    expect(totals).toEqual([
      {
        currency: 'USD',
        paidCount: 1,
        paidTotal: expected,
        paidMsat: invoice.amountMsat,
        paidTax: 0n,
        paidTip: 0n,
      },
    ]);
  });

  it('finds sales by their number as the receipt prints it, on any day', async () => {
    const numbers: number[] = [];
    for (let i = 0; i < 12; i++) {
      await call(till, 'addCustomAmount', { amount: 100n + BigInt(i), title: `Sale ${i}` });
      numbers.push((await call(till, 'payCash', { tendered: 500n })).number);
      clock.advance(86_400_000 / 2);
    }
    const found = async (number: string) =>
      (await call(till, 'listSales', { number })).sales.map((s) => s.number);
    const [first] = numbers as [number];
    // The first sale was days ago: a search is not today's list.
    expect(await found(String(first))).toEqual([first]);
    expect(await found(String(first).padStart(6, '0'))).toEqual([first]);
    // The printed number's first digits: "00001" is #000010–#000019.
    const printed = (n: number) => String(n).padStart(6, '0');
    expect(await found('00001')).toEqual(
      numbers.filter((n) => printed(n).startsWith('00001')).sort((a, b) => b - a),
    );
    expect(await found('999999')).toEqual([]);
    expect((await refused(till, 'listSales', { number: 'abc' })).message).toMatch(/sale number/);
  });

  it('adds three for three taps of "+" in the same instant; a double "−" or "×" is quiet', async () => {
    const { products } = await call(till, 'searchCatalog', {});
    const variant = products.find((p) => p.variants.length === 1)!.variants[0]!;
    const { lines } = await call(till, 'addToCart', { variantId: variant.id });
    const lineId = lines[0]!.lineId;
    // Sent together, as a screen does for three taps before the first answer comes back.
    await Promise.all([1, 2, 3].map(() => call(till, 'changeLineQuantity', { lineId, by: 1 })));
    expect((await call(till, 'getCart')).lines[0]!.quantity).toBe(4);

    await call(till, 'changeLineQuantity', { lineId, by: -3 });
    const [gone, again] = await Promise.all([
      call(till, 'changeLineQuantity', { lineId, by: -1 }),
      call(till, 'changeLineQuantity', { lineId, by: -1 }),
    ]);
    expect(gone.lines).toEqual([]);
    expect(again.lines).toEqual([]);
    expect((await refused(till, 'changeLineQuantity', { lineId, by: 1 })).kind).toBe('NotFound');

    // A double tap of ×: removed once, the second tap quietly nothing.
    const {
      lines: [second],
    } = await call(till, 'addToCart', { variantId: variant.id });
    const removed = await Promise.all([1, 2].map(() => call(till, 'removeLine', { lineId: second!.lineId })));
    expect(removed.map((c) => c.lines)).toEqual([[], []]);
  });

  it('adds a scanned barcode and says so when nothing matches', async () => {
    const { products } = await call(till, 'searchCatalog', {});
    const variant = products.flatMap((p) => p.variants).find((v) => v.barcode !== null)!;
    const first = await call(till, 'scanBarcode', { code: variant.barcode });
    expect(first).toMatchObject({ found: true, line: { variantId: variant.id, quantity: 1 } });
    const second = await call(till, 'scanBarcode', { code: variant.barcode });
    expect(second).toMatchObject({ found: true, line: { variantId: variant.id, quantity: 2 } });
    const miss = await call(till, 'scanBarcode', { code: '0000000000000' });
    expect(miss).toEqual({
      found: false,
      code: '0000000000000',
      message: 'No product has the barcode 0000000000000.',
    });
    expect((await call(till, 'getCart')).itemCount).toBe(2);
  });

  it('searches by title, SKU and barcode', async () => {
    const { products } = await call(till, 'searchCatalog', {});
    const p = products.find((x) => x.variants.some((v) => v.sku && v.barcode))!;
    const v = p.variants.find((x) => x.sku && x.barcode)!;
    for (const query of [p.title.slice(0, 5).toLowerCase(), v.sku!, v.barcode!]) {
      const found = await call(till, 'searchCatalog', { query });
      expect(found.products.map((x) => x.id)).toContain(p.id);
    }
    expect((await call(till, 'searchCatalog', { query: 'no such thing zzz' })).products).toEqual([]);
  });

  it('finds a payment that settled while the till was closed', async () => {
    await call(till, 'addToCart', {
      variantId: (await call(till, 'searchCatalog', {})).products[0]!.variants[0]!.id,
    });
    const sale = await call(till, 'charge');
    await till.close();

    // The customer pays while the till is down: the node settles on its own.
    const node = createDemoBackend({ dataDir: dir.path, now: clock.now });
    await node.simulatePayment(sale.invoice!.paymentHash);
    await node.close();

    till = await open();
    const after = await call(till, 'getSale', { saleId: sale.id });
    expect(after.state).toBe('paid');
    expect(after.paidLate).toBe(false);
    expect((await call(till, 'getCart')).lines).toHaveLength(0);
    expect((await call(till, 'getStatus')).activeSaleId).toBeNull();
  });

  it('expires an unpaid invoice, re-issues it, and still catches a late payment of the old one', async () => {
    await call(till, 'addToCart', {
      variantId: (await call(till, 'searchCatalog', {})).products[0]!.variants[0]!.id,
    });
    const sale = await call(till, 'charge');
    const expiresAt = new Date(sale.invoice!.expiresAt).getTime();
    expect(expiresAt - clock.now().getTime()).toBe(600_000);

    clock.advance(600_001);
    await till.tick();
    expect((await call(till, 'getSale', { saleId: sale.id })).state).toBe('expired');

    const reissued = await call(till, 'reissueInvoice', { saleId: sale.id });
    expect(reissued.state).toBe('awaiting_payment');
    expect(reissued.invoice!.paymentHash).not.toBe(sale.invoice!.paymentHash);

    // The customer's wallet pays the first, expired invoice after all.
    const node = createDemoBackend({ dataDir: dir.path, now: clock.now });
    await node.simulatePayment(sale.invoice!.paymentHash);
    await node.close();
    await till.tick();
    const paid = await call(till, 'getSale', { saleId: sale.id });
    expect(paid.state).toBe('paid');
    expect(paid.paidLate).toBe(true);
  });

  it('cancel returns to the cart with its lines intact', async () => {
    const variantId = (await call(till, 'searchCatalog', {})).products[0]!.variants[0]!.id;
    await call(till, 'addToCart', { variantId, quantity: 3 });
    const sale = await call(till, 'charge');
    // A second tap on Charge shows the same invoice.
    expect((await call(till, 'charge')).id).toBe(sale.id);
    const cancelled = await call(till, 'cancelSale', { saleId: sale.id });
    expect(cancelled.state).toBe('cancelled');
    const cart: Cart = await call(till, 'getCart');
    expect(cart.lines.map((l) => [l.variantId, l.quantity])).toEqual([[variantId, 3]]);
    expect((await till.invoke('demoPay', { saleId: 'nope' })).ok).toBe(false);
  });

  describe('arguments that fail their schema', () => {
    const bad: [string, unknown, string][] = [
      ['addToCart', { variantId: 5 }, 'ValidationError'],
      ['addToCart', { variantId: 'x', quantity: 0 }, 'ValidationError'],
      ['addToCart', { variantId: 'x', extra: true }, 'ValidationError'],
      ['addCustomAmount', { amount: -5n }, 'ValidationError'],
      ['addCustomAmount', { amount: 12.5 }, 'ValidationError'],
      ['setLineQuantity', { lineId: 'a', quantity: 1.5 }, 'ValidationError'],
      ['updateSettings', { invoiceExpirySec: 5 }, 'ValidationError'],
      ['updateSettings', { currency: 'dollars' }, 'ValidationError'],
      ['updateSettings', { shopName: '   ' }, 'ValidationError'],
      ['listSales', { day: 'yesterday' }, 'ValidationError'],
      ['noSuchCommand', {}, 'ValidationError'],
      ['scanBarcode', null, 'ValidationError'],
    ];
    it.each(bad)('%s(%o) is rejected with %s and changes nothing', async (name, input, kind) => {
      const before = [
        await call(till, 'getCart'),
        await call(till, 'getSettings'),
        await call(till, 'listSales', {}),
      ];
      const reply: Reply<unknown> = await till.invoke(name, input);
      expect(reply.ok).toBe(false);
      if (!reply.ok) {
        expect(reply.error.kind).toBe(kind);
        expect(reply.error.message.length).toBeGreaterThan(3);
      }
      const after = [
        await call(till, 'getCart'),
        await call(till, 'getSettings'),
        await call(till, 'listSales', {}),
      ];
      expect(after).toEqual(before);
    });
  });

  it('keeps settings in the journal across restarts', async () => {
    await call(till, 'updateSettings', { shopName: 'Corner Café', invoiceExpirySec: 900 });
    await till.close();
    till = await open();
    expect(await call(till, 'getSettings')).toMatchObject({ shopName: 'Corner Café', invoiceExpirySec: 900 });
    const reply = await till.invoke('updateSettings', { currency: 'XYZ' });
    expect(reply).toMatchObject({ ok: false, error: { kind: 'ValidationError' } });
  });
});

describe('a Lightning node that goes away', () => {
  it('says so plainly, refuses the charge, cancels the sale and keeps the cart', async () => {
    const dir = tempDir();
    const clock = manualClock();
    const demo = createDemoBackend({ dataDir: join(dir.path, 'node'), now: clock.now });
    let up = true;
    const down = () => Promise.reject(new BackendError('Unreachable', 'connect ECONNREFUSED 127.0.0.1:8080'));
    const flaky: LightningBackend = {
      kind: 'demo',
      getInfo: () => (up ? demo.getInfo() : down()),
      createInvoice: (req) => (up ? demo.createInvoice(req) : down()),
      lookupInvoice: (hash) => (up ? demo.lookupInvoice(hash) : down()),
      subscribeSettlements: (opts) => demo.subscribeSettlements(opts),
      latestCursor: () => demo.latestCursor(),
      listInvoices: (req) => demo.listInvoices(req),
      close: () => demo.close(),
    };
    const till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      backend: flaky,
      now: clock.now,
      timers: false,
      log: () => {},
    });
    try {
      expect((await call(till, 'getStatus')).backend.state).toBe('connected');
      await call(till, 'addCustomAmount', { amount: 500n });
      up = false;
      const reply = await till.invoke('charge', {});
      expect(reply).toMatchObject({ ok: false, error: { kind: 'BackendUnavailable' } });
      if (!reply.ok) expect(reply.error.message).toMatch(/unreachable.*try again/i);
      const { sales } = await call(till, 'listSales', {});
      expect(sales.map((s) => s.state)).toEqual(['cancelled']);
      expect((await call(till, 'getCart')).total).toBe(500n);
      expect((await call(till, 'getStatus')).activeSaleId).toBeNull();
      // The lookup fallback failing is logged, never thrown at the cashier.
      await expect(till.tick()).resolves.toBeUndefined();
      up = true;
      expect((await call(till, 'charge')).state).toBe('awaiting_payment');
    } finally {
      await till.close();
      dir.remove();
    }
  });
});

describe('a Lightning node that hangs', () => {
  it('does not keep the register from opening', async () => {
    const dir = tempDir();
    const demo = createDemoBackend({ dataDir: join(dir.path, 'node') });
    const hanging: LightningBackend = { ...demo, kind: 'demo', getInfo: () => new Promise(() => {}) };
    const till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      backend: hanging,
      timers: false,
      startupWaitMs: 50,
    });
    try {
      expect((await call(till, 'getStatus')).backend.state).toBe('connecting');
      expect((await call(till, 'searchCatalog', {})).total).toBeGreaterThan(0);
    } finally {
      await till.close();
      dir.remove();
    }
  });
});

describe('a node on another network than the till is set to', () => {
  it('is shown as refused, and its invoices are never put on screen', async () => {
    const dir = tempDir();
    const clock = manualClock();
    const till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      backend: createDemoBackend({ dataDir: join(dir.path, 'node'), now: clock.now }),
      expectedNetwork: 'mainnet',
      now: clock.now,
      timers: false,
      log: () => {},
    });
    try {
      const { backend } = await call(till, 'getStatus');
      expect(backend).toMatchObject({
        state: 'disconnected',
        network: 'regtest',
        expectedNetwork: 'mainnet',
      });
      expect(backend.message).toMatch(/node is on regtest, but the till is set to mainnet/);
      await call(till, 'addCustomAmount', { amount: 500n });
      const reply = await till.invoke('charge', {});
      expect(reply).toMatchObject({ ok: false, error: { kind: 'BackendUnavailable' } });
      expect(!reply.ok && reply.error.message).toMatch(
        /made a regtest invoice, but this till takes mainnet payments/,
      );
      expect((await call(till, 'getCart')).lines).toHaveLength(1);
    } finally {
      await till.close();
      dir.remove();
    }
  });
});
