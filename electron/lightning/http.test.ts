import { afterEach, describe, expect, it } from 'vitest';
import { OTHER_CERT, startHttpFake, TEST_CERT, type HttpFake } from '../test-support/fakes/http-fake.js';
import { requestJson, streamLines } from './http.js';

let fake: HttpFake | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function server(tls = true): Promise<HttpFake> {
  fake = await startHttpFake('test', () => ({ status: 200, body: { hello: 'world', n: 1 } }), { tls });
  return fake;
}

describe('the shared HTTP client', () => {
  it('trusts exactly the pinned certificate', async () => {
    const f = await server();
    await expect(
      requestJson({ baseUrl: f.url, ca: TEST_CERT, timeoutMs: 2_000 }, { method: 'GET', path: '/x' }),
    ).resolves.toEqual({ status: 200, body: { hello: 'world', n: 1 } });
    const other = requestJson(
      { baseUrl: f.url, ca: OTHER_CERT, timeoutMs: 2_000 },
      { method: 'GET', path: '/x' },
    );
    await expect(other).rejects.toMatchObject({ kind: 'BadCertificate' });
    // No pinned certificate: the system CAs, which do not know a self-signed node.
    await expect(
      requestJson({ baseUrl: f.url, timeoutMs: 2_000 }, { method: 'GET', path: '/x' }),
    ).rejects.toMatchObject({ kind: 'BadCertificate' });
  });

  it('gives up on a server that hangs, and can be cancelled sooner', async () => {
    const f = await server(false);
    f.misbehave('hang');
    await expect(
      requestJson({ baseUrl: f.url, timeoutMs: 200 }, { method: 'GET', path: '/x' }),
    ).rejects.toMatchObject({
      kind: 'Timeout',
      message: expect.stringContaining('did not answer within 0.2 s') as string,
    });
    const cancel = new AbortController();
    const pending = requestJson(
      { baseUrl: f.url, timeoutMs: 60_000 },
      { method: 'GET', path: '/x', signal: cancel.signal },
    );
    setTimeout(() => cancel.abort(), 50);
    await expect(pending).rejects.toMatchObject({
      kind: 'Unreachable',
      message: expect.stringContaining('cancelled') as string,
    });
  });

  it('names a cut-off answer as BadResponse, and a refused connection as Unreachable', async () => {
    const f = await server(false);
    f.misbehave('truncated');
    await expect(
      requestJson({ baseUrl: f.url, timeoutMs: 2_000 }, { method: 'GET', path: '/x' }),
    ).rejects.toMatchObject({ kind: 'BadResponse' });
    const url = f.url;
    await f.close();
    fake = null;
    await expect(
      requestJson({ baseUrl: url, timeoutMs: 2_000 }, { method: 'GET', path: '/x' }),
    ).rejects.toMatchObject({ kind: 'Unreachable' });
  });

  it('streams newline-delimited lines and reports the end of the stream', async () => {
    fake = await startHttpFake('stream', () => ({
      stream: (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"a":1}\n{"b"');
        setTimeout(() => res.end(':2}\n'), 20);
      },
    }));
    const lines: string[] = [];
    const ended = await new Promise<string>((resolve) => {
      streamLines(
        { baseUrl: fake!.url, timeoutMs: 2_000 },
        { method: 'GET', path: '/s' },
        { onOpen: () => lines.push('open'), onLine: (l) => lines.push(l), onEnd: (err) => resolve(err.kind) },
      );
    });
    expect(lines).toEqual(['open', '{"a":1}', '{"b":2}']);
    expect(ended).toBe('Unreachable');
  });
});
