import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bech32 } from '@scure/base';
import bolt11 from 'bolt11';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeInvoice } from './decode.js';
import { encodeInvoice } from './encode.js';
import { Bolt11Error } from './format.js';
import {
  INVALID_EXAMPLES,
  programOf,
  SPEC_PAYMENT_HASH,
  SPEC_PAYMENT_SECRET,
  SPEC_PRIVATE_KEY,
  SPEC_TIMESTAMP,
  VALID_EXAMPLES,
} from './spec-examples.js';
import { fieldsArb, privateKeyArb, rawField, signRawInvoice, toWords } from './test-support.js';

const SPEC_FILE = resolve(import.meta.dirname, '../../../contracts/bolt11/11-payment-encoding.md');
const key = Buffer.from(SPEC_PRIVATE_KEY, 'hex');

function rejection(text: string): Bolt11Error {
  try {
    decodeInvoice(text);
  } catch (err) {
    if (err instanceof Bolt11Error) return err;
    throw new Error('decodeInvoice threw something other than a Bolt11Error', { cause: err });
  }
  throw new Error('decodeInvoice accepted the invoice');
}

describe('BOLT11 spec examples', () => {
  it('the fixture holds every example of the spec, and only those', () => {
    const md = readFileSync(SPEC_FILE, 'utf8');
    const examples = md.slice(md.indexOf('\n# Examples\n'));
    const invalidAt = examples.indexOf('# Examples of Invalid Invoices');
    const found: { valid: string[]; invalid: string[] } = { valid: [], invalid: [] };
    // An invoice is a line of its own, usually quoted ("> lnbc…"); one spec example is not.
    for (const m of examples.matchAll(/^(?:> )?((?:ln|LN)[a-zA-Z0-9]{50,}|pvjluez[a-z0-9]+)$/gm)) {
      (m.index < invalidAt ? found.valid : found.invalid).push(m[1]!);
    }
    expect(found.valid).toEqual(VALID_EXAMPLES.map((e) => e.invoice));
    expect(found.invalid).toEqual(INVALID_EXAMPLES.map((e) => e.invoice));
  });

  describe('valid examples decode to the values the spec states', () => {
    it.each(VALID_EXAMPLES)('$title', ({ invoice, expected }) => {
      const { fallbackAddresses, ...rest } = decodeInvoice(invoice);
      const { fallbackAddresses: expectedFallbacks, ...expectedRest } = expected;
      expect(rest).toEqual(expectedRest);
      expect(fallbackAddresses).toEqual(
        expectedFallbacks.map((f) => ({ ...f, program: programOf(f.address) })),
      );
    });

    it('recovers the same key from the high-S example as libsecp256k1 does (via the bolt11 package)', () => {
      const highS = VALID_EXAMPLES.find((e) => e.title.includes('high-S'))!;
      expect(decodeInvoice(highS.invoice).payeePubkey).toBe(bolt11.decode(highS.invoice).payeeNodeKey);
    });
  });

  describe('invalid examples are rejected for the reason the spec gives', () => {
    it.each(INVALID_EXAMPLES)('$title', ({ invoice, reason }) => {
      expect(rejection(invoice).message).toMatch(reason);
    });
  });
});

describe('decodeInvoice input forms', () => {
  const coffee = VALID_EXAMPLES[1]!;

  it('tolerates a lightning: prefix and surrounding whitespace, in either case', () => {
    expect(decodeInvoice(`lightning:${coffee.invoice}`).paymentHash).toBe(SPEC_PAYMENT_HASH);
    expect(decodeInvoice(`  LIGHTNING:${coffee.invoice.toUpperCase()}\n`).amountMsat).toBe(250_000_000n);
  });

  it('names an unknown network prefix', () => {
    const { words } = bech32.decode(coffee.invoice, false);
    expect(rejection(bech32.encode('lnsb2500u', words, false)).message).toMatch(
      /unknown network prefix "lnsb"/,
    );
    expect(rejection(bech32.encode('xxbc2500u', words, false)).message).toMatch(/does not start with "ln"/);
  });

  it('rejects a text that is not bech32 at all', () => {
    expect(rejection('').message).toMatch(/separator/);
    expect(rejection('lnbc1bbbbbb').message).toMatch(/bech32/);
  });
});

