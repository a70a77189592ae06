import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';

/**
 * Lightning with the till offline (issue 17): the pieces the till and the companion server
 * (`npm run lnurl-server`) must compute alike from the key they share, with no network between
 * them. Pure and platform-neutral: the till's main process and the companion both import it.
 *
 * - The till signs an LNURL-pay link for exactly the sale's amount with the shared key, through
 *   the `lnurl` package's signed-URL scheme (lnurl-offline: HMAC-SHA256 over the sorted query,
 *   `id`, `nonce`, `tag`, `signature`), with a nonce of its own bound to the sale (OfflineNonce).
 * - Once the node reports the invoice paid, the companion shows the customer a PIN; the till
 *   checks the PIN the cashier types against `offlinePin` of the same key, nonce and amount.
 */

/** A shared key as the lnurl package's server takes it (`auth.apiKeys`): id and hex key. */
export interface OfflineKey {
  /** Public: names the key in every link (hex, 8–32 characters). */
  id: string;
  /** Secret: 32 random bytes as 64 hex digits. */
  key: string;
}

/** Digits of the PIN: one in a million to guess, and the till allows three tries a sale. */
export const PIN_DIGITS = 6;

const HEX = /^[0-9a-f]+$/;

/** Refuses a key the scheme cannot use, with words an owner can act on. */
export function checkOfflineKey(k: OfflineKey): void {
  if (!HEX.test(k.id) || k.id.length < 8 || k.id.length > 32)
    throw new Error('The key id must be 8 to 32 lowercase hex digits.');
  if (!HEX.test(k.key) || k.key.length !== 64)
    throw new Error('The key must be 64 lowercase hex digits (32 bytes).');
}

/**
 * The nonce of one offline sale: the till's persisted counter (never repeats on this till) and
 * random bytes (never repeats across tills sharing a key, nor after a restored backup), hex.
 */
export function offlineNonce(counter: bigint, random: Uint8Array): string {
  if (counter < 0n) throw new RangeError('the nonce counter is never negative');
  if (random.length < 8) throw new RangeError('a nonce needs at least 8 random bytes');
  const hex = Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${counter.toString(16).padStart(8, '0')}${hex}`;
}

/**
 * The PIN for a paid offline sale: HMAC-SHA256(key, "pin:" nonce ":" msat), dynamically
 * truncated as RFC 4226 does (31 bits), then PIN_DIGITS decimal digits. Anyone without the key
 * cannot compute it; the till and the companion compute the same one.
 */
export function offlinePin(k: OfflineKey, nonce: string, amountMsat: bigint): string {
  checkOfflineKey(k);
  if (amountMsat <= 0n) throw new RangeError('an offline sale is for a positive amount');
  const mac = hmac(sha256, hexToBytes(k.key), new TextEncoder().encode(`pin:${nonce}:${amountMsat}`));
  const offset = mac[mac.length - 1]! & 0x0f;
  const code =
    ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(code % 10 ** PIN_DIGITS).padStart(PIN_DIGITS, '0');
}

/** Whether `typed` is the PIN (digits only; spaces a cashier may type are ignored), in constant time. */
export function pinMatches(k: OfflineKey, nonce: string, amountMsat: bigint, typed: string): boolean {
  const want = offlinePin(k, nonce, amountMsat);
  const got = typed.replace(/\s+/g, '');
  if (got.length !== want.length) return false;
  let diff = 0;
  for (let i = 0; i < want.length; i++) diff |= want.charCodeAt(i) ^ got.charCodeAt(i);
  return diff === 0;
}

/**
 * What the signed LNURL-pay link carries besides the lnurl-offline fields: the amount (min =
 * max, so the wallet cannot pick another), the sale and till it is for, and when it stops being
 * good. The companion reads these back from the verified query.
 */
export interface OfflineLinkParams {
  amountMsat: bigint;
  saleId: string;
  tillId: string;
  /** Unix seconds after which the companion refuses the link. */
  expiresAt: number;
  /** Shown in the payer's wallet (LUD-06 metadata text/plain). */
  description: string;
}

/**
 * The query parameters to sign (lnurl-offline's `params`): LUD-06 `minSendable`/`maxSendable`
 * as the msat decimal strings a query carries, and the till's own fields under short names.
 */
export function offlineLinkQuery(p: OfflineLinkParams): Record<string, string> {
  if (p.amountMsat <= 0n) throw new RangeError('an offline sale is for a positive amount');
  const msat = p.amountMsat.toString();
  return {
    minSendable: msat,
    maxSendable: msat,
    sale: p.saleId,
    till: p.tillId,
    exp: String(Math.trunc(p.expiresAt)),
    desc: p.description,
  };
}

/** The till's fields read back from a verified query; null when any is missing or malformed. */
export function readOfflineLinkQuery(q: Record<string, unknown>): OfflineLinkParams | null {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const min = str(q.minSendable);
  const max = str(q.maxSendable);
  const sale = str(q.sale);
  const till = str(q.till);
  const exp = str(q.exp);
  const desc = str(q.desc);
  if (!min || !max || !sale || !till || !exp || desc === null) return null;
  if (!/^[1-9]\d{0,17}$/.test(min) || min !== max || !/^\d{1,12}$/.test(exp)) return null;
  return { amountMsat: BigInt(min), saleId: sale, tillId: till, expiresAt: Number(exp), description: desc };
}
