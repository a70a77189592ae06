import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import bolt11 from 'bolt11';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../../shared/domain/index.js';
import { manualClock, tempDir } from '../../test-support/fixtures.js';
import { BackendError, type Invoice, type Settlement } from '../backend.js';
import { decodeInvoice } from '../bolt11/decode.js';
import { recoverSigner } from '../bolt11/test-support.js';
import { createDemoBackend, DEMO_ALIAS, DEMO_BLOCK_HEIGHT, type DemoBackend } from './backend.js';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };

/** Records what a subscription reports; `until(n)` resolves once n settlements have arrived. */
function watch(node: DemoBackend, fromCursor: string) {
  const settlements: Settlement[] = [];
  const states: [ConnectionState, string | null][] = [];
  const waiters: { ready: () => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.ready()) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const wait = (ready: () => boolean) =>
    new Promise<void>((resolve) => {
      waiters.push({ ready, resolve });
      check();
    });
  const subscription = node.subscribeSettlements({
    fromCursor,
    onSettlement: (s) => {
      settlements.push(s);
      check();
    },
    onState: (state, message) => {
      states.push([state, message]);
      check();
    },
  });
  return {
    settlements,
    states,
    subscription,
    until: (n: number) => wait(() => settlements.length >= n),
    connected: () => wait(() => states.some(([s]) => s === 'connected')),
    disconnected: () => wait(() => states.some(([s]) => s === 'disconnected')),
  };
}

const summary = (s: Settlement) => [s.cursor, s.invoice.paymentHash];

