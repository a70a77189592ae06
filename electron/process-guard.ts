import type { EventEmitter } from 'node:events';

/**
 * The last net under the till's process (the headless host and Electron's main process).
 * Node's default for an unhandled rejection or a thrown callback is to end the process — the
 * till would vanish mid-shift with no word in the log. Here both are logged and survived:
 * every journal change is one SQLite transaction that rolls back when it throws, so an
 * exception escaping a callback leaves no half-written sale behind, and the failing request
 * has already lost its answer. A process that does exit says so, with its code.
 */

type Log = (message: string, err?: unknown) => void;

export function guardProcess(proc: EventEmitter, log: Log): () => void {
  const onRejection = (reason: unknown) =>
    log('a background task failed and nothing handled it; the till keeps running', reason);
  const onException = (err: Error, origin: string) =>
    log(`an error escaped (${origin}); the till keeps running`, err);
  const onExit = (code: number) => {
    if (code !== 0) log(`the till is stopping with exit code ${code}`);
  };
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  proc.on('exit', onExit);
  return () => {
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
    proc.off('exit', onExit);
  };
}
