import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bech32 } from '@scure/base';
import type { Network } from '../../../shared/domain/index.js';
import {
  Bolt11Error,
  bytesToRoute,
  fallbackAddress,
  hrpToAmount,
  KNOWN_FEATURES,
  PREFIX_BY_NETWORK,
  SIGNATURE_WORDS,
  signingHash,
  TAG_CODE,
  TAG_NAMES,
  TIMESTAMP_WORDS,
  toHex,
  wordsToBytes,
  wordsToFeatures,
  wordsToInt,
  type RouteHop,
  type TagName,
} from './format.js';

export interface FallbackAddress {
  /** 17 = P2PKH, 18 = P2SH, 0..16 = witness version. */
  version: number;
  program: string;
  address: string;
}

export interface DecodedInvoice {
  network: Network;
  /** null: the payer chooses the amount. */
  amountMsat: bigint | null;
  /** Unix seconds. */
  timestamp: number;
  paymentHash: string;
  paymentSecret: string;
  /** Exactly one of description and descriptionHash is non-null. */
  description: string | null;
  descriptionHash: string | null;
  expirySec: number;
  minFinalCltvExpiry: number;
  /** The `n` field when present (and verified against), else the key recovered from the signature. */
  payeePubkey: string;
  /** Set feature bit numbers, ascending. */
  features: number[];
  fallbackAddresses: FallbackAddress[];
  /** One entry per `r` field, each a route of one or more hops. */
  routeHints: RouteHop[][];
  /** The `m` field as hex. */
  metadata: string | null;
}

// BOLT11: "Default is 3600 (1 hour) if not specified" / "Default is 18 if not specified".
export const DEFAULT_EXPIRY_SEC = 3600;
export const DEFAULT_MIN_FINAL_CLTV_EXPIRY = 18;

const NETWORK_BY_PREFIX = new Map<string, Network>([
  [PREFIX_BY_NETWORK.mainnet, 'mainnet'],
  [PREFIX_BY_NETWORK.testnet, 'testnet'],
  [PREFIX_BY_NETWORK.signet, 'signet'],
  [PREFIX_BY_NETWORK.regtest, 'regtest'],
]);
// Longest first, so "bcrt" is not read as "bc" followed by an amount.
const PREFIXES = [...NETWORK_BY_PREFIX.keys()].sort((a, b) => b.length - a.length);
const TAG_BY_CODE = new Map<number, TagName>(TAG_NAMES.map((name) => [TAG_CODE[name], name]));
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes and verifies a BOLT11 invoice, applying the spec's reader rules: an invoice that
 * decodes has a valid signature, a payment hash, a payment secret and exactly one of d / h.
 * Accepts all-lowercase or all-uppercase text, with or without a `lightning:` prefix.
 */
export function decodeInvoice(text: string): DecodedInvoice {
  const invoice = text.trim().replace(/^lightning:/i, '');
  // BIP-173 (which BOLT11 uses): "Decoders MUST NOT accept strings where some characters are
  // uppercase and some are lowercase".
  if (invoice !== invoice.toLowerCase() && invoice !== invoice.toUpperCase()) {
    throw new Bolt11Error('invoice mixes upper and lower case letters, which bech32 forbids');
  }
  const lower = invoice.toLowerCase();
  const separator = lower.lastIndexOf('1');
  if (separator < 1) throw new Bolt11Error('not a bech32 string: the "1" separator is missing');

  let words: number[];
  try {
    // BOLT11: "MUST parse the address as Bech32 ... also without the character limit".
    words = bech32.decode(lower, false).words;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Bolt11Error(
      /checksum/i.test(reason)
        ? 'invoice checksum is wrong: a character was changed, added or lost'
        : `not a valid bech32 string (${reason})`,
      { cause: err },
    );
  }

  const { network, amountMsat } = parseHrp(lower.slice(0, separator));

  if (words.length < TIMESTAMP_WORDS + SIGNATURE_WORDS) {
    throw new Bolt11Error('invoice is too short to hold a timestamp and a signature');
  }
  const data = words.slice(0, words.length - SIGNATURE_WORDS);
  const fields = parseFields(data, network);

  if (fields.paymentHash === null) throw new Bolt11Error('invoice has no payment hash (p field)');
  // BOLT11: "if a valid s field is not provided: MUST fail the payment".
  if (fields.paymentSecret === null) throw new Bolt11Error('invoice has no payment secret (s field)');
  // BOLT11: "MUST fail the payment if neither a d field nor a h field is present, or if both are
  // present".
  if ((fields.description === null) === (fields.descriptionHash === null)) {
    throw new Bolt11Error(
      fields.description === null
        ? 'invoice has neither a description (d) nor a description hash (h)'
        : 'invoice has both a description (d) and a description hash (h)',
    );
  }

  const hash = signingHash(lower.slice(0, separator), data);
  const payeePubkey = verifySignature(wordsToBytes(words.slice(-SIGNATURE_WORDS)), hash, fields.payee);

  return {
    network,
    amountMsat,
    timestamp: Number(wordsToInt(data.slice(0, TIMESTAMP_WORDS))),
    paymentHash: fields.paymentHash,
    paymentSecret: fields.paymentSecret,
    description: fields.description,
    descriptionHash: fields.descriptionHash,
    expirySec: fields.expirySec ?? DEFAULT_EXPIRY_SEC,
    minFinalCltvExpiry: fields.minFinalCltvExpiry ?? DEFAULT_MIN_FINAL_CLTV_EXPIRY,
    payeePubkey,
    features: fields.features,
    fallbackAddresses: fields.fallbackAddresses,
    routeHints: fields.routeHints,
    metadata: fields.metadata,
  };
}

