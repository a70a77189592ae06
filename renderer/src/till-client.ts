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

export type SocketState =
  /** The page's first connection is being made: commands wait for it (a bounded while). */
  | 'connecting'
  | 'open'
  /** The host cannot be reached or stopped answering: commands are refused at once, the page keeps trying. */
  | 'down'
  /** The host answers but no longer takes this page's cookie (a new token): open the printed address. */
  | 'refused';

/** What the host says of this page's cookie, asked when a socket could not be opened. */
export type Access = 'accepted' | 'refused' | 'unreachable';

/** The part of the browser's WebSocket this client uses (a fake in tests). */
export interface SocketLike {
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close', listener: () => void): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
}

/** A loopback socket opens in milliseconds; one that has not within this is a host that is not answering. */
export const CONNECT_WAIT_MS = 5_000;
const FIRST_RETRY_MS = 250;
const LAST_RETRY_MS = 3_000;
const QUICK_MS = 15_000;
/** Commands that wait on the node, Shopify or the disk, each bounded by the till's own timeouts (10–20 s a call). */
const SLOW_MS = 60_000;

/** How long each command's reply is waited for before the screen says the till is not answering. */
export const REPLY_WAIT_MS = {
  getStatus: QUICK_MS,
  getJournalProblem: QUICK_MS,
  startNewJournal: SLOW_MS,
  searchCatalog: QUICK_MS,
  getCart: QUICK_MS,
  getDisplay: QUICK_MS,
  chooseTip: QUICK_MS,
  getCustomerDisplay: QUICK_MS,
  updateCustomerDisplay: QUICK_MS,
  startDisplayPairing: QUICK_MS,
  revokeDisplay: QUICK_MS,
  addToCart: QUICK_MS,
  addCustomAmount: QUICK_MS,
  scanBarcode: QUICK_MS,
  setLineQuantity: QUICK_MS,
  changeLineQuantity: QUICK_MS,
  removeLine: QUICK_MS,
  clearCart: QUICK_MS,
  charge: SLOW_MS,
  getOfflineCharge: QUICK_MS,
  chargeOffline: QUICK_MS,
  enterOfflinePin: QUICK_MS,
  reissueInvoice: SLOW_MS,
  cancelSale: QUICK_MS,
  // Two requests to the card's service, each bounded at 10 s by the till.
  tapCard: SLOW_MS,
  demoPay: QUICK_MS,
  getSale: QUICK_MS,
  listSales: QUICK_MS,
  getSettings: QUICK_MS,
  updateSettings: QUICK_MS,
  getBackendConfig: QUICK_MS,
  testBackend: SLOW_MS,
  saveBackend: SLOW_MS,
  getRefundWallet: QUICK_MS,
  testRefundWallet: SLOW_MS,
  saveRefundWallet: QUICK_MS,
  getOfflinePay: QUICK_MS,
  saveOfflinePay: QUICK_MS,
  getOfflineProofs: QUICK_MS,
  // Asks the companion server over the internet (its own timeout is 15 s a batch).
  checkOfflinePayments: 60_000,
  payCash: QUICK_MS,
  previewRefund: QUICK_MS,
  // A Lightning refund waits for the refund wallet's answer.
  createRefund: SLOW_MS,
  listRefunds: QUICK_MS,
  getRefund: QUICK_MS,
  quoteLnurlRefund: QUICK_MS,
  cancelLnurlRefund: QUICK_MS,
  getLnurlWithdraw: QUICK_MS,
  saveLnurlWithdraw: SLOW_MS,
  testShopify: SLOW_MS,
  saveShopify: SLOW_MS,
  disconnectShopify: QUICK_MS,
  syncCatalog: QUICK_MS,
  retryOrder: QUICK_MS,
  startReconcile: SLOW_MS,
  cancelReconcile: QUICK_MS,
  getReconcile: QUICK_MS,
  exportReconcileCsv: SLOW_MS,
  exportReconcileParquet: SLOW_MS,
  applySafeRepairs: SLOW_MS,
  setManualRate: QUICK_MS,
  previewManualRate: QUICK_MS,
  setLineDiscount: QUICK_MS,
  setCartDiscount: QUICK_MS,
  setLineNote: QUICK_MS,
  setCartNote: QUICK_MS,
  parkCart: QUICK_MS,
  listParkedCarts: QUICK_MS,
  resumeParkedCart: QUICK_MS,
  discardParkedCart: QUICK_MS,
  getPricingSettings: QUICK_MS,
  updatePricingSettings: QUICK_MS,
  getReceiptSettings: QUICK_MS,
  updateReceiptSettings: QUICK_MS,
  getReceipt: QUICK_MS,
  listPrinters: QUICK_MS,
  // The system's dialog waits for a person; a printer can take a while to take the job.
  printReceipt: 5 * 60_000,
  saveReceiptPdf: SLOW_MS,
  getRefundReceipt: QUICK_MS,
  printRefundReceipt: 5 * 60_000,
  saveRefundReceiptPdf: SLOW_MS,
  // A PIN check is ~50 ms of scrypt per staff member: quick, but not instant.
  unlock: QUICK_MS,
  lock: QUICK_MS,
  listStaff: QUICK_MS,
  addStaff: QUICK_MS,
  updateStaff: QUICK_MS,
  listAudit: QUICK_MS,
  openShift: QUICK_MS,
  getShift: QUICK_MS,
  paidIn: QUICK_MS,
  paidOut: QUICK_MS,
  noSale: QUICK_MS,
  // Closing and the X report ask the node for its settled invoices (bounded by the backend's timeouts).
  closeShift: SLOW_MS,
  listShifts: QUICK_MS,
  getShiftReport: SLOW_MS,
  exportShiftCsv: SLOW_MS,
  // As a receipt: the system's dialog waits for a person.
  printShiftReport: 5 * 60_000,
  saveShiftReportPdf: SLOW_MS,
} as const satisfies Record<CommandName, number>;

