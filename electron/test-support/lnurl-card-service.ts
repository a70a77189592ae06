import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import bolt11 from 'bolt11';
import lnurl, { type Server } from 'lnurl';
import { backendPath, registerPayer } from '../lnurl-withdraw/server.js';

/**
 * A Bolt Card's LNURL-withdraw service that no one here wrote: the `lnurl` package's own server
 * (chill117/lnurl-node 0.27, its memory store, its withdrawRequest subprotocol), on 127.0.0.1 at
 * a free port, with its dummy Lightning backend replaced by the till's refund backend file
 * (electron/lnurl-withdraw/lnurl-withdraw-backend.cjs), which hands each invoice to `pay` — the
 * demo node in tests. The package checks the link's secret, its uses and the invoice's amount
 * against min/maxWithdrawable, pays, and only then answers the callback OK.
 *
 * What the package does with a link, as the tests rely on it:
 * - The card's link is `<url>/lnurl?q=<secret>`; the withdraw request's `k1` IS that secret and
 *   its callback is `<url>/lnurl` (the package builds both).
 * - `uses: 1`: the callback spends the link's one use before paying (and gives it back if the
 *   payment or a hook fails); a later callback is refused with the package's reason
 *   "Maximum number of uses already reached". The GET of a spent link still answers (the
 *   package checks uses at the callback only).
 * - The package has no expiry at all: a link is good until used. "Expired" here is what an
 *   operator adds with the package's hooks: `linkTtlMs` after the link was issued (on this
 *   module's clock, `now`), the `withdrawRequest:info` and `withdrawRequest:action` hooks refuse
 *   with EXPIRED_REASON, which the package sends as {"status":"ERROR","reason":…}. Since `k1`
 *   is the link's secret, an expired k1 and an expired link are one thing on this server.
 */

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };

export const EXPIRED_REASON = 'This withdraw link has expired';

export interface LnurlCardServiceOptions {
  /** Pays the till's invoice (the package awaits it before answering the callback OK). */
  pay: (bolt11: string) => Promise<void>;
  /** How long an issued link is good for; default: for ever (as the package itself). */
  linkTtlMs?: number;
  now?: () => number;
}

export interface LnurlCard {
  secret: string;
  /** What the card's NDEF URI record holds (LUD-17): `lnurlw://127.0.0.1:port/lnurl?q=…`. */
  lnurlw: string;
  /** The same link as a bech32 LNURL (LUD-01), upper case as NDEF writers do. */
  lnurl: string;
}

export interface LnurlCardService {
  /** http://127.0.0.1:port */
  url: string;
  port: number;
  server: Server;
  /** A withdraw link as a card holds it, amounts in msat. */
  issueCard(opts: {
    minWithdrawableMsat: bigint;
    maxWithdrawableMsat: bigint;
    description?: string;
    uses?: number;
  }): Promise<LnurlCard>;
  /** Invoices sent to the callback (whatever became of them), in order. */
  callbacks: string[];
  /** Invoices the backend paid. */
  paid: string[];
  /** Stops the server: its port answers nothing afterwards. */
  close(): Promise<void>;
}

let nextPayerId = 1;

export async function startLnurlCardService(opts: LnurlCardServiceOptions): Promise<LnurlCardService> {
  const now = opts.now ?? Date.now;
  const payerId = `bolt-card-test-${process.pid}-${nextPayerId++}`;
  const callbacks: string[] = [];
  const paid: string[] = [];
  const issuedAt = new Map<string, number>();

  const server: Server = lnurl.createServer({
    host: '127.0.0.1',
    // The package wants a truthy port; it listens only when told (below, on a free port).
    port: 1,
    listen: false,
    endpoint: '/lnurl',
    lightning: { backend: { path: backendPath() }, config: { payerId } },
    store: { backend: 'memory', config: { noWarning: true } },
  });
  const unregister = registerPayer(payerId, async (invoice) => {
    await opts.pay(invoice);
    paid.push(invoice);
    return { id: bolt11.decode(invoice, REGTEST).tagsObject.payment_hash! };
  });

  const refuseWhenExpired = (...args: unknown[]) => {
    const [secret, , next] = args as [string, unknown, (err?: Error) => void];
    const at = issuedAt.get(secret);
    if (opts.linkTtlMs !== undefined && at !== undefined && now() - at >= opts.linkTtlMs) {
      next(Object.assign(new Error(EXPIRED_REASON), { status: 400 }));
      return;
    }
    next();
  };
  server.bindToHook('withdrawRequest:info', refuseWhenExpired);
  server.bindToHook('withdrawRequest:action', refuseWhenExpired);
  server.on('request:received', (...args: unknown[]) => {
    const [{ method, req }] = args as [{ method: string; req: { query: { pr?: unknown } } }];
    if (method === 'action') callbacks.push(typeof req.query.pr === 'string' ? req.query.pr : '');
  });

  const web = server.app.webServer!;
  await new Promise<void>((resolve, reject) => {
    web.once('error', reject);
    web.listen(0, '127.0.0.1', () => {
      web.off('error', reject);
      resolve();
    });
  });
  const port = (web.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  // The withdraw request's callback is built from this at request time.
  server.options.url = url;

  return {
    url,
    port,
    server,
    callbacks,
    paid,
    async issueCard(card) {
      const secret = randomBytes(32).toString('hex');
      await server.createUrl(
        secret,
        'withdrawRequest',
        {
          minWithdrawable: card.minWithdrawableMsat.toString(),
          maxWithdrawable: card.maxWithdrawableMsat.toString(),
          defaultDescription: card.description ?? 'Bolt Card',
        },
        { uses: card.uses ?? 1 },
      );
      issuedAt.set(secret, now());
      const link = server.getCallbackUrl({ q: secret });
      return {
        secret,
        lnurlw: link.replace(/^http:\/\//, 'lnurlw://'),
        lnurl: lnurl.encode(link).toUpperCase(),
      };
    },
    async close() {
      unregister();
      await server.close({ force: true });
    },
  };
}

/**
 * A Bolt Card's NDEF file as an NTAG424 holds it (NFC Forum Type 4: a 2-byte NLEN, then the
 * message): one well-known URI record ("U", prefix code 0x00: the URI as is).
 */
export function ndefFileWithUri(uri: string): Uint8Array {
  const payload = Buffer.concat([Buffer.from([0x00]), Buffer.from(uri, 'utf8')]);
  const short = payload.length < 256;
  // MB | ME | (SR) | TNF=1 (well-known); type length 1; payload length in 1 byte (SR) or 4.
  const header = Buffer.from([0xc1 | (short ? 0x10 : 0), 0x01]);
  const length = short ? Buffer.from([payload.length]) : Buffer.alloc(4);
  if (!short) length.writeUInt32BE(payload.length);
  const message = Buffer.concat([header, length, Buffer.from('U'), payload]);
  const nlen = Buffer.alloc(2);
  nlen.writeUInt16BE(message.length);
  return Uint8Array.from(Buffer.concat([nlen, message]));
}
