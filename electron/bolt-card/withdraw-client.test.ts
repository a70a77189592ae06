import encode from 'lnurl/lib/encode.js';
import { describe, expect, it } from 'vitest';
import { CardError, withdrawUrl } from './withdraw-client.js';

describe('the service URL a Bolt Card holds', () => {
  it('turns lnurlw:// into https, and into http only for .onion and allowed test hosts (LUD-17)', () => {
    expect(withdrawUrl('lnurlw://card.example.com/ln?p=A1&c=B2').href).toBe(
      'https://card.example.com/ln?p=A1&c=B2',
    );
    expect(withdrawUrl('  LNURLW://card.example.com/ln?p=A1 ').href).toBe('https://card.example.com/ln?p=A1');
    expect(withdrawUrl('lightning:lnurlw://card.example.com/ln').protocol).toBe('https:');
    expect(withdrawUrl('lnurlw://abcdef.onion/ln').href).toBe('http://abcdef.onion/ln');
    expect(withdrawUrl('lnurlw://127.0.0.1:8080/ln').protocol).toBe('https:');
    expect(withdrawUrl('lnurlw://127.0.0.1:8080/ln', { httpHosts: ['127.0.0.1'] }).protocol).toBe('http:');
  });

  it('decodes a bech32 LNURL with the lnurl package, in either case (LUD-01)', () => {
    const text = encode('https://card.example.com/ln?p=A1&c=B2');
    expect(withdrawUrl(text).href).toBe('https://card.example.com/ln?p=A1&c=B2');
    expect(withdrawUrl(`lightning:${text.toUpperCase()}`).href).toBe('https://card.example.com/ln?p=A1&c=B2');
  });

  it('refuses what is no card: other text, a broken checksum, plain http on the internet', () => {
    const good = encode('https://card.example.com/ln');
    const broken = good.slice(0, -1) + (good.endsWith('q') ? 'p' : 'q');
    for (const text of [
      'hello',
      'https://card.example.com/ln',
      'lnurlp://card.example.com/pay',
      'lnurlw://',
      broken,
      encode('http://card.example.com/ln'),
      encode('ftp://card.example.com/ln'),
    ]) {
      expect(() => withdrawUrl(text), text).toThrow(CardError);
      try {
        withdrawUrl(text);
      } catch (err) {
        expect((err as CardError).reason, text).toBe('unrecognised');
      }
    }
  });
});
