import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ClientMessage, ServerMessage } from '../../shared/contract/index.js';
import { fromWire, toWire } from '../../shared/contract/wire.js';
import type { Till } from '../till.js';

/**
 * The till served to a browser on this machine only: the same contract as the Electron
 * preload, over a WebSocket. Loopback-only, and every request must prove it came from the URL
 * the host printed (a random per-run token, exchanged once for an HttpOnly cookie) so another
 * local user or a web page in the cashier's browser cannot drive the till.
 */

export interface WebHostOptions {
  till: Till;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Where /catalog-images/ files are looked up, in order: the synced catalog's cache, then the demo images. */
  imagesDirs: string[];
  port?: number;
  token?: string;
}

export interface WebHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

const COOKIE = 'till_token';
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

function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE) return v;
  }
  return undefined;
}

/** Resolves a URL path inside `root`, refusing anything that escapes it. */
function fileIn(root: string, urlPath: string): string | null {
  const decoded = decodeURIComponent(urlPath);
  if (decoded.includes('\0')) return null;
  const full = normalize(join(root, decoded));
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  try {
    return statSync(full).isFile() ? full : null;
  } catch {
    return null;
  }
}

export function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(new Uint8Array(data)).toString('utf8');
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const rendererDir = normalize(opts.rendererDir);
  const imagesDirs = opts.imagesDirs.map((d) => normalize(d));
  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];

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
    createReadStream(file).pipe(res);
  }

  const server = createServer((req, res) => {
    // DNS rebinding: a hostile page resolving its own name to 127.0.0.1 still sends its Host.
    if (!allowedHosts().includes(req.headers.host ?? '')) return send(res, 421, 'Wrong host.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed.');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const queryToken = url.searchParams.get('token') ?? undefined;
    if (sameToken(queryToken, token)) {
      res.writeHead(303, {
        location: url.pathname,
        'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      return res.end();
    }
    if (!sameToken(cookieToken(req), token)) {
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
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const origin = req.headers.origin;
    const okOrigin = origin !== undefined && allowedHosts().some((h) => origin === `http://${h}`);
    const url = new URL(req.url ?? '/', 'http://x');
    if (
      url.pathname !== '/ws' ||
      !allowedHosts().includes(req.headers.host ?? '') ||
      !okOrigin ||
      !sameToken(cookieToken(req), token)
    ) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const push = (msg: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(toWire(msg));
    };
    const unsubscribe = opts.till.subscribe((event, payload) => push({ type: 'event', event, payload }));
    ws.on('close', unsubscribe);
    ws.on('message', (data) => {
      let msg: ClientMessage;
      try {
        msg = fromWire(rawText(data)) as ClientMessage;
      } catch {
        ws.close(1003, 'Messages must be JSON');
        return;
      }
      if (msg?.type !== 'invoke' || typeof msg.id !== 'number') {
        ws.close(1003, 'Unknown message');
        return;
      }
      void opts.till.invoke(msg.name, msg.input).then((reply) => push({ type: 'reply', id: msg.id, reply }));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
