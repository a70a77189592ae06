import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { readOfflineLinkQuery, type OfflineKey } from '../../shared/offline-pay/index.js';
import { signOfflineLink } from './link.js';

// lnurl-offline (the lnurl package's signed-URL scheme, CommonJS): the companion server's check.
const { isValidSignedQuery } = createRequire(import.meta.url)('lnurl-offline') as {
  isValidSignedQuery: (query: Record<string, string>, key: Buffer) => boolean;
};

const KEY: OfflineKey = {
  id: '7f6e30c87012dc3b7bf8',
  key: '5375baf547756f91225dbfcc40b18e7ddba478c4cdf6f18a668a8efa33a0e3b3',
};
const PARAMS = {
  amountMsat: 21_000n,
  saleId: 's1',
  tillId: 't1',
  expiresAt: 1_800_000_000,
  description: 'Café · sale #000042',
};

describe('the signed LNURL-pay link of an offline sale', () => {
  const url = new URL(signOfflineLink(KEY, 'https://pay.example.com/shop/', 'n0001', PARAMS));
  const query = Object.fromEntries(url.searchParams);

  it('is signed with the shared key as lnurl-offline checks it, at the companion’s /lnurl', () => {
    expect(`${url.origin}${url.pathname}`).toBe('https://pay.example.com/shop/lnurl');
    expect(query).toMatchObject({ id: KEY.id, nonce: 'n0001', tag: 'payRequest' });
    expect(isValidSignedQuery(query, Buffer.from(KEY.key, 'hex'))).toBe(true);
    expect(readOfflineLinkQuery(query)).toEqual(PARAMS);
  });

  it('fails the check when any field is bent or another key signed it', () => {
    for (const [field, value] of [
      ['minSendable', '1000'],
      ['maxSendable', '1000'],
      ['nonce', 'n0002'],
      ['sale', 's2'],
      ['exp', '1900000000'],
    ] as const) {
      expect(isValidSignedQuery({ ...query, [field]: value }, Buffer.from(KEY.key, 'hex')), field).toBe(
        false,
      );
    }
    const other = KEY.key.replace(/^5/, '6');
    expect(isValidSignedQuery(query, Buffer.from(other, 'hex'))).toBe(false);
  });

  it('refuses a key or an address it cannot sign for', () => {
    expect(() => signOfflineLink({ ...KEY, key: 'short' }, 'https://pay.example.com', 'n', PARAMS)).toThrow(
      /64/,
    );
    expect(() => signOfflineLink(KEY, 'https://pay.example.com/?a=1', 'n', PARAMS)).toThrow(/query/);
  });
});
