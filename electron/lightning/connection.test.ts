import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Network } from '../../shared/domain/index.js';
import { openJournal, type Db } from '../journal/db.js';
import { readCursor, writeCursor } from '../journal/settings.js';
import { manualTimers, tempDir } from '../test-support/fixtures.js';
import { BackendError, type Invoice, type LightningBackend, type SubscribeOptions } from './backend.js';
import { createNodeConnection, type NodeConnection } from './connection.js';
import type { StoredBackend } from './registry.js';

const LND: StoredBackend = { kind: 'lnd', network: 'mainnet', restUrl: 'https://node:8080', tlsCert: null };

/** A node the test scripts: whether getInfo answers, and what the live subscription reports. */
interface ScriptedNode {
  reachable: boolean;
  closed: boolean;
  subs: SubscribeOptions[];
  live: () => SubscribeOptions;
  backend: LightningBackend;
}

function scriptedNode(pubkey: string, network: Network = 'mainnet'): ScriptedNode {
  const subs: SubscribeOptions[] = [];
  const node: ScriptedNode = {
    reachable: true,
    closed: false,
    subs,
    /** The subscription the connection holds now. */
    live: () => subs.at(-1)!,
    backend: {
      kind: 'lnd',
      getInfo: () =>
        node.reachable
          ? Promise.resolve({
              alias: `node ${pubkey}`,
              pubkey,
              network,
              blockHeight: 1,
              permissions: { createInvoices: true, readInvoices: true, sendPayments: false },
            })
          : Promise.reject(new BackendError('Unreachable', 'connection refused')),
      latestCursor: () => Promise.resolve('7'),
      subscribeSettlements: (opts: SubscribeOptions) => {
        subs.push(opts);
        return { close: () => undefined };
      },
      createInvoice: () => Promise.reject(new Error('not used')),
      lookupInvoice: () => Promise.resolve(null),
      listInvoices: () => Promise.resolve({ invoices: [], nextPageToken: null }),
      close: () => {
        node.closed = true;
        return Promise.resolve();
      },
    },
  };
  return node;
}

const invoice = (hash: string): Invoice => ({
  paymentHash: hash,
  bolt11: 'lnbc1',
  amountMsat: 1000n,
  description: '',
  createdAt: new Date(0),
  expiresAt: new Date(600_000),
  state: 'settled',
  settledAt: new Date(1),
  amountPaidMsat: 1000n,
});

describe('the node connection', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let timers: ReturnType<typeof manualTimers>;
  let settled: string[];
  let conn: NodeConnection | null;

  function connectTo(backend: LightningBackend, stored = LND): NodeConnection {
    conn = createNodeConnection({
      db,
      now: () => new Date('2026-11-27T10:00:00Z'),
      backend,
      stored,
      onSettlement: ({ invoice: inv, cursor }) => {
        settled.push(inv.paymentHash);
        writeCursor(db, conn!.cursorKey(), cursor, new Date());
      },
      changed: () => undefined,
      log: () => undefined,
      timers: true,
      clock: timers.clock,
      // No spread: each wait is exactly half the nominal backoff, so the test can name it.
      random: () => 0,
    });
    return conn;
  }

  beforeEach(() => {
    dir = tempDir('till-conn-');
    db = openJournal(`${dir.path}/journal.sqlite`);
    timers = manualTimers();
    settled = [];
    conn = null;
  });

  afterEach(async () => {
    await conn?.close();
    db.close();
    dir.remove();
  });

  it('starts a new node from its newest settlement and journals that cursor under the node’s key', async () => {
    const node = scriptedNode('aa');
    const c = connectTo(node.backend);
    await c.connect();
    expect(c.cursorKey()).toBe('lnd:aa');
    expect(readCursor(db, 'lnd:aa')).toBe('7');
    expect(node.live().fromCursor).toBe('7');
    node.live().onState('connected', null);
    expect(c.info()).toMatchObject({ state: 'connected', alias: 'node aa', network: 'mainnet' });
  });

  it('refuses a node on another network and does not subscribe', async () => {
    const node = scriptedNode('aa', 'testnet');
    const c = connectTo(node.backend);
    await c.connect();
    expect(c.info().state).toBe('disconnected');
    expect(c.info().message).toMatch(/testnet.*mainnet/);
    expect(node.subs).toHaveLength(0);
  });

  it('retries an unreachable node on the backoff and resumes from the journaled cursor after a drop', async () => {
    const node = scriptedNode('aa');
    node.reachable = false;
    const c = connectTo(node.backend);
    await c.connect();
    expect(c.info().state).toBe('disconnected');
    expect(c.info().message).toMatch(/refused/);
    expect(timers.waits()).toEqual([500]);
    timers.advance(500);
    await expect.poll(() => timers.waits()).toEqual([1_000]); // still down: waits twice as long

    node.reachable = true;
    timers.advance(1_000);
    await expect.poll(() => node.subs.length).toBe(1);
    node.live().onState('connected', null);
    node.live().onSettlement({ invoice: invoice('h1'), cursor: '8' });
    expect(settled).toEqual(['h1']);

    // The subscription drops: the next one starts after the settlement the journal holds,
    // and the wait starts from the base again because the last attempt got through.
    node.live().onState('disconnected', 'stream ended');
    expect(timers.waits()).toEqual([500]);
    timers.advance(500);
    await expect.poll(() => node.subs.length).toBe(2);
    expect(node.live().fromCursor).toBe('8');
  });

  it('ignores what the previous node reports after a switch, and closes it', async () => {
    const first = scriptedNode('aa');
    const second = scriptedNode('bb');
    const c = connectTo(first.backend);
    await c.connect();
    const old = first.live();
    await c.switchTo(second.backend, LND);
    expect(first.closed).toBe(true);
    old.onSettlement({ invoice: invoice('stale'), cursor: '9' });
    old.onState('disconnected', 'gone');
    expect(settled).toEqual([]);
    expect(timers.waits()).toEqual([]);
    expect(c.cursorKey()).toBe('lnd:bb');
    second.live().onSettlement({ invoice: invoice('h2'), cursor: '8' });
    expect(settled).toEqual(['h2']);
  });

  it('lets a caller wait until the connection is no longer connecting', async () => {
    const node = scriptedNode('aa');
    const c = connectTo(node.backend);
    await c.connect();
    const waiting = c.settled(60_000);
    node.live().onState('connected', null);
    await waiting;
    expect(c.info().state).toBe('connected');
  });
});
