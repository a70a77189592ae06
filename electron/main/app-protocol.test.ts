import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/fixtures.js';
import { cspFor, isAppUrl, resolveAppFile } from './app-protocol.js';
import { cashierWindowOptions } from './window-options.js';

describe('app:// protocol', () => {
  const dir = tempDir('till-app-');
  const renderer = join(dir.path, 'renderer');
  const images = join(dir.path, 'images');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  mkdirSync(images);
  writeFileSync(join(renderer, 'index.html'), '');
  writeFileSync(join(renderer, 'assets', 'a.js'), '');
  writeFileSync(join(images, 'cup.svg'), '');
  writeFileSync(join(dir.path, 'journal.sqlite'), '');
  afterAll(() => dir.remove());

  it('serves the renderer and catalog images', () => {
    expect(resolveAppFile('app://till/', renderer, [images])).toBe(join(renderer, 'index.html'));
    expect(resolveAppFile('app://till/assets/a.js', renderer, [images])).toBe(
      join(renderer, 'assets', 'a.js'),
    );
    expect(resolveAppFile('app://till/catalog-images/cup.svg', renderer, [images])).toBe(
      join(images, 'cup.svg'),
    );
  });

  it('serves nothing outside those folders', () => {
    for (const url of [
      'app://till/../journal.sqlite',
      'app://till/%2e%2e/journal.sqlite',
      'app://till/catalog-images/..%2f..%2fjournal.sqlite',
      'app://other/index.html',
      'file:///etc/passwd',
      'app://till/missing.js',
      // Malformed escapes: decodeURIComponent throws URIError on these.
      'app://till/%E0%A4%A',
      'app://till/%',
      'app://till/catalog-images/%ZZ.svg',
    ]) {
      expect(resolveAppFile(url, renderer, [images]), url).toBeNull();
    }
    expect(isAppUrl('app://till/index.html')).toBe(true);
    expect(isAppUrl('https://evil.example/app://till/')).toBe(false);
  });

  it('allows no inline script, eval or remote connection outside development', () => {
    const csp = cspFor(false);
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/unsafe-eval|ws:\/\/localhost/);
    expect(csp).toContain("object-src 'none'");
    expect(cspFor(true)).toContain('ws://localhost');
  });
});

describe('the cashier window', () => {
  it('gives the renderer no Node, an isolated sandboxed preload and no webviews', () => {
    const { webPreferences } = cashierWindowOptions('/app/out/main');
    expect(webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/out/preload/index.cjs',
    });
  });
});
