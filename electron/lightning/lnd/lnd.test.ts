import { randomUUID, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../test-support/fixtures.js';
import { OTHER_CERT, TEST_CERT } from '../../test-support/fakes/http-fake.js';
import {
  ADMIN_OPS,
  INVOICE_OPS,
  READONLY_OPS,
  startLndFake,
  TILL_OPS,
  type LndFake,
  type Ops,
} from '../../test-support/fakes/lnd.js';
import { watchSettlements } from '../../test-support/lightning-suite.js';
import { BackendError } from '../backend.js';
import { MAX_FIELD_BYTES } from '../bolt11/format.js';
import { requestJson } from '../http.js';
import { createLndBackend } from './backend.js';
import { parseLndConfig } from './config.js';
import { macaroonOps } from './macaroon.js';
import { memoWithTill, tillOfMemo } from './memo.js';

const clock = manualClock();
let fake: LndFake | null = null;

async function node(network?: 'mainnet' | 'testnet' | 'signet' | 'regtest'): Promise<LndFake> {
  fake = await startLndFake({ now: clock.now, ...(network ? { network } : {}) });
  return fake;
}

function connect(f: LndFake, ops: Ops, cert = TEST_CERT) {
  return createLndBackend(parseLndConfig({ restUrl: f.url, tlsCert: cert, macaroon: f.macaroon(ops) }), {
    now: clock.now,
    timeoutMs: 2_000,
  });
}

afterEach(async () => {
  await fake?.close();
  fake = null;
});

describe('LND connection details', () => {
  const der = new X509Certificate(TEST_CERT).raw;
  const b64url = (b: Buffer) =>
    b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

  it('reads an lndconnect URI: host, DER certificate and macaroon in base64url', async () => {
    const f = await node();
    const hex = f.macaroon(TILL_OPS);
    const uri = `lndconnect://${new URL(f.url).host}?cert=${b64url(der)}&macaroon=${b64url(Buffer.from(hex, 'hex'))}`;
    const config = parseLndConfig({ uri });
    expect(config.restUrl).toBe(f.url);
    expect(config.macaroonHex).toBe(hex);
    expect(new X509Certificate(config.tlsCertPem!).fingerprint256).toBe(
      new X509Certificate(TEST_CERT).fingerprint256,
    );
    const info = await createLndBackend(config, { now: clock.now }).getInfo();
    expect(info).toMatchObject({
      alias: 'fake-lnd',
      pubkey: f.pubkey,
      network: 'regtest',
      blockHeight: 871_234,
    });
  });

  it('takes host:port, a pasted tls.cert and a hex macaroon with whitespace', () => {
    const config = parseLndConfig({
      restUrl: ' 10.0.0.5:8080 ',
      tlsCert: `\n${TEST_CERT}\n`,
      macaroon: ` 0201036c6e6402${'ab'.repeat(40)}\n`,
    });
    expect(config.restUrl).toBe('https://10.0.0.5:8080');
    expect(config.macaroonHex).toBe(`0201036c6e6402${'ab'.repeat(40)}`);
  });

  it.each([
    [{ uri: 'lndconnect://host:10009' }, /no macaroon/],
    [{ uri: 'https://host:8080?macaroon=AgE' }, /starts with lndconnect/],
    [{ restUrl: 'http://host:8080', macaroon: '0201' + 'ab'.repeat(40) }, /always https/],
    [{ restUrl: 'host:8080/v1/getinfo', macaroon: '0201' + 'ab'.repeat(40) }, /no path/],
    [{ restUrl: 'host:8080' }, /macaroon/],
    [{ restUrl: 'host:8080', macaroon: 'not a macaroon' }, /not an LND macaroon/],
    [
      { restUrl: 'host:8080', macaroon: '0201' + 'ab'.repeat(40), tlsCert: 'hello' },
      /certificate is not readable/,
    ],
    [{}, /REST address/],
  ])('explains what is wrong with %j', (input, reason) => {
    expect(() => parseLndConfig(input)).toThrow(reason);
    expect(() => parseLndConfig(input)).toThrow(BackendError);
  });
});

describe('LND permissions, read from the macaroon', () => {
  it('decodes the operations LND bakes into a macaroon id', async () => {
    const f = await node();
    expect(macaroonOps(f.macaroon(TILL_OPS))).toEqual(TILL_OPS);
    expect(macaroonOps(f.macaroon(ADMIN_OPS))).toEqual(ADMIN_OPS);
  });

  it('says plainly when the macaroon can spend (admin.macaroon)', async () => {
    const f = await node();
    expect((await connect(f, ADMIN_OPS).getInfo()).permissions).toEqual({
      createInvoices: true,
      readInvoices: true,
      sendPayments: true,
    });
  });

  it('works with invoice.macaroon, which cannot call GetInfo, learning the node from its invoices', async () => {
    const f = await node('signet');
    const lnd = connect(f, INVOICE_OPS);
    const info = await lnd.getInfo();
    expect(info).toMatchObject({
      pubkey: f.pubkey,
      network: 'signet',
      blockHeight: null,
      permissions: { createInvoices: true, readInvoices: true, sendPayments: false },
    });
    // The second time it reads an existing invoice instead of making a probe.
    expect((await lnd.getInfo()).pubkey).toBe(f.pubkey);
  });

  it('shows a read-only macaroon cannot create invoices, and LND refuses it', async () => {
    const f = await node();
    const lnd = connect(f, READONLY_OPS);
    expect((await lnd.getInfo()).permissions).toEqual({
      createInvoices: false,
      readInvoices: true,
      sendPayments: false,
    });
    const attempt = lnd.createInvoice({ amountMsat: 1_000n, description: 'x', expirySec: 60 });
    await expect(attempt).rejects.toMatchObject({ kind: 'NotAuthorized' });
    await expect(attempt).rejects.toThrow(/permission denied/);
  });
});

describe('LND transport', () => {
  it('refuses a node whose certificate is not the pinned one', async () => {
    const f = await node();
    const attempt = connect(f, TILL_OPS, OTHER_CERT).getInfo();
    await expect(attempt).rejects.toMatchObject({ kind: 'BadCertificate' });
    await expect(attempt).rejects.toThrow(/does not match/);
  });

  it('says the node is unreachable when nothing listens', async () => {
    const f = await node();
    const url = f.url;
    await f.close();
    fake = null;
    const lnd = createLndBackend(
      parseLndConfig({ restUrl: url, tlsCert: TEST_CERT, macaroon: '0201' + 'ab'.repeat(40) }),
      {
        timeoutMs: 2_000,
      },
    );
    await expect(lnd.getInfo()).rejects.toMatchObject({ kind: 'Unreachable' });
  });

  it('reports the network LND runs on', async () => {
    const f = await node('mainnet');
    expect((await connect(f, TILL_OPS).getInfo()).network).toBe('mainnet');
  });

  it('from settle_index 0 reads past settlements with ListInvoices, since LND replays none', async () => {
    const f = await node();
    const lnd = connect(f, TILL_OPS);
    const a = await lnd.createInvoice({ amountMsat: 1_000n, description: 'a', expirySec: 600 });
    const b = await lnd.createInvoice({ amountMsat: 2_000n, description: 'b', expirySec: 600 });
    f.pay(b.paymentHash);
    f.pay(a.paymentHash);
    const live = watchSettlements(lnd, '0');
    await live.until(2);
    expect(live.settlements.map((s) => [s.cursor, s.invoice.paymentHash])).toEqual([
      ['1', b.paymentHash],
      ['2', a.paymentHash],
    ]);
    live.subscription.close();
  });

  it('ends the subscription when the till cannot journal a settlement, so it resumes from there', async () => {
    const f = await node();
    const lnd = connect(f, TILL_OPS);
    const a = await lnd.createInvoice({ amountMsat: 1_000n, description: 'a', expirySec: 600 });
    const states: string[] = [];
    let done: () => void = () => undefined;
    let live: () => void = () => undefined;
    const ended = new Promise<void>((r) => (done = r));
    const connected = new Promise<void>((r) => (live = r));
    lnd.subscribeSettlements({
      fromCursor: '0',
      onSettlement: () => {
        throw new Error('disk full');
      },
      onState: (s, m) => {
        states.push(`${s}${m ? `: ${m}` : ''}`);
        if (s === 'connected') live();
        if (s === 'disconnected') done();
      },
    });
    // Pay once the stream is open, so the settlement arrives live rather than in the replay.
    await connected;
    f.pay(a.paymentHash);
    await ended;
    expect(states.at(-1)).toMatch(/disconnected: The settlement handler failed \(disk full\)/);
  });
});

describe('LND: the till that made an invoice, marked at the end of its memo', () => {
  const A = 'c0ffee00-1234-4abc-8def-0123456789ab';
  const B = randomUUID();

  it('appends " · till <id>" and reads it back off the end, leaving the description', () => {
    expect(memoWithTill('Corner Café · sale #1', A)).toBe(`Corner Café · sale #1 · till ${A}`);
    expect(tillOfMemo(memoWithTill('Corner Café · sale #1', A))).toEqual({
      till: A,
      description: 'Corner Café · sale #1',
    });
    expect(tillOfMemo(memoWithTill('', B))).toEqual({ till: B, description: '' });
    expect(memoWithTill('no till', undefined)).toBe('no till');
    expect(tillOfMemo('no till')).toEqual({ till: null, description: 'no till' });
  });

  it('counts only a trailing marker, so a description that says " · till " keeps its words', () => {
    const customer = 'Pick up · till counter 2, ask for Sam';
    expect(tillOfMemo(customer)).toEqual({ till: null, description: customer });
    expect(tillOfMemo(memoWithTill(customer, A))).toEqual({ till: A, description: customer });
    // A description that itself ends like a marker: the till's own marker comes after it.
    expect(tillOfMemo(memoWithTill(`Gift · till ${B}`, A))).toEqual({
      till: A,
      description: `Gift · till ${B}`,
    });
    expect(tillOfMemo(`Donation · till `)).toEqual({ till: null, description: 'Donation · till ' });
    expect(tillOfMemo(`Donation · till${A}`).till).toBeNull();
  });

  it('cuts a long description, between characters, never the marker, to fit a BOLT11 description', () => {
    const marker = ` · till ${A}`;
    const fits = 'x'.repeat(MAX_FIELD_BYTES - Buffer.byteLength(marker));
    expect(memoWithTill(fits, A)).toBe(`${fits}${marker}`);
    const long = '€'.repeat(MAX_FIELD_BYTES / 3); // 639 bytes: a whole description, no room left
    const memo = memoWithTill(long, A);
    expect(Buffer.byteLength(memo)).toBeLessThanOrEqual(MAX_FIELD_BYTES);
    expect(memo.endsWith(marker)).toBe(true);
    const { till, description } = tillOfMemo(memo);
    expect(till).toBe(A);
    expect(long.startsWith(description)).toBe(true);
    expect(description).toMatch(/^€+$/);
    expect(description.length).toBe(Math.floor((MAX_FIELD_BYTES - Buffer.byteLength(marker)) / 3));
    expect(() => memoWithTill('x', 'two words')).toThrow(BackendError);
  });

  it('lists an invoice it made with its till, and unmarked ones (its own or another app’s) with none', async () => {
    const f = await node();
    const lnd = connect(f, TILL_OPS);
    const mine = await lnd.createInvoice({
      amountMsat: 1_000n,
      description: 'Coffee',
      expirySec: 600,
      till: A,
    });
    expect(mine).toMatchObject({ till: A, description: 'Coffee' });
    const unmarked = await lnd.createInvoice({ amountMsat: 2_000n, description: 'Tea', expirySec: 600 });
    // Another app on the same node (an online shop) adds its own invoice, " · till " mid-memo.
    const res = await requestJson(
      {
        baseUrl: f.url,
        ca: TEST_CERT,
        timeoutMs: 2_000,
        headers: { 'Grpc-Metadata-macaroon': f.macaroon(TILL_OPS) },
      },
      {
        method: 'POST',
        path: '/v1/invoices',
        body: { memo: 'Order #12 · till pickup at the counter', value_msat: '3000', expiry: '600' },
      },
    );
    expect(res.status).toBe(200);
    const theirs = Buffer.from((res.body as { r_hash: string }).r_hash, 'base64').toString('hex');
    // The node keeps the memo as the till gave it.
    expect(f.invoices().map((i) => i.memo)).toEqual([
      `Coffee · till ${A}`,
      'Tea',
      'Order #12 · till pickup at the counter',
    ]);

    const { invoices } = await lnd.listInvoices({
      from: new Date(0),
      to: new Date(clock.now().getTime() + 86_400_000),
      pageToken: null,
      limit: 10,
    });
    const byHash = (hash: string) => invoices.find((i) => i.paymentHash === hash)!;
    expect(byHash(mine.paymentHash)).toMatchObject({ till: A, description: 'Coffee' });
    expect(byHash(unmarked.paymentHash)).toMatchObject({ till: null, description: 'Tea' });
    expect(byHash(theirs)).toMatchObject({
      till: null,
      description: 'Order #12 · till pickup at the counter',
    });

    f.pay(mine.paymentHash);
    const live = watchSettlements(lnd, '0');
    await live.until(1);
    expect(live.settlements[0]!.invoice).toMatchObject({ till: A, description: 'Coffee' });
    live.subscription.close();
  });
});
