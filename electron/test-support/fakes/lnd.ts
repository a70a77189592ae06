import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Network } from '../../../shared/domain/index.js';
import { encodeInvoice } from '../../lightning/bolt11/encode.js';
import { SpecViolation, startHttpFake, type FakeReply, type HttpFake } from './http-fake.js';
import { loadSwagger } from './swagger.js';

/**
 * An in-process LND REST gateway: the five calls a till makes, answered in the shapes of
 * ../shared/contracts/lnd/lightning.swagger.json, every request checked against that file.
 * Macaroons are baked in LND's format (the permissions in the id) so the till's offline
 * reading of them is tested for real; the signature is a random tag the fake remembers.
 */

const SWAGGER = loadSwagger(join(import.meta.dirname, '../../../contracts/lnd/lightning.swagger.json'));

export type Ops = Record<string, string[]>;

export const ADMIN_OPS: Ops = {
  address: ['read', 'write'],
  info: ['read', 'write'],
  invoices: ['read', 'write'],
  macaroon: ['generate', 'read', 'write'],
  message: ['read', 'write'],
  offchain: ['read', 'write'],
  onchain: ['read', 'write'],
  peers: ['read', 'write'],
  signer: ['generate', 'read'],
};
/** What `lnd` writes as invoice.macaroon: no info:read, so no GetInfo. */
export const INVOICE_OPS: Ops = {
  address: ['read', 'write'],
  invoices: ['read', 'write'],
  onchain: ['read'],
};
/** What a careful merchant bakes for a till: `lncli bakemacaroon info:read invoices:read invoices:write`. */
export const TILL_OPS: Ops = { info: ['read'], invoices: ['read', 'write'] };
export const READONLY_OPS: Ops = { info: ['read'], invoices: ['read'] };

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

function protoBytes(field: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint(field * 8 + 2), varint(bytes.length), bytes]);
}

/** A V2 binary macaroon whose id is LND's `3 || MacaroonId{nonce, storageId, ops}`. */
export function bakeMacaroon(ops: Ops): string {
  const opMessages = Object.entries(ops).map(([entity, actions]) =>
    protoBytes(
      3,
      Buffer.concat([
        protoBytes(1, Buffer.from(entity)),
        ...actions.map((a) => protoBytes(2, Buffer.from(a))),
      ]),
    ),
  );
  const id = Buffer.concat([
    Buffer.from([3]),
    protoBytes(1, randomBytes(16)),
    protoBytes(2, Buffer.from('0')),
    ...opMessages,
  ]);
  const field = (type: number, data: Buffer) => Buffer.concat([varint(type), varint(data.length), data]);
  return Buffer.concat([
    Buffer.from([2]),
    field(1, Buffer.from('lnd')),
    field(2, id),
    Buffer.from([0]), // end of the macaroon's own fields
    Buffer.from([0]), // no caveats
    field(6, randomBytes(32)),
  ]).toString('hex');
}

interface FakeInvoice {
  memo: string;
  descriptionHash: Buffer | null;
  preimage: Buffer;
  hash: Buffer;
  valueMsat: bigint;
  creationDate: number;
  expiry: number;
  paymentRequest: string;
  addIndex: number;
  settleIndex: number;
  settleDate: number;
  state: 'OPEN' | 'SETTLED' | 'CANCELED';
}

const PERMISSION: Record<string, [string, string]> = {
  Lightning_GetInfo: ['info', 'read'],
  Lightning_AddInvoice: ['invoices', 'write'],
  Lightning_LookupInvoice: ['invoices', 'read'],
  Lightning_ListInvoices: ['invoices', 'read'],
  Lightning_SubscribeInvoices: ['invoices', 'read'],
};

export interface LndFake extends HttpFake {
  pubkey: string;
  macaroon(ops: Ops): string;
  pay(paymentHash: string): void;
  /** Live SubscribeInvoices streams. */
  streams(): number;
  /** What the node holds: memo and payment hash, oldest first. */
  invoices(): { memo: string; hash: string }[];
  /** From now on AddInvoice ignores description_hash (a plain `d`), as a node that does not honour it. */
  ignoreDescriptionHash(): void;
}

