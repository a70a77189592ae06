import { connect } from 'node:net';

/**
 * Stands in for electron/bolt-card/reader-process.ts in tests (no hardware here): the same
 * process, the same message protocol to the till, driven by the test over a Unix socket
 * (FAKE_READER_SOCKET), one JSON command a line:
 *   {"send": <anything>}  — sent to the till as the reader process would (malformed too)
 *   {"block": true}       — blocks this process's event loop for good, as `new NFC()` does
 *                           on Linux without pcscd
 *   {"exit": <code>}      — the process dies
 */

const socket = connect(process.env.FAKE_READER_SOCKET ?? '');
let buffered = '';
socket.on('data', (chunk: Buffer) => {
  buffered += chunk.toString('utf8');
  let nl: number;
  while ((nl = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    const command = JSON.parse(line) as { send?: unknown; block?: boolean; exit?: number };
    if ('send' in command) process.send?.(command.send);
    if (command.block) {
      socket.write('blocked\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    }
    if (command.exit !== undefined) process.exit(command.exit);
    socket.write('done\n');
  }
});
process.on('disconnect', () => process.exit(0));
