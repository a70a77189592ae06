/**
 * What a Bolt Card's NFC tag holds, from its raw bytes: pure functions, so every layout is
 * tested from byte vectors without a reader.
 *
 * - NFC Forum Type 4 (NTAG424 DNA, the Bolt Card): the NDEF file is a 2-byte big-endian length
 *   (NLEN) followed by the NDEF message.
 * - NFC Forum Type 2 (NTAG21x, read with READ from page 4): a TLV area; the NDEF message is
 *   the value of the first TLV of type 0x03, lengths in 1 byte or 0xFF + 2 bytes.
 * - NDEF records (NFC Forum NDEF 1.0): header MB|ME|CF|SR|IL|TNF, type length, payload length
 *   (1 byte when SR, else 4), id length when IL, then type, id, payload.
 */

export interface NdefRecord {
  /** Type Name Format (1: NFC Forum well-known type such as "U" or "T"). */
  tnf: number;
  type: string;
  payload: Uint8Array;
}

/** NFC Forum URI RTD: the first payload byte abbreviates the URI's start. */
const URI_PREFIXES = [
  '',
  'http://www.',
  'https://www.',
  'http://',
  'https://',
  'tel:',
  'mailto:',
  'ftp://anonymous:anonymous@',
  'ftp://ftp.',
  'ftps://',
  'sftp://',
  'smb://',
  'nfs://',
  'ftp://',
  'dav://',
  'news:',
  'telnet://',
  'imap:',
  'rtsp://',
  'urn:',
  'pop:',
  'sip:',
  'sips:',
  'tftp:',
  'btspp://',
  'btl2cap://',
  'btgoep://',
  'tcpobex://',
  'irdaobex://',
  'file://',
  'urn:epc:id:',
  'urn:epc:tag:',
  'urn:epc:pat:',
  'urn:epc:raw:',
  'urn:epc:',
  'urn:nfc:',
] as const;

const TNF_WELL_KNOWN = 1;
const TNF_ABSOLUTE_URI = 3;

/** The NDEF message of a Type 4 NDEF file (NLEN + message), or null when it holds none. */
export function messageFromNdefFile(file: Uint8Array): Uint8Array | null {
  if (file.length < 2) return null;
  const length = (file[0]! << 8) | file[1]!;
  if (length === 0 || 2 + length > file.length) return null;
  return file.subarray(2, 2 + length);
}

/** The NDEF message of a Type 2 TLV area, or null when it holds none (or is cut short). */
export function messageFromTlv(area: Uint8Array): Uint8Array | null {
  let i = 0;
  while (i < area.length) {
    const type = area[i++]!;
    if (type === 0x00) continue; // NULL TLV: no length
    if (type === 0xfe) return null; // Terminator TLV
    if (i >= area.length) return null;
    let length = area[i++]!;
    if (length === 0xff) {
      if (i + 2 > area.length) return null;
      length = (area[i]! << 8) | area[i + 1]!;
      i += 2;
    }
    if (i + length > area.length) return null;
    if (type === 0x03) return length === 0 ? null : area.subarray(i, i + length);
    i += length;
  }
  return null;
}

/** The records of an NDEF message; throws on a message that is cut short or chunked. */
export function parseNdefMessage(message: Uint8Array): NdefRecord[] {
  const records: NdefRecord[] = [];
  let i = 0;
  const need = (n: number) => {
    if (i + n > message.length) throw new Error('the NDEF message is cut short');
  };
  while (i < message.length) {
    need(2);
    const header = message[i++]!;
    const typeLength = message[i++]!;
    const shortRecord = (header & 0x10) !== 0;
    const hasId = (header & 0x08) !== 0;
    if ((header & 0x20) !== 0) throw new Error('chunked NDEF records are not supported');
    let payloadLength: number;
    if (shortRecord) {
      need(1);
      payloadLength = message[i++]!;
    } else {
      need(4);
      payloadLength =
        message[i]! * 0x1000000 + ((message[i + 1]! << 16) | (message[i + 2]! << 8) | message[i + 3]!);
      i += 4;
    }
    let idLength = 0;
    if (hasId) {
      need(1);
      idLength = message[i++]!;
    }
    need(typeLength + idLength + payloadLength);
    const type = new TextDecoder().decode(message.subarray(i, i + typeLength));
    i += typeLength + idLength;
    records.push({ tnf: header & 0x07, type, payload: message.subarray(i, i + payloadLength) });
    i += payloadLength;
    if ((header & 0x40) !== 0) break; // ME: the message's last record
  }
  return records;
}

/** A record as text: a URI record's URI, a Text record's text, an absolute-URI record's type; else null. */
export function recordText(record: NdefRecord): string | null {
  if (record.tnf === TNF_WELL_KNOWN && record.type === 'U' && record.payload.length > 0) {
    const prefix = URI_PREFIXES[record.payload[0]!] ?? '';
    return prefix + new TextDecoder().decode(record.payload.subarray(1));
  }
  if (record.tnf === TNF_WELL_KNOWN && record.type === 'T' && record.payload.length > 0) {
    const status = record.payload[0]!;
    const langLength = status & 0x3f;
    const text = record.payload.subarray(1 + langLength);
    return new TextDecoder((status & 0x80) !== 0 ? 'utf-16be' : 'utf-8').decode(text);
  }
  if (record.tnf === TNF_ABSOLUTE_URI) return record.type;
  return null;
}

const LNURL_TEXT = /^(lightning:)?(lnurlw:\/\/|lnurl1)/i;

/**
 * The card's text from an NDEF message: the first record that holds an LNURL (a Bolt Card
 * writes a single URI record), else the first record with any text, else null.
 */
export function cardText(message: Uint8Array): string | null {
  let records: NdefRecord[];
  try {
    records = parseNdefMessage(message);
  } catch {
    return null;
  }
  const texts = records.map(recordText).filter((t): t is string => t !== null);
  return texts.find((t) => LNURL_TEXT.test(t.trim())) ?? texts[0] ?? null;
}
