import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTillApi, TillError, type ClientMessage, type Reply } from '../../shared/contract/index.js';
import { fromWire, toWire } from '../../shared/contract/wire.js';
import {
  CONNECT_WAIT_MS,
  NO_REPLY,
  NOT_SENT,
  REFUSED,
  REPLY_WAIT_MS,
  socketTransport,
  type Access,
  type SocketLike,
  type SocketState,
} from './till-client.js';

/** A browser WebSocket as the client sees it, driven by hand: open, answer, hang up. */
class FakeSocket implements SocketLike {
  readonly sent: ClientMessage[] = [];
  closeAsked = false;
  private readonly listeners: Record<'open' | 'close' | 'message', ((e: { data: unknown }) => void)[]> = {
    open: [],
    close: [],
    message: [],
  };
  addEventListener(type: 'open' | 'close' | 'message', listener: (e: { data: unknown }) => void): void {
    this.listeners[type].push(listener);
  }
  send(data: string): void {
    this.sent.push(fromWire(data) as ClientMessage);
  }
  /** As in a browser, the close event follows later. */
  close(): void {
    if (this.closeAsked) return;
    this.closeAsked = true;
    queueMicrotask(() => this.hangUp());
  }
  open(): void {
    for (const l of this.listeners.open) l({ data: undefined });
  }
  reply(id: number, reply: Reply<unknown>): void {
    for (const l of this.listeners.message) l({ data: toWire({ type: 'reply', id, reply }) });
  }
  hangUp(): void {
    for (const l of this.listeners.close.splice(0)) l({ data: undefined });
  }
}

function harness(access: Access = 'unreachable') {
  const sockets: FakeSocket[] = [];
  const states: SocketState[] = [];
  const probe = vi.fn(() => Promise.resolve(access));
  const transport = socketTransport({
    connect: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    probe,
    onState: (s) => states.push(s),
  });
  const till = createTillApi(transport);
  const last = () => sockets.at(-1)!;
  return { till, sockets, states, probe, last, setAccess: (a: Access) => probe.mockResolvedValue(a) };
}

/** Whether a promise has settled, without waiting on any timer. */
function watch<T>(p: Promise<T>) {
  const seen: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  p.then(
    (value) => Object.assign(seen, { settled: true, value }),
    (error: unknown) => Object.assign(seen, { settled: true, error }),
  );
  return seen;
}

const flush = () => vi.advanceTimersByTimeAsync(0);
const message = (reply: Reply<never>) => (reply.ok ? '' : reply.error.message);

describe('the browser’s till client: every command has a bounded wait', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends what was asked while the page’s first connection was being made, once it opens', async () => {
    const { till, last } = harness();
    const cart = watch(till.getCart());
    await flush();
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent.map((m) => m.name)).toEqual(['getCart']);
    last().reply(last().sent[0]!.id, { ok: true, value: 'the cart' });
    await flush();
    expect(cart.value).toBe('the cart');
  });

  it('gives up a first connection that does not open, and refuses what waited on it without sending it', async () => {
    const { till, last, states, probe } = harness('unreachable');
    const status = watch(till.getStatus());
    await vi.advanceTimersByTimeAsync(CONNECT_WAIT_MS - 1);
    expect(status.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(last().closeAsked).toBe(true);
    expect(probe).toHaveBeenCalledTimes(1);
    expect(states).toEqual(['down']);
    expect(status.error).toBeInstanceOf(TillError);
    expect((status.error as TillError).message).toBe(message(NOT_SENT));
    expect(last().sent).toEqual([]);
  });

  it('with the host gone, refuses a command at once (no timer runs) and never sends it', async () => {
    const { till, sockets, last, states } = harness();
    last().open();
    last().hangUp();
    expect(states).toEqual(['open', 'down']);
    // Charge is the command a cashier watched spin for half a minute.
    await expect(till.charge()).rejects.toMatchObject({
      kind: 'BackendUnavailable',
      message: message(NOT_SENT),
    });
    expect(sockets.flatMap((s) => s.sent)).toEqual([]);
  });

  it('answers a command whose reply does not come within its wait, and drops the socket for a fresh one', async () => {
    const { till, last, states, sockets } = harness();
    last().open();
    const cart = watch(till.getCart());
    await vi.advanceTimersByTimeAsync(REPLY_WAIT_MS.getCart - 1);
    expect(cart.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    // Sent but unanswered: it may have happened, and the message says so.
    expect((cart.error as TillError).message).toBe(message(NO_REPLY));
    expect(states).toEqual(['open', 'down']);
    expect(sockets[0]!.closeAsked).toBe(true);
    // Meanwhile a tap is refused at once rather than sent to a till that stopped answering.
    await expect(till.addToCart({ variantId: 'v1' })).rejects.toMatchObject({ message: message(NOT_SENT) });
    await vi.advanceTimersByTimeAsync(250);
    expect(sockets).toHaveLength(2);
  });

  it('waits longer for a charge than for a read, and a late reply is not taken for the next', async () => {
    expect(REPLY_WAIT_MS.charge).toBeGreaterThan(REPLY_WAIT_MS.getCart);
    const { till, last } = harness();
    last().open();
    const charge = watch(till.charge());
    await vi.advanceTimersByTimeAsync(REPLY_WAIT_MS.getCart);
    expect(charge.settled).toBe(false);
    const id = last().sent[0]!.id;
    last().reply(id, { ok: true, value: 'sale 1' });
    await flush();
    expect(charge.value).toBe('sale 1');
    // The same id answered twice resolves nothing else.
    const cart = watch(till.getCart());
    last().reply(id, { ok: true, value: 'sale 1 again' });
    await flush();
    expect(cart.settled).toBe(false);
  });

  it('fails the commands in flight when the socket drops, saying they may have happened', async () => {
    const { till, last } = harness();
    last().open();
    const cash = watch(till.payCash({ tendered: 500n }));
    await flush();
    last().hangUp();
    await flush();
    expect((cash.error as TillError).message).toBe(message(NO_REPLY));
  });

  it('reconnects by itself with growing waits, and commands go through again', async () => {
    const { till, sockets, states, last } = harness('unreachable');
    last().open();
    last().hangUp();
    for (const wait of [250, 500, 1000, 2000, 3000, 3000]) {
      const before = sockets.length;
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(sockets, `after ${wait - 1} ms`).toHaveLength(before);
      await vi.advanceTimersByTimeAsync(1);
      expect(sockets).toHaveLength(before + 1);
      last().hangUp(); // still down
      await flush();
    }
    await vi.advanceTimersByTimeAsync(3000);
    last().open();
    expect(states.at(-1)).toBe('open');
    const status = watch(till.getStatus());
    expect(last().sent.map((m) => m.name)).toEqual(['getStatus']);
    last().reply(last().sent[0]!.id, { ok: true, value: 'ok' });
    await flush();
    expect(status.value).toBe('ok');
  });

  it('tells a host that refuses the page’s cookie from one that is down, and recovers once the cookie is good', async () => {
    const { till, last, states, setAccess } = harness('unreachable');
    last().open();
    last().hangUp();
    setAccess('refused');
    await vi.advanceTimersByTimeAsync(250);
    last().hangUp(); // the upgrade was answered 401
    await flush();
    expect(states).toEqual(['open', 'down', 'refused']);
    await expect(till.getCart()).rejects.toMatchObject({ message: message(REFUSED) });
    // The cashier opened the printed address (in any tab): the next attempt is let in.
    await vi.advanceTimersByTimeAsync(500);
    last().open();
    expect(states.at(-1)).toBe('open');
  });
});
