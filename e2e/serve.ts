import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export interface ServedTill {
  url: string;
  output: () => string;
  /** SIGTERM stops it as Ctrl+C would; SIGKILL as a crash or a pulled plug. */
  stop: (signal?: 'SIGTERM' | 'SIGKILL') => Promise<void>;
}

/** Starts `npm run serve` exactly as the README tells a user to, and waits for its URL. */
export function serveTill(dataDir: string, env: Record<string, string> = {}): Promise<ServedTill> {
  const child: ChildProcess = spawn('npm', ['run', 'serve'], {
    cwd: resolve(import.meta.dirname, '..'),
    env: { ...process.env, TILL_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so npm, tsx and node all stop together
  });
  let log = '';
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid, signal);
    await exited;
  };
  return new Promise((resolvePromise, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const m = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(log);
      if (m?.[1]) resolvePromise({ url: m[1], output: () => log, stop });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm run serve exited with ${code}:\n${log}`)));
  });
}
