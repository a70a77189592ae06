import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { MAX_LENGTH } from '../domain/limits.js';
import { commands } from './index.js';
import { fromWire, toWire } from './wire.js';

/** Every string field of a schema, by path, with the longest value it accepts (null: unbounded). */
function stringFields(schema: z.ZodType, path = ''): [string, number | null][] {
  const def = schema._zod.def as unknown as {
    type: string;
    shape?: Record<string, z.ZodType>;
    innerType?: z.ZodType;
    options?: z.ZodType[];
    in?: z.ZodType;
  };
  const s = schema as unknown as { shape: Record<string, z.ZodType>; maxLength: number | null };
  switch (def.type) {
    case 'string':
      return [[path, s.maxLength]];
    case 'object':
      return Object.entries(s.shape).flatMap(([k, v]) => stringFields(v, `${path}.${k}`));
    case 'optional':
    case 'default':
    case 'nullable':
      return stringFields(def.innerType!, path);
    case 'union':
      return def.options!.flatMap((o, i) => stringFields(o, `${path}|${i}`));
    case 'pipe':
      return stringFields(def.in!, path);
    default:
      return [];
  }
}

describe('the contract refuses oversized input before any handler sees it', () => {
  it('caps every string of every command input', () => {
    const longest = Math.max(...Object.values(MAX_LENGTH));
    for (const [name, command] of Object.entries(commands)) {
      for (const [path, max] of stringFields(command.input)) {
        expect(max, `${name}${path}`).not.toBeNull();
        expect(max!, `${name}${path}`).toBeLessThanOrEqual(longest);
      }
    }
    expect(stringFields(commands.removeLine.input)).toEqual([['.lineId', MAX_LENGTH.id]]);
  });

  it('says once, not twice, what is wrong with an overlong formatted field', () => {
    const long = commands.updateSettings.input.safeParse({ currency: 'US dollars' });
    expect(long.error?.issues.map((i) => i.message)).toEqual([
      'Currency must be a three-letter ISO code such as USD',
    ]);
    expect(commands.listSales.input.safeParse({ day: '2026-11-27T00:00' }).error?.issues).toHaveLength(1);
  });

  it('turns only a plausible amount back into a bigint', () => {
    expect(fromWire(toWire({ msat: 10n ** 30n }))).toEqual({ msat: 10n ** 30n });
    const huge = `{"amount":{"$bigint":"${'9'.repeat(100_000)}"}}`;
    expect(fromWire(huge)).toEqual({ amount: { $bigint: '9'.repeat(100_000) } });
  });
});