const unavailable = (message: string): Reply<never> => ({
  ok: false,
  error: { kind: 'BackendUnavailable', message },
});
/** Never sent: the cashier may simply try again once the till is back. */
export const NOT_SENT = unavailable(
  'The till is not answering, so this was not done. Check that the till is running; this screen reconnects by itself.',
);
export const REFUSED = unavailable(
  'This screen may no longer use the till (it was started with a new key). Open the address the till printed when it started.',
);
/** Sent, but no answer: a charge or a cash sale may have happened, so never "try again" here. */
export const NO_REPLY = unavailable(
  'The till stopped answering before it replied, so this may or may not have been done. When the till answers again, this screen shows what it did.',
);

export interface SocketDeps {
  connect: () => SocketLike;
  probe: () => Promise<Access>;
  onState: (state: SocketState) => void;
}

/**
 * The web host's socket. Every command gets a bounded wait: refused at once while the host is
 * down, and answered with NO_REPLY when its reply does not come in time (the socket is then
 * dropped, since a host that lets one reply lapse is not to be trusted with the next). The
 * page reconnects with backoff; what the till did meanwhile is re-read by the screen on 'open'.
 */
export function socketTransport({ connect, probe, onState }: SocketDeps): Transport {
  const pending = new Map<
    number,
    { resolve: (reply: Reply<unknown>) => void; timer: ReturnType<typeof setTimeout> }
  >();
  /** Commands asked for before the first connection opened. */
  const waiting = new Set<() => void>();
  const listeners = new Set<(event: EventName, payload: unknown) => void>();
  let nextId = 1;
  let state: SocketState = 'connecting';
  let socket: SocketLike | null = null;
  let delay = FIRST_RETRY_MS;

  function setState(next: SocketState): void {
    if (next === state) return;
    state = next;
    onState(next);
    if (next !== 'connecting') {
      for (const send of waiting) send();
      waiting.clear();
    }
  }

  function drop(ws: SocketLike): void {
    if (socket === ws) {
      socket = null;
      setState('down');
    }
    ws.close();
  }

  function attempt(): void {
    const ws = connect();
    let opened = false;
    const giveUp = setTimeout(() => ws.close(), CONNECT_WAIT_MS);
    ws.addEventListener('open', () => {
      clearTimeout(giveUp);
      opened = true;
      socket = ws;
      delay = FIRST_RETRY_MS;
      setState('open');
    });
    ws.addEventListener('message', (e) => {
      const msg = fromWire(String(e.data)) as ServerMessage;
      if (msg.type === 'reply') {
        const p = pending.get(msg.id);
        if (!p) return;
        clearTimeout(p.timer);
        pending.delete(msg.id);
        p.resolve(msg.reply);
      } else {
        for (const l of listeners) l(msg.event, msg.payload);
      }
    });
    ws.addEventListener('close', () => {
      clearTimeout(giveUp);
      if (socket === ws) socket = null;
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.resolve(NO_REPLY);
      }
      pending.clear();
      const retry = () => {
        setTimeout(attempt, delay);
        delay = Math.min(delay * 2, LAST_RETRY_MS);
      };
      if (opened) {
        setState('down');
        return retry();
      }
      // The browser does not say why a socket failed to open: ask whether the host still takes our cookie.
      void probe()
        .catch((): Access => 'unreachable')
        .then((access) => {
          setState(access === 'refused' ? 'refused' : 'down');
          retry();
        });
    });
  }
  attempt();

  return {
    invoke(name: CommandName, input: unknown) {
      return new Promise<Reply<unknown>>((resolve) => {
        const send = () => {
          const ws = socket;
          if (!ws) return resolve(state === 'refused' ? REFUSED : NOT_SENT);
          const id = nextId++;
          const timer = setTimeout(() => {
            pending.delete(id);
            resolve(NO_REPLY);
            drop(ws);
          }, REPLY_WAIT_MS[name]);
          pending.set(id, { resolve, timer });
          const msg: ClientMessage = { type: 'invoke', id, name, input };
          ws.send(toWire(msg));
        };
        if (state === 'connecting') waiting.add(send);
        else send();
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Whether the host still takes this page's cookie: any answer but 401 means yes. */
async function probeCookie(): Promise<Access> {
  try {
    const res = await fetch('/', {
      method: 'HEAD',
      cache: 'no-store',
      signal: AbortSignal.timeout(CONNECT_WAIT_MS),
    });
    return res.status === 401 ? 'refused' : 'accepted';
  } catch {
    return 'unreachable';
  }
}

export function connectTill(onSocketState: (s: SocketState) => void): TillApi {
  const bridge = window.tillBridge;
  if (bridge) return createTillApi(bridgeTransport(bridge));
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  return createTillApi(
    socketTransport({ connect: () => new WebSocket(url), probe: probeCookie, onState: onSocketState }),
  );
}

export function errorMessage(err: unknown): string {
  if (err instanceof TillError) return err.message;
  return 'Something went wrong. Try again.';
}
