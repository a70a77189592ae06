import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import lnurl, { type Server } from 'lnurl';
import {
  checkOfflineKey,
  offlinePin,
  readOfflineLinkQuery,
  type OfflineKey,
} from '../../shared/offline-pay/index.js';
import {
  KEY_ID_HEADER,
  MAX_STATUS_NONCES,
  SIGNATURE_HEADER,
  STATUS_PATH,
  signaturesMatch,
  signStatusRequest,
  signStatusResponse,
  type NonceStatus,
  type StatusResponse,
} from '../../shared/offline-pay/status.js';
import type { LightningBackend } from '../lightning/backend.js';
import { decodeInvoice } from '../lightning/bolt11/decode.js';
import { openCompanionStore, type CompanionStore, type NonceRow } from './store.js';

/**
 * The companion server of offline Lightning (issue 17): the `lnurl` package's server, which
 * checks the till's signed LNURL-pay links (lnurl-offline, the shared keys as `auth.apiKeys`),
 * with hooks that add what an offline sale needs: the till's fields read back and refused when
 * malformed, expiry, one invoice per nonce (its own SQLite store, so also across restarts), the
 * exact signed amount, metadata naming sale, till and nonce (the invoice's description hash), and
 * a LUD-09 `url` success action to its own `/pin/<nonce>` page, which shows the PIN only once the
 * merchant's node reports the invoice paid. `POST /offline/status` answers a till back online.
 */

export interface CompanionOptions {
  host: string;
  port: number;
  /** Checked already (checkPublicUrl); null: http://host:port as bound (tests, LAN). */
  publicUrl: string | null;
  /** Every key accepted (old and new during a rotation). */
  keys: OfflineKey[];
  dataDir: string;
  /** The merchant's node, through the till's own backends. */
  node: LightningBackend;
  now?: () => Date;
  /** Lifetime of the invoices asked of the node (default 10 minutes). */
  invoiceExpirySec?: number;
  log?: (message: string, err?: unknown) => void;
}

export interface Companion {
  readonly url: string;
  close(): Promise<void>;
}

const REGISTRY = Symbol.for('lightning-till.companion.invoicers');
type Invoicer = (
  amountMsat: number,
  extra: { description?: string; descriptionHash?: string },
) => Promise<{ id: string; invoice: string }>;
type Invoicers = Map<string, Invoicer>;

function invoicers(): Invoicers {
  const g = globalThis as { [REGISTRY]?: Invoicers };
  const found = g[REGISTRY] ?? new Map<string, Invoicer>();
  g[REGISTRY] = found;
  return found;
}

/** The backend file beside this module (the package `require`s it by path). */
export function backendPath(): string {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'lnurl-pay-backend.cjs');
  if (!existsSync(file)) throw new Error(`the companion's lnurl backend is missing: ${file}`);
  return file;
}

/** The nonces a till makes (offlineNonce: hex) and what tests use; anything else is refused. */
const NONCE = /^[A-Za-z0-9_-]{4,128}$/;
/** Above this a msat amount is no longer exact as the JSON number LUD-06 carries. */
const MAX_JSON_MSAT = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_BODY = 64 * 1024;

/** An error the package answers the wallet with as {"status":"ERROR","reason":…}. */
function refusal(message: string, status = 400): Error & { status: number } {
  return Object.assign(new Error(message), { status });
}

const USED = 'This payment link was already used. Ask the cashier for a new one.';

/** The metadata the invoice's description hash commits to (LUD-06: one text/plain entry). */
export function offlineMetadata(p: {
  description: string;
  saleId: string;
  tillId: string;
  nonce: string;
}): string {
  const plain = p.description.trim() || `Sale ${p.saleId}`;
  return JSON.stringify([
    ['text/plain', plain],
    ['text/long-desc', `Sale ${p.saleId} at till ${p.tillId}, offline payment ${p.nonce}.`],
  ]);
}

/** lnurl's own secret for a signed link (lib/Server.js createUrl: sha256 of "id-signature"). */
const linkSecret = (id: string, signature: string) =>
  createHash('sha256').update(`${id}-${signature}`, 'utf8').digest('hex');

let nextInvoicerId = 1;

