import { randomBytes } from 'node:crypto';
import bolt11 from 'bolt11';
import { SpecViolation, startHttpFake, type HttpFake } from './http-fake.js';

/**
 * A Bolt Card's LNURL-withdraw service (LUD-03, reached through LUD-17 `lnurlw://` links), in
 * process on 127.0.0.1, written from the spec: a tap's one-time `p`/`c` parameters are good
 * once; the withdraw request's `k1` is good once and for `k1TtlMs`; the callback checks the
 * invoice against the limits, answers OK, and then pays it (LUD-03 step 6: asynchronously)
 * through `pay` — the demo node in tests. Requests off the spec are SpecViolations.
 */

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };

/** BOLT11 on mainnet, testnet or (the demo node's) regtest. */
function decodeInvoice(pr: string): bolt11.PaymentRequestObject {
  return pr.toLowerCase().startsWith('lnbcrt') ? bolt11.decode(pr, REGTEST) : bolt11.decode(pr);
}

export interface BoltCardServiceOptions {
  /** Pays the till's invoice, after the callback answered OK. */
  pay: (bolt11: string) => Promise<void>;
  minWithdrawableMsat?: bigint;
  maxWithdrawableMsat?: bigint;
  /** How long a k1 is good for. */
  k1TtlMs?: number;
  now?: () => number;
}

export interface BoltCardService {
  /** http://127.0.0.1:port */
  url: string;
  http: HttpFake;
  /** What a card holds after a fresh tap: `lnurlw://127.0.0.1:port/ln?p=…&c=…`. */
  tap(): string;
  /** Withdraw requests wait from now until the returned function is called (a slow service). */
  hold(): () => void;
  /** The callback's answer from now on: null pays, a string declines with that reason. */
  declineWith(reason: string | null): void;
  /** Invoices the service accepted (in order) and those it paid. */
  accepted: string[];
  paid: string[];
  /** Resolves once `n` invoices were paid. */
  paidCount(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startBoltCardService(opts: BoltCardServiceOptions): Promise<BoltCardService> {
  const now = opts.now ?? Date.now;
  const ttl = opts.k1TtlMs ?? 60_000;
  const min = opts.minWithdrawableMsat ?? 1_000n;
  const max = opts.maxWithdrawableMsat ?? 100_000_000_000n;
  const taps = new Map<string, 'fresh' | 'used'>();
  const k1s = new Map<string, { issuedAt: number; used: boolean }>();
  let decline: string | null = null;
  let held: Promise<void> | null = null;
  const accepted: string[] = [];
  const paid: string[] = [];
  const waiters: (() => void)[] = [];
  const error = (reason: string) => ({ status: 200, body: { status: 'ERROR', reason } });
  let base = '';

  const fake = await startHttpFake('Bolt Card service', async (req) => {
    if (held) await held;
    if (req.method !== 'GET') throw new SpecViolation(`LUD-03 uses GET, not ${req.method}`);
    if (req.path === '/ln') {
      const keys = [...req.query.keys()].sort().join(',');
      if (keys !== 'c,p') throw new SpecViolation(`a card's link carries p and c only, got ${keys}`);
      const tap = `${req.query.get('p')}:${req.query.get('c')}`;
      const state = taps.get(tap);
      if (state === undefined) return error('Unknown card');
      if (state === 'used') return error('This tap was already used: tap the card again');
      taps.set(tap, 'used');
      const k1 = randomBytes(32).toString('hex');
      k1s.set(k1, { issuedAt: now(), used: false });
      return {
        status: 200,
        body: {
          tag: 'withdrawRequest',
          callback: `${base}/cb`,
          k1,
          defaultDescription: 'Bolt Card payment',
          minWithdrawable: Number(min),
          maxWithdrawable: Number(max),
        },
      };
    }
    if (req.path === '/cb') {
      const keys = [...req.query.keys()].sort().join(',');
      if (keys !== 'k1,pr') throw new SpecViolation(`LUD-03's callback carries k1 and pr, got ${keys}`);
      const k1 = req.query.get('k1') ?? '';
      const pr = req.query.get('pr') ?? '';
      let amount: bigint;
      try {
        amount = BigInt(decodeInvoice(pr).millisatoshis ?? '0');
      } catch {
        throw new SpecViolation('pr is not a BOLT11 invoice');
      }
      const entry = k1s.get(k1);
      if (!entry) return error('Unknown k1');
      if (entry.used) return error('This withdraw link was already used');
      if (now() - entry.issuedAt > ttl) return error('The withdraw link expired');
      if (amount < min || amount > max) return error('Amount out of the card’s limits');
      if (decline !== null) return error(decline);
      entry.used = true;
      accepted.push(pr);
      // LUD-03 step 6: answer first, then pay.
      setImmediate(() => {
        void opts.pay(pr).then(() => {
          paid.push(pr);
          for (const w of waiters.splice(0)) w();
        });
      });
      return { status: 200, body: { status: 'OK' } };
    }
    throw new SpecViolation(`no such route ${req.path}`);
  });
  base = fake.url;
  const port = new URL(fake.url).port;

  return {
    url: fake.url,
    http: fake,
    tap() {
      const p = randomBytes(16).toString('hex').toUpperCase();
      const c = randomBytes(8).toString('hex').toUpperCase();
      taps.set(`${p}:${c}`, 'fresh');
      return `lnurlw://127.0.0.1:${port}/ln?p=${p}&c=${c}`;
    },
    hold() {
      let release!: () => void;
      held = new Promise<void>((resolve) => (release = resolve));
      return () => {
        held = null;
        release();
      };
    },
    declineWith(reason) {
      decline = reason;
    },
    accepted,
    paid,
    async paidCount(n) {
      while (paid.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    close: () => fake.close(),
  };
}
