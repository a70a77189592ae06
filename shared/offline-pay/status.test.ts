import { describe, expect, it } from 'vitest';
import type { OfflineKey } from './index.js';
import { readStatusResponse, signStatusRequest, signStatusResponse } from './status.js';

const KEY: OfflineKey = {
  id: 'a1b2c3d4e5f60718',
  key: '9d2c5e0f3b7a41c86e1d0f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e',
};
const OTHER: OfflineKey = { ...KEY, key: KEY.key.replace(/^9/, '8') };

describe('the signed answer of the companion’s status endpoint', () => {
  const reqSig = signStatusRequest(KEY, '{"nonces":["n1","n2","n3"]}');
  const body = JSON.stringify({
    results: {
      n1: {
        state: 'paid',
        paymentHash: 'ab'.repeat(32),
        amountMsat: '21000',
        settledAt: '2026-11-27T12:00:00.000Z',
        saleId: 's1',
        tillId: 't1',
      },
      n2: { state: 'unpaid' },
      n3: { state: 'unknown' },
    },
  });

  it('is read when signed with the key for this request', () => {
    const r = readStatusResponse(KEY, reqSig, body, signStatusResponse(KEY, reqSig, body));
    expect(r?.results.n1).toMatchObject({ state: 'paid', amountMsat: '21000' });
    expect(r?.results.n2).toEqual({ state: 'unpaid' });
    expect(r?.results.n3).toEqual({ state: 'unknown' });
  });

  it('is refused when unsigned, signed by another key, for another request, or bent', () => {
    expect(readStatusResponse(KEY, reqSig, body, null)).toBeNull();
    expect(readStatusResponse(KEY, reqSig, body, signStatusResponse(OTHER, reqSig, body))).toBeNull();
    const otherReq = signStatusRequest(KEY, '{"nonces":["n1"]}');
    expect(readStatusResponse(KEY, reqSig, body, signStatusResponse(KEY, otherReq, body))).toBeNull();
    const bent = body.replace('21000', '99000');
    expect(readStatusResponse(KEY, reqSig, bent, signStatusResponse(KEY, reqSig, body))).toBeNull();
  });

  it('is refused when signed but malformed', () => {
    for (const bad of ['nope', '{"results":[]}', '{"results":{"n":{"state":"paid","amountMsat":"1"}}}']) {
      expect(readStatusResponse(KEY, reqSig, bad, signStatusResponse(KEY, reqSig, bad)), bad).toBeNull();
    }
  });
});
