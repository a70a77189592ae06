import { afterEach, describe, expect, it } from 'vitest';
import { offlineNonce, offlinePin, type OfflineKey } from '../../shared/offline-pay/index.js';
import {
  KEY_ID_HEADER,
  SIGNATURE_HEADER,
  STATUS_PATH,
  signStatusRequest,
  readStatusResponse,
  type StatusResponse,
} from '../../shared/offline-pay/status.js';
import type { LightningBackend } from '../lightning/backend.js';
import { createDemoBackend, type DemoBackend } from '../lightning/demo/backend.js';
import { createClnBackend } from '../lightning/cln/backend.js';
import { parseClnConfig } from '../lightning/cln/config.js';
import { createLnbitsBackend } from '../lightning/lnbits/backend.js';
import { parseLnbitsConfig } from '../lightning/lnbits/config.js';
import { createLndBackend } from '../lightning/lnd/backend.js';
import { createNwcBackend } from '../lightning/nwc/backend.js';
import { parseNwcUri } from '../lightning/nwc/config.js';
import { parseLndConfig } from '../lightning/lnd/config.js';
import { signOfflineLink } from '../offline-pay/link.js';
import { TEST_CERT } from '../test-support/fakes/http-fake.js';
import { get, walletAsks, walletGetsInvoice, walletReads } from '../test-support/lnurl-pay-wallet.js';
import { startClnFake, TILL_RESTRICTIONS } from '../test-support/fakes/cln.js';
import { startLnbitsFake } from '../test-support/fakes/lnbits.js';
import { startLndFake, TILL_OPS, type LndFake } from '../test-support/fakes/lnd.js';
import { startNwcFake, TILL_METHODS } from '../test-support/fakes/nwc.js';
import { manualClock, tempDir } from '../test-support/fixtures.js';
import { parseCompanionConfig } from './config.js';
import { startCompanion, type Companion } from './server.js';

/**
 * The companion server in-process, on real HTTP, against the demo node and the LND, Core
 * Lightning, NWC and LNbits fakes (each through the till's own backend), with a
 * wallet that follows LUD-06 (payRequest) and LUD-09 (successAction) from ../shared/contracts/lnurl.
 */

const OLD: OfflineKey = {
  id: '7f6e30c87012dc3b7bf8',
  key: '5375baf547756f91225dbfcc40b18e7ddba478c4cdf6f18a668a8efa33a0e3b3',
};
const NEW: OfflineKey = {
  id: 'a1b2c3d4e5f60718',
  key: '9d2c5e0f3b7a41c86e1d0f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e',
};
const STRANGER: OfflineKey = {
  id: 'dead0000beef1111',
  key: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
};

const clock = manualClock(new Date('2026-11-27T12:00:00Z'));
const nowSec = () => Math.floor(clock.now().getTime() / 1000);
let counter = 0n;
const nonce = () => offlineNonce(++counter, new Uint8Array(8).fill(Number(counter % 251n)));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Setup {
  companion: Companion;
  node: LightningBackend;
  pay: (paymentHash: string) => Promise<void>;
  dataDir: string;
  /** Behind a fake: from now on the node ignores description hashes (a plain `d`). */
  ignoreDescriptionHash?: () => void;
}

async function onDemo(
  keys: OfflineKey[] = [OLD, NEW],
  dataDir?: string,
  wrap: (demo: DemoBackend) => LightningBackend = (d) => d,
): Promise<Setup & { demo: DemoBackend }> {
  const dir = dataDir ?? tempDir('companion-').path;
  const demo = createDemoBackend({ dataDir: dir, now: clock.now });
  const companion = await startCompanion({
    host: '127.0.0.1',
    port: 0,
    publicUrl: null,
    keys,
    dataDir: dir,
    node: wrap(demo),
    now: clock.now,
  });
  cleanups.push(
    () => demo.close(),
    () => companion.close(),
  );
  return {
    companion,
    node: demo,
    demo,
    dataDir: dir,
    pay: async (hash) => void (await demo.simulatePayment(hash)),
  };
}

