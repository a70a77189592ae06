import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_ACCESS, type Access } from '../../shared/contract/access.js';
import { commandNames, type CommandName } from '../../shared/contract/index.js';
import { NEW_JOURNAL_CONFIRMATION, roleCovers, type Role } from '../../shared/domain/index.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, OWNER_PIN, signedInTill } from '../test-support/till-calls.js';
import type { Till } from '../till.js';

const PIN: Record<Role, string> = { cashier: '2468', manager: '4821', owner: OWNER_PIN };
const SIGNED_IN: readonly ('locked' | Role)[] = ['locked', 'cashier', 'manager', 'owner'];

/** Everything the journal holds except the audit (which records refusals on purpose). */
function fingerprint(dataDir: string): string {
  const db = new Database(join(dataDir, 'journal.sqlite'), { readonly: true });
  db.defaultSafeIntegers(true);
  try {
    const tables = (
      db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
        .all() as {
        name: string;
      }[]
    )
      .map((t) => t.name)
      .filter((n) => n !== 'audit' && !n.startsWith('catalog_search'))
      .sort();
    return JSON.stringify(
      tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}"`).all()]),
      (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
    );
  } finally {
    db.close();
  }
}

describe('who may run each command: every Command × role, generated from the one table', () => {
  let dir: ReturnType<typeof tempDir>;
  let till: Till;
  let sample: Record<CommandName, unknown>;

  beforeAll(async () => {
    dir = tempDir();
    till = await signedInTill({
      dataDir: dir.path,
      resourcesDir: RESOURCES_DIR,
      now: manualClock().now,
      timers: false,
      log: () => undefined,
    });
    const cashier = await call(till, 'addStaff', { name: 'Casey', role: 'cashier', pin: PIN.cashier });
    await call(till, 'addStaff', { name: 'Maya', role: 'manager', pin: PIN.manager });
    const { id: shiftId } = await call(till, 'openShift', { float: { total: 10_000n } });
    const { products } = await call(till, 'searchCatalog', {});
    const variant = products[0]!.variants[0]!;
    await call(till, 'addToCart', { variantId: variant.id });
    const { parked } = await call(till, 'parkCart', { name: 'Table 4' });
    await call(till, 'addToCart', { variantId: variant.id });
    const sale = await call(till, 'payCash', { tendered: 1_000n });
    const lineId = (await call(till, 'addToCart', { variantId: variant.id })).lines[0]!.lineId;
    const pricing = await call(till, 'getPricingSettings');
    const receipts = await call(till, 'getReceiptSettings');
    const discount = { kind: 'percentage', percent: '10', reason: 'Regular' };
    // A real, valid input for every command: a refusal must be the gate's, not the schema's.
    sample = {
      getStatus: {},
      getJournalProblem: {},
      startNewJournal: { confirm: NEW_JOURNAL_CONFIRMATION },
      unlock: { pin: PIN.cashier },
      lock: {},
      listStaff: {},
      addStaff: { name: 'Zed', role: 'cashier', pin: '97531' },
      updateStaff: { staffId: cashier.id, role: 'owner' },
      listAudit: {},
      searchCatalog: {},
      getCart: {},
      getDisplay: {},
      chooseTip: { tip: null },
      getCustomerDisplay: {},
      updateCustomerDisplay: {
        settings: { lanEnabled: true, lanAddress: '127.0.0.2', lanPort: 4243, monitorId: null },
      },
      startDisplayPairing: {},
      revokeDisplay: { id: 'no-such-display' },
      addToCart: { variantId: variant.id },
      addCustomAmount: { amount: 500n },
      scanBarcode: { code: variant.barcode ?? '0' },
      setLineQuantity: { lineId, quantity: 3 },
      changeLineQuantity: { lineId, by: 1 },
      removeLine: { lineId },
      clearCart: {},
      setLineDiscount: { lineId, discount },
      setCartDiscount: { discount },
      setLineNote: { lineId, note: 'oat milk' },
      setCartNote: { note: 'gift' },
      parkCart: { name: 'Bob' },
      listParkedCarts: {},
      resumeParkedCart: { parkedId: parked.id },
      discardParkedCart: { parkedId: parked.id },
      charge: {},
      getOfflineCharge: {},
      chargeOffline: {},
      enterOfflinePin: { saleId: 'x', pin: '123456' },
      reissueInvoice: { saleId: sale.id },
      cancelSale: { saleId: sale.id },
      tapCard: { saleId: sale.id, text: 'lnurlw://card.invalid/w?p=00&c=00' },
      demoPay: { saleId: sale.id },
      getSale: { saleId: sale.id },
      listSales: {},
      payCash: { tendered: 1_000n },
      previewRefund: { saleId: sale.id },
      createRefund: {
        saleId: sale.id,
        lines: [{ lineId: sale.lines[0]!.lineId, quantity: 1, restock: true }],
        reason: 'Wrong size',
        tender: 'cash',
      },
      listRefunds: { saleId: sale.id },
      getRefund: { refundId: 'no-such-refund' },
      quoteLnurlRefund: { saleId: sale.id },
      cancelLnurlRefund: { refundId: 'no-such-refund' },
      getSettings: {},
      getPricingSettings: {},
      retryOrder: { saleId: sale.id },
      syncCatalog: { full: true },
      startReconcile: { from: '2026-11-01', to: '2026-11-24' },
      cancelReconcile: {},
      getReconcile: {},
      exportReconcileCsv: {},
      exportReconcileParquet: {},
      applySafeRepairs: {},
      previewManualRate: { rate: '90000' },
      setManualRate: { rate: '90000' },
      updateSettings: { shopName: 'Elsewhere' },
      updatePricingSettings: pricing,
      getBackendConfig: {},
      testBackend: { backend: { kind: 'demo' } },
      saveBackend: { backend: { kind: 'demo' } },
      getRefundWallet: {},
      testRefundWallet: {},
      saveRefundWallet: { kind: 'none', perRefundLimitSats: null, perDayLimitSats: null },
      getOfflinePay: {},
      saveOfflinePay: {
        enabled: false,
        serverUrl: null,
        perSaleLimit: 10_000n,
        perDayLimit: 50_000n,
        maxRateAgeMin: 240,
        alwaysOffer: false,
      },
      getOfflineProofs: {},
      checkOfflinePayments: {},
      getLnurlWithdraw: {},
      saveLnurlWithdraw: {
        enabled: false,
        listenHost: '127.0.0.1',
        listenPort: 0,
        publicUrl: '',
        expirySec: 600,
        rateBasis: 'current',
      },
      testShopify: { shopify: { shopDomain: 'x.myshopify.com', accessToken: 'shpat_x' } },
      saveShopify: {
        shopify: { shopDomain: 'x.myshopify.com', accessToken: 'shpat_x' },
        locationId: 'gid://shopify/Location/1',
      },
      disconnectShopify: {},
      openShift: { float: { total: 5_000n } },
      getShift: {},
      noSale: { reason: 'change for the bakery' },
      paidIn: { amount: 2_000n, reason: 'more change' },
      paidOut: { amount: 1_500n, reason: 'window cleaner' },
      closeShift: { counted: { total: 12_000n } },
      listShifts: {},
      getShiftReport: { shiftId },
      exportShiftCsv: { shiftId },
      printShiftReport: { shiftId },
      saveShiftReportPdf: { shiftId },
      getReceiptSettings: {},
      updateReceiptSettings: { ...receipts, footer: 'See you soon' },
      getReceipt: { saleId: sale.id },
      listPrinters: {},
      printReceipt: { saleId: sale.id },
      saveReceiptPdf: { saleId: sale.id },
      getRefundReceipt: { refundId: 'no-such-refund' },
      printRefundReceipt: { refundId: 'no-such-refund' },
      saveRefundReceiptPdf: { refundId: 'no-such-refund' },
    } satisfies Record<CommandName, unknown>;
  });
  afterAll(async () => {
    await till.close();
    dir.remove();
  });

  async function signInAs(who: 'locked' | Role): Promise<void> {
    await call(till, 'lock');
    if (who !== 'locked') await call(till, 'unlock', { pin: PIN[who] });
  }

  const mayRun = (who: 'locked' | Role, needed: Access): boolean =>
    needed === 'locked' || (who !== 'locked' && roleCovers(who, needed));

  for (const who of SIGNED_IN) {
    it(`${who}: the gate lets through exactly what the table allows, and a refusal changes nothing`, async () => {
      await signInAs(who);
      for (const name of commandNames) {
        const needed = COMMAND_ACCESS[name].role;
        if (name === 'unlock' || name === 'lock') continue; // they change who is signed in: below
        if (mayRun(who, needed)) {
          // A probe the command's own schema refuses: a ValidationError proves the gate let it by.
          const reply = await till.invoke(name, { __probe: 1 });
          expect(reply, `${who} may run ${name}`).toMatchObject({
            ok: false,
            error: { kind: 'ValidationError' },
          });
        } else {
          const before = fingerprint(dir.path);
          const reply = await till.invoke(name, sample[name]);
          const kind = who === 'locked' ? 'Locked' : 'NeedsManager';
          expect(reply, `${who} may not run ${name}`).toMatchObject({ ok: false, error: { kind } });
          expect(fingerprint(dir.path), `${name} refused for ${who} changed the journal`).toBe(before);
        }
      }
    });
  }

  it('the PIN pad works while locked, and locking needs nobody', async () => {
    await signInAs('locked');
    expect((await call(till, 'unlock', { pin: PIN.manager })).session).toMatchObject({
      name: 'Maya',
      role: 'manager',
    });
    expect((await call(till, 'lock')).session).toBeNull();
  });
});

