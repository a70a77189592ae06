import type { Invoice } from '../electron/lightning/backend.js';
import {
  clnHarness,
  demoHarness,
  lnbitsHarness,
  lndHarness,
  nwcHarness,
} from '../electron/test-support/harnesses.js';
import type { MakeHarness } from '../electron/test-support/lightning-suite.js';
import { summarize, type Summary } from './stats.js';

/**
 * Invoice creation and settle-to-event latency through each backend and its in-process fake
 * (real HTTP, TLS, websockets and Nostr relays on loopback), beside the demo node measured in
 * the same run: the difference is the cost of the wire and of each protocol's framing.
 */
export interface BackendFigures {
  invoice_create: Summary;
  settle_to_event: Summary;
}

async function measure(make: MakeHarness, n: number): Promise<BackendFigures> {
  const h = await make({ timeoutMs: 10_000 });
  const waiting = new Map<string, () => void>();
  const subscription = h.backend.subscribeSettlements({
    fromCursor: await h.backend.latestCursor(),
    onSettlement: ({ invoice }) => waiting.get(invoice.paymentHash)?.(),
    onState: () => undefined,
  });
  try {
    const create: bigint[] = [];
    const settle: bigint[] = [];
    // A moment for the subscription to be live before the first payment.
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < n; i++) {
      let t = process.hrtime.bigint();
      const invoice: Invoice = await h.backend.createInvoice({
        amountMsat: 1_000n * BigInt(i + 1),
        description: `bench #${i}`,
        expirySec: 600,
      });
      create.push(process.hrtime.bigint() - t);
      const seen = new Promise<void>((resolve) => waiting.set(invoice.paymentHash, resolve));
      t = process.hrtime.bigint();
      await h.pay(invoice.paymentHash);
      await seen;
      settle.push(process.hrtime.bigint() - t);
      waiting.delete(invoice.paymentHash);
      h.clock.advance(1_000);
    }
    return { invoice_create: summarize(create), settle_to_event: summarize(settle) };
  } finally {
    subscription.close();
    await h.close();
  }
}

export async function benchBackends(n: number): Promise<Record<string, BackendFigures>> {
  const out: Record<string, BackendFigures> = {};
  const all: [string, MakeHarness][] = [
    ['demo', demoHarness],
    ['lnd_rest', lndHarness],
    ['cln_rest', clnHarness],
    ['lnbits', lnbitsHarness],
    ['nwc_nip44', nwcHarness({ relays: 1 })],
  ];
  for (const [name, make] of all) out[name] = await measure(make, n);
  return out;
}
