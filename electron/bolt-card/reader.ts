import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MAX_LENGTH } from '../../shared/domain/limits.js';

/**
 * The till's side of the USB NFC reader: a child process (./reader-process.ts) owns nfc-pcsc,
 * whose PC/SC binding can block its event loop for good (no pcscd on Linux), and tells the till
 * what happens in ReaderMessages. The till only listens: nothing it does waits on the reader,
 * and a reader process that never answers, dies or talks nonsense changes nothing but the
 * status bar.
 */

export const ReaderMessage = z.discriminatedUnion('type', [
  /** The readers plugged in now (empty: none). */
  z.object({ type: z.literal('readers'), names: z.array(z.string().min(1).max(200)).max(16) }),
  /** A card was tapped: its NDEF text. */
  z.object({ type: z.literal('card'), text: z.string().min(1).max(MAX_LENGTH.cardText) }),
  /** A card was tapped but not read. */
  z.object({ type: z.literal('cardError'), message: z.string().max(500) }),
  /** No PC/SC here (no library, no daemon): no reader will ever show. */
  z.object({ type: z.literal('unavailable'), message: z.string().max(2000) }),
]);
export type ReaderMessage = z.infer<typeof ReaderMessage>;

export interface CardReaderHandlers {
  /** The reader in use (the first plugged in), or null when none is. */
  reader(name: string | null): void;
  card(text: string): void;
  cardError(message: string): void;
  log(message: string): void;
}

export interface CardReaderSource {
  close(): Promise<void>;
}

/** How the till starts watching for a reader; the web host never passes one. */
export type StartCardReader = (handlers: CardReaderHandlers) => CardReaderSource;

/** One message from the reader process to the handlers; anything malformed is logged and dropped. */
export function deliverReaderMessage(raw: unknown, handlers: CardReaderHandlers): void {
  const parsed = ReaderMessage.safeParse(raw);
  if (!parsed.success) {
    handlers.log('the card reader process sent a message that is not in its protocol');
    return;
  }
  const message = parsed.data;
  switch (message.type) {
    case 'readers':
      handlers.reader(message.names[0] ?? null);
      return;
    case 'card':
      handlers.card(message.text);
      return;
    case 'cardError':
      handlers.cardError(message.message);
      return;
    case 'unavailable':
      handlers.reader(null);
      handlers.log(`no NFC reader support: ${message.message}`);
      return;
  }
}

export interface ReaderProcessOptions {
  /** The process's module and Node flags; reader-process.ts under tsx, card-reader.js when built. */
  module?: { filename: string; execArgv: string[] };
  env?: Record<string, string>;
}

/** Where the reader process's module is: beside this file under tsx, beside index.js when built. */
export function defaultReaderModule(): { filename: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts'))
    return { filename: join(dirname(here), 'reader-process.ts'), execArgv: ['--import', 'tsx'] };
  return { filename: join(dirname(here), 'card-reader.js'), execArgv: [] };
}

/** Starts the reader process; its messages reach `handlers`. */
export function readerProcess(options: ReaderProcessOptions = {}): StartCardReader {
  return (handlers) => {
    const module = options.module ?? defaultReaderModule();
    let child: ChildProcess;
    try {
      child = fork(module.filename, [], {
        execArgv: module.execArgv,
        // In Electron, process.execPath is the app: run as plain Node.
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...options.env },
        stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
        serialization: 'json',
      });
    } catch (err) {
      handlers.log(`the card reader process did not start: ${String(err)}`);
      return { close: () => Promise.resolve() };
    }
    child.on('message', (raw) => deliverReaderMessage(raw, handlers));
    child.on('error', (err) => handlers.log(`the card reader process failed: ${err.message}`));
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        handlers.reader(null);
        resolve();
      }),
    );
    // Never keeps the till's process alive.
    child.unref();
    child.channel?.unref();
    return {
      async close() {
        if (child.exitCode === null && child.signalCode === null) {
          // SIGKILL: a process stuck inside the PC/SC library answers nothing else.
          child.kill('SIGKILL');
          await exited;
        }
      },
    };
  };
}
