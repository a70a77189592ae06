import { secp256k1 } from '@noble/curves/secp256k1.js';
import bolt11 from 'bolt11';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeInvoice, type DecodedInvoice } from './decode.js';
import { DEFAULT_FEATURES, encodeInvoice, signInvoice } from './encode.js';
import { amountToHrp, Bolt11Error, hrpToAmount, type RouteHop, type TaggedField } from './format.js';
import { programOf, SPEC_PRIVATE_KEY, VALID_EXAMPLES, type ExpectedInvoice } from './spec-examples.js';
import {
  amountArb,
  BOLT11_NETWORKS,
  bolt11FeatureBits,
  descriptionArb,
  featuresArb,
  fieldsArb,
  hex32,
  privateKeyArb,
  recoverSigner,
} from './test-support.js';

const SPEC_KEY = Buffer.from(SPEC_PRIVATE_KEY, 'hex');
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function example(titleStart: string) {
  const found = VALID_EXAMPLES.find((e) => e.title.startsWith(titleStart));
  if (!found) throw new Error(`no spec example titled "${titleStart}…"`);
  return found;
}

/** The example's stated values as tagged fields, in the order its breakdown lists them. */
function tagsInOrder(expected: ExpectedInvoice, order: string): TaggedField[] {
  return [...order].map((tag): TaggedField => {
    switch (tag) {
      case 'p':
        return { tag, paymentHash: expected.paymentHash };
      case 's':
        return { tag, paymentSecret: expected.paymentSecret };
      case 'd':
        return { tag, description: expected.description ?? '' };
      case 'h':
        return { tag, descriptionHash: expected.descriptionHash ?? '' };
      case 'm':
        return { tag, metadata: expected.metadata ?? '' };
      case 'x':
        return { tag, expirySec: expected.expirySec };
      case 'c':
        return { tag, minFinalCltvExpiry: expected.minFinalCltvExpiry };
      case 'f': {
        const { version, address } = expected.fallbackAddresses[0]!;
        return { tag, fallback: { version, program: programOf(address) } };
      }
      case 'r':
        return { tag, route: expected.routeHints[0]! };
      case '9':
        return { tag, features: expected.features };
      default:
        throw new Error(`unknown tag ${tag}`);
    }
  });
}

describe('the encoder reproduces the spec examples byte for byte (spec private key)', () => {
  it.each([
    'Please make a donation',
    'Please send $3 for a cup of coffee',
    'Please send 0.0025 BTC for a cup of nonsense',
    'Now send $24 for an entire list of things',
  ])('encodeInvoice: %s…', (title) => {
    const { invoice, expected } = example(title);
    const common = {
      network: expected.network,
      amountMsat: expected.amountMsat,
      timestamp: expected.timestamp,
      paymentHash: expected.paymentHash,
      paymentSecret: expected.paymentSecret,
      // The examples write x only when it differs from the default and never write c.
      expirySec: expected.expirySec === 3600 ? undefined : expected.expirySec,
      features: expected.features,
    };
    const encoded =
      expected.description !== null
        ? encodeInvoice({ ...common, description: expected.description }, SPEC_KEY)
        : encodeInvoice({ ...common, descriptionHash: expected.descriptionHash ?? '' }, SPEC_KEY);
    expect(encoded).toBe(invoice);
  });

  it.each([
    ['The same, on testnet, with a fallback address', 'shpf9'],
    ['On mainnet, with fallback address 1RustyRX2oai4EYYDpQGWvEL62BBGqN9T', 'sphfr9'],
    ['On mainnet, with fallback (P2SH)', 'shpf9'],
    ['On mainnet, with fallback (P2WPKH)', 'shpf9'],
    ['On mainnet, with fallback (P2WSH)', 'shpf9'],
    ['On mainnet, with fallback (P2TR)', 'sphf9'],
    ['Please send 0.00967878534 BTC', 'pdsxcr9'],
    ['Please send $30 for coffee beans', 'pds9'],
    ['Please send 0.01 BTC with payment metadata', 'pdms9'],
  ])('signInvoice: %s… (fields %s)', (title, order) => {
    const { invoice, expected } = example(title);
    const encoded = signInvoice(
      {
        network: expected.network,
        amountMsat: expected.amountMsat,
        timestamp: expected.timestamp,
        tags: tagsInOrder(expected, order),
      },
      SPEC_KEY,
    );
    expect(encoded).toBe(invoice);
  });

  it('upper-casing the coffee beans invoice gives the spec\'s "all upper case" example', () => {
    const { expected } = example('Please send $30 for coffee beans');
    const encoded = signInvoice(
      {
        network: 'mainnet',
        amountMsat: expected.amountMsat,
        timestamp: expected.timestamp,
        tags: tagsInOrder(expected, 'pds9'),
      },
      SPEC_KEY,
    );
    expect(encoded.toUpperCase()).toBe(example('Same, but all upper case').invoice);
  });
});

