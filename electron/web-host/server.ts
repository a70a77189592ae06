import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, normalize } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Reply, ServerMessage } from '../../shared/contract/index.js';
import { toWire } from '../../shared/contract/wire.js';
import { commandFailure } from '../commands/failure.js';
import { decodePath, fileInside } from '../static-file.js';
import type { Till } from '../till.js';
import { readClientMessage } from './client-message.js';
import { startLanDisplay } from './lan-display.js';
import { requestedByTheTill } from './request-origin.js';

/**
 * The till served to a browser on this machine only: the same contract as the Electron
 * preload, over a WebSocket. Loopback-only, and every request must prove it came from the URL
 * the host printed (a random token, exchanged once for an HttpOnly cookie) so another local user
 * or a web page in the cashier's browser cannot drive the till. `npm run serve` keeps the token
 * in the data folder (token.ts) so an open tab's cookie still works after a restart.
 */

export interface WebHostOptions {
  till: Till;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Where /catalog-images/ files are looked up, in order: the synced catalog's cache, then the demo images. */
  imagesDirs: string[];
  /** 0 or absent: any free port. */
  port?: number;
  /** When `port` is taken, listen on any free one instead of failing (the caller says so to the user). */
  anyPortIfTaken?: boolean;
  /** Absent: a new random one for this run only. */
  token?: string;
  /** Where the host reports what it refused or survived; console.error by default. */
  log?: (message: string, err?: unknown) => void;
}

export interface WebHost {
  url: string;
  /** The customer display's LAN address while it listens (README, customer display); else null. */
  lanUrl: () => string | null;
  port: number;
  close(): Promise<void>;
}

/**
 * Cookies are kept per host, not per port: each port's till names its own, so opening a second
 * till on this machine (another data folder) does not overwrite the first one's and lock its tabs out.
 */
const cookieName = (port: number) => `till_token_${port}`;
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieToken(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === name) return v;
  }
  return undefined;
}

/** Resolves a URL path inside `root`: null for anything undecodable or outside it. */
export function fileIn(root: string, urlPath: string): string | null {
  const decoded = decodePath(urlPath);
  return decoded === null ? null : fileInside(root, decoded);
}

/** The request's URL, or null when it cannot be parsed (e.g. an absolute-form "http://[/"). */
export function requestUrl(req: IncomingMessage): URL | null {
  const raw = req.url ?? '/';
  return URL.canParse(raw, 'http://till') ? new URL(raw, 'http://till') : null;
}

