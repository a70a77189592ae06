import { createHash, randomBytes } from 'node:crypto';
import lnurl from 'lnurl';
import { randomUUID } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';
import {
  DEFAULT_OFFLINE_PAY,
  OFFLINE_PIN_TRIES,
  type OfflineCharge,
  type OfflinePayInput,
  type OfflinePaySettings,
  type OfflinePaymentState,
  type OfflineProofReport,
  type RateQuote,
  type Sale,
  type Settings,
  type Tip,
  roleCovers,
} from '../../shared/domain/index.js';
import { formatFiat, invoiceMsat } from '../../shared/money/index.js';
import {
  checkOfflineKey,
  offlineNonce,
  pinMatches,
  type OfflineKey,
} from '../../shared/offline-pay/index.js';
import { clearCartLines } from '../journal/cart.js';
import type { Db } from '../journal/db.js';
import { getSale, insertSale, markSalePaid, transition } from '../journal/sales.js';
import { readMeta, readSettingValue, writeMeta, writeSettingValue } from '../journal/settings.js';
import { checkPublicUrl } from '../lnurl-withdraw/address.js';
import { currentActor } from '../staff/actor.js';
import { needsApproval } from '../staff/gate.js';
import type { SecretStore } from '../secrets/store.js';
import { enqueueOrder } from '../shopify/outbox.js';
import type { CartService } from '../checkout/cart.js';
import { checkSaleTotal } from '../checkout/limits.js';
import { companionProof, type CompanionClientOptions } from './companion-client.js';
import { signOfflineLink } from './link.js';
import { checkOfflineProofs, proofCounts, proofsPending, type OfflineProof } from './proof.js';

/**
 * Lightning with the till offline (issue 17), the till's side: the owner's settings and shared
 * key, the offline charge (a signed LNURL-pay link for the sale's sats at the last good rate,
 * journaled before its QR is shown) and the PIN the cashier types once the customer has paid.
 * Nothing here touches the network: the companion server (`npm run lnurl-server`) does that.
 */

const KEY = 'offlinePay';
const SECRET = 'offline-pay.key';
const PREVIOUS_SECRET = 'offline-pay.previous-key';
const COUNTER = 'offline_nonce_counter';
const ACTIVE_SALE = 'active_sale_id';
const LAST_PROOF = 'offline_proof_last';
/** How long the companion honours a link (the PIN is still taken after: it proves the payment). */
export const OFFLINE_LINK_TTL_SEC = 15 * 60;
const NONCE_RANDOM_BYTES = 12;

interface Stored {
  enabled: boolean;
  serverUrl: string | null;
  perSaleLimit: string;
  perDayLimit: string;
  maxRateAgeMin: number;
  alwaysOffer: boolean;
}

interface Row {
  sale_id: string;
  nonce: string;
  amount_msat: bigint;
  total: bigint;
  currency: string;
  rate: string;
  rate_source: string;
  rate_at: string;
  key_id: string;
  link: string;
  expires_at: string;
  state: OfflinePaymentState;
  pin_attempts: bigint;
}

export interface OfflinePayDeps {
  db: Db;
  now: () => Date;
  secrets: SecretStore;
  tillId: string;
  settings: () => Settings;
  /** The last good rate the till has (online sources and a manager's rate). */
  lastRate: () => RateQuote | null;
  /** True while the Lightning node answers. */
  nodeReachable: () => boolean;
  cart: CartService;
  /** After commit: a sale changed (publish it). */
  saleChanged: (sale: Sale) => void;
  queueOrders: () => boolean;
  onQueued: () => void;
  onPaidAtCounter?: (sale: Sale) => void;
  /** Tests: the nonce's random part. */
  random?: (n: number) => Uint8Array;
  /** The companion's proof endpoint (default: companionProof over HTTP). */
  proofClient?: (opts: CompanionClientOptions) => OfflineProof;
}

interface LastProof {
  at: string;
  error: string | null;
  last: OfflineProofReport['last'];
}

export type OfflinePay = ReturnType<typeof createOfflinePay>;

const fingerprint = (k: OfflineKey) => createHash('sha256').update(k.key).digest('hex').slice(0, 8);
const hint = (k: OfflineKey) => `Key ${k.id} · fingerprint ${fingerprint(k)}`;

