import { describe, expect, it } from 'vitest';
import { cardText, messageFromNdefFile, messageFromTlv, parseNdefMessage, recordText } from './ndef.js';

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
const ascii = (s: string) => Buffer.from(s, 'utf8').toString('hex');

/** A short, well-known URI record: header D1 (MB ME SR TNF=1), type "U", prefix code 0x00. */
function uriRecord(uri: string, prefix = 0x00): string {
  const payload = prefix.toString(16).padStart(2, '0') + ascii(uri);
  return `d101${(payload.length / 2).toString(16).padStart(2, '0')}55${payload}`;
}

const LINK = 'lnurlw://card.example.com/ln?p=4E2E289D945A66BB13377A728884E867&c=E19CCB1FED8892CE';

describe('NDEF on a Bolt Card', () => {
  it('reads the lnurlw URI record from an NTAG424 NDEF file (NLEN + message)', () => {
    const message = uriRecord(LINK);
    const nlen = (message.length / 2).toString(16).padStart(4, '0');
    const file = bytes(nlen + message + '000000'); // the file is longer than its message
    const m = messageFromNdefFile(file)!;
    expect(cardText(m)).toBe(LINK);
  });

  it('reads a Type 2 TLV area: NULL and lock-control TLVs first, 3-byte length, terminator', () => {
    const message = uriRecord(LINK);
    const len = message.length / 2;
    const short = bytes(`00 0103a00c34 03${len.toString(16).padStart(2, '0')}${message}fe0000`);
    expect(cardText(messageFromTlv(short)!)).toBe(LINK);
    const long = bytes(`03ff${len.toString(16).padStart(4, '0')}${message}fe`);
    expect(cardText(messageFromTlv(long)!)).toBe(LINK);
  });

  it('expands URI prefix codes and reads Text records (UTF-8 and UTF-16)', () => {
    const [https] = parseNdefMessage(bytes(uriRecord('card.example.com/ln', 0x04)));
    expect(recordText(https!)).toBe('https://card.example.com/ln');
    const text = 'LNURL1DP68GURN8GHJ7';
    const payload = '02' + ascii('en') + ascii(text);
    const [t] = parseNdefMessage(bytes(`d101${(payload.length / 2).toString(16)}54${payload}`));
    expect(recordText(t!)).toBe(text);
    const utf16 = '82' + ascii('en') + Buffer.from(text, 'utf16le').swap16().toString('hex');
    const [u] = parseNdefMessage(bytes(`d101${(utf16.length / 2).toString(16)}54${utf16}`));
    expect(recordText(u!)).toBe(text);
  });

  it('picks the LNURL among several records (a long record first, with an id)', () => {
    const mime = ascii('text/plain');
    const note = ascii('hello');
    // MB, not SR, IL, TNF=2 (media): 4-byte payload length, id length 1.
    const first = `8a${(mime.length / 2).toString(16).padStart(2, '0')}${(note.length / 2).toString(16).padStart(8, '0')}01${mime}41${note}`;
    const last = uriRecord(LINK).replace(/^d1/, '51'); // ME SR TNF=1
    expect(cardText(bytes(first + last))).toBe(LINK);
  });

  it('answers null, never throws, for empty, cut-off or lying bytes', () => {
    const cut = bytes(uriRecord(LINK)).subarray(0, 20);
    for (const b of [
      bytes(''),
      bytes('00'),
      bytes('0000'),
      bytes('ffff0000'),
      cut,
      bytes('d1'),
      bytes('b101ff55'), // chunked flag
    ]) {
      expect(cardText(b)).toBeNull();
      expect(messageFromTlv(b)).toBeNull();
    }
    expect(messageFromNdefFile(bytes('0050d101'))).toBeNull();
    expect(messageFromTlv(bytes('03ff01'))).toBeNull();
    expect(messageFromTlv(bytes('fe03050000'))).toBeNull();
  });

  it('survives any bytes (a seeded random sweep)', () => {
    let seed = 0x5eed;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 2000; i++) {
      const b = Uint8Array.from({ length: rand() % 64 }, rand);
      expect(() => {
        cardText(b);
        messageFromTlv(b);
        messageFromNdefFile(b);
      }, `seed step ${i}`).not.toThrow();
    }
  });
});