function parseHrp(hrp: string): { network: Network; amountMsat: bigint | null } {
  if (!hrp.startsWith('ln')) {
    throw new Bolt11Error(`not a Lightning invoice: the prefix "${hrp}" does not start with "ln"`);
  }
  const rest = hrp.slice(2);
  // BOLT11: "if it does NOT understand the prefix: MUST fail the payment".
  const prefix = PREFIXES.find((p) => rest.startsWith(p) && /^(\d|$)/.test(rest.slice(p.length)));
  const network = prefix === undefined ? undefined : NETWORK_BY_PREFIX.get(prefix);
  if (prefix === undefined || network === undefined) {
    throw new Bolt11Error(
      `unknown network prefix "ln${rest.replace(/\d.*$/, '')}" (expected lnbc, lntb, lntbs or lnbcrt)`,
    );
  }
  const amount = rest.slice(prefix.length);
  return { network, amountMsat: amount === '' ? null : hrpToAmount(amount) };
}

interface ParsedFields {
  paymentHash: string | null;
  paymentSecret: string | null;
  description: string | null;
  descriptionHash: string | null;
  payee: Uint8Array | null;
  expirySec: number | null;
  minFinalCltvExpiry: number | null;
  features: number[];
  fallbackAddresses: FallbackAddress[];
  routeHints: RouteHop[][];
  metadata: string | null;
}

