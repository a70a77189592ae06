import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { checkOfflineKey, type OfflineKey } from './index.js';

/**
 * The companion server's proof endpoint (issue 17): a till back online asks which of its offline
 * nonces were paid. The request body is signed with the shared key (HMAC-SHA256, hex, in a
 * header with the key's id); the answer is signed too, bound to the request's signature, so a
 * proxy in between can neither ask without the key nor bend the answer.
 */

export const STATUS_PATH = '/offline/status';
export const KEY_ID_HEADER = 'x-offline-key-id';
export const SIGNATURE_HEADER = 'x-offline-signature';
/** Nonces one request may ask about. */
export const MAX_STATUS_NONCES = 500;

export interface StatusRequest {
  nonces: string[];
}

export type NonceStatus =
  | { state: 'unknown' }
  /** Served (maybe with an invoice) but the node reports no payment. */
  | { state: 'unpaid' }
  | {
      state: 'paid';
      paymentHash: string;
      /** What the node received, msat as a decimal string. */
      amountMsat: string;
      /** ISO 8601. */
      settledAt: string;
      saleId: string;
      tillId: string;
    };

export interface StatusResponse {
  results: Record<string, NonceStatus>;
}

const mac = (k: OfflineKey, text: string) =>
  bytesToHex(hmac(sha256, hexToBytes(k.key), new TextEncoder().encode(text)));

/** The request's signature: HMAC-SHA256 of "status:" and the exact body sent. */
export function signStatusRequest(k: OfflineKey, body: string): string {
  checkOfflineKey(k);
  return mac(k, `status:${body}`);
}

/** The answer's signature: bound to the request it answers. */
export function signStatusResponse(k: OfflineKey, requestSignature: string, body: string): string {
  checkOfflineKey(k);
  return mac(k, `status-reply:${requestSignature}:${body}`);
}

/** Constant-time comparison of two hex signatures. */
export function signaturesMatch(want: string, got: string): boolean {
  if (typeof got !== 'string' || got.length !== want.length) return false;
  let diff = 0;
  for (let i = 0; i < want.length; i++) diff |= want.charCodeAt(i) ^ got.charCodeAt(i);
  return diff === 0;
}

const HASH = /^[0-9a-f]{64}$/;
const MSAT = /^[1-9]\d{0,17}$/;

/**
 * For the till back online: the companion's answer, checked. Null when the signature is not the
 * key's over this body for this request, or when the body is not a well-formed answer; the till
 * then trusts nothing in it.
 */
export function readStatusResponse(
  k: OfflineKey,
  requestSignature: string,
  body: string,
  responseSignature: string | null,
): StatusResponse | null {
  if (responseSignature === null) return null;
  if (!signaturesMatch(signStatusResponse(k, requestSignature, body), responseSignature)) return null;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  const results = (value as { results?: unknown } | null)?.results;
  if (typeof results !== 'object' || results === null || Array.isArray(results)) return null;
  const out: Record<string, NonceStatus> = {};
  for (const [nonce, raw] of Object.entries(results as Record<string, unknown>)) {
    const r = raw as Record<string, unknown> | null;
    if (r?.state === 'unknown' || r?.state === 'unpaid') out[nonce] = { state: r.state };
    else if (
      r?.state === 'paid' &&
      typeof r.paymentHash === 'string' &&
      HASH.test(r.paymentHash) &&
      typeof r.amountMsat === 'string' &&
      MSAT.test(r.amountMsat) &&
      typeof r.settledAt === 'string' &&
      !Number.isNaN(Date.parse(r.settledAt)) &&
      typeof r.saleId === 'string' &&
      typeof r.tillId === 'string'
    ) {
      out[nonce] = {
        state: 'paid',
        paymentHash: r.paymentHash,
        amountMsat: r.amountMsat,
        settledAt: r.settledAt,
        saleId: r.saleId,
        tillId: r.tillId,
      };
    } else return null;
  }
  return { results: out };
}
