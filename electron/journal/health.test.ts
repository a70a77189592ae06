import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalProblem, Sale } from '../../shared/domain/index.js';
import { openTill } from '../open-till.js';
import { signInIfOpen } from '../test-support/till-calls.js';
import { call, refused } from '../test-support/till-calls.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { createTill, type Till, type TillDeps } from '../till.js';
import Database from 'better-sqlite3';
import type { Db } from './db.js';
import { JournalProblemError } from './health.js';

const dirs: ReturnType<typeof tempDir>[] = [];
const tills: Till[] = [];
afterEach(async () => {
  for (const t of tills.splice(0)) await t.close();
  for (const d of dirs.splice(0)) d.remove();
});

/** Paid sales of the day, whatever their currency. */
function paidCount({ totals }: { totals: readonly { paidCount: number }[] }): number {
  return totals.reduce((n, t) => n + t.paidCount, 0);
}

function dataDir(): string {
  const dir = tempDir('journal-health-');
  dirs.push(dir);
  return join(dir.path, 'data');
}

function deps(dir: string, extra: Partial<TillDeps> = {}): TillDeps {
  return {
    dataDir: dir,
    resourcesDir: RESOURCES_DIR,
    now: manualClock().now,
    timers: false,
    log: () => undefined,
    ...extra,
  };
}

async function open(dir: string, extra: Partial<TillDeps> = {}): Promise<Till> {
  const till = await signInIfOpen(await openTill(deps(dir, extra)));
  tills.push(till);
  return till;
}

async function firstVariant(till: Till): Promise<string> {
  const { products } = await call(till, 'searchCatalog', {});
  return products[0]!.variants[0]!.id;
}

