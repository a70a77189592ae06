import bolt11 from 'bolt11';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, EventPayload } from '../../shared/contract/index.js';
import type { Sale } from '../../shared/domain/index.js';
import { createDemoBackend, type DemoBackend } from '../lightning/demo/backend.js';
import { startBoltCardService, type BoltCardService } from '../test-support/fakes/bolt-card-service.js';
import { startHttpFake, type HttpFake } from '../test-support/fakes/http-fake.js';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused, signedInTill } from '../test-support/till-calls.js';
import type { Till } from '../till.js';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };

/**
 * A Bolt Card tapped on the charge screen, end to end: the till (real SQLite, the demo node)
 * against an LNURL-withdraw service that pays through that demo node.
 */
describe('Bolt Card tap-to-pay', () => {
  let dir: ReturnType<typeof tempDir>;
  let nodeDir: ReturnType<typeof tempDir>;
  let backend: DemoBackend;
  let till: Till;
  let service: BoltCardService;
  let serviceNow: number;
  const events: { event: EventName; payload: unknown }[] = [];
  const extra: HttpFake[] = [];

  const payThroughDemoNode = async (pr: string) => {
    const hash = bolt11.decode(pr, REGTEST).tagsObject.payment_hash!;
    await backend.simulatePayment(hash);
  };

  beforeEach(async () => {
    dir = tempDir('bolt-card-');
    nodeDir = tempDir('bolt-card-node-');
    backend = createDemoBackend({ dataDir: nodeDir.path });
    serviceNow = Date.now();
    service = await startBoltCardService({ pay: payThroughDemoNode, now: () => serviceNow });
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      backend,
      timers: false,
      cardClient: { httpHosts: ['127.0.0.1'], timeoutMs: 2_000 },
    });
    events.length = 0;
    till.subscribe((event, payload) => events.push({ event, payload }));
  });

  afterEach(async () => {
    await till?.close();
    await service?.close();
    for (const f of extra.splice(0)) await f.close();
    await backend.close();
    dir.remove();
    nodeDir.remove();
  });

  async function charge(cents = 500n): Promise<Sale> {
    await call(till, 'addCustomAmount', { amount: cents, title: 'Coffee beans' });
    return call(till, 'charge');
  }

  function paid(saleId: string): Promise<Sale> {
    return new Promise((resolve) => {
      const off = till.subscribe((event, payload) => {
        if (
          event === 'saleUpdated' &&
          (payload as Sale).id === saleId &&
          (payload as Sale).state === 'paid'
        ) {
          off();
          resolve(payload as Sale);
        }
      });
    });
  }

  const taps = () =>
    events.filter((e) => e.event === 'cardTap').map((e) => (e.payload as EventPayload<'cardTap'>).phase);

  it('pays the sale on screen with its own invoice, which settles as any QR payment', async () => {
    const sale = await charge();
    const settled = paid(sale.id);
    const answer = await call(till, 'tapCard', { saleId: sale.id, text: service.tap() });
    expect(answer.id).toBe(sale.id);
    // The card's service got the very invoice on screen: no second invoice for the sale.
    expect(service.accepted).toEqual([sale.invoice!.bolt11]);
    const done = await settled;
    expect(done.amountPaidMsat).toBe(sale.invoice!.amountMsat);
    expect(taps()).toEqual(['reading', 'accepted']);
    expect((await call(till, 'getCart')).lines).toHaveLength(0);
  });

  it('takes the bech32 LNURL a card may hold, upper case as NDEF writers do', async () => {
    const { default: encode } = await import('lnurl/lib/encode.js');
    const sale = await charge();
    const settled = paid(sale.id);
    const url = service.tap().replace('lnurlw://', 'http://');
    await call(till, 'tapCard', { saleId: sale.id, text: encode(url).toUpperCase() });
    await settled;
  });

  it('refuses a sale above the card’s limit, in sats, and asks for nothing', async () => {
    const small = await startBoltCardService({ pay: payThroughDemoNode, maxWithdrawableMsat: 1_000_000n });
    extra.push(small.http);
    const sale = await charge(); // 5 000 sats at the demo rate
    const error = await refused(till, 'tapCard', { saleId: sale.id, text: small.tap() });
    expect(error.kind).toBe('InvalidState');
    expect(error.message).toMatch(/5,000 sats, above the card’s limit of 1,000 sats/);
    expect(small.accepted).toEqual([]);
    expect(taps()).toEqual(['reading', 'failed']);
  });

  it('says the card was declined with the service’s reason', async () => {
    const sale = await charge();
    service.declineWith('Daily limit reached');
    const error = await refused(till, 'tapCard', { saleId: sale.id, text: service.tap() });
    expect(error.message).toBe('The card was declined: Daily limit reached. Take another payment.');
    expect((await call(till, 'getSale', { saleId: sale.id })).state).toBe('awaiting_payment');
  });

  it('says a used tap (a replayed p/c) and an expired k1 were declined', async () => {
    const sale = await charge();
    const tap = service.tap();
    service.declineWith('try later');
    await refused(till, 'tapCard', { saleId: sale.id, text: tap });
    service.declineWith(null);
    const replay = await refused(till, 'tapCard', { saleId: sale.id, text: tap });
    expect(replay.message).toMatch(/declined: This tap was already used/);

    const slow = await startBoltCardService({ pay: payThroughDemoNode, k1TtlMs: 0, now: () => serviceNow++ });
    extra.push(slow.http);
    const expired = await refused(till, 'tapCard', { saleId: sale.id, text: slow.tap() });
    expect(expired.message).toMatch(/declined: The withdraw link expired/);
    expect(slow.accepted).toEqual([]);
  });

  it('says the card’s service is unreachable, and the sale can still be paid', async () => {
    const sale = await charge();
    const gone = await startHttpFake('gone', () => ({ status: 200, body: {} }));
    const port = new URL(gone.url).port;
    await gone.close();
    const error = await refused(till, 'tapCard', {
      saleId: sale.id,
      text: `lnurlw://127.0.0.1:${port}/ln?p=1&c=2`,
    });
    expect(error.kind).toBe('BackendUnavailable');
    expect(error.message).toMatch(/card’s service \(127\.0\.0\.1:\d+\) cannot be reached/);
    const settled = paid(sale.id);
    await call(till, 'tapCard', { saleId: sale.id, text: service.tap() });
    await settled;
  });

  it('survives answers that are malformed, cut off, too long or never come', async () => {
    const sale = await charge();
    const cases: [string, HttpFake][] = [];
    for (const mode of ['malformed', 'truncated', 'hang'] as const) {
      const f = await startHttpFake(mode, () => ({ status: 200, body: {} }));
      f.misbehave(mode);
      extra.push(f);
      cases.push([mode, f]);
    }
    const huge = await startHttpFake('huge', () => ({
      stream: (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"tag":"withdrawRequest","pad":"${'x'.repeat(200_000)}"}`);
      },
    }));
    extra.push(huge);
    cases.push(['huge', huge]);
    const words: Record<string, RegExp> = {
      malformed: /not a withdraw request/,
      truncated: /cut its answer off|cannot read/,
      hang: /did not answer within 2 s/,
      huge: /far too long/,
    };
    for (const [mode, f] of cases) {
      const text = `lnurlw://127.0.0.1:${new URL(f.url).port}/ln?p=1&c=2`;
      const error = await refused(till, 'tapCard', { saleId: sale.id, text });
      expect(error.kind, mode).toBe('BackendUnavailable');
      expect(error.message, mode).toMatch(words[mode]!);
    }
    for (const text of [
      'hello',
      'lnurlw://',
      'LNURL1QQQQQ',
      'https://card.example/ln',
      'lnurlw://[::1',
      '\u0000',
    ]) {
      const error = await refused(till, 'tapCard', { saleId: sale.id, text });
      expect(error.message, text).toMatch(/not recognised|not a Bolt Card/);
    }
    // A service whose link is another LNURL kind (a pay request) is not a card either.
    const payLink = await startHttpFake('pay', () => ({
      status: 200,
      body: { tag: 'payRequest', callback: 'x', minSendable: 1, maxSendable: 2, metadata: '[]' },
    }));
    extra.push(payLink);
    const notCard = await refused(till, 'tapCard', {
      saleId: sale.id,
      text: `lnurlw://127.0.0.1:${new URL(payLink.url).port}/p`,
    });
    expect(notCard.message).toMatch(/not recognised/);
    expect((await call(till, 'getSale', { saleId: sale.id })).state).toBe('awaiting_payment');
  });

  it('never gives a sale a second invoice or a second payment from a second tap', async () => {
    const sale = await charge();
    const settled = paid(sale.id);
    // Two taps at once: one is asked, the other answered at once.
    const [first, second] = await Promise.all([
      till.invoke('tapCard', { saleId: sale.id, text: service.tap() }),
      till.invoke('tapCard', { saleId: sale.id, text: service.tap() }),
    ]);
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, error: { message: /being read/ } });
    await settled;
    const again = await refused(till, 'tapCard', { saleId: sale.id, text: service.tap() });
    expect(again.message).toMatch(/already paid/);
    expect(service.accepted).toHaveLength(1);
    expect((await call(till, 'listSales', {})).sales.filter((s) => s.state === 'paid')).toHaveLength(1);
  });

  it('answers a tap after the card accepted, before the payment arrived, without asking again', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slowPay = await startBoltCardService({
      pay: async (pr) => {
        await held;
        await payThroughDemoNode(pr);
      },
    });
    extra.push(slowPay.http);
    const sale = await charge();
    const settled = paid(sale.id);
    await call(till, 'tapCard', { saleId: sale.id, text: slowPay.tap() });
    const again = await refused(till, 'tapCard', { saleId: sale.id, text: slowPay.tap() });
    expect(again.message).toMatch(/already paying this sale/);
    expect(slowPay.accepted).toHaveLength(1);
    release();
    await settled;
  });

  it('refuses a tap while no invoice is on screen: no sale is made from a tap', async () => {
    await call(till, 'addCustomAmount', { amount: 500n, title: 'Tea' });
    const sale = await charge();
    await call(till, 'cancelSale', { saleId: sale.id });
    const error = await refused(till, 'tapCard', { saleId: sale.id, text: service.tap() });
    expect(error.message).toMatch(/No invoice is on screen/);
    expect(service.accepted).toEqual([]);
    expect((await call(till, 'listSales', {})).sales).toHaveLength(1);
  });
});
