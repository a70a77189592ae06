import http from 'node:http';
import https from 'node:https';
import { toJsonExact } from '../../shared/money/index.js';
import { BackendError } from './backend.js';

/**
 * The one HTTP client the REST backends (LND, CLN, LNbits) share: JSON in and out, a hard
 * timeout, TLS pinned to the certificate a manager pasted (never turned off), and transport
 * failures mapped once into BackendError kinds a person can act on. Node's http module rather
 * than fetch: fetch cannot trust a single self-signed certificate without a dispatcher.
 */

export interface HttpTarget {
  /** http:// or https://, with host and port; paths are appended. */
  baseUrl: string;
  /** PEM certificate(s) the server must present (LND's tls.cert, CLN's CA); system CAs otherwise. */
  ca?: string;
  timeoutMs: number;
  /** Headers sent with every request (credentials). Never logged. */
  headers?: Record<string, string>;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Cancels the request (a long poll whose subscription was closed). */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** The parsed JSON body, or null for an empty body. */
  body: unknown;
}

const CERT_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Maps a socket-level failure into a BackendError; `what` names the server ("LND at host:port"). */
export function transportError(err: unknown, what: string): BackendError {
  if (err instanceof BackendError) return err;
  const code = (err as { code?: string } | null)?.code ?? '';
  if (CERT_ERRORS.has(code)) {
    return new BackendError(
      'BadCertificate',
      `${what} presented a TLS certificate that does not match the one configured (${code})`,
      { cause: err },
    );
  }
  const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new BackendError('Unreachable', `${what} is unreachable (${code || reason})`, { cause: err });
}

function describeTarget(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

function open(
  target: HttpTarget,
  req: HttpRequest,
): { request: http.ClientRequest; payload: string | undefined; where: string } {
  const url = new URL(req.path, target.baseUrl.endsWith('/') ? target.baseUrl : `${target.baseUrl}/`);
  const where = describeTarget(target.baseUrl);
  // A bigint in a body (an LNbits amount) is written from its digits, never through a float.
  const payload = req.body === undefined ? undefined : toJsonExact(req.body);
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...target.headers,
    ...req.headers,
  };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const options: https.RequestOptions = { method: req.method, headers, agent: false };
  let request: http.ClientRequest;
  if (url.protocol === 'https:') {
    // A pinned certificate replaces the system CAs: only that node is trusted.
    request = https.request(url, { ...options, ...(target.ca ? { ca: target.ca } : {}) });
  } else if (url.protocol === 'http:') {
    request = http.request(url, options);
  } else {
    throw new BackendError('Rejected', `${url.protocol} is not an http or https address`);
  }
  return { request, payload, where };
}

/** One JSON request/response. Transport failures and unreadable bodies throw; HTTP statuses do not. */
export function requestJson(target: HttpTarget, req: HttpRequest): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    let request: http.ClientRequest;
    let payload: string | undefined;
    let where: string;
    try {
      ({ request, payload, where } = open(target, req));
    } catch (err) {
      reject(err instanceof BackendError ? err : new BackendError('Rejected', String(err)));
      return;
    }
    let settled = false;
    const finish = (err: BackendError | null, value?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (err) {
        request.destroy();
        reject(err);
      } else resolve(value!);
    };
    const timer = setTimeout(
      () =>
        finish(new BackendError('Timeout', `${where} did not answer within ${target.timeoutMs / 1000} s`)),
      target.timeoutMs,
    );
    const onAbort = () => finish(new BackendError('Unreachable', `the request to ${where} was cancelled`));
    if (req.signal?.aborted) onAbort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const cutOff = () => new BackendError('BadResponse', `${where} cut its answer off before the end`);
    let responded = false;
    // Once the headers are in, a broken connection means a half-delivered answer.
    request.on('error', (err) => finish(responded ? cutOff() : transportError(err, where)));
    request.on('response', (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => finish(cutOff()));
      res.on('aborted', () => finish(cutOff()));
      res.on('close', () => {
        if (!res.complete) finish(cutOff());
      });
      res.on('end', () => {
        if (!res.complete) {
          finish(cutOff());
          return;
        }
        const text = Buffer.concat(chunks).toString('utf8');
        if (text.trim() === '') {
          finish(null, { status: res.statusCode ?? 0, body: null });
          return;
        }
        try {
          finish(null, { status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
        } catch {
          finish(
            new BackendError(
              'BadResponse',
              `${where} answered HTTP ${res.statusCode} with something that is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
            ),
          );
        }
      });
    });
    request.end(payload);
  });
}

export interface LineStream {
  close(): void;
}

export interface LineStreamHandlers {
  /** The server accepted the stream (HTTP 2xx): the subscription is live. */
  onOpen(): void;
  /** One complete line of the body (newline-delimited JSON streams). */
  onLine(line: string): void;
  /** The stream ended for good: a transport error, a non-2xx status, or the server closing it. */
  onEnd(err: BackendError): void;
}

/**
 * A long-lived request whose body is newline-delimited (LND's REST gateway streams). No
 * overall timeout: the connection is the subscription. Only the time to the response
 * headers is bounded — or, with `liveOnConnect`, the time to connect: grpc-gateway sends a
 * stream's headers with its first message, which may be hours away.
 */
export function streamLines(
  target: HttpTarget,
  req: HttpRequest,
  handlers: LineStreamHandlers,
  opts: { liveOnConnect?: boolean } = {},
): LineStream {
  let ended = false;
  let closedByUs = false;
  let request: http.ClientRequest | null = null;
  const end = (err: BackendError) => {
    if (ended || closedByUs) return;
    ended = true;
    clearTimeout(timer);
    request?.destroy();
    handlers.onEnd(err);
  };
  let payload: string | undefined;
  let where = describeTarget(target.baseUrl);
  try {
    ({ request, payload, where } = open(target, req));
  } catch (err) {
    queueMicrotask(() => end(err instanceof BackendError ? err : new BackendError('Rejected', String(err))));
  }
  const timer = setTimeout(
    () => end(new BackendError('Timeout', `${where} did not answer within ${target.timeoutMs / 1000} s`)),
    target.timeoutMs,
  );
  let opened = false;
  const markOpen = () => {
    clearTimeout(timer);
    if (opened) return;
    opened = true;
    handlers.onOpen();
  };
  if (request) {
    request.on('error', (err) => end(transportError(err, where)));
    if (opts.liveOnConnect) {
      request.on('socket', (socket) => {
        socket.once(target.baseUrl.startsWith('https') ? 'secureConnect' : 'connect', () => {
          if (!ended && !closedByUs) markOpen();
        });
      });
    }
    request.on('response', (res) => {
      clearTimeout(timer);
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8').slice(0, 200);
          const kind = status === 401 || status === 403 ? 'NotAuthorized' : 'Rejected';
          end(new BackendError(kind, `${where} refused the subscription (HTTP ${status}: ${text})`));
        });
        return;
      }
      markOpen();
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line === '' || ended || closedByUs) continue;
          handlers.onLine(line);
        }
      });
      res.on('error', (err) => end(transportError(err, where)));
      res.on('aborted', () => end(new BackendError('Unreachable', `${where} closed the connection`)));
      res.on('close', () => end(new BackendError('Unreachable', `${where} closed the connection`)));
    });
    request.end(payload);
  }
  return {
    close() {
      closedByUs = true;
      clearTimeout(timer);
      request?.destroy();
    },
  };
}
