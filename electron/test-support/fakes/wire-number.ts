/**
 * msat as a JS number, for the fakes of services whose wire carries it as a JSON number (NIP-47
 * and LNbits amounts): the one place test code turns money into a number. Refuses what a number
 * cannot hold exactly (above 2^53 − 1) and negative amounts, rather than rounding silently.
 * Product code never needs it: the till keeps msat as bigint and parses wire numbers exactly.
 */
export function msatToJsonNumber(msat: bigint): number {
  if (msat < 0n) throw new RangeError(`${msat} msat is negative: an amount on the wire is never below zero`);
  if (msat > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${msat} msat is more than a JSON number holds exactly (2^53 − 1)`);
  }
  return Number(msat);
}