/** A till that has sold (cash), then closed: its data dir holds a journal and the other files. */
async function usedTill(dir: string, sales = 3): Promise<void> {
  const till = await open(dir);
  const variant = await firstVariant(till);
  for (let i = 0; i < sales; i++) {
    const cart = await call(till, 'addToCart', { variantId: variant });
    await call(till, 'payCash', { tendered: cart.total });
  }
  // A Lightning charge, so the demo node writes its database and key.
  await call(till, 'addToCart', { variantId: variant });
  const sale = await call(till, 'charge');
  await call(till, 'demoPay', { saleId: sale.id });
  await tills.pop()!.close();
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function problemOf(till: Till): Promise<JournalProblem> {
  const problem = await call(till, 'getJournalProblem');
  if (problem === null) throw new Error('expected a journal problem');
  return problem;
}

describe('a damaged journal', () => {
  it('is found at start-up, reported with where the files are, and nothing can be sold', async () => {
    const dir = dataDir();
    await usedTill(dir);
    const journal = join(dir, 'journal.sqlite');
    const pageSize = 4096;
    const pages = statSync(journal).size / pageSize;
    expect(pages).toBeGreaterThan(8);
    // Garbage over a run of pages in the middle of a real journal, as a bad sector would leave it.
    const fd = openSync(journal, 'r+');
    const garbage = Buffer.alloc(pageSize * 3);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 0xff;
    writeSync(fd, garbage, 0, garbage.length, Math.floor(pages / 2) * pageSize);
    closeSync(fd);
    const before = sha(journal);

    await expect(createTill(deps(dir))).rejects.toBeInstanceOf(JournalProblemError);
    const till = await open(dir);
    const problem = await problemOf(till);
    expect(problem).toMatchObject({ kind: 'damaged', dataDir: dir, journalPath: journal });
    expect(problem.message).toMatch(/damaged/);

    for (const [name, input] of [
      ['getStatus', {}],
      ['addToCart', { variantId: 'anything' }],
      ['payCash', { tendered: 500n }],
      ['charge', {}],
    ] as const) {
      const error = await refused(till, name, input);
      expect(error.kind).toBe('JournalUnavailable');
      expect(error.message).toBe(problem.message);
    }
    // A damaged journal still holds sales: it is never started over.
    expect((await refused(till, 'startNewJournal', { confirm: 'NEW TILL' })).kind).toBe('InvalidState');
    await till.close();
    // Not one byte written into it.
    expect(sha(journal)).toBe(before);
  });

  it('damage where start-up never reads (a sale’s history) is found by the integrity check', async () => {
    const dir = dataDir();
    await usedTill(dir);
    const journal = join(dir, 'journal.sqlite');
    const peek = new Database(journal, { readonly: true });
    const root = Number(
      peek.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'sale_events'").pluck().get(),
    );
    const pageSize = Number(peek.pragma('page_size', { simple: true }));
    peek.close();
    const fd = openSync(journal, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);
    const till = await open(dir);
    const problem = await problemOf(till);
    expect(problem.kind).toBe('damaged');
    expect(problem.message).toMatch(/damaged/);
  });

  it('a problem SQLite reads past (a page nothing owns) is still reported from the check’s findings', async () => {
    const dir = dataDir();
    await usedTill(dir, 1);
    const journal = join(dir, 'journal.sqlite');
    // One more page in the header's page count and on disk, owned by no b-tree: every query
    // works, only an integrity check notices ("Page N: never used").
    const fd = openSync(journal, 'r+');
    const header = Buffer.alloc(100);
    readSync(fd, header, 0, 100, 0);
    const pageSize = header.readUInt16BE(16);
    const pages = header.readUInt32BE(28);
    header.writeUInt32BE(pages + 1, 28);
    writeSync(fd, header, 0, 100, 0);
    writeSync(fd, Buffer.alloc(pageSize), 0, pageSize, pages * pageSize);
    closeSync(fd);
    const till = await open(dir);
    const problem = await problemOf(till);
    expect(problem.kind).toBe('damaged');
    expect(problem.message).toMatch(/\(integrity_check: Page \d+.* never used\)/);
  });

  it('damage found while running: the failing command answers, then the till stops selling', async () => {
    const dir = dataDir();
    await usedTill(dir);
    let connection: Db | null = null;
    const till = await open(dir, { onJournalOpen: (db) => (connection = db) });
    const cart = await call(till, 'addToCart', { variantId: await firstVariant(till) });
    // Garbage over a sale's history on disk, as a failing disk would leave it; the start-up
    // check read every page into the till's cache, so drop that as memory pressure would.
    const journal = join(dir, 'journal.sqlite');
    const peek = new Database(journal, { readonly: true });
    const root = Number(
      peek.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'sale_events'").pluck().get(),
    );
    const pageSize = Number(peek.pragma('page_size', { simple: true }));
    peek.close();
    const fd = openSync(journal, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);
    (connection as Db | null)?.pragma('shrink_memory');

    const failed = await refused(till, 'payCash', { tendered: cart.total });
    expect(failed.kind).toBe('StorageError');
    expect(failed.message).toMatch(/^The cash sale was NOT recorded: the journal file is damaged/);
    const problem = await problemOf(till);
    expect(problem.kind).toBe('damaged');
    expect(problem.message).toMatch(/damaged while the till was running/);
    for (const name of ['getCart', 'payCash', 'charge'] as const) {
      expect((await refused(till, name, name === 'payCash' ? { tendered: 100n } : {})).kind).toBe(
        'JournalUnavailable',
      );
    }
  });

  it('a file that is not SQLite at all is damaged too', async () => {
    const dir = dataDir();
    await usedTill(dir, 1);
    writeFileSync(
      join(dir, 'journal.sqlite'),
      'this is not a database, but it is long enough to look like one '.repeat(100),
    );
    const till = await open(dir);
    expect((await problemOf(till)).kind).toBe('damaged');
  });

  it('a journal from a newer build is not opened', async () => {
    const dir = dataDir();
    await usedTill(dir, 1);
    const till = await open(dir, { onJournalOpen: (db) => db.pragma('user_version = 999') });
    await till.close();
    tills.pop();
    const again = await open(dir);
    const problem = await problemOf(again);
    expect(problem.kind).toBe('newer');
    expect(problem.message).toMatch(/newer Lightning Till/);
  });
});

describe('a missing journal beside another till’s files', () => {
  it('asks instead of silently starting a new till, and starts one only when confirmed', async () => {
    const dir = dataDir();
    await usedTill(dir, 2);
    rmSync(join(dir, 'journal.sqlite'));
    const till = await open(dir);
    const problem = await problemOf(till);
    expect(problem.kind).toBe('missing');
    expect(problem.found).toEqual(expect.arrayContaining(['demo-node.db', 'demo-node.key']));
    expect(problem.message).toMatch(/missing/);
    expect((await refused(till, 'addToCart', { variantId: 'x' })).kind).toBe('JournalUnavailable');
    expect(existsSync(join(dir, 'journal.sqlite'))).toBe(false);

    expect((await refused(till, 'startNewJournal', {})).kind).toBe('ValidationError');
    expect((await refused(till, 'startNewJournal', { confirm: 'new till' })).kind).toBe('ValidationError');
    expect(existsSync(join(dir, 'journal.sqlite'))).toBe(false);

    const oldKey = readFileSync(join(dir, 'demo-node.key'), 'utf8');
    const status = await call(till, 'startNewJournal', { confirm: 'NEW TILL' });
    expect(status.tillId).toMatch(/./);
    expect(await call(till, 'getJournalProblem')).toBeNull();
    // The old demo node's invoices and key were moved aside whole, not deleted nor reused.
    const aside = readdirSync(dir).filter((f) => f.startsWith('before-new-journal-'));
    expect(aside).toHaveLength(1);
    expect(readdirSync(join(dir, aside[0]!))).toEqual(
      expect.arrayContaining(['demo-node.db', 'demo-node.key']),
    );
    expect(readFileSync(join(dir, aside[0]!, 'demo-node.key'), 'utf8')).toBe(oldKey);

    // The same till object now sells, once its new owner signs in (a new journal has the demo
    // owner), and a Lightning sale runs on a fresh demo node.
    expect(status).toMatchObject({ session: null, demoOwnerPin: '1234' });
    await signInIfOpen(till);
    const variant = await firstVariant(till);
    await call(till, 'addToCart', { variantId: variant });
    const sale: Sale = await call(till, 'charge');
    expect((await call(till, 'demoPay', { saleId: sale.id })).state).toBe('paid');
    expect(readFileSync(join(dir, 'demo-node.key'), 'utf8')).not.toBe(oldKey);
    expect((await call(till, 'listSales', {})).sales).toHaveLength(1);
    await tills.pop()!.close();

    // And the next start opens it without asking.
    const next = await open(dir);
    expect(await call(next, 'getJournalProblem')).toBeNull();
  });

  it('an empty (0-byte) journal beside other files is missing, not a new till', async () => {
    const dir = dataDir();
    await usedTill(dir, 1);
    writeFileSync(join(dir, 'journal.sqlite'), '');
    const till = await open(dir);
    const problem = await problemOf(till);
    expect(problem.kind).toBe('missing');
    expect(problem.message).toMatch(/empty/);
  });

  it('a journal emptied to a bare SQLite file (no tables) beside other files is missing too', async () => {
    const dir = dataDir();
    await usedTill(dir, 1);
    rmSync(join(dir, 'journal.sqlite'));
    const bare = new Database(join(dir, 'journal.sqlite'));
    bare.exec('CREATE TABLE x (a); DROP TABLE x;');
    bare.close();
    expect(statSync(join(dir, 'journal.sqlite')).size).toBeGreaterThan(0);
    const till = await open(dir);
    expect((await problemOf(till)).kind).toBe('missing');
  });

  it('a first start cut short (an empty journal and its own -wal, nothing else) just carries on', async () => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true });
    const bare = new Database(join(dir, 'journal.sqlite'));
    bare.pragma('journal_mode = WAL');
    bare.close();
    writeFileSync(join(dir, 'journal.sqlite-wal'), '');
    const till = await open(dir);
    expect(await call(till, 'getJournalProblem')).toBeNull();
  });

  it('a first start in an empty folder is just a new till', async () => {
    const dir = dataDir();
    const till = await open(dir);
    expect(await call(till, 'getJournalProblem')).toBeNull();
    expect((await call(till, 'getStatus')).tillId).toMatch(/./);
  });
});

