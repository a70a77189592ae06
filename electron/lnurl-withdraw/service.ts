import { createHash, randomBytes } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';
import {
  DEFAULT_LNURL_WITHDRAW,
  LnurlWithdrawSettings,
  type LnurlRefundQuote,
  type LnurlWithdrawLinkState,
  type LnurlWithdrawStatus,
  type RateQuote,
  type Refund,
  type RefundWithdraw,
  type Sale,
  type WithdrawRateBasis,
} from '../../shared/domain/index.js';
import { MAX_LENGTH } from '../../shared/domain/limits.js';
import { fiatToMsat, formatSats, roundToSat } from '../../shared/money/index.js';
import type { RefundRequest, RefundService } from '../checkout/refunds.js';
import { big, type Db } from '../journal/db.js';
import { refundTransition } from '../journal/refunds.js';
import { readSettingValue, writeSettingValue } from '../journal/settings.js';
import { decodeInvoice } from '../lightning/bolt11/decode.js';
import type { RefundWallet } from '../refund-wallet/wallet.js';
import { checkPublicUrl } from './address.js';
import { startWithdrawServer, type WithdrawServer } from './server.js';

/**
 * LNURL-withdraw refunds (issue 14, LUD-03): the till's side of the `lnurl` package's server.
 *
 * Exactly once, in two locks. The package spends the link's one-time secret before it runs the
 * callback; the till's journal then decides: the callback's invoice is checked (amount = the
 * link's, network, expiry) and the link goes open → claimed with the refund approved → paying and
 * the invoice's hash, in one IMMEDIATE transaction, *before* the backend's payInvoice may ask the
 * refund wallet to pay. A link closes once (trigger refund_withdraw_links_once) and a hash pays
 * one refund (refunds_payment_hash), so a second callback, a second invoice, or a cancelled or
 * expired link is refused by the journal whatever the package's store says. A crash after the
 * claim is resolved by the refund service's look-up, never by paying again.
 *
 * The package's store is memory: a restart (or the server turned off) loses its secrets, so every
 * link still open then is closed as expired — shown as such, never claimable.
 */

const KEY = 'lnurlWithdraw';

export interface LnurlWithdrawDeps {
  db: Db;
  now: () => Date;
  refunds: RefundService;
  wallet: () => RefundWallet | null;
  limits: () => { perRefundSats: bigint | null; perDaySats: bigint | null };
  lockRate: (currency: string) => Promise<RateQuote>;
  /** After commit: a refund changed (the QR screen and the sale's history follow it). */
  refundChanged: (refund: Refund) => void;
  log: (message: string, err?: unknown) => void;
  /** The description the customer's wallet shows on its invoice. */
  shopName: () => string;
}

interface LinkRow {
  refund_id: string;
  secret_hash: string;
  amount_msat: bigint;
  rate: string;
  rate_basis: WithdrawRateBasis;
  expires_at: string;
  state: LnurlWithdrawLinkState;
}

export type LnurlWithdraw = ReturnType<typeof createLnurlWithdraw>;

/** The package's hash of a secret (lnurl/lib/createHash.js): sha256 of its bytes when hex. */
export const secretHash = (secret: string) =>
  createHash('sha256').update(Buffer.from(secret, 'hex')).digest('hex');

const sats = (msat: bigint) => formatSats(msat);

