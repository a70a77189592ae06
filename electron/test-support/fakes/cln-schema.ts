import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Core Lightning's JSON schemas (../shared/contracts/cln/<method>.json) and a validator for
 * the subset of JSON Schema they use: CLN's own types (msat, u64, hash, pubkey…), required,
 * additionalProperties, oneOf, enum, items, allOf with if/then/else, dependentUpon. The fake
 * checks every request against `request` and every answer it gives against `response`.
 */

const CONTRACTS = join(import.meta.dirname, '../../../contracts/cln');

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Schema;
  oneOf?: Schema[];
  allOf?: Schema[];
  if?: Schema;
  then?: Schema;
  else?: Schema;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  /** CLN's extension: each listed field may only be given together with the key. */
  dependentUpon?: Record<string, string[]>;
}

export interface MethodSchema {
  request: Schema;
  response: Schema;
}

const cache = new Map<string, MethodSchema | null>();

/** The method's schema file, or null when the contracts have none (an unknown method). */
export function methodSchema(method: string): MethodSchema | null {
  if (!/^[a-z0-9_-]+$/.test(method)) return null;
  if (!cache.has(method)) {
    const file = join(CONTRACTS, `${method}.json`);
    cache.set(
      method,
      existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as MethodSchema & { rpc: string }) : null,
    );
  }
  return cache.get(method)!;
}

export type Direction = 'request' | 'response';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const hex = (v: unknown, length?: number) =>
  typeof v === 'string' && /^([0-9a-f]{2})*$/.test(v) && (length === undefined || v.length === length);
const uint = (v: unknown, max: number) =>
  Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
/** lightningd's param_msat: an integer, or a string with msat / sat / btc (invoice.json). */
const MSAT_TEXT = /^(\d+(msat|sat)?|\d+\.\d{3}sat|\d+\.\d{1,11}btc)$/;

function typeOk(type: string, v: unknown, direction: Direction): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isSafeInteger(v);
    case 'u8':
      return uint(v, 0xff);
    case 'u16':
      return uint(v, 0xffff);
    case 'u32':
      return uint(v, 0xffffffff);
    case 'u64':
      return uint(v, Number.MAX_SAFE_INTEGER);
    case 'msat':
      // Answers carry msat as JSON integers (the fake keeps them as bigint, written exactly);
      // requests may also spell them out.
      return (
        (typeof v === 'bigint' && v >= 0n && v < 2n ** 64n) ||
        uint(v, Number.MAX_SAFE_INTEGER) ||
        (direction === 'request' && typeof v === 'string' && MSAT_TEXT.test(v))
      );
    case 'msat_or_any':
      return v === 'any' || typeOk('msat', v, 'request');
    case 'hash':
    case 'secret':
    case 'txid':
      return hex(v, 64);
    case 'hex':
      return hex(v);
    case 'pubkey':
      return typeof v === 'string' && /^0[23][0-9a-f]{64}$/.test(v);
    case 'short_channel_id':
      return typeof v === 'string' && /^\d+x\d+x\d+$/.test(v);
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isObject(v);
    default:
      throw new Error(`the CLN fake does not know the schema type "${type}"`);
  }
}

/** Every way `value` breaks `schema`, each naming where. */
export function validate(schema: Schema, value: unknown, direction: Direction, path = ''): string[] {
  const at = path || '(top)';
  const errors: string[] = [];
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((s) => validate(s, value, direction, path).length === 0);
    if (matching.length !== 1) errors.push(`${at}: matches ${matching.length} of the oneOf alternatives`);
  }
  if (schema.type !== undefined && !typeOk(schema.type, value, direction)) {
    return [
      ...errors,
      `${at}: expected ${schema.type}, got ${typeof value === 'bigint' ? value : JSON.stringify(value)}`,
    ];
  }
  if (schema.enum && !schema.enum.some((e) => e === value)) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: too short`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${at}: too long`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => errors.push(...validate(schema.items!, item, direction, `${path}[${i}]`)));
  }
  if (isObject(value)) {
    for (const key of schema.required ?? []) {
      if (!(key in value)) errors.push(`${at}: "${key}" is required`);
    }
    for (const [key, v] of Object.entries(value)) {
      const prop = schema.properties?.[key];
      if (prop) errors.push(...validate(prop, v, direction, path ? `${path}.${key}` : key));
      else if (schema.additionalProperties === false)
        errors.push(`${at}: "${key}" is not a field of the schema`);
    }
    for (const [key, dependents] of Object.entries(schema.dependentUpon ?? {})) {
      for (const d of dependents) {
        if (d in value && !(key in value)) errors.push(`${at}: "${d}" is only allowed with "${key}"`);
      }
    }
  }
  for (const sub of schema.allOf ?? []) errors.push(...validate(sub, value, direction, path));
  if (schema.if) {
    const branch = validate(schema.if, value, direction, path).length === 0 ? schema.then : schema.else;
    if (branch) errors.push(...validate(branch, value, direction, path));
  }
  return errors;
}
