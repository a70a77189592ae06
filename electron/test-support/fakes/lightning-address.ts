import { createHash } from 'node:crypto';
import type { Network } from '../../../shared/domain/index.js';
import { encodeInvoice } from '../../lightning/bolt11/encode.js';
import { SpecViolation, startHttpFake, type FakeReply, type HttpFake } from './http-fake.js';

/**
 * A Lightning Address service as LUD-16 and LUD-06 describe it (contracts/lnurl/lud-16.md,
 * lud-06.md), on 127.0.0.1: `GET /.well-known/lnurlp/<username>` answers the payRequest (metadata
 * with text/plain and text/identifier), `GET /cb/<username>?amount=<msat>` answers `{pr, routes}`
 * with an invoice whose description hash is sha256 of the metadata. Requests the LUDs do not
 * allow fail the test. `tamper` makes it lie in one way at a time, as a broken or hostile
 * service would.
 */

export type Tamper =
  | null
  /** The invoice asks for one sat more than was asked. */
  | 'amount'
  /** The invoice's description hash is of other metadata. */
  | 'descriptionHash'
  /** The invoice is on another network. */
  | 'network'
  /** The invoice has a plain description, no hash. */
  | 'noHash'
  /** The payRequest's tag is withdrawRequest. */
  | 'tag'
  /** LUD-06's error answer at the callback. */
  | 'callbackError'
  /** minSendable above maxSendable. */
  | 'limits'
  /** The limits as strings, not numbers. */
  | 'stringLimits'
  /** An answer of 1 MB. */
  | 'huge'
  /** Plain text, not JSON. */
  | 'html'
  /** A callback on plain http to some other host. */
  | 'httpCallback'
  /** `pr` missing from the callback's answer. */
  | 'noPr';

const SERVICE_KEY = new Uint8Array(32).fill(11);

export interface LightningAddressFake {
  http: HttpFake;
  /** host:port, what goes after the @. */
  domain: string;
  /** Every request, in order ("GET /.well-known/lnurlp/alice", "GET /cb/alice?amount=…"). */
  requests: string[];
  /** The invoices it issued, by payment hash: their preimages. */
  preimages: Map<string, string>;
  state: { tamper: Tamper; minSendable: number; maxSendable: number };
  close(): Promise<void>;
}

export async function startLightningAddressFake(opts: {
  users: readonly string[];
  network: Network;
  now: () => Date;
}): Promise<LightningAddressFake> {
  const requests: string[] = [];
  const preimages = new Map<string, string>();
  const state = { tamper: null as Tamper, minSendable: 1_000, maxSendable: 1_000_000_000 };
  let seq = 0;
  let domain = '';

  const metadata = (user: string) =>
    JSON.stringify([
      ['text/plain', `Payment to ${user}`],
      ['text/identifier', `${user}@${domain}`],
    ]);

  const http = await startHttpFake('lightning-address', (req): FakeReply => {
    requests.push(`${req.method} ${req.path}${req.query.size > 0 ? `?${req.query.toString()}` : ''}`);
    if (req.method !== 'GET') throw new SpecViolation('LUD-06/16 requests are GETs');
    if (state.tamper === 'huge') {
      return {
        stream: (res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(`{"tag":"payRequest","metadata":"${'x'.repeat(1024 * 1024)}"}`);
        },
      };
    }
    if (state.tamper === 'html') {
      return { stream: (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>') };
    }
    const well = /^\/\.well-known\/lnurlp\/([^/]+)$/.exec(req.path);
    if (well) {
      const user = decodeURIComponent(well[1]!);
      // LUD-16: "The <username> is limited to a-z0-9-_."
      if (!/^[a-z0-9\-_.]+$/.test(user)) throw new SpecViolation(`username ${user} breaks LUD-16`);
      if (!opts.users.includes(user))
        return { status: 404, body: { status: 'ERROR', reason: 'user not found' } };
      const limits =
        state.tamper === 'limits'
          ? { minSendable: 5_000, maxSendable: 1_000 }
          : state.tamper === 'stringLimits'
            ? { minSendable: String(state.minSendable), maxSendable: String(state.maxSendable) }
            : { minSendable: state.minSendable, maxSendable: state.maxSendable };
      return {
        status: 200,
        body: {
          callback:
            state.tamper === 'httpCallback'
              ? `http://elsewhere.example/cb/${user}`
              : `${http.url}/cb/${user}`,
          ...limits,
          metadata: metadata(user),
          tag: state.tamper === 'tag' ? 'withdrawRequest' : 'payRequest',
        },
      };
    }
    const cb = /^\/cb\/([^/]+)$/.exec(req.path);
    if (cb) {
      const user = decodeURIComponent(cb[1]!);
      const amount = req.query.get('amount');
      if (amount === null || !/^\d+$/.test(amount)) throw new SpecViolation('LUD-06: amount=<milliSatoshi>');
      const msat = BigInt(amount);
      if (msat < BigInt(state.minSendable) || msat > BigInt(state.maxSendable))
        throw new SpecViolation(`amount ${amount} outside the limits the service gave`);
      if (state.tamper === 'callbackError')
        return { status: 200, body: { status: 'ERROR', reason: 'Wallet is frozen' } };
      if (state.tamper === 'noPr') return { status: 200, body: { routes: [] } };
      const preimage = createHash('sha256').update(`lnaddr ${seq++}`).digest('hex');
      const paymentHash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');
      preimages.set(paymentHash, preimage);
      const meta = state.tamper === 'descriptionHash' ? metadata(`${user}x`) : metadata(user);
      const descriptionHash = createHash('sha256').update(Buffer.from(meta, 'utf8')).digest('hex');
      const pr = encodeInvoice(
        {
          network:
            state.tamper === 'network' ? (opts.network === 'mainnet' ? 'testnet' : 'mainnet') : opts.network,
          amountMsat: state.tamper === 'amount' ? msat + 1000n : msat,
          timestamp: Math.floor(opts.now().getTime() / 1000),
          paymentHash,
          paymentSecret: createHash('sha256').update(`secret ${seq}`).digest('hex'),
          expirySec: 600,
          ...(state.tamper === 'noHash' ? { description: 'refund' } : { descriptionHash }),
        },
        SERVICE_KEY,
      );
      return { status: 200, body: { pr, routes: [] } };
    }
    return { status: 404, body: { status: 'ERROR', reason: 'no such page' } };
  });
  domain = new URL(http.url).host;
  return { http, domain, requests, preimages, state, close: () => http.close() };
}
