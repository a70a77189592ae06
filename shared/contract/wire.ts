/**
 * The one wire format of the contract, for the web host's socket and Electron IPC alike (one
 * codec, so both hosts carry exactly the same values). JSON has no bigint, so money travels
 * as {"$bigint": "123"} and is revived on the other side.
 */
export function toWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v));
}

export function fromWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const big = (v as { $bigint?: unknown }).$bigint;
      // 40 digits is far past any amount (10^12 sat is 16); a megabyte of digits would cost
      // the host a fifth of a second to parse, so it stays an object and the schema refuses it.
      if (keys.length === 1 && typeof big === 'string' && /^-?\d{1,40}$/.test(big)) return BigInt(big);
    }
    return v;
  });
}