async function onLnd(): Promise<Setup & { fake: LndFake }> {
  const fake = await startLndFake({ now: clock.now });
  const lnd = createLndBackend(
    parseLndConfig({ restUrl: fake.url, tlsCert: TEST_CERT, macaroon: fake.macaroon(TILL_OPS) }),
    { now: clock.now, timeoutMs: 5_000 },
  );
  const dir = tempDir('companion-lnd-').path;
  const companion = await startCompanion({
    host: '127.0.0.1',
    port: 0,
    publicUrl: null,
    keys: [OLD, NEW],
    dataDir: dir,
    node: lnd,
    now: clock.now,
  });
  cleanups.push(
    () => fake.close(),
    () => lnd.close(),
    () => companion.close(),
  );
  return {
    companion,
    node: lnd,
    fake,
    dataDir: dir,
    pay: (hash) => Promise.resolve(fake.pay(hash)),
    ignoreDescriptionHash: () => fake.ignoreDescriptionHash(),
  };
}

/** The companion on a node behind one of the till's backends, against that backend's fake. */
async function onNode(
  name: string,
  start: () => Promise<{
    node: LightningBackend;
    pay: (hash: string) => void;
    ignoreDescriptionHash: () => void;
    close: () => Promise<void>;
  }>,
): Promise<Setup> {
  const { node, pay, ignoreDescriptionHash, close } = await start();
  const dir = tempDir(`companion-${name}-`).path;
  const companion = await startCompanion({
    host: '127.0.0.1',
    port: 0,
    publicUrl: null,
    keys: [OLD, NEW],
    dataDir: dir,
    node,
    now: clock.now,
  });
  cleanups.push(
    close,
    () => node.close(),
    () => companion.close(),
  );
  return { companion, node, dataDir: dir, pay: (hash) => Promise.resolve(pay(hash)), ignoreDescriptionHash };
}

const onCln = () =>
  onNode('cln', async () => {
    const fake = await startClnFake({ now: clock.now });
    const node = createClnBackend(
      parseClnConfig({
        url: fake.url,
        rune: fake.mintRune({ restrictions: TILL_RESTRICTIONS }),
        caCert: fake.caCert,
      }),
      { now: clock.now, timeoutMs: 5_000 },
    );
    return {
      node,
      pay: (h) => fake.pay(h),
      ignoreDescriptionHash: () => fake.ignoreDescriptionHash(),
      close: () => fake.close(),
    };
  });

const onNwc = () =>
  onNode('nwc', async () => {
    const fake = await startNwcFake({ now: clock.now });
    const node = createNwcBackend(parseNwcUri(fake.connect(TILL_METHODS)), {
      now: clock.now,
      timeoutMs: 5_000,
    });
    return {
      node,
      pay: (h) => fake.pay(h),
      ignoreDescriptionHash: () => fake.ignoreDescriptionHash(),
      close: () => fake.close(),
    };
  });

const onLnbits = () =>
  onNode('lnbits', async () => {
    const fake = await startLnbitsFake({ now: clock.now });
    const node = createLnbitsBackend(parseLnbitsConfig({ url: fake.url, invoiceKey: fake.invoiceKey }), {
      now: clock.now,
      timeoutMs: 5_000,
    });
    return {
      node,
      pay: (h) => fake.pay(h),
      ignoreDescriptionHash: () => fake.ignoreDescriptionHash(),
      close: () => fake.close(),
    };
  });

function link(
  s: { companion: Companion },
  opts: { key?: OfflineKey; nonce?: string; amountMsat?: bigint; expiresAt?: number; sale?: string } = {},
) {
  const n = opts.nonce ?? nonce();
  const amountMsat = opts.amountMsat ?? 21_000_000n;
  return {
    nonce: n,
    amountMsat,
    url: signOfflineLink(opts.key ?? NEW, s.companion.url, n, {
      amountMsat,
      saleId: opts.sale ?? 'sale-42',
      tillId: 'till-1',
      expiresAt: opts.expiresAt ?? nowSec() + 600,
      description: 'Café Nakamoto · sale #42',
    }),
  };
}

const errorOf = (body: unknown) => body as { status: string; reason: string };