describe('the demo node', () => {
  let dir: ReturnType<typeof tempDir>;
  let clock: ReturnType<typeof manualClock>;
  const open: DemoBackend[] = [];

  function start(dataDir = dir.path): DemoBackend {
    const node = createDemoBackend({ dataDir, now: clock.now });
    open.push(node);
    return node;
  }

  async function invoices(node: DemoBackend, n: number): Promise<Invoice[]> {
    const out: Invoice[] = [];
    for (let i = 0; i < n; i++) {
      out.push(
        await node.createInvoice({
          amountMsat: 1000n * BigInt(i + 1),
          description: `sale #${i}`,
          expirySec: 600,
        }),
      );
    }
    return out;
  }

  beforeEach(() => {
    dir = tempDir('demo-node-');
    clock = manualClock();
  });

  afterEach(async () => {
    for (const node of open.splice(0)) await node.close();
    dir.remove();
  });

  it('describes itself as a regtest node that can only receive', async () => {
    const info = await start().getInfo();
    expect(info).toEqual({
      alias: DEMO_ALIAS,
      pubkey: info.pubkey,
      network: 'regtest',
      blockHeight: DEMO_BLOCK_HEIGHT,
      permissions: { createInvoices: true, readInvoices: true, sendPayments: false },
    });
    expect(info.pubkey).toMatch(/^0[23][0-9a-f]{64}$/);
  });

  it('signs real regtest invoices that an independent decoder reads, signed by its own key', async () => {
    const node = start();
    const { pubkey } = await node.getInfo();
    const invoice = await node.createInvoice({
      amountMsat: 123_456_000n,
      description: 'Corner Café · sale #7',
      expirySec: 600,
    });
    expect(invoice).toMatchObject({
      amountMsat: 123_456_000n,
      description: 'Corner Café · sale #7',
      createdAt: clock.now(),
      expiresAt: new Date(clock.now().getTime() + 600_000),
      state: 'open',
      settledAt: null,
      amountPaidMsat: null,
    });
    expect(invoice.bolt11.startsWith('lnbcrt1234560n1')).toBe(true);

    const theirs = bolt11.decode(invoice.bolt11, REGTEST);
    expect(theirs.millisatoshis).toBe('123456000');
    expect(theirs.timestamp).toBe(clock.now().getTime() / 1000);
    expect(theirs.tagsObject).toMatchObject({
      payment_hash: invoice.paymentHash,
      description: 'Corner Café · sale #7',
      expire_time: 600,
      min_final_cltv_expiry: 80,
    });
    expect(theirs.tagsObject.payment_secret).toMatch(/^[0-9a-f]{64}$/);
    // bolt11.decode recovers a key from any signature: check it verifies, independently.
    expect(theirs.payeeNodeKey).toBe(pubkey);
    expect(recoverSigner(invoice.bolt11)).toEqual({ pubkey, verifies: true });
    expect(decodeInvoice(invoice.bolt11)).toMatchObject({ network: 'regtest', payeePubkey: pubkey });
  });

  it('keeps its key in a 0600 file and the same identity across restarts', async () => {
    const first = start();
    const { pubkey } = await first.getInfo();
    const invoice = await first.createInvoice({ amountMsat: 5000n, description: 'kept', expirySec: 60 });
    await first.close();

    const keyFile = join(dir.path, 'demo-node.key');
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    if (process.platform !== 'win32') expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const again = start();
    expect((await again.getInfo()).pubkey).toBe(pubkey);
    expect(await again.lookupInvoice(invoice.paymentHash)).toEqual(invoice);

    const elsewhere = tempDir('demo-node-other-');
    try {
      const stranger = start(elsewhere.path);
      expect((await stranger.getInfo()).pubkey).not.toBe(pubkey);
      await stranger.close();
    } finally {
      elsewhere.remove();
    }
  });

  it('replays exactly the settlements after a cursor, in settle order, then goes live', async () => {
    const node = start();
    const inv = await invoices(node, 6);
    // Settle out of creation order: settle_index follows payment order, not add order.
    for (const i of [1, 3, 4, 0]) await node.simulatePayment(inv[i]!.paymentHash);

    const all = watch(node, '0');
    await all.until(4);
    expect(all.settlements.map(summary)).toEqual([
      ['1', inv[1]!.paymentHash],
      ['2', inv[3]!.paymentHash],
      ['3', inv[4]!.paymentHash],
      ['4', inv[0]!.paymentHash],
    ]);

    const later = watch(node, '2');
    await later.until(2);
    expect(later.settlements.map(summary)).toEqual([
      ['3', inv[4]!.paymentHash],
      ['4', inv[0]!.paymentHash],
    ]);
    // Nothing else was replayed: the next thing it sees is the next live settlement.
    await node.simulatePayment(inv[5]!.paymentHash);
    await later.until(3);
    expect(later.settlements.map(summary)[2]).toEqual(['5', inv[5]!.paymentHash]);
    expect(later.settlements[2]!.invoice).toMatchObject({ state: 'settled', amountPaidMsat: 6000n });

    const caughtUp = watch(node, '5');
    await caughtUp.connected();
    expect(caughtUp.settlements).toEqual([]);
  });

  it('delivers live settlements asynchronously and in order, after saying it is connected', async () => {
    const node = start();
    const inv = await invoices(node, 3);
    const live = watch(node, '0');
    await live.connected();
    expect(live.states).toEqual([['connected', null]]);

    const paying = inv.map((i) => node.simulatePayment(i.paymentHash));
    // Still inside the callers' stack: nothing may have been delivered yet.
    expect(live.settlements).toHaveLength(0);
    const paid = await Promise.all(paying);
    await live.until(3);
    expect(live.settlements.map(summary)).toEqual(inv.map((i, n) => [String(n + 1), i.paymentHash]));
    expect(live.settlements.map((s) => s.invoice)).toEqual(paid);
  });

  it('takes a payment after expiry, as a late payment the till must flag', async () => {
    const node = start();
    const invoice = await node.createInvoice({
      amountMsat: 21_000n,
      description: 'slow wallet',
      expirySec: 60,
    });
    clock.advance(59_999);
    expect((await node.lookupInvoice(invoice.paymentHash))?.state).toBe('open');
    clock.advance(1);
    expect((await node.lookupInvoice(invoice.paymentHash))?.state).toBe('expired');
    clock.advance(30_000);

    const paid = await node.simulatePayment(invoice.paymentHash);
    expect(paid).toMatchObject({ state: 'settled', amountPaidMsat: 21_000n, settledAt: clock.now() });
    expect(paid.settledAt!.getTime()).toBeGreaterThan(paid.expiresAt.getTime());
  });

  it('refuses to pay an invoice twice, or one it does not know', async () => {
    const node = start();
    const [invoice] = await invoices(node, 1);
    await node.simulatePayment(invoice!.paymentHash);
    const again = node.simulatePayment(invoice!.paymentHash);
    await expect(again).rejects.toMatchObject({ kind: 'Rejected' });
    await expect(again).rejects.toThrow(/already paid/);
    await expect(node.simulatePayment('ab'.repeat(32))).rejects.toThrow(/no invoice with payment hash/);
    await expect(node.simulatePayment('not-a-hash')).rejects.toBeInstanceOf(BackendError);
    expect(await node.lookupInvoice('cd'.repeat(32))).toBeNull();
  });

  it('replays to a new subscription a settlement another process made while the till was down', async () => {
    const till = start();
    const inv = await invoices(till, 3);
    const live = watch(till, '0');
    await till.simulatePayment(inv[0]!.paymentHash);
    await live.until(1);
    const stored = live.settlements[0]!.cursor;
    live.subscription.close();

    // The till is down; the node (another instance on the same files) takes two payments.
    const other = start();
    await other.simulatePayment(inv[2]!.paymentHash);
    await other.simulatePayment(inv[1]!.paymentHash);
    await expect(till.simulatePayment(inv[1]!.paymentHash)).rejects.toThrow(/already paid/);
    await other.close();

    const resumed = watch(till, stored);
    await resumed.until(2);
    expect(resumed.settlements.map(summary)).toEqual([
      ['2', inv[2]!.paymentHash],
      ['3', inv[1]!.paymentHash],
    ]);
  });

  it('ends a subscription whose handler throws, so nothing is skipped past the stored cursor', async () => {
    const node = start();
    const inv = await invoices(node, 2);
    for (const i of inv) await node.simulatePayment(i.paymentHash);
    const seen: string[] = [];
    const states: string[] = [];
    let disconnected: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (disconnected = resolve));
    node.subscribeSettlements({
      fromCursor: '0',
      onSettlement: (s) => {
        seen.push(s.cursor);
        throw new Error('journal is full');
      },
      onState: (state) => {
        states.push(state);
        if (state === 'disconnected') disconnected();
      },
    });
    await done;
    expect(seen).toEqual(['1']);
    expect(states).toEqual(['connected', 'disconnected']);
  });

  it('lists invoices created in [from, to) page by page, each exactly once, oldest first', async () => {
    const node = start();
    const from = clock.now();
    clock.advance(-1000);
    await node.createInvoice({ amountMsat: 1n, description: 'before', expirySec: 60 });
    clock.advance(1000);
    const inRange: Invoice[] = [];
    for (let i = 0; i < 7; i++) {
      inRange.push(
        await node.createInvoice({ amountMsat: 1000n + BigInt(i), description: `#${i}`, expirySec: 60 }),
      );
      clock.advance(1000);
    }
    const to = clock.now();
    await node.createInvoice({ amountMsat: 2n, description: 'at the end, excluded', expirySec: 60 });

    const pages: Invoice[][] = [];
    let pageToken: string | null = null;
    do {
      const page = await node.listInvoices({ from, to, pageToken, limit: 3 });
      pages.push(page.invoices);
      pageToken = page.nextPageToken;
    } while (pageToken !== null && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(inRange);

    const whole = await node.listInvoices({ from, to, pageToken: null, limit: 7 });
    expect(whole).toEqual({ invoices: inRange, nextPageToken: null });
  });

  it.each([
    ['a zero amount', { amountMsat: 0n, description: 'x', expirySec: 60 }, /amount/],
    [
      'more than 21 million BTC',
      { amountMsat: 2_100_000_000_000_000_001n, description: 'x', expirySec: 60 },
      /amount/,
    ],
    ['a zero expiry', { amountMsat: 1n, description: 'x', expirySec: 0 }, /expiry/],
    ['an expiry over a year', { amountMsat: 1n, description: 'x', expirySec: 31_536_001 }, /expiry/],
    ['a fractional expiry', { amountMsat: 1n, description: 'x', expirySec: 1.5 }, /expiry/],
    ['a 640-byte description', { amountMsat: 1n, description: 'é'.repeat(320), expirySec: 60 }, /640 bytes/],
  ])('rejects an invoice with %s', async (_name, req, reason) => {
    const node = start();
    const attempt = node.createInvoice(req);
    await expect(attempt).rejects.toBeInstanceOf(BackendError);
    await expect(attempt).rejects.toMatchObject({ kind: 'Rejected' });
    await expect(attempt).rejects.toThrow(reason);
  });

  it('accepts the longest description BOLT11 can carry, and the limits of expiry', async () => {
    const node = start();
    const longest = 'é'.repeat(319) + 'a';
    const invoice = await node.createInvoice({ amountMsat: 1n, description: longest, expirySec: 31_536_000 });
    expect(decodeInvoice(invoice.bolt11)).toMatchObject({
      description: longest,
      expirySec: 31_536_000,
      amountMsat: 1n,
    });
    await expect(
      node.createInvoice({ amountMsat: 1n, description: '', expirySec: 1 }),
    ).resolves.toMatchObject({
      description: '',
    });
  });

  it('rejects malformed paging and cursors', async () => {
    const node = start();
    const range = { from: new Date(0), to: clock.now() };
    await expect(node.listInvoices({ ...range, pageToken: null, limit: 0 })).rejects.toMatchObject({
      kind: 'Rejected',
    });
    await expect(node.listInvoices({ ...range, pageToken: 'abc', limit: 5 })).rejects.toMatchObject({
      kind: 'Rejected',
    });
    expect(() =>
      node.subscribeSettlements({
        fromCursor: '-1',
        onSettlement: () => undefined,
        onState: () => undefined,
      }),
    ).toThrow(BackendError);
  });

  it('stops its subscriptions and refuses work once closed', async () => {
    const node = start();
    const live = watch(node, '0');
    await node.close();
    await Promise.resolve();
    expect(live.states).toEqual([]);
    await expect(node.getInfo()).rejects.toMatchObject({ kind: 'Unreachable' });
    await expect(
      node.createInvoice({ amountMsat: 1n, description: 'x', expirySec: 60 }),
    ).rejects.toMatchObject({
      kind: 'Unreachable',
    });
  });
});
