import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Sale } from '../../shared/domain/index.js';
import { createTill } from '../till.js';
import { RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { sellThenKill } from '../test-support/kill-child.js';

const CHILD = resolve(import.meta.dirname, '../test-support/crash-child.ts');

describe('a till killed mid-sale', () => {
  it('loses no paid sale and duplicates nothing after restart', async () => {
    const dir = tempDir('till-crash-');
    try {
      const seen: string[] = [];
      for (let round = 0; round < 3; round++) {
        seen.push(...(await sellThenKill(CHILD, [dir.path], 3, Math.floor(Math.random() * 40))));
      }
      expect(seen.length).toBeGreaterThanOrEqual(9);

      const till = await createTill({
        dataDir: dir.path,
        resourcesDir: RESOURCES_DIR,
        timers: false,
        log: () => {},
      });
      try {
        for (const id of seen) {
          const reply = await till.invoke('getSale', { saleId: id });
          expect(reply.ok && (reply.value as Sale).state).toBe('paid');
        }
        // Every invoice the node settled belongs to a sale the journal has as paid, exactly once.
        const node = new Database(resolve(dir.path, 'demo-node.db'), { readonly: true });
        const settled = node
          .prepare("SELECT payment_hash FROM invoices WHERE state = 'settled'")
          .pluck()
          .all() as string[];
        node.close();
        const journal = new Database(resolve(dir.path, 'journal.sqlite'), { readonly: true });
        for (const hash of settled) {
          const row = journal
            .prepare(
              'SELECT s.state FROM sale_invoices i JOIN sales s ON s.id = i.sale_id WHERE i.payment_hash = ?',
            )
            .get(hash) as { state: string } | undefined;
          expect(row?.state, `settled invoice ${hash}`).toBe('paid');
        }
        const numbers = journal.prepare('SELECT number FROM sales ORDER BY number').pluck().all() as number[];
        expect(new Set(numbers).size).toBe(numbers.length);
        journal.close();
      } finally {
        await till.close();
      }
    } finally {
      dir.remove();
    }
  }, 90_000);
});
