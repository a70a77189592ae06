import { describe, expect, it } from 'vitest';
import { EXTERNAL_ORIGINS, isTrustedUrl, mayOpenExternally } from './navigation.js';

describe('where the cashier window may go', () => {
  it('trusts the app and, in development, exactly the dev server origin', () => {
    expect(isTrustedUrl('app://till/index.html', undefined)).toBe(true);
    expect(isTrustedUrl('http://localhost:5173/', undefined)).toBe(false);
    const dev = 'http://localhost:5173';
    expect(isTrustedUrl('http://localhost:5173/index.html', dev)).toBe(true);
    for (const url of [
      'http://localhost:5173.evil.example/',
      'http://localhost:51730/',
      'https://localhost:5173/',
      'http://localhost:5173@evil.example/',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(isTrustedUrl(url, dev), url).toBe(false);
    }
  });

  it('opens nothing externally today, and only allowed https origins when there are some', () => {
    expect(EXTERNAL_ORIGINS).toEqual([]);
    expect(mayOpenExternally('https://mempool.space/tx/abc')).toBe(false);
    const allowed = ['https://mempool.space'];
    expect(mayOpenExternally('https://mempool.space/tx/abc', allowed)).toBe(true);
    expect(mayOpenExternally('https://mempool.space.evil.example/', allowed)).toBe(false);
    expect(mayOpenExternally('http://mempool.space/', ['http://mempool.space'])).toBe(false);
    expect(mayOpenExternally('javascript:alert(1)', allowed)).toBe(false);
  });
});
