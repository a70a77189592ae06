'use strict';
/**
 * The `lnurl` package's Lightning backend for the till's LNURL-withdraw refunds, loaded by the
 * package from this file's path (`lightning: { backend: { path } }`), so it is plain CommonJS and
 * stays out of the main bundle: electron.vite.config.ts copies it beside the built main as is.
 *
 * It moves no money itself: `payInvoice` hands the invoice to the till (found in a process-wide
 * registry under the `payerId` the till passed in `config`), which pays it only if the callback's
 * hook already journaled it `paying` for an open link (electron/lnurl-withdraw/service.ts).
 */
const { LightningBackend } = require('lnurl');

const REGISTRY = Symbol.for('lightning-till.lnurl-withdraw.payers');

class TillRefundBackend extends LightningBackend {
  constructor(options) {
    super('lightning-till-refunds', options, { requiredOptions: ['payerId'] });
  }

  payInvoice(invoice) {
    const payers = globalThis[REGISTRY];
    const pay = payers && payers.get(this.options.payerId);
    if (!pay) return Promise.reject(new Error('The till is not taking LNURL-withdraw refunds now.'));
    return pay(invoice);
  }

  getNodeUri() {
    return Promise.reject(new Error('Not supported by the till'));
  }

  openChannel() {
    return Promise.reject(new Error('Not supported by the till'));
  }

  addInvoice() {
    return Promise.reject(new Error('Not supported by the till'));
  }
}

module.exports = TillRefundBackend;
