import { createServer } from 'node:net';
import * as nip44 from 'nostr-tools/nip44';
import { finalizeEvent, generateSecretKey, getPublicKey, type Event } from 'nostr-tools/pure';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { manualClock } from '../../test-support/fixtures.js';
import {
  SPENDING_METHODS,
  startNwcFake,
  TILL_METHODS,
  type NwcFake,
  type NwcFakeOptions,
} from '../../test-support/fakes/nwc.js';
import { watchSettlements } from '../../test-support/lightning-suite.js';
import type { LightningBackend } from '../backend.js';
import { decodeInvoice } from '../bolt11/decode.js';
import { createNwcBackend } from './backend.js';
import { parseNwcUri } from './config.js';
import { messageText } from './relays.js';

const TIMEOUT_MS = 1_000;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(wallet: Omit<NwcFakeOptions, 'now'> = {}, methods: readonly string[] = TILL_METHODS) {
  const clock = manualClock();
  const fake = await startNwcFake({ now: clock.now, ...wallet });
  cleanups.push(() => fake.close());
  const connect = (uri: string): LightningBackend => {
    const backend = createNwcBackend(parseNwcUri(uri), { now: clock.now, timeoutMs: TIMEOUT_MS });
    cleanups.push(() => backend.close());
    return backend;
  };
  return { clock, fake, connect, backend: connect(fake.connect(methods)) };
}

/** Every request event the relay passed on, to look at what the client put on the wire. */
function requests(fake: NwcFake, relay = 0): Event[] {
  const seen: Event[] = [];
  fake.relays[relay]!.onEvent((e) => void (e.kind === 23194 && seen.push(e)));
  return seen;
}

const tagOf = (e: Event, name: string) => e.tags.find((t) => t[0] === name)?.[1];

describe('NWC permissions, from the connection’s get_info methods', () => {
  it('a connection that can pay is reported as able to spend', async () => {
    const { backend } = await setup({}, SPENDING_METHODS);
    expect((await backend.getInfo()).permissions).toEqual({
      createInvoices: true,
      readInvoices: true,
      sendPayments: true,
    });
  });

  it('a till connection cannot spend; a read-only one cannot create invoices and is told so', async () => {
    const { backend, fake, connect } = await setup();
    expect((await backend.getInfo()).permissions).toEqual({
      createInvoices: true,
      readInvoices: true,
      sendPayments: false,
    });
    const readOnly = connect(fake.connect(['get_info', 'lookup_invoice', 'list_transactions']));
    expect((await readOnly.getInfo()).permissions).toMatchObject({
      createInvoices: false,
      readInvoices: true,
    });
    const refused = readOnly.createInvoice({ amountMsat: 1_000n, description: 'x', expirySec: 60 });
    await expect(refused).rejects.toMatchObject({ kind: 'NotAuthorized' });
    await expect(refused).rejects.toThrow(/may not make_invoice/);
  });

  it('reports the node pubkey of get_info, or the wallet service key when the wallet has none', async () => {
    const node = await setup();
    expect((await node.backend.getInfo()).pubkey).toMatch(/^0[23][0-9a-f]{64}$/);
    const bare = await setup({ bareInfo: true });
    const info = await bare.backend.getInfo();
    expect(info.pubkey).toBe(bare.fake.walletPubkey);
    expect(info.alias).toMatch(/^NWC wallet /);
    expect(info).toMatchObject({ network: 'regtest', blockHeight: 101 });
  });
});

describe('NWC encryption', () => {
  it('speaks NIP-44 v2 to a wallet that offers it, and says so in the request', async () => {
    const { backend, fake } = await setup({ encryption: ['nip44_v2', 'nip04'] });
    const sent = requests(fake);
    await backend.getInfo();
    expect(sent).toHaveLength(1);
    expect(tagOf(sent[0]!, 'encryption')).toBe('nip44_v2');
    expect(tagOf(sent[0]!, 'p')).toBe(fake.walletPubkey);
    expect(sent[0]!.content).not.toContain('?iv=');
  });

  it.each([
    ['only nip04', ['nip04'] as const],
    ['no encryption tag', null],
  ])('falls back to NIP-04 with a wallet whose info event has %s', async (_, encryption) => {
    const { backend, fake, clock } = await setup({ encryption: encryption ? [...encryption] : null });
    const sent = requests(fake);
    const live = watchSettlements(backend, await backend.latestCursor());
    await live.connected();
    const invoice = await backend.createInvoice({ amountMsat: 7_000n, description: 'nip04', expirySec: 600 });
    clock.advance(1_000);
    fake.pay(invoice.paymentHash);
    await live.until(1);
    live.subscription.close();
    expect(live.settlements[0]!.invoice).toMatchObject({
      paymentHash: invoice.paymentHash,
      state: 'settled',
    });
    expect(sent.length).toBeGreaterThan(0);
    for (const e of sent) {
      expect(tagOf(e, 'encryption')).toBe('nip04');
      expect(e.content).toMatch(/\?iv=/); // NIP-04: "<encrypted_text>?iv=<initialization_vector>"
    }
  });
});

