import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Reply, ServerMessage } from '../../shared/contract/index.js';
import { toWire } from '../../shared/contract/wire.js';
import { DISPLAY_COMMANDS, DISPLAY_EVENT } from '../../shared/contract/access.js';
import type { DisplayPairing } from '../display/pairing.js';
import type { Till } from '../till.js';
import { readClientMessage } from './client-message.js';
import { answerOnSocket, cookieToken, fileIn, rawText, requestUrl } from './server.js';

/**
 * The customer display on the shop's network (README, customer display): off by default; when
 * the owner turns it on, a second listener on the LAN address they chose that serves ONLY the
 * display page, its socket and the customer's tip. A device gets in by opening the one-time
 * pairing address (/pair?code=…) the till shows as a QR, which sets its own display credential
 * as an HttpOnly cookie; the till keeps only the credential's hash. Everything else (the
 * cashier's screen, every other command, catalog images) stays on loopback behind the
 * cashier's token. The credential is checked again on every request, message and event, so a
 * display revoked in Settings is cut off at once.
 */

const NOT_FOR_DISPLAY: Reply<never> = {
  ok: false,
  error: { kind: 'NotAuthorized', message: 'A customer display may only show the sale and send a tip.' },
};
const COOKIE = 'till_display';

interface LanDeps {
  till: Till;
  rendererDir: string;
  log: (message: string, err?: unknown) => void;
  serveFile: (res: ServerResponse, file: string) => void;
  send: (res: ServerResponse, status: number, body: string, type?: string) => void;
}

export function startLanDisplay(deps: LanDeps) {
  const pairing: DisplayPairing | null = deps.till.displays?.() ?? null;
  let running: { server: Server; wss: WebSocketServer; address: string; port: number } | null = null;
  let wanted = '';
  let chain = Promise.resolve();

  function stopRunning(): Promise<void> {
    const r = running;
    running = null;
    if (!r) return Promise.resolve();
    for (const c of r.wss.clients) c.terminate();
    r.wss.close();
    const closed = new Promise<void>((resolve) => r.server.close(() => resolve()));
    r.server.closeAllConnections();
    return closed;
  }

  function paired(req: IncomingMessage): string | null {
    const t = cookieToken(req, COOKIE);
    return t !== undefined && pairing?.isPaired(t) ? t : null;
  }

  function start(address: string, port: number): Promise<void> {
    const host = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
    const origin = `http://${host}`;
    const server = createServer((req, res) => {
      try {
        handle(req, res);
      } catch (err) {
        deps.log(`display ${req.method} ${req.url} failed`, err);
        if (res.headersSent) res.destroy();
        else deps.send(res, 500, 'Something went wrong.');
      }
    });
    function handle(req: IncomingMessage, res: ServerResponse): void {
      if (req.headers.host !== host) return deps.send(res, 421, 'Wrong host.');
      if (req.method !== 'GET' && req.method !== 'HEAD') return deps.send(res, 405, 'Method not allowed.');
      const url = requestUrl(req);
      if (!url) return deps.send(res, 400, 'Bad address.');
      if (url.pathname === '/pair') {
        const token = pairing?.redeem(url.searchParams.get('code') ?? '') ?? null;
        if (!token) {
          return deps.send(
            res,
            401,
            'This pairing code was used already or has expired. Ask at the counter for a new one.',
          );
        }
        res.writeHead(303, {
          location: '/display',
          'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=31536000`,
          'cache-control': 'no-store',
        });
        return void res.end();
      }
      if (!paired(req)) return deps.send(res, 401, 'This display is not paired with the till.');
      if (url.pathname === '/display') {
        const index = fileIn(deps.rendererDir, 'index.html');
        return index ? deps.serveFile(res, index) : deps.send(res, 500, 'The display is not built.');
      }
      // The page's own scripts and styles; nothing else of the till is served here.
      if (url.pathname.startsWith('/assets/')) {
        const file = fileIn(deps.rendererDir, url.pathname);
        if (file) return deps.serveFile(res, file);
      }
      return deps.send(res, 404, 'Not found.');
    }

    const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 16 });
    wss.on('error', (err) => deps.log('the display socket server failed', err));
    server.on('upgrade', (req, socket, head) => {
      const onError = (err: Error) => deps.log('an upgrading display socket failed', err.message);
      socket.on('error', onError);
      const token = paired(req);
      if (
        requestUrl(req)?.pathname !== '/ws' ||
        req.headers.host !== host ||
        req.headers.origin !== origin ||
        token === null
      ) {
        return answerOnSocket(socket, '401 Unauthorized');
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        socket.off('error', onError);
        attach(ws, token);
      });
    });
    server.on('clientError', (_err, socket) => socket.destroy());

    function attach(ws: WebSocket, token: string): void {
      const stillPaired = () => pairing?.isPaired(token) === true;
      const cutOff = () => ws.close(4401, 'This display was unpaired');
      const push = (msg: ServerMessage) => {
        if (ws.readyState === ws.OPEN) ws.send(toWire(msg));
      };
      const unsubscribe = deps.till.subscribe((event, payload) => {
        if (event !== DISPLAY_EVENT) return;
        if (!stillPaired()) return cutOff();
        push({ type: 'event', event, payload });
      });
      ws.on('close', unsubscribe);
      // Settings changed (a display revoked): this one is checked at once, not at its next event.
      ws.on('recheck', () => {
        if (!stillPaired()) cutOff();
      });
      ws.on('error', (err) => deps.log('a display socket broke the protocol and was closed', err.message));
      ws.on('message', (data) => {
        if (!stillPaired()) return cutOff();
        const request = readClientMessage(rawText(data));
        if (request.kind === 'refuse') return ws.close(1003, request.reason);
        if (request.kind === 'unknownCommand' || !DISPLAY_COMMANDS.has(request.name)) {
          return push({ type: 'reply', id: request.id, reply: NOT_FOR_DISPLAY });
        }
        void deps.till
          .invoke(request.name, request.input)
          .then((reply) => push({ type: 'reply', id: request.id, reply }))
          .catch((err: unknown) => deps.log('a display command failed', err));
      });
    }

    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        server.on('error', (err) => deps.log('the display listener failed', err));
        running = { server, wss, address, port: (server.address() as AddressInfo).port };
        deps.log(`customer display listening on ${origin} (display only)`);
        resolve();
      });
    });
  }

  /** Follows the owner's settings: starts, moves or stops the listener; cuts off revoked displays. */
  function apply(): void {
    chain = chain.then(async () => {
      const s = pairing?.settings();
      if (running) {
        for (const c of running.wss.clients) {
          // A revoked display's socket: the next event or message closes it; close it now too.
          c.emit('recheck');
        }
      }
      const next = s?.lanEnabled ? `${s.lanAddress}:${s.lanPort}` : '';
      if (next === wanted) return;
      wanted = next;
      await stopRunning();
      if (!s?.lanEnabled) return;
      try {
        await start(s.lanAddress, s.lanPort);
      } catch (err) {
        deps.log(`the customer display could not listen on ${next}`, err);
      }
    });
  }
  const off = pairing?.onChange(apply) ?? (() => {});
  apply();

  return {
    url: () => (running ? `http://${running.address}:${running.port}` : null),
    /** Resolves once the settings last applied are in force (tests). */
    settled: () => chain,
    async close() {
      off();
      await chain;
      await stopRunning();
    },
  };
}
