import {
  createTillApi,
  TillError,
  type ClientMessage,
  type CommandName,
  type EventName,
  type Reply,
  type ServerMessage,
  type TillApi,
  type Transport,
} from '../../shared/contract/index.js';
import { fromWire, toWire } from '../../shared/contract/wire.js';

/** The desktop app's preload bridge: the same wire format as the socket. */
function bridgeTransport(bridge: NonNullable<Window['tillBridge']>): Transport {
  return {
    invoke: async (name, input) => fromWire(await bridge.invoke(name, toWire(input))) as Reply<unknown>,
    subscribe: (listener) => bridge.subscribe((event, payload) => listener(event, fromWire(payload))),
  };
}

export type SocketState = 'open' | 'reconnecting';

/** The web host's socket, reconnecting with backoff; pending calls fail clearly when it drops. */
function socketTransport(onState: (s: SocketState) => void): Transport {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const pending = new Map<number, (reply: Reply<unknown>) => void>();
  const listeners = new Set<(event: EventName, payload: unknown) => void>();
  let nextId = 1;
  let socket: WebSocket;
  let ready: Promise<void>;
  let delay = 250;

  function open(): void {
    socket = new WebSocket(url);
    ready = new Promise((resolve) => socket.addEventListener('open', () => resolve(), { once: true }));
    socket.addEventListener('open', () => {
      delay = 250;
      onState('open');
    });
    socket.addEventListener('message', (e: MessageEvent<string>) => {
      const msg = fromWire(e.data) as ServerMessage;
      if (msg.type === 'reply') {
        pending.get(msg.id)?.(msg.reply);
        pending.delete(msg.id);
      } else {
        for (const l of listeners) l(msg.event, msg.payload);
      }
    });
    socket.addEventListener('close', () => {
      onState('reconnecting');
      for (const resolve of pending.values()) {
        resolve({
          ok: false,
          error: { kind: 'BackendUnavailable', message: 'Lost connection to the till — try again.' },
        });
      }
      pending.clear();
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 5000);
    });
  }
  open();

  return {
    async invoke(name: CommandName, input: unknown) {
      await ready;
      const id = nextId++;
      const msg: ClientMessage = { type: 'invoke', id, name, input };
      return new Promise<Reply<unknown>>((resolve) => {
        pending.set(id, resolve);
        socket.send(toWire(msg));
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function connectTill(onSocketState: (s: SocketState) => void): TillApi {
  const bridge = window.tillBridge;
  return createTillApi(bridge ? bridgeTransport(bridge) : socketTransport(onSocketState));
}

export function errorMessage(err: unknown): string {
  if (err instanceof TillError) return err.message;
  return 'Something went wrong. Try again.';
}
