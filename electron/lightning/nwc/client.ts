import * as nip04 from 'nostr-tools/nip04';
import * as nip44 from 'nostr-tools/nip44';
import { finalizeEvent, getPublicKey, type Event } from 'nostr-tools/pure';
import { z } from 'zod';
import { BackendError } from '../backend.js';
import type { NwcConfig } from './config.js';
import { createRelayPool, type Relay } from './relays.js';
import { toJsonExact } from '../../../shared/money/index.js';

/**
 * The NIP-47 wire (../shared/contracts/nostr/nip-47.md): encrypted kind 23194 requests, the
 * kind 23195 response that names the request in its `e` tag, notifications (23197 NIP-44,
 * 23196 NIP-04), and the kind 13194 info event that says which encryption the wallet speaks.
 * Sent to every relay of the connection; the first valid answer from any of them counts.
 */

export const KIND = {
  info: 13194,
  request: 23194,
  response: 23195,
  notification: 23197,
  notificationNip04: 23196,
};

export type Encryption = 'nip44_v2' | 'nip04';

export interface WalletInfo {
  encryption: Encryption;
  /** The info event's capabilities (its content); empty when the wallet published none. */
  capabilities: string[];
}

export type WalletReply = { ok: true; result: unknown } | { ok: false; code: string; message: string };

export interface NotificationHandlers {
  /** Subscribed on at least one relay, which has sent everything it stored (EOSE). */
  onReady(): void;
  /** A notification's decrypted JSON, not yet checked for shape. */
  onNotification(payload: unknown): void;
  /** Every relay dropped, or a notification could not be read; nothing follows. */
  onLost(message: string): void;
}

export interface NwcClient {
  readonly clientPubkey: string;
  walletInfo(): Promise<WalletInfo>;
  request(method: string, params: Record<string, unknown>): Promise<WalletReply>;
  notifications(handlers: NotificationHandlers): { close(): void };
  close(): void;
}

const Envelope = z.object({
  result_type: z.string(),
  error: z.object({ code: z.string(), message: z.string().nullish() }).nullish(),
  result: z.unknown().optional(),
});

/** One line, of bounded length: a wallet's message goes into a cashier-facing error. */
export function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

function describe(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err));
}

function tag(event: Event, name: string): string | undefined {
  return event.tags.find((t) => t[0] === name)?.[1];
}

/** NIP-47 Encryption: nip44_v2 when the wallet offers it; no `encryption` tag means NIP-04 only. */
function chooseEncryption(info: Event | null): Encryption {
  const offered = info ? tag(info, 'encryption') : undefined;
  if (offered === undefined) return 'nip04';
  const schemes = offered.split(/\s+/);
  if (schemes.includes('nip44_v2')) return 'nip44_v2';
  if (schemes.includes('nip04')) return 'nip04';
  throw new BackendError(
    'Rejected',
    `The wallet offers only encryption the till does not speak (${oneLine(offered)}).`,
  );
}

