import { readFileSync } from 'node:fs';
import { SpecViolation } from './http-fake.js';

/**
 * Checks requests (and the fake's own answers) against a Swagger 2.0 document, the way the
 * grpc-gateway in front of LND reads them: paths and methods must exist; query parameters
 * and body fields must be declared, with the declared type. (u)int64 travels as a decimal
 * string, bytes as base64. Anything unknown is a violation, never ignored.
 */

interface SchemaObject {
  type?: string;
  format?: string;
  $ref?: string;
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
  enum?: string[];
  additionalProperties?: SchemaObject | boolean;
}

interface Parameter {
  name: string;
  in: 'query' | 'path' | 'body' | 'header';
  required?: boolean;
  type?: string;
  format?: string;
  schema?: SchemaObject;
  items?: SchemaObject;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  responses: Record<string, { schema?: SchemaObject }>;
}

interface SwaggerDoc {
  paths: Record<string, Record<string, Operation>>;
  definitions: Record<string, SchemaObject>;
}

export interface MatchedOperation {
  operationId: string;
  pathParams: Record<string, string>;
  operation: Operation;
}

export interface Swagger {
  /** The operation for a method and path; a violation when the spec has none. */
  match(method: string, path: string): MatchedOperation;
  /** Checks the query string and body of a request for `op`. */
  checkRequest(op: MatchedOperation, query: URLSearchParams, body: unknown): void;
  /** Checks a 200 answer of `op` (or one line of a stream) against the spec. */
  checkResponse(op: MatchedOperation, body: unknown): void;
}

const INT_FORMATS = new Set(['int64', 'uint64']);

export function loadSwagger(file: string): Swagger {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as SwaggerDoc;
  const templates = Object.keys(doc.paths).map((template) => {
    const names: string[] = [];
    const pattern = template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      names.push(name.split('=')[0]!);
      return '([^/]+)';
    });
    return { template, names, regex: new RegExp(`^${pattern}$`) };
  });
  // A literal path (/v1/invoices/subscribe) wins over a template that also matches it.
  templates.sort((a, b) => a.names.length - b.names.length);

  function resolve(schema: SchemaObject): SchemaObject {
    if (!schema.$ref) return schema;
    const name = schema.$ref.replace('#/definitions/', '');
    const found = doc.definitions[name];
    if (!found) throw new Error(`the spec has no definition ${name}`);
    return found;
  }

  function check(value: unknown, schema: SchemaObject, at: string): void {
    const s = resolve(schema);
    if (s.enum) {
      if (typeof value !== 'string' || !s.enum.includes(value)) {
        throw new SpecViolation(`${at}: ${JSON.stringify(value)} is not one of ${s.enum.join(', ')}`);
      }
      return;
    }
    const type = s.type ?? (s.properties ? 'object' : 'any');
    switch (type) {
      case 'string':
        if (typeof value !== 'string')
          throw new SpecViolation(`${at}: expected a string, got ${typeof value}`);
        if (s.format && INT_FORMATS.has(s.format) && !/^-?\d+$/.test(value)) {
          throw new SpecViolation(
            `${at}: expected a decimal ${s.format} string, got ${JSON.stringify(value)}`,
          );
        }
        if (s.format === 'byte' && !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) {
          throw new SpecViolation(`${at}: expected base64 bytes`);
        }
        return;
      case 'integer':
      case 'number':
        if (typeof value !== 'number')
          throw new SpecViolation(`${at}: expected a number, got ${typeof value}`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') throw new SpecViolation(`${at}: expected a boolean`);
        return;
      case 'array':
        if (!Array.isArray(value)) throw new SpecViolation(`${at}: expected an array`);
        value.forEach((v, i) => check(v, s.items ?? {}, `${at}[${i}]`));
        return;
      case 'object': {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          throw new SpecViolation(`${at}: expected an object`);
        }
        for (const [key, v] of Object.entries(value)) {
          const prop = s.properties?.[key];
          if (prop) check(v, prop, `${at}.${key}`);
          else if (typeof s.additionalProperties === 'object')
            check(v, s.additionalProperties, `${at}.${key}`);
          else throw new SpecViolation(`${at}: field "${key}" is not in the spec`);
        }
        return;
      }
      default:
        // 'any' (no type in the spec, e.g. protobuf Any) or a type this reader does not check.
        return;
    }
  }

  function checkQueryValue(p: Parameter, raw: string): void {
    const at = `query ${p.name}`;
    if (p.type === 'boolean' && raw !== 'true' && raw !== 'false') {
      throw new SpecViolation(`${at}: expected true or false, got ${raw}`);
    }
    if ((p.type === 'integer' || (p.format && INT_FORMATS.has(p.format))) && !/^-?\d+$/.test(raw)) {
      throw new SpecViolation(`${at}: expected an integer, got ${raw}`);
    }
  }

  return {
    match(method, path) {
      for (const t of templates) {
        const m = t.regex.exec(path);
        if (!m) continue;
        const operation = doc.paths[t.template]![method.toLowerCase()];
        if (!operation) throw new SpecViolation(`${method} is not an operation on ${t.template}`);
        const pathParams = Object.fromEntries(t.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
        return { operationId: operation.operationId, pathParams, operation };
      }
      throw new SpecViolation(`no such path in the spec: ${path}`);
    },
    checkRequest(op, query, body) {
      const params = op.operation.parameters ?? [];
      for (const [name, raw] of query) {
        const p = params.find((x) => x.in === 'query' && x.name === name);
        if (!p) throw new SpecViolation(`query parameter "${name}" is not in the spec of ${op.operationId}`);
        checkQueryValue(p, raw);
      }
      const bodyParam = params.find((p) => p.in === 'body');
      if (!bodyParam) {
        if (body !== undefined) throw new SpecViolation(`${op.operationId} takes no body`);
        return;
      }
      if (body === undefined) {
        if (bodyParam.required) throw new SpecViolation(`${op.operationId} needs a body`);
        return;
      }
      check(body, bodyParam.schema ?? {}, 'body');
    },
    checkResponse(op, body) {
      const schema = op.operation.responses['200']?.schema;
      if (!schema) throw new SpecViolation(`${op.operationId} has no 200 response in the spec`);
      check(body, schema, `${op.operationId} response`);
    },
  };
}
