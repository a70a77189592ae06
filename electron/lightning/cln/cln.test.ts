import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../test-support/fixtures.js';
import {
  READONLY_RESTRICTIONS,
  startClnFake,
  TILL_RESTRICTIONS,
  type ClnFake,
} from '../../test-support/fakes/cln.js';
import { OTHER_CERT, TEST_CERT } from '../../test-support/fakes/http-fake.js';
import { watchSettlements } from '../../test-support/lightning-suite.js';
import { BackendError, type LightningBackend } from '../backend.js';
import { requestJson } from '../http.js';
import { createClnBackend, type ClnOptions } from './backend.js';
import { parseClnConfig } from './config.js';
import { tillOfLabel } from './mappers.js';
import { readRune, runePermissions } from './rune.js';

const clock = manualClock();
let fake: ClnFake | null = null;
const backends: LightningBackend[] = [];

async function node(opts: { network?: string; tls?: boolean } = {}): Promise<ClnFake> {
  fake = await startClnFake({ now: clock.now, ...opts });
  return fake;
}

function connect(f: ClnFake, rune: string, opts: ClnOptions & { caCert?: string } = {}) {
  const { caCert = f.url.startsWith('https') ? TEST_CERT : undefined, ...rest } = opts;
  const backend = createClnBackend(parseClnConfig({ url: f.url, rune, ...(caCert ? { caCert } : {}) }), {
    now: clock.now,
    timeoutMs: 2_000,
    ...rest,
  });
  backends.push(backend);
  return backend;
}

afterEach(async () => {
  for (const b of backends.splice(0)) await b.close();
  await fake?.close();
  fake = null;
});

const SOME_RUNE = 'zFMd1fjhrAYxUeFA54TjloZqOt8JrA_i_nkwDhmVWrs9MA==';

describe('Core Lightning connection details', () => {
  it('takes host:port as https (clnrest’s default) and keeps http when asked', () => {
    expect(parseClnConfig({ url: ' 192.168.1.20:3010 ', rune: SOME_RUNE })).toEqual({
      url: 'https://192.168.1.20:3010',
      rune: SOME_RUNE,
      caCertPem: null,
    });
    expect(parseClnConfig({ url: 'http://127.0.0.1:3010/', rune: `"${SOME_RUNE}"` })).toMatchObject({
      url: 'http://127.0.0.1:3010',
      rune: SOME_RUNE,
    });
    expect(
      parseClnConfig({ url: 'https://node:3010', rune: SOME_RUNE, caCert: TEST_CERT }).caCertPem,
    ).toContain('BEGIN CERTIFICATE');
  });

  it.each([
    [{ url: '', rune: SOME_RUNE }, /clnrest address/],
    [{ url: 'https://node:3010/v1/getinfo', rune: SOME_RUNE }, /no path/],
    [{ url: 'ftp://node:3010', rune: SOME_RUNE }, /https/],
    [{ url: 'http://node:3010', rune: SOME_RUNE, caCert: TEST_CERT }, /only applies to https/],
    [{ url: 'node:3010', rune: SOME_RUNE, caCert: 'not a certificate' }, /ca\.pem/],
    [{ url: 'node:3010', rune: '' }, /Paste a rune/],
    [{ url: 'node:3010', rune: 'not a rune at all!' }, /not a Core Lightning rune/],
    [{ url: 'node:3010', rune: 'c2hvcnQ=' }, /too short/],
  ])('refuses %j with a clear message', (input, message) => {
    expect(() => parseClnConfig(input)).toThrow(message);
    expect(() => parseClnConfig(input)).toThrow(BackendError);
  });

  it('never quotes the rune in its complaints', () => {
    const secret = `${SOME_RUNE.slice(0, 20)}!!`;
    try {
      parseClnConfig({ url: 'node:3010', rune: secret });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain(secret.slice(0, 20));
    }
  });
});

