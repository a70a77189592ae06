import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { bech32, bech32m, createBase58check } from '@scure/base';
import type { Network } from '../../../shared/domain/index.js';

/**
 * The BOLT11 wire format shared by encode.ts and decode.ts: prefixes, amount multipliers,
 * tag codes, 5-bit word packing, fallback addresses and the bytes the signature covers.
 * Spec: shared/contracts/bolt11/11-payment-encoding.md (lightning/bolts a3772650).
 */

export class Bolt11Error extends Error {
  override readonly name = 'Bolt11Error';
}

/** BOLT11: `ln` + BIP-0173 currency prefix. */
export const PREFIX_BY_NETWORK = {
  mainnet: 'bc',
  testnet: 'tb',
  signet: 'tbs',
  regtest: 'bcrt',
} as const satisfies Record<Network, string>;

export const TAG_NAMES = ['p', 's', 'd', 'm', 'n', 'h', 'x', 'c', 'f', 'r', '9'] as const;
export type TagName = (typeof TAG_NAMES)[number];

/** BOLT11 tag codes (the 5-bit `type` of a tagged field). */
export const TAG_CODE = {
  p: 1,
  s: 16,
  d: 13,
  m: 27,
  n: 19,
  h: 23,
  x: 6,
  c: 24,
  f: 9,
  r: 3,
  '9': 5,
} as const satisfies Record<TagName, number>;

/** BOLT11: data_length is 10 bits, so a field holds at most 1023 words (639 bytes). */
export const MAX_FIELD_WORDS = 1023;
export const MAX_FIELD_BYTES = 639;
/** BOLT11: the timestamp is 35 bits, i.e. 7 words. */
export const TIMESTAMP_WORDS = 7;
/** BOLT11: 64-byte R||S + 1-byte recovery id = 520 bits = 104 words. */
export const SIGNATURE_WORDS = 104;

/**
 * Invoice features BOLT 9 defines for the `9` context, by their even (required) bit.
 * BOLT11: an unknown even bit that is set MUST fail the payment; unknown odd bits are ignored.
 */
export const KNOWN_FEATURES: ReadonlyMap<number, string> = new Map([
  [8, 'var_onion_optin'],
  [14, 'payment_secret'],
  [16, 'basic_mpp'],
  [24, 'option_route_blinding'],
  [48, 'option_payment_metadata'],
]);

/** A private route hop from an `r` field (BOLT11, fields as in BOLT 7 channel_update). */
export interface RouteHop {
  pubkey: string;
  /** BOLT 7 human form: block x transaction x output. */
  shortChannelId: string;
  feeBaseMsat: bigint;
  feeProportionalMillionths: number;
  cltvExpiryDelta: number;
}

/** An `f` field: 17 = P2PKH, 18 = P2SH, 0..16 = witness version; program as hex. */
export interface Fallback {
  version: number;
  program: string;
}

/** One tagged field, in the order it is written. */
export type TaggedField =
  | { tag: 'p'; paymentHash: string }
  | { tag: 's'; paymentSecret: string }
  | { tag: 'd'; description: string }
  | { tag: 'h'; descriptionHash: string }
  | { tag: 'm'; metadata: string }
  | { tag: 'n'; payeePubkey: string }
  | { tag: 'x'; expirySec: number }
  | { tag: 'c'; minFinalCltvExpiry: number }
  | { tag: 'f'; fallback: Fallback }
  | { tag: 'r'; route: readonly RouteHop[] }
  | { tag: '9'; features: readonly number[] };

// BOLT11 multipliers, as msat per unit of the amount written with them (1 BTC = 1e11 msat).
const MSAT_PER_BTC = 100_000_000_000n;
const MSAT_PER_UNIT = { m: 100_000_000n, u: 100_000n, n: 100n } as const;

/**
 * The shortest exact amount: BOLT11 "SHOULD use the shortest representation possible, by
 * using the largest multiplier or omitting the multiplier".
 */
export function amountToHrp(msat: bigint): string {
  if (msat <= 0n) throw new Bolt11Error(`amount must be positive, got ${msat} msat`);
  if (msat % MSAT_PER_BTC === 0n) return String(msat / MSAT_PER_BTC);
  for (const unit of ['m', 'u', 'n'] as const) {
    const per = MSAT_PER_UNIT[unit];
    if (msat % per === 0n) return `${msat / per}${unit}`;
  }
  // BOLT11: 1 pico-BTC is 0.1 msat, so a whole msat always ends in 0 here.
  return `${msat * 10n}p`;
}

