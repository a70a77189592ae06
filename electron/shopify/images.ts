import { createHash } from 'node:crypto';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, writePrivateFile } from '../files.js';
import type { Db } from '../journal/db.js';
import { backoffDelay } from '../backoff.js';

/**
 * Product images cached on disk, so the register looks the same offline. Files live in
 * `<dataDir>/catalog-images/<sha256 of the bytes>.<ext>` (content-addressed: the same
 * picture under two URLs is stored once, and a file name never changes meaning); the host
 * serves that folder at `/catalog-images/`, and the catalog's image_url points there once the
 * file is on disk. Downloads run beside the sync, never in its way; a failure is retried
 * later with backoff.
 */

export const IMAGE_DIR = 'catalog-images';
export const IMAGE_URL_PREFIX = '/catalog-images/';

const EXTENSIONS: Record<string, string> = {
  'image/svg+xml': 'svg',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
};
const MAX_BYTES = 10 * 1024 * 1024;

export interface ImageCacheOptions {
  db: Db;
  dataDir: string;
  fetch?: typeof fetch;
  now?: () => Date;
  concurrency?: number;
  /** First retry delay after a failed download; doubles per attempt up to an hour. */
  retryMs?: number;
}

export interface ImagePass {
  downloaded: number;
  failed: number;
}

export interface ImageCache {
  /** One pass over the images not yet cached (and due for a retry). */
  run(): Promise<ImagePass>;
  /** Starts a pass in the background (or another after the current one). */
  kick(): void;
  /** Resolves when no pass is running or queued. */
  idle(): Promise<void>;
  /** Stops taking new downloads (shutdown) and waits for those under way. */
  stop(): Promise<void>;
  readonly dir: string;
}

export function createImageCache(opts: ImageCacheOptions): ImageCache {
  const { db } = opts;
  const fetchImpl = opts.fetch ?? fetch;
  const now = opts.now ?? (() => new Date());
  const concurrency = opts.concurrency ?? 4;
  const retryMs = opts.retryMs ?? 60_000;
  const dir = join(opts.dataDir, IMAGE_DIR);
  let running: Promise<unknown> | null = null;
  let again = false;
  let stopped = false;

  const pending = db.prepare(
    `SELECT u.url FROM (
       SELECT source_image_url AS url FROM catalog_products WHERE source_image_url IS NOT NULL
       UNION SELECT source_image_url FROM catalog_variants WHERE source_image_url IS NOT NULL) u
     LEFT JOIN catalog_images i ON i.url = u.url
     WHERE i.file IS NULL AND (i.next_attempt_at IS NULL OR i.next_attempt_at <= ?)`,
  );
  const saved = db.transaction((url: string, file: string) => {
    db.prepare(
      `INSERT INTO catalog_images (url, file, attempts) VALUES (?, ?, 0)
       ON CONFLICT(url) DO UPDATE SET file = excluded.file, last_error = NULL, next_attempt_at = NULL`,
    ).run(url, file);
    const local = IMAGE_URL_PREFIX + file;
    db.prepare('UPDATE catalog_products SET image_url = ? WHERE source_image_url = ?').run(local, url);
    db.prepare('UPDATE catalog_variants SET image_url = ? WHERE source_image_url = ?').run(local, url);
  });
  const failedStmt = db.prepare(
    `INSERT INTO catalog_images (url, attempts, next_attempt_at, last_error) VALUES (@url, 1, @next, @error)
     ON CONFLICT(url) DO UPDATE SET attempts = attempts + 1, next_attempt_at = @next, last_error = @error`,
  );
  const attemptsOf = db.prepare('SELECT attempts FROM catalog_images WHERE url = ?');

  async function download(url: string): Promise<void> {
    const res = await fetchImpl(url, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const ext = EXTENSIONS[type];
    if (!ext) throw new Error(`not an image (${type || 'no content type'})`);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > MAX_BYTES) throw new Error(`image larger than ${MAX_BYTES} bytes`);
    const file = `${createHash('sha256').update(bytes).digest('hex')}.${ext}`;
    // Written aside and renamed: a reader never sees half a file under the final name.
    const tmp = join(dir, `.${file}.${process.pid}.tmp`);
    writePrivateFile(tmp, bytes);
    renameSync(tmp, join(dir, file));
    saved(url, file);
  }

  async function run(): Promise<ImagePass> {
    makePrivateDir(dir);
    const urls = (pending.all(now().toISOString()) as { url: string }[]).map((r) => r.url);
    const pass: ImagePass = { downloaded: 0, failed: 0 };
    let next = 0;
    const worker = async () => {
      while (next < urls.length && !stopped) {
        const url = urls[next++]!;
        try {
          await download(url);
          pass.downloaded++;
        } catch (err) {
          pass.failed++;
          const row = attemptsOf.get(url) as { attempts: bigint } | undefined;
          const attempts = Number(row?.attempts ?? 0n);
          const delay = backoffDelay(attempts, { baseMs: retryMs, maxMs: 3_600_000 });
          failedStmt.run({
            url,
            next: new Date(now().getTime() + delay).toISOString(),
            error: err instanceof Error ? err.message : String(err),
          });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
    return pass;
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    const loop = async (): Promise<void> => {
      do {
        again = false;
        // A failed pass is not the sync's problem: the next kick retries what is due.
        await run().catch(() => undefined);
      } while (again && !stopped);
    };
    running = loop().finally(() => {
      running = null;
    });
  }

  const idle = async () => {
    while (running) await running;
  };
  return {
    run,
    kick,
    idle,
    stop: async () => {
      stopped = true;
      await idle();
    },
    dir,
  };
}
