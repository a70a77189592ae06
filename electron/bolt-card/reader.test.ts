import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import bolt11 from 'bolt11';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../shared/contract/index.js';
import type { Sale, TillStatus } from '../../shared/domain/index.js';
import { createDemoBackend, type DemoBackend } from '../lightning/demo/backend.js';
import { startBoltCardService, type BoltCardService } from '../test-support/fakes/bolt-card-service.js';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, signedInTill } from '../test-support/till-calls.js';
import type { Till } from '../till.js';
import { readerProcess } from './reader.js';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };
const FAKE = join(import.meta.dirname, '../test-support/fake-card-reader.ts');

/**
 * The USB reader's process and its message protocol, with a fake process in place of nfc-pcsc
 * (no hardware here): the till shows the reader, pays the sale on screen with a tapped card,
 * drops what is not in the protocol, and never waits on a process that blocks or dies.
 */
describe('a USB Bolt Card reader (fake reader process)', () => {
  let dir: ReturnType<typeof tempDir>;
  let nodeDir: ReturnType<typeof tempDir>;
  let backend: DemoBackend;
  let service: BoltCardService;
  let till: Till;
  let control: Server;
  let reader: Socket;
  let replies: string[];
  const logs: string[] = [];

  beforeEach(async () => {
    dir = tempDir('card-reader-');
    nodeDir = tempDir('card-reader-node-');
    backend = createDemoBackend({ dataDir: nodeDir.path });
    service = await startBoltCardService({
      pay: async (pr) =>
        void (await backend.simulatePayment(bolt11.decode(pr, REGTEST).tagsObject.payment_hash!)),
    });
    const path = join(dir.path, 'reader.sock');
    control = createServer();
    control.listen(path);
    await once(control, 'listening');
    const connected = once(control, 'connection') as Promise<[Socket]>;
    logs.length = 0;
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      backend,
      timers: false,
      cardClient: { httpHosts: ['127.0.0.1'], timeoutMs: 2_000 },
      cardReader: readerProcess({
        module: { filename: FAKE, execArgv: ['--import', 'tsx'] },
        env: { FAKE_READER_SOCKET: path },
      }),
      log: (m) => logs.push(m),
    });
    [reader] = await connected;
    replies = [];
    let buffered = '';
    reader.on('data', (c: Buffer) => {
      buffered += c.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      replies.push(...lines);
    });
  });

  afterEach(async () => {
    await till?.close();
    await service?.close();
    await backend?.close();
    control?.close();
    dir.remove();
    nodeDir.remove();
  });

  function status(pred: (s: TillStatus) => boolean): Promise<TillStatus> {
    return new Promise((resolve) => {
      const off = till.subscribe((event, payload) => {
        if (event === 'statusChanged' && pred(payload as TillStatus)) {
          off();
          resolve(payload as TillStatus);
        }
      });
    });
  }

  function cardTap(phase: EventPayload<'cardTap'>['phase']): Promise<EventPayload<'cardTap'>> {
    return new Promise((resolve) => {
      const off = till.subscribe((event, payload) => {
        if (event === 'cardTap' && (payload as EventPayload<'cardTap'>).phase === phase) {
          off();
          resolve(payload as EventPayload<'cardTap'>);
        }
      });
    });
  }

  const command = (c: unknown) => reader.write(`${JSON.stringify(c)}\n`);

  it('shows the reader plugged in and out, and a tapped card pays the sale on screen', async () => {
    expect((await call(till, 'getStatus')).cardReader).toBeNull();
    const shown = status((s) => s.cardReader !== null);
    command({ send: { type: 'readers', names: ['ACS ACR122U PICC Interface 00 00'] } });
    expect((await shown).cardReader).toBe('ACS ACR122U PICC Interface 00 00');

    await call(till, 'addCustomAmount', { amount: 500n, title: 'Tea' });
    const sale = await call(till, 'charge');
    const paid = new Promise<Sale>((resolve) =>
      till.subscribe((event, payload) => {
        if (event === 'saleUpdated' && (payload as Sale).state === 'paid') resolve(payload as Sale);
      }),
    );
    const accepted = cardTap('accepted');
    command({ send: { type: 'card', text: service.tap() } });
    expect((await accepted).saleId).toBe(sale.id);
    expect((await paid).id).toBe(sale.id);
    expect(service.accepted).toEqual([sale.invoice!.bolt11]);

    const gone = status((s) => s.cardReader === null);
    command({ send: { type: 'readers', names: [] } });
    await gone;
  });

  it('tells the screen about a card tapped with no invoice on screen, or one not read', async () => {
    const noSale = cardTap('failed');
    command({ send: { type: 'card', text: service.tap() } });
    expect(await noSale).toEqual({
      saleId: null,
      phase: 'failed',
      message: 'No invoice is on screen: charge the sale first, then tap the card.',
    });
    const unread = cardTap('failed');
    command({
      send: { type: 'cardError', message: 'The card could not be read: hold it still on the reader.' },
    });
    expect((await unread).message).toMatch(/hold it still/);
    expect(service.accepted).toEqual([]);
  });

  it('pays nothing while the till is locked: nobody is at the counter', async () => {
    await call(till, 'addCustomAmount', { amount: 500n, title: 'Tea' });
    await call(till, 'charge');
    await call(till, 'lock');
    const told = cardTap('failed');
    command({ send: { type: 'card', text: service.tap() } });
    expect((await told).message).toBe('The till is locked: sign in, then tap the card again.');
    expect(service.accepted).toEqual([]);
  });

  it('drops messages that are not in the protocol, and carries on', async () => {
    for (const bad of [
      42,
      null,
      'card',
      { type: 'card' },
      { type: 'card', text: 'x'.repeat(5000) },
      { type: 'readers', names: 'ACR122U' },
      { type: 'format-disk' },
    ]) {
      command({ send: bad });
    }
    const shown = status((s) => s.cardReader !== null);
    command({ send: { type: 'readers', names: ['ACR1252U'] } });
    expect((await shown).cardReader).toBe('ACR1252U');
    expect(logs.filter((l) => /not in its protocol/.test(l))).toHaveLength(7);
  });

  it('never waits on a reader process that blocks (no pcscd) or dies', async () => {
    const shown = status((s) => s.cardReader !== null);
    command({ send: { type: 'readers', names: ['ACR122U'] } });
    await shown;
    command({ block: true });
    while (!replies.includes('blocked')) await once(reader, 'data');
    // The till answers while its reader process is stuck, and closes without waiting for it.
    await call(till, 'addCustomAmount', { amount: 500n, title: 'Tea' });
    expect((await call(till, 'charge')).state).toBe('awaiting_payment');
    await till.close();
  });

  it('shows no reader once its process died', async () => {
    const shown = status((s) => s.cardReader !== null);
    command({ send: { type: 'readers', names: ['ACR122U'] } });
    await shown;
    const gone = status((s) => s.cardReader === null);
    command({ exit: 3 });
    await gone;
    expect((await call(till, 'getStatus')).cardReader).toBeNull();
  });
});