async function status(s: Setup, nonces: string[], key: OfflineKey = NEW, bend?: (sig: string) => string) {
  const body = JSON.stringify({ nonces });
  const sig = signStatusRequest(key, body);
  const res = await fetch(`${s.companion.url}${STATUS_PATH}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [KEY_ID_HEADER]: key.id,
      [SIGNATURE_HEADER]: bend ? bend(sig) : sig,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, sig, replySig: res.headers.get(SIGNATURE_HEADER) };
}

describe.each([
  ['the demo node', onDemo],
  ['the LND fake', onLnd],
  ['the Core Lightning fake', onCln],
  ['the NWC fake', onNwc],
  ['the LNbits fake', onLnbits],
] as const)('the companion server with %s', (_name, start) => {
  it('serves the signed link, makes one invoice committing to the sale, and shows the PIN once paid', async () => {
    const s = await start();
    const l = link(s);
    const info = await walletReads(l.url);
    expect(info.minSendable).toBe(Number(l.amountMsat));
    expect(info.maxSendable).toBe(Number(l.amountMsat));
    const metadata = JSON.parse(info.metadata) as [string, string][];
    expect(metadata[0]).toEqual(['text/plain', 'Café Nakamoto · sale #42']);
    expect(metadata[1]?.[1]).toContain('sale-42');
    expect(metadata[1]?.[1]).toContain('till-1');
    expect(metadata[1]?.[1]).toContain(l.nonce);

    const invoice = await walletGetsInvoice(info, l.amountMsat);
    expect(invoice.successUrl).toBe(`${s.companion.url}/pin/${l.nonce}`);

    // Before payment: refused, no digits at all.
    const before = await get(invoice.successUrl);
    expect(before.status).toBe(402);
    expect(before.text).toMatch(/not paid yet/i);
    expect(before.text).not.toMatch(/\d{6}/);
    expect(before.text).not.toContain(offlinePin(NEW, l.nonce, l.amountMsat));

    await s.pay(invoice.paymentHash);
    const after = await get(invoice.successUrl);
    expect(after.status).toBe(200);
    expect(after.text).toContain(offlinePin(NEW, l.nonce, l.amountMsat));

    // The proof for the till back online, signed both ways.
    const r = await status(s, [l.nonce]);
    expect(r.status).toBe(200);
    const proof = readStatusResponse(NEW, r.sig, r.text, r.replySig);
    expect(proof).not.toBeNull();
    const result = proof?.results[l.nonce];
    expect(result).toMatchObject({
      state: 'paid',
      paymentHash: invoice.paymentHash,
      amountMsat: '21000000',
      saleId: 'sale-42',
      tillId: 'till-1',
    });
  });

  it('refuses a replayed link and a second callback once an invoice was made', async () => {
    const s = await start();
    const l = link(s);
    const info = await walletReads(l.url);
    await walletGetsInvoice(info, l.amountMsat);
    const replay = await get(l.url);
    expect(replay.status).toBe(400);
    expect(errorOf(replay.body).status).toBe('ERROR');
    expect(errorOf(replay.body).reason).toMatch(/already used/);
    const again = await walletAsks(info, l.amountMsat);
    expect(again.status).toBe(400);
    expect(errorOf(again.body).status).toBe('ERROR');
  });
});

describe.each([
  ['LND', onLnd],
  ['Core Lightning', onCln],
  ['NWC', onNwc],
  ['LNbits', onLnbits],
] as const)('the companion server on a %s node that ignores description hashes', (_name, start) => {
  it('hands out no invoice (its backend refuses it) and keeps the link for a retry', async () => {
    const s = await start();
    s.ignoreDescriptionHash!();
    const l = link(s);
    const info = await walletReads(l.url);
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await walletAsks(info, l.amountMsat);
      expect(r.status).toBe(502);
      expect(errorOf(r.body).reason).toMatch(/could not make an invoice/);
    }
  });
});

describe('the companion server refuses', () => {
  it('a replayed link after a restart, and the same nonce signed again by another key: never a second invoice', async () => {
    const dir = tempDir('companion-restart-').path;
    const first = await onDemo([OLD, NEW], dir);
    const l = link(first);
    await walletGetsInvoice(await walletReads(l.url), l.amountMsat);
    await cleanups.pop()!(); // the companion stops; its package's memory store is gone
    await cleanups.pop()!();
    const second = await onDemo([OLD, NEW], dir);
    // The same signed query at the restarted server (the signature covers the query only).
    const moved = new URL(l.url);
    moved.host = new URL(second.companion.url).host;
    const replay = await get(moved.toString());
    expect(replay.status).toBe(400);
    expect(errorOf(replay.body).reason).toMatch(/already used/);
    const resigned = link(second, { key: OLD, nonce: l.nonce });
    const other = await get(resigned.url);
    expect(other.status).toBe(400);
    expect(errorOf(other.body).reason).toMatch(/already used/);
  });

  it('a second link with a nonce already served, before any invoice: one link per nonce', async () => {
    const s = await onDemo();
    const first = link(s);
    await walletReads(first.url);
    const again = link(s, { key: OLD, nonce: first.nonce, sale: 'sale-99' });
    const r = await get(again.url);
    expect(r.status).toBe(400);
    expect(errorOf(r.body).reason).toMatch(/already used/);
    // The first link still works, once.
    await walletGetsInvoice(await walletReads(first.url), first.amountMsat);
  });

  it('an amount other than the signed one', async () => {
    const s = await onDemo();
    const l = link(s);
    const info = await walletReads(l.url);
    for (const amount of [l.amountMsat - 1000n, l.amountMsat + 1000n]) {
      const r = await walletAsks(info, amount);
      expect(r.status).toBe(400);
      expect(errorOf(r.body).status).toBe('ERROR');
    }
    // The signed amount written otherwise (the package's own range check lets these through).
    for (const raw of [`${l.amountMsat}.0`, `0${l.amountMsat}`]) {
      const cb = new URL(info.callback);
      cb.searchParams.set('amount', raw);
      const r = await get(cb.toString());
      expect(r.status, raw).toBe(400);
      expect(errorOf(r.body).reason).toMatch(/exactly/);
    }
    // Refusals made no invoice: the right amount still gets the one invoice.
    await walletGetsInvoice(info, l.amountMsat);
  });

  it('an expired link, also when it expires between reading and paying', async () => {
    const s = await onDemo();
    const old = link(s, { expiresAt: nowSec() - 1 });
    const r = await get(old.url);
    expect(r.status).toBe(400);
    expect(errorOf(r.body).reason).toMatch(/expired/);

    const soon = link(s, { expiresAt: nowSec() + 60 });
    const info = await walletReads(soon.url);
    clock.advance(61_000);
    const late = await walletAsks(info, soon.amountMsat);
    expect(late.status).toBe(400);
    expect(errorOf(late.body).reason).toMatch(/expired/);
  });

  it('a forged signature: a key it does not hold, or any signed field bent (403)', async () => {
    const s = await onDemo();
    const stranger = await get(link(s, { key: STRANGER }).url);
    expect(stranger.status).toBe(403);
    const l = link(s);
    for (const [field, value] of [
      ['minSendable', '1000'],
      ['maxSendable', '1000'],
      ['sale', 'sale-43'],
      ['exp', String(nowSec() + 99_999)],
      ['nonce', 'n0000bent'],
    ] as const) {
      const u = new URL(l.url);
      u.searchParams.set(field, value);
      const r = await get(u.toString());
      expect(r.status, field).toBe(403);
    }
    // A key it holds with another key's id.
    const u = new URL(link(s, { key: { id: OLD.id, key: STRANGER.key } }).url);
    expect((await get(u.toString())).status).toBe(403);
  });

  it('an invoice from a node that does not commit to the metadata (and frees the link for a retry)', async () => {
    let honest = false;
    const s = await onDemo([OLD, NEW], undefined, (demo) => ({
      ...demo,
      createInvoice: (req) =>
        demo.createInvoice(
          honest
            ? req
            : { ...req, descriptionHash: undefined, hashedDescription: undefined, description: 'anything' },
        ),
    }));
    const l = link(s);
    const info = await walletReads(l.url);
    const r = await walletAsks(info, l.amountMsat);
    expect(r.status).toBe(502);
    expect(errorOf(r.body).reason).toMatch(/could not make an invoice/);
    honest = true;
    await walletGetsInvoice(info, l.amountMsat);
  });

  it('a malformed link even when correctly signed (amounts not equal)', async () => {
    const s = await onDemo();
    const lnurl = (await import('lnurl')).default;
    const url = lnurl.createSignedUrl(
      { id: NEW.id, key: NEW.key, encoding: 'hex' },
      'payRequest',
      {
        minSendable: '1000',
        maxSendable: '5000',
        sale: 's',
        till: 't',
        exp: String(nowSec() + 600),
        desc: 'x',
      },
      { baseUrl: `${s.companion.url}/lnurl`, overrides: { nonce: nonce() }, shorten: false },
    );
    const r = await get(url);
    expect(r.status).toBe(400);
    expect(errorOf(r.body).reason).toMatch(/malformed/);
  });
});

describe('the companion server during a key rotation', () => {
  it('accepts links signed with the old key and shows the PIN of the key that signed', async () => {
    const s = await onDemo([OLD, NEW]);
    const l = link(s, { key: OLD });
    const invoice = await walletGetsInvoice(await walletReads(l.url), l.amountMsat);
    await s.pay(invoice.paymentHash);
    const page = await get(invoice.successUrl);
    expect(page.status).toBe(200);
    expect(page.text).toContain(offlinePin(OLD, l.nonce, l.amountMsat));
  });

  it('refuses the old key once it is removed', async () => {
    const s = await onDemo([NEW]);
    expect((await get(link(s, { key: OLD }).url)).status).toBe(403);
  });
});

describe('the PIN page and the status endpoint', () => {
  it('the PIN page: 404 for an unknown nonce, 402 before the invoice and before payment', async () => {
    const s = await onDemo();
    expect((await get(`${s.companion.url}/pin/${nonce()}`)).status).toBe(404);
    expect((await get(`${s.companion.url}/pin/..%2F..%2Fetc`)).status).toBe(404);
    const l = link(s);
    await walletReads(l.url); // served, no invoice yet
    const early = await get(`${s.companion.url}/pin/${l.nonce}`);
    expect(early.status).toBe(402);
    expect(early.text).not.toContain(offlinePin(NEW, l.nonce, l.amountMsat));
  });

  it('answers unknown, unpaid and paid; refuses a bad signature or an unknown key', async () => {
    const s = await onDemo();
    const paid = link(s);
    const unpaid = link(s);
    const served = link(s);
    const inv = await walletGetsInvoice(await walletReads(paid.url), paid.amountMsat);
    await walletGetsInvoice(await walletReads(unpaid.url), unpaid.amountMsat);
    await walletReads(served.url);
    await s.pay(inv.paymentHash);
    const unknown = nonce();
    const r = await status(s, [paid.nonce, unpaid.nonce, served.nonce, unknown], OLD);
    expect(r.status).toBe(200);
    const { results } = JSON.parse(r.text) as StatusResponse;
    expect(results[paid.nonce]?.state).toBe('paid');
    expect(results[unpaid.nonce]).toEqual({ state: 'unpaid' });
    expect(results[served.nonce]).toEqual({ state: 'unpaid' });
    expect(results[unknown]).toEqual({ state: 'unknown' });

    const bent = await status(s, [paid.nonce], NEW, (sig) =>
      sig.replace(/^./, (c) => (c === '0' ? '1' : '0')),
    );
    expect(bent.status).toBe(403);
    expect(bent.text).not.toContain('paid"');
    expect((await status(s, [paid.nonce], STRANGER)).status).toBe(403);
  });
});

/** A rune as createrune writes one: 32 bytes of state, then `=<id>&method=invoice|method=listinvoices`. */
const RUNE = Buffer.concat([
  Buffer.alloc(32, 7),
  Buffer.from('=0&method=invoice|method=listinvoices|method=getinfo'),
]).toString('base64url');

describe('the companion config', () => {
  const base = {
    publicUrl: 'https://pay.example.com',
    keys: [NEW],
    dataDir: 'data',
    node: { kind: 'demo' },
  };
  it('reads a config, with the data folder beside the file', () => {
    const c = parseCompanionConfig(base, '/etc/companion');
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 3002,
      publicUrl: 'https://pay.example.com',
      dataDir: '/etc/companion/data',
    });
  });
  it('takes every node kind the till takes: each commits to a description hash', () => {
    const hex = (c: string) => c.repeat(64);
    const nodes = [
      {
        kind: 'nwc',
        network: 'mainnet',
        uri: `nostr+walletconnect://${hex('b')}?relay=wss://relay.example.com&secret=${hex('c')}`,
      },
      {
        kind: 'lnbits',
        network: 'mainnet',
        url: 'https://lnbits.example.com',
        invoiceKey: hex('d').slice(0, 32),
      },
      { kind: 'cln', network: 'mainnet', url: 'https://127.0.0.1:3010', rune: RUNE },
    ];
    for (const node of nodes) {
      expect(parseCompanionConfig({ ...base, node }, '/').node.config.kind).toBe(node.kind);
    }
  });
  it('refuses plain http to a public host, a bad key, and a node it cannot reach as configured', () => {
    expect(() => parseCompanionConfig({ ...base, publicUrl: 'http://pay.example.com' }, '/')).toThrow(
      /LUD-01/,
    );
    expect(parseCompanionConfig({ ...base, publicUrl: 'http://192.168.1.20:3002' }, '/').publicUrl).toBe(
      'http://192.168.1.20:3002',
    );
    expect(() => parseCompanionConfig({ ...base, keys: [{ id: NEW.id, key: 'short' }] }, '/')).toThrow(/64/);
    expect(() =>
      parseCompanionConfig(
        { ...base, node: { kind: 'nwc', network: 'mainnet', uri: 'nostr+walletconnect://x' } },
        '/',
      ),
    ).toThrow();
  });
});
