import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { decodeInvoice } from '../lightning/bolt11/decode.js';

/**
 * A wallet paying an LNURL-pay link as LUD-06 (payRequest) and LUD-09 (successAction) describe
 * them (../shared/contracts/lnurl), checking every answer against the spec as it goes: the
 * companion server's tests and the till's "proven later" test pay through it.
 */

export async function get(url: string): Promise<{ status: number; body: unknown; text: string }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, body, text };
}

export interface PayRequest {
  callback: string;
  minSendable: number;
  maxSendable: number;
  metadata: string;
  tag: string;
}

/** LUD-06 step 2–3: the wallet reads the link; checks the answer as the spec describes it. */
export async function walletReads(url: string): Promise<PayRequest> {
  const { status, body } = await get(url);
  expect(status, JSON.stringify(body)).toBe(200);
  const info = body as PayRequest & { successAction?: unknown };
  expect(info.tag).toBe('payRequest');
  expect(typeof info.callback).toBe('string');
  expect(Number.isInteger(info.minSendable) && info.minSendable >= 1).toBe(true);
  expect(info.maxSendable).toBeGreaterThanOrEqual(info.minSendable);
  expect(typeof info.metadata).toBe('string');
  const metadata = JSON.parse(info.metadata) as unknown[];
  expect(metadata.every((e) => Array.isArray(e) && typeof e[0] === 'string')).toBe(true);
  expect(metadata.filter((e) => (e as unknown[])[0] === 'text/plain')).toHaveLength(1);
  // LUD-09: the success action comes with the invoice only.
  expect(info.successAction).toBeUndefined();
  return info;
}

/** LUD-06 step 4–7 and LUD-09: asks for the invoice and checks it against what it read. */
export async function walletAsks(info: PayRequest, amount: bigint) {
  const cb = new URL(info.callback);
  cb.searchParams.set('amount', amount.toString());
  return get(cb.toString());
}

export async function walletGetsInvoice(info: PayRequest, amount: bigint) {
  const { status, body } = await walletAsks(info, amount);
  expect(status, JSON.stringify(body)).toBe(200);
  const answer = body as {
    pr: string;
    routes: unknown[];
    successAction: { tag: string; url: string; description: string };
  };
  expect(answer.routes).toEqual([]);
  const decoded = decodeInvoice(answer.pr);
  expect(decoded.amountMsat).toBe(amount);
  expect(decoded.descriptionHash).toBe(createHash('sha256').update(info.metadata, 'utf8').digest('hex'));
  expect(answer.successAction.tag).toBe('url');
  expect(new URL(answer.successAction.url).host).toBe(new URL(info.callback).host);
  expect(answer.successAction.description.length).toBeLessThanOrEqual(144);
  return { pr: answer.pr, paymentHash: decoded.paymentHash, successUrl: answer.successAction.url };
}
