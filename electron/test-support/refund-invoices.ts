import { createHash } from 'node:crypto';
import { encodeInvoice } from '../lightning/bolt11/encode.js';

/**
 * Customers' invoices for Lightning refunds made in one process (a crash child) and paid by a
 * wallet fake in another (the test): the n-th preimage of a run follows from the run's seed, so
 * the test tells the fake every preimage a child may use before starting it, and nothing has to
 * travel between them while the child runs.
 */

const CUSTOMER_KEY = new Uint8Array(32).fill(7);

/** How many Lightning refunds one child run may make; after that it refunds in cash. */
export const INVOICES_PER_RUN = 64;

/** The n-th preimage of a run's customers, and its payment hash. */
export function refundPreimage(seed: number, n: number): { preimage: string; hash: string } {
  const preimage = createHash('sha256').update(`refund preimage ${seed} ${n}`).digest('hex');
  const hash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');
  return { preimage, hash };
}

/** A regtest invoice for exactly `amountMsat`, made at `now`, payable for ten minutes. */
export function refundInvoice(seed: number, n: number, amountMsat: bigint, now: Date): string {
  return encodeInvoice(
    {
      network: 'regtest',
      amountMsat,
      timestamp: Math.floor(now.getTime() / 1000),
      paymentHash: refundPreimage(seed, n).hash,
      paymentSecret: createHash('sha256').update(`refund secret ${seed} ${n}`).digest('hex'),
      description: 'Refund',
      expirySec: 600,
    },
    CUSTOMER_KEY,
  );
}
