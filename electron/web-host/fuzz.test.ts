import { signedInTill } from '../test-support/till-calls.js';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  commandNames,
  commands,
  TillErrorShape,
  type CommandName,
  type ServerMessage,
} from '../../shared/contract/index.js';
import { fromWire, toWire } from '../../shared/contract/wire.js';
import type { Till } from '../till.js';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import {
  closePayload,
  frame,
  OPCODE,
  openRawWebSocket,
  type FrameSpec,
} from '../test-support/raw-websocket.js';
import { readClientMessage } from './client-message.js';
import { rawText, startWebHost, type WebHost } from './server.js';
import { runSeed } from '../../shared/test-support/seed.js';

/**
 * Seeded fuzzing of the real web host (a real till on a temp journal) by a client that holds
 * the session cookie: hostile HTTP requests and raw WebSocket frames written on TCP, messages
 * with wrong types everywhere, and every command with random input. After every case the host
 * still answers, every answer was typed, nothing escaped as an uncaught error, and the
 * journal's content is exactly what it was.
 *
 * FUZZ_SEED=<n> replays a run (the seed is printed on failure); FUZZ_RUNS=<n> runs each
 * property n times instead of its default.
 */
const SEED = runSeed('FUZZ_SEED');
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : undefined;
/** A case that takes longer than this hung. */
const CASE_TIMEOUT_MS = 3_000;

/** Commands that write nothing whatever their input; every other one is sent only input its schema refuses. */
const READ_ONLY = new Set<CommandName>([
  'getStatus',
  'searchCatalog',
  'getCart',
  'getSale',
  'listSales',
  'getSettings',
  'getBackendConfig',
  'getReconcile',
]);

/** What the till itself would run: a command it would execute and that could write. */
function wouldWrite(text: string): boolean {
  const request = readClientMessage(text);
  if (request.kind !== 'invoke' || READ_ONLY.has(request.name)) return false;
  return commands[request.name].input.safeParse(request.input ?? {}).success;
}

// --- arbitraries -----------------------------------------------------------------------------

const nastyKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  '$bigint',
  'type',
  'id',
  'name',
  'input',
);

/** Any JSON the wire can carry, bigints included, with keys chosen to trip naive code. */
const wireValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; array: unknown[]; object: unknown }>(
  (tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double(),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.bigInt(),
      fc.constant({ $bigint: '9'.repeat(400) }),
      tie('array'),
      tie('object'),
    ),
    array: fc.array(tie('value'), { maxLength: 4 }),
    object: fc.dictionary(fc.oneof(nastyKey, fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 4 }),
  }),
).value;

const commandName = fc.constantFrom(...commandNames);

/** Input for a command: random, or (for the read-only ones) shaped close to what they accept. */
const commandInput = fc.oneof(
  wireValue,
  fc.constant(undefined),
  fc.record(
    {
      query: fc.string({ unit: 'binary', maxLength: 300 }),
      limit: fc.integer({ min: -5, max: 600 }),
      saleId: fc.oneof(fc.string({ maxLength: 250 }), fc.uuid()),
      day: fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      ),
      outcome: fc.string({ maxLength: 70 }),
      offset: fc.integer({ min: -5, max: 10_000 }),
    },
    { requiredKeys: [] },
  ),
);

const message = fc.oneof(
  // Well-typed invocations of every command with random input.
  fc
    .record({ type: fc.constant('invoke'), id: fc.nat(), name: commandName, input: commandInput })
    .map(toWire),
  // Wrong types everywhere.
  fc
    .record(
      {
        type: fc.oneof(fc.constant('invoke'), wireValue),
        id: fc.oneof(fc.nat(), fc.double(), fc.string({ maxLength: 6 }), wireValue),
        name: fc.oneof(commandName, nastyKey, wireValue),
        input: commandInput,
        extra: wireValue,
      },
      { requiredKeys: [] },
    )
    .map(toWire),
  // Not JSON, truncated JSON, numbers JSON cannot round-trip, nesting deeper than the stack.
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .record({ type: fc.constant('invoke'), id: fc.nat(), name: commandName, input: commandInput })
    .chain((m) => fc.nat({ max: toWire(m).length }).map((n) => toWire(m).slice(0, n))),
  fc.constantFrom(
    '{"type":"invoke","id":1e400,"name":"getStatus"}',
    '{"type":"invoke","id":-0,"name":"getStatus"}',
    '{"type":"invoke","id":9007199254740993,"name":"getStatus"}',
    '{"type":"invoke","id":1,"name":{"toString":1},"input":{}}',
    '{"type":"invoke","id":1,"name":"getStatus","input":{"__proto__":{"admin":true}}}',
    `${'['.repeat(200_000)}${']'.repeat(200_000)}`,
  ),
);