/** Answers on the raw socket (upgrade, CONNECT, unparsable request): there is no response object. */
export function answerOnSocket(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

const UNKNOWN_COMMAND: Reply<never> = {
  ok: false,
  error: { kind: 'ValidationError', message: 'The till does not know that command. Reload the page.' },
};
/**
 * A screen waits on a handful of commands at a time; a socket with more than this many
 * unanswered is flooding the till (a runaway script, a hostile page) and is told to wait.
 */
const MAX_IN_FLIGHT = 64;
const TOO_MANY: Reply<never> = {
  ok: false,
  error: { kind: 'InvalidState', message: 'The till is still answering earlier requests; try again.' },
};

export function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(new Uint8Array(data)).toString('utf8');
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const rendererDir = normalize(opts.rendererDir);
  const imagesDirs = opts.imagesDirs.map((d) => normalize(d));
  const log =
    opts.log ?? ((message: string, err?: unknown) => console.error(`[web-host] ${message}`, err ?? ''));
  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const ownOrigins = () => allowedHosts().map((h) => `http://${h}`);

  function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  }

  function serveFile(res: ServerResponse, file: string): void {
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': file.endsWith('.html') ? 'no-store' : 'max-age=3600',
    });
    // A file removed between stat and read (a catalog sync swapping images) ends the response, not the host.
    createReadStream(file)
      .on('error', (err) => {
        log(`could not read ${file}`, err);
        res.destroy();
      })
      .pipe(res);
  }

  const server = createServer((req, res) => {
    try {
      handleRequest(req, res);
    } catch (err) {
      // A bug here must cost one request, not the till.
      log(`${req.method} ${req.url} failed`, err);
      if (res.headersSent) res.destroy();
      else send(res, 500, 'Something went wrong in the till. Reload the page.');
    }
  });

  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    // DNS rebinding: a hostile page resolving its own name to 127.0.0.1 still sends its Host.
    if (!allowedHosts().includes(req.headers.host ?? '')) return send(res, 421, 'Wrong host.');
    if (!requestedByTheTill(req.headers, ownOrigins())) {
      return send(
        res,
        403,
        'Another web page asked for this. Open the till from the address `npm run serve` printed.',
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed.');
    const url = requestUrl(req);
    if (!url) return send(res, 400, 'Bad address.');
    const queryToken = url.searchParams.get('token') ?? undefined;
    if (sameToken(queryToken, token)) {
      res.writeHead(303, {
        location: url.pathname,
        'set-cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }
    if (!sameToken(cookieToken(req, cookieName(port)), token)) {
      return send(
        res,
        401,
        'Open the till with the full address that `npm run serve` printed (it includes a token).',
      );
    }
    if (url.pathname.startsWith('/catalog-images/')) {
      const rel = url.pathname.slice('/catalog-images/'.length);
      const file = imagesDirs.map((d) => fileIn(d, rel)).find((f) => f !== null) ?? null;
      return file ? serveFile(res, file) : send(res, 404, 'No such image.');
    }
    const file = fileIn(rendererDir, url.pathname === '/' ? 'index.html' : url.pathname);
    if (file) return serveFile(res, file);
    // Client-side routes fall back to the app shell; missing assets are a plain 404.
    if (extname(url.pathname) === '') {
      const index = fileIn(rendererDir, 'index.html');
      if (index) return serveFile(res, index);
      return send(res, 500, 'The cashier screen is not built: run `npm run build` first.');
    }
    return send(res, 404, 'Not found.');
  }

  // A browser's socket message is at most a few kilobytes; a megabyte is a paste gone wrong.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  wss.on('error', (err) => log('the socket server failed', err));
  server.on('upgrade', (req, socket, head) => {
    // Until ws takes the socket over, a reset from the client would be an unhandled 'error'.
    const onError = (err: Error) => log('an upgrading socket failed', err.message);
    socket.on('error', onError);
    const origin = req.headers.origin;
    const okOrigin = origin !== undefined && ownOrigins().includes(origin);
    if (
      requestUrl(req)?.pathname !== '/ws' ||
      !allowedHosts().includes(req.headers.host ?? '') ||
      !okOrigin ||
      !requestedByTheTill(req.headers, ownOrigins()) ||
      !sameToken(cookieToken(req, cookieName(port)), token)
    ) {
      return answerOnSocket(socket, '401 Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', onError); // ws handles the socket's errors from here on
      attach(ws);
    });
  });

  function attach(ws: WebSocket): void {
    const push = (msg: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(toWire(msg));
    };
    const unsubscribe = opts.till.subscribe((event, payload) => push({ type: 'event', event, payload }));
    let inFlight = 0;
    ws.on('close', unsubscribe);
    // Protocol errors (oversized or unmasked frames, invalid UTF-8, bad opcodes or close codes):
    // ws has already closed the socket with the matching code (1002, 1007, 1009); without this
    // listener the 'error' event would be thrown and end the process.
    ws.on('error', (err) => log('a browser socket broke the protocol and was closed', err.message));
    ws.on('message', (data) => {
      const request = readClientMessage(rawText(data));
      switch (request.kind) {
        case 'refuse':
          return ws.close(1003, request.reason);
        case 'unknownCommand':
          return push({ type: 'reply', id: request.id, reply: UNKNOWN_COMMAND });
        case 'invoke':
          if (inFlight >= MAX_IN_FLIGHT) return push({ type: 'reply', id: request.id, reply: TOO_MANY });
          inFlight++;
          return void opts.till
            .invoke(request.name, request.input)
            .then(
              (reply) => push({ type: 'reply', id: request.id, reply }),
              (err: unknown) => {
                log(`command ${request.name} threw`, err);
                push({
                  type: 'reply',
                  id: request.id,
                  reply: { ok: false, error: commandFailure(request.name, err) },
                });
              },
            )
            .catch((err: unknown) => log(`the reply to ${request.name} could not be sent`, err))
            .finally(() => inFlight--);
      }
    });
  }

  const listen = (wanted: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wanted, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(opts.port ?? 0);
  } catch (err) {
    if (!(opts.anyPortIfTaken && err instanceof Error && 'code' in err && err.code === 'EADDRINUSE'))
      throw err;
    await listen(0);
  }
  port = (server.address() as AddressInfo).port;
  // After start-up an error on the listening socket (EMFILE on accept…) is reported, not fatal.
  server.on('error', (err) => log('the HTTP server failed', err));
  // CONNECT would otherwise just drop the connection with no word.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    answerOnSocket(socket, '405 Method Not Allowed');
  });
  // A request the HTTP parser cannot read (bad method, oversized headers, garbage bytes).
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket | Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    answerOnSocket(
      socket,
      err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request',
    );
  });

  const lan = startLanDisplay({ till: opts.till, rendererDir, log, serveFile, send });

  return {
    port,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    lanUrl: () => lan.url(),
    async close() {
      await lan.close();
      for (const client of wss.clients) client.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A browser keeps its connections open (keep-alive, a request in flight): close them too,
      // or stopping waits for the browser to let go, a minute or more.
      server.closeAllConnections();
      await closed;
    },
  };
}