describe('reader rules beyond the spec examples (validly signed invoices that break one rule)', () => {
  // Timestamp 1: seven 5-bit words.
  const timestamp = [0, 0, 0, 0, 0, 0, 1];
  const p = rawField(1, toWords(Buffer.from(SPEC_PAYMENT_HASH, 'hex')));
  const s = rawField(16, toWords(Buffer.from(SPEC_PAYMENT_SECRET, 'hex')));
  const d = rawField(13, toWords(new TextEncoder().encode('tea')));
  const h = rawField(23, toWords(sha256(new TextEncoder().encode('tea'))));
  const sign = (...fields: number[][]) => signRawInvoice('lnbc', [...timestamp, ...fields.flat()], key);

  it('accepts the minimal invoice these cases are built from', () => {
    expect(decodeInvoice(sign(p, s, d))).toMatchObject({ description: 'tea', timestamp: 1, features: [] });
  });

  it.each([
    ['both d and h', [p, s, d, h], /both a description/],
    ['neither d nor h', [p, s], /neither a description/],
    ['no p field', [s, d], /no payment hash/],
    [
      'a p field of the wrong length only',
      [rawField(1, new Array<number>(51).fill(3)), s, d],
      /no payment hash/,
    ],
    [
      'an x field with a leading 0 word',
      [p, s, d, rawField(6, [0, 1])],
      /expiry \(x\) field is not minimally/,
    ],
    [
      'a c field with a leading 0 word',
      [p, s, d, rawField(24, [0, 9])],
      /min_final_cltv_expiry_delta \(c\) field is not minimally/,
    ],
    [
      'a 9 field with a leading 0 word',
      [p, s, d, rawField(5, [0, 0b10000, 0b01000, 0])],
      /feature field \(9\) is not minimally/,
    ],
    ['an unknown even feature bit 20', [p, s, d, rawField(5, [1, 0, 0, 0, 0])], /feature bit 20\b/],
    [
      'a description that is not UTF-8',
      [p, s, rawField(13, toWords(Uint8Array.of(0xc3, 0x28)))],
      /not valid UTF-8/,
    ],
    [
      'a route hint that is not a whole number of hops',
      [p, s, d, rawField(3, toWords(new Uint8Array(50)))],
      /route hint/,
    ],
    ['a field that runs past the end', [p, s, d, [13, 1, 0, 1, 2]], /runs past the end/],
  ])('rejects %s', (_name, fields, reason) => {
    expect(rejection(sign(...fields)).message).toMatch(reason);
  });

  it('ignores an unknown odd feature bit and unknown tags, skips f fields of unknown version', () => {
    const decoded = decodeInvoice(
      sign(
        p,
        s,
        d,
        rawField(5, [1, 0, 0, 0, 0, 0]),
        rawField(10, [1, 2, 3]),
        rawField(9, [19, ...toWords(new Uint8Array(20))]),
      ),
    );
    expect(decoded.features).toEqual([25]);
    expect(decoded.fallbackAddresses).toEqual([]);
  });

  it('uses the first of repeated p fields', () => {
    const other = rawField(1, toWords(new Uint8Array(32).fill(7)));
    expect(decodeInvoice(sign(p, other, s, d)).paymentHash).toBe(SPEC_PAYMENT_HASH);
  });

  it('verifies against an n field and rejects one that names another node', () => {
    const payee = secp256k1.getPublicKey(key, true);
    const n = rawField(19, toWords(payee));
    expect(decodeInvoice(sign(p, s, d, n)).payeePubkey).toBe(Buffer.from(payee).toString('hex'));
    const stranger = rawField(19, toWords(secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), true)));
    expect(rejection(sign(p, s, d, stranger)).message).toMatch(/does not verify against its payee/);
  });

  it('keeps the timestamp the spec examples carry', () => {
    expect(decodeInvoice(VALID_EXAMPLES[0]!.invoice).timestamp).toBe(SPEC_TIMESTAMP);
  });
});

describe('tampering', () => {
  const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

  it('changing any one character of a valid invoice makes it fail to decode', () => {
    fc.assert(
      fc.property(
        fieldsArb,
        privateKeyArb,
        fc.nat(),
        fc.integer({ min: 1, max: BECH32.length - 1 }),
        (fields, privateKey, at, shift) => {
          const invoice = encodeInvoice(fields, privateKey);
          const i = at % invoice.length;
          const original = invoice[i]!;
          const pool = BECH32.includes(original) ? BECH32 : `${BECH32}1`;
          const replacement = pool[(pool.indexOf(original) + shift) % pool.length]!;
          fc.pre(replacement !== original);
          const tampered = invoice.slice(0, i) + replacement + invoice.slice(i + 1);
          expect(() => decodeInvoice(tampered)).toThrow(Bolt11Error);
        },
      ),
      { numRuns: 300 },
    );
  });
});