export function hrpToAmount(text: string): bigint {
  const match = /^(\d+)([munp]?)$/.exec(text);
  if (!match) {
    const multiplier = /^\d+(.)$/.exec(text)?.[1];
    throw new Bolt11Error(
      multiplier !== undefined
        ? `invalid amount multiplier "${multiplier}" (BOLT11 allows m, u, n, p)`
        : `invalid amount "${text}"`,
    );
  }
  const digits = match[1] ?? '';
  const multiplier = match[2] ?? '';
  if (digits.startsWith('0')) {
    throw new Bolt11Error(`invalid amount "${text}": BOLT11 amounts are positive with no leading 0s`);
  }
  const value = BigInt(digits);
  switch (multiplier) {
    case '':
      return value * MSAT_PER_BTC;
    case 'm':
    case 'u':
    case 'n':
      return value * MSAT_PER_UNIT[multiplier];
    case 'p':
      if (value % 10n !== 0n) {
        throw new Bolt11Error(
          `invalid amount "${text}": a pico-BTC amount must end in 0, it cannot express part of a millisatoshi`,
        );
      }
      return value / 10n;
    default:
      throw new Bolt11Error(`invalid amount multiplier "${multiplier}"`);
  }
}

export function hrpFor(network: Network, amountMsat: bigint | null): string {
  return `ln${PREFIX_BY_NETWORK[network]}${amountMsat === null ? '' : amountToHrp(amountMsat)}`;
}

/** Regroups bits (BIP-173 convertbits); `pad` appends 0 bits to fill the last group. */
function regroup(data: ArrayLike<number>, from: number, to: number, pad: boolean): number[] {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const mask = (1 << to) - 1;
  for (let i = 0; i < data.length; i++) {
    acc = ((acc << from) | (data[i] ?? 0)) & 0xffffff;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & mask);
    }
  }
  if (pad && bits > 0) out.push((acc << (to - bits)) & mask);
  return out;
}

/** BOLT11: "MUST pad field data to a multiple of 5 bits, using 0s". */
export function bytesToWords(bytes: Uint8Array): number[] {
  return regroup(bytes, 8, 5, true);
}

/** Field data back to bytes; the trailing pad bits (fewer than 8) are dropped. */
export function wordsToBytes(words: readonly number[]): Uint8Array {
  return Uint8Array.from(regroup(words, 5, 8, false));
}

/** Big-endian integer in the fewest words (BOLT11: no leading 0 field elements). */
export function intToWords(value: bigint): number[] {
  const words: number[] = [];
  for (let v = value; v > 0n; v >>= 5n) words.unshift(Number(v & 31n));
  return words;
}

export function wordsToInt(words: readonly number[]): bigint {
  return words.reduce((acc, w) => (acc << 5n) | BigInt(w), 0n);
}

/** Feature bit numbers to the `9` field's big-endian words (bit 0 = LSB of the last word). */
export function featuresToWords(bits: readonly number[]): number[] {
  let mask = 0n;
  for (const bit of bits) {
    if (!Number.isSafeInteger(bit) || bit < 0) throw new Bolt11Error(`invalid feature bit ${bit}`);
    mask |= 1n << BigInt(bit);
  }
  return intToWords(mask);
}

export function wordsToFeatures(words: readonly number[]): number[] {
  const bits: number[] = [];
  const total = words.length * 5;
  for (let bit = 0; bit < total; bit++) {
    const word = words[words.length - 1 - Math.floor(bit / 5)] ?? 0;
    if ((word >> (bit % 5)) & 1) bits.push(bit);
  }
  return bits;
}

/**
 * BOLT11: the signature covers "the human-readable part (as UTF-8 bytes) concatenated with the
 * data part (excluding the signature), with 0 bits appended to pad to a byte boundary".
 */
export function signingHash(hrp: string, dataWords: readonly number[]): Uint8Array {
  const prefix = new TextEncoder().encode(hrp);
  const body = regroup(dataWords, 5, 8, true);
  const message = new Uint8Array(prefix.length + body.length);
  message.set(prefix);
  message.set(body, prefix.length);
  return sha256(message);
}

const base58check = createBase58check(sha256);

/** Address prefixes of each chain (Bitcoin Core chainparams); signet shares testnet's. */
const ADDRESS_PARAMS = {
  mainnet: { pubKeyHash: 0x00, scriptHash: 0x05, hrp: 'bc' },
  testnet: { pubKeyHash: 0x6f, scriptHash: 0xc4, hrp: 'tb' },
  signet: { pubKeyHash: 0x6f, scriptHash: 0xc4, hrp: 'tb' },
  regtest: { pubKeyHash: 0x6f, scriptHash: 0xc4, hrp: 'bcrt' },
} as const satisfies Record<Network, { pubKeyHash: number; scriptHash: number; hrp: string }>;

/**
 * The on-chain address of an `f` field, or null when the program cannot be one
 * (BOLT11: "MUST set an f field to a valid witness version and program, OR to 17 followed by
 * a public key hash, OR to 18 followed by a script hash").
 */
