import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { TillError } from '../../shared/contract/index.js';
import { offlineNonce, type OfflineKey } from '../../shared/offline-pay/index.js';
import { MAX_STATUS_NONCES, SIGNATURE_HEADER, signStatusResponse } from '../../shared/offline-pay/status.js';
import { startCompanion } from '../companion/server.js';
import { createDemoBackend } from '../lightning/demo/backend.js';
import { manualClock, tempDir } from '../test-support/fixtures.js';
import { companionProof } from './companion-client.js';

/**
 * The till's client of the companion's proof endpoint, on real HTTP: against the companion
 * itself (batches, key rotation, a key it does not hold) and against servers that are not it
 * (unsigned or bent answers, nothing listening, no answer) — each failure a message a manager
 * can act on, never an answer trusted.
 */

const OLD: OfflineKey = { id: '7f6e30c87012dc3b', key: '53'.repeat(32) };
const NEW: OfflineKey = { id: 'a1b2c3d4e5f60718', key: '9d'.repeat(32) };
const clock = manualClock(new Date('2026-11-27T12:00:00Z'));
const nonces = (n: number) =>
  Array.from({ length: n }, (_, i) => offlineNonce(BigInt(i + 1), new Uint8Array(8).fill(i % 251)));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function companion(keys: OfflineKey[]) {
  const dir = tempDir('companion-client-');
  const node = createDemoBackend({ dataDir: dir.path, now: clock.now });
  const c = await startCompanion({
    host: '127.0.0.1',
    port: 0,
    publicUrl: null,
    keys,
    dataDir: dir.path,
    node,
    now: clock.now,
  });
  cleanups.push(
    () => dir.remove(),
    () => node.close(),
    () => c.close(),
  );
  return c.url;
}

/** A server that is not the companion: answers every request with `reply`. */
async function impostor(
  reply: (body: string, sig: string) => { status: number; body: string; sig?: string },
) {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r = reply(body, String(req.headers[SIGNATURE_HEADER] ?? ''));
      if (r.sig) res.setHeader(SIGNATURE_HEADER, r.sig);
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(r.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

async function failure(p: Promise<unknown>): Promise<TillError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TillError);
  return err as TillError;
}

describe('the companion client', () => {
  it('asks in batches the companion takes, and hears "unknown" for links it never served', async () => {
    const url = await companion([NEW]);
    let requests = 0;
    const proof = companionProof({
      serverUrl: url,
      keys: [NEW],
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    const asked = nonces(MAX_STATUS_NONCES + 1);
    const answers = await proof.status(asked);
    expect(requests).toBe(2);
    expect([...answers.keys()]).toEqual(asked);
    expect(new Set([...answers.values()].map((a) => a.state))).toEqual(new Set(['unknown']));
  });

  it('asks with the previous key when the companion does not hold the new one yet (a rotation)', async () => {
    const url = await companion([OLD]);
    const answers = await companionProof({ serverUrl: url, keys: [NEW, OLD] }).status(nonces(1));
    expect(answers.size).toBe(1);
    const refused = await failure(companionProof({ serverUrl: url, keys: [NEW] }).status(nonces(1)));
    expect(refused.kind).toBe('BackendUnavailable');
    expect(refused.message).toMatch(
      /refuses the till’s key: give it the key shown in Settings → Offline Lightning/,
    );
  });

  it('trusts no answer the key did not sign for this question', async () => {
    const paid = (n: string) =>
      JSON.stringify({
        results: {
          [n]: {
            state: 'paid',
            paymentHash: 'ab'.repeat(32),
            amountMsat: '1000',
            settledAt: '2026-11-27T12:00:00Z',
            saleId: 's',
            tillId: 't',
          },
        },
      });
    const [n] = nonces(1) as [string];
    const unsigned = await impostor(() => ({ status: 200, body: paid(n) }));
    // Signed with the key, but for another question (a replayed answer).
    const replayed = await impostor(() => ({
      status: 200,
      body: paid(n),
      sig: signStatusResponse(NEW, '00'.repeat(32), paid(n)),
    }));
    for (const url of [unsigned, replayed]) {
      const err = await failure(companionProof({ serverUrl: url, keys: [NEW] }).status([n]));
      expect(err.message).toMatch(/is not signed with the till’s key: check the companion server’s address/);
    }
    // The right signature over a body bent on the way.
    const bent = await impostor((_body, sig) => ({
      status: 200,
      body: paid(n).replace('1000', '9000'),
      sig: signStatusResponse(NEW, sig, paid(n)),
    }));
    expect((await failure(companionProof({ serverUrl: bent, keys: [NEW] }).status([n]))).message).toMatch(
      /not signed/,
    );
    // What the companion says when it cannot ask its node: quoted for the manager.
    const busy = await impostor(() => ({
      status: 503,
      body: JSON.stringify({
        status: 'ERROR',
        reason: 'The Lightning node does not answer; try again later.',
      }),
    }));
    expect((await failure(companionProof({ serverUrl: busy, keys: [NEW] }).status([n]))).message).toMatch(
      /answered 503\. It says: “The Lightning node does not answer; try again later\.”$/,
    );
  });

  it('says so when nothing listens, or nothing answers in time', async () => {
    const gone = await impostor(() => ({ status: 200, body: '{}' }));
    await cleanups.pop()!();
    const err = await failure(companionProof({ serverUrl: gone, keys: [NEW] }).status(nonces(1)));
    expect(err.message).toMatch(
      /^The companion server at 127\.0\.0\.1:\d+ cannot be reached: offline payments stay to be confirmed/,
    );

    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      silent.closeAllConnections();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const slow = await failure(
      companionProof({ serverUrl: url, keys: [NEW], timeoutMs: 200 }).status(nonces(1)),
    );
    expect(slow.message).toMatch(/did not answer in 1 s: offline payments stay to be confirmed/);
  });
});