describe('amounts', () => {
  it.each([
    [1n, '10p'],
    [9n, '90p'],
    [100n, '1n'],
    [123_400n, '1234n'],
    [100_000n, '1u'],
    [250_000_000n, '2500u'],
    [2_500_000_000n, '25m'],
    [967_878_534n, '9678785340p'],
    [100_000_000_000n, '1'],
    [2_100_000_000_000_000_000n, '21000000'],
  ])('%s msat is written as "%s"', (msat, hrp) => {
    expect(amountToHrp(msat)).toBe(hrp);
    expect(hrpToAmount(hrp)).toBe(msat);
  });

  it('refuses amounts that are not positive', () => {
    expect(() => amountToHrp(0n)).toThrow(/positive/);
    expect(() => amountToHrp(-1n)).toThrow(/positive/);
  });

  it('always picks the largest exact multiplier, and a pico amount always ends in 0', () => {
    // BOLT11 multipliers from largest to smallest, as msat per written unit (p is 0.1 msat).
    const units: [string, bigint][] = [
      ['', 100_000_000_000n],
      ['m', 100_000_000n],
      ['u', 100_000n],
      ['n', 100n],
    ];
    fc.assert(
      fc.property(amountArb, (msat) => {
        const hrp = amountToHrp(msat);
        expect(hrpToAmount(hrp)).toBe(msat);
        const suffix = /[munp]$/.exec(hrp)?.[0] ?? '';
        const largest = units.find(([, per]) => msat % per === 0n)?.[0] ?? 'p';
        expect(suffix).toBe(largest);
        if (suffix === 'p') expect(hrp).toMatch(/0p$/);
        expect(hrp).toMatch(/^[1-9]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('encode → decode round trips', () => {
  it('our decoder and the bolt11 package both read back what was encoded, signed by the key used', () => {
    fc.assert(
      fc.property(fieldsArb, privateKeyArb, (fields, privateKey) => {
        const invoice = encodeInvoice(fields, privateKey);
        const pubkey = hex(secp256k1.getPublicKey(privateKey, true));
        const features = [...(fields.features ?? DEFAULT_FEATURES)];
        expect(invoice).toBe(invoice.toLowerCase());

        expect(decodeInvoice(invoice)).toEqual({
          network: fields.network,
          amountMsat: fields.amountMsat ?? null,
          timestamp: fields.timestamp,
          paymentHash: fields.paymentHash,
          paymentSecret: fields.paymentSecret,
          description: fields.description ?? null,
          descriptionHash: fields.descriptionHash ?? null,
          expirySec: fields.expirySec ?? 3600,
          minFinalCltvExpiry: fields.minFinalCltvExpiry ?? 18,
          payeePubkey: pubkey,
          features,
          fallbackAddresses: [],
          routeHints: [],
          metadata: null,
        } satisfies DecodedInvoice);

        const theirs = bolt11.decode(invoice, BOLT11_NETWORKS[fields.network]);
        expect(theirs.payeeNodeKey).toBe(pubkey);
        expect(theirs.millisatoshis ?? null).toBe(fields.amountMsat?.toString() ?? null);
        expect(theirs.timestamp).toBe(fields.timestamp);
        expect(theirs.tagsObject.payment_hash).toBe(fields.paymentHash);
        expect(theirs.tagsObject.payment_secret).toBe(fields.paymentSecret);
        expect(theirs.tagsObject.description).toBe(fields.description);
        expect(theirs.tagsObject.purpose_commit_hash).toBe(fields.descriptionHash);
        expect(theirs.tagsObject.expire_time).toBe(fields.expirySec);
        expect(theirs.tagsObject.min_final_cltv_expiry).toBe(fields.minFinalCltvExpiry);
        expect(bolt11FeatureBits(theirs.tagsObject.feature_bits)).toEqual(features);

        // bolt11.decode does not check signatures: recover and verify independently.
        expect(recoverSigner(invoice)).toEqual({ pubkey, verifies: true });
      }),
      { numRuns: 200 },
    );
  });

  const hopArb: fc.Arbitrary<RouteHop> = fc.record({
    pubkey: privateKeyArb.map((k) => hex(secp256k1.getPublicKey(k, true))),
    shortChannelId: fc
      .tuple(fc.nat(2 ** 24 - 1), fc.nat(2 ** 24 - 1), fc.nat(2 ** 16 - 1))
      .map(([b, t, o]) => `${b}x${t}x${o}`),
    feeBaseMsat: fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }),
    feeProportionalMillionths: fc.nat(2 ** 32 - 1),
    cltvExpiryDelta: fc.nat(2 ** 16 - 1),
  });
  const programArb = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map(hex);
  const fallbackArb = fc.oneof(
    fc.record({ version: fc.constantFrom(17, 18), program: programArb(20, 20) }),
    fc.record({ version: fc.constant(0), program: fc.oneof(programArb(20, 20), programArb(32, 32)) }),
    fc.record({ version: fc.integer({ min: 1, max: 16 }), program: programArb(2, 40) }),
  );

  it('any order of tagged fields, with n, m, f and r, decodes to what was written', () => {
    fc.assert(
      fc.property(
        fc.record({
          network: fc.constantFrom(
            'mainnet' as const,
            'testnet' as const,
            'signet' as const,
            'regtest' as const,
          ),
          amountMsat: fc.option(amountArb, { nil: null }),
          timestamp: fc.integer({ min: 0, max: 2 ** 35 - 1 }),
          paymentHash: hex32,
          paymentSecret: hex32,
          description: descriptionArb,
          withPayee: fc.boolean(),
          metadata: fc.option(fc.uint8Array({ maxLength: 100 }).map(hex), { nil: null }),
          expirySec: fc.option(fc.integer({ min: 1, max: 2 ** 32 }), { nil: null }),
          fallbacks: fc.array(fallbackArb, { maxLength: 3 }),
          routes: fc.array(fc.array(hopArb, { minLength: 1, maxLength: 3 }), { maxLength: 2 }),
          features: featuresArb,
        }),
        privateKeyArb,
        fc.infiniteStream(fc.nat()),
        (v, privateKey, order) => {
          const pubkey = hex(secp256k1.getPublicKey(privateKey, true));
          const singles: TaggedField[] = [
            { tag: 'p', paymentHash: v.paymentHash },
            { tag: 's', paymentSecret: v.paymentSecret },
            { tag: 'd', description: v.description },
          ];
          if (v.withPayee) singles.push({ tag: 'n', payeePubkey: pubkey });
          if (v.metadata !== null) singles.push({ tag: 'm', metadata: v.metadata });
          if (v.expirySec !== null) singles.push({ tag: 'x', expirySec: v.expirySec });
          if (v.features.length > 0) singles.push({ tag: '9', features: v.features });
          // Repeated f and r keep their relative order (writers list the preferred first).
          const repeated: TaggedField[] = [
            ...v.fallbacks.map((fallback): TaggedField => ({ tag: 'f', fallback })),
            ...v.routes.map((route): TaggedField => ({ tag: 'r', route })),
          ];
          const tags = [...repeated];
          for (const field of singles) tags.splice(order.next().value % (tags.length + 1), 0, field);

          const invoice = signInvoice(
            { network: v.network, amountMsat: v.amountMsat, timestamp: v.timestamp, tags },
            privateKey,
          );
          const decoded = decodeInvoice(invoice);
          expect(decoded).toMatchObject({
            network: v.network,
            amountMsat: v.amountMsat,
            timestamp: v.timestamp,
            paymentHash: v.paymentHash,
            paymentSecret: v.paymentSecret,
            description: v.description,
            descriptionHash: null,
            expirySec: v.expirySec ?? 3600,
            payeePubkey: pubkey,
            features: v.features,
            routeHints: v.routes,
            metadata: v.metadata,
          });
          expect(decoded.fallbackAddresses.map(({ version, program }) => ({ version, program }))).toEqual(
            v.fallbacks,
          );
          for (const { address, program } of decoded.fallbackAddresses)
            expect(programOf(address)).toBe(program);
          expect(recoverSigner(invoice)).toEqual({ pubkey, verifies: true });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('the encoder refuses what BOLT11 cannot carry', () => {
  const fields = {
    network: 'regtest' as const,
    amountMsat: 1000n,
    timestamp: 1_700_000_000,
    paymentHash: '00'.repeat(32),
    paymentSecret: '11'.repeat(32),
    description: 'ok',
  };

  it('takes a description of exactly 639 bytes and refuses 640', () => {
    const invoice = encodeInvoice({ ...fields, description: 'é'.repeat(319) + 'a' }, SPEC_KEY);
    expect(decodeInvoice(invoice).description).toHaveLength(320);
    expect(() => encodeInvoice({ ...fields, description: 'é'.repeat(320) }, SPEC_KEY)).toThrow(
      /640 bytes.*639/,
    );
  });

  it.each([
    ['a zero amount', { ...fields, amountMsat: 0n }, /positive/],
    [
      'a payment hash that is not 32 bytes of hex',
      { ...fields, paymentHash: 'ab' },
      /payment hash must be 32 bytes/,
    ],
    ['an upper-case payment hash', { ...fields, paymentHash: 'AB'.repeat(32) }, /lowercase hex/],
    ['a lone surrogate in the description', { ...fields, description: 'tea \uD800' }, /lone surrogate/],
    ['a timestamp past 35 bits', { ...fields, timestamp: 2 ** 35 }, /35 bits/],
    ['a negative expiry', { ...fields, expirySec: -1 }, /expiry must be a whole number/],
    ['a negative feature bit', { ...fields, features: [-2] }, /feature bit/],
  ])('refuses %s', (_name, bad, reason) => {
    expect(() => encodeInvoice(bad, SPEC_KEY)).toThrow(Bolt11Error);
    expect(() => encodeInvoice(bad, SPEC_KEY)).toThrow(reason);
  });

  it('refuses a field over 1023 words and a key that is not a secp256k1 secret', () => {
    const tags: TaggedField[] = [{ tag: 'm', metadata: '00'.repeat(640) }];
    expect(() => signInvoice({ network: 'regtest', amountMsat: null, timestamp: 0, tags }, SPEC_KEY)).toThrow(
      /1024 words long; BOLT11 allows 1023/,
    );
    expect(() => encodeInvoice(fields, new Uint8Array(32))).toThrow(/not a valid secp256k1 private key/);
  });

  it('refuses a malformed route hop', () => {
    const hop: RouteHop = {
      pubkey: '02'.padEnd(66, '1'),
      shortChannelId: '16777216x0x0',
      feeBaseMsat: 0n,
      feeProportionalMillionths: 0,
      cltvExpiryDelta: 0,
    };
    const tags: TaggedField[] = [{ tag: 'r', route: [hop] }];
    expect(() => signInvoice({ network: 'regtest', amountMsat: null, timestamp: 0, tags }, SPEC_KEY)).toThrow(
      /short channel id/,
    );
  });
});
