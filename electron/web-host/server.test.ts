import { signedInTill } from '../test-support/till-calls.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../shared/contract/index.js';
import { fromWire, toWire } from '../../shared/contract/wire.js';
import type { Till } from '../till.js';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { closePayload, frame, OPCODE, openRawWebSocket } from '../test-support/raw-websocket.js';
import { rawText, startWebHost, type WebHost, type WebHostOptions } from './server.js';

describe('web host', () => {
  const dir = tempDir();
  let till: Till;
  let host: WebHost;
  let cookie: string;
  const logged: string[] = [];

  beforeAll(async () => {
    const renderer = join(dir.path, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>till</title>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir.path, 'secret.txt'), 'do not serve');
    till = await signedInTill({
      dataDir: join(dir.path, 'data'),
      resourcesDir: RESOURCES_DIR,
      timers: false,
    });
    host = await startWebHost({
      till,
      rendererDir: renderer,
      imagesDirs: [join(RESOURCES_DIR, 'images')],
      log: (message) => logged.push(message),
    });
    const res = await fetch(host.url, { redirect: 'manual' });
    expect(res.status).toBe(303);
    cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  });

  afterAll(async () => {
    await host.close();
    await till.close();
    dir.remove();
  });

  const base = () => `http://127.0.0.1:${host.port}`;

  it('binds loopback and prints a URL with a token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('refuses requests without the token', async () => {
    expect((await fetch(`${base()}/`)).status).toBe(401);
    expect((await fetch(`${base()}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base()}/`, { headers: { cookie: `till_token_${host.port}=guess` } })).status).toBe(
      401,
    );
  });

  it('serves the app with a strict CSP once the token was presented', async () => {
    const res = await fetch(`${base()}/`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('<title>till</title>');
    expect((await fetch(`${base()}/assets/app.js`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${base()}/catalog-images/../../package.json`, { headers: { cookie } })).status).toBe(
      404,
    );
    expect((await fetch(`${base()}/%2e%2e/secret.txt`, { headers: { cookie } })).status).toBe(404);
  });

  /** A request exactly as given: fetch would normalise the path and refuse some headers. */
  async function rawGet(path: string, headers: Record<string, string>): Promise<number> {
    const { request } = await import('node:http');
    return new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: host.port, path, headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect(await rawGet('/', { host: 'evil.example', cookie })).toBe(421);
  });

  it('answers an undecodable or unparsable address with a 4xx and keeps serving', async () => {
    for (const path of ['/assets/%E0%A4%A.js', '/%.css', '/catalog-images/%ZZ.svg', '/%C0%AF..%C0%AF.js']) {
      expect(await rawGet(path, { cookie }), path).toBe(404);
    }
    // A client-side route gets the app shell, whatever its escapes.
    expect(await rawGet('/%E0%A4%A', { cookie })).toBe(200);
    expect(await rawGet('http://[/', { cookie })).toBe(400);
    const upgrade = await openRawWebSocket(host.port, { cookie, origin: base() }, 'http://[/');
    expect(upgrade.status).toMatch(/ 401 /);
    expect((await fetch(`${base()}/`, { headers: { cookie } })).status).toBe(200);
  });

  it('refuses what another page made the browser send, even with the cookie (Fetch Metadata)', async () => {
    // A page on another port of 127.0.0.1 is same-site: the browser attaches the Strict cookie.
    for (const site of ['same-site', 'cross-site']) {
      expect(await rawGet('/%E0%A4%A', { cookie, 'sec-fetch-site': site }), site).toBe(403);
      expect(await rawGet('/', { cookie, 'sec-fetch-site': site }), site).toBe(403);
    }
    expect(await rawGet('/', { cookie, origin: 'http://127.0.0.1:1' })).toBe(403);
    // The cashier's own navigations (typed address, bookmark) and the page's own requests pass.
    expect(await rawGet('/', { cookie, 'sec-fetch-site': 'none' })).toBe(200);
    expect(await rawGet('/assets/app.js', { cookie, 'sec-fetch-site': 'same-origin' })).toBe(200);
    expect(await rawGet('/', { cookie, 'sec-fetch-site': 'same-origin', origin: base() })).toBe(200);
  });

  function connect(headers: Record<string, string>): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, { headers });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  }

  it('runs commands and pushes events over the socket', async () => {
    const ws = await connect({ cookie, origin: base() });
    const messages: ServerMessage[] = [];
    ws.on('message', (data) => messages.push(fromWire(rawText(data)) as ServerMessage));
    const replyTo = (id: number) =>
      new Promise<ServerMessage>((resolve) => {
        const check = () => {
          const m = messages.find((x) => x.type === 'reply' && x.id === id);
          if (m) resolve(m);
          else ws.once('message', check);
        };
        check();
      });
    ws.send(toWire({ type: 'invoke', id: 1, name: 'addCustomAmount', input: { amount: 1234n } }));
    const reply = await replyTo(1);
    expect(reply).toMatchObject({ type: 'reply', id: 1, reply: { ok: true, value: { total: 1234n } } });
    expect(messages.some((m) => m.type === 'event' && m.event === 'cartChanged')).toBe(true);
    ws.send(toWire({ type: 'invoke', id: 2, name: 'addCustomAmount', input: { amount: 'lots' } }));
    expect(await replyTo(2)).toMatchObject({ reply: { ok: false, error: { kind: 'ValidationError' } } });
    ws.close();
  });

  it('refuses a socket without the cookie or from another origin', async () => {
    await expect(connect({ origin: base() })).rejects.toThrow(/401/);
    await expect(connect({ cookie, origin: 'http://evil.example' })).rejects.toThrow(/401/);
    await expect(connect({ cookie, origin: base(), 'sec-fetch-site': 'same-site' })).rejects.toThrow(/401/);
  });

  /** Sends one message and returns the reply to it, or the close code if the host hung up instead. */
  async function exchange(text: string): Promise<ServerMessage | number> {
    const ws = await connect({ cookie, origin: base() });
    return new Promise((resolve) => {
      ws.on('message', (data) => {
        const msg = fromWire(rawText(data)) as ServerMessage;
        if (msg.type === 'reply') {
          resolve(msg);
          ws.close();
        }
      });
      ws.on('close', (code) => resolve(code));
      ws.send(text);
    });
  }

  it('answers a command whose name is not a string with a typed error', async () => {
    for (const name of ['{"toString":1}', '5', 'null', '["getStatus"]', '"__proto__"', '"constructor"']) {
      const reply = await exchange(`{"type":"invoke","id":7,"name":${name},"input":{}}`);
      expect(reply, name).toMatchObject({
        type: 'reply',
        id: 7,
        reply: { ok: false, error: { kind: 'ValidationError', message: expect.any(String) as string } },
      });
    }
    expect(await exchange('{"type":"invoke","id":"7","name":"getStatus"}')).toBe(1003);
    expect(await exchange('[1,2]')).toBe(1003);
    expect(await exchange('{"type":"invoke",')).toBe(1003);
    expect(await exchange(toWire({ type: 'invoke', id: 8, name: 'getStatus', input: {} }))).toMatchObject({
      reply: { ok: true },
    });
  });

  it('closes a socket that breaks the WebSocket protocol, with its code, and stays up', async () => {
    const headers = { cookie, origin: base() };
    const cases: [string, Buffer, number][] = [
      ['oversized', frame({ opcode: OPCODE.text, payload: Buffer.alloc((1 << 20) + 1, 0x61) }), 1009],
      ['invalid UTF-8', frame({ opcode: OPCODE.text, payload: Buffer.from([0xc3, 0x28]) }), 1007],
      ['unmasked', frame({ opcode: OPCODE.text, payload: Buffer.from('{}'), masked: false }), 1002],
      ['bad opcode', frame({ opcode: 0x3 }), 1002],
      ['reserved bits', frame({ opcode: OPCODE.text, rsv: 4, payload: Buffer.from('{}') }), 1002],
      ['bad close code', frame({ opcode: OPCODE.close, payload: closePayload(1005) }), 1002],
    ];
    for (const [what, bytes, code] of cases) {
      const raw = await openRawWebSocket(host.port, headers);
      expect(raw.status, what).toMatch(/ 101 /);
      raw.write(bytes);
      expect(await raw.closeCode(), what).toBe(code);
      raw.destroy();
    }
    expect(logged.some((m) => /broke the protocol/.test(m))).toBe(true);
    expect(await exchange(toWire({ type: 'invoke', id: 9, name: 'getStatus', input: {} }))).toMatchObject({
      reply: { ok: true },
    });
  });
});

/** The host alone, in front of a till that answers as `invoke` says: the host's own behaviour is tested. */
async function hostFor(
  invoke: Till['invoke'],
  opts: Pick<WebHostOptions, 'port' | 'anyPortIfTaken' | 'token'> = {},
): Promise<{ host: WebHost; done: () => Promise<void> }> {
  const dir = tempDir();
  const renderer = join(dir.path, 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html>');
  const till: Till = {
    invoke,
    subscribe: () => () => undefined,
    tick: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const host = await startWebHost({
    till,
    rendererDir: renderer,
    imagesDirs: [],
    log: () => undefined,
    ...opts,
  }).catch((err: unknown) => {
    dir.remove();
    throw err;
  });
  return {
    host,
    done: async () => {
      await host.close();
      dir.remove();
    },
  };
}

describe('web host under a flood of commands', () => {
  it('answers past 64 unanswered commands on one socket with "try again", and a command that throws with a typed error', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    // getCart hangs until released; payCash throws.
    const { host, done } = await hostFor(async (name) => {
      if (name === 'payCash') throw new Error('disk on fire');
      await released;
      return { ok: true, value: null };
    });
    try {
      const res = await fetch(host.url, { redirect: 'manual' });
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      const origin = `http://127.0.0.1:${host.port}`;
      const ws = await new Promise<WebSocket>((resolve, reject) => {
        const s = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, { headers: { cookie, origin } });
        s.once('open', () => resolve(s));
        s.once('error', reject);
      });
      const replies = new Map<number, ServerMessage>();
      const waiters = new Map<number, () => void>();
      ws.on('message', (data) => {
        const m = fromWire(rawText(data)) as ServerMessage;
        if (m.type !== 'reply') return;
        replies.set(m.id, m);
        waiters.get(m.id)?.();
      });
      const replyTo = (id: number) =>
        new Promise<ServerMessage>((resolve) => {
          if (replies.has(id)) return resolve(replies.get(id)!);
          waiters.set(id, () => resolve(replies.get(id)!));
        });

      for (let id = 1; id <= 65; id++) ws.send(toWire({ type: 'invoke', id, name: 'getCart', input: {} }));
      expect(await replyTo(65)).toMatchObject({ reply: { ok: false, error: { kind: 'InvalidState' } } });
      expect(replies.has(64)).toBe(false);
      release();
      expect(await replyTo(64)).toMatchObject({ reply: { ok: true } });

      ws.send(toWire({ type: 'invoke', id: 66, name: 'payCash', input: { tendered: 500n } }));
      const crashed = await replyTo(66);
      expect(crashed).toMatchObject({ reply: { ok: false, error: { kind: 'Internal' } } });
      // The cashier holds cash: never "Nothing was charged" here.
      expect(JSON.stringify(crashed)).toMatch(/cash sale may not have been recorded/);
      ws.close();
    } finally {
      await done();
    }
  });
});

