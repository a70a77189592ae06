import { createRefundService } from '../checkout/refunds.js';
import { openJournal } from '../journal/db.js';
import { report } from './kill-child.js';

/**
 * A second writer on a till's journal (argv: journal path, sale id, line id, attempts, start
 * time in ms): waits for the start time so its siblings start together, then asks for one unit
 * of the line back `attempts` times, reporting each answer: `ok`, `refused <kind>`, or
 * `error <message>` for anything that is not the till's own answer (SQLITE_BUSY, say).
 */
const [path, saleId, lineId, attempts, startAt] = process.argv.slice(2);
const db = openJournal(path!);
const refunds = createRefundService({
  db,
  now: () => new Date(),
  queueToShopify: () => false,
  onQueued: () => undefined,
  saleChanged: () => undefined,
});
while (Date.now() < Number(startAt)) {
  // Spin: the siblings start within a millisecond of each other.
}
for (let i = 0; i < Number(attempts); i++) {
  try {
    refunds.createCash({
      saleId: saleId!,
      lines: [{ lineId: lineId!, quantity: 1, restock: true }],
      refundTip: false,
      reason: `race ${process.pid}`,
    });
    report('ok');
  } catch (err) {
    const kind = (err as { kind?: unknown }).kind;
    report(typeof kind === 'string' ? `refused ${kind}` : `error ${String(err)}`);
  }
}
db.close();
