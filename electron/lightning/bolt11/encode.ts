import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bech32 } from '@scure/base';
import type { Network } from '../../../shared/domain/index.js';
import {
  Bolt11Error,
  bytesToWords,
  featuresToWords,
  hexBytes,
  hrpFor,
  intToWords,
  isUint,
  MAX_FIELD_BYTES,
  MAX_FIELD_WORDS,
  routeToBytes,
  signingHash,
  TAG_CODE,
  TIMESTAMP_WORDS,
  type TaggedField,
} from './format.js';

interface CommonFields {
  network: Network;
  /** Omitted or null: an invoice for any amount. */
  amountMsat?: bigint | null;
  /** Unix seconds. */
  timestamp: number;
  paymentHash: string;
  paymentSecret: string;
  /** BOLT11 default when omitted: 3600. */
  expirySec?: number;
  /** BOLT11 default when omitted: 18. */
  minFinalCltvExpiry?: number;
  /** Feature bit numbers for the `9` field; defaults to DEFAULT_FEATURES. */
  features?: readonly number[];
}

/** BOLT11: "MUST include either exactly one d or exactly one h field". */
export type InvoiceFields = CommonFields &
  (
    | { description: string; descriptionHash?: undefined }
    | { descriptionHash: string; description?: undefined }
  );

/** var_onion_optin (8) and payment_secret (14), both required, as in the BOLT11 examples ("9qrsgq"). */
export const DEFAULT_FEATURES: readonly number[] = [8, 14];

export interface UnsignedInvoice {
  network: Network;
  amountMsat: bigint | null;
  timestamp: number;
  /** Written in this order. */
  tags: readonly TaggedField[];
}

/**
 * Encodes and signs an invoice, lowercase. Fields go in the order of the BOLT11 examples
 * (s, p, d|h, x, c, 9), so the examples' invoices come out byte for byte.
 */
export function encodeInvoice(fields: InvoiceFields, privateKey: Uint8Array): string {
  const tags: TaggedField[] = [
    { tag: 's', paymentSecret: fields.paymentSecret },
    { tag: 'p', paymentHash: fields.paymentHash },
  ];
  if (fields.description !== undefined) tags.push({ tag: 'd', description: fields.description });
  else tags.push({ tag: 'h', descriptionHash: fields.descriptionHash });
  if (fields.expirySec !== undefined) tags.push({ tag: 'x', expirySec: fields.expirySec });
  if (fields.minFinalCltvExpiry !== undefined) {
    tags.push({ tag: 'c', minFinalCltvExpiry: fields.minFinalCltvExpiry });
  }
  const features = fields.features ?? DEFAULT_FEATURES;
  // BOLT11: with no feature bits set, "MUST omit the 9 field altogether".
  if (features.length > 0) tags.push({ tag: '9', features });
  return signInvoice(
    { network: fields.network, amountMsat: fields.amountMsat ?? null, timestamp: fields.timestamp, tags },
    privateKey,
  );
}

/** Writes the given tagged fields in order and signs them (the low-level half of encodeInvoice). */
export function signInvoice(invoice: UnsignedInvoice, privateKey: Uint8Array): string {
  if (!secp256k1.utils.isValidSecretKey(privateKey)) {
    throw new Bolt11Error('the signing key is not a valid secp256k1 private key');
  }
  if (!isUint(invoice.timestamp, 2 ** 35 - 1)) {
    throw new Bolt11Error(`timestamp ${invoice.timestamp} does not fit BOLT11's 35 bits`);
  }
  const hrp = hrpFor(invoice.network, invoice.amountMsat);
  const timestamp = intToWords(BigInt(invoice.timestamp));
  const data = [...new Array<number>(TIMESTAMP_WORDS - timestamp.length).fill(0), ...timestamp];
  for (const field of invoice.tags) {
    const words = fieldWords(field);
    if (words.length > MAX_FIELD_WORDS) {
      throw new Bolt11Error(
        `the ${field.tag} field is ${words.length} words long; BOLT11 allows ${MAX_FIELD_WORDS} (${MAX_FIELD_BYTES} bytes)`,
      );
    }
    data.push(TAG_CODE[field.tag], words.length >> 5, words.length & 31, ...words);
  }
  const recovered = secp256k1.sign(signingHash(hrp, data), privateKey, {
    prehash: false,
    format: 'recovered',
  });
  // noble puts the recovery id first; BOLT11 wants R || S || recovery id.
  const signature = new Uint8Array(65);
  signature.set(recovered.subarray(1), 0);
  signature[64] = recovered[0] ?? 0;
  // BOLT11: "MAY exceed the 90-character limit specified in BIP-0173".
  return bech32.encode(hrp, [...data, ...bytesToWords(signature)], false);
}

// Lone surrogates have no UTF-8 form: TextEncoder would silently write U+FFFD instead.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function fieldWords(field: TaggedField): number[] {
  switch (field.tag) {
    case 'p':
      return bytesToWords(hexBytes(field.paymentHash, 32, 'payment hash'));
    case 's':
      return bytesToWords(hexBytes(field.paymentSecret, 32, 'payment secret'));
    case 'h':
      return bytesToWords(hexBytes(field.descriptionHash, 32, 'description hash'));
    case 'd': {
      if (LONE_SURROGATE.test(field.description)) {
        throw new Bolt11Error('the description is not valid Unicode (it has a lone surrogate)');
      }
      const bytes = new TextEncoder().encode(field.description);
      if (bytes.length > MAX_FIELD_BYTES) {
        throw new Bolt11Error(
          `the description is ${bytes.length} bytes of UTF-8; BOLT11 allows ${MAX_FIELD_BYTES} (use a description hash)`,
        );
      }
      return bytesToWords(bytes);
    }
    case 'm':
      return bytesToWords(hexBytes(field.metadata, null, 'payment metadata'));
    case 'n': {
      const key = hexBytes(field.payeePubkey, 33, 'payee public key');
      if (!secp256k1.utils.isValidPublicKey(key, true)) {
        throw new Bolt11Error('the payee public key is not a point on secp256k1');
      }
      return bytesToWords(key);
    }
    case 'x':
      return intToWords(BigInt(nonNegative(field.expirySec, 'expiry')));
    case 'c':
      return intToWords(BigInt(nonNegative(field.minFinalCltvExpiry, 'min_final_cltv_expiry_delta')));
    case 'f':
      if (!isUint(field.fallback.version, 31)) {
        throw new Bolt11Error(`fallback version ${field.fallback.version} does not fit 5 bits`);
      }
      return [
        field.fallback.version,
        ...bytesToWords(hexBytes(field.fallback.program, null, 'fallback program')),
      ];
    case 'r':
      return bytesToWords(routeToBytes(field.route));
    case '9':
      return featuresToWords(field.features);
  }
}

function nonNegative(value: number, what: string): number {
  if (!isUint(value, Number.MAX_SAFE_INTEGER)) {
    throw new Bolt11Error(`${what} must be a whole number of 0 or more, got ${value}`);
  }
  return value;
}
