import { signedInTill } from '../test-support/till-calls.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { call } from '../test-support/till-calls.js';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { DemoCatalogError, loadDemoCatalog } from './demo.js';

type Json = {
  shop: { name: string; currency: string };
  products: { id: string; title: string; variants: Record<string, unknown>[] }[];
};
const real = JSON.parse(readFileSync(join(RESOURCES_DIR, 'demo-catalog.json'), 'utf8')) as Json;

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

/** A resources folder whose demo-catalog.json is `text`. */
function resources(text: string): string {
  const dir = tempDir('demo-catalog-');
  dirs.push(dir);
  writeFileSync(join(dir.path, 'demo-catalog.json'), text);
  return dir.path;
}

function edited(edit: (c: Json) => void): string {
  const copy = structuredClone(real);
  edit(copy);
  return resources(JSON.stringify(copy));
}

function problem(dir: string): string {
  try {
    loadDemoCatalog(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(DemoCatalogError);
    const message = (err as Error).message;
    // Every refusal names the file.
    expect(message).toContain(join(dir, 'demo-catalog.json'));
    return message;
  }
  throw new Error('expected the catalog to be refused');
}

describe('the demo catalog file', () => {
  it('the shipped one loads', () => {
    const demo = loadDemoCatalog(RESOURCES_DIR);
    expect(demo.products.length).toBeGreaterThanOrEqual(40);
    expect(demo.products.every((p) => p.variants.every((v) => v.price > 0n))).toBe(true);
  });

  it.each<[string, () => string, RegExp]>([
    ['bad JSON', () => resources('{"shop": {'), /not valid JSON/],
    ['not a catalog', () => resources('[1, 2, 3]'), /the file/],
    [
      'a negative price',
      () => edited((c) => (c.products[2]!.variants[0]!.price = '-3.00')),
      /products\[2\]\.variants\[0\]\.price must be a decimal amount/,
    ],
    [
      'a zero price',
      () => edited((c) => (c.products[1]!.variants[0]!.price = '0.00')),
      /products\[1\]\.variants\[0\]\.price must be above zero/,
    ],
    [
      'an absurd price',
      () => edited((c) => (c.products[0]!.variants[0]!.price = '99999999999999.00')),
      /products\[0\]\.variants\[0\]\.price/,
    ],
    [
      'a price past a till’s ceiling',
      () => edited((c) => (c.products[0]!.variants[0]!.price = '9999999999999.00')),
      /larger than a till can charge/,
    ],
    [
      'too many decimals',
      () => edited((c) => (c.products[0]!.variants[0]!.price = '3.001')),
      /more decimals than USD allows/,
    ],
    [
      'a duplicate product id',
      () => edited((c) => (c.products[3]!.id = c.products[0]!.id)),
      /products\[3\]\.id repeats the product id/,
    ],
    [
      'a duplicate variant id',
      () => edited((c) => (c.products[4]!.variants[0]!.id = c.products[0]!.variants[0]!.id as string)),
      /products\[4\]\.variants\[0\]\.id repeats the variant id/,
    ],
    [
      'a duplicate barcode',
      () => edited((c) => (c.products[5]!.variants[0]!.barcode = c.products[0]!.variants[0]!.barcode)),
      /products\[5\]\.variants\[0\]\.barcode repeats the barcode/,
    ],
    [
      'a huge title',
      () => edited((c) => (c.products[0]!.title = 'x'.repeat(100_000))),
      /products\[0\]\.title must be at most 255/,
    ],
    ['an empty id', () => edited((c) => (c.products[0]!.id = '  ')), /products\[0\]\.id must not be empty/],
    [
      'an unknown currency',
      () => edited((c) => (c.shop.currency = 'XYZ1')),
      /shop\.currency must be an ISO 4217/,
    ],
    [
      'a product without variants',
      () => edited((c) => (c.products[0]!.variants = [])),
      /at least one variant/,
    ],
    ['a file too large to be a catalog', () => resources(' '.repeat(11 * 1024 * 1024)), /larger than 10 MB/],
  ])('%s is refused with the file and the first problem', (_name, make, expected) => {
    expect(problem(make())).toMatch(expected);
  });

  it('a missing file is refused by name', () => {
    const dir = tempDir('demo-catalog-');
    dirs.push(dir);
    expect(problem(dir.path)).toMatch(/cannot be read/);
  });
});

describe('a till and its demo catalog', () => {
  it('a bad catalog on a first start leaves an empty register that says why, not a dead till', async () => {
    const data = tempDir('till-');
    dirs.push(data);
    const bad = edited((c) => (c.products[1]!.variants[0]!.price = '0.00'));
    const till = await signedInTill({
      dataDir: data.path,
      resourcesDir: bad,
      timers: false,
      log: () => undefined,
    });
    try {
      expect((await call(till, 'searchCatalog', {})).total).toBe(0);
      const status = await call(till, 'getStatus');
      expect(status.catalogProblem).toContain(join(bad, 'demo-catalog.json'));
      expect(status.catalogProblem).toMatch(/price must be above zero.*no products until/);
      // Custom amounts still sell.
      await call(till, 'addCustomAmount', { amount: 500n });
      expect((await call(till, 'payCash', { tendered: 500n })).state).toBe('paid');
    } finally {
      await till.close();
    }
  });

  it('a till with a journal starts without reading the catalog file, whatever is in it', async () => {
    const data = tempDir('till-');
    dirs.push(data);
    const first = await signedInTill({ dataDir: data.path, resourcesDir: RESOURCES_DIR, timers: false });
    const before = await call(first, 'searchCatalog', {});
    const shopName = (await call(first, 'getStatus')).settings.shopName;
    await first.close();
    const logged: string[] = [];
    const till = await signedInTill({
      dataDir: data.path,
      resourcesDir: resources('{ not json at all'),
      timers: false,
      log: (message) => logged.push(message),
    });
    try {
      expect((await call(till, 'searchCatalog', {})).total).toBe(before.total);
      const status = await call(till, 'getStatus');
      expect(status.catalogProblem).toBeNull();
      expect(status.settings.shopName).toBe(shopName);
      // Not read at all: a start-up with a journal never depends on the file.
      expect(logged.filter((m) => m.includes('demo-catalog.json'))).toEqual([]);
    } finally {
      await till.close();
    }
  });
});