describe('reading a rune offline', () => {
  interface ShowrunesExample {
    response: {
      runes: {
        rune: string;
        unique_id: string;
        restrictions: { alternatives: { fieldname: string; value: string; condition: string }[] }[];
      }[];
    };
  }
  const examples = (
    JSON.parse(readFileSync(join(import.meta.dirname, '../../../contracts/cln/showrunes.json'), 'utf8')) as {
      examples: ShowrunesExample[];
    }
  ).examples.flatMap((e) => e.response.runes);

  it.each(examples.map((r) => [r.unique_id, r] as const))(
    'reads showrunes.json’s rune %s as the node does',
    (_, example) => {
      const read = readRune(example.rune);
      expect(read.uniqueId).toBe(example.unique_id);
      expect(read.restrictions).toEqual(
        example.restrictions.map((r) =>
          r.alternatives.map(({ fieldname, condition, value }) => ({ fieldname, condition, value })),
        ),
      );
    },
  );

  it('knows what the documented runes allow', () => {
    const byId = new Map(examples.map((r) => [r.unique_id, runePermissions(readRune(r.rune).restrictions)]));
    // Unrestricted: everything.
    expect(byId.get('0')).toEqual({ createInvoices: true, readInvoices: true, sendPayments: true });
    // listpeers only.
    expect(byId.get('1')).toEqual({ createInvoices: false, readInvoices: false, sendPayments: false });
    // pay below 10 sat: still a rune that spends.
    expect(byId.get('2')).toEqual({ createInvoices: false, readInvoices: false, sendPayments: true });
    // read-only plus capped pay/xpay.
    expect(byId.get('5')).toEqual({ createInvoices: false, readInvoices: true, sendPayments: true });
  });
});

describe('Core Lightning permissions, from the rune', () => {
  it('a till rune creates and reads invoices but cannot spend', async () => {
    const f = await node();
    const info = await connect(f, f.mintRune({ restrictions: TILL_RESTRICTIONS })).getInfo();
    expect(info.permissions).toEqual({ createInvoices: true, readInvoices: true, sendPayments: false });
  });

  it('an unrestricted rune can spend', async () => {
    const f = await node();
    const info = await connect(f, f.adminRune).getInfo();
    expect(info.permissions).toEqual({ createInvoices: true, readInvoices: true, sendPayments: true });
  });

  it('a read-only rune cannot create invoices, and the node agrees', async () => {
    const f = await node();
    const backend = connect(f, f.mintRune({ restrictions: READONLY_RESTRICTIONS }));
    expect((await backend.getInfo()).permissions).toEqual({
      createInvoices: false,
      readInvoices: true,
      sendPayments: false,
    });
    await expect(
      backend.createInvoice({ amountMsat: 1_000n, description: 'x', expirySec: 60 }),
    ).rejects.toMatchObject({ kind: 'NotAuthorized' });
  });

  it('reads a rune as the node’s own showrunes and checkrune do', async () => {
    const f = await node();
    const specs = [
      TILL_RESTRICTIONS,
      READONLY_RESTRICTIONS,
      [['method=pay', 'method=xpay'], ['pnameamount_msat<100000']],
      [['method/pay'], ['method^list', 'method=invoice']],
    ];
    const admin = { baseUrl: f.url, ca: TEST_CERT, timeoutMs: 2_000, headers: { Rune: f.adminRune } };
    for (const restrictions of specs) {
      const rune = f.mintRune({ restrictions });
      const shown = await requestJson(admin, { method: 'POST', path: '/v1/showrunes', body: { rune } });
      const [node] = (shown.body as { runes: { restrictions: { alternatives: object[] }[] }[] }).runes;
      expect(readRune(rune).restrictions).toEqual(
        node!.restrictions.map((r) =>
          r.alternatives.map((a) => {
            const { fieldname, condition, value } = a as Record<string, string>;
            return { fieldname, condition, value };
          }),
        ),
      );
      const perms = runePermissions(readRune(rune).restrictions);
      const check = async (method: string) =>
        (
          await requestJson(admin, {
            method: 'POST',
            path: '/v1/checkrune',
            body: { rune, method, params: {} },
          })
        ).status === 201;
      expect(await check('invoice')).toBe(perms.createInvoices);
      expect(await check('listinvoices')).toBe(perms.readInvoices);
    }
  });

  it('a rune whose parameter limit the node enforces is NotAuthorized, without the rune in the message', async () => {
    const f = await node();
    const rune = f.mintRune({
      restrictions: [
        ['method=invoice', 'method=getinfo'],
        ['pnameexpiry<100', 'method=getinfo'],
      ],
    });
    const backend = connect(f, rune);
    expect((await backend.getInfo()).permissions.createInvoices).toBe(true);
    await expect(
      backend.createInvoice({ amountMsat: 1_000n, description: 'x', expirySec: 60 }),
    ).resolves.toMatchObject({
      state: 'open',
    });
    const refused = backend.createInvoice({ amountMsat: 1_000n, description: 'x', expirySec: 600 });
    await expect(refused).rejects.toMatchObject({ kind: 'NotAuthorized' });
    await expect(refused).rejects.not.toThrow(rune.slice(0, 40));
  });
});

