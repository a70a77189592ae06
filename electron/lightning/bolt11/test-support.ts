import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bech32 } from '@scure/base';
import type { TagsObject } from 'bolt11';
import fc from 'fast-check';
import type { Network } from '../../../shared/domain/index.js';
import type { InvoiceFields } from './encode.js';

/**
 * Test support for the BOLT11 codec: fast-check generators and an independent signature
 * check that uses @noble/curves and @scure/base directly, never our own format.ts.
 */

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(hex);

export const privateKeyArb = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .filter((key) => secp256k1.utils.isValidSecretKey(key));

/** Amounts up to 21 million BTC, often round so that every multiplier gets exercised. */
export const amountArb = fc.oneof(
  fc.bigInt({ min: 1n, max: 2_100_000_000_000_000_000n }),
  fc
    .tuple(
      fc.bigInt({ min: 1n, max: 1_000_000n }),
      fc.constantFrom(1n, 10n, 100n, 100_000n, 100_000_000n, 100_000_000_000n),
    )
    .map(([n, unit]) => n * unit),
);

/** Known even (required) bits and arbitrary odd (optional) ones: all decode. */
export const featuresArb = fc
  .uniqueArray(
    fc.oneof(
      fc.constantFrom(8, 14, 16, 24, 48),
      fc.integer({ min: 0, max: 300 }).map((n) => n * 2 + 1),
    ),
    { maxLength: 8 },
  )
  .map((bits) => [...bits].sort((a, b) => a - b));

const networkArb = fc.constantFrom<Network>('mainnet', 'testnet', 'signet', 'regtest');

// At most 4 UTF-8 bytes per code point, so 159 code points always fit BOLT11's 639 bytes.
export const descriptionArb = fc.string({ unit: 'binary', maxLength: 159 });

/** BOLT11: exactly one of d and h. */
const purposeArb: fc.Arbitrary<{ description: string } | { descriptionHash: string }> = fc.oneof(
  descriptionArb.map((description) => ({ description })),
  hex32.map((descriptionHash) => ({ descriptionHash })),
);

export const fieldsArb: fc.Arbitrary<InvoiceFields> = fc
  .record({
    network: networkArb,
    amountMsat: fc.option(amountArb, { nil: null }),
    timestamp: fc.integer({ min: 0, max: 2 ** 35 - 1 }),
    paymentHash: hex32,
    paymentSecret: hex32,
    purpose: purposeArb,
    expirySec: fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }),
    minFinalCltvExpiry: fc.option(fc.integer({ min: 0, max: 2 ** 20 }), { nil: undefined }),
    features: fc.option(featuresArb, { nil: undefined }),
  })
  .map(({ purpose, ...rest }): InvoiceFields =>
    'description' in purpose
      ? { ...rest, description: purpose.description }
      : { ...rest, descriptionHash: purpose.descriptionHash },
  );

/** The bolt11 package's network objects; it knows only mainnet, testnet and regtest by itself. */
export const BOLT11_NETWORKS = {
  mainnet: { bech32: 'bc', pubKeyHash: 0x00, scriptHash: 0x05, validWitnessVersions: [0, 1] },
  testnet: { bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  signet: { bech32: 'tbs', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  regtest: { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
} satisfies Record<
  Network,
  { bech32: string; pubKeyHash: number; scriptHash: number; validWitnessVersions: number[] }
>;

/** bolt11's FEATUREBIT_ORDER: feature i is required at bit 2i, supported at 2i + 1. */
const BOLT11_FEATURE_NAMES = [
  'option_data_loss_protect',
  'initial_routing_sync',
  'option_upfront_shutdown_script',
  'gossip_queries',
  'var_onion_optin',
  'gossip_queries_ex',
  'option_static_remotekey',
  'payment_secret',
  'basic_mpp',
  'option_support_large_channel',
] as const;

/** Set bit numbers from the bolt11 package's feature_bits object. */
export function bolt11FeatureBits(featureBits: TagsObject['feature_bits']): number[] {
  if (featureBits === undefined) return [];
  const bits: number[] = [];
  BOLT11_FEATURE_NAMES.forEach((name, i) => {
    const feature = featureBits[name];
    if (feature?.required) bits.push(2 * i);
    if (feature?.supported) bits.push(2 * i + 1);
  });
  featureBits.extra_bits?.bits.forEach((set, j) => {
    if (set) bits.push((featureBits.extra_bits?.start_bit ?? 0) + j);
  });
  return bits.sort((a, b) => a - b);
}

/** BIP-173 convertbits from 5-bit words to bytes with zero padding, as BOLT11 signs them. */
function wordsToPaddedBytes(words: readonly number[]): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const w of words) {
    acc = ((acc << 5) | w) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  if (bits > 0) out.push((acc << (8 - bits)) & 0xff);
  return Uint8Array.from(out);
}

/**
 * Recovers the signer of an invoice from its signature, computing the signed message from the
 * spec's definition with third-party primitives only; also checks the signature verifies (low-S).
 */
export function recoverSigner(invoice: string): { pubkey: string; verifies: boolean } {
  const { prefix, words } = bech32.decode(invoice.toLowerCase(), false);
  const data = words.slice(0, -104);
  const sig = bech32.fromWords(words.slice(-104));
  const hrp = new TextEncoder().encode(prefix);
  const body = wordsToPaddedBytes(data);
  const message = new Uint8Array(hrp.length + body.length);
  message.set(hrp);
  message.set(body, hrp.length);
  const hash = sha256(message);
  const recovered = new Uint8Array(65);
  recovered[0] = sig[64] ?? 0;
  recovered.set(sig.subarray(0, 64), 1);
  const pubkey = secp256k1.recoverPublicKey(recovered, hash, { prehash: false });
  return {
    pubkey: hex(pubkey),
    verifies: secp256k1.verify(sig.subarray(0, 64), hash, pubkey, { prehash: false, lowS: true }),
  };
}

/**
 * Signs arbitrary data words under a prefix, bypassing our encoder: builds invoices that break
 * a BOLT11 rule yet carry a valid signature, so the decoder must reject them for the rule.
 */
export function signRawInvoice(hrp: string, dataWords: readonly number[], privateKey: Uint8Array): string {
  const prefix = new TextEncoder().encode(hrp);
  const body = wordsToPaddedBytes(dataWords);
  const message = new Uint8Array(prefix.length + body.length);
  message.set(prefix);
  message.set(body, prefix.length);
  const recovered = secp256k1.sign(sha256(message), privateKey, { prehash: false, format: 'recovered' });
  const sig = new Uint8Array(65);
  sig.set(recovered.subarray(1));
  sig[64] = recovered[0] ?? 0;
  return bech32.encode(hrp, [...dataWords, ...bech32.toWords(sig)], false);
}

/** A tagged field as raw words: type, 10-bit length, data. */
export function rawField(type: number, data: readonly number[]): number[] {
  return [type, data.length >> 5, data.length & 31, ...data];
}

/** Bytes to words, zero-padded (BIP-173 convertbits 8 → 5). */
export const toWords = (bytes: Uint8Array): number[] => bech32.toWords(bytes);