export async function startLndFake(opts: {
  now: () => Date;
  network?: Network;
  alias?: string;
}): Promise<LndFake> {
  const key = secp256k1.utils.randomSecretKey();
  const pubkey = bytesToHex(secp256k1.getPublicKey(key, true));
  const network = opts.network ?? 'regtest';
  const macaroons = new Map<string, Ops>();
  const invoices: FakeInvoice[] = [];
  let ignoringHash = false;
  const streams = new Set<{ res: http.ServerResponse; after: number; sent: boolean }>();
  const seconds = () => Math.floor(opts.now().getTime() / 1000);

  const wire = (i: FakeInvoice) => ({
    memo: i.memo,
    r_preimage: i.preimage.toString('base64'),
    r_hash: i.hash.toString('base64'),
    value: String(i.valueMsat / 1000n),
    value_msat: String(i.valueMsat),
    settled: i.state === 'SETTLED',
    creation_date: String(i.creationDate),
    settle_date: String(i.settleDate),
    payment_request: i.paymentRequest,
    description_hash: i.descriptionHash?.toString('base64') ?? '',
    expiry: String(i.expiry),
    fallback_addr: '',
    cltv_expiry: '80',
    route_hints: [],
    private: false,
    add_index: String(i.addIndex),
    settle_index: String(i.settleIndex),
    amt_paid: String(i.state === 'SETTLED' ? i.valueMsat : 0n),
    amt_paid_sat: String(i.state === 'SETTLED' ? i.valueMsat / 1000n : 0n),
    amt_paid_msat: String(i.state === 'SETTLED' ? i.valueMsat : 0n),
    state: i.state,
    htlcs: [],
    features: {},
    is_keysend: false,
    payment_addr: randomBytes(32).toString('base64'),
    is_amp: false,
  });

  const error = (status: number, code: number, message: string): FakeReply => ({
    status,
    body: { code, message, details: [] },
  });

  function send(stream: { res: http.ServerResponse; sent: boolean }, invoice: FakeInvoice): void {
    const result = wire(invoice);
    SWAGGER.checkResponse(SWAGGER.match('GET', '/v1/invoices/subscribe'), { result });
    if (!stream.sent) {
      // grpc-gateway writes a stream's headers with its first message.
      stream.res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      stream.sent = true;
    }
    stream.res.write(`${JSON.stringify({ result })}\n`);
  }

  const fake = await startHttpFake(
    'LND',
    (req) => {
      const op = SWAGGER.match(req.method, req.path);
      SWAGGER.checkRequest(op, req.query, req.body);
      const macaroon = req.headers['grpc-metadata-macaroon'];
      if (typeof macaroon !== 'string') throw new SpecViolation('no Grpc-Metadata-macaroon header');
      const ops = macaroons.get(macaroon);
      if (!ops) return error(500, 2, 'verification failed: signature mismatch after caveat verification');
      const [entity, action] = PERMISSION[op.operationId] ?? [];
      if (!entity || !action) throw new SpecViolation(`the till has no business calling ${op.operationId}`);
      if (!ops[entity]?.includes(action)) return error(500, 2, 'permission denied');

      const ok = (body: unknown): FakeReply => {
        SWAGGER.checkResponse(op, body);
        return { status: 200, body };
      };

      switch (op.operationId) {
        case 'Lightning_GetInfo':
          return ok({
            version: '0.20.0-beta commit=fake',
            identity_pubkey: pubkey,
            alias: opts.alias ?? 'fake-lnd',
            color: '#3399ff',
            num_active_channels: 3,
            num_peers: 3,
            block_height: 871_234,
            block_hash: '00'.repeat(32),
            synced_to_chain: true,
            synced_to_graph: true,
            testnet: network === 'testnet',
            chains: [{ chain: 'bitcoin', network }],
            uris: [],
            features: {},
          });
        case 'Lightning_AddInvoice': {
          const body = req.body as {
            memo?: string;
            value_msat?: string;
            value?: string;
            expiry?: string;
            description_hash?: string;
          };
          // invoicesrpc/addinvoice.go: a description_hash is 32 bytes and replaces the memo in the `d` field.
          const descriptionHash =
            body.description_hash && !ignoringHash ? Buffer.from(body.description_hash, 'base64') : null;
          if (descriptionHash && descriptionHash.length !== 32) {
            return error(500, 2, 'description hash is 32 bytes');
          }
          const valueMsat = BigInt(body.value_msat ?? '0') || BigInt(body.value ?? '0') * 1000n;
          if (valueMsat < 0n) return error(500, 2, 'amount cannot be negative');
          // invoicesrpc/addinvoice.go: the memo is kept as given, up to MaxMemoSize (1024 bytes).
          const memoBytes = Buffer.byteLength(body.memo ?? '', 'utf8');
          if (memoBytes > 1024) {
            return error(500, 2, `memo too large: ${memoBytes} bytes (maxsize=1024)`);
          }
          const expiry = Number(body.expiry ?? '86400');
          const preimage = randomBytes(32);
          const hash = createHash('sha256').update(preimage).digest();
          const creationDate = seconds();
          const invoice: FakeInvoice = {
            memo: body.memo ?? '',
            descriptionHash,
            preimage,
            hash,
            valueMsat,
            creationDate,
            expiry,
            paymentRequest: encodeInvoice(
              {
                network,
                amountMsat: valueMsat === 0n ? null : valueMsat,
                timestamp: creationDate,
                paymentHash: hash.toString('hex'),
                paymentSecret: randomBytes(32).toString('hex'),
                ...(descriptionHash
                  ? { descriptionHash: descriptionHash.toString('hex') }
                  : { description: body.memo ?? '' }),
                expirySec: expiry,
                minFinalCltvExpiry: 80,
              },
              key,
            ),
            addIndex: invoices.length + 1,
            settleIndex: 0,
            settleDate: 0,
            state: 'OPEN',
          };
          invoices.push(invoice);
          return ok({
            r_hash: hash.toString('base64'),
            payment_request: invoice.paymentRequest,
            add_index: String(invoice.addIndex),
            payment_addr: randomBytes(32).toString('base64'),
          });
        }
        case 'Lightning_LookupInvoice': {
          const hex = op.pathParams['r_hash_str'] ?? '';
          if (!/^[0-9a-f]{64}$/.test(hex)) return error(400, 3, 'invalid hash');
          const found = invoices.find((i) => i.hash.toString('hex') === hex);
          return found ? ok(wire(found)) : error(404, 5, 'unable to locate invoice');
        }
        case 'Lightning_ListInvoices': {
          const q = req.query;
          const offset = Number(q.get('index_offset') ?? '0');
          const max = Number(q.get('num_max_invoices') ?? '100');
          const start = Number(q.get('creation_date_start') ?? '0');
          const end = q.has('creation_date_end') ? Number(q.get('creation_date_end')) : Infinity;
          const reversed = q.get('reversed') === 'true';
          const pending = q.get('pending_only') === 'true';
          let matching = invoices.filter(
            (i) => i.creationDate >= start && i.creationDate <= end && (!pending || i.state === 'OPEN'),
          );
          if (reversed) {
            matching = matching.filter((i) => offset === 0 || i.addIndex < offset).slice(-max);
          } else {
            matching = matching.filter((i) => i.addIndex > offset).slice(0, max);
          }
          return ok({
            invoices: matching.map(wire),
            first_index_offset: String(matching[0]?.addIndex ?? 0),
            last_index_offset: String(matching.at(-1)?.addIndex ?? 0),
          });
        }
        case 'Lightning_SubscribeInvoices':
          return {
            stream: (res) => {
              const after = Number(req.query.get('settle_index') ?? '0');
              const stream = { res, after, sent: false };
              streams.add(stream);
              res.on('close', () => streams.delete(stream));
              // LND replays settlements after a non-zero settle_index, in settle order.
              if (after > 0) {
                for (const i of invoices
                  .filter((x) => x.settleIndex > after)
                  .sort((a, b) => a.settleIndex - b.settleIndex)) {
                  send(stream, i);
                }
              }
            },
          };
        default:
          throw new SpecViolation(`the fake does not implement ${op.operationId}`);
      }
    },
    { tls: true },
  );

  return {
    ...fake,
    pubkey,
    ignoreDescriptionHash: () => void (ignoringHash = true),
    macaroon(ops) {
      const m = bakeMacaroon(ops);
      macaroons.set(m, ops);
      return m;
    },
    pay(paymentHash) {
      const invoice = invoices.find((i) => i.hash.toString('hex') === paymentHash);
      if (!invoice) throw new Error(`the fake LND has no invoice ${paymentHash}`);
      if (invoice.state === 'SETTLED') throw new Error('already paid');
      invoice.state = 'SETTLED';
      invoice.settleIndex = Math.max(0, ...invoices.map((i) => i.settleIndex)) + 1;
      invoice.settleDate = seconds();
      for (const s of streams) send(s, invoice);
    },
    streams: () => streams.size,
    invoices: () => invoices.map((i) => ({ memo: i.memo, hash: i.hash.toString('hex') })),
  };
}
