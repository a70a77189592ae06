import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../test-support/fixtures.js';
import { startLnbitsFake, type LnbitsFake } from '../../test-support/fakes/lnbits.js';
import { watchSettlements } from '../../test-support/lightning-suite.js';
import { BackendError, type LightningBackend } from '../backend.js';
import { decodeInvoice } from '../bolt11/decode.js';
import { encodeInvoice } from '../bolt11/encode.js';
import { requestJson } from '../http.js';
import { createLnbitsBackend } from './backend.js';
import { parseLnbitsConfig } from './config.js';
import {
  compareCursors,
  isoToMicros,
  parseCursor,
  Payment as PaymentSchema,
  tillOfExtra,
  toInvoice,
  type Payment,
} from './mappers.js';

const KEY = '0123456789abcdef0123456789abcdef';

describe('LNbits connection details', () => {
  it('takes a server address and a wallet key, adding https:// and keeping a path prefix', () => {
    expect(parseLnbitsConfig({ url: ' lnbits.example.com/ ', invoiceKey: ` ${KEY} ` })).toEqual({
      url: 'https://lnbits.example.com',
      invoiceKey: KEY,
    });
    expect(parseLnbitsConfig({ url: 'https://example.com/lnbits/', invoiceKey: KEY }).url).toBe(
      'https://example.com/lnbits',
    );
    expect(parseLnbitsConfig({ url: 'http://192.168.1.20:5000', invoiceKey: KEY }).url).toBe(
      'http://192.168.1.20:5000',
    );
    expect(parseLnbitsConfig({ url: 'http://umbrel.local', invoiceKey: KEY }).url).toBe(
      'http://umbrel.local',
    );
  });

  it.each([
    [{ url: '', invoiceKey: KEY }, /address of the LNbits server/],
    [{ url: 'https://lnbits.example.com' }, /Invoice\/read key/],
    [{ url: 'http://lnbits.example.com', invoiceKey: KEY }, /Use https:\/\//],
    [{ url: 'ftp://lnbits.example.com', invoiceKey: KEY }, /starts with https/],
    [{ url: 'https://lnbits.example.com/wallet?usr=abc&wal=def', invoiceKey: KEY }, /usr=/],
    [{ url: 'https://lnbits.example.com/api/v1/wallet', invoiceKey: KEY }, /without \/wallet or \/api/],
    [{ url: 'https://lnbits.example.com', invoiceKey: 'not a key at all!' }, /not an LNbits API key/],
  ])('refuses %j with a message a manager can act on', (input, message) => {
    expect(() => parseLnbitsConfig(input)).toThrow(message);
    expect(() => parseLnbitsConfig(input)).toThrow(BackendError);
  });

  it('never repeats the key it refuses', () => {
    const secret = 'secret-key-with a space 1234567890';
    expect(() => parseLnbitsConfig({ url: 'https://x.example', invoiceKey: secret })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret-key') as unknown }),
    );
  });
});

describe('LNbits payment times and cursors', () => {
  it('reads pydantic times to the microsecond, with or without fraction or offset', () => {
    expect(isoToMicros('2026-11-24T10:00:00+00:00')).toBe(1795514400_000000n);
    expect(isoToMicros('2026-11-24T10:00:00.123456+00:00')).toBe(1795514400_123456n);
    expect(isoToMicros('2026-11-24T10:00:00.5Z')).toBe(1795514400_500000n);
    expect(isoToMicros('2026-11-24T10:00:00')).toBe(1795514400_000000n);
    expect(isoToMicros('2026-11-24T12:00:00.000001+02:00')).toBe(1795514400_000001n);
    expect(() => isoToMicros('yesterday')).toThrow(BackendError);
  });

  it('orders cursors by settle time, then payment hash, after the start cursor', () => {
    const a = parseCursor(`5:${'aa'.repeat(32)}`);
    const b = parseCursor(`5:${'bb'.repeat(32)}`);
    const c = parseCursor(`6:${'00'.repeat(32)}`);
    expect(parseCursor('0')).toBeNull();
    expect([c, b, null, a].sort(compareCursors)).toEqual([null, a, b, c]);
    expect(() => parseCursor('12')).toThrow(/not an LNbits settlement cursor/);
  });

  it('refuses a payment whose invoice is for another hash or amount', () => {
    const key = secp256k1.utils.randomSecretKey();
    const hash = bytesToHex(randomBytes(32));
    const bolt11 = encodeInvoice(
      {
        network: 'regtest',
        amountMsat: 5_000n,
        timestamp: 1795514400,
        paymentHash: hash,
        paymentSecret: bytesToHex(randomBytes(32)),
        description: 'x',
      },
      key,
    );
    const payment: Payment = {
      payment_hash: hash,
      amount: 5_000,
      bolt11,
      status: 'pending',
      memo: 'x',
      time: '2026-11-24T10:00:00+00:00',
      updated_at: '2026-11-24T10:00:00+00:00',
    };
    const now = new Date('2026-11-24T10:00:00Z');
    expect(toInvoice(payment, now)).toMatchObject({ state: 'open', amountMsat: 5_000n, till: null });
    // Another app's `extra` of an odd shape reads as no till, never as a broken answer.
    for (const extra of ['till-a', 7, [1], null]) {
      expect(toInvoice(PaymentSchema.parse({ ...payment, extra }), now).till).toBeNull();
    }
    expect(toInvoice(PaymentSchema.parse({ ...payment, extra: { till: 'till-a' } }), now).till).toBe(
      'till-a',
    );
    expect(() => toInvoice({ ...payment, payment_hash: 'cd'.repeat(32) }, now)).toThrow(
      /another payment hash/,
    );
    expect(() => toInvoice({ ...payment, amount: 6_000 }, now)).toThrow(
      /for 6000 msat with an invoice for 5000/,
    );
  });
});

describe('LNbits backend against the fake server', () => {
  const clock = manualClock();
  let fake: LnbitsFake;
  const open: LightningBackend[] = [];

  async function start(opts: { canReceive?: boolean; clnFunding?: boolean } = {}): Promise<LnbitsFake> {
    fake = await startLnbitsFake({ now: clock.now, ...opts });
    return fake;
  }

  function connect(key: string, url = fake.url): LightningBackend {
    const backend = createLnbitsBackend(parseLnbitsConfig({ url, invoiceKey: key }), {
      now: clock.now,
      timeoutMs: 2_000,
    });
    open.push(backend);
    return backend;
  }

  afterEach(async () => {
    for (const b of open.splice(0)) await b.close();
    await fake.close();
  });

  it('reports an invoice key as unable to spend and an admin key as able to', async () => {
    await start();
    const invoiceKey = await connect(fake.invoiceKey).getInfo();
    const adminKey = await connect(fake.adminKey).getInfo();
    expect(invoiceKey.permissions).toEqual({ createInvoices: true, readInvoices: true, sendPayments: false });
    expect(adminKey.permissions).toEqual({ createInvoices: true, readInvoices: true, sendPayments: true });
    expect(invoiceKey).toMatchObject({ alias: 'Corner Café', network: 'regtest', blockHeight: null });
    // A fingerprint of server and key: stable across connections, different per key.
    expect(invoiceKey.pubkey).toBe((await connect(fake.invoiceKey).getInfo()).pubkey);
    expect(invoiceKey.pubkey).not.toBe(adminKey.pubkey);
  });

  it('reports a wallet that may not receive (a shared wallet without that permission) as unable to invoice', async () => {
    await start({ canReceive: false });
    const info = await connect(fake.invoiceKey).getInfo();
    expect(info.permissions).toEqual({ createInvoices: false, readInvoices: true, sendPayments: false });
    await expect(
      connect(fake.invoiceKey).createInvoice({ amountMsat: 1_000n, description: 'x', expirySec: 60 }),
    ).rejects.toMatchObject({ kind: 'Rejected', message: /permission to create invoices/ });
  });

  it('learns the network from the wallet’s newest payment, and probes a new wallet only once', async () => {
    await start();
    const first = connect(fake.invoiceKey);
    await first.getInfo();
    await first.getInfo();
    expect(fake.requests.filter((r) => r.startsWith('POST'))).toHaveLength(1);

    fake.requests.length = 0;
    await connect(fake.invoiceKey).getInfo();
    expect(fake.requests).toEqual(['GET /api/v1/wallet', 'GET /api/v1/payments?limit=10']);
  });

  it('asks in whole sats, refusing a fraction of a sat before any request', async () => {
    await start();
    const backend = connect(fake.invoiceKey);
    await expect(
      backend.createInvoice({ amountMsat: 1_500n, description: 'x', expirySec: 60 }),
    ).rejects.toMatchObject({ kind: 'Rejected', message: /whole satoshis; 1500 msat/ });
    expect(fake.requests).toEqual([]);
    const made = await backend.createInvoice({ amountMsat: 2_000n, description: 'two sats', expirySec: 60 });
    expect(made.amountMsat).toBe(2_000n);
  });

  it('orders settlements stamped in the same instant by hash, and resumes between them', async () => {
    await start();
    const backend = connect(fake.invoiceKey);
    expect(await backend.latestCursor()).toBe('0');
    const a = await backend.createInvoice({ amountMsat: 1_000n, description: 'a', expirySec: 600 });
    const b = await backend.createInvoice({ amountMsat: 2_000n, description: 'b', expirySec: 600 });
    fake.pay(a.paymentHash);
    fake.pay(b.paymentHash);
    const ordered = [a.paymentHash, b.paymentHash].sort();

    const all = watchSettlements(backend, '0');
    await all.until(2);
    expect(all.settlements.map((s) => s.invoice.paymentHash)).toEqual(ordered);
    expect(all.settlements[1]!.cursor).toBe(await backend.latestCursor());
    all.subscription.close();

    const rest = watchSettlements(backend, all.settlements[0]!.cursor);
    await rest.until(1);
    await rest.connected();
    expect(rest.settlements.map((s) => s.invoice.paymentHash)).toEqual([ordered[1]]);
    rest.subscription.close();
  });

  it('delivers a payment once even when the replay and the websocket both carry it', async () => {
    await start();
    const backend = connect(fake.invoiceKey);
    const live = watchSettlements(backend, '0');
    await live.connected();
    const made = await backend.createInvoice({ amountMsat: 3_000n, description: 'once', expirySec: 600 });
    fake.pay(made.paymentHash);
    await live.until(1);
    // A second subscription from the start replays it; the first sees nothing new.
    const again = watchSettlements(backend, '0');
    await again.until(1);
    expect(live.settlements).toHaveLength(1);
    live.subscription.close();
    again.subscription.close();
  });

  it('names a key that is not this wallet’s, without ever showing the key', async () => {
    await start();
    const made = await connect(fake.invoiceKey).createInvoice({
      amountMsat: 1_000n,
      description: 'theirs',
      expirySec: 60,
    });
    const stranger = randomUUID().replace(/-/g, '');
    const backend = connect(stranger);
    const failures = await Promise.allSettled([
      backend.getInfo(),
      backend.listInvoices({ from: new Date(0), to: clock.now(), pageToken: null, limit: 10 }),
      // LNbits answers a lookup by a stranger without `details`.
      backend.lookupInvoice(made.paymentHash),
    ]);
    for (const f of failures) {
      expect(f).toMatchObject({ status: 'rejected', reason: { kind: 'NotAuthorized' } });
      expect(String((f as PromiseRejectedResult).reason)).not.toContain(stranger);
    }
    const w = watchSettlements(backend, '0');
    await w.disconnected();
    expect(JSON.stringify(w.states)).not.toContain(stranger);
    expect(w.states.at(-1)?.[1]).toMatch(/refused the wallet key/);
  });

  it('reports an unreachable server as disconnected without the key in the message', async () => {
    await start();
    const url = fake.url;
    await fake.close();
    fake = await startLnbitsFake({ now: clock.now });
    const w = watchSettlements(connect(KEY, url), '0');
    await w.disconnected();
    expect(w.states).toHaveLength(1);
    expect(w.states[0]![1]).not.toContain(KEY);
  });

  it('marks an invoice with its till in `extra`, and reads the mark back from list, lookup and websocket', async () => {
    await start();
    const A = randomUUID();
    const backend = connect(fake.invoiceKey);
    const live = watchSettlements(backend, '0');
    await live.connected();
    const mine = await backend.createInvoice({
      amountMsat: 1_000n,
      description: 'Coffee',
      expirySec: 600,
      till: A,
    });
    expect(mine.till).toBe(A);
    const unmarked = await backend.createInvoice({ amountMsat: 2_000n, description: 'Tea', expirySec: 600 });
    expect(unmarked.till).toBeNull();
    // Another app on the same wallet (an extension, an online shop) with its own extra, or none.
    const other = async (extra?: Record<string, unknown>): Promise<string> => {
      const res = await requestJson(
        { baseUrl: fake.url, timeoutMs: 2_000, headers: { 'X-Api-Key': fake.invoiceKey } },
        {
          method: 'POST',
          path: '/api/v1/payments',
          body: { out: false, amount: 3, memo: 'Order #12', ...(extra ? { extra } : {}) },
        },
      );
      expect(res.status).toBe(201);
      return (res.body as { payment_hash: string }).payment_hash;
    };
    const theirs = [await other({ tag: 'tpos', till: 7 }), await other()];

    const { invoices } = await backend.listInvoices({
      from: new Date(0),
      to: new Date(clock.now().getTime() + 86_400_000),
      pageToken: null,
      limit: 10,
    });
    const till = (hash: string) => invoices.find((i) => i.paymentHash === hash)!.till;
    expect(till(mine.paymentHash)).toBe(A);
    expect(till(unmarked.paymentHash)).toBeNull();
    expect(theirs.map(till)).toEqual([null, null]);
    expect((await backend.lookupInvoice(mine.paymentHash))?.till).toBe(A);
    expect((await backend.lookupInvoice(theirs[0]!))?.till).toBeNull();

    fake.pay(mine.paymentHash);
    await live.until(1);
    expect(live.settlements[0]!.invoice.till).toBe(A);
    live.subscription.close();
    expect(tillOfExtra(null)).toBeNull();
    expect(tillOfExtra({ till: '' })).toBeNull();
  });

  it('commits to a description hash on a Core Lightning funding source too: it sends the text (unhashed_description)', async () => {
    await start({ clnFunding: true });
    const metadata = '[["text/plain","Sale 12"],["text/long-desc","Sale 12 at till 1, offline payment 0c"]]';
    const hash = createHash('sha256').update(metadata, 'utf8').digest('hex');
    const backend = connect(fake.invoiceKey);
    const made = await backend.createInvoice({
      amountMsat: 21_000n,
      description: 'Offline sale 12',
      expirySec: 600,
      descriptionHash: hash,
      hashedDescription: metadata,
    });
    expect(decodeInvoice(made.bolt11).descriptionHash).toBe(hash);
    // With the hash alone, that funding source cannot: LNbits says so, the till repeats it.
    await expect(
      backend.createInvoice({ amountMsat: 21_000n, description: 'x', expirySec: 600, descriptionHash: hash }),
    ).rejects.toMatchObject({ message: /unhashed_description/ });
  });

  it('the fake answers malformed description fields as LNbits does (400, not hex)', async () => {
    await start();
    const post = (body: object) =>
      requestJson(
        { baseUrl: fake.url, timeoutMs: 2_000, headers: { 'X-Api-Key': fake.invoiceKey } },
        { method: 'POST', path: '/api/v1/payments', body: { out: false, amount: 21, ...body } },
      );
    for (const field of ['description_hash', 'unhashed_description']) {
      const res = await post({ [field]: 'not hex' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: `'${field}' must be a valid hex string` });
    }
    const ok = await post({ unhashed_description: Buffer.from('Sale 13').toString('hex') });
    expect(ok.status).toBe(201);
    const { bolt11, memo } = ok.body as { bolt11: string; memo: string };
    expect(decodeInvoice(bolt11).descriptionHash).toBe(createHash('sha256').update('Sale 13').digest('hex'));
    expect(memo).toBe('');
  });

  it('the fake refuses a filter LNbits would silently ignore', async () => {
    await start();
    const res = await requestJson(
      { baseUrl: fake.url, timeoutMs: 2_000, headers: { 'X-Api-Key': fake.invoiceKey } },
      { method: 'GET', path: '/api/v1/payments?amount[gte]=0' },
    );
    expect(res.status).toBe(400);
    expect(fake.violations).toEqual([expect.stringContaining('"gte" is not a filter operator')]);
    fake.violations.length = 0;
  });
});