const percentJunk = fc.constantFrom(
  '%',
  '%E0%A4%A',
  '%ZZ',
  '%C0%AF',
  '%00',
  '%2e%2e',
  '%2f',
  '%5c',
  '..',
  '/',
  '\\',
  'catalog-images/',
  'assets/',
  'index.html',
  '?token=',
  '#',
  ';',
  '%FF%FE',
  '%u2215',
  'espresso.svg',
);

/** Characters a request-target may carry unescaped (RFC 3986 pchar, plus "/" and "?"). */
const urlSafe = (max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,${max}}$`));

/** Request targets that are not paths at all: absolute form, authority form, asterisk, nothing. */
const oddTarget = fc.constantFrom(
  'http://[/',
  'http://127.0.0.1/',
  '*',
  '//evil.example/x',
  '/\0',
  '',
  'x',
  '/a b',
);

const hostilePath = fc.oneof(
  {
    arbitrary: fc.array(fc.oneof(percentJunk, urlSafe(6)), { maxLength: 12 }).map((p) => `/${p.join('')}`),
    weight: 10,
  },
  oddTarget,
  fc.nat({ max: 40_000 }).map((n) => `/${'a/..%2f'.repeat(n / 7)}`),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

const headerName = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'Sec-Fetch-Site',
      'Sec-Fetch-Mode',
      'Origin',
      'Cookie',
      'Host',
      'Content-Length',
      'Transfer-Encoding',
      'Upgrade',
      'Connection',
      'Range',
      'If-None-Match',
    ),
    weight: 8,
  },
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/), weight: 2 },
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const headerValue = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'same-origin',
      'none',
      'same-site',
      'cross-site',
      'null',
      'http://127.0.0.1:1',
      'websocket',
      'chunked',
      '-1',
      '99999999999',
    ),
    weight: 6,
  },
  { arbitrary: fc.stringMatching(/^[\x20-\x7e]{0,60}$/), weight: 3 },
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.nat({ max: 20_000 }).map((n) => 'x'.repeat(n)),
);

const httpRequest = fc.record({
  method: fc.oneof(
    { arbitrary: fc.constant('GET'), weight: 5 },
    fc.constantFrom('HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'BREW', 'get'),
  ),
  path: hostilePath,
  headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }),
});

/** One frame a client could send, valid or not. */
const frameSpec: fc.Arbitrary<FrameSpec> = fc.record(
  {
    opcode: fc.oneof(
      fc.constantFrom(OPCODE.text, OPCODE.binary, OPCODE.close, OPCODE.ping),
      fc.nat({ max: 15 }),
    ),
    payload: fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      message.filter((m) => m.length < 10_000).map((m) => Buffer.from(m)),
      fc.constantFrom(Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xff])),
      fc
        .tuple(fc.nat({ max: 5_000 }), fc.string({ maxLength: 20 }))
        .map(([code, why]) => closePayload(code, why)),
    ),
    fin: fc.boolean(),
    rsv: fc.nat({ max: 7 }),
    masked: fc.boolean(),
    declaredLength: fc.oneof(fc.nat({ max: 300 }), fc.constantFrom((1 << 20) + 1, 2 ** 53, 2 ** 60)),
  },
  { requiredKeys: ['opcode', 'payload'] },
);

// --- the host under test ----------------------------------------------------------------------

describe('the web host under fuzzing', () => {
  const dir = tempDir('till-fuzz-');
  const journalPath = join(dir.path, 'data', 'journal.sqlite');
  let till: Till;
  let host: WebHost;
  let cookie: string;
  const escaped: unknown[] = [];
  const onEscape = (err: unknown) => escaped.push(err);
  let cases = 0;

  beforeAll(async () => {
    const renderer = join(dir.path, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>till</title>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
    till = await signedInTill({
      dataDir: join(dir.path, 'data'),
      resourcesDir: RESOURCES_DIR,
      timers: false,
    });
    host = await startWebHost({
      till,
      rendererDir: renderer,
      imagesDirs: [join(RESOURCES_DIR, 'images')],
      log: () => undefined, // every case is hostile: the host's complaints are expected
    });
    const res = await fetch(host.url, { redirect: 'manual' });
    cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    // Anything the host lets escape would end `npm run serve`; here it is caught and counted.
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
  });

  afterAll(async () => {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
    console.log(`web host fuzz: ${cases} cases, seed ${SEED}`);
    await host?.close();
    await till?.close();
    dir.remove();
  });

  const origin = () => `http://127.0.0.1:${host.port}`;

  /** Every row of every table, read through its own read-only connection (WAL included). */
  function journalDigest(): string {
    const db = new Database(journalPath, { readonly: true, fileMustExist: true });
    try {
      const hash = createHash('sha256');
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .pluck()
        .all() as string[];
      for (const table of tables) {
        hash.update(`\0${table}\0`);
        for (const row of db.prepare(`SELECT * FROM "${table}"`).raw().all() as unknown[][]) {
          hash.update(toWire(row.map((v) => (Buffer.isBuffer(v) ? v.toString('hex') : v))));
        }
      }
      return hash.digest('hex');
    } finally {
      db.close();
    }
  }

  /** The host is still up and sane after a case. */
  async function expectStillServing(): Promise<void> {
    expect(escaped).toEqual([]);
    const res = await fetch(`${origin()}/`, { headers: { cookie } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }

  function expectTyped(msg: ServerMessage): void {
    if (msg.type === 'event') return;
    expect(msg.type).toBe('reply');
    expect(Number.isSafeInteger(msg.id)).toBe(true);
    if (!msg.reply.ok) {
      expect(TillErrorShape.safeParse(msg.reply.error).success).toBe(true);
      expect(msg.reply.error.message).not.toMatch(/\n\s+at |node_modules|\.ts:\d/);
    }
  }

  async function check<T>(
    name: string,
    arb: fc.Arbitrary<T>,
    runs: number,
    run: (value: T) => Promise<void>,
  ) {
    escaped.length = 0;
    const before = journalDigest();
    try {
      await fc.assert(
        fc.asyncProperty(arb, async (value) => {
          await run(value);
          await expectStillServing();
          cases++;
        }),
        { seed: SEED, numRuns: RUNS ?? runs, timeout: CASE_TIMEOUT_MS, endOnFailure: true },
      );
    } catch (err) {
      throw new Error(`${name} failed: replay with FUZZ_SEED=${SEED}\n${(err as Error).message}`, {
        cause: err,
      });
    }
    expect(journalDigest(), `${name} changed the journal (FUZZ_SEED=${SEED})`).toBe(before);
  }

  /** Writes a request as given and returns all the host sent back before it closed. */
  function rawHttp(request: string, { headOnly = false } = {}): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(host.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      const text = () => Buffer.concat(chunks).toString('latin1');
      socket.on('data', (c: Buffer) => {
        chunks.push(c);
        // An accepted upgrade stays open: its status line and headers are the whole answer.
        if (headOnly && text().includes('\r\n\r\n')) socket.destroy();
      });
      socket.on('error', () => undefined); // the host may reset a garbage request; that is an answer
      socket.on('close', () => resolve(text()));
      socket.write(request, 'latin1');
    });
  }

  it('answers hostile HTTP requests with a status, never a crash or a stack', async () => {
    await check('HTTP', httpRequest, 150, async ({ method, path, headers }) => {
      const lines = [
        `${method} ${path} HTTP/1.1`,
        `Host: 127.0.0.1:${host.port}`,
        `Cookie: ${cookie}`,
        ...headers.map(([k, v]) => `${k}: ${v}`),
        'Connection: close',
      ];
      const answer = await rawHttp(`${lines.join('\r\n')}\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 [1-5]\d\d /);
      expect(Number(answer.slice(9, 12))).toBeLessThan(500);
      expect(answer).not.toMatch(/\n\s+at |Error:/);
    });
  });

  it('answers hostile WebSocket handshakes with a status', async () => {
    const handshake = fc.record({
      path: fc.oneof({ arbitrary: fc.constant('/ws'), weight: 3 }, oddTarget, hostilePath),
      key: fc.oneof(
        fc.base64String({ minLength: 24, maxLength: 24 }),
        fc.stringMatching(/^[\x21-\x7e]{0,40}$/),
      ),
      version: fc.constantFrom('13', '8', '', 'x', '13, 8'),
      cookie: fc.boolean(),
      site: fc.constantFrom(undefined, 'same-origin', 'none', 'same-site', 'cross-site'),
      origin: fc.constantFrom(undefined, 'own', 'null', 'http://127.0.0.1:1', 'http://evil.example'),
      headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 2 }),
    });
    await check('handshakes', handshake, 150, async (h) => {
      const lines = [
        `GET ${h.path} HTTP/1.1`,
        `Host: 127.0.0.1:${host.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${h.key}`,
        `Sec-WebSocket-Version: ${h.version}`,
        ...(h.cookie ? [`Cookie: ${cookie}`] : []),
        ...(h.site ? [`Sec-Fetch-Site: ${h.site}`] : []),
        ...(h.origin ? [`Origin: ${h.origin === 'own' ? origin() : h.origin}`] : []),
        ...h.headers.map(([k, v]) => `${k}: ${v}`),
      ];
      const answer = await rawHttp(`${lines.join('\r\n')}\r\n\r\n`, { headOnly: true });
      expect(answer).toMatch(/^HTTP\/1\.1 (101|400|401|403|404|405|426|431) /);
    });
  });

  it('closes a socket that sends malformed frames, with a code, and keeps serving', async () => {
    const frames = fc.array(frameSpec, { minLength: 1, maxLength: 3 });
    await check('frames', frames, 200, async (specs) => {
      // A message split over continuation frames is judged whole, as ws will assemble it.
      const payloads = specs.map((s) => s.payload ?? Buffer.alloc(0));
      fc.pre([...payloads, Buffer.concat(payloads)].every((p) => !wouldWrite(p.toString('utf8'))));
      const raw = await openRawWebSocket(host.port, { cookie, origin: origin() });
      expect(raw.status).toMatch(/ 101 /);
      for (const spec of specs) raw.write(frame(spec));
      raw.end();
      for (let f = await raw.next(); f !== null; f = await raw.next()) {
        if (f.opcode === OPCODE.text) expectTyped(fromWire(f.payload.toString('utf8')) as ServerMessage);
        if (f.opcode === OPCODE.close && f.payload.length >= 2) {
          expect(f.payload.readUInt16BE(0)).toBeGreaterThanOrEqual(1000);
        }
      }
    });
  });

  /** Sends one message on a fresh socket: the reply to it, or the close code if the host hung up. */
  function exchange(text: string): Promise<ServerMessage | number> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, { headers: { cookie, origin: origin() } });
      ws.on('error', reject);
      ws.on('open', () => ws.send(text));
      ws.on('message', (data) => {
        const msg = fromWire(rawText(data)) as ServerMessage;
        expectTyped(msg);
        if (msg.type === 'reply') {
          resolve(msg);
          ws.close();
        }
      });
      ws.on('close', (code) => resolve(code));
    });
  }

  it('answers every message, however wrong its types, with a typed reply or a close code', async () => {
    await check('messages', message, 400, async (text) => {
      fc.pre(!wouldWrite(text));
      const answer = await exchange(text);
      if (typeof answer === 'number')
        expect(answer).toBe(readClientMessage(text).kind === 'refuse' ? 1003 : 1009);
      else expect(answer.type).toBe('reply');
    });
  });

  it('runs the read-only commands on any input without an internal error', async () => {
    const readOnly = fc.record({ name: fc.constantFrom(...READ_ONLY), input: commandInput, id: fc.nat() });
    await check('read-only commands', readOnly, 300, async ({ name, input, id }) => {
      const answer = await exchange(toWire({ type: 'invoke', id, name, input }));
      expect(answer).toMatchObject({ type: 'reply', id });
      const reply = (answer as Extract<ServerMessage, { type: 'reply' }>).reply;
      if (!reply.ok) expect(reply.error.kind, reply.error.message).not.toBe('Internal');
    });
  });
});