describe('the table says what the issue says each role may do', () => {
  // Written out from the issue, independently of the table: a table edit that gives a cashier
  // a manager's power (or a manager the owner's) fails here.
  const manager: CommandName[] = [
    'retryOrder',
    'createRefund',
    'startReconcile',
    'cancelReconcile',
    'getReconcile',
    'exportReconcileCsv',
    'exportReconcileParquet',
    'applySafeRepairs',
    'previewManualRate',
    'setManualRate',
    'listAudit',
    'listStaff',
    'syncCatalog',
    'paidIn',
    'paidOut',
    'closeShift',
    'listShifts',
    'getShiftReport',
    'exportShiftCsv',
    'printShiftReport',
    'saveShiftReportPdf',
    'getOfflineProofs',
    'checkOfflinePayments',
  ];
  const owner: CommandName[] = [
    'addStaff',
    'updateSettings',
    'updatePricingSettings',
    'getBackendConfig',
    'testBackend',
    'saveBackend',
    'getRefundWallet',
    'testRefundWallet',
    'saveRefundWallet',
    'getOfflinePay',
    'saveOfflinePay',
    'getLnurlWithdraw',
    'saveLnurlWithdraw',
    'testShopify',
    'saveShopify',
    'disconnectShopify',
    'updateReceiptSettings',
    'getCustomerDisplay',
    'updateCustomerDisplay',
    'startDisplayPairing',
    'revokeDisplay',
  ];
  const locked: CommandName[] = [
    'getStatus',
    'getJournalProblem',
    'startNewJournal',
    'unlock',
    'lock',
    // The customer's display: shows nothing private, works with nobody signed in.
    'getDisplay',
    'chooseTip',
  ];

  it('manager and owner commands are theirs, only the PIN pad works locked, the rest is a cashier’s', () => {
    for (const n of manager) expect(COMMAND_ACCESS[n].role, n).toBe('manager');
    for (const n of owner) expect(COMMAND_ACCESS[n].role, n).toBe('owner');
    for (const n of commandNames) {
      if (!manager.includes(n) && !owner.includes(n) && !locked.includes(n)) {
        expect(COMMAND_ACCESS[n].role, n).toBe('cashier');
      }
    }
    for (const n of locked) expect(COMMAND_ACCESS[n].role, n).toBe('locked');
  });
});
