import { spawn } from 'node:child_process';

/**
 * Runs a selling child process (a `.ts` script under tsx, given `args`) until it has printed
 * `afterPaid` lines `paid <saleId>`, waits `extraMs` more, then SIGKILLs it mid-whatever it is
 * doing. Resolves with the sale ids it reported paid; rejects if it exits on its own.
 */
export function sellThenKill(
  script: string,
  args: string[],
  afterPaid: number,
  extraMs: number,
): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const paid: string[] = [];
    let buf = '';
    let err = '';
    let armed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('paid ')) paid.push(l.slice(5));
      if (!armed && paid.length >= afterPaid) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolvePromise(paid);
      else reject(new Error(`child exited on its own (${code}): ${err}`));
    });
  });
}
