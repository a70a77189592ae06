import type { ConnectionState, Network, NodeCheck, Permissions } from '../../shared/domain/index.js';
import { createRetrier, type TimerClock } from '../backoff.js';
import { backendErrorToTillError } from '../checkout/errors.js';
import type { Db } from '../journal/db.js';
import { readCursor, writeCursor } from '../journal/settings.js';
import type { LightningBackend, NodeInfo, Settlement, Subscription } from './backend.js';
import type { DemoBackend } from './demo/backend.js';
import type { StoredBackend } from './registry.js';

/**
 * The life cycle of the till's one node connection: connect (check the network, find the
 * cursor), subscribe to settlements from the cursor the journal holds, reconnect with backoff
 * when the subscription drops, and switch to another node without a restart. The sale flow
 * only ever sees `backend()` and the settlements handed to `onSettlement`.
 */

export interface ConnectionInfo {
  state: ConnectionState;
  alias: string | null;
  network: Network | null;
  message: string | null;
  permissions: Permissions | null;
}

export interface NodeConnectionDeps {
  db: Db;
  now: () => Date;
  backend: LightningBackend;
  stored: StoredBackend;
  /** Journals a settlement and moves the cursor; a throw leaves the cursor where it was. */
  onSettlement: (settlement: Settlement) => void;
  /** The connection's state or node changed (push the till's status). */
  changed: () => void;
  log: (message: string, err?: unknown) => void;
  /** Off in tests that drive the till by hand: no reconnect timer. */
  timers: boolean;
  /** Where reconnect waits are scheduled; the system clock by default. */
  clock?: TimerClock;
  /** Spreads reconnects of many tills (0 ≤ x < 1); Math.random by default. */
  random?: () => number;
}

export interface NodeConnection {
  backend: () => LightningBackend;
  stored: () => StoredBackend;
  /** Where this node's settlement cursor is journaled (kind and pubkey). */
  cursorKey: () => string;
  info: () => ConnectionInfo;
  /** Connects and subscribes; failures end in 'disconnected' with a reason and a retry. */
  connect: () => Promise<void>;
  /** Closes the node in use and connects `next` in its place. */
  switchTo: (next: LightningBackend, nextStored: StoredBackend) => Promise<void>;
  /** Resolves once the state is no longer 'connecting', or after `ms`. */
  settled: (ms: number) => Promise<void>;
  close: () => Promise<void>;
}

export function isDemoBackend(backend: LightningBackend): backend is DemoBackend {
  return backend.kind === 'demo' && 'simulatePayment' in backend;
}

/** Why the till will not use a node as it is; empty when it will. */
export function problemsWith(info: NodeInfo, expected: Network): string[] {
  const problems: string[] = [];
  if (info.network !== expected) {
    problems.push(
      `The node is on ${info.network}, but the till is set to ${expected}: choose ${info.network} here, or connect a ${expected} node.`,
    );
  }
  if (!info.permissions.createInvoices) problems.push('This credential cannot create invoices.');
  if (!info.permissions.readInvoices)
    problems.push('This credential cannot read invoices, so payments would go unseen.');
  return problems;
}

/** "Test connection": what the node says of itself and what keeps the till from using it. */
export async function checkNode(candidate: LightningBackend, expected: Network): Promise<NodeCheck> {
  let info: NodeInfo;
  try {
    info = await candidate.getInfo();
  } catch (err) {
    throw backendErrorToTillError(err, 'connect to the node');
  }
  return { ...info, problems: problemsWith(info, expected) };
}

const initialInfo = (): ConnectionInfo => ({
  state: 'connecting',
  alias: null,
  network: null,
  message: null,
  permissions: null,
});

export function createNodeConnection(deps: NodeConnectionDeps): NodeConnection {
  const { db, now, log } = deps;
  let backend = deps.backend;
  let stored = deps.stored;
  let cursorKey: string = backend.kind;
  const info = initialInfo();
  let subscription: Subscription | null = null;
  let closed = false;
  /** Bumped on every switch and reconnect: a late answer from an older attempt is ignored. */
  let generation = 0;
  // Back off with jitter so a fleet of tills does not hammer a node that just came back.
  const retry = createRetrier(
    { baseMs: 1_000, maxMs: 60_000, jitter: deps.random ?? Math.random },
    deps.clock,
  );
  const waiters = new Set<() => void>();

  function setState(state: ConnectionState, message: string | null): void {
    info.state = state;
    info.message = message;
    deps.changed();
    if (state !== 'connecting') for (const wake of [...waiters]) wake();
  }

  function scheduleReconnect(): void {
    if (!deps.timers || closed) return;
    retry.schedule(() => void connect());
  }

  async function connect(): Promise<void> {
    const attempt = ++generation;
    const current = backend;
    subscription?.close();
    subscription = null;
    const fail = (err: unknown) => {
      if (attempt !== generation) return;
      setState('disconnected', backendErrorToTillError(err, 'reach the Lightning node').message);
      scheduleReconnect();
    };
    let node: NodeInfo;
    try {
      node = await current.getInfo();
    } catch (err) {
      fail(err);
      return;
    }
    if (attempt !== generation || closed) return;
    info.alias = node.alias;
    info.network = node.network;
    info.permissions = node.permissions;
    if (node.network !== stored.network) {
      // Never take payments on a chain the merchant did not choose.
      setState('disconnected', problemsWith(node, stored.network)[0] ?? null);
      return;
    }
    // The cursor belongs to one node: switching nodes must not resume from another's index.
    cursorKey = `${current.kind}:${node.pubkey}`;
    let fromCursor = readCursor(db, cursorKey);
    if (fromCursor === null) {
      // First contact with this node: start from its newest settlement, so the merchant's
      // past payments are not journaled as strangers' — and nothing after it is ever missed.
      try {
        fromCursor = await current.latestCursor();
      } catch (err) {
        fail(err);
        return;
      }
      if (attempt !== generation || closed) return;
      writeCursor(db, cursorKey, fromCursor, now());
    }
    try {
      subscription = current.subscribeSettlements({
        fromCursor,
        onSettlement: (settlement) => {
          if (attempt !== generation) return;
          // A throw here ends the subscription before the cursor moves: it resumes from here.
          deps.onSettlement(settlement);
        },
        onState: (state, message) => {
          if (attempt !== generation) return;
          if (state === 'connected') retry.reset();
          setState(state, message);
          if (state === 'disconnected') {
            subscription = null;
            scheduleReconnect();
          }
        },
      });
    } catch (err) {
      fail(err);
    }
  }

  async function switchTo(next: LightningBackend, nextStored: StoredBackend): Promise<void> {
    const previous = backend;
    generation++;
    subscription?.close();
    subscription = null;
    retry.cancel();
    backend = next;
    stored = nextStored;
    cursorKey = next.kind;
    Object.assign(info, initialInfo());
    deps.changed();
    await previous.close().catch((err: unknown) => log('closing the previous backend failed', err));
    await connect();
    deps.changed();
  }

  function settled(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (info.state !== 'connecting') return resolve();
      const timer = setTimeout(done, ms);
      waiters.add(done);
      function done() {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
    });
  }

  return {
    backend: () => backend,
    stored: () => stored,
    cursorKey: () => cursorKey,
    info: () => ({ ...info }),
    connect,
    switchTo,
    settled,
    async close() {
      closed = true;
      generation++;
      retry.cancel();
      subscription?.close();
      subscription = null;
      for (const wake of [...waiters]) wake();
      await backend.close();
    },
  };
}