describe('Core Lightning specifics', () => {
  it.each([
    ['bitcoin', 'mainnet'],
    ['testnet4', 'testnet'],
    ['signet', 'signet'],
  ])('maps the network %s to %s', async (name, network) => {
    const f = await node({ network: name });
    expect((await connect(f, f.adminRune).getInfo()).network).toBe(network);
  });

  it('refuses a chain the till cannot take', async () => {
    const f = await node({ network: 'liquid' });
    await expect(connect(f, f.adminRune).getInfo()).rejects.toMatchObject({ kind: 'Rejected' });
  });

  it('works over plain http too', async () => {
    const f = await node({ tls: false });
    expect((await connect(f, f.adminRune).getInfo()).alias).toBe('CORNERCAFE-CLN');
  });

  it('refuses a node whose certificate is not the CA given', async () => {
    const f = await node();
    await expect(connect(f, f.adminRune, { caCert: OTHER_CERT }).getInfo()).rejects.toMatchObject({
      kind: 'BadCertificate',
    });
  });

  it('asks for amounts as msat strings and for a fresh label every time', async () => {
    const f = await node();
    const backend = connect(f, f.adminRune);
    await backend.createInvoice({ amountMsat: 1_234n, description: 'a', expirySec: 60 });
    await backend.createInvoice({ amountMsat: 1_234n, description: 'a', expirySec: 60 });
    const asked = f.calls.filter((c) => c.method === 'invoice').map((c) => c.params);
    expect(asked.map((p) => p.amount_msat)).toEqual(['1234msat', '1234msat']);
    expect(asked[0]!.label).not.toBe(asked[1]!.label);
  });

  it('marks an invoice with the till that made it in its label, and reads the mark back when listing', async () => {
    const f = await node();
    const backend = connect(f, f.adminRune);
    const mine = await backend.createInvoice({
      amountMsat: 1_000n,
      description: 'a',
      expirySec: 60,
      till: 'till-a',
    });
    const unmarked = await backend.createInvoice({ amountMsat: 2_000n, description: 'b', expirySec: 60 });
    const label = f.calls.find((c) => c.method === 'invoice')!.params.label as string;
    expect(label).toMatch(/^till-[0-9a-f-]{36}@till-a$/);
    const { invoices } = await backend.listInvoices({
      from: new Date(0),
      to: new Date(Date.now() + 86_400_000),
      pageToken: null,
      limit: 10,
    });
    const till = (hash: string) => invoices.find((i) => i.paymentHash === hash)!.till;
    expect(till(mine.paymentHash)).toBe('till-a');
    expect(till(unmarked.paymentHash)).toBeNull();
    expect(tillOfLabel('donation-42')).toBeNull();
  });

  it('long-polls waitanyinvoice, asks again when it times out, and still gets the payment', async () => {
    const f = await node();
    const backend = connect(f, f.mintRune({ restrictions: TILL_RESTRICTIONS }), { pollSec: 1 });
    const created = await backend.createInvoice({ amountMsat: 5_000n, description: 'slow', expirySec: 600 });
    const live = watchSettlements(backend, '0');
    await live.connected();
    // The first call does not wait; then two polls of a second each run out (error 904).
    await f.seen('waitanyinvoice', 3);
    f.pay(created.paymentHash);
    await live.until(1);
    expect(live.settlements[0]).toMatchObject({
      cursor: '1',
      invoice: { state: 'settled', amountPaidMsat: 5_000n },
    });
    const waits = f.calls.filter((c) => c.method === 'waitanyinvoice').map((c) => c.params);
    expect(waits.slice(0, 3)).toEqual([
      { lastpay_index: 0, timeout: 0 },
      { lastpay_index: 0, timeout: 1 },
      { lastpay_index: 0, timeout: 1 },
    ]);
    expect(live.states.filter(([s]) => s === 'disconnected')).toEqual([]);
  });

  it('ends the subscription when the settlement handler throws, so the till resumes from its cursor', async () => {
    const f = await node();
    const backend = connect(f, f.adminRune);
    const created = await backend.createInvoice({ amountMsat: 5_000n, description: 'x', expirySec: 600 });
    f.pay(created.paymentHash);
    const states: string[] = [];
    await new Promise<void>((resolve) => {
      backend.subscribeSettlements({
        fromCursor: '0',
        onSettlement: () => {
          throw new Error('disk full');
        },
        onState: (state, message) => {
          states.push(`${state}: ${message}`);
          if (state === 'disconnected') resolve();
        },
      });
    });
    expect(states).toEqual(['connected: null', expect.stringMatching(/disk full/)]);
  });

  it('a refused rune ends the subscription as disconnected without reporting connected', async () => {
    const f = await node();
    const backend = connect(f, f.mintRune({ restrictions: READONLY_RESTRICTIONS }));
    const live = watchSettlements(backend, '0');
    await live.disconnected();
    expect(live.states).toEqual([['disconnected', expect.stringMatching(/refused the rune/)]]);
  });

  it('pages past invoices before the range without returning them, and without reading them all per page', async () => {
    const f = await node();
    const backend = connect(f, f.adminRune);
    const target = { baseUrl: f.url, ca: TEST_CERT, timeoutMs: 2_000, headers: { Rune: f.adminRune } };
    let label = 0;
    const bulk = async (n: number, description: string) => {
      for (let i = 0; i < n; i++) {
        const body = { amount_msat: 1_000, label: `bulk-${label++}`, description };
        await requestJson(target, { method: 'POST', path: '/v1/invoice', body });
      }
    };
    await bulk(120, 'before');
    clock.advance(60_000);
    const from = clock.now();
    const made = [];
    for (let i = 0; i < 3; i++)
      made.push(await backend.createInvoice({ amountMsat: 2_000n, description: `in ${i}`, expirySec: 60 }));
    clock.advance(60_000);
    const to = clock.now();
    // Created well after `to`: the scan stops at the first of these.
    clock.advance(7_200_000);
    await bulk(200, 'after');

    const before = f.calls.length;
    const first = await backend.listInvoices({ from, to, pageToken: null, limit: 2 });
    expect(first.invoices.map((i) => i.description)).toEqual(['in 0', 'in 1']);
    const second = await backend.listInvoices({ from, to, pageToken: first.nextPageToken, limit: 2 });
    expect(second.invoices.map((i) => i.description)).toEqual(['in 2']);
    expect(second.nextPageToken).toBeNull();
    expect(f.calls.length - before).toBeLessThanOrEqual(4);
    expect(await backend.listInvoices({ from: to, to: from, pageToken: null, limit: 2 })).toEqual({
      invoices: [],
      nextPageToken: null,
    });
  });

  it('the fake fails a test whose client breaks the schema', async () => {
    const f = await node();
    const target = { baseUrl: f.url, ca: TEST_CERT, timeoutMs: 2_000, headers: { Rune: f.adminRune } };
    const res = await requestJson(target, {
      method: 'POST',
      path: '/v1/listinvoices',
      body: { paymenthash: 'ab' },
    });
    expect(res.status).toBe(400);
    await requestJson(target, { method: 'POST', path: '/v1/invoice', body: { amount_msat: 1, label: 'x' } });
    await requestJson(target, { method: 'POST', path: '/v1/listinvoices', body: { start: 1 } });
    await requestJson(target, { method: 'POST', path: '/v1/sendmoney', body: {} });
    expect(f.violations).toEqual([
      expect.stringMatching(/"paymenthash" is not a field/),
      expect.stringMatching(/"description" is required/),
      expect.stringMatching(/"start" is only allowed with "index"/),
      expect.stringMatching(/sendmoney is not a method/),
    ]);
    await expect(f.close()).rejects.toThrow(/outside the spec/);
    fake = null;
  });
});