function invalid(field: string, message: string): TillError {
  return new TillError('ValidationError', message, [{ path: field, message }]);
}

/** The UTC day's start, as the per-day limits of refunds count it. */
const dayStart = (at: Date) =>
  new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate())).toISOString();

const hhmm = (iso: string) => {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

export function createOfflinePay(deps: OfflinePayDeps) {
  const { db, now, secrets } = deps;
  const random = deps.random ?? ((n: number) => new Uint8Array(randomBytes(n)));

  function stored(): Stored {
    const s = readSettingValue(db, KEY) as Stored | null | undefined;
    return (
      s ?? {
        enabled: DEFAULT_OFFLINE_PAY.enabled,
        serverUrl: null,
        perSaleLimit: DEFAULT_OFFLINE_PAY.perSaleLimit.toString(),
        perDayLimit: DEFAULT_OFFLINE_PAY.perDayLimit.toString(),
        maxRateAgeMin: DEFAULT_OFFLINE_PAY.maxRateAgeMin,
        alwaysOffer: false,
      }
    );
  }

  function readKey(name: string): OfflineKey | null {
    const raw = secrets.get(name);
    if (raw === null) return null;
    try {
      const k = JSON.parse(raw) as OfflineKey;
      checkOfflineKey(k);
      return k;
    } catch {
      return null;
    }
  }

  function get(): OfflinePaySettings {
    const s = stored();
    const key = readKey(SECRET);
    const prev = readKey(PREVIOUS_SECRET);
    return {
      enabled: s.enabled,
      serverUrl: s.serverUrl,
      perSaleLimit: BigInt(s.perSaleLimit),
      perDayLimit: BigInt(s.perDayLimit),
      maxRateAgeMin: s.maxRateAgeMin,
      alwaysOffer: s.alwaysOffer,
      keyHint: key ? hint(key) : null,
      previousKeyHint: prev ? hint(prev) : null,
    };
  }

  function save(next: OfflinePayInput): OfflinePaySettings {
    let serverUrl: string | null = null;
    if (next.serverUrl !== null && next.serverUrl !== '') {
      try {
        serverUrl = checkPublicUrl(next.serverUrl);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw invalid('serverUrl', message.replace('withdraw server', 'companion server'));
      }
    }
    let newKey: OfflineKey | null = null;
    if (next.key && (next.key.id !== '' || next.key.key !== '')) {
      newKey = { id: next.key.id.toLowerCase(), key: next.key.key.toLowerCase() };
      try {
        checkOfflineKey(newKey);
      } catch (err) {
        // Never echo the key: it is a password.
        throw invalid('key', err instanceof Error ? err.message : String(err));
      }
    }
    const current = readKey(SECRET);
    if (next.enabled) {
      if (serverUrl === null)
        throw invalid(
          'serverUrl',
          'Give the companion server’s address (npm run lnurl-server) to turn this on.',
        );
      if (!newKey && !current)
        throw invalid(
          'key',
          'Paste the shared key (its id and 64 hex digits) the companion server was given.',
        );
    }
    const onlineMin = Math.ceil(deps.settings().maxRateAgeSec / 60);
    if (next.maxRateAgeMin < onlineMin)
      throw invalid(
        'maxRateAgeMin',
        `Offline the rate may be older than online, not newer: at least ${onlineMin} minutes (the online limit).`,
      );
    if (next.perDayLimit < next.perSaleLimit)
      throw invalid('perDayLimit', 'The per-day limit must be at least the per-sale limit.');
    if (newKey && (!current || current.key !== newKey.key || current.id !== newKey.id)) {
      if (current && current.id === newKey.id)
        throw invalid('key', 'A new key needs a new id: the companion server tells the keys apart by it.');
      // Rotation: the new key signs from now; the old one still checks the PINs of its links.
      if (current) secrets.set(PREVIOUS_SECRET, JSON.stringify(current));
      secrets.set(SECRET, JSON.stringify(newKey));
    }
    writeSettingValue(db, KEY, {
      enabled: next.enabled,
      serverUrl,
      perSaleLimit: next.perSaleLimit.toString(),
      perDayLimit: next.perDayLimit.toString(),
      maxRateAgeMin: next.maxRateAgeMin,
      alwaysOffer: next.alwaysOffer,
    } satisfies Stored);
    return get();
  }

  /** Whether Charge offers "Lightning (offline)" now. */
  function offered(): boolean {
    const s = stored();
    return (
      s.enabled &&
      s.serverUrl !== null &&
      readKey(SECRET) !== null &&
      (s.alwaysOffer || !deps.nodeReachable())
    );
  }

  function row(saleId: string): Row | null {
    return (
      (db.prepare('SELECT * FROM offline_payments WHERE sale_id = ?').get(saleId) as Row | undefined) ?? null
    );
  }

  function view(r: Row): OfflineCharge {
    const sale = getSale(db, r.sale_id)!;
    const attempts = Number(r.pin_attempts);
    return {
      saleId: r.sale_id,
      saleNumber: sale.number,
      state: r.state,
      qr: lnurl.encode(r.link).toUpperCase(),
      amountMsat: r.amount_msat,
      total: r.total,
      currency: r.currency,
      expiresAt: r.expires_at,
      rateLabel: `Rate from ${hhmm(r.rate_at)}, offline`,
      pinAttempts: attempts,
      pinTriesLeft: Math.max(0, OFFLINE_PIN_TRIES - attempts),
    };
  }

  function dayTotal(at: Date): bigint {
    const v = db
      .prepare(
        `SELECT coalesce(sum(op.total), 0) FROM offline_payments op JOIN sales s ON s.id = op.sale_id
         WHERE op.created_at >= ? AND op.state <> 'cancelled' AND s.state <> 'cancelled'`,
      )
      .pluck()
      .get(dayStart(at)) as bigint;
    return BigInt(v);
  }

  function charge(tip: Tip | null = null): OfflineCharge {
    const s = stored();
    const key = readKey(SECRET);
    if (!s.enabled || s.serverUrl === null || key === null)
      throw new TillError(
        'InvalidState',
        'Offline Lightning is not set up: the owner turns it on in Settings.',
      );
    const active = readMeta(db, ACTIVE_SALE);
    if (active !== null) {
      const r = row(active);
      // A second tap shows the same link: one sale, one nonce.
      if (r && r.state === 'pending') return view(r);
      if (r && r.state === 'locked')
        throw new TillError(
          'InvalidState',
          'Three wrong PINs locked this offline payment: a manager cancels the sale.',
        );
      throw new TillError('InvalidState', 'An invoice is on screen: cancel it before charging offline.');
    }
    if (!s.alwaysOffer && deps.nodeReachable())
      throw new TillError('InvalidState', 'The Lightning node answers: charge Lightning as usual.');
    const { lines, pricing, note } = deps.cart.priced(tip);
    if (lines.length === 0)
      throw new TillError('InvalidState', 'The cart is empty: add something to charge for.');
    const total = pricing.totals.total;
    if (total <= 0n) throw new TillError('InvalidState', 'The total must be above zero to charge.');
    const settings = deps.settings();
    checkSaleTotal(settings, total);
    const currency = settings.currency;
    const perSale = BigInt(s.perSaleLimit);
    if (total > perSale)
      throw new TillError(
        'InvalidState',
        `Offline Lightning takes at most ${formatFiat(perSale, currency)} a sale: take cash, or wait for the node.`,
      );
    const at = now();
    const left = BigInt(s.perDayLimit) - dayTotal(at);
    if (total > left)
      throw new TillError(
        'InvalidState',
        `Today's offline Lightning limit is reached (${formatFiat(left > 0n ? left : 0n, currency)} left): take cash, or wait for the node.`,
      );
    const rate = deps.lastRate();
    if (!rate || rate.currency !== currency)
      throw new TillError(
        'RateUnavailable',
        'The till has no exchange rate to charge offline with: take cash.',
      );
    const ageMin = (at.getTime() - new Date(rate.fetchedAt).getTime()) / 60_000;
    if (ageMin > s.maxRateAgeMin)
      throw new TillError(
        'RateUnavailable',
        `The last exchange rate is from ${hhmm(rate.fetchedAt)}, older than offline sales allow (${s.maxRateAgeMin} min): take cash.`,
      );
    const amountMsat = invoiceMsat(total, currency, rate.rate);
    const saleId = randomUUID();
    const expiresAt = new Date(at.getTime() + OFFLINE_LINK_TTL_SEC * 1000);
    // Journal first: the link exists in the journal before any QR shows it.
    db.transaction(() => {
      const counter = BigInt(readMeta(db, COUNTER) ?? '0');
      writeMeta(db, COUNTER, (counter + 1n).toString());
      const nonce = offlineNonce(counter, random(NONCE_RANDOM_BYTES));
      insertSale(db, { id: saleId, currency, lines, pricing, note, at });
      writeMeta(db, ACTIVE_SALE, saleId);
      const number = getSale(db, saleId)!.number;
      const link = signOfflineLink(key, s.serverUrl!, nonce, {
        amountMsat,
        saleId,
        tillId: deps.tillId,
        expiresAt: Math.floor(expiresAt.getTime() / 1000),
        description: `${settings.shopName} · sale #${number}`,
      });
      db.prepare(
        `INSERT INTO offline_payments (sale_id, nonce, amount_msat, total, currency, rate, rate_source, rate_at,
           key_id, link, expires_at, state, pin_attempts, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
      ).run(
        saleId,
        nonce,
        amountMsat,
        total,
        currency,
        rate.rate,
        rate.source,
        rate.fetchedAt,
        key.id,
        link,
        expiresAt.toISOString(),
        at.toISOString(),
        at.toISOString(),
      );
      transition(db, saleId, 'awaiting_payment', at, { tender: 'lightning-offline', nonce });
    })();
    deps.saleChanged(getSale(db, saleId)!);
    return view(row(saleId)!);
  }

  function keyFor(id: string): OfflineKey | null {
    for (const k of [readKey(SECRET), readKey(PREVIOUS_SECRET)]) if (k && k.id === id) return k;
    return null;
  }

  function enterPin(saleId: string, pin: string): OfflineCharge {
    const r = row(saleId);
    if (!r) throw new TillError('NotFound', 'That sale was not charged offline.');
    if (r.state === 'locked')
      throw new TillError(
        'InvalidState',
        'Three wrong PINs locked this offline payment: a manager cancels the sale.',
      );
    if (r.state !== 'pending') {
      if (r.state === 'cancelled') throw new TillError('InvalidState', 'That sale was cancelled.');
      return view(r); // already paid: a second Enter changes nothing
    }
    const sale = getSale(db, saleId)!;
    if (sale.state === 'cancelled') throw new TillError('InvalidState', 'That sale was cancelled.');
    const key = keyFor(r.key_id);
    if (!key)
      throw new TillError(
        'InvalidState',
        `The key that signed this link (${r.key_id}) is no longer on the till: the PIN cannot be checked. A manager cancels the sale.`,
      );
    const at = now();
    if (!/^\d{6}$/.test(pin.replace(/\s+/g, '')) || !pinMatches(key, r.nonce, r.amount_msat, pin)) {
      const attempts = Number(r.pin_attempts) + 1;
      const locked = attempts >= OFFLINE_PIN_TRIES;
      db.prepare(
        'UPDATE offline_payments SET pin_attempts = ?, state = ?, updated_at = ? WHERE sale_id = ?',
      ).run(attempts, locked ? 'locked' : 'pending', at.toISOString(), saleId);
      if (locked)
        throw new TillError(
          'InvalidState',
          'Wrong PIN, the third: this offline payment is locked. A manager cancels the sale; the payment is checked later.',
        );
      const left = OFFLINE_PIN_TRIES - attempts;
      throw new TillError(
        'ValidationError',
        `Wrong PIN: check the code on the customer's phone. ${left} ${left === 1 ? 'try' : 'tries'} left.`,
        [{ path: 'pin', message: 'Wrong PIN' }],
      );
    }
    let queued = false;
    let cartCleared = false;
    db.transaction(() => {
      db.prepare(
        `UPDATE offline_payments SET state = 'paid', paid_at = ?, updated_at = ? WHERE sale_id = ?`,
      ).run(at.toISOString(), at.toISOString(), saleId);
      transition(db, saleId, 'paid', at, {
        tender: 'lightning-offline',
        nonce: r.nonce,
        amountMsat: r.amount_msat.toString(),
        rate: r.rate,
        rateSource: r.rate_source,
        rateAt: r.rate_at,
        pin: 'checked',
      });
      markSalePaid(db, saleId, at, r.amount_msat, false);
      if (deps.queueOrders()) {
        enqueueOrder(db, saleId, at);
        queued = true;
      }
      if (readMeta(db, ACTIVE_SALE) === saleId) {
        writeMeta(db, ACTIVE_SALE, null);
        clearCartLines(db);
        cartCleared = true;
      }
    })();
    const paid = getSale(db, saleId)!;
    deps.saleChanged(paid);
    if (cartCleared) deps.cart.changed();
    if (queued) deps.onQueued();
    deps.onPaidAtCounter?.(paid);
    return view(row(saleId)!);
  }

  /**
   * Before a sale is cancelled: one whose offline payment three wrong PINs locked is cancelled
   * by a manager only (the customer may have paid; the payment is looked for later).
   */
  function approveCancel(saleId: string): void {
    if (row(saleId)?.state !== 'locked') return;
    const actor = currentActor();
    if (actor && (roleCovers(actor.staff.role, 'manager') || actor.approver !== null)) return;
    const refusal = needsApproval('manager');
    refusal.message = 'Three wrong PINs locked this offline payment: a manager cancels the sale.';
    throw refusal;
  }

  function proofReport(): OfflineProofReport {
    const s = stored();
    const saved = readMeta(db, LAST_PROOF);
    let last: LastProof | null;
    try {
      last = saved ? (JSON.parse(saved) as LastProof) : null;
    } catch {
      last = null; // a damaged note is no reason to fail: the next check writes it again
    }
    return {
      configured: s.serverUrl !== null && readKey(SECRET) !== null,
      ...proofCounts(db),
      lastCheckedAt: last?.at ?? null,
      lastError: last?.error ?? null,
      last: last?.last ?? null,
    };
  }

  let checking: Promise<OfflineProofReport> | null = null;

  /**
   * Asks the companion server about every offline payment waiting for its word (one question at
   * a time: the timer, a manager and a reconciliation share it) and writes the answers down.
   * Throws, after recording why, when the companion cannot be asked.
   */
  function checkProofs(): Promise<OfflineProofReport> {
    checking ??= (async () => {
      const s = stored();
      const keys = [readKey(SECRET), readKey(PREVIOUS_SECRET)].filter((k): k is OfflineKey => k !== null);
      if (s.serverUrl === null || keys.length === 0)
        throw new TillError(
          'InvalidState',
          'Offline Lightning is not set up: the owner gives the companion server’s address and key in Settings.',
        );
      const client = (deps.proofClient ?? companionProof)({ serverUrl: s.serverUrl, keys });
      const remember = (p: LastProof) => writeMeta(db, LAST_PROOF, JSON.stringify(p));
      try {
        const o = await checkOfflineProofs(db, client, now, deps.tillId);
        remember({
          at: now().toISOString(),
          error: null,
          last: {
            asked: o.asked,
            confirmed: o.confirmed.length,
            flagged: o.flagged.length,
            paidUnsold: o.paidUnsold.length,
          },
        });
        for (const id of [...o.confirmed, ...o.flagged, ...o.paidUnsold]) {
          const sale = getSale(db, id);
          if (sale) deps.saleChanged(sale);
        }
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const before = proofReport();
        remember({ at: now().toISOString(), error: message, last: before.last });
        throw err;
      }
      return proofReport();
    })().finally(() => {
      checking = null;
    });
    return checking;
  }

  return {
    get,
    save,
    offered,
    proofReport,
    checkProofs,
    /** Whether the timer has anything to ask the companion (set up, and a payment waiting). */
    proofsDue: (): boolean => {
      const s = stored();
      return s.serverUrl !== null && readKey(SECRET) !== null && proofsPending(db, now());
    },
    approveCancel,
    charge,
    enterPin,
    /** The offline payment of a sale, if it was charged offline. */
    find: (saleId: string): OfflineCharge | null => {
      const r = row(saleId);
      return r ? view(r) : null;
    },
    /** The offline details the receipt prints. */
    receiptOf: (saleId: string) => {
      const r = row(saleId);
      return r ? { rate: r.rate, rateSource: r.rate_source, rateAt: r.rate_at, nonce: r.nonce } : null;
    },
  };
}
