import bolt11 from 'bolt11';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../shared/contract/index.js';
import type { Sale } from '../../shared/domain/index.js';
import { printedSaleNumber } from '../../shared/domain/sale-number.js';
import { createDemoBackend, type DemoBackend } from '../lightning/demo/backend.js';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import {
  EXPIRED_REASON,
  ndefFileWithUri,
  startLnurlCardService,
  type LnurlCardService,
} from '../test-support/lnurl-card-service.js';
import { call, refused, signedInTill } from '../test-support/till-calls.js';
import type { Till } from '../till.js';
import { cardText, messageFromNdefFile } from './ndef.js';
import { deliverReaderMessage, type CardReaderHandlers } from './reader.js';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };
const LINK_TTL_MS = 60_000;

type CardTap = EventPayload<'cardTap'>;

/**
 * A Bolt Card against a real LNURL-withdraw server that no one here wrote: the `lnurl`
 * package's own server (test-support/lnurl-card-service.ts), whose Lightning backend pays
 * through the demo node. The till is the real one (SQLite, the demo node). A card is tapped on
 * the USB reader's path — its NDEF file parsed as reader-process.ts parses it, the message
 * delivered as reader.ts delivers it, the till's reader handler paying the sale on screen — or
 * through the tapCard command (a keyboard-wedge reader), and the cashier reads the cardTap
 * event's words. No PC/SC hardware is involved.
 */
