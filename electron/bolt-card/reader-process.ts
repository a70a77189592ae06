import type { NFC as NfcClass, Reader } from 'nfc-pcsc';
import { cardText, messageFromNdefFile, messageFromTlv } from './ndef.js';
import type { ReaderMessage } from './reader.js';

/**
 * The USB NFC reader, in a process of its own: on Linux without the pcscd daemon, `new NFC()`
 * blocks its whole event loop indefinitely (measured), so it must never run in the till's.
 * It tells the till (process.send, ./reader.ts) which readers are plugged in and what each
 * tapped card holds; the till decides everything else. No hardware was exercised here: the
 * byte parsing is tested in ndef.test.ts, this file only moves bytes.
 */

const send = (message: ReaderMessage) => process.send?.(message);
const OK = 0x9000;

function status(response: Buffer): number {
  return response.length >= 2 ? response.readUInt16BE(response.length - 2) : 0;
}

async function apdu(reader: Reader, bytes: number[], max = 256): Promise<Buffer> {
  const response = await reader.transmit(Buffer.from(bytes), max);
  if (status(response) !== OK) throw new Error(`the card answered ${status(response).toString(16)}`);
  return response.subarray(0, response.length - 2);
}

/** NFC Forum Type 4 (NTAG424 DNA): select the NDEF application and file E104, read NLEN + message. */
async function readType4(reader: Reader): Promise<Uint8Array | null> {
  await apdu(reader, [0x00, 0xa4, 0x04, 0x00, 0x07, 0xd2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01, 0x00]);
  await apdu(reader, [0x00, 0xa4, 0x00, 0x0c, 0x02, 0xe1, 0x04]);
  const head = await apdu(reader, [0x00, 0xb0, 0x00, 0x00, 0x02]);
  const length = head.length === 2 ? head.readUInt16BE(0) : 0;
  const file = Buffer.alloc(2 + length);
  head.copy(file);
  for (let offset = 2; offset < file.length;) {
    const n = Math.min(0xf0, file.length - offset);
    const part = await apdu(reader, [0x00, 0xb0, (offset >> 8) & 0x7f, offset & 0xff, n]);
    if (part.length === 0) break;
    part.copy(file, offset);
    offset += part.length;
  }
  return messageFromNdefFile(file);
}

/** NFC Forum Type 2 (NTAG21x): the TLV area from page 4. */
async function readType2(reader: Reader): Promise<Uint8Array | null> {
  const first = await reader.read(4, 16);
  const long = first[1] === 0xff;
  const need = (long ? 4 + first.readUInt16BE(2) : 2 + (first[1] ?? 0)) + 2;
  const area = need <= 16 ? first : await reader.read(4, Math.ceil(Math.min(need, 888) / 4) * 4);
  return messageFromTlv(area);
}

async function readCard(reader: Reader): Promise<void> {
  let message: Uint8Array | null;
  try {
    message = await readType4(reader);
  } catch {
    message = await readType2(reader).catch(() => null);
  }
  const text = message ? cardText(message) : null;
  send(
    text
      ? { type: 'card', text }
      : { type: 'cardError', message: 'The card could not be read: hold it still on the reader.' },
  );
}

async function main(): Promise<void> {
  let NFC: typeof NfcClass;
  try {
    const mod = (await import('nfc-pcsc')) as { NFC?: typeof NfcClass; default?: { NFC: typeof NfcClass } };
    NFC = mod.NFC ?? mod.default!.NFC;
  } catch (err) {
    send({ type: 'unavailable', message: `nfc-pcsc did not load (${String(err)})` });
    return;
  }
  const readers = new Set<string>();
  const report = () => send({ type: 'readers', names: [...readers].sort() });
  // Blocks here until pcscd answers (forever without it): the till's process is not affected.
  const nfc = new NFC();
  report();
  nfc.on('reader', (reader: Reader) => {
    reader.autoProcessing = false;
    readers.add(reader.name);
    report();
    reader.on('card', () => void readCard(reader).catch(() => undefined));
    reader.on('error', () => undefined);
    reader.on('end', () => {
      readers.delete(reader.name);
      report();
    });
  });
  nfc.on('error', (err: unknown) => send({ type: 'unavailable', message: String(err) }));
}

// The till went away (or closed the reader): nothing left to tell.
process.on('disconnect', () => process.exit(0));
void main();
