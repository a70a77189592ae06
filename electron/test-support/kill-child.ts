import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The SIGKILL harness of the crash tests. A child process runs a till and reports what it did,
 * one line at a time; it knows (from its arguments, drawn from the test's seed) the step at
 * which it is to die, and there it prints `kill-point …` and blocks its own thread, so the
 * parent's SIGKILL lands at exactly that point of the journal's life, the same on every run of
 * the same seed. The kill is a real SIGKILL: no `finally`, no close, no flush.
 */

/** What a killed child said before it died. */
export interface ChildRun {
  /** Every line it printed, in order. */
  lines: string[];
  /** Where it died, as it described the kill point. */
  diedAt: string;
}

/** A child script bundled into one ES module, beside the repository's node_modules (git-ignored test-results/). */
export async function bundleChild(script: string): Promise<{ path: string; remove: () => void }> {
  // esbuild comes with tsx and vite (the version they pin); bundling the child once saves a
  // TypeScript compile of the whole till on every restart — a second per kill on two cores.
  // Imported here, not at the top: the children import this file too and need none of it.
  const { build } = await import('esbuild');
  const root = resolve(import.meta.dirname, '../../test-results');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, 'kill-child-'));
  const path = join(dir, 'child.mjs');
  await build({
    entryPoints: [script],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Everything in one file, packages too: resolving and loading hundreds of small modules is
    // most of a child's start-up. better-sqlite3 stays outside (its native build is loaded by
    // path), and CommonJS packages get a `require` of their own. So do the packages that cannot be
    // bundled as ES modules or hold native code: lnurl (a `private` binding, strict mode refuses
    // it), DuckDB (its .node binaries) and the NFC reader binding.
    external: ['better-sqlite3', 'lnurl', 'lnurl/*', 'lightning-backends', '@duckdb/*', 'nfc-pcsc'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    outfile: path,
    logLevel: 'error',
  });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a bundled child until it reports its kill point, then SIGKILLs it there. */
export function runToKillPoint(path: string, args: string[]): Promise<ChildRun> {
  return startChild(path, args).run;
}

/**
 * Starts a bundled child; it is SIGKILLed when it reports its kill point or when the parent
 * calls `kill` (from a fake's hook, say, while the child waits for an answer). `run` resolves
 * once it is dead, and rejects if it exits any other way.
 */
export function startChild(
  path: string,
  args: string[],
): { run: Promise<ChildRun>; kill: (where: string) => void } {
  const child = spawn(process.execPath, [path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let diedAt: string | null = null;
  const kill = (where: string) => {
    if (diedAt !== null) return;
    diedAt = where;
    child.kill('SIGKILL');
  };
  const run = new Promise<ChildRun>((resolvePromise, reject) => {
    let buf = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const complete = buf.split('\n');
      buf = complete.pop() ?? '';
      for (const line of complete) {
        lines.push(line);
        if (line.startsWith('kill-point ')) kill(line.slice('kill-point '.length));
      }
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL' && diedAt !== null) resolvePromise({ lines, diedAt });
      else reject(new Error(`the child exited on its own (${code ?? signal}):\n${err}\n${lines.join('\n')}`));
    });
  });
  return { run, kill };
}

/**
 * In the child: reports the kill point and blocks this thread until the parent's SIGKILL
 * arrives, so not one more microtask runs (Atomics.wait on a word nobody will ever notify).
 */
export function awaitKill(where: string): never {
  writeSync(1, `kill-point ${where}\n`);
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

/**
 * In the child: the steps it takes, counted by kind; the `nth` step of kind `killAfter` is
 * started (its synchronous part runs), then the child dies `turns` microtasks into it — the
 * same place on every run, since no I/O can interleave with microtasks.
 */
export function killPoints(
  killAfter: string,
  nth: number,
  turns: number,
): <T>(kind: string, run: () => Promise<T>) => Promise<T> {
  const seen = new Map<string, number>();
  return async (kind, run) => {
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    if (kind !== killAfter || n !== nth) return run();
    run().catch(() => undefined);
    for (let i = 0; i < turns; i++) await Promise.resolve();
    awaitKill(`${kind} #${n} +${turns} microtasks`);
  };
}

/** In the child: one line to the parent, written synchronously so a kill cannot lose it. */
export function report(line: string): void {
  writeSync(1, `${line}\n`);
}
