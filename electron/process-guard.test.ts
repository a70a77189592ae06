import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { guardProcess } from './process-guard.js';

describe('the process guard', () => {
  it('logs an unhandled rejection and an uncaught exception instead of letting them end the process', () => {
    const proc = new EventEmitter();
    const logged: string[] = [];
    const stop = guardProcess(proc, (message, err) => logged.push(`${message}: ${String(err)}`));
    // With no listener EventEmitter throws on 'error'-like events; these must be handled.
    expect(proc.listenerCount('uncaughtException')).toBe(1);
    expect(proc.listenerCount('unhandledRejection')).toBe(1);
    proc.emit('unhandledRejection', new Error('node went away'));
    proc.emit('uncaughtException', new TypeError('boom'), 'uncaughtException');
    proc.emit('exit', 0);
    proc.emit('exit', 1);
    expect(logged).toEqual([
      expect.stringMatching(/keeps running: Error: node went away/),
      expect.stringMatching(/escaped \(uncaughtException\).*keeps running: TypeError: boom/),
      expect.stringMatching(/exit code 1/),
    ]);
    stop();
    expect(proc.listenerCount('uncaughtException')).toBe(0);
    expect(proc.listenerCount('unhandledRejection')).toBe(0);
    expect(proc.listenerCount('exit')).toBe(0);
  });
});
