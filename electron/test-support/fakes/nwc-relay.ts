import type { AddressInfo } from 'node:net';
import { matchFilter, type Filter } from 'nostr-tools/filter';
import { getEventHash, verifyEvent, type Event } from 'nostr-tools/pure';
import { messageText } from '../../lightning/nwc/relays.js';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

/**
 * A Nostr relay on 127.0.0.1 speaking NIP-01 (../shared/contracts/nostr/nip-01.md): EVENT with
 * OK, REQ with stored events then EOSE then live ones, CLOSE, CLOSED and NOTICE. Replaceable
 * kinds keep their latest event, ephemeral kinds are only passed on. Anything a client sends
 * outside NIP-01 is refused and recorded as a violation, which fails the test at close.
 */

export interface FakeRelay {
  url: string;
  /** Client-published events, after the relay accepted them (the wallet service listens here). */
  onEvent(listener: (event: Event) => void): void;
  /** Stores (if not ephemeral) and passes on an event, as if a connected client had published it. */
  broadcast(event: Event): void;
  /** Answer `OK false` with this message to every client EVENT from now on; null accepts again. */
  rejectEvents(message: string | null): void;
  /** Cuts every client connection (new ones are accepted). */
  dropConnections(): Promise<void>;
  close(): Promise<void>;
}

const HEX32 = /^[0-9a-f]{64}$/;
const FILTER_KEYS = new Set(['ids', 'authors', 'kinds', 'since', 'until', 'limit']);

function eventProblem(e: unknown): string | null {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return 'the event is not an object';
  const ev = e as Record<string, unknown>;
  const keys = ['id', 'pubkey', 'created_at', 'kind', 'tags', 'content', 'sig'];
  const extra = Object.keys(ev).filter((k) => !keys.includes(k));
  if (extra.length > 0) return `unknown event fields ${extra.join(', ')}`;
  if (typeof ev.id !== 'string' || !HEX32.test(ev.id)) return 'id is not 64 lowercase hex';
  if (typeof ev.pubkey !== 'string' || !HEX32.test(ev.pubkey)) return 'pubkey is not 64 lowercase hex';
  if (!Number.isSafeInteger(ev.created_at) || (ev.created_at as number) < 0)
    return 'created_at is not unix seconds';
  if (!Number.isInteger(ev.kind) || (ev.kind as number) < 0 || (ev.kind as number) > 65535) {
    return 'kind is not an integer from 0 to 65535';
  }
  if (
    !Array.isArray(ev.tags) ||
    !ev.tags.every((t) => Array.isArray(t) && t.length > 0 && t.every((s) => typeof s === 'string'))
  ) {
    return 'tags is not an array of non-empty arrays of strings';
  }
  if (typeof ev.content !== 'string') return 'content is not a string';
  if (typeof ev.sig !== 'string' || !/^[0-9a-f]{128}$/.test(ev.sig))
    return 'sig is not 64 bytes of lowercase hex';
  const event = ev as unknown as Event;
  if (getEventHash(event) !== event.id) return 'id is not the hash of the serialized event';
  if (!verifyEvent({ ...event })) return 'the signature does not verify';
  return null;
}

