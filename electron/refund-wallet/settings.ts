import { createHash } from 'node:crypto';
import { TillError } from '../../shared/contract/index.js';
import {
  DEFAULT_REFUND_WALLET,
  type Network,
  type RefundWalletInput,
  type RefundWalletKind,
  type RefundWalletSettings,
} from '../../shared/domain/index.js';
import type { Db } from '../journal/db.js';
import { readSettingValue, writeSettingValue } from '../journal/settings.js';
import { normaliseUrl } from '../lightning/lnbits/config.js';
import { parseNwcUri } from '../lightning/nwc/config.js';
import type { SecretStore } from '../secrets/store.js';
import { createLnbitsRefundWallet } from './lnbits.js';
import { createNwcRefundWallet } from './nwc.js';
import { createDemoRefundWallet, type RefundWallet } from './wallet.js';

/**
 * The refund wallet the owner set up, kept in the journal's settings: its kind, the LNbits
 * address and the till's limits. The spending credential (an NWC connection, an LNbits admin
 * key) goes to the SecretStore under `refund-wallet.<kind>`, as the node's do
 * (electron/lightning/registry.ts), never into SQLite, logs or events; what the owner sees of it
 * is a hint (where it points, and a fingerprint).
 */

const KEY = 'refundWallet';

interface Stored {
  kind: RefundWalletKind;
  perRefundLimitSats: string | null;
  perDayLimitSats: string | null;
  url?: string | null;
}

type CredentialKind = 'nwc' | 'lnbits';

const secretName = (kind: CredentialKind) => `refund-wallet.${kind}`;
/** The receiving node's secret of the same kind (electron/lightning/registry.ts names it so). */
const nodeSecretName = (kind: CredentialKind) => `backend.${kind}`;

// LNbits makes its keys with uuid4().hex (core/crud/wallets.py); any URL-safe token is allowed.
const LNBITS_KEY = /^[A-Za-z0-9_-]{16,128}$/;

export interface RefundWalletDeps {
  db: Db;
  now: () => Date;
  /** The demo refund wallet goes with the demo node only. */
  onDemoNode: () => boolean;
  /** Where spending credentials are kept; without one only none/demo can be saved. */
  secrets?: SecretStore;
  /** The network the till pays on (checked by the NWC wallet's test). */
  expectedNetwork?: () => Network;
  /** Per request to a real wallet (tests shorten it). */
  timeoutMs?: number;
  /** Tests: a fixed wallet (a fake) used whatever kind is saved, unless 'none'. */
  wallet?: RefundWallet;
}

export type RefundWallets = ReturnType<typeof createRefundWallets>;

const fingerprint = (secret: string) => createHash('sha256').update(secret).digest('hex').slice(0, 8);

function invalid(field: string, message: string): TillError {
  return new TillError('ValidationError', message, [{ path: field, message }]);
}

/** What the owner may see of a saved credential: where it points and a fingerprint, never the secret. */
function hintOf(kind: CredentialKind, secret: string, url: string | null): string {
  if (kind === 'lnbits') {
    const host = url ? new URL(url).host : 'LNbits';
    return `Admin key for ${host} · fingerprint ${fingerprint(secret)}`;
  }
  try {
    const c = parseNwcUri(secret);
    const relay = new URL(c.relays[0]!).host;
    return `NWC wallet ${c.walletPubkey.slice(0, 8)}… via ${relay} · fingerprint ${fingerprint(secret)}`;
  } catch {
    return `NWC connection · fingerprint ${fingerprint(secret)}`;
  }
}

