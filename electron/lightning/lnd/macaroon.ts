/**
 * Reads what an LND macaroon allows, offline. LND bakes its permissions into the macaroon's
 * identifier: a version byte (3) then a protobuf `MacaroonId { bytes nonce = 1; bytes
 * storageId = 2; repeated Op ops = 3 }`, `Op { string entity = 1; repeated string actions = 2 }`
 * (lnd/macaroons/macaroonpb). The identifier sits in the macaroon's V2 binary serialization
 * (libmacaroons format: version byte 2, then type-length-value fields).
 */

export type MacaroonOps = Record<string, string[]>;

export class MacaroonError extends Error {
  override readonly name = 'MacaroonError';
}

const FIELD_LOCATION = 1;
const FIELD_IDENTIFIER = 2;

function readVarint(buf: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < buf.length && shift < 35; i++) {
    const byte = buf[i]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, i + 1];
    shift += 7;
  }
  throw new MacaroonError('the macaroon ends in the middle of a number');
}

/** The identifier of a V2 binary macaroon. */
export function macaroonIdentifier(macaroon: Uint8Array): Uint8Array {
  if (macaroon[0] !== 2) {
    throw new MacaroonError('this is not a version 2 macaroon (LND writes version 2 since 0.5)');
  }
  let at = 1;
  for (let guard = 0; guard < 2 && at < macaroon.length; guard++) {
    const [type, afterType] = readVarint(macaroon, at);
    const [length, afterLength] = readVarint(macaroon, afterType);
    const end = afterLength + length;
    if (end > macaroon.length) throw new MacaroonError('the macaroon is cut off');
    if (type === FIELD_IDENTIFIER) return macaroon.subarray(afterLength, end);
    if (type !== FIELD_LOCATION) break;
    at = end;
  }
  throw new MacaroonError('the macaroon has no identifier');
}

interface ProtoField {
  field: number;
  bytes: Uint8Array;
}

/** Length-delimited fields of a protobuf message; other wire types are skipped. */
function protoFields(buf: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, afterKey] = readVarint(buf, at);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 2) {
      const [length, afterLength] = readVarint(buf, afterKey);
      if (afterLength + length > buf.length) throw new MacaroonError('the macaroon id is cut off');
      out.push({ field, bytes: buf.subarray(afterLength, afterLength + length) });
      at = afterLength + length;
    } else if (wire === 0) {
      at = readVarint(buf, afterKey)[1];
    } else {
      throw new MacaroonError(`the macaroon id has an unexpected protobuf wire type ${wire}`);
    }
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The entity → actions an LND macaroon grants, e.g. { invoices: ['read', 'write'] }. */
export function macaroonOps(macaroonHex: string): MacaroonOps {
  const id = macaroonIdentifier(Buffer.from(macaroonHex, 'hex'));
  if (id[0] !== 3) throw new MacaroonError('the macaroon id is not in the format LND writes');
  const ops: MacaroonOps = {};
  for (const { field, bytes } of protoFields(id.subarray(1))) {
    if (field !== 3) continue;
    let entity = '';
    const actions: string[] = [];
    for (const f of protoFields(bytes)) {
      if (f.field === 1) entity = utf8.decode(f.bytes);
      if (f.field === 2) actions.push(utf8.decode(f.bytes));
    }
    ops[entity] = [...(ops[entity] ?? []), ...actions];
  }
  return ops;
}

export function allows(ops: MacaroonOps, entity: string, action: string): boolean {
  return ops[entity]?.includes(action) ?? false;
}
