import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { toJsonExact } from '../../../shared/money/index.js';
import { join } from 'node:path';

/**
 * The part every HTTP fake shares: a real server on 127.0.0.1 (optionally TLS with a test
 * certificate), a log of spec violations that fails the test at close, and the faults the
 * contract suite asks for (malformed, truncated and hanging answers; dropped connections).
 * Each fake supplies the route handler that knows its own server's spec.
 */

const TLS_DIR = join(import.meta.dirname, 'tls');
export const TEST_CERT = readFileSync(join(TLS_DIR, 'node.cert'), 'utf8');
export const OTHER_CERT = readFileSync(join(TLS_DIR, 'other.cert'), 'utf8');
const TEST_KEY = readFileSync(join(TLS_DIR, 'node.key'), 'utf8');

export interface FakeRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body; undefined when there was none. */
  body: unknown;
  rawBody: string;
}

export type FakeReply =
  | { status: number; body: unknown }
  /** A long-lived response: the fake writes to it (LND streams, websockets are separate). */
  | { stream: (res: http.ServerResponse) => void };

export type FaultMode = 'malformed' | 'truncated' | 'hang' | null;

/** Thrown by a handler when a request breaks the spec; answered 400 and recorded. */
export class SpecViolation extends Error {
  override readonly name = 'SpecViolation';
}

export interface HttpFake {
  url: string;
  server: http.Server;
  /** Spec violations seen so far (the request line and what was wrong). */
  violations: string[];
  misbehave(mode: FaultMode): void;
  dropConnections(): Promise<void>;
  /** Closes the server; throws if any request broke the spec. */
  close(): Promise<void>;
}

export async function startHttpFake(
  name: string,
  handle: (req: FakeRequest) => FakeReply | Promise<FakeReply>,
  opts: { tls?: boolean } = {},
): Promise<HttpFake> {
  const violations: string[] = [];
  const sockets = new Set<Socket>();
  let mode: FaultMode = null;

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const line = `${req.method} ${url.pathname}${url.search}`;
        let body: unknown;
        if (rawBody !== '') {
          try {
            body = JSON.parse(rawBody);
          } catch {
            violations.push(`${line}: the body is not JSON: ${rawBody.slice(0, 80)}`);
            res.writeHead(400).end('{"error":"body is not JSON"}');
            return;
          }
        }
        if (mode === 'hang') return; // never answered; the client must give up by itself
        let reply: FakeReply;
        try {
          reply = await handle({
            method: req.method ?? 'GET',
            path: url.pathname,
            query: url.searchParams,
            headers: req.headers,
            body,
            rawBody,
          });
        } catch (err) {
          if (err instanceof SpecViolation) {
            violations.push(`${line}: ${err.message}`);
            res.writeHead(400, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: `${name} fake: ${err.message}` }));
            return;
          }
          violations.push(`${line}: the fake itself failed: ${String(err)}`);
          res.writeHead(500).end();
          return;
        }
        if ('stream' in reply) {
          reply.stream(res);
          return;
        }
        const text = toJsonExact(reply.body);
        if (mode === 'malformed') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ unexpected: ['this', 'is', 'not', 'the', 'answer'], amount: 'lots' }));
        } else if (mode === 'truncated') {
          res.writeHead(reply.status, {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(text)),
          });
          res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
          // Flush what was written, then cut the connection before the promised length.
          setTimeout(() => res.socket?.destroy(), 20);
        } else {
          res.writeHead(reply.status, { 'content-type': 'application/json' });
          res.end(text);
        }
      })();
    });
  };

  const server = opts.tls
    ? https.createServer({ cert: TEST_CERT, key: TEST_KEY }, listener)
    : http.createServer(listener);
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  // The raw TCP socket: tracked before the TLS handshake ends, so a drop never misses one.
  server.on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    server,
    violations,
    misbehave: (m) => void (mode = m),
    async dropConnections() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise((r) => setTimeout(r, 10));
    },
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (violations.length > 0) {
        throw new Error(`the ${name} fake saw requests outside the spec:\n${violations.join('\n')}`);
      }
    },
  };
}
