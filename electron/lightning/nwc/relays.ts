import type { Event } from 'nostr-tools/pure';
import { verifyEvent } from 'nostr-tools/pure';
import WebSocket from 'ws';
import { BackendError } from '../backend.js';

/**
 * The NIP-01 side of NWC: one websocket per relay ("Clients SHOULD open a single websocket
 * connection to each relay"), shared by every request and subscription, opened lazily and
 * reopened on the next use after it drops. Events reach callers only with a valid signature:
 * a relay is an untrusted courier.
 */

/** The filter fields this client sends (NIP-01 `<filters>`). */
export interface Filter {
  authors?: string[];
  kinds?: number[];
  '#e'?: string[];
  '#p'?: string[];
  limit?: number;
}

export interface SubscriptionHandlers {
  onEvent(event: Event): void;
  onEose(): void;
  /** The relay ended the subscription (CLOSED) or the connection dropped; no calls follow. */
  onClosed(reason: string): void;
}

export interface Relay {
  readonly url: string;
  isOpen(): boolean;
  /** Sends REQ; the returned function sends CLOSE. */
  subscribe(filter: Filter, handlers: SubscriptionHandlers): () => void;
  /** Sends EVENT; `onOk` gets the relay's OK answer, if one comes before the connection drops. */
  publish(event: Event, onOk: (accepted: boolean, message: string) => void): void;
}

export interface RelayPool {
  /** The relays reachable now, opening connections as needed; Unreachable when there is none. */
  connect(timeoutMs: number): Promise<Relay[]>;
  close(): void;
}

// NIP-47: "NWC relays SHOULD allow at least a payload size of 64KB"; leave room above that.
const MAX_MESSAGE = 1 << 20;

interface Connection extends Relay {
  terminate(): void;
}

/** A websocket message as text (ws hands over a Buffer, a fragment list or an ArrayBuffer). */
export function messageText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(new Uint8Array(data)).toString('utf8');
}

function isEvent(value: unknown): value is Event {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.id === 'string' &&
    typeof e.pubkey === 'string' &&
    typeof e.sig === 'string' &&
    typeof e.kind === 'number' &&
    typeof e.created_at === 'number' &&
    typeof e.content === 'string' &&
    Array.isArray(e.tags) &&
    e.tags.every((t) => Array.isArray(t) && t.every((s) => typeof s === 'string'))
  );
}

function verified(value: unknown): value is Event {
  try {
    return isEvent(value) && verifyEvent(value);
  } catch {
    return false;
  }
}

function openRelay(url: string, timeoutMs: number): Promise<Connection> {
  return new Promise<Connection>((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, maxPayload: MAX_MESSAGE });
    const subs = new Map<string, SubscriptionHandlers>();
    const oks = new Map<string, (accepted: boolean, message: string) => void>();
    let open = false;
    let nextId = 0;

    const send = (message: unknown[]) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message), () => undefined);
    };

    const relay: Connection = {
      url,
      isOpen: () => open,
      subscribe(filter, handlers) {
        const id = `nwc-${++nextId}`;
        subs.set(id, handlers);
        send(['REQ', id, filter]);
        return () => {
          if (subs.delete(id)) send(['CLOSE', id]);
        };
      },
      publish(event, onOk) {
        oks.set(event.id, onOk);
        send(['EVENT', event]);
      },
      terminate: () => ws.terminate(),
    };

    ws.on('open', () => {
      open = true;
      resolve(relay);
    });
    ws.on('error', (err) => {
      if (!open) reject(err);
    });
    ws.on('close', () => {
      if (!open) reject(new Error('the relay closed the connection while opening it'));
      open = false;
      const lost = [...subs.values()];
      subs.clear();
      oks.clear();
      for (const handlers of lost) handlers.onClosed('the connection to the relay dropped');
    });
    ws.on('message', (data: WebSocket.RawData) => {
      let message: unknown;
      try {
        message = JSON.parse(messageText(data));
      } catch {
        return; // NIP-01 messages are JSON arrays; anything else carries nothing for us.
      }
      if (!Array.isArray(message)) return;
      const [type, a, b, c] = message as unknown[];
      switch (type) {
        case 'EVENT': {
          const sub = typeof a === 'string' ? subs.get(a) : undefined;
          if (sub && verified(b)) sub.onEvent(b);
          return;
        }
        case 'EOSE':
          if (typeof a === 'string') subs.get(a)?.onEose();
          return;
        case 'OK': {
          const onOk = typeof a === 'string' ? oks.get(a) : undefined;
          if (!onOk) return;
          oks.delete(a as string);
          onOk(b === true, typeof c === 'string' ? c : '');
          return;
        }
        case 'CLOSED': {
          const sub = typeof a === 'string' ? subs.get(a) : undefined;
          if (!sub) return;
          subs.delete(a as string);
          sub.onClosed(typeof b === 'string' && b !== '' ? b : 'the relay closed the subscription');
          return;
        }
        default:
          return; // NOTICE and anything newer: nothing to act on.
      }
    });
  });
}

function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}

export function createRelayPool(urls: readonly string[]): RelayPool {
  const conns = new Map<string, { opening: Promise<Connection>; conn: Connection | null }>();
  let closed = false;

  function connection(url: string, timeoutMs: number): Promise<Connection> {
    const known = conns.get(url);
    if (known && (known.conn === null || known.conn.isOpen())) return known.opening;
    const entry: { opening: Promise<Connection>; conn: Connection | null } = {
      opening: openRelay(url, timeoutMs),
      conn: null,
    };
    conns.set(url, entry);
    entry.opening.then(
      (conn) => {
        entry.conn = conn;
        if (closed) conn.terminate();
      },
      () => {
        if (conns.get(url) === entry) conns.delete(url);
      },
    );
    return entry.opening;
  }

  return {
    async connect(timeoutMs) {
      if (closed) throw new BackendError('Unreachable', 'The wallet connection is closed.');
      const results = await Promise.allSettled(urls.map((url) => connection(url, timeoutMs)));
      const open = results.flatMap((r) => (r.status === 'fulfilled' && r.value.isOpen() ? [r.value] : []));
      if (open.length > 0) return open;
      const why = results.map(
        (r, i) => `${urls[i]}: ${r.status === 'rejected' ? reason(r.reason) : 'closed'}`,
      );
      throw new BackendError(
        'Unreachable',
        `None of the wallet's relays can be reached (${why.join('; ')}).`,
      );
    },
    close() {
      closed = true;
      for (const entry of conns.values()) entry.conn?.terminate();
      conns.clear();
    },
  };
}