export async function startCompanion(opts: CompanionOptions): Promise<Companion> {
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? (() => undefined);
  const expirySec = opts.invoiceExpirySec ?? 600;
  if (opts.keys.length === 0) throw new Error('The companion server needs at least one shared key.');
  for (const k of opts.keys) checkOfflineKey(k);
  const keys = new Map(opts.keys.map((k) => [k.id, k]));
  if (keys.size !== opts.keys.length) throw new Error('Two shared keys have the same id.');
  const store: CompanionStore = openCompanionStore(opts.dataDir);
  const invoicerId = `companion-${process.pid}-${nextInvoicerId++}`;

  const server: Server = lnurl.createServer({
    host: opts.host,
    port: opts.port || 1,
    listen: false,
    url: opts.publicUrl,
    endpoint: '/lnurl',
    auth: { apiKeys: opts.keys.map((k) => ({ id: k.id, key: k.key, encoding: 'hex' as const })) },
    lightning: { backend: { path: backendPath() }, config: { invoicerId } },
    store: { backend: 'memory', config: { noWarning: true } },
    payRequest: { commentAllowed: 0, metadata: '[["text/plain", "Lightning Till"]]', successAction: null },
  });
  let url = opts.publicUrl ?? '';

  const nowSec = () => Math.floor(now().getTime() / 1000);
  /** Why a link (or its callback) cannot go on, or null. */
  function refuseRow(row: NonceRow): Error | null {
    if (row.state !== 'served') return refusal(USED);
    if (row.expiresAt <= nowSec()) {
      return refusal('This payment link has expired. Ask the cashier for a new one.');
    }
    return null;
  }

  // The signed link (GET /lnurl?…&signature=…), after the package checked the signature.
  server.bindToHook('url:signed', (...args: unknown[]) => {
    const [req, , next] = args as [{ query: Record<string, unknown> }, unknown, (err?: Error) => void];
    try {
      const q = req.query;
      if (!q.signature) return next();
      if (q.tag !== 'payRequest') return next(refusal('This server takes only payment links (payRequest).'));
      const link = readOfflineLinkQuery(q);
      const nonce = typeof q.nonce === 'string' ? q.nonce : '';
      const id = typeof q.id === 'string' ? q.id : '';
      const signature = typeof q.signature === 'string' ? q.signature : '';
      if (!link || !NONCE.test(nonce) || link.amountMsat > MAX_JSON_MSAT) {
        return next(refusal('This payment link is malformed. Ask the cashier for a new one.'));
      }
      if (link.expiresAt <= nowSec()) {
        return next(refusal('This payment link has expired. Ask the cashier for a new one.'));
      }
      const metadata = offlineMetadata({ ...link, nonce });
      const secret = linkSecret(id, signature);
      const row = store.serve({
        nonce,
        keyId: id,
        secret,
        saleId: link.saleId,
        tillId: link.tillId,
        amountMsat: link.amountMsat,
        expiresAt: link.expiresAt,
        metadataHash: createHash('sha256').update(metadata, 'utf8').digest('hex'),
        createdAt: now().toISOString(),
      });
      // A nonce is good for one link (another signature with it is a replay) and one invoice.
      if (row.secret !== secret) return next(refusal(USED));
      const refused = refuseRow(row);
      if (refused) return next(refused);
      // Kept by the package with the link (createUrl copies the query after this hook).
      q.metadata = metadata;
      q.offlineNonce = nonce;
      q.successAction = {
        tag: 'url',
        url: `${url}/pin/${nonce}`,
        description: 'Paid. Open this page and show the code to the cashier.',
      };
      next();
    } catch (err) {
      log('companion: the signed link failed', err);
      next(refusal('The server could not read this payment link.', 500));
    }
  });

  const rowOf = (params: Record<string, unknown>) =>
    typeof params.offlineNonce === 'string' ? store.get(params.offlineNonce) : null;

  server.bindToHook('payRequest:info', (...args: unknown[]) => {
    const [, params, next] = args as [string, Record<string, unknown>, (err?: Error) => void];
    const row = rowOf(params);
    if (!row) return next(refusal('Unknown payment link.', 404));
    // LUD-09: the success action comes with the invoice, not before.
    delete params.successAction;
    next(refuseRow(row) ?? undefined);
  });

  server.bindToHook('payRequest:action', (...args: unknown[]) => {
    const [, params, next] = args as [string, Record<string, unknown>, (err?: Error) => void];
    const row = rowOf(params);
    if (!row) return next(refusal('Unknown payment link.', 404));
    const refused = refuseRow(row);
    if (refused) return next(refused);
    // The signed amount exactly (min = max): nothing else, however written.
    if (params.amount !== row.amountMsat.toString()) {
      return next(refusal(`The amount must be exactly ${row.amountMsat} msat, as the cashier asked.`));
    }
    if (!store.claim(row.nonce)) return next(refusal(USED));
    next();
  });

  invoicers().set(invoicerId, async (amount, extra) => {
    const hash = extra.descriptionHash ?? '';
    const row = store.invoicingByMetadataHash(hash);
    if (!row) throw refusal(USED);
    try {
      if (BigInt(amount) !== row.amountMsat) throw new Error('amount differs from the signed one');
      const invoice = await opts.node.createInvoice({
        amountMsat: row.amountMsat,
        description: `Offline sale ${row.saleId}`,
        descriptionHash: hash,
        // The metadata itself, for nodes that hash it themselves (CLN, LNbits); the backend
        // refuses it unless it hashes to `hash`, and refuses an invoice not committing to it.
        ...(extra.description !== undefined ? { hashedDescription: extra.description } : {}),
        expirySec,
        till: row.tillId,
      });
      const decoded = decodeInvoice(invoice.bolt11);
      if (decoded.descriptionHash !== hash || decoded.amountMsat !== row.amountMsat) {
        throw new Error('the node made an invoice that does not commit to the link');
      }
      store.invoiced(row.nonce, invoice.paymentHash, invoice.bolt11);
      return { id: invoice.paymentHash, invoice: invoice.bolt11 };
    } catch (err) {
      store.release(row.nonce);
      log('companion: the node made no invoice', err);
      throw refusal('The shop’s Lightning node could not make an invoice. Try again in a moment.', 502);
    }
  });

  /** Asks the node about an invoiced nonce; records it paid once settled. */
  async function refresh(row: NonceRow): Promise<NonceRow> {
    if (row.state !== 'invoiced' || !row.paymentHash) return row;
    const inv = await opts.node.lookupInvoice(row.paymentHash);
    if (inv && inv.state === 'settled' && (inv.amountPaidMsat ?? inv.amountMsat) >= row.amountMsat) {
      store.paid(row.nonce, (inv.settledAt ?? now()).toISOString());
      return store.get(row.nonce) ?? row;
    }
    return row;
  }

  async function pinPage(nonce: string, res: ServerResponse): Promise<void> {
    const row = NONCE.test(nonce) ? store.get(nonce) : null;
    if (!row) return page(res, 404, 'Unknown payment', '<p>This server knows no payment for this page.</p>');
    let fresh: NonceRow;
    try {
      fresh = await refresh(row);
    } catch (err) {
      log('companion: the node could not be asked', err);
      return page(
        res,
        503,
        'Cannot check the payment now',
        '<p>The shop’s Lightning node does not answer. Reload this page in a moment.</p>',
        10,
      );
    }
    if (fresh.state !== 'paid') {
      return page(
        res,
        402,
        'Not paid yet',
        '<p>The payment has not arrived yet. This page shows the code once it has.</p><p>It reloads by itself.</p>',
        5,
      );
    }
    const key = keys.get(fresh.keyId);
    if (!key) {
      return page(
        res,
        503,
        'Code unavailable',
        '<p>Paid, but the key of this link is no longer configured on the server. The cashier can confirm the payment once the till is online.</p>',
      );
    }
    const pin = offlinePin(key, fresh.nonce, fresh.amountMsat);
    return page(
      res,
      200,
      'Your payment code',
      `<p>Show this code to the cashier:</p><p class="pin" aria-label="${pin.split('').join(' ')}">${pin}</p>` +
        `<p class="small">Sale ${escapeHtml(fresh.saleId)} · ${formatSats(fresh.amountMsat)}</p>`,
    );
  }

  async function statusEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === null) return json(res, 413, { status: 'ERROR', reason: 'The request is too large.' });
    const keyId = req.headers[KEY_ID_HEADER];
    const signature = req.headers[SIGNATURE_HEADER];
    const key = typeof keyId === 'string' ? keys.get(keyId) : undefined;
    if (!key || typeof signature !== 'string' || !signaturesMatch(signStatusRequest(key, body), signature)) {
      return json(res, 403, { status: 'ERROR', reason: 'Invalid key signature.' });
    }
    let nonces: unknown;
    try {
      nonces = (JSON.parse(body) as { nonces?: unknown }).nonces;
    } catch {
      nonces = null;
    }
    if (
      !Array.isArray(nonces) ||
      nonces.length > MAX_STATUS_NONCES ||
      !nonces.every((n): n is string => typeof n === 'string' && n.length <= 128)
    ) {
      return json(res, 400, {
        status: 'ERROR',
        reason: `Send {"nonces": [...]} with at most ${MAX_STATUS_NONCES} nonces.`,
      });
    }
    const results: Record<string, NonceStatus> = {};
    for (const nonce of nonces) {
      const row = NONCE.test(nonce) ? store.get(nonce) : null;
      if (!row) {
        results[nonce] = { state: 'unknown' };
        continue;
      }
      let fresh: NonceRow;
      try {
        fresh = await refresh(row);
      } catch (err) {
        log('companion: the node could not be asked', err);
        return json(res, 503, {
          status: 'ERROR',
          reason: 'The Lightning node does not answer; try again later.',
        });
      }
      results[nonce] =
        fresh.state === 'paid' && fresh.paymentHash && fresh.settledAt
          ? {
              state: 'paid',
              paymentHash: fresh.paymentHash,
              amountMsat: fresh.amountMsat.toString(),
              settledAt: fresh.settledAt,
              saleId: fresh.saleId,
              tillId: fresh.tillId,
            }
          : { state: 'unpaid' };
    }
    const reply = JSON.stringify({ results } satisfies StatusResponse);
    res.setHeader(SIGNATURE_HEADER, signStatusResponse(key, signature, reply));
    res.setHeader('Cache-Control', 'no-store');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(reply);
  }

  const web = server.app.webServer!;
  const app = web.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
  web.removeAllListeners('request');
  // The PIN page and the proof endpoint in front of the package's express app (its catch-all 404
  // comes before anything added to the app afterwards).
  web.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const pin = /^\/pin\/([^/]+)$/.exec(path);
    const handled =
      req.method === 'GET' && pin
        ? pinPage(decodeURIComponent(pin[1]!), res)
        : req.method === 'POST' && path === STATUS_PATH
          ? statusEndpoint(req, res)
          : null;
    if (!handled) return app(req, res);
    handled.catch((err: unknown) => {
      log('companion: request failed', err);
      if (!res.headersSent) json(res, 500, { status: 'ERROR', reason: 'Internal server error' });
      else res.destroy();
    });
  });
  web.maxHeadersCount = 50;
  web.requestTimeout = 30_000;

  try {
    await new Promise<void>((resolve, reject) => {
      web.once('error', reject);
      web.listen(opts.port, opts.host, () => {
        web.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    invoicers().delete(invoicerId);
    await server.close().catch(() => undefined);
    store.close();
    throw err;
  }
  web.on('error', (err) => log('companion server error', err));
  const bound = web.address() as AddressInfo;
  url = opts.publicUrl ?? `http://${bound.family === 'IPv6' ? `[${opts.host}]` : opts.host}:${bound.port}`;
  server.options.url = url;

  return {
    url,
    async close() {
      invoicers().delete(invoicerId);
      await server.close({ force: true });
      store.close();
    },
  };
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(value));
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function formatSats(msat: bigint): string {
  const sats = msat / 1000n;
  const rest = msat % 1000n;
  return `${sats.toLocaleString('en-US')}${rest ? `.${rest.toString().padStart(3, '0')}` : ''} sats`;
}

function page(res: ServerResponse, status: number, title: string, body: string, refreshSec?: number): void {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refreshSec ? `<meta http-equiv="refresh" content="${refreshSec}">` : ''}
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;padding:2rem 1.25rem;background:#f6f7f9;color:#111;text-align:center}
main{max-width:32rem;margin:0 auto;background:#fff;border-radius:1rem;padding:2rem 1.5rem;box-shadow:0 1px 4px rgba(0,0,0,.08)}
h1{font-size:1.6rem;margin:0 0 1rem}
p{font-size:1.15rem;line-height:1.5;margin:.75rem 0}
.pin{font-size:clamp(2.5rem,13vw,5.5rem);font-weight:700;letter-spacing:.18em;padding-left:.18em;font-variant-numeric:tabular-nums;margin:1.25rem 0;color:#0b5}
.small{font-size:.95rem;color:#555}
</style></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(html);
}
