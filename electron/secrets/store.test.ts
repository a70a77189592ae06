import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/fixtures.js';
import { createFileSecretStore, SecretStoreError } from './store.js';

describe('file secret store', () => {
  const dirs: ReturnType<typeof tempDir>[] = [];
  const fresh = () => {
    const d = tempDir('till-secrets-');
    dirs.push(d);
    return d.path;
  };
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  it('keeps secrets across instances in a file only its owner can read', () => {
    const dir = fresh();
    createFileSecretStore(dir).set('lnd.macaroon', '0201036c6e64');
    createFileSecretStore(dir).set('shopify.token', 'shpat_abc');
    const store = createFileSecretStore(dir);
    expect(store.get('lnd.macaroon')).toBe('0201036c6e64');
    expect(store.get('shopify.token')).toBe('shpat_abc');
    expect(store.get('missing')).toBeNull();
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    store.delete('lnd.macaroon');
    expect(createFileSecretStore(dir).get('lnd.macaroon')).toBeNull();
    expect(readdirSync(dir)).toEqual(['secrets.json']);
  });

  it('writes only what the cipher sealed', () => {
    const dir = fresh();
    const cipher = {
      seal: (s: string) => Buffer.from(s).reverse().toString('base64'),
      open: (s: string) => Buffer.from(s, 'base64').reverse().toString(),
    };
    createFileSecretStore(dir, cipher).set('nwc.secret', 'very-secret-value');
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).not.toContain('very-secret-value');
    expect(createFileSecretStore(dir, cipher).get('nwc.secret')).toBe('very-secret-value');
  });

  it('says clearly when the file is damaged or a name is invalid', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'secrets.json'), '{"truncated": ');
    expect(() => createFileSecretStore(dir).get('x')).toThrow(/damaged: re-enter/);
    expect(() => createFileSecretStore(fresh()).set('../../etc/passwd', 'x')).toThrow(SecretStoreError);
  });
});
