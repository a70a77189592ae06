import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A WebSocket client written by hand on a TCP socket, so tests can send what no well-behaved
 * library would: unmasked frames, reserved bits, unknown opcodes, bad close codes, invalid
 * UTF-8, lengths that lie. RFC 6455 §5.2 is the frame layout used here.
 */

export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

export interface FrameSpec {
  opcode: number;
  payload?: Buffer;
  fin?: boolean;
  /** RSV1..3 as a 3-bit number (RFC 6455 §5.2: must be 0 without a negotiated extension). */
  rsv?: number;
  /** Clients must mask every frame (RFC 6455 §5.3); false sends it in the clear. */
  masked?: boolean;
  /** Claim this payload length instead of the real one (a truncated or oversized frame). */
  declaredLength?: number;
}

export function frame(spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  const masked = spec.masked ?? true;
  const length = spec.declaredLength ?? payload.length;
  const head = [((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | (spec.opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (length < 126) head.push(maskBit | length);
  else if (length < 0x10000) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(length);
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(length)); // lengths past 2^53 are allowed on the wire, never by ws
  }
  if (!masked) return Buffer.concat([Buffer.from(head), ext, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

export function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return Buffer.concat([b, Buffer.from(reason)]);
}

/** What the server did in the end: answered with text frames, closed with a code, or hung up. */
export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

export interface RawWebSocket {
  /** The HTTP status line of the handshake answer ("HTTP/1.1 101 Switching Protocols"). */
  status: string;
  write(bytes: Buffer): void;
  /** Half-closes: the server sees the end of the stream, as when a client stops mid-frame. */
  end(): void;
  /** The next frame from the server, or null once the TCP connection has closed. */
  next(): Promise<ServerFrame | null>;
  /** Reads frames until a close frame (its code, or 1005 when it has none) or the end of TCP (null). */
  closeCode(): Promise<number | null>;
  destroy(): void;
}

/** Performs the opening handshake (RFC 6455 §4.1) with these extra headers. */
export function openRawWebSocket(
  port: number,
  headers: Record<string, string>,
  target = '/ws',
): Promise<RawWebSocket> {
  const socket: Socket = connect(port, '127.0.0.1');
  let buffer = Buffer.alloc(0);
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    notify();
  });
  socket.on('close', () => {
    ended = true;
    notify();
  });
  socket.on('error', () => undefined); // a reset is an ending like any other here
  const more = () => new Promise<void>((resolve) => (wake = resolve));

  async function handshake(): Promise<string> {
    const lines = [
      `GET ${target} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 4);
        return head.split('\r\n')[0]!;
      }
      if (ended) return '';
      await more();
    }
  }

  function parseFrame(): ServerFrame | undefined {
    if (buffer.length < 2) return undefined;
    let length = buffer[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buffer.length < 4) return undefined;
      length = buffer.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buffer.length < 10) return undefined;
      length = Number(buffer.readBigUInt64BE(2));
      offset = 10;
    }
    if (buffer.length < offset + length) return undefined;
    const f = { opcode: buffer[0]! & 0x0f, payload: buffer.subarray(offset, offset + length) };
    buffer = buffer.subarray(offset + length);
    return f;
  }

  async function next(): Promise<ServerFrame | null> {
    for (;;) {
      const f = parseFrame();
      if (f) return f;
      if (ended) return null;
      await more();
    }
  }

  return handshake().then((status) => ({
    status,
    write: (bytes) => void socket.write(bytes),
    end: () => void socket.end(),
    next,
    async closeCode() {
      for (;;) {
        const f = await next();
        if (f === null) return null;
        if (f.opcode === OPCODE.close) return f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
      }
    },
    destroy: () => socket.destroy(),
  }));
}