function parseFields(data: readonly number[], network: Network): ParsedFields {
  const out: ParsedFields = {
    paymentHash: null,
    paymentSecret: null,
    description: null,
    descriptionHash: null,
    payee: null,
    expirySec: null,
    minFinalCltvExpiry: null,
    features: [],
    fallbackAddresses: [],
    routeHints: [],
    metadata: null,
  };
  let featuresSeen = false;
  let at = TIMESTAMP_WORDS;
  while (at < data.length) {
    if (data.length - at < 3) throw new Bolt11Error('invoice ends in the middle of a tagged field header');
    const type = data[at] ?? 0;
    const length = (data[at + 1] ?? 0) * 32 + (data[at + 2] ?? 0);
    const words = data.slice(at + 3, at + 3 + length);
    if (words.length !== length) {
      throw new Bolt11Error(`a tagged field (type ${type}) runs past the end of the invoice`);
    }
    at += 3 + length;

    const tag = TAG_BY_CODE.get(type);
    // BOLT11: "MUST skip over unknown fields". When a field repeats, the first one counts
    // (BOLT11: "SHOULD use the first p field"; writers put the most preferred first).
    switch (tag) {
      case undefined:
        break;
      // BOLT11 says to fail on p, h, s, n fields of the wrong length, but its own valid example
      // "including fields which must be ignored" carries such fields and must decode: they are
      // skipped here, so an invoice whose only p or s is malformed still fails as missing it.
      case 'p':
        if (length === 52) out.paymentHash ??= toHex(wordsToBytes(words));
        break;
      case 's':
        if (length === 52) out.paymentSecret ??= toHex(wordsToBytes(words));
        break;
      case 'h':
        if (length === 52) out.descriptionHash ??= toHex(wordsToBytes(words));
        break;
      case 'n':
        if (length === 53) out.payee ??= wordsToBytes(words);
        break;
      case 'd':
        if (out.description === null) {
          try {
            out.description = utf8.decode(wordsToBytes(words));
          } catch (err) {
            throw new Bolt11Error('invoice description is not valid UTF-8', { cause: err });
          }
        }
        break;
      case 'm':
        out.metadata ??= toHex(wordsToBytes(words));
        break;
      case 'x':
        out.expirySec ??= minimalInt(words, 'expiry (x)');
        break;
      case 'c':
        out.minFinalCltvExpiry ??= minimalInt(words, 'min_final_cltv_expiry_delta (c)');
        break;
      case '9':
        if (!featuresSeen) {
          featuresSeen = true;
          out.features = parseFeatures(words);
        }
        break;
      case 'f': {
        const version = words[0];
        // BOLT11: "MUST skip over f fields that use an unknown version" (19..31); a program that
        // cannot be an address of its version is skipped the same way.
        if (version === undefined) break;
        const program = wordsToBytes(words.slice(1));
        const address = fallbackAddress(network, version, program);
        if (address !== null) out.fallbackAddresses.push({ version, program: toHex(program), address });
        break;
      }
      case 'r': {
        const route = bytesToRoute(wordsToBytes(words));
        if (route === null) throw new Bolt11Error('invoice has a malformed route hint (r field)');
        out.routeHints.push(route);
        break;
      }
    }
  }
  return out;
}

/** BOLT11: a c, x or 9 field "which has a non-minimal data_length ... SHOULD treat the invoice as invalid". */
function minimalInt(words: readonly number[], what: string): number {
  if (words[0] === 0) throw new Bolt11Error(`invoice ${what} field is not minimally encoded`);
  const value = wordsToInt(words);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Bolt11Error(`invoice ${what} is out of range`);
  return Number(value);
}

function parseFeatures(words: readonly number[]): number[] {
  if (words[0] === 0) throw new Bolt11Error('invoice feature field (9) is not minimally encoded');
  const bits = wordsToFeatures(words);
  // BOLT11: unknown even bits MUST fail the payment, unknown odd bits MUST be ignored.
  const unknown = bits.find((bit) => bit % 2 === 0 && !KNOWN_FEATURES.has(bit));
  if (unknown !== undefined) {
    throw new Bolt11Error(`invoice requires feature bit ${unknown}, which this till does not know`);
  }
  return bits;
}

/**
 * BOLT11: with a valid n field, verify against it and reject high-S signatures; otherwise
 * recover the key, accepting both high-S and low-S.
 */
function verifySignature(signature: Uint8Array, hash: Uint8Array, payee: Uint8Array | null): string {
  const compact = signature.subarray(0, 64);
  const recoveryId = signature[64] ?? 0;
  if (payee !== null) {
    let highS: boolean;
    try {
      highS = secp256k1.Signature.fromBytes(compact, 'compact').hasHighS();
    } catch (err) {
      throw new Bolt11Error('invoice signature does not verify: it is malformed', { cause: err });
    }
    if (highS) {
      throw new Bolt11Error('invoice signature is not in low-S form, which BOLT11 requires with an n field');
    }
    if (!secp256k1.verify(compact, hash, payee, { prehash: false, lowS: true })) {
      throw new Bolt11Error('invoice signature does not verify against its payee public key (n field)');
    }
    return toHex(payee);
  }
  if (recoveryId > 3)
    throw new Bolt11Error(`invoice signature has recovery id ${recoveryId}; it must be 0 to 3`);
  try {
    // noble's recovered format puts the recovery id first.
    const recovered = new Uint8Array(65);
    recovered[0] = recoveryId;
    recovered.set(compact, 1);
    return toHex(secp256k1.recoverPublicKey(recovered, hash, { prehash: false }));
  } catch (err) {
    throw new Bolt11Error('invoice signature does not verify: no public key can be recovered from it', {
      cause: err,
    });
  }
}
