import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * NIP-47 read from ../shared/contracts/nostr/nip-47.md at test time, so the fake wallet checks
 * requests against the published text rather than against what the client's author believed:
 * every command's request params (name, JSON type, optional or not, enumerated values), the keys
 * each result and notification may carry, and the error codes.
 */

export type JsonType = 'string' | 'number' | 'boolean' | 'object' | 'array';

export interface ParamSpec {
  type: JsonType;
  optional: boolean;
  /** Quoted values the comment lists ("incoming" for invoices, "outgoing" for payments). */
  values: string[] | null;
}

export interface MethodSpec {
  params: Map<string, ParamSpec>;
  /** "one of payment_hash or invoice is required". */
  oneOf: string[][];
  resultKeys: Set<string>;
}

export interface Nip47Spec {
  methods: Map<string, MethodSpec>;
  notifications: Map<string, Set<string>>;
  errorCodes: Set<string>;
}

const SPEC_PATH = join(import.meta.dirname, '../../../contracts/nostr/nip-47.md');

interface Entry {
  key: string;
  type: JsonType;
  comment: string;
}

function typeOf(raw: string): JsonType {
  const value = raw.replace(/,$/, '');
  if (value.startsWith('"')) return 'string';
  if (value.startsWith('{')) return 'object';
  if (value.startsWith('[')) return 'array';
  if (value === 'true' || value === 'false') return 'boolean';
  // Numbers, and the spec's placeholders `unixtimestamp` / `blocknumber`.
  return 'number';
}

/** The keys directly inside `"<container>": {` of a yaml-ish block of the spec. */
function entriesOf(block: string[], container: string): Entry[] {
  const out: Entry[] = [];
  let depth = -1;
  for (const line of block) {
    const m = /^\s*"(\w+)":\s*(.*?)\s*(?:\/\/\s*(.*))?$/.exec(line);
    const code = (m ? m[2]! : line.replace(/\/\/.*$/, '')).replace(/"(?:[^"\\]|\\.)*"/g, '""');
    const opens = (code.match(/[{[]/g) ?? []).length;
    const closes = (code.match(/[}\]]/g) ?? []).length;
    if (depth < 0) {
      if (m && m[1] === container && code.startsWith('{')) depth = opens - closes;
      continue;
    }
    if (m && depth === 1) out.push({ key: m[1]!, type: typeOf(m[2]!), comment: m[3] ?? '' });
    depth += opens - closes;
    if (depth <= 0) break;
  }
  return out;
}

/** The first ```yaml block after the line `label` within `lines`. */
function blockAfter(lines: string[], label: string): string[] {
  const at = lines.findIndex((l) => l.trim() === label);
  if (at < 0) return [];
  const start = lines.findIndex((l, i) => i > at && l.startsWith('```'));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('```'));
  return start < 0 || end < 0 ? [] : lines.slice(start + 1, end);
}

/** `### \`name\`` sections between two `## ` headings. */
function sections(lines: string[], heading: string): Map<string, string[]> {
  const from = lines.indexOf(heading);
  const to = lines.findIndex((l, i) => i > from && l.startsWith('## '));
  const out = new Map<string, string[]>();
  let name: string | null = null;
  for (const line of lines.slice(from + 1, to < 0 ? undefined : to)) {
    const m = /^### `(\w+)`/.exec(line);
    if (m) {
      name = m[1]!;
      out.set(name, []);
    } else if (name) out.get(name)!.push(line);
  }
  return out;
}

export function loadNip47Spec(path = SPEC_PATH): Nip47Spec {
  const lines = readFileSync(path, 'utf8').split('\n');
  const methods = new Map<string, MethodSpec>();
  for (const [name, body] of sections(lines, '## Commands')) {
    const params = new Map<string, ParamSpec>();
    const oneOf: string[][] = [];
    for (const e of entriesOf(blockAfter(body, 'Request:'), 'params')) {
      const group = /one of (\w+) or (\w+) is required/.exec(e.comment);
      if (group) oneOf.push([group[1]!, group[2]!]);
      const quoted = [...e.comment.matchAll(/"(\w+)"/g)].map((q) => q[1]!);
      params.set(e.key, {
        type: e.type,
        optional: /optional|undefined for/.test(e.comment),
        values: e.type === 'string' && quoted.length >= 2 ? quoted : null,
      });
    }
    for (const group of oneOf) for (const key of group) params.get(key)!.optional = true;
    const response = blockAfter(body, 'Response:');
    const resultKeys = new Set(entriesOf(response, 'result').map((e) => e.key));
    methods.set(name, { params, oneOf, resultKeys });
  }
  const notifications = new Map<string, Set<string>>();
  for (const [name, body] of sections(lines, '## Notifications')) {
    notifications.set(
      name,
      new Set(entriesOf(blockAfter(body, 'Notification:'), 'notification').map((e) => e.key)),
    );
  }
  const errorCodes = new Set<string>();
  for (const line of lines) {
    const m = /^- `([A-Z_]+)`:/.exec(line);
    if (m) errorCodes.add(m[1]!);
  }
  if (!methods.has('make_invoice') || !methods.has('list_transactions') || errorCodes.size < 5) {
    throw new Error(`${path} does not read as NIP-47: the fake cannot check requests against it.`);
  }
  return { methods, notifications, errorCodes };
}

/** Problems with a request's params, checked against the method's spec; empty when it conforms. */
export function paramProblems(method: MethodSpec, params: unknown): string[] {
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    return ['params is not an object'];
  const problems: string[] = [];
  const given = params as Record<string, unknown>;
  for (const [key, value] of Object.entries(given)) {
    const spec = method.params.get(key);
    if (!spec) {
      problems.push(`unknown param "${key}"`);
      continue;
    }
    const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
    if (actual !== spec.type) problems.push(`param "${key}" is ${actual}, the spec has ${spec.type}`);
    else if (spec.type === 'number' && !Number.isSafeInteger(value)) {
      problems.push(`param "${key}" is not a whole number (NIP-47 numbers are msat, seconds or counts)`);
    } else if (spec.values && !spec.values.includes(value as string)) {
      problems.push(`param "${key}" is "${String(value)}", not one of ${spec.values.join(', ')}`);
    }
  }
  for (const [key, spec] of method.params) {
    if (!spec.optional && !(key in given)) problems.push(`required param "${key}" is missing`);
  }
  for (const group of method.oneOf) {
    if (!group.some((key) => key in given)) problems.push(`one of ${group.join(' or ')} is required`);
  }
  return problems;
}