export function createRefundWallets(deps: RefundWalletDeps) {
  const { db } = deps;
  const demo = createDemoRefundWallet(db, deps.now);
  /** The live connection to a real wallet, rebuilt when the saved kind or credential changes. */
  let live: { key: string; wallet: RefundWallet } | null = null;

  function stored(): Stored | null {
    return (readSettingValue(db, KEY) as Stored | null | undefined) ?? null;
  }

  /** Nothing saved: the demo wallet on the demo node (refunds can be tried at once), none on a real one. */
  function unsaved(): Stored {
    return {
      kind: deps.onDemoNode() ? 'demo' : 'none',
      perRefundLimitSats: DEFAULT_REFUND_WALLET.perRefundLimitSats?.toString() ?? null,
      perDayLimitSats: DEFAULT_REFUND_WALLET.perDayLimitSats?.toString() ?? null,
    };
  }

  function secretOf(kind: RefundWalletKind): string | null {
    if (kind !== 'nwc' && kind !== 'lnbits') return null;
    return deps.secrets?.get(secretName(kind)) ?? null;
  }

  function get(): RefundWalletSettings {
    const s = stored() ?? unsaved();
    const secret = secretOf(s.kind);
    const url = s.kind === 'lnbits' ? (s.url ?? null) : null;
    return {
      kind: s.kind,
      perRefundLimitSats: s.perRefundLimitSats === null ? null : BigInt(s.perRefundLimitSats),
      perDayLimitSats: s.perDayLimitSats === null ? null : BigInt(s.perDayLimitSats),
      url,
      credentialHint:
        secret !== null && (s.kind === 'nwc' || s.kind === 'lnbits') ? hintOf(s.kind, secret, url) : null,
    };
  }

  /** The credential to keep for `next`: the pasted one, checked, or the one saved for that kind. */
  function credentialFor(next: RefundWalletInput & { kind: CredentialKind }): string {
    const given = next.credential?.trim() ?? '';
    const secret = given !== '' ? given : secretOf(next.kind);
    if (secret === null) {
      throw invalid(
        'credential',
        next.kind === 'nwc'
          ? 'Paste the refund wallet’s nostr+walletconnect:// connection (one allowed pay_invoice and lookup_invoice, with a budget).'
          : 'Paste the Admin key of the LNbits wallet kept for refunds.',
      );
    }
    if (next.kind === 'nwc') {
      try {
        parseNwcUri(secret);
      } catch (err) {
        throw invalid('credential', err instanceof Error ? err.message : String(err));
      }
    } else if (!LNBITS_KEY.test(secret)) {
      // Never echo the key: it is a password.
      throw invalid(
        'credential',
        'That is not an LNbits key: copy the “Admin key” from the refund wallet’s API info (32 letters and digits).',
      );
    }
    // Receiving and paying out stay two connections (issue 14): the node's credential never spends.
    if (deps.secrets?.get(nodeSecretName(next.kind)) === secret) {
      throw invalid(
        'credential',
        'That is the connection the till receives payments with. Make a separate one for refunds, with its own budget.',
      );
    }
    return secret;
  }

  function save(next: RefundWalletInput): RefundWalletSettings {
    if (next.kind === 'demo' && !deps.onDemoNode() && !deps.wallet) {
      throw new TillError(
        'ValidationError',
        'The demo refund wallet moves no money: it goes with the demo node only.',
      );
    }
    let url: string | null = null;
    let secret: string | null = null;
    if (next.kind === 'nwc' || next.kind === 'lnbits') {
      if (!deps.secrets)
        throw new TillError('InvalidState', 'This till has nowhere safe to keep a wallet credential.');
      if (next.kind === 'lnbits') {
        const given = next.url?.trim() || stored()?.url || '';
        if (given === '') throw invalid('url', 'Enter the address of the LNbits server.');
        try {
          url = normaliseUrl(given);
        } catch (err) {
          throw invalid('url', err instanceof Error ? err.message : String(err));
        }
      }
      secret = credentialFor({ ...next, kind: next.kind });
    }
    // A refund still paying is settled by asking the wallet that paid it: switching wallets now
    // would ask another one, which never saw it, and a paid refund could end up "failed".
    const before = stored() ?? unsaved();
    const switching =
      before.kind !== next.kind ||
      (before.url ?? null) !== url ||
      (secret !== null && secret !== secretOf(next.kind));
    if (switching && db.prepare(`SELECT 1 FROM refunds WHERE state = 'paying' LIMIT 1`).get()) {
      throw new TillError(
        'InvalidState',
        'A Lightning refund is still under way on the current refund wallet: change the wallet once it has ended (the till looks it up every 30 seconds).',
      );
    }
    if (secret !== null && (next.kind === 'nwc' || next.kind === 'lnbits')) {
      deps.secrets!.set(secretName(next.kind), secret);
    }
    writeSettingValue(db, KEY, {
      kind: next.kind,
      perRefundLimitSats: next.perRefundLimitSats?.toString() ?? null,
      perDayLimitSats: next.perDayLimitSats?.toString() ?? null,
      url,
    } satisfies Stored);
    return get();
  }

  function build(kind: CredentialKind, secret: string, url: string | null): RefundWallet {
    const timeout = deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {};
    if (kind === 'lnbits') return createLnbitsRefundWallet({ url: url!, adminKey: secret }, timeout);
    return createNwcRefundWallet(parseNwcUri(secret), {
      ...timeout,
      ...(deps.expectedNetwork ? { expectedNetwork: deps.expectedNetwork } : {}),
    });
  }

  /** The wallet refunds are paid from now; null when none is set up (or its credential is gone). */
  function wallet(): RefundWallet | null {
    const s = stored() ?? unsaved();
    if (s.kind === 'none') return null;
    if (deps.wallet) return deps.wallet;
    // The demo wallet "pays" by writing to the journal: never while a real node takes the sales.
    if (s.kind === 'demo') return deps.onDemoNode() ? demo : null;
    const secret = secretOf(s.kind);
    const url = s.url ?? null;
    if (secret === null || (s.kind === 'lnbits' && url === null)) return null;
    const key = `${s.kind}\0${url ?? ''}\0${fingerprint(secret)}`;
    if (live?.key !== key) {
      live?.wallet.close?.();
      live = { key, wallet: build(s.kind, secret, url) };
    }
    return live.wallet;
  }

  return {
    get,
    save,
    wallet,
    limits: () => {
      const s = get();
      return { perRefundSats: s.perRefundLimitSats, perDaySats: s.perDayLimitSats };
    },
    async test(): Promise<{ ok: boolean; message: string }> {
      const w = wallet();
      if (!w) return { ok: false, message: 'No refund wallet is set up.' };
      if (w.check) return w.check();
      // A look-up of a hash nobody paid: it answers without spending anything.
      await w.lookup('00'.repeat(32));
      return {
        ok: true,
        message:
          w.kind === 'demo'
            ? 'The demo refund wallet answers (it moves no money).'
            : 'The refund wallet answers.',
      };
    },
    close(): void {
      live?.wallet.close?.();
      live = null;
    },
  };
}
