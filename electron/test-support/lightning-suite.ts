import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../shared/domain/index.js';
import {
  BackendError,
  type Invoice,
  type LightningBackend,
  type Settlement,
  type Subscription,
} from '../lightning/backend.js';
import { decodeInvoice } from '../lightning/bolt11/decode.js';

/**
 * One contract every Lightning backend passes: the demo node, and LND, Core Lightning, NWC
 * and LNbits each against an in-process fake of its server that checks every request
 * against the published spec. A backend is only as good as this suite says.
 */

export interface BackendClock {
  now(): Date;
  advance(ms: number): void;
}

/** Server-side trouble a real node can cause; the demo node has no server, so no faults. */
export interface ServerFaults {
  /** The node restarts: every open connection and stream is cut; new ones are accepted. */
  dropConnections(): Promise<void>;
  /** A backend for the same server whose credentials the server refuses. */
  badCredentials(): LightningBackend;
  /**
   * From now on, answers to requests (not already-open streams) are: `malformed` — well-formed
   * JSON of the wrong shape; `truncated` — cut off mid-body; `hang` — never answered;
   * null — normal again.
   */
  misbehave(mode: 'malformed' | 'truncated' | 'hang' | null): void;
  /** From now on the node ignores a description hash asked for and writes a plain `d`. */
  ignoreDescriptionHash(): void;
}

export interface BackendHarness {
  /** Connected with good credentials; its requests time out after `timeoutMs`. */
  backend: LightningBackend;
  /** The clock both the fake server and the backend read. */
  clock: BackendClock;
  /** A wallet pays this invoice, out of band (as a customer would). Works after expiry too. */
  pay(paymentHash: string): Promise<void>;
  faults: ServerFaults | null;
  /**
   * The node hashes the description itself and cannot commit to a bare hash (Core Lightning's
   * deschashonly): a request with only `descriptionHash` is Rejected.
   */
  hashNeedsText?: boolean;
  /** Stops the backend and the fake; fails the test if the fake saw a request outside the spec. */
  close(): Promise<void>;
}

export type MakeHarness = (opts: { timeoutMs: number }) => Promise<BackendHarness>;

// Long enough for a busy CI machine (a fake that hangs is waited for this long).
const TIMEOUT_MS = 1_500;