describe('a journal that cannot be written', () => {
  it('a data folder the till cannot create is reported, not thrown into the void', async () => {
    const dir = dataDir();
    const parent = join(dir, '..', 'not-a-folder');
    writeFileSync(parent, 'a file where the data folder should go');
    const till = await open(join(parent, 'data'));
    const problem = await problemOf(till);
    expect(problem.kind).toBe('unwritable');
    expect(problem.message).toContain(join(parent, 'data'));
  });

  /** Lets the test cap the journal's size on the till's own connection, as a full disk would. */
  function capped(): { deps: Partial<TillDeps>; fill: () => void; free: () => void; db: () => Db } {
    let journal: Db | null = null;
    const db = () => {
      if (!journal) throw new Error('the till has not opened its journal');
      return journal;
    };
    return {
      deps: { onJournalOpen: (d) => (journal = d) },
      fill: () => void db().pragma(`max_page_count = ${Number(db().pragma('page_count', { simple: true }))}`),
      free: () => void db().pragma('max_page_count = 1073741823'),
      db,
    };
  }

  it('a full disk during a cash sale: the message names it, says the sale was not recorded, keeps the cart', async () => {
    const dir = dataDir();
    const disk = capped();
    const till = await open(dir, disk.deps);
    const variant = await firstVariant(till);
    let failure: { kind: string; message: string } | null = null;
    let cartBefore = 0n;
    // Each sale fills pages; the first one that needs a page the "disk" does not have fails.
    for (let i = 0; i < 300 && failure === null; i++) {
      disk.free();
      cartBefore = (await call(till, 'addToCart', { variantId: variant, quantity: 2 })).total;
      disk.fill();
      const reply = await till.invoke('payCash', { tendered: cartBefore });
      if (!reply.ok) failure = reply.error;
    }
    expect(failure).not.toBeNull();
    expect(failure!.kind).toBe('StorageError');
    expect(failure!.message).toMatch(/not recorded/i);
    expect(failure!.message).toMatch(/disk is full/);
    expect(failure!.message).not.toMatch(/Nothing was charged/);
    // The cart is still there (the cashier has the cash), and no sale was half-written.
    const cart = await call(till, 'getCart');
    expect(cart.total).toBe(cartBefore);
    const paidBefore = paidCount(await call(till, 'listSales', {}));
    disk.free();
    const sale = await call(till, 'payCash', { tendered: cartBefore });
    expect(sale.state).toBe('paid');
    expect(sale.total).toBe(cartBefore);
    expect(paidCount(await call(till, 'listSales', {}))).toBe(paidBefore + 1);
  });

  it('a full disk while ringing up says so and claims nothing about charges', async () => {
    const dir = dataDir();
    const disk = capped();
    const till = await open(dir, disk.deps);
    let failure: { kind: string; message: string } | null = null;
    disk.fill();
    // Each new cart line takes room; the first that needs a page the "disk" lacks fails.
    for (let i = 0; i < 500 && failure === null; i++) {
      const reply = await till.invoke('addCustomAmount', { amount: 100n, title: `${i} `.padEnd(80, 'x') });
      if (!reply.ok) failure = reply.error;
    }
    expect(failure).toMatchObject({ kind: 'StorageError' });
    expect(failure!.message).toMatch(/^Nothing was saved: the disk is full\. Free some disk space/);
  });

  it('a read-only journal: the message names it', async () => {
    const dir = dataDir();
    const disk = capped();
    const till = await open(dir, disk.deps);
    const variant = await firstVariant(till);
    const cart = await call(till, 'addToCart', { variantId: variant });
    disk.db().pragma('query_only = 1');
    const error = await refused(till, 'addToCart', { variantId: variant });
    expect(error.kind).toBe('StorageError');
    expect(error.message).toMatch(/read-only/);
    const cash = await refused(till, 'payCash', { tendered: cart.total });
    expect(cash.kind).toBe('StorageError');
    expect(cash.message).toMatch(/The cash sale was NOT recorded: the till may not write to its data folder/);
    expect((await call(till, 'getCart')).total).toBe(cart.total);
  });
});
