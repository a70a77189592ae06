import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../shared/contract/index.js';
import { fromWire, toWire } from '../../shared/contract/wire.js';
import { createTill, type Till } from '../till.js';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { rawText, startWebHost, type WebHost } from './server.js';

describe('web host', () => {
  const dir = tempDir();
  let till: Till;
  let host: WebHost;
  let cookie: string;

  beforeAll(async () => {
    const renderer = join(dir.path, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>till</title>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir.path, 'secret.txt'), 'do not serve');
    till = await createTill({ dataDir: join(dir.path, 'data'), resourcesDir: RESOURCES_DIR, timers: false });
    host = await startWebHost({ till, rendererDir: renderer, imagesDirs: [join(RESOURCES_DIR, 'images')] });
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
    expect((await fetch(`${base()}/`, { headers: { cookie: 'till_token=guess' } })).status).toBe(401);
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

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: host.port, path: '/', headers: { host: 'evil.example', cookie } },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
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
  });
});
