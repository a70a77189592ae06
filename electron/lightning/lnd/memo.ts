import { BackendError } from '../backend.js';
import { MAX_FIELD_BYTES } from '../bolt11/format.js';

/**
 * LND's Invoice has no free field for the till's own data, so a till marks the invoices it
 * makes at the END of the memo: `${description} · till ${tillId}`. LND copies the memo into the
 * BOLT11 description, so the payer's wallet shows the marker as part of the description.
 *
 * The memo is capped at 639 bytes of UTF-8: LND itself allows 1024 (invoices.MaxMemoSize), but
 * the memo becomes the BOLT11 `d` field, whose 10-bit length holds at most 1023 words (639
 * bytes). When description and marker do not fit, the description is cut, never the marker.
 */

const MARK = ' · till ';
/** Only a marker at the very end counts; a till id is one word (the till's UUID). */
const TRAILING_MARK = / · till (\S+)$/u;

/** The memo of an invoice the till `till` makes; the description alone without a till. */
export function memoWithTill(description: string, till: string | undefined): string {
  if (till === undefined) return description;
  if (!/^\S+$/u.test(till)) {
    throw new BackendError('Rejected', `"${till}" cannot mark an invoice: a till id is one word.`);
  }
  const marker = `${MARK}${till}`;
  const room = MAX_FIELD_BYTES - Buffer.byteLength(marker, 'utf8');
  if (room < 0) throw new BackendError('Rejected', `The till id "${till}" is too long to mark an invoice.`);
  return `${fitBytes(description, room)}${marker}`;
}

/** What a memo says: the till that marked it (null when none did) and the description before the mark. */
export function tillOfMemo(memo: string): { till: string | null; description: string } {
  const m = TRAILING_MARK.exec(memo);
  if (!m) return { till: null, description: memo };
  return { till: m[1]!, description: memo.slice(0, m.index) };
}

/** The longest start of `text` within `max` bytes of UTF-8, cut between characters. */
function fitBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > max) break;
    out += ch;
    used += size;
  }
  return out;
}