export function createNwcClient(config: NwcConfig, timeoutMs: number): NwcClient {
  const pool = createRelayPool(config.relays);
  const wallet = config.walletPubkey;
  const secret = config.secretKey;
  const me = getPublicKey(secret);
  const conversationKey = nip44.v2.utils.getConversationKey(secret, wallet);
  const aborts = new Set<(err: BackendError) => void>();
  let info: Promise<WalletInfo> | null = null;
  let closed = false;

  const encrypt = (text: string, scheme: Encryption) =>
    scheme === 'nip44_v2' ? nip44.v2.encrypt(text, conversationKey) : nip04.encrypt(secret, wallet, text);
  const decrypt = (text: string, scheme: Encryption) =>
    scheme === 'nip44_v2' ? nip44.v2.decrypt(text, conversationKey) : nip04.decrypt(secret, wallet, text);

  function assertOpen(): void {
    if (closed) throw new BackendError('Unreachable', 'The wallet connection is closed.');
  }

  /** Reads the newest info event from every relay that answers within the timeout. */
  async function fetchInfo(): Promise<WalletInfo> {
    const relays = await pool.connect(timeoutMs);
    const newest = await new Promise<Event | null>((resolve, reject) => {
      let best: Event | null = null;
      let pending = relays.length;
      let answered = 0;
      const closers: (() => void)[] = [];
      const finish = () => {
        clearTimeout(timer);
        for (const close of closers) close();
        if (answered > 0) resolve(best);
        else reject(new BackendError('Unreachable', "The wallet's relays dropped before answering."));
      };
      const timer = setTimeout(() => {
        if (answered > 0) finish();
        else {
          for (const close of closers) close();
          reject(new BackendError('Timeout', "The wallet's relays did not answer within the time allowed."));
        }
      }, timeoutMs);
      for (const relay of relays) {
        let done = false;
        const settle = (eose: boolean) => {
          if (done) return;
          done = true;
          if (eose) answered++;
          if (--pending === 0) finish();
        };
        closers.push(
          relay.subscribe(
            { kinds: [KIND.info], authors: [wallet], limit: 1 },
            {
              onEvent: (event) => {
                if (event.kind !== KIND.info || event.pubkey !== wallet) return;
                if (!best || event.created_at > best.created_at) best = event;
              },
              onEose: () => settle(true),
              onClosed: () => settle(false),
            },
          ),
        );
      }
    });
    return {
      encryption: chooseEncryption(newest),
      capabilities: newest ? newest.content.split(/\s+/).filter((c) => c !== '') : [],
    };
  }

  function walletInfo(): Promise<WalletInfo> {
    assertOpen();
    if (!info) {
      const fetching = fetchInfo();
      info = fetching;
      // A failed read is not remembered: the next request asks the relays again.
      fetching.catch(() => {
        if (info === fetching) info = null;
      });
    }
    return info;
  }

  function readReply(method: string, event: Event, scheme: Encryption): WalletReply {
    let text: string;
    try {
      text = decrypt(event.content, scheme);
    } catch (err) {
      throw new BackendError(
        'BadResponse',
        `The wallet's answer to ${method} cannot be decrypted (${describe(err)}).`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new BackendError('BadResponse', `The wallet's answer to ${method} is not JSON.`);
    }
    const parsed = Envelope.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BackendError(
        'BadResponse',
        `The wallet's answer to ${method} is not a NIP-47 response (${issue?.path.join('.') || 'the answer'}: ${issue?.message ?? 'unexpected shape'}).`,
      );
    }
    const { error, result_type, result } = parsed.data;
    if (error) return { ok: false, code: error.code, message: oneLine(error.message ?? '') };
    // NIP-47: "The result_type field MUST contain the name of the method that this event is responding to."
    if (result_type !== method) {
      throw new BackendError(
        'BadResponse',
        `The wallet answered ${method} with a ${oneLine(result_type)} result.`,
      );
    }
    return { ok: true, result };
  }

  /** Publishes the request everywhere and waits for the first answer; `live.done` stops late work. */
  async function exchange(
    method: string,
    params: Record<string, unknown>,
    live: { done: boolean; cleanup: (() => void)[] },
  ): Promise<WalletReply> {
    const { encryption } = await walletInfo();
    const relays = await pool.connect(timeoutMs);
    if (live.done) throw new BackendError('Timeout', 'The request was given up.');
    const request = finalizeEvent(
      {
        kind: KIND.request,
        // Relays judge created_at against real time, whatever clock the till runs invoices on.
        created_at: Math.floor(Date.now() / 1000),
        tags: [
          ['p', wallet],
          ['encryption', encryption],
        ],
        content: encrypt(toJsonExact({ method, params }), encryption),
      },
      secret,
    );
    return new Promise<WalletReply>((resolve, reject) => {
      let failed = 0;
      let refusal: string | null = null;
      const give = (reply: () => WalletReply) => {
        if (live.done) return;
        live.done = true;
        try {
          resolve(reply());
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      };
      const relayFailed = () => {
        if (++failed < relays.length || live.done) return;
        live.done = true;
        reject(
          refusal !== null
            ? new BackendError('Rejected', `The relay rejected the request: ${oneLine(refusal)}`)
            : new BackendError(
                'Unreachable',
                'Every relay of the wallet dropped before the wallet answered.',
              ),
        );
      };
      for (const relay of relays) send(relay);

      function send(relay: Relay): void {
        let out = false;
        const fail = () => {
          if (out) return;
          out = true;
          relayFailed();
        };
        live.cleanup.push(
          relay.subscribe(
            { kinds: [KIND.response], authors: [wallet], '#p': [me], '#e': [request.id] },
            {
              onEvent: (event) => {
                if (
                  event.kind !== KIND.response ||
                  event.pubkey !== wallet ||
                  tag(event, 'e') !== request.id
                ) {
                  return;
                }
                give(() => readReply(method, event, encryption));
              },
              onEose: () => undefined,
              onClosed: fail,
            },
          ),
        );
        relay.publish(request, (accepted, message) => {
          if (accepted) return;
          refusal ??= message === '' ? 'no reason given' : message;
          fail();
        });
      }
    });
  }

  async function request(method: string, params: Record<string, unknown>): Promise<WalletReply> {
    assertOpen();
    const live = { done: false, cleanup: [] as (() => void)[] };
    let timer: NodeJS.Timeout | undefined;
    let abort: ((err: BackendError) => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      abort = reject;
      timer = setTimeout(
        () =>
          reject(
            new BackendError('Timeout', `The wallet did not answer ${method} within ${timeoutMs / 1000} s.`),
          ),
        timeoutMs,
      );
    });
    aborts.add(abort!);
    const work = exchange(method, params, live);
    work.catch(() => undefined); // Lost the race to the timeout: its failure is nobody's now.
    try {
      return await Promise.race([work, stop]);
    } finally {
      live.done = true;
      clearTimeout(timer);
      aborts.delete(abort!);
      for (const close of live.cleanup) close();
    }
  }

  function notifications(handlers: NotificationHandlers): { close(): void } {
    const closers: (() => void)[] = [];
    const seen = new Set<string>();
    let ended = false;
    let ready = false;
    let active = 0;
    const stop = () => {
      ended = true;
      for (const close of closers.splice(0)) close();
    };
    const lose = (message: string) => {
      if (ended) return;
      stop();
      handlers.onLost(message);
    };

    const start = async () => {
      const { encryption } = await walletInfo();
      const relays = await pool.connect(timeoutMs);
      if (ended) return;
      // NIP-47: a wallet speaking both publishes each notification twice; listen to the one we chose.
      const kind = encryption === 'nip44_v2' ? KIND.notification : KIND.notificationNip04;
      active = relays.length;
      for (const relay of relays) {
        let out = false;
        closers.push(
          relay.subscribe(
            { kinds: [kind], authors: [wallet], '#p': [me] },
            {
              onEvent: (event) => {
                if (ended || seen.has(event.id)) return;
                if (event.kind !== kind || event.pubkey !== wallet || tag(event, 'p') !== me) return;
                seen.add(event.id);
                let payload: unknown;
                try {
                  payload = JSON.parse(decrypt(event.content, encryption));
                } catch {
                  lose('The wallet sent a notification that cannot be read; resubscribing to replay it.');
                  return;
                }
                handlers.onNotification(payload);
              },
              onEose: () => {
                if (ready || ended) return;
                ready = true;
                handlers.onReady();
              },
              onClosed: (reason) => {
                if (out) return;
                out = true;
                if (--active === 0) lose(`Lost the connection to the wallet's relays (${oneLine(reason)}).`);
              },
            },
          ),
        );
      }
    };
    start().catch((err: unknown) => lose(describe(err)));
    return { close: stop };
  }

  return {
    clientPubkey: me,
    walletInfo,
    request,
    notifications,
    close() {
      if (closed) return;
      closed = true;
      const err = new BackendError('Unreachable', 'The wallet connection is closed.');
      for (const abort of aborts) abort(err);
      aborts.clear();
      pool.close();
    },
  };
}
