'use strict';
/**
 * The `lnurl` package's Lightning backend for the companion server (issue 17), loaded by the
 * package from this file's path (`lightning: { backend: { path } }`), so it is plain CommonJS.
 *
 * It makes no invoice itself: `addInvoice` hands the request to the companion (found in a
 * process-wide registry under the `invoicerId` passed in `config`), which asks the merchant's
 * node through the till's own Lightning backends (electron/lightning/registry.ts), only for a
 * nonce its callback hook has just claimed (electron/companion/server.ts).
 */
const { LightningBackend } = require('lnurl');

const REGISTRY = Symbol.for('lightning-till.companion.invoicers');

class CompanionPayBackend extends LightningBackend {
  constructor(options) {
    super('lightning-till-companion', options, { requiredOptions: ['invoicerId'] });
  }

  /** amount: msat (number); extra: { description, descriptionHash } as the payRequest subprotocol gives. */
  addInvoice(amount, extra) {
    const invoicers = globalThis[REGISTRY];
    const invoice = invoicers && invoicers.get(this.options.invoicerId);
    if (!invoice) return Promise.reject(new Error('The companion server is shutting down.'));
    return invoice(amount, extra || {});
  }

  getInvoiceStatus() {
    return Promise.reject(new Error('Not supported by the companion: it asks the node itself.'));
  }

  payInvoice() {
    return Promise.reject(new Error('The companion server never pays.'));
  }

  getNodeUri() {
    return Promise.reject(new Error('Not supported by the companion'));
  }

  openChannel() {
    return Promise.reject(new Error('Not supported by the companion'));
  }
}

module.exports = CompanionPayBackend;