export function createLnurlWithdraw(deps: LnurlWithdrawDeps) {
  const { db, now, refunds } = deps;
  let server: WithdrawServer | null = null;
  let problem: string | null = null;
  /** The LNURLs of links this process made and that are still open: the QR can be shown again. */
  const shown = new Map<string, string>();
  /** Refunds whose payment this process has handed to the wallet: payInvoice never twice. */
  const started = new Set<string>();

  function settings(): LnurlWithdrawSettings {
    const stored = readSettingValue(db, KEY);
    const parsed = LnurlWithdrawSettings.safeParse(stored);
    return parsed.success ? parsed.data : DEFAULT_LNURL_WITHDRAW;
  }

  function status(): LnurlWithdrawStatus {
    return { running: server !== null, url: server?.url ?? null, problem };
  }

  /** The URL wallets get: the owner's, or the listen address when it is one a phone can use. */
  function walletUrl(s: LnurlWithdrawSettings): string | null {
    if (s.publicUrl !== '') return checkPublicUrl(s.publicUrl);
    const unspecified = ['0.0.0.0', '::', '[::]'].includes(s.listenHost);
    if (unspecified || s.listenPort === 0) {
      if (unspecified) {
        throw new TillError(
          'ValidationError',
          'Give the address phones reach the till at (e.g. http://192.168.1.20:3001): the till listens on every network and cannot tell which one the customer’s phone is on.',
          [{ path: 'publicUrl', message: 'Give the address phones reach the till at' }],
        );
      }
      return null; // any free port, then http://host:port as bound
    }
    return checkPublicUrl(
      `http://${s.listenHost.includes(':') ? `[${s.listenHost}]` : s.listenHost}:${s.listenPort}`,
    );
  }

  /** Closes every open link (the package's memory store is going or gone): shown expired. */
  function closeOpenLinks(reason: string): void {
    const open = db.prepare(`SELECT refund_id FROM refund_withdraw_links WHERE state = 'open'`).all() as {
      refund_id: string;
    }[];
    for (const { refund_id } of open) endLink(refund_id, 'expired', reason);
  }

  async function stop(reason: string): Promise<void> {
    const s = server;
    server = null;
    closeOpenLinks(reason);
    if (s)
      await s.close().catch((err: unknown) => deps.log('LNURL-withdraw server did not close cleanly', err));
  }

  async function start(): Promise<void> {
    const s = settings();
    if (!s.enabled) {
      problem = null;
      return;
    }
    try {
      const url = walletUrl(s);
      server = await startWithdrawServer({
        host: s.listenHost,
        port: s.listenPort,
        publicUrl: url,
        handlers: { info, claim, pay },
        log: deps.log,
      });
      problem = null;
    } catch (err) {
      server = null;
      const code = (err as { code?: string }).code;
      problem =
        code === 'EADDRINUSE'
          ? `Port ${s.listenPort} is taken by another program: choose another port.`
          : code === 'EADDRNOTAVAIL'
            ? `This computer has no address ${s.listenHost}: choose one of its own, or 0.0.0.0.`
            : err instanceof TillError
              ? err.message
              : `The LNURL server did not start: ${(err as Error).message}`;
      deps.log('LNURL-withdraw server did not start', err);
    }
  }

  async function save(
    next: LnurlWithdrawSettings,
  ): Promise<{ settings: LnurlWithdrawSettings; status: LnurlWithdrawStatus }> {
    // Checked before saving: a public http address is refused in the owner's words (LUD-01).
    if (next.enabled || next.publicUrl !== '') walletUrl(next);
    writeSettingValue(db, KEY, next);
    await stop('The LNURL server was restarted with new settings before the customer’s wallet claimed it.');
    await start();
    return { settings: settings(), status: status() };
  }

  function link(refundId: string): LinkRow | null {
    const row = db.prepare('SELECT * FROM refund_withdraw_links WHERE refund_id = ?').get(refundId) as
      LinkRow | undefined;
    return row ? { ...row, amount_msat: big(row.amount_msat) } : null;
  }

  function decorate(refund: Refund): Refund {
    const l = link(refund.id);
    if (!l) return refund;
    const withdraw: RefundWithdraw = {
      state: l.state,
      lnurl: l.state === 'open' ? (shown.get(refund.id) ?? null) : null,
      expiresAt: l.expires_at,
      rate: l.rate,
      rateBasis: l.rate_basis,
    };
    return { ...refund, withdraw };
  }

  const get = (refundId: string) => decorate(refunds.get(refundId));
  const changed = (refundId: string) => {
    try {
      deps.refundChanged(get(refundId));
    } catch (err) {
      deps.log(`refund ${refundId}: could not tell the screens`, err);
    }
  };

  /** Ends an open link (expired or cancelled) and fails its refund, giving its quantities back. */
  function endLink(refundId: string, to: 'expired' | 'cancelled', reason: string): boolean {
    const at = now();
    const ended = db
      .transaction(() => {
        const l = link(refundId);
        if (!l || l.state !== 'open') return false;
        db.prepare('UPDATE refund_withdraw_links SET state = ? WHERE refund_id = ?').run(to, refundId);
        refundTransition(db, refundId, 'failed', at, { reason, withdraw: to });
        return true;
      })
      .immediate();
    shown.delete(refundId);
    if (ended) changed(refundId);
    return ended;
  }

  /** The rate the sale was paid at: its invoice's, or its offline link's (issue 17); cash has none. */
  function saleRate(sale: Sale): RateQuote | undefined {
    switch (sale.tender) {
      case 'lightning':
        return sale.invoice?.rate;
      case 'lightning-offline':
        return sale.offline?.rate;
      case 'cash':
        return undefined;
    }
  }

  /** The rate a withdraw refund of this sale is paid at, by the owner's basis. */
  async function rateFor(
    sale: Sale,
    basis: WithdrawRateBasis,
  ): Promise<{ rate: string; basis: WithdrawRateBasis; note: string }> {
    const locked = saleRate(sale);
    if (basis === 'sale' && locked && locked.currency === sale.currency) {
      return {
        rate: locked.rate,
        basis: 'sale',
        note: `the sale’s rate (${locked.rate} ${sale.currency}/BTC, ${locked.fetchedAt.slice(0, 16).replace('T', ' ')} UTC)`,
      };
    }
    const q = await deps.lockRate(sale.currency);
    const note =
      basis === 'sale'
        ? `today’s rate (${q.rate} ${sale.currency}/BTC): the sale was paid in cash, so it has no rate of its own`
        : `today’s rate (${q.rate} ${sale.currency}/BTC, ${q.source})`;
    return { rate: q.rate, basis: 'current', note };
  }

  /** Why a link cannot be shown now (server off, no wallet, over a limit), or null. */
  function obstacle(msat: bigint): string | null {
    if (!server) {
      return (
        problem ?? 'LNURL refunds are off: the owner turns them on in Settings → LNURL-withdraw refunds.'
      );
    }
    if (!deps.wallet()) {
      return 'No refund wallet is set up for Lightning refunds: refund in cash, or ask the owner to set one up.';
    }
    const limits = deps.limits();
    if (limits.perRefundSats !== null && msat > limits.perRefundSats * 1000n) {
      return `This refund (${sats(msat)}) is over the ${sats(limits.perRefundSats * 1000n)} a Lightning refund may pay: refund in cash, or the owner raises the limit.`;
    }
    if (limits.perDaySats !== null && refunds.paidOutOn(now()) + msat > limits.perDaySats * 1000n) {
      return `Today’s Lightning refunds would go over the ${sats(limits.perDaySats * 1000n)} a day allows: refund in cash, or the owner raises the limit.`;
    }
    return null;
  }

  async function quote(req: RefundRequest): Promise<LnurlRefundQuote> {
    const preview = refunds.preview(req);
    const sale = refunds.paidSale(req.saleId);
    const s = settings();
    const r = await rateFor(sale, s.rateBasis);
    const msat = roundToSat(fiatToMsat(preview.amount, sale.currency, r.rate, 'down'), 'down');
    return {
      currency: sale.currency,
      amount: preview.amount,
      amountMsat: msat,
      rate: r.rate,
      rateBasis: r.basis,
      rateNote: r.note,
      expirySec: s.expirySec,
      problem:
        preview.amount === 0n
          ? 'Choose what comes back: a line, or the tip.'
          : msat <= 0n
            ? 'That is less than one sat: refund it in cash.'
            : obstacle(msat),
    };
  }

  /**
   * An approved LNURL-withdraw refund: journaled (approved, with its fixed sats, rate and the
   * hash of its one-time secret) before the link exists, then registered with the package.
   */
  async function create(req: RefundRequest & { reason: string }): Promise<Refund> {
    const sale0 = refunds.paidSale(req.saleId);
    const s = settings();
    const r = await rateFor(sale0, s.rateBasis);
    const secret = randomBytes(32).toString('hex');
    let msat = 0n;
    const refundId = refunds.journalApproved(req, ({ id, sale, amount, at }) => {
      if (sale.currency !== sale0.currency)
        throw new TillError('InvalidState', 'The sale changed: try again.');
      // The shop never pays out more than it owes: the sats are rounded down.
      msat = roundToSat(fiatToMsat(amount, sale.currency, r.rate, 'down'), 'down');
      if (msat <= 0n) throw new TillError('InvalidState', 'That is less than one sat: refund it in cash.');
      const why = obstacle(msat);
      if (why) throw new TillError('InvalidState', why);
      db.prepare('UPDATE refunds SET amount_msat = ? WHERE id = ?').run(msat, id);
      db.prepare(
        `INSERT INTO refund_withdraw_links (refund_id, secret_hash, amount_msat, rate, rate_basis, expires_at, state, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'open', ?)`,
      ).run(
        id,
        secretHash(secret),
        msat,
        r.rate,
        r.basis,
        new Date(at.getTime() + s.expirySec * 1000).toISOString(),
        at.toISOString(),
      );
    });
    try {
      const srv = server;
      if (!srv) throw new TillError('InvalidState', 'The LNURL server stopped: refund again once it runs.');
      const encoded = await srv.createLink(secret, msat, `Refund from ${deps.shopName()}`.slice(0, 120));
      // The server may have been turned off while the link was made: then the link is closed.
      if (server === srv && link(refundId)?.state === 'open') shown.set(refundId, encoded);
    } catch (err) {
      endLink(refundId, 'cancelled', 'The withdraw link could not be made: nothing was paid.');
      if (err instanceof TillError) throw err;
      deps.log(`refund ${refundId}: the withdraw link could not be made`, err);
    }
    changed(refundId);
    return get(refundId);
  }

  function cancel(refundId: string): Refund {
    const l = link(refundId);
    if (!l) throw new TillError('NotFound', 'That refund has no withdraw link.');
    if (!endLink(refundId, 'cancelled', 'Cancelled at the till before the customer’s wallet claimed it.')) {
      const now_ = link(refundId)!;
      throw new TillError(
        'InvalidState',
        now_.state === 'claimed'
          ? 'The customer’s wallet has already claimed it: the refund is being paid.'
          : `That link has already ${now_.state === 'expired' ? 'expired' : 'been cancelled'}.`,
      );
    }
    return get(refundId);
  }

  /** The link behind a secret a wallet sent, checked as the package hands it over. */
  function openLink(secret: string): LinkRow {
    if (typeof secret !== 'string' || !/^[0-9a-f]{64}$/.test(secret)) {
      throw new TillError('ValidationError', 'That is not a link of this till.');
    }
    const row = db
      .prepare('SELECT refund_id FROM refund_withdraw_links WHERE secret_hash = ?')
      .get(secretHash(secret)) as { refund_id: string } | undefined;
    const l = row ? link(row.refund_id) : null;
    if (!l) throw new TillError('ValidationError', 'That is not a link of this till.');
    if (l.state === 'open' && new Date(l.expires_at).getTime() <= now().getTime()) {
      endLink(l.refund_id, 'expired', 'The withdraw link expired before the customer’s wallet claimed it.');
      throw new TillError('InvalidState', 'This refund link has expired: ask at the till for a new one.');
    }
    switch (l.state) {
      case 'open':
        return l;
      case 'claimed':
        throw new TillError('InvalidState', 'This refund link has already been used.');
      case 'expired':
        throw new TillError('InvalidState', 'This refund link has expired: ask at the till for a new one.');
      case 'cancelled':
        throw new TillError('InvalidState', 'This refund link was cancelled at the till.');
    }
  }

  function info(secret: string): void {
    openLink(secret);
  }

  /**
   * The callback (LUD-03 step 5): the wallet's invoice for the link, journaled `paying` before
   * anything is paid. Throws (and the wallet is answered ERROR) when it cannot be paid as is.
   */
  function claim(secret: string, invoice: string): void {
    const l = openLink(secret);
    const pr = invoice.trim().replace(/^lightning:/i, '');
    if (pr === '' || pr.length > MAX_LENGTH.refundInvoice) {
      throw new TillError('ValidationError', 'Send a Lightning invoice (pr) for the refund.');
    }
    const inv = refunds.readInvoice(pr);
    if (inv.amountMsat !== l.amount_msat) {
      throw new TillError(
        'ValidationError',
        `The invoice asks for ${sats(inv.amountMsat!)}, but this refund is exactly ${sats(l.amount_msat)}.`,
      );
    }
    if (!deps.wallet())
      throw new TillError('InvalidState', 'The till cannot pay refunds just now: ask at the till.');
    const at = now();
    try {
      db.transaction(() => {
        const cur = link(l.refund_id);
        if (!cur || cur.state !== 'open')
          throw new TillError('InvalidState', 'This refund link has already been used.');
        db.prepare(
          `UPDATE refund_withdraw_links SET state = 'claimed', claimed_at = ? WHERE refund_id = ?`,
        ).run(at.toISOString(), l.refund_id);
        db.prepare('UPDATE refunds SET payment_hash = ?, invoice = ? WHERE id = ?').run(
          inv.paymentHash,
          pr,
          l.refund_id,
        );
        refundTransition(db, l.refund_id, 'paying', at, {
          tender: 'lnurl-withdraw',
          paymentHash: inv.paymentHash,
          amountMsat: l.amount_msat.toString(),
          rate: l.rate,
          rateBasis: l.rate_basis,
          wallet: deps.wallet()?.kind ?? null,
        });
      }).immediate();
    } catch (err) {
      if (err instanceof Error && err.message.includes('refunds.payment_hash')) {
        throw new TillError(
          'InvalidState',
          'That invoice is already being paid by another refund: make a new one.',
        );
      }
      if (err instanceof Error && err.message.includes('refund_withdraw_links_once')) {
        throw new TillError('InvalidState', 'This refund link has already been used.');
      }
      throw err;
    }
    shown.delete(l.refund_id);
    changed(l.refund_id);
  }

  /**
   * The backend's payInvoice: pays an invoice the callback journaled, once. LUD-03 step 6: the
   * wallet is answered OK and the payment goes on; its end reaches the screens as an event.
   */
  function pay(invoice: string): Promise<{ id: string }> {
    let hash: string;
    try {
      hash = decodeInvoice(invoice).paymentHash;
    } catch {
      return Promise.reject(new TillError('ValidationError', 'That is not a Lightning invoice.'));
    }
    const row = db
      .prepare(
        `SELECT r.id, r.state, r.amount_msat, l.state AS link_state FROM refunds r
         JOIN refund_withdraw_links l ON l.refund_id = r.id WHERE r.payment_hash = ?`,
      )
      .get(hash) as { id: string; state: string; amount_msat: bigint; link_state: string } | undefined;
    const wallet = deps.wallet();
    if (!row || row.state !== 'paying' || row.link_state !== 'claimed' || started.has(row.id) || !wallet) {
      // Never journaled for this link, or already handed to the wallet: nothing is paid.
      return Promise.reject(new TillError('InvalidState', 'This refund link has already been used.'));
    }
    started.add(row.id);
    const id = row.id;
    refunds
      .payJournaled(wallet, id, invoice, hash, big(row.amount_msat))
      .catch((err: unknown) =>
        deps.log(`refund ${id}: the payment did not end cleanly; it is looked up`, err),
      )
      .finally(() => changed(id));
    return Promise.resolve({ id: hash });
  }

  /** Links past their expiry are closed (the tick). */
  function sweep(): void {
    const due = db
      .prepare(`SELECT refund_id FROM refund_withdraw_links WHERE state = 'open' AND expires_at <= ?`)
      .all(now().toISOString()) as { refund_id: string }[];
    for (const { refund_id } of due) {
      endLink(refund_id, 'expired', 'The withdraw link expired before the customer’s wallet claimed it.');
    }
  }

  return {
    settings,
    status,
    save,
    /** On start: links a previous run left open lost their secrets with it; then the server starts. */
    async open(): Promise<void> {
      closeOpenLinks('The till restarted before the customer’s wallet claimed it.');
      await start();
    },
    quote,
    create,
    cancel,
    decorate,
    sweep,
    close: () => stop('The till closed before the customer’s wallet claimed it.'),
  };
}
