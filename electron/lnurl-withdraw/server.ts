import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import lnurl, { type Server } from 'lnurl';

/**
 * The `lnurl` package's server (chill117/lnurl-node), serving the till's LNURL-withdraw refunds
 * (LUD-03) on the address the owner set. The package keeps each link's one-time secret (its memory
 * store: one use, spent before the callback runs); the till's hooks and its Lightning backend
 * (lnurl-withdraw-backend.cjs) put every request through the journal: the link must be open, the
 * invoice right, and the refund journaled `paying` before any money moves.
 */

/** Where the package's `withdrawRequest:action` hook and the backend's payInvoice land. */
export interface WithdrawHandlers {
  /** GET of the link (the wallet scanned it): refuse when the link is no longer open. */
  info(secret: string): void;
  /** The callback with the wallet's invoice: journal it `paying` or refuse (throws TillError). */
  claim(secret: string, invoice: string): void;
  /** The backend pays an invoice the claim journaled; resolves once the wallet has it. */
  pay(invoice: string): Promise<{ id: string }>;
}

export interface WithdrawServer {
  /** The address wallets are sent to (the public URL, or http://host:port). */
  readonly url: string;
  /** A one-time withdraw link for exactly `amountMsat` under this secret: its bech32 LNURL. */
  createLink(secret: string, amountMsat: bigint, description: string): Promise<string>;
  close(): Promise<void>;
}

const REGISTRY = Symbol.for('lightning-till.lnurl-withdraw.payers');
type Payers = Map<string, (invoice: string) => Promise<{ id: string }>>;

function payers(): Payers {
  const g = globalThis as { [REGISTRY]?: Payers };
  const found = g[REGISTRY] ?? new Map<string, (invoice: string) => Promise<{ id: string }>>();
  g[REGISTRY] = found;
  return found;
}

/**
 * Puts `pay` where lnurl-withdraw-backend.cjs finds it for a server created with
 * `lightning: { backend: { path: backendPath() }, config: { payerId } }`; returns its removal.
 * The Bolt Card tests use it too, to run the package's server as a card's service.
 */
export function registerPayer(
  payerId: string,
  pay: (invoice: string) => Promise<{ id: string }>,
): () => void {
  payers().set(payerId, pay);
  return () => void payers().delete(payerId);
}

/**
 * The backend file, beside this module under tsx (electron/lnurl-withdraw/) and beside the built
 * main (electron.vite.config.ts copies it there): the package `require`s it by path.
 */
export function backendPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const file = join(here, 'lnurl-withdraw-backend.cjs');
  if (!existsSync(file)) throw new Error(`the LNURL-withdraw backend is missing: ${file}`);
  return file;
}

/** An error the package answers the wallet with as {"status":"ERROR","reason":…} (LUD-03). */
function walletError(message: string): Error & { status: number } {
  return Object.assign(new Error(message), { status: 400 });
}

const reasonOf = (err: unknown) =>
  err instanceof Error && err.name === 'TillError' ? err.message : 'The till could not take that request.';

let nextPayerId = 1;

export async function startWithdrawServer(opts: {
  host: string;
  port: number;
  /** Checked already (address.ts); null: http://host:port as bound. */
  publicUrl: string | null;
  handlers: WithdrawHandlers;
  log: (message: string, err?: unknown) => void;
}): Promise<WithdrawServer> {
  const payerId = `till-${process.pid}-${nextPayerId++}`;
  const server: Server = lnurl.createServer({
    host: opts.host,
    // The package wants a truthy port; it listens only when told (below, where 0 means any).
    port: opts.port || 1,
    listen: false,
    url: opts.publicUrl,
    endpoint: '/lnurl',
    lightning: { backend: { path: backendPath() }, config: { payerId } },
    store: { backend: 'memory', config: { noWarning: true } },
  });
  // Hooks run inside the package's promise chain: whatever a wallet sends ends as an answer.
  server.bindToHook('withdrawRequest:info', (...args: unknown[]) => {
    const [secret, , next] = args as [string, unknown, (err?: Error) => void];
    try {
      opts.handlers.info(secret);
      next();
    } catch (err) {
      next(walletError(reasonOf(err)));
    }
  });
  server.bindToHook('withdrawRequest:action', (...args: unknown[]) => {
    const [secret, params, next] = args as [string, { pr?: unknown }, (err?: Error) => void];
    try {
      opts.handlers.claim(secret, typeof params.pr === 'string' ? params.pr : '');
      next();
    } catch (err) {
      if (!(err instanceof Error && err.name === 'TillError')) opts.log('LNURL-withdraw claim failed', err);
      next(walletError(reasonOf(err)));
    }
  });
  const unregister = registerPayer(payerId, (invoice) => opts.handlers.pay(invoice));

  const web = server.app.webServer!;
  // A wallet's request is small: Node itself answers an oversized request (431) before the app sees it.
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
    unregister();
    await server.close().catch(() => undefined);
    throw err;
  }
  web.on('error', (err) => opts.log('LNURL-withdraw server error', err));
  const bound = web.address() as AddressInfo;
  const url =
    opts.publicUrl ?? `http://${bound.family === 'IPv6' ? `[${opts.host}]` : opts.host}:${bound.port}`;
  // The callback URL wallets get is built from this at request time.
  server.options.url = url;

  return {
    url,
    async createLink(secret, amountMsat, description) {
      // min = max: the customer's wallet cannot choose another amount (LUD-03).
      // The package reads the amount as a decimal (BigNumber): the msat go in as their digits.
      if (amountMsat <= 0n) throw new RangeError(`${amountMsat} msat cannot go into an LNURL-withdraw link`);
      const msat = amountMsat.toString();
      await server.createUrl(secret, 'withdrawRequest', {
        minWithdrawable: msat,
        maxWithdrawable: msat,
        defaultDescription: description,
      });
      return lnurl.encode(server.getCallbackUrl({ q: secret })).toUpperCase();
    },
    async close() {
      unregister();
      await server.close({ force: true });
    },
  };
}
