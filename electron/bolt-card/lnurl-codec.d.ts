/**
 * The bech32 codec of chill117's `lnurl` (0.27, CommonJS, no types of its own). The till loads
 * these two files rather than the package's index, which also loads its server (express, the
 * Lightning backends) — a second of start-up for two pure functions.
 */
declare module 'lnurl/lib/decode.js' {
  /** LUD-01: an LNURL1… string to the URL it encodes; throws on a bad checksum or length. */
  export default function decode(encoded: string): string;
}
declare module 'lnurl/lib/encode.js' {
  /** LUD-01: a URL to its LNURL1… string (upper case is the caller's choice). */
  export default function encode(url: string): string;
}