describe('NWC over several relays', () => {
  it('goes on through the other relay when one goes away, also for a live subscription', async () => {
    const { backend, fake, clock } = await setup({ relays: 2 });
    const live = watchSettlements(backend, await backend.latestCursor());
    await live.connected();
    const first = await backend.createInvoice({ amountMsat: 1_000n, description: 'one', expirySec: 600 });
    await fake.stopRelay(0);
    const second = await backend.createInvoice({ amountMsat: 2_000n, description: 'two', expirySec: 600 });
    expect(await backend.lookupInvoice(first.paymentHash)).toMatchObject({ state: 'open' });
    clock.advance(1_000);
    fake.pay(second.paymentHash);
    clock.advance(1_000);
    fake.pay(first.paymentHash);
    await live.until(2);
    expect(live.settlements.map((s) => s.invoice.paymentHash)).toEqual([
      second.paymentHash,
      first.paymentHash,
    ]);
    expect(live.states.map(([s]) => s)).toEqual(['connected']);
    await fake.dropConnections();
    await live.disconnected();
    expect(live.states.filter(([s]) => s === 'disconnected')).toHaveLength(1);
    // A request after the drop reconnects by itself.
    await expect(backend.getInfo()).resolves.toMatchObject({ network: 'regtest' });
  });

  it('delivers a notification that arrives on both relays once', async () => {
    const { backend, fake, clock } = await setup({ relays: 2 });
    const live = watchSettlements(backend, await backend.latestCursor());
    await live.connected();
    const a = await backend.createInvoice({ amountMsat: 1_000n, description: 'a', expirySec: 600 });
    const b = await backend.createInvoice({ amountMsat: 2_000n, description: 'b', expirySec: 600 });
    fake.pay(a.paymentHash);
    clock.advance(1_000);
    fake.pay(b.paymentHash);
    await live.until(2);
    // The first notification's copy from the second relay would have come before b's.
    expect(live.settlements.map((s) => s.invoice.paymentHash)).toEqual([a.paymentHash, b.paymentHash]);
  });

  it('names a request every relay refuses as Rejected with the relay’s reason', async () => {
    const { backend, fake } = await setup({ relays: 2 });
    fake.relays[0]!.rejectEvents('blocked: this relay does not carry NWC');
    await expect(backend.getInfo()).resolves.toMatchObject({ network: 'regtest' });
    fake.relays[1]!.rejectEvents('blocked: this relay does not carry NWC');
    await expect(
      backend.createInvoice({ amountMsat: 1_000n, description: 'x', expirySec: 60 }),
    ).rejects.toMatchObject({
      kind: 'Rejected',
      message: 'The relay rejected the request: blocked: this relay does not carry NWC',
    });
  });

  it('is Unreachable when no relay answers, and a subscription says disconnected once', async () => {
    const port = await freePort();
    const secret = Buffer.from(generateSecretKey()).toString('hex');
    const backend = createNwcBackend(
      parseNwcUri(`nostr+walletconnect://${'ab'.repeat(32)}?relay=ws://127.0.0.1:${port}&secret=${secret}`),
      { timeoutMs: TIMEOUT_MS },
    );
    cleanups.push(() => backend.close());
    const failure = backend.getInfo();
    await expect(failure).rejects.toMatchObject({ kind: 'Unreachable' });
    await expect(failure).rejects.not.toThrow(secret);
    const live = watchSettlements(backend, '0');
    await live.disconnected();
    expect(live.states).toHaveLength(1);
  });
});

