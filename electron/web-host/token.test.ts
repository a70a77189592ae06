import { chmodSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/fixtures.js';
import { TOKEN_FILE, webHostToken } from './token.js';

describe('the web host token kept in the data folder', () => {
  const dirs: { path: string; remove: () => void }[] = [];
  const dataDir = () => {
    const dir = tempDir('till-token-');
    dirs.push(dir);
    return join(dir.path, 'data');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });
  const mode = (path: string) => statSync(path).mode & 0o777;

  it('is made once, 0600 in a 0700 folder, and the same on the next start of that folder', () => {
    const data = dataDir();
    const first = webHostToken(data);
    expect(first.path).toBe(join(data, TOKEN_FILE));
    expect(first.token).toMatch(/^[\w-]{32}$/);
    expect(first.note).toBeNull();
    expect(mode(first.path)).toBe(0o600);
    expect(mode(data)).toBe(0o700);
    expect(readFileSync(first.path, 'utf8').trim()).toBe(first.token);
    expect(webHostToken(data)).toEqual(first);
    // Another till's folder has a token of its own.
    expect(webHostToken(dataDir()).token).not.toBe(first.token);
  });

  it('is replaced when asked (TILL_NEW_TOKEN) or when the file is deleted, and the new one is kept', () => {
    const data = dataDir();
    const old = webHostToken(data);
    const renewed = webHostToken(data, { renew: true });
    expect(renewed.token).not.toBe(old.token);
    expect(renewed.note).toMatch(/new address/);
    expect(mode(renewed.path)).toBe(0o600);
    expect(webHostToken(data).token).toBe(renewed.token);
    unlinkSync(renewed.path);
    const afterDelete = webHostToken(data);
    expect(afterDelete.token).not.toBe(renewed.token);
    expect(webHostToken(data).token).toBe(afterDelete.token);
  });

  it('is not trusted once other users could read it, nor when damaged: a new one is made and said', () => {
    const data = dataDir();
    const old = webHostToken(data);
    chmodSync(old.path, 0o644);
    const exposed = webHostToken(data);
    expect(exposed.token).not.toBe(old.token);
    expect(exposed.note).toMatch(/other users/);
    expect(mode(exposed.path)).toBe(0o600);

    writeFileSync(exposed.path, 'short');
    const damaged = webHostToken(data);
    expect(damaged.token).toMatch(/^[\w-]{32}$/);
    expect(damaged.note).toMatch(/damaged/);
    expect(mode(damaged.path)).toBe(0o600);
  });
});