function filterProblem(f: unknown): string | null {
  if (typeof f !== 'object' || f === null || Array.isArray(f)) return 'a filter is not an object';
  for (const [key, value] of Object.entries(f as Record<string, unknown>)) {
    if (!FILTER_KEYS.has(key) && !/^#[a-zA-Z]$/.test(key)) return `unknown filter attribute "${key}"`;
    if (key === 'since' || key === 'until' || key === 'limit') {
      if (!Number.isSafeInteger(value) || (value as number) < 0)
        return `${key} is not a non-negative integer`;
      continue;
    }
    if (!Array.isArray(value) || value.length === 0) return `${key} is not a non-empty list`;
    if (key === 'kinds') {
      if (!value.every((k) => Number.isInteger(k))) return 'kinds holds a non-integer';
    } else if (['ids', 'authors', '#e', '#p'].includes(key)) {
      // NIP-01: "The ids, authors, #e and #p filter lists MUST contain exact 64-character lowercase hex values."
      if (!value.every((v) => typeof v === 'string' && HEX32.test(v)))
        return `${key} holds a value that is not 64 lowercase hex`;
    } else if (!value.every((v) => typeof v === 'string')) return `${key} holds a non-string`;
  }
  return null;
}

const isReplaceable = (kind: number) => kind === 0 || kind === 3 || (kind >= 10000 && kind < 20000);
const isEphemeral = (kind: number) => kind >= 20000 && kind < 30000;

export async function startFakeRelay(name: string, violations: string[]): Promise<FakeRelay> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  const stored: Event[] = [];
  const subs = new Map<WebSocket, Map<string, Filter[]>>();
  const listeners: ((event: Event) => void)[] = [];
  let refusal: string | null = null;

  const send = (ws: WebSocket, message: unknown[]) => ws.send(JSON.stringify(message), () => undefined);
  const violation = (what: string) => violations.push(`${name}: ${what}`);

  function store(event: Event): void {
    if (isEphemeral(event.kind)) return;
    if (isReplaceable(event.kind)) {
      const old = stored.findIndex((e) => e.kind === event.kind && e.pubkey === event.pubkey);
      if (old >= 0) stored.splice(old, 1);
    }
    stored.push(event);
  }

  function broadcast(event: Event): void {
    store(event);
    for (const [ws, own] of subs) {
      for (const [id, filters] of own) {
        if (filters.some((f) => matchFilter(f, event))) send(ws, ['EVENT', id, event]);
      }
    }
  }

  function handle(ws: WebSocket, data: RawData): void {
    let message: unknown;
    try {
      message = JSON.parse(messageText(data));
    } catch {
      violation('a message that is not JSON');
      send(ws, ['NOTICE', 'invalid: messages are JSON arrays']);
      return;
    }
    if (!Array.isArray(message) || typeof message[0] !== 'string') {
      violation(`a message that is not a NIP-01 array: ${JSON.stringify(message).slice(0, 80)}`);
      send(ws, ['NOTICE', 'invalid: messages are JSON arrays']);
      return;
    }
    const own = subs.get(ws);
    if (!own) return; // a message still in flight from a connection being cut
    switch (message[0]) {
      case 'EVENT': {
        const event = message[1] as Event;
        const problem = message.length !== 2 ? 'EVENT takes exactly one event' : eventProblem(event);
        const id = typeof event?.id === 'string' ? event.id : '';
        if (problem) {
          violation(`EVENT: ${problem}`);
          send(ws, ['OK', id, false, `invalid: ${problem}`]);
          return;
        }
        if (refusal !== null) {
          send(ws, ['OK', id, false, refusal]);
          return;
        }
        send(ws, ['OK', id, true, '']);
        broadcast(event);
        for (const listener of listeners) listener(event);
        return;
      }
      case 'REQ': {
        const [, id, ...filters] = message as [string, unknown, ...unknown[]];
        const problem =
          typeof id !== 'string' || id.length === 0 || id.length > 64
            ? 'the subscription id is not a string of 1 to 64 characters'
            : filters.length === 0
              ? 'REQ without a filter'
              : (filters.map(filterProblem).find((p) => p !== null) ?? null);
        if (problem) {
          violation(`REQ: ${problem}`);
          send(ws, ['CLOSED', typeof id === 'string' ? id : '', `invalid: ${problem}`]);
          return;
        }
        const fs = filters as Filter[];
        own.set(id as string, fs);
        const matching = stored
          .filter((e) => fs.some((f) => matchFilter(f, e)))
          .sort((a, b) => b.created_at - a.created_at);
        const limit = Math.min(...fs.map((f) => f.limit ?? Infinity));
        for (const event of matching.slice(0, limit)) send(ws, ['EVENT', id, event]);
        send(ws, ['EOSE', id]);
        return;
      }
      case 'CLOSE':
        if (message.length !== 2 || typeof message[1] !== 'string') {
          violation('CLOSE takes exactly one subscription id');
          send(ws, ['NOTICE', 'invalid: CLOSE takes a subscription id']);
          return;
        }
        own.delete(message[1]);
        return;
      default:
        violation(`unknown message type ${JSON.stringify(message[0])}`);
        send(ws, ['NOTICE', `invalid: unknown message type`]);
    }
  }

  wss.on('connection', (ws) => {
    subs.set(ws, new Map());
    ws.on('message', (data) => handle(ws, data));
    ws.on('close', () => subs.delete(ws));
    ws.on('error', () => undefined);
  });

  async function dropConnections(): Promise<void> {
    const closing = [...wss.clients].map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.terminate();
        }),
    );
    subs.clear();
    await Promise.all(closing);
  }

  return {
    url,
    onEvent: (listener) => void listeners.push(listener),
    broadcast,
    rejectEvents: (message) => void (refusal = message),
    dropConnections,
    async close() {
      await dropConnections();
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
