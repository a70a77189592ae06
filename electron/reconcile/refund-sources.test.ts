import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openJournal } from '../journal/db.js';
import {
  createDemoRefundWallet,
  WalletCannotList,
  type RefundWallet,
  type WalletPaymentRecord,
} from '../refund-wallet/wallet.js';
import { tempDir } from '../test-support/fixtures.js';
import { walletPayments } from './refund-sources.js';

/** A listing whose first page fails with `err`. */
const failing = (err: Error): AsyncIterable<WalletPaymentRecord[]> => ({
  [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(err) }),
});

/** The refund wallet as a reconciliation source (issue 14). */
describe('refund wallet payments as a reconciliation source', () => {
  it('lists the demo wallet’s payments of the period, page by page, and nothing outside it', async () => {
    const dir = tempDir('till-refund-src-');
    const db = openJournal(join(dir.path, 'journal.sqlite'));
    try {
      let at = Date.parse('2026-11-01T00:00:00Z');
      const wallet = createDemoRefundWallet(db, () => new Date(at));
      // 1,201 payments in the period (three pages of 500), one before it and one after it.
      at -= 1000;
      await wallet.pay('lnbc-before', 'before', 1_000n);
      for (let i = 0; i < 1_201; i++) {
        at = Date.parse('2026-11-01T00:00:00Z') + Math.floor(i / 3) * 1000; // three per second: ties
        await wallet.pay(`lnbc${i}`, `h${String(i).padStart(4, '0')}`, BigInt(1_000 + i));
      }
      at = Date.parse('2026-11-02T00:00:00Z');
      await wallet.pay('lnbc-after', 'after', 1_000n);

      const listed = await walletPayments(
        wallet,
        new Date('2026-11-01T00:00:00Z'),
        new Date('2026-11-02T00:00:00Z'),
      );
      expect(listed).not.toBe('unsupported');
      const pages: number[] = [];
      const hashes: string[] = [];
      for await (const page of listed as AsyncIterable<{ paymentHash: string; amountMsat: bigint }[]>) {
        pages.push(page.length);
        for (const p of page) hashes.push(p.paymentHash);
      }
      expect(pages).toEqual([500, 500, 201]);
      expect(new Set(hashes).size).toBe(1_201);
      expect(hashes).not.toContain('before');
      expect(hashes).not.toContain('after');
    } finally {
      db.close();
      dir.remove();
    }
  });

  it('says "unsupported" for a wallet that cannot list its payments, or none at all', async () => {
    const blind: RefundWallet = {
      kind: 'nwc',
      pay: () => Promise.resolve({ preimage: null }),
      lookup: () => Promise.resolve({ state: 'unknown' }),
    };
    const from = new Date(0);
    const to = new Date(1);
    expect(await walletPayments(blind, from, to)).toBe('unsupported');
    expect(await walletPayments({ ...blind, listPayments: () => 'unsupported' }, from, to)).toBe(
      'unsupported',
    );
    expect(await walletPayments(null, from, to)).toBe('unsupported');
    // A connection that may pay but not list: known from the wallet's first answer.
    const refusing: RefundWallet = {
      ...blind,
      listPayments: () =>
        failing(new WalletCannotList('The refund wallet will not list its payments (RESTRICTED).')),
    };
    expect(await walletPayments(refusing, from, to)).toBe('unsupported');
    // Any other failure is the run's.
    const broken: RefundWallet = {
      ...blind,
      listPayments: () => failing(new Error('The refund wallet did not list its payments (INTERNAL).')),
    };
    await expect(walletPayments(broken, from, to)).rejects.toThrow('INTERNAL');
  });
});
