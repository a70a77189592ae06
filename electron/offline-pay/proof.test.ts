import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { offlinePin, type OfflineKey } from '../../shared/offline-pay/index.js';
import type { NonceStatus } from '../../shared/offline-pay/status.js';
import { openJournal, type Db } from '../journal/db.js';
import { journalSalePages, records } from '../reconcile/sources.js';
import { manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused, signedInTill } from '../test-support/till-calls.js';
import { checkOfflineProofs, proofCounts, type OfflineProof } from './proof.js';
import { offlinePaySettings } from '../test-support/offline-pay.js';

/**
 * "Proof later" on the journal: what each answer of the companion server does to the offline
 * payments waiting for it (a scripted companion here; proven-later.test.ts asks the real one).
 */

const KEY: OfflineKey = { id: '0a1b2c3d', key: '7f'.repeat(32) };
const HASH = (n: number) => n.toString(16).padStart(64, '0');
const dirs: { remove: () => void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

interface Sold {
  saleId: string;
  nonce: string;
  amountMsat: bigint;
}

/** Sells `pins` offline sales whose PIN is taken, then one locked by wrong PINs, then one left pending. */
async function sellOffline(pins: number) {
  const dir = tempDir('till-offline-proof-');
  dirs.push(dir);
  const clock = manualClock();
  const till = await signedInTill({
    dataDir: dir.path,
    resourcesDir: RESOURCES_DIR,
    now: clock.now,
    timers: false,
    log: () => undefined,
  });
  await call(
    till,
    'saveOfflinePay',
    offlinePaySettings({ perDayLimit: 50_000n, alwaysOffer: true, key: KEY }),
  );
  const tillId = (await call(till, 'getStatus')).tillId;
  const charge = async (): Promise<Sold> => {
    await call(till, 'addCustomAmount', { amount: 300n });
    const c = await call(till, 'chargeOffline', {});
    const nonce = (await call(till, 'getSale', { saleId: c.saleId })).offline!.nonce;
    return { saleId: c.saleId, nonce, amountMsat: c.amountMsat };
  };
  const sold: Sold[] = [];
  for (let i = 0; i < pins; i++) {
    const s = await charge();
    await call(till, 'enterOfflinePin', { saleId: s.saleId, pin: offlinePin(KEY, s.nonce, s.amountMsat) });
    sold.push(s);
  }
  const locked = await charge();
  for (let i = 0; i < 3; i++)
    await refused(till, 'enterOfflinePin', { saleId: locked.saleId, pin: '000000' });
  await call(till, 'cancelSale', { saleId: locked.saleId });
  const pending = await charge();
  await till.close();
  const db = openJournal(join(dir.path, 'journal.sqlite'));
  return { db, clock, tillId, sold, locked, pending };
}

/** A companion that answers from a script and counts what it was asked. */
function scripted(answers: Map<string, NonceStatus>) {
  const asked: string[][] = [];
  const proof: OfflineProof = {
    status: (nonces) => {
      asked.push([...nonces]);
      return Promise.resolve(
        new Map(nonces.map((n) => [n, answers.get(n) ?? { state: 'unknown' as const }])),
      );
    },
  };
  return { proof, asked };
}

const paid = (s: Sold, tillId: string, over: Partial<NonceStatus & { state: 'paid' }> = {}): NonceStatus => ({
  state: 'paid',
  paymentHash: HASH(Number(s.amountMsat % 1000n) + 1),
  amountMsat: s.amountMsat.toString(),
  settledAt: '2026-11-27T12:01:00.000Z',
  saleId: s.saleId,
  tillId,
  ...over,
});

const row = (db: Db, saleId: string) =>
  db
    .prepare('SELECT state, payment_hash, settled_at, proof_note FROM offline_payments WHERE sale_id = ?')
    .get(saleId) as {
    state: string;
    payment_hash: string | null;
    settled_at: string | null;
    proof_note: string | null;
  };

describe('offline payments proven later', () => {
  it('confirms a payment that matches, flags one that does not or is missing, and finds a locked link paid', async () => {
    const { db, clock, tillId, sold, locked, pending } = await sellOffline(5);
    try {
      const [ok, lessPaid, otherTill, unpaid, never] = sold as [Sold, Sold, Sold, Sold, Sold];
      const answers = new Map<string, NonceStatus>([
        [ok.nonce, paid(ok, tillId, { paymentHash: HASH(1) })],
        [lessPaid.nonce, paid(lessPaid, tillId, { amountMsat: (lessPaid.amountMsat - 1000n).toString() })],
        [otherTill.nonce, paid(otherTill, tillId, { tillId: 'another-till' })],
        [unpaid.nonce, { state: 'unpaid' }],
        [locked.nonce, paid(locked, tillId, { paymentHash: HASH(2) })],
        [pending.nonce, { state: 'unknown' }],
      ]);
      const companion = scripted(answers);
      const outcome = await checkOfflineProofs(db, companion.proof, clock.now, tillId);
      expect(outcome).toEqual({
        asked: 7,
        confirmed: [ok.saleId],
        flagged: [lessPaid.saleId, otherTill.saleId, unpaid.saleId, never.saleId],
        paidUnsold: [locked.saleId],
      });
      expect(row(db, ok.saleId)).toEqual({
        state: 'confirmed',
        payment_hash: HASH(1),
        settled_at: '2026-11-27T12:01:00.000Z',
        proof_note: null,
      });
      expect(row(db, lessPaid.saleId)).toMatchObject({ state: 'flagged', payment_hash: null });
      expect(row(db, lessPaid.saleId).proof_note).toMatch(/the link asked \d+ msat/);
      expect(row(db, otherTill.saleId).proof_note).toBe(
        'the companion’s payment is for another till (another-till)',
      );
      expect(row(db, unpaid.saleId).proof_note).toBe(
        'the companion server served the link but has no payment for it',
      );
      expect(row(db, never.saleId).proof_note).toBe('the companion server never served this link');
      // A link whose PIN was locked and whose sale was cancelled, paid anyway: the money is on the node.
      expect(row(db, locked.saleId)).toMatchObject({
        state: 'locked',
        payment_hash: HASH(2),
        proof_note: 'paid on the node, though the sale is cancelled',
      });
      expect(row(db, pending.saleId)).toMatchObject({ state: 'pending', payment_hash: null });
      expect(proofCounts(db)).toEqual({ unproven: 0, flagged: 4, paidUnsold: 1 });
      const history = db
        .prepare("SELECT detail FROM sale_events WHERE sale_id = ? AND detail LIKE '%offlineProof%'")
        .pluck()
        .all(ok.saleId) as string[];
      expect(history.map((d) => JSON.parse(d) as unknown)).toEqual([
        { offlineProof: 'confirmed', paymentHash: HASH(1), settledAt: '2026-11-27T12:01:00.000Z' },
      ]);

      // Reconciliation reads them so: the confirmed one by the companion's invoice, the flagged as such.
      const read = new Map<
        string,
        { paymentHash: string | null; offline: string | null; rate: string | null }
      >();
      for await (const s of records(journalSalePages(db, new Date(0), new Date(clock.now().getTime() + 1))))
        read.set(s.saleId, { paymentHash: s.paymentHash, offline: s.offline, rate: s.rate });
      expect(read.get(ok.saleId)).toMatchObject({ paymentHash: HASH(1), offline: null });
      expect(read.get(ok.saleId)?.rate).toMatch(/^\d+(\.\d+)?$/);
      expect(read.get(unpaid.saleId)).toMatchObject({ paymentHash: null, offline: 'no_payment' });
      expect(read.get(locked.saleId)).toMatchObject({ paymentHash: null, offline: null });

      // Next round: the flagged are asked again (a companion restored from a backup may find one),
      // the confirmed and the locked one found paid are not; the pending link is, until it has ended.
      answers.set(unpaid.nonce, paid(unpaid, tillId, { paymentHash: HASH(3) }));
      const again = await checkOfflineProofs(db, companion.proof, clock.now, tillId);
      expect(companion.asked[1]!.sort()).toEqual(
        [lessPaid, otherTill, unpaid, never, pending].map((s) => s.nonce).sort(),
      );
      expect(again.confirmed).toEqual([unpaid.saleId]);
      expect(row(db, unpaid.saleId)).toMatchObject({
        state: 'confirmed',
        payment_hash: HASH(3),
        proof_note: null,
      });

      // Half an hour after the pending link ended, it is no longer asked about.
      clock.advance(16 * 60_000 + 31 * 60_000);
      await checkOfflineProofs(db, companion.proof, clock.now, tillId);
      await checkOfflineProofs(db, companion.proof, clock.now, tillId);
      expect(companion.asked[3]).not.toContain(pending.nonce);
      expect(companion.asked[3]!.sort()).toEqual([lessPaid, otherTill, never].map((s) => s.nonce).sort());
    } finally {
      db.close();
    }
  });

  it('writes nothing when the companion cannot be asked', async () => {
    const { db, clock, tillId, sold } = await sellOffline(1);
    try {
      const down: OfflineProof = { status: () => Promise.reject(new Error('connect ECONNREFUSED')) };
      await expect(checkOfflineProofs(db, down, clock.now, tillId)).rejects.toThrow('ECONNREFUSED');
      expect(row(db, sold[0]!.saleId)).toMatchObject({ state: 'paid', payment_hash: null, proof_note: null });
      expect(proofCounts(db)).toEqual({ unproven: 1, flagged: 0, paidUnsold: 0 });
    } finally {
      db.close();
    }
  });
});