export function fallbackAddress(network: Network, version: number, program: Uint8Array): string | null {
  const params = ADDRESS_PARAMS[network];
  if (version === 17 || version === 18) {
    if (program.length !== 20) return null;
    const payload = new Uint8Array(21);
    payload[0] = version === 17 ? params.pubKeyHash : params.scriptHash;
    payload.set(program, 1);
    return base58check.encode(payload);
  }
  if (version > 16) return null;
  // BIP-141: programs are 2..40 bytes; v0 only 20 (P2WPKH) or 32 (P2WSH).
  if (program.length < 2 || program.length > 40) return null;
  if (version === 0 && program.length !== 20 && program.length !== 32) return null;
  // BIP-350: witness v0 addresses are bech32, v1 and later bech32m.
  const coder = version === 0 ? bech32 : bech32m;
  return coder.encode(params.hrp, [version, ...coder.toWords(program)]);
}

const HEX = /^(?:[0-9a-f]{2})*$/;

export function hexBytes(hex: string, bytes: number | null, what: string): Uint8Array {
  if (!HEX.test(hex) || (bytes !== null && hex.length !== bytes * 2)) {
    throw new Bolt11Error(
      `${what} must be ${bytes === null ? '' : `${bytes} bytes of `}lowercase hex, got "${hex.slice(0, 80)}"`,
    );
  }
  return hexToBytes(hex);
}

export const toHex = (bytes: Uint8Array): string => bytesToHex(bytes);

/** BOLT11 `r` entry: pubkey (33) + short_channel_id (8) + fee_base (4) + fee_prop (4) + cltv (2). */
export const ROUTE_HOP_BYTES = 51;

const U32 = 0xffff_ffff;

export function routeToBytes(route: readonly RouteHop[]): Uint8Array {
  if (route.length === 0) throw new Bolt11Error('a route hint needs at least one hop');
  const out = new Uint8Array(route.length * ROUTE_HOP_BYTES);
  const view = new DataView(out.buffer);
  route.forEach((hop, i) => {
    const at = i * ROUTE_HOP_BYTES;
    out.set(hexBytes(hop.pubkey, 33, 'route hop pubkey'), at);
    // BOLT 7: short_channel_id is 3 bytes block height, 3 bytes tx index, 2 bytes output.
    const scid = /^(\d+)x(\d+)x(\d+)$/.exec(hop.shortChannelId);
    const [block, tx, output] = [Number(scid?.[1]), Number(scid?.[2]), Number(scid?.[3])];
    if (!scid || block >= 2 ** 24 || tx >= 2 ** 24 || output >= 2 ** 16) {
      throw new Bolt11Error(`invalid short channel id "${hop.shortChannelId}"`);
    }
    view.setUint32(at + 33, block * 2 ** 8 + (tx >>> 16));
    view.setUint32(at + 37, ((tx & 0xffff) * 2 ** 16 + output) >>> 0);
    if (hop.feeBaseMsat < 0n || hop.feeBaseMsat > BigInt(U32)) {
      throw new Bolt11Error(`route hop fee_base_msat ${hop.feeBaseMsat} does not fit 32 bits`);
    }
    view.setUint32(at + 41, Number(hop.feeBaseMsat));
    if (!isUint(hop.feeProportionalMillionths, U32) || !isUint(hop.cltvExpiryDelta, 0xffff)) {
      throw new Bolt11Error('route hop fee_proportional_millionths or cltv_expiry_delta out of range');
    }
    view.setUint32(at + 45, hop.feeProportionalMillionths);
    view.setUint16(at + 49, hop.cltvExpiryDelta);
  });
  return out;
}

export function bytesToRoute(bytes: Uint8Array): RouteHop[] | null {
  if (bytes.length === 0 || bytes.length % ROUTE_HOP_BYTES !== 0) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const route: RouteHop[] = [];
  for (let at = 0; at < bytes.length; at += ROUTE_HOP_BYTES) {
    const hi = view.getUint32(at + 33);
    const lo = view.getUint32(at + 37);
    const block = Math.floor(hi / 2 ** 8);
    const tx = (hi & 0xff) * 2 ** 16 + Math.floor(lo / 2 ** 16);
    const output = lo & 0xffff;
    route.push({
      pubkey: toHex(bytes.subarray(at, at + 33)),
      shortChannelId: `${block}x${tx}x${output}`,
      feeBaseMsat: BigInt(view.getUint32(at + 41)),
      feeProportionalMillionths: view.getUint32(at + 45),
      cltvExpiryDelta: view.getUint16(at + 49),
    });
  }
  return route;
}

export function isUint(value: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value <= max;
}