describe('NWC settlement cursors', () => {
  it('replays a payment settled in the same second as the stored cursor, but not the cursor’s own', async () => {
    const { backend, fake } = await setup();
    const a = await backend.createInvoice({ amountMsat: 1_000n, description: 'a', expirySec: 600 });
    const b = await backend.createInvoice({ amountMsat: 2_000n, description: 'b', expirySec: 600 });
    fake.pay(a.paymentHash);
    fake.pay(b.paymentHash);
    const all = watchSettlements(backend, '0');
    await all.until(2);
    all.subscription.close();
    const [firstSeen, secondSeen] = all.settlements;
    expect(await backend.latestCursor()).toBe(secondSeen!.cursor);
    const resumed = watchSettlements(backend, firstSeen!.cursor);
    await resumed.until(1);
    await resumed.connected();
    resumed.subscription.close();
    expect(resumed.settlements.map((s) => s.invoice.paymentHash)).toEqual([secondSeen!.invoice.paymentHash]);
  });

  it('refuses a cursor or page token that is not its own, and invoices living longer than a day', async () => {
    const { backend } = await setup();
    expect(() => watchSettlements(backend, '42')).toThrow(/not an NWC settlement cursor/);
    await expect(
      backend.listInvoices({ from: new Date(0), to: new Date(), pageToken: 'x', limit: 5 }),
    ).rejects.toMatchObject({ kind: 'Rejected' });
    await expect(
      backend.createInvoice({ amountMsat: 1_000n, description: 'x', expirySec: 2 * 86_400 }),
    ).rejects.toMatchObject({ kind: 'Rejected' });
  });

  it('marks an invoice with the till that made it in NIP-47 metadata, and reads the mark back when listing', async () => {
    const { backend, clock } = await setup();
    const from = clock.now();
    const mine = await backend.createInvoice({
      amountMsat: 1_000n,
      description: 'a',
      expirySec: 600,
      till: 'till-a',
    });
    const unmarked = await backend.createInvoice({ amountMsat: 2_000n, description: 'b', expirySec: 600 });
    clock.advance(1_000);
    const { invoices } = await backend.listInvoices({ from, to: clock.now(), pageToken: null, limit: 10 });
    const till = (hash: string) => invoices.find((i) => i.paymentHash === hash)!.till;
    expect(till(mine.paymentHash)).toBe('till-a');
    expect(till(unmarked.paymentHash)).toBeNull();
  });
});

describe('the NWC fake checks requests against NIP-47', () => {
  /** A make_invoice written by hand (not by the backend, which never sends these), and the answer. */
  async function askRaw(fake: NwcFake, params: Record<string, unknown>): Promise<unknown> {
    const config = parseNwcUri(fake.connect());
    const ws = new WebSocket(config.relays[0]!);
    await new Promise((resolve) => ws.once('open', resolve));
    const key = nip44.v2.utils.getConversationKey(config.secretKey, config.walletPubkey);
    const request = finalizeEvent(
      {
        kind: 23194,
        created_at: Math.floor(Date.now() / 1000),
        tags: [
          ['p', config.walletPubkey],
          ['encryption', 'nip44_v2'],
        ],
        content: nip44.v2.encrypt(JSON.stringify({ method: 'make_invoice', params }), key),
      },
      config.secretKey,
    );
    const answer = new Promise<string>((resolve) =>
      ws.on('message', (data: WebSocket.RawData) => {
        const [type, , event] = JSON.parse(messageText(data)) as [string, string, Event];
        if (type === 'EVENT') resolve(nip44.v2.decrypt(event.content, key));
      }),
    );
    const filter = { kinds: [23195], authors: [config.walletPubkey], '#p': [getPublicKey(config.secretKey)] };
    ws.send(JSON.stringify(['REQ', 'answer', filter]));
    ws.send(JSON.stringify(['EVENT', request]));
    const text = await answer;
    ws.close();
    return JSON.parse(text);
  }

  it('records a request with a parameter NIP-47 does not define, and answers it with an error', async () => {
    const clock = manualClock();
    const fake = await startNwcFake({ now: clock.now });
    expect(await askRaw(fake, { amount: 1000, memo: 'not a NIP-47 field' })).toMatchObject({
      result_type: 'make_invoice',
      error: { code: 'OTHER' },
    });
    await expect(fake.close()).rejects.toThrow(/unknown param "memo"/);
  });

  it('the fake puts make_invoice’s description_hash in the invoice, and refuses one that is not 32 bytes of hex', async () => {
    const clock = manualClock();
    const fake = await startNwcFake({ now: clock.now });
    cleanups.push(() => fake.close());
    const hash = 'ab'.repeat(32);
    const made = (await askRaw(fake, { amount: 1000, description_hash: hash })) as {
      result: { invoice: string; description_hash: string };
    };
    expect(decodeInvoice(made.result.invoice).descriptionHash).toBe(hash);
    expect(made.result.description_hash).toBe(hash);
    for (const bad of ['ab'.repeat(31), 'not hex at all']) {
      expect(await askRaw(fake, { amount: 1000, description_hash: bad })).toMatchObject({
        result_type: 'make_invoice',
        error: { code: 'OTHER', message: /32 bytes of hex/ },
      });
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
