import { TillError } from '../../shared/contract/index.js';
import type { OfflineKey } from '../../shared/offline-pay/index.js';
import {
  KEY_ID_HEADER,
  MAX_STATUS_NONCES,
  SIGNATURE_HEADER,
  STATUS_PATH,
  readStatusResponse,
  signStatusRequest,
  type NonceStatus,
} from '../../shared/offline-pay/status.js';
import type { OfflineProof } from './proof.js';

/**
 * The till's client of the companion server's proof endpoint (`POST /offline/status`,
 * shared/offline-pay/status.ts): nonces asked in batches the server takes, each request signed
 * with the shared key and each answer read only if it is signed for that request. The current
 * key asks first; a companion that refuses it (still on the old key during a rotation) is asked
 * with the previous one. Every failure is a TillError a manager can act on; nothing is trusted
 * from an answer that is not the key's.
 */

export interface CompanionClientOptions {
  /** The companion's base URL (checked when saved: https, or http to a LAN/loopback/onion host). */
  serverUrl: string;
  /** Current key first, then the previous one during a rotation. */
  keys: readonly OfflineKey[];
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** An answer larger than this is not the companion's (500 nonces take ~150 kB). */
const MAX_ANSWER_BYTES = 1 << 20;

function unavailable(message: string): TillError {
  return new TillError('BackendUnavailable', message);
}

async function readCapped(res: Response): Promise<string> {
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > MAX_ANSWER_BYTES)
    throw unavailable('The companion server’s answer is too large to be its own.');
  const text = await res.text();
  if (text.length > MAX_ANSWER_BYTES)
    throw unavailable('The companion server’s answer is too large to be its own.');
  return text;
}

export function companionProof(opts: CompanionClientOptions): OfflineProof {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const url = new URL(STATUS_PATH, opts.serverUrl.endsWith('/') ? opts.serverUrl : `${opts.serverUrl}/`);
  const where = url.host;

  async function ask(key: OfflineKey, body: string): Promise<{ refused: true } | Map<string, NonceStatus>> {
    const signature = signStatusRequest(key, body);
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [KEY_ID_HEADER]: key.id,
          [SIGNATURE_HEADER]: signature,
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw unavailable(
        timedOut
          ? `The companion server at ${where} did not answer in ${Math.max(1, Math.round(timeoutMs / 1000))} s: offline payments stay to be confirmed; the till asks again later.`
          : `The companion server at ${where} cannot be reached: offline payments stay to be confirmed; the till asks again once it is online.`,
      );
    }
    const text = await readCapped(res);
    if (res.status === 403) return { refused: true };
    if (res.status !== 200) {
      let reason = '';
      try {
        const r = (JSON.parse(text) as { reason?: unknown }).reason;
        if (typeof r === 'string') reason = ` It says: “${r.slice(0, 200)}”`;
      } catch {
        // not JSON: no reason to quote
      }
      throw unavailable(`The companion server at ${where} answered ${res.status}.${reason}`);
    }
    const answer = readStatusResponse(key, signature, text, res.headers.get(SIGNATURE_HEADER));
    if (answer === null)
      throw unavailable(
        `The answer from ${where} is not signed with the till’s key: check the companion server’s address in Settings → Offline Lightning.`,
      );
    return new Map(Object.entries(answer.results));
  }

  return {
    async status(nonces) {
      if (opts.keys.length === 0)
        throw new TillError('InvalidState', 'No offline key is set: Settings → Offline Lightning.');
      const out = new Map<string, NonceStatus>();
      for (let i = 0; i < nonces.length; i += MAX_STATUS_NONCES) {
        const batch = nonces.slice(i, i + MAX_STATUS_NONCES);
        const body = JSON.stringify({ nonces: batch });
        let answered: Map<string, NonceStatus> | null = null;
        for (const key of opts.keys) {
          const a = await ask(key, body);
          if (!('refused' in a)) {
            answered = a;
            break;
          }
        }
        if (answered === null)
          throw unavailable(
            `The companion server at ${where} refuses the till’s key: give it the key shown in Settings → Offline Lightning.`,
          );
        for (const n of batch) out.set(n, answered.get(n) ?? { state: 'unknown' });
      }
      return out;
    },
  };
}
