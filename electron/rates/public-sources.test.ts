import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../test-support/fixtures.js';
import { createManualRateSource, createRateKeeper } from './keeper.js';
import { createPublicRateSource, RateError, type RateSourceId } from './public-sources.js';

/**
 * One fake exchange for all four sources: it answers only the exact path and query each
 * publishes (anything else is a 404 and a failed expectation), with whatever the test says.
 */
let server: Server;
let base = '';
let reply: { status: number; body: string; hang?: boolean } = { status: 200, body: '' };
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (reply.hang) return; // never answers
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(reply.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  seen.length = 0;
  reply = { status: 200, body: '' };
});

const published: Record<RateSourceId, { path: string; good: (price: string) => string; noCurrency: string }> =
  {
    kraken: {
      path: '/0/public/Ticker?pair=XBTUSD',
      good: (p) =>
        JSON.stringify({ error: [], result: { XXBTZUSD: { a: ['1', '1', '1'], c: [p, '0.01'] } } }),
      noCurrency: JSON.stringify({ error: ['EQuery:Unknown asset pair'] }),
    },
    coinbase: {
      path: '/v2/prices/BTC-USD/spot',
      good: (p) => JSON.stringify({ data: { amount: p, base: 'BTC', currency: 'USD' } }),
      noCurrency: JSON.stringify({ data: { amount: '1', base: 'BTC', currency: 'EUR' } }),
    },
    bitstamp: {
      path: '/api/v2/ticker/btcusd/',
      good: (p) => JSON.stringify({ last: p, high: '1', low: '1', timestamp: '1' }),
      noCurrency: JSON.stringify({ high: '1' }),
    },
    coingecko: {
      path: '/api/v3/simple/price?ids=bitcoin&vs_currencies=usd',
      good: (p) => `{"bitcoin":{"usd":${p}}}`,
      noCurrency: '{"bitcoin":{}}',
    },
  };

describe.each(Object.keys(published) as RateSourceId[])('%s', (id) => {
  const spec = published[id];
  const source = (timeoutMs = 2_000) =>
    createPublicRateSource(id, { baseUrl: base, timeoutMs, now: () => new Date('2026-11-24T12:00:00Z') });

  it('asks the published endpoint and keeps the price exactly as sent', async () => {
    reply = { status: 200, body: spec.good('97000.12') };
    const q = await source().quote('USD');
    expect(seen).toEqual([spec.path]);
    expect(q).toMatchObject({ currency: 'USD', rate: '97000.12', fetchedAt: '2026-11-24T12:00:00.000Z' });
    // 0.1 + 0.2 style: a float would not survive this.
    reply = { status: 200, body: spec.good('97000.30000000000001') };
    expect((await source().quote('USD')).rate).toBe('97000.30000000000001');
  });

  it.each([
    ['no price for the currency', 200, spec.noCurrency, /no BTC price for USD|does not understand/],
    ['HTTP 500', 500, 'oops', /HTTP 500/],
    ['rate limiting', 429, '{}', /rate-limiting/],
    ['an HTML error page', 200, '<html>Bad gateway</html>', /does not understand/],
    ['truncated JSON', 200, spec.good('97000.12').slice(0, 15), /does not understand/],
    ['a zero price', 200, spec.good('0'), /not a positive number/],
    ['a negative price', 200, spec.good('-5'), /not a positive number|does not understand/],
    ['an absurd price', 200, spec.good('1000000000000000'), /implausible/],
  ])('rejects %s with a clear message', async (_what, status, body, message) => {
    reply = { status, body };
    const err: unknown = await source()
      .quote('USD')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateError);
    expect((err as RateError).message).toMatch(message);
  });

  it('gives up on a server that hangs', async () => {
    reply = { status: 200, body: '', hang: true };
    await expect(source(100).quote('USD')).rejects.toThrow(/did not answer in time/);
  });
});

describe('rate keeper', () => {
  it('serves the last good quote while it is fresh, then refuses and asks for a manual rate', async () => {
    const clock = manualClock();
    let up = true;
    const source = {
      id: 'test',
      label: 'Test',
      quote: (currency: string) =>
        up
          ? Promise.resolve({ currency, rate: '97000', source: 'Test', fetchedAt: clock.now().toISOString() })
          : Promise.reject(new RateError('Test did not answer in time')),
    };
    const keeper = createRateKeeper({ source, maxAgeMs: () => 10 * 60_000, now: clock.now });
    await expect(keeper.current('USD')).resolves.toMatchObject({ rate: '97000' });
    up = false;
    clock.advance(9 * 60_000);
    await expect(keeper.current('USD')).resolves.toMatchObject({ rate: '97000' });
    clock.advance(3 * 60_000);
    await expect(keeper.current('USD')).rejects.toThrow(
      /Test did not answer in time; the last rate is 12 minutes old. A manager must enter a rate/,
    );
    await expect(keeper.current('EUR')).rejects.toThrow(/there is no earlier rate/);

    // A manager's rate stands in while the source is down, then gives way to a fresh quote.
    keeper.setManual({
      currency: 'USD',
      rate: '96000',
      source: 'Manual rate',
      fetchedAt: clock.now().toISOString(),
    });
    await expect(keeper.current('USD')).resolves.toMatchObject({ rate: '96000', source: 'Manual rate' });
    await expect(keeper.current('EUR')).rejects.toThrow(/there is no earlier rate/);
    clock.advance(13 * 3600_000);
    await expect(keeper.current('USD')).rejects.toThrow(/A manager must enter a rate/);
    up = true;
    await expect(keeper.current('USD')).resolves.toMatchObject({ rate: '97000', source: 'Test' });
  });

  it('reuses a quote under a minute old instead of asking the exchange on every charge', async () => {
    const clock = manualClock();
    let calls = 0;
    const source = {
      id: 'test',
      label: 'Test',
      quote: (currency: string) => {
        calls++;
        return Promise.resolve({
          currency,
          rate: String(97000 + calls),
          source: 'Test',
          fetchedAt: clock.now().toISOString(),
        });
      },
    };
    const keeper = createRateKeeper({ source, maxAgeMs: () => 10 * 60_000, now: clock.now });
    await keeper.current('USD');
    clock.advance(59_000);
    await expect(keeper.current('USD')).resolves.toMatchObject({ rate: '97001' });
    clock.advance(2_000);
    await expect(keeper.current('USD')).resolves.toMatchObject({ rate: '97002' });
    expect(calls).toBe(2);
  });

  it('takes a manager-entered rate, validated', async () => {
    const at = new Date('2026-11-24T12:00:00Z');
    await expect(createManualRateSource('97250.50', 'USD', at).quote('USD')).resolves.toEqual({
      currency: 'USD',
      rate: '97250.50',
      source: 'Manual rate',
      fetchedAt: at.toISOString(),
    });
    expect(() => createManualRateSource('lots', 'USD', at)).toThrow(/not a number/);
    expect(() => createManualRateSource('0', 'USD', at)).toThrow(/greater than zero/);
    await expect(createManualRateSource('1', 'USD', at).quote('EUR')).rejects.toThrow(/in USD, not EUR/);
  });
});
