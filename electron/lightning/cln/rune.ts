import type { Permissions } from '../backend.js';

/**
 * Reads what a Core Lightning rune allows, offline. A rune is base64url of a 32-byte
 * SHA-256 state followed by its restrictions in plain text (`=0&method^list|method^get`), as
 * the examples of ../shared/contracts/cln/showrunes.json show rune by rune. clnrest checks a
 * rune against the method it is called for, checkrune and showrunes included, so a till rune
 * limited to invoices could not ask the node about itself: reading the text needs no permission.
 */

export interface RuneAlternative {
  fieldname: string;
  /** One of the conditions of lightning-createrune(7): ! = / ^ $ ~ < > { } # */
  condition: string;
  value: string;
}

/** Passes when any one of its alternatives passes; a rune passes when all its restrictions do. */
export type RuneRestriction = RuneAlternative[];

export interface RuneInfo {
  /** The rune's unique id (its first restriction, `=<id>`), null for a rune without one. */
  uniqueId: string | null;
  /** The restrictions after the unique id, as showrunes lists them. */
  restrictions: RuneRestriction[];
}

const CONDITIONS = '!=/^$~<>{}#';
const FIELDNAME = /^[A-Za-z0-9_]*$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
/** The SHA-256 state every rune starts with. */
const STATE_BYTES = 32;

export class RuneFormatError extends Error {
  override readonly name = 'RuneFormatError';
}

/** Splits on an unescaped separator, keeping escapes for the next step. */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1]!;
      i++;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

function readAlternative(raw: string): RuneAlternative {
  let at = -1;
  for (let i = 0; i < raw.length; i++) {
    if (CONDITIONS.includes(raw[i]!)) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new RuneFormatError('a restriction has no condition');
  const fieldname = raw.slice(0, at);
  if (!FIELDNAME.test(fieldname)) throw new RuneFormatError('a restriction names an unreadable field');
  // createrune escapes \, | and & in values with a backslash.
  const value = raw.slice(at + 1).replace(/\\(.)/g, '$1');
  return { fieldname, condition: raw[at]!, value };
}

/** Throws RuneFormatError (never quoting the rune) when the text is not a rune. */
export function readRune(rune: string): RuneInfo {
  if (!BASE64URL.test(rune)) throw new RuneFormatError('a rune is base64url text (letters, digits, - and _)');
  const bytes = Buffer.from(rune, 'base64url');
  if (bytes.length < STATE_BYTES) throw new RuneFormatError('the text is too short to be a rune');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(STATE_BYTES));
  } catch {
    throw new RuneFormatError('the restrictions of the rune are not text');
  }
  if (text === '') return { uniqueId: null, restrictions: [] };
  const restrictions = splitUnescaped(text, '&').map((r) => splitUnescaped(r, '|').map(readAlternative));
  const first = restrictions[0]!;
  const id =
    first.length === 1 && first[0]!.fieldname === '' && first[0]!.condition === '=' ? first[0]! : null;
  return { uniqueId: id?.value ?? null, restrictions: id ? restrictions.slice(1) : restrictions };
}

/** lightning-createrune(7)'s conditions, for a field whose value is known. */
function holds(alt: RuneAlternative, value: string): boolean {
  const int = (s: string) => (/^-?\d+$/.test(s) ? BigInt(s) : null);
  switch (alt.condition) {
    case '!':
      return false; // "is missing": a known field is not
    case '=':
      return value === alt.value;
    case '/':
      return value !== alt.value;
    case '^':
      return value.startsWith(alt.value);
    case '$':
      return value.endsWith(alt.value);
    case '~':
      return value.includes(alt.value);
    case '<':
    case '>': {
      const [a, b] = [int(value), int(alt.value)];
      if (a === null || b === null) return false;
      return alt.condition === '<' ? a < b : a > b;
    }
    case '{':
      return value < alt.value;
    case '}':
      return value > alt.value;
    case '#':
      return true;
    default:
      return false;
  }
}

/**
 * Whether the rune can authorise `method` for some parameters. Only `method` is known before
 * a call; conditions on parameters, time or rate are taken as possibly met, so this is an
 * upper bound: right for "could this rune spend?", generous for "can it invoice?".
 */
export function runeMayCall(restrictions: readonly RuneRestriction[], method: string): boolean {
  return restrictions.every((alternatives) =>
    alternatives.some((alt) => (alt.fieldname === 'method' ? holds(alt, method) : true)),
  );
}

/**
 * Methods that move money out of the node, or mint a rune that could: `createrune` without a
 * base rune makes an unrestricted one (lightning-createrune(7)).
 */
export const SPENDING_METHODS = [
  'pay',
  'xpay',
  'keysend',
  'renepay',
  'sendpay',
  'sendonion',
  'injectpaymentonion',
  'withdraw',
  'multiwithdraw',
  'fundchannel',
  'createrune',
] as const;

export function runePermissions(restrictions: readonly RuneRestriction[]): Permissions {
  return {
    createInvoices: runeMayCall(restrictions, 'invoice'),
    readInvoices: runeMayCall(restrictions, 'listinvoices'),
    sendPayments: SPENDING_METHODS.some((m) => runeMayCall(restrictions, m)),
  };
}
