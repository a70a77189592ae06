import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TillStatus } from '../../shared/domain/index.js';
import { openCheckedJournal } from '../journal/health.js';
import { writeSettingValue } from '../journal/settings.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, OWNER_PIN, refused, signedInTill } from '../test-support/till-calls.js';
import { createTill, type Till } from '../till.js';
import { hashPin } from './pins.js';

const MANAGER_PIN = '482193';
const CASHIER_PIN = '2468';

function journalText(dataDir: string): string {
  const db = new Database(join(dataDir, 'journal.sqlite'), { readonly: true });
  db.defaultSafeIntegers(true);
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as {
      name: string;
    }[];
    return JSON.stringify(
      tables.map((t) => db.prepare(`SELECT * FROM "${t.name}"`).all()),
      (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
    );
  } finally {
    db.close();
  }
}

describe('staff, PINs and the till’s session', () => {
  let dir: ReturnType<typeof tempDir>;
  let clock: ReturnType<typeof manualClock>;
  let till: Till;
  let statuses: TillStatus[];

  beforeEach(async () => {
    dir = tempDir();
    clock = manualClock();
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: clock.now,
      timers: false,
    });
    statuses = [];
    till.subscribe((event, payload) => {
      if (event === 'statusChanged') statuses.push(payload as TillStatus);
    });
    await call(till, 'addStaff', { name: 'Maya', role: 'manager', pin: MANAGER_PIN });
    await call(till, 'addStaff', { name: 'Casey', role: 'cashier', pin: CASHIER_PIN });
  });
  afterEach(async () => {
    await till.close();
    dir.remove();
  });

  it('a new till has one person, the demo owner, whose documented PIN the status shows until changed', async () => {
    const fresh = tempDir();
    const t = await createTill({ dataDir: fresh.path, resourcesDir: RESOURCES_DIR, timers: false });
    try {
      const status = await call(t, 'getStatus');
      expect(status.session).toBeNull();
      expect(status.demoOwnerPin).toBe(OWNER_PIN);
      expect((await refused(t, 'getCart', {})).kind).toBe('Locked');
      const owner = (await call(t, 'unlock', { pin: OWNER_PIN })).session!;
      expect(owner).toMatchObject({ name: 'Owner', role: 'owner' });
      await call(t, 'updateStaff', { staffId: owner.staffId, pin: '97531' });
      expect((await call(t, 'getStatus')).demoOwnerPin).toBeNull();
    } finally {
      await t.close();
      fresh.remove();
    }
  });

  it('keeps only salted hashes: the PINs appear nowhere in the journal', () => {
    const text = journalText(dir.path);
    // As a value anywhere, also inside a JSON text column (the audit's detail, escaped quotes).
    for (const pin of [MANAGER_PIN, CASHIER_PIN]) expect(text).not.toMatch(new RegExp(`\\\\?"${pin}\\\\?"`));
    const db = new Database(join(dir.path, 'journal.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT pin_salt, pin_hash FROM staff').all() as {
      pin_salt: string;
      pin_hash: string;
    }[];
    db.close();
    expect(new Set(rows.map((r) => r.pin_salt)).size).toBe(rows.length);
    for (const r of rows) expect(r.pin_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a PIN is the person: switching user signs in whoever’s PIN it is', async () => {
    expect((await call(till, 'unlock', { pin: CASHIER_PIN })).session).toMatchObject({
      name: 'Casey',
      role: 'cashier',
    });
    expect((await call(till, 'unlock', { pin: MANAGER_PIN })).session).toMatchObject({
      name: 'Maya',
      role: 'manager',
    });
    expect(statuses.at(-1)!.session).toMatchObject({ name: 'Maya' });
  });

  it('a wrong PIN says only that, and three lock the pad for 30 s, then 60 s', async () => {
    await call(till, 'lock');
    for (let i = 0; i < 3; i++) {
      expect(await refused(till, 'unlock', { pin: '0000' })).toEqual({
        kind: 'NotAuthorized',
        message: 'That PIN did not open the till. Try again.',
      });
    }
    // Even the right PIN waits: guessing gets no faster for knowing when the lock ends.
    expect((await refused(till, 'unlock', { pin: CASHIER_PIN })).message).toBe(
      'Too many wrong PINs: try again in 30 s.',
    );
    clock.advance(29_000);
    expect((await refused(till, 'unlock', { pin: CASHIER_PIN })).message).toBe(
      'Too many wrong PINs: try again in 1 s.',
    );
    clock.advance(1_000);
    await refused(till, 'unlock', { pin: '0001' });
    expect((await refused(till, 'unlock', { pin: CASHIER_PIN })).message).toBe(
      'Too many wrong PINs: try again in 60 s.',
    );
    clock.advance(60_000);
    expect((await call(till, 'unlock', { pin: CASHIER_PIN })).session!.name).toBe('Casey');
    // A right PIN forgives: the next wrong one is the first again.
    await refused(till, 'unlock', { pin: '0002' });
    expect((await call(till, 'unlock', { pin: CASHIER_PIN })).session!.name).toBe('Casey');
    const { entries } = await call(till, 'listAudit', { managerPin: MANAGER_PIN });
    expect(
      entries.filter((e) => e.action === 'unlock' && e.outcome === 'refused').length,
    ).toBeGreaterThanOrEqual(5);
  });

  it('many PINs typed at once are checked one at a time, so a burst cannot outrun the lock-out', async () => {
    await call(till, 'lock');
    const guesses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => till.invoke('unlock', { pin: String(1000 + i * 7) })),
    );
    const messages = guesses.map((g) => (g.ok ? 'opened' : g.error.message));
    expect(messages.filter((m) => m === 'That PIN did not open the till. Try again.')).toHaveLength(3);
    expect(messages.slice(3).every((m) => m.startsWith('Too many wrong PINs'))).toBe(true);
  });

  it('locks itself after the idle time the owner sets, and a tap keeps it open', async () => {
    await call(till, 'updateSettings', { idleLockSec: 60 });
    clock.advance(50_000);
    await call(till, 'getCart');
    clock.advance(50_000);
    await call(till, 'getCart');
    clock.advance(60_000);
    await till.tick();
    expect(statuses.at(-1)!.session).toBeNull();
    expect(await refused(till, 'getCart', {})).toEqual({
      kind: 'Locked',
      message: 'The till is locked: enter your PIN.',
    });
    // 0: never.
    await call(till, 'unlock', { pin: OWNER_PIN });
    await call(till, 'updateSettings', { idleLockSec: 0 });
    clock.advance(86_400_000);
    await call(till, 'getCart');
  });

  it('keeps the cart for the next person through a lock', async () => {
    const { products } = await call(till, 'searchCatalog', {});
    await call(till, 'addToCart', { variantId: products[0]!.variants[0]!.id });
    await call(till, 'lock');
    await call(till, 'unlock', { pin: CASHIER_PIN });
    expect((await call(till, 'getCart')).lines).toHaveLength(1);
  });

  it('no two people share a PIN', async () => {
    expect(await refused(till, 'addStaff', { name: 'Sam', role: 'cashier', pin: CASHIER_PIN })).toMatchObject(
      {
        kind: 'ValidationError',
        message: 'Someone already has that PIN: choose another.',
      },
    );
    const maya = (await call(till, 'listStaff')).staff.find((s) => s.name === 'Maya')!;
    expect((await refused(till, 'updateStaff', { staffId: maya.id, pin: CASHIER_PIN })).kind).toBe(
      'ValidationError',
    );
    // Keeping one's own PIN is not a clash.
    await call(till, 'updateStaff', { staffId: maya.id, pin: MANAGER_PIN, name: 'Maya R.' });
  });

  it('the till always keeps an owner', async () => {
    const owner = (await call(till, 'getStatus')).session!;
    expect(await refused(till, 'updateStaff', { staffId: owner.staffId, role: 'manager' })).toEqual({
      kind: 'InvalidState',
      message: 'The till needs an owner: make someone else owner first.',
    });
    expect((await refused(till, 'updateStaff', { staffId: owner.staffId, active: false })).kind).toBe(
      'InvalidState',
    );
    const maya = (await call(till, 'listStaff')).staff.find((s) => s.name === 'Maya')!;
    await call(till, 'updateStaff', { staffId: maya.id, role: 'owner' });
    await call(till, 'updateStaff', { staffId: owner.staffId, role: 'manager' });
    expect((await call(till, 'getStatus')).session!.role).toBe('manager');
  });

  it('anyone changes their own PIN with the current one; only the owner changes anyone else', async () => {
    const { staff } = await call(till, 'listStaff');
    const casey = staff.find((s) => s.name === 'Casey')!;
    const maya = staff.find((s) => s.name === 'Maya')!;
    await call(till, 'unlock', { pin: CASHIER_PIN });
    expect((await refused(till, 'updateStaff', { staffId: casey.id, pin: '1357' })).kind).toBe(
      'ValidationError',
    );
    expect(
      await refused(till, 'updateStaff', { staffId: casey.id, pin: '1357', currentPin: '9999' }),
    ).toEqual({
      kind: 'NotAuthorized',
      message: 'Enter your current PIN to change it.',
    });
    await call(till, 'updateStaff', { staffId: casey.id, pin: '1357', currentPin: CASHIER_PIN });
    expect((await refused(till, 'updateStaff', { staffId: casey.id, role: 'manager' })).kind).toBe(
      'NeedsManager',
    );
    expect((await refused(till, 'updateStaff', { staffId: maya.id, pin: '8642' })).kind).toBe('NeedsManager');
    await call(till, 'lock');
    expect((await call(till, 'unlock', { pin: '1357' })).session!.name).toBe('Casey');
    expect((await refused(till, 'unlock', { pin: CASHIER_PIN })).kind).toBe('NotAuthorized');
  });

  it('someone deactivated cannot sign in, and is signed out at once', async () => {
    const casey = (await call(till, 'listStaff')).staff.find((s) => s.name === 'Casey')!;
    await call(till, 'unlock', { pin: CASHIER_PIN });
    await call(till, 'updateStaff', { staffId: casey.id, active: false, managerPin: OWNER_PIN });
    expect((await call(till, 'getStatus')).session).toBeNull();
    expect((await refused(till, 'unlock', { pin: CASHIER_PIN })).kind).toBe('NotAuthorized');
  });

  it('a sale and its history name who rang it up; the order note and audit too', async () => {
    await call(till, 'unlock', { pin: CASHIER_PIN });
    const { products } = await call(till, 'searchCatalog', {});
    await call(till, 'addToCart', { variantId: products[0]!.variants[0]!.id });
    const sale = await call(till, 'payCash', { tendered: 1000n });
    expect(sale.staffName).toBe('Casey');
    const db = new Database(join(dir.path, 'journal.sqlite'), { readonly: true });
    const events = db.prepare('SELECT staff_name FROM sale_events WHERE sale_id = ?').all(sale.id) as {
      staff_name: string | null;
    }[];
    db.close();
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.staff_name === 'Casey')).toBe(true);
    const { entries } = await call(till, 'listAudit', { saleId: sale.id, managerPin: MANAGER_PIN });
    expect(entries).toMatchObject([
      { action: 'payCash', staffName: 'Casey', approverName: null, outcome: 'done' },
    ]);
  });

  it('the audit is append-only, even to someone with the journal open', () => {
    const db = new Database(join(dir.path, 'journal.sqlite'));
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(() => db.prepare(`UPDATE audit SET staff_name = 'x'`).run()).toThrow(/append-only/);
    db.close();
  });
});

describe('the single manager PIN of earlier versions', () => {
  it('becomes a manager named “Manager” whose PIN still works', async () => {
    const dir = tempDir();
    try {
      const db = openCheckedJournal(dir.path);
      writeSettingValue(db, 'managerPin', await hashPin('4821'));
      db.close();
      const till = await createTill({ dataDir: dir.path, resourcesDir: RESOURCES_DIR, timers: false });
      try {
        expect((await call(till, 'unlock', { pin: '4821' })).session).toMatchObject({
          name: 'Manager',
          role: 'manager',
        });
      } finally {
        await till.close();
      }
    } finally {
      dir.remove();
    }
  });
});
