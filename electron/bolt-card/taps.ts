import { TillError, type ErrorKind } from '../../shared/contract/index.js';
import type { Sale } from '../../shared/domain/index.js';
import { printedSaleNumber } from '../../shared/domain/sale-number.js';
import { formatSats } from '../../shared/money/index.js';
import type { SaleFlow } from '../checkout/sale-flow.js';
import type { EventBus } from '../events.js';
import {
  CardError,
  requestWithdraw,
  sendInvoice,
  withdrawUrl,
  type CardFailure,
  type WithdrawClientOptions,
} from './withdraw-client.js';

export interface CardTapsDeps {
  flow: Pick<SaleFlow, 'get' | 'activeSaleId'>;
  events: EventBus;
  now: () => Date;
  client?: WithdrawClientOptions;
}

export type CardTaps = ReturnType<typeof createCardTaps>;

const FAILURE_KIND = {
  unrecognised: 'ValidationError',
  overLimit: 'InvalidState',
  unreachable: 'BackendUnavailable',
  declined: 'InvalidState',
} as const satisfies Record<CardFailure, ErrorKind>;

const NO_INVOICE = 'No invoice is on screen: charge the sale first, then tap the card.';

/**
 * A Bolt Card pays the sale whose invoice is on screen: that very invoice goes to the card's
 * service, so a sale never gets a second invoice from a tap and a second tap can pay nothing
 * twice (Lightning settles one payment hash once). Taps of one sale run one at a time, and once
 * a service accepted a sale's invoice further taps are answered, not sent.
 */
export function createCardTaps(deps: CardTapsDeps) {
  const { flow, events } = deps;
  /** Sales with a tap under way. */
  const inFlight = new Set<string>();
  /** Payment hashes a card's service accepted to pay. */
  const accepted = new Set<string>();

  function fail(saleId: string | null, kind: ErrorKind, message: string): never {
    events.emit('cardTap', { saleId, phase: 'failed', message });
    throw new TillError(kind, message);
  }

  function payable(sale: Sale): NonNullable<Sale['invoice']> {
    const n = printedSaleNumber(sale.number);
    if (sale.state === 'paid') fail(sale.id, 'InvalidState', `Sale #${n} is already paid.`);
    const invoice = sale.invoice;
    if (!invoice || sale.state === 'open' || sale.state === 'cancelled')
      fail(sale.id, 'InvalidState', NO_INVOICE);
    if (sale.state === 'expired' || new Date(invoice.expiresAt).getTime() <= deps.now().getTime())
      fail(sale.id, 'InvalidState', 'The invoice expired: make a new invoice, then tap the card again.');
    if (accepted.has(invoice.paymentHash))
      fail(sale.id, 'InvalidState', 'A card is already paying this sale: wait for “Paid”.');
    if (inFlight.has(sale.id))
      fail(sale.id, 'InvalidState', 'A card is being read for this sale: wait a moment.');
    return invoice;
  }

  async function tap(saleId: string, text: string): Promise<Sale> {
    const sale = flow.get(saleId);
    const invoice = payable(sale);
    inFlight.add(saleId);
    events.emit('cardTap', { saleId, phase: 'reading', message: 'Card read — asking the card’s service…' });
    try {
      const url = withdrawUrl(text, deps.client);
      const request = await requestWithdraw(url, deps.client);
      if (invoice.amountMsat > request.maxWithdrawable) {
        throw new CardError(
          'overLimit',
          `This sale is ${formatSats(invoice.amountMsat)}, above the card’s limit of ${formatSats(request.maxWithdrawable)}. Take another payment.`,
        );
      }
      if (invoice.amountMsat < request.minWithdrawable) {
        throw new CardError(
          'declined',
          `The card pays at least ${formatSats(request.minWithdrawable)}; this sale is less. Take another payment.`,
        );
      }
      await sendInvoice(request, invoice.bolt11, deps.client);
      accepted.add(invoice.paymentHash);
      events.emit('cardTap', {
        saleId,
        phase: 'accepted',
        message: 'Card accepted — waiting for the payment…',
      });
      return flow.get(saleId);
    } catch (err) {
      if (err instanceof CardError) fail(saleId, FAILURE_KIND[err.reason], err.message);
      fail(saleId, 'Internal', 'The card could not be read. Ask the customer to tap again.');
    } finally {
      inFlight.delete(saleId);
    }
  }

  return {
    /** The tapCard command: a card for a sale the screen names. */
    tap,
    /**
     * A card on the USB reader: for the sale whose invoice is on screen, if any. Answers with
     * the cardTap event alone (nobody awaits a reader), never a throw.
     */
    async tapActive(text: string): Promise<void> {
      const saleId = flow.activeSaleId();
      try {
        if (saleId === null) fail(null, 'InvalidState', NO_INVOICE);
        await tap(saleId, text);
      } catch {
        // Already told to the screen through the cardTap event.
      }
    },
  };
}