describe('Bolt Card tap-to-pay against the lnurl package’s own server', () => {
  let dir: ReturnType<typeof tempDir>;
  let nodeDir: ReturnType<typeof tempDir>;
  let backend: DemoBackend;
  let till: Till;
  let service: LnurlCardService;
  let serviceNow: number;
  let reader: CardReaderHandlers;
  const taps: CardTap[] = [];

  const payThroughDemoNode = async (pr: string) => {
    const hash = bolt11.decode(pr, REGTEST).tagsObject.payment_hash!;
    await backend.simulatePayment(hash);
  };

  beforeEach(async () => {
    dir = tempDir('bolt-card-lnurl-');
    nodeDir = tempDir('bolt-card-lnurl-node-');
    backend = createDemoBackend({ dataDir: nodeDir.path });
    serviceNow = Date.now();
    service = await startLnurlCardService({
      pay: payThroughDemoNode,
      linkTtlMs: LINK_TTL_MS,
      now: () => serviceNow,
    });
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      backend,
      timers: false,
      cardClient: { httpHosts: ['127.0.0.1'], timeoutMs: 2_000 },
      // The USB reader, in process: what reader-process.ts sends arrives here as from a child.
      cardReader: (handlers) => {
        reader = handlers;
        return { close: () => Promise.resolve() };
      },
    });
    taps.length = 0;
    till.subscribe((event, payload) => {
      if (event === 'cardTap') taps.push(payload as CardTap);
    });
  });

  afterEach(async () => {
    await till?.close();
    await service?.close();
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

  /**
   * The card on the USB reader: its NDEF file as reader-process.ts reads it (messageFromNdefFile,
   * cardText), the message as reader.ts delivers it; resolves with the tap's last word (accepted
   * or failed) that the cashier sees.
   */
  function tapOnReader(uri: string): Promise<CardTap> {
    const done = new Promise<CardTap>((resolve) => {
      const off = till.subscribe((event, payload) => {
        const tap = payload as CardTap;
        if (event === 'cardTap' && tap.phase !== 'reading') {
          off();
          resolve(tap);
        }
      });
    });
    const message = messageFromNdefFile(ndefFileWithUri(uri));
    const text = message ? cardText(message) : null;
    expect(text).toBe(uri);
    deliverReaderMessage({ type: 'card', text }, reader);
    return done;
  }

  const card = (maxSats = 100_000n) =>
    service.issueCard({
      minWithdrawableMsat: 1_000n,
      maxWithdrawableMsat: maxSats * 1_000n,
      description: 'Bolt Card',
      uses: 1,
    });

  const paidSales = async () => (await call(till, 'listSales', {})).sales.filter((s) => s.state === 'paid');

  it('pays the sale once, with the sale’s own invoice, from the card’s lnurlw:// link on the reader', async () => {
    const sale = await charge();
    const settled = paid(sale.id);
    const { lnurlw } = await card();
    expect(lnurlw).toMatch(/^lnurlw:\/\/127\.0\.0\.1:\d+\/lnurl\?q=[0-9a-f]{64}$/);
    const tap = await tapOnReader(lnurlw);
    expect(tap).toEqual({
      saleId: sale.id,
      phase: 'accepted',
      message: 'Card accepted — waiting for the payment…',
    });
    const done = await settled;
    // The package's server got the very invoice on screen and its backend paid that one.
    expect(service.callbacks).toEqual([sale.invoice!.bolt11]);
    expect(service.paid).toEqual([sale.invoice!.bolt11]);
    expect(done.invoice!.bolt11).toBe(sale.invoice!.bolt11);
    expect(done.amountPaidMsat).toBe(sale.invoice!.amountMsat);
    expect(await paidSales()).toHaveLength(1);
    expect((await call(till, 'getCart')).lines).toHaveLength(0);

    // Another card on the paid sale asks its service nothing: one payment for a sale.
    const other = await card();
    const again = await refused(till, 'tapCard', { saleId: sale.id, text: other.lnurlw });
    expect(again.message).toBe(`Sale #${printedSaleNumber(done.number)} is already paid.`);
    expect(service.callbacks).toHaveLength(1);
    expect(service.paid).toHaveLength(1);
  });

  it('pays with the bech32 LNURL form of the link, on the reader and typed by a keyboard reader', async () => {
    const first = await charge();
    const firstPaid = paid(first.id);
    const onReader = await card();
    expect((await tapOnReader(`lightning:${onReader.lnurl}`)).phase).toBe('accepted');
    await firstPaid;

    const second = await charge(300n);
    const secondPaid = paid(second.id);
    const typed = await card();
    await call(till, 'tapCard', { saleId: second.id, text: typed.lnurl });
    await secondPaid;
    expect(service.paid).toEqual([first.invoice!.bolt11, second.invoice!.bolt11]);
  });

  it('refuses a sale above the card’s maxWithdrawable and sends the service nothing', async () => {
    const sale = await charge(); // 5 000 sats at the demo rate
    const small = await card(1_000n);
    const tap = await tapOnReader(small.lnurlw);
    expect(tap.phase).toBe('failed');
    expect(tap.message).toBe(
      'This sale is 5,000 sats, above the card’s limit of 1,000 sats. Take another payment.',
    );
    const error = await refused(till, 'tapCard', { saleId: sale.id, text: small.lnurlw });
    expect(error.kind).toBe('InvalidState');
    expect(error.message).toBe(tap.message);
    expect(service.callbacks).toEqual([]);
    expect(service.paid).toEqual([]);
    expect((await call(till, 'getSale', { saleId: sale.id })).state).toBe('awaiting_payment');

    // The card's one use is untouched: it pays a sale within its limit.
    await call(till, 'cancelSale', { saleId: sale.id });
    await call(till, 'clearCart', {});
    const within = await charge(50n);
    const settled = paid(within.id);
    expect(await tapOnReader(small.lnurlw)).toEqual({
      saleId: within.id,
      phase: 'accepted',
      message: 'Card accepted — waiting for the payment…',
    });
    await settled;
  });

  it('says the card was declined with the service’s reason when the link (its k1) expired', async () => {
    const sale = await charge();
    // Expired before the tap: the package's GET of the link is refused by the expiry hook.
    const stale = await card();
    serviceNow += LINK_TTL_MS;
    const before = await tapOnReader(stale.lnurlw);
    expect(before.message).toBe(`The card was declined: ${EXPIRED_REASON}. Take another payment.`);
    expect(service.callbacks).toEqual([]);

    // Expired between the withdraw request and the callback (k1 is the link's secret here): the
    // clock passes the link's lifetime as soon as the package has answered the GET.
    const fresh = await card();
    service.server.on('request:processed', (...args: unknown[]) => {
      if ((args[0] as { method: string }).method === 'info') serviceNow += LINK_TTL_MS;
    });
    const during = await tapOnReader(fresh.lnurlw);
    expect(during.message).toBe(`The card was declined: ${EXPIRED_REASON}. Take another payment.`);
    // The invoice reached the callback and was refused there: nothing was paid.
    expect(service.callbacks).toEqual([sale.invoice!.bolt11]);
    expect(service.paid).toEqual([]);
    expect((await call(till, 'getSale', { saleId: sale.id })).state).toBe('awaiting_payment');
  });

  it('says a second tap of a used link (uses: 1) was declined, with the package’s own reason', async () => {
    const first = await charge();
    const firstPaid = paid(first.id);
    const once = await card();
    expect((await tapOnReader(once.lnurlw)).phase).toBe('accepted');
    await firstPaid;

    const second = await charge(300n);
    const replay = await tapOnReader(once.lnurlw);
    expect(replay).toEqual({
      saleId: second.id,
      phase: 'failed',
      message: 'The card was declined: Maximum number of uses already reached. Take another payment.',
    });
    const error = await refused(till, 'tapCard', { saleId: second.id, text: once.lnurlw });
    expect(error.kind).toBe('InvalidState');
    expect(service.paid).toEqual([first.invoice!.bolt11]);
    expect((await call(till, 'getSale', { saleId: second.id })).state).toBe('awaiting_payment');
    expect(await paidSales()).toHaveLength(1);
  });

  it('says the card’s service is unreachable once it stopped, and the sale is still paid by QR', async () => {
    const sale = await charge();
    const { lnurlw } = await card();
    const port = service.port;
    await service.close();
    const words = `The card’s service (127.0.0.1:${port}) cannot be reached. Ask the customer to tap again, or take another payment.`;
    const tap = await tapOnReader(lnurlw);
    expect(tap).toEqual({ saleId: sale.id, phase: 'failed', message: words });
    const error = await refused(till, 'tapCard', { saleId: sale.id, text: lnurlw });
    expect(error.kind).toBe('BackendUnavailable');
    expect(error.message).toBe(words);

    // The customer scans the QR instead: the same invoice settles.
    const settled = paid(sale.id);
    await backend.simulatePayment(sale.invoice!.paymentHash);
    expect((await settled).amountPaidMsat).toBe(sale.invoice!.amountMsat);
  });
});