/** Records what a subscription reports; the waiters resolve once a condition holds. */
export function watchSettlements(backend: LightningBackend, fromCursor: string) {
  const settlements: Settlement[] = [];
  const states: [ConnectionState, string | null][] = [];
  const waiters: { ready: () => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.ready()) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const wait = (what: string, ready: () => boolean, ms = 5_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for ${what}; saw ${settlements.length} settlements, states ${JSON.stringify(states)}`,
            ),
          ),
        ms,
      );
      waiters.push({
        ready,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      check();
    });
  const subscription: Subscription = backend.subscribeSettlements({
    fromCursor,
    onSettlement: (s) => {
      settlements.push(s);
      check();
    },
    onState: (state, message) => {
      states.push([state, message]);
      check();
    },
  });
  return {
    settlements,
    states,
    subscription,
    until: (n: number) => wait(`${n} settlements`, () => settlements.length >= n),
    connected: () => wait('connected', () => states.some(([s]) => s === 'connected')),
    disconnected: () => wait('disconnected', () => states.some(([s]) => s === 'disconnected')),
  };
}

/**
 * `server: false` only for the demo node, which runs in-process: it has no credentials,
 * no wire format and no connection to lose, so the misbehaving-server cases do not apply.
 */
export function describeLightningBackend(name: string, make: MakeHarness, opts = { server: true }): void {
  describe(`${name}: the Lightning backend contract`, () => {
    let h: BackendHarness;
    const watching: Subscription[] = [];

    function watch(fromCursor: string) {
      const w = watchSettlements(h.backend, fromCursor);
      watching.push(w.subscription);
      return w;
    }

    async function invoice(amountMsat: bigint, description: string, expirySec = 600): Promise<Invoice> {
      return h.backend.createInvoice({ amountMsat, description, expirySec });
    }

    beforeEach(async () => {
      h = await make({ timeoutMs: TIMEOUT_MS });
    });

    afterEach(async () => {
      for (const s of watching.splice(0)) s.close();
      await h.close();
    });

    it('describes the node: alias, network, and what its credential may do', async () => {
      const info = await h.backend.getInfo();
      expect(info.alias.length).toBeGreaterThan(0);
      expect(info.pubkey).toMatch(/^[0-9a-f]{64,66}$/);
      expect(['mainnet', 'testnet', 'signet', 'regtest']).toContain(info.network);
      expect(info.permissions).toMatchObject({ createInvoices: true, readInvoices: true });
      expect(typeof info.permissions.sendPayments).toBe('boolean');
    });

    it('creates an invoice that decodes to what was asked, on the node’s network', async () => {
      const info = await h.backend.getInfo();
      const created = await invoice(21_000_000n, 'Corner Café · sale #1', 900);
      expect(created).toMatchObject({
        amountMsat: 21_000_000n,
        description: 'Corner Café · sale #1',
        state: 'open',
        settledAt: null,
        amountPaidMsat: null,
      });
      expect(created.expiresAt.getTime() - created.createdAt.getTime()).toBe(900_000);
      expect(Math.abs(created.createdAt.getTime() - h.clock.now().getTime())).toBeLessThan(2_000);
      const decoded = decodeInvoice(created.bolt11);
      expect(decoded).toMatchObject({
        paymentHash: created.paymentHash,
        amountMsat: 21_000_000n,
        network: info.network,
      });
    });

    it('looks an invoice up by payment hash, and knows when it does not know one', async () => {
      const created = await invoice(5_000n, 'looked up');
      expect(await h.backend.lookupInvoice(created.paymentHash)).toEqual(created);
      expect(await h.backend.lookupInvoice('ab'.repeat(32))).toBeNull();
    });

    it('reports a settlement to a live subscription, and the lookup agrees', async () => {
      const start = await h.backend.latestCursor();
      const live = watch(start);
      await live.connected();
      const created = await invoice(42_000n, 'paid live');
      await h.pay(created.paymentHash);
      await live.until(1);
      const [settlement] = live.settlements;
      expect(settlement!.invoice).toMatchObject({
        paymentHash: created.paymentHash,
        state: 'settled',
        amountPaidMsat: 42_000n,
      });
      expect(settlement!.invoice.settledAt).toBeInstanceOf(Date);
      expect(settlement!.cursor).not.toBe(start);
      expect(await h.backend.lookupInvoice(created.paymentHash)).toMatchObject({
        state: 'settled',
        amountPaidMsat: 42_000n,
      });
      expect(await h.backend.latestCursor()).toBe(settlement!.cursor);
    });

    it('replays, after a disconnect, exactly the settlements after the stored cursor, in order', async () => {
      const inv = [];
      for (let i = 0; i < 4; i++) inv.push(await invoice(1_000n * BigInt(i + 1), `replay #${i}`));
      const first = watch(await h.backend.latestCursor());
      await first.connected();
      await h.pay(inv[0]!.paymentHash);
      await first.until(1);
      const stored = first.settlements[0]!.cursor;

      if (opts.server) {
        await faults().dropConnections();
        await first.disconnected();
      } else {
        first.subscription.close();
      }
      // Paid while the till was not listening, out of creation order.
      h.clock.advance(1_000);
      await h.pay(inv[2]!.paymentHash);
      h.clock.advance(1_000);
      await h.pay(inv[1]!.paymentHash);

      const resumed = watch(stored);
      await resumed.until(2);
      expect(resumed.settlements.map((s) => s.invoice.paymentHash)).toEqual([
        inv[2]!.paymentHash,
        inv[1]!.paymentHash,
      ]);
      // ...then goes on live, with nothing replayed twice.
      h.clock.advance(1_000);
      await h.pay(inv[3]!.paymentHash);
      await resumed.until(3);
      expect(resumed.settlements.map((s) => s.invoice.paymentHash)).toEqual([
        inv[2]!.paymentHash,
        inv[1]!.paymentHash,
        inv[3]!.paymentHash,
      ]);
      expect(resumed.settlements.map((s) => s.invoice.amountPaidMsat)).toEqual([3_000n, 2_000n, 4_000n]);
    });

    it('shows an invoice as expired, and still reports a payment that arrives after expiry', async () => {
      const live = watch(await h.backend.latestCursor());
      await live.connected();
      const created = await invoice(21_000n, 'slow wallet', 60);
      h.clock.advance(61_000);
      expect((await h.backend.lookupInvoice(created.paymentHash))?.state).toBe('expired');
      await h.pay(created.paymentHash);
      await live.until(1);
      const late = live.settlements[0]!.invoice;
      expect(late).toMatchObject({ paymentHash: created.paymentHash, state: 'settled' });
      expect(late.settledAt!.getTime()).toBeGreaterThan(created.expiresAt.getTime());
    });

    it('lists the invoices created in [from, to) page by page, each once, oldest first', async () => {
      h.clock.advance(10_000);
      const from = h.clock.now();
      const made: Invoice[] = [];
      // Whole sats: LNbits cannot invoice a fraction of a sat (the till never asks for one).
      for (let i = 0; i < 5; i++) {
        made.push(await invoice(1_000n * BigInt(i + 1), `listed #${i}`));
        h.clock.advance(2_000);
      }
      const to = h.clock.now();
      h.clock.advance(2_000);
      await invoice(9_000n, 'after the range');

      const seen: Invoice[] = [];
      let pageToken: string | null = null;
      let pages = 0;
      do {
        const page = await h.backend.listInvoices({ from, to, pageToken, limit: 2 });
        expect(page.invoices.length).toBeLessThanOrEqual(2);
        seen.push(...page.invoices);
        pageToken = page.nextPageToken;
      } while (pageToken !== null && ++pages < 10);
      expect(seen.map((i) => i.paymentHash)).toEqual(made.map((i) => i.paymentHash));
    });

    describe('an invoice committing to a description hash (LUD-06 metadata)', () => {
      // Longer than a BOLT11 `d` holds: only its hash goes in the invoice.
      const metadata = JSON.stringify([
        ['text/plain', 'Corner Café · sale #7'],
        ['text/long-desc', `Sale 7 at till 1, offline payment 0a1b. ${'Merci beaucoup ☕ '.repeat(40)}`],
      ]);
      const hash = createHash('sha256').update(metadata, 'utf8').digest('hex');

      it('commits to the hash of the text, given with its hash or alone, and looks up as made', async () => {
        for (const asked of [
          { descriptionHash: hash, hashedDescription: metadata },
          { hashedDescription: metadata },
        ]) {
          const created = await h.backend.createInvoice({
            amountMsat: 21_000_000n,
            description: 'Offline sale 7',
            expirySec: 600,
            till: 'till-1',
            ...asked,
          });
          const decoded = decodeInvoice(created.bolt11);
          expect(decoded).toMatchObject({
            descriptionHash: hash,
            description: null,
            amountMsat: 21_000_000n,
          });
          const found = await h.backend.lookupInvoice(created.paymentHash);
          expect(found).toMatchObject({
            paymentHash: created.paymentHash,
            bolt11: created.bolt11,
            state: 'open',
          });
        }
      });

      it('commits to a bare hash where the node can, and says so where it needs the text', async () => {
        const attempt = h.backend.createInvoice({
          amountMsat: 21_000n,
          description: 'Offline sale 8',
          expirySec: 600,
          descriptionHash: hash,
        });
        if (h.hashNeedsText) {
          await expect(attempt).rejects.toMatchObject({ kind: 'Rejected', message: /description text/ });
        } else {
          expect(decodeInvoice((await attempt).bolt11).descriptionHash).toBe(hash);
        }
      });

      it('refuses, before asking the node, a hash that is not of the text or not a hash', async () => {
        for (const bad of [
          { descriptionHash: 'ab'.repeat(32), hashedDescription: metadata },
          { descriptionHash: hash.toUpperCase(), hashedDescription: metadata },
          { descriptionHash: hash.slice(2) },
          { hashedDescription: 'half a character \uD800' },
        ]) {
          await expect(
            h.backend.createInvoice({ amountMsat: 21_000n, description: 'x', expirySec: 600, ...bad }),
          ).rejects.toMatchObject({ kind: 'Rejected' });
        }
      });
    });

    it('rejects an invoice it cannot make as Rejected, without a stack trace in the message', async () => {
      const attempt = invoice(0n, 'nothing');
      await expect(attempt).rejects.toBeInstanceOf(BackendError);
      await expect(attempt).rejects.toMatchObject({ kind: 'Rejected' });
      await expect(attempt).rejects.not.toThrow(/\n\s+at /);
      // Every backend refuses the same bad requests the same way, before asking its node.
      for (const [amount, description, expiry] of [
        [1_000n, 'no lifetime', 0],
        [1_000n, 'too long a lifetime', 31_536_001],
        [1_000n, 'half a character \uD800', 600],
        [1_000n, 'x'.repeat(640), 600],
        [21_000_000n * 100_000_000_000n + 1n, 'more than there is', 600],
      ] as const) {
        await expect(invoice(amount, description, expiry)).rejects.toMatchObject({ kind: 'Rejected' });
      }
    });

    it('refuses work once closed', async () => {
      await h.backend.close();
      await expect(h.backend.getInfo()).rejects.toMatchObject({ kind: 'Unreachable' });
    });

    function faults(): ServerFaults {
      if (!h.faults) throw new Error(`${name}'s harness has no server faults but was declared a server`);
      return h.faults;
    }

    if (!opts.server) return;

    describe('when the server misbehaves', () => {
      it('names bad credentials as NotAuthorized', async () => {
        const stranger = faults().badCredentials();
        try {
          await expect(stranger.getInfo()).rejects.toMatchObject({ kind: 'NotAuthorized' });
          await expect(
            stranger.createInvoice({ amountMsat: 1_000n, description: 'x', expirySec: 60 }),
          ).rejects.toMatchObject({ kind: 'NotAuthorized' });
        } finally {
          await stranger.close();
        }
      });

      it.each(['malformed', 'truncated'] as const)('names a %s answer as BadResponse', async (mode) => {
        faults().misbehave(mode);
        await expect(h.backend.getInfo()).rejects.toMatchObject({ kind: 'BadResponse' });
        await expect(invoice(1_000n, 'x')).rejects.toMatchObject({ kind: 'BadResponse' });
        await expect(h.backend.lookupInvoice('ab'.repeat(32))).rejects.toMatchObject({
          kind: 'BadResponse',
        });
        faults().misbehave(null);
        await expect(h.backend.getInfo()).resolves.toMatchObject({ permissions: { createInvoices: true } });
      });

      it('refuses an invoice from a node that ignored the description hash (BadResponse, in words)', async () => {
        faults().ignoreDescriptionHash();
        const metadata = '[["text/plain","Sale 9"]]';
        const attempt = h.backend.createInvoice({
          amountMsat: 21_000n,
          description: 'Offline sale 9',
          expirySec: 600,
          hashedDescription: metadata,
          descriptionHash: createHash('sha256').update(metadata, 'utf8').digest('hex'),
        });
        await expect(attempt).rejects.toMatchObject({ kind: 'BadResponse', message: /does not commit/ });
        // A plain invoice from the same node is still fine.
        await expect(invoice(1_000n, 'plain')).resolves.toMatchObject({ state: 'open' });
      });

      it('gives up on a server that hangs, as Timeout, and works again when it answers', async () => {
        faults().misbehave('hang');
        const started = Date.now();
        await expect(invoice(1_000n, 'x')).rejects.toMatchObject({ kind: 'Timeout' });
        await expect(h.backend.lookupInvoice('ab'.repeat(32))).rejects.toMatchObject({ kind: 'Timeout' });
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 2 + 3_000);
        faults().misbehave(null);
        await expect(invoice(1_000n, 'after the hang')).resolves.toMatchObject({ state: 'open' });
      });

      it('reports a dropped connection as disconnected, once, and ends the subscription', async () => {
        const live = watch(await h.backend.latestCursor());
        await live.connected();
        await faults().dropConnections();
        await live.disconnected();
        expect(live.states.filter(([s]) => s === 'disconnected')).toHaveLength(1);
        const [, message] = live.states.find(([s]) => s === 'disconnected')!;
        expect(message).toBeTruthy();
        expect(message).not.toMatch(/\n\s+at /);
      });
    });
  });
}
