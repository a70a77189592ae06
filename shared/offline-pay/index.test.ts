import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  offlineLinkQuery,
  offlineNonce,
  offlinePin,
  pinMatches,
  readOfflineLinkQuery,
  type OfflineKey,
} from './index.js';

const KEY: OfflineKey = {
  id: '7f6e30c87012dc3b7bf8',
  key: '5375baf547756f91225dbfcc40b18e7ddba478c4cdf6f18a668a8efa33a0e3b3',
};
const seed = Number(process.env.FC_SEED ?? 20261127);

describe('offline Lightning: the PIN and the link both sides compute', () => {
  it('gives six digits that depend on the key, the nonce and the amount', () => {
    const pin = offlinePin(KEY, 'n1', 21_000n);
    expect(pin).toMatch(/^\d{6}$/);
    expect(offlinePin(KEY, 'n1', 21_000n)).toBe(pin);
    expect(offlinePin(KEY, 'n2', 21_000n)).not.toBe(pin);
    expect(offlinePin(KEY, 'n1', 22_000n)).not.toBe(pin);
    expect(offlinePin({ ...KEY, key: KEY.key.replace(/^5/, '6') }, 'n1', 21_000n)).not.toBe(pin);
    // RFC 4226 truncation of HMAC-SHA256(key, "pin:n1:21000"), computed apart with Python's hmac.
    expect(pin).toBe('234481');
  });

  it('accepts the PIN typed with spaces, refuses any other (a seeded sweep)', () => {
    const pin = offlinePin(KEY, 'nonce', 1_000n);
    expect(pinMatches(KEY, 'nonce', 1_000n, `${pin.slice(0, 3)} ${pin.slice(3)}`)).toBe(true);
    fc.assert(
      fc.property(fc.stringMatching(/^\d{0,8}$/), (typed) => {
        expect(pinMatches(KEY, 'nonce', 1_000n, typed)).toBe(typed === pin);
      }),
      { seed, numRuns: 500 },
    );
  });

  it('spreads PINs evenly enough that no code is a good guess (seeded)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2_000; i++) {
      const p = offlinePin(KEY, `n${i}`, 1_000n).slice(0, 1);
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    // Ten first digits, each about 200 of 2,000.
    expect(counts.size).toBe(10);
    for (const n of counts.values()) expect(n).toBeGreaterThan(120);
  });

  it('makes nonces from the counter and random bytes, never the same twice', () => {
    const a = offlineNonce(1n, new Uint8Array(8).fill(1));
    const b = offlineNonce(2n, new Uint8Array(8).fill(1));
    expect(a).toBe('000000010101010101010101');
    expect(a).not.toBe(b);
    expect(() => offlineNonce(-1n, new Uint8Array(8))).toThrow();
    expect(() => offlineNonce(1n, new Uint8Array(4))).toThrow();
  });

  it('round-trips the link’s fields, and refuses a query that lost or bent one', () => {
    const p = {
      amountMsat: 21_000n,
      saleId: 's1',
      tillId: 't1',
      expiresAt: 1_800_000_000,
      description: 'Café · sale #000042',
    };
    const q = offlineLinkQuery(p);
    expect(readOfflineLinkQuery(q)).toEqual(p);
    expect(readOfflineLinkQuery({ ...q, maxSendable: '22000' })).toBeNull();
    expect(readOfflineLinkQuery({ ...q, minSendable: '0', maxSendable: '0' })).toBeNull();
    expect(readOfflineLinkQuery({ ...q, exp: 'soon' })).toBeNull();
    const { sale: _s, ...noSale } = q;
    expect(readOfflineLinkQuery(noSale)).toBeNull();
    expect(() => offlineLinkQuery({ ...p, amountMsat: 0n })).toThrow();
  });
});