describe('stopping the web host', () => {
  it('does not wait for a browser that keeps its connection open or never finishes a request', async () => {
    const { host, done } = await hostFor(() => Promise.resolve({ ok: true, value: null }));
    try {
      const { connect } = await import('node:net');
      // Half a request, as a stalled browser leaves it: Node would wait out its headers timeout (a minute).
      const stalled = connect(host.port, '127.0.0.1');
      await new Promise<void>((r) => stalled.once('connect', () => r()));
      stalled.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n`);
      const dropped = new Promise<void>((r) => stalled.once('close', () => r()));
      stalled.on('error', () => undefined);
      await host.close();
      await dropped;
    } finally {
      await done(); // a second close of a closed host is harmless
    }
  });
});

describe('restarting the web host', () => {
  const answer: Till['invoke'] = () => Promise.resolve({ ok: true, value: null });
  const cookieOf = async (host: WebHost) =>
    ((await fetch(host.url, { redirect: 'manual' })).headers.get('set-cookie') ?? '').split(';')[0]!;
  const socketWith = (port: number, cookie: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
        headers: { cookie, origin: `http://127.0.0.1:${port}` },
      });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  /** What the page asks when its socket will not open: is this page's cookie still taken? */
  const probe = async (port: number, cookie: string) =>
    (await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD', headers: { cookie } })).status;

  it('with the kept token, takes the cookie an open page holds; with a new token answers 401, which the page reads', async () => {
    const token = 'kept-token-'.padEnd(32, 'x');
    const before = await hostFor(answer, { token });
    const { port } = before.host;
    const cookie = await cookieOf(before.host);
    // Named for its port: a second till on this machine does not overwrite this one's cookie.
    expect(cookie).toBe(`till_token_${port}=${token}`);
    await before.done();

    const again = await hostFor(answer, { token, port });
    try {
      (await socketWith(port, cookie)).close();
      expect(await probe(port, cookie)).toBe(200);
    } finally {
      await again.done();
    }

    const renewed = await hostFor(answer, { token: 'new-token-'.padEnd(32, 'y'), port });
    try {
      await expect(socketWith(port, cookie)).rejects.toThrow(/401/);
      expect(await probe(port, cookie)).toBe(401);
    } finally {
      await renewed.done();
    }
  });

  it('takes another port when the wanted one is in use only if allowed to, and refuses the other port’s cookie', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      await expect(hostFor(answer, { port: taken })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const moved = await hostFor(answer, {
        port: taken,
        anyPortIfTaken: true,
        token: 'one-token-'.padEnd(32, 'z'),
      });
      try {
        expect(moved.host.port).not.toBe(taken);
        expect(moved.host.url).toContain(`127.0.0.1:${moved.host.port}/`);
        const token = 'one-token-'.padEnd(32, 'z');
        expect(await probe(moved.host.port, `till_token_${taken}=${token}`)).toBe(401);
      } finally {
        await moved.done();
      }
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
