import { TillError } from '../../shared/contract/index.js';
import { DEFAULT_REFUND_WALLET, type RefundWalletSettings } from '../../shared/domain/index.js';
import type { Db } from '../journal/db.js';
import { readSettingValue, writeSettingValue } from '../journal/settings.js';
import { createDemoRefundWallet, type RefundWallet } from './wallet.js';

/**
 * The refund wallet the owner set up, kept in the journal's settings: its kind and the till's
 * limits only. A spending credential (NWC, LNbits admin key — later slices) goes to the
 * SecretStore, as the node's do (electron/lightning/registry.ts), never into SQLite, logs or events.
 */

const KEY = 'refundWallet';

interface Stored {
  kind: RefundWalletSettings['kind'];
  perRefundLimitSats: string | null;
  perDayLimitSats: string | null;
}

export interface RefundWalletDeps {
  db: Db;
  now: () => Date;
  /** The demo refund wallet goes with the demo node only. */
  onDemoNode: () => boolean;
  /** Tests: a fixed wallet (a fake) used whatever kind is saved, unless 'none'. */
  wallet?: RefundWallet;
}

export type RefundWallets = ReturnType<typeof createRefundWallets>;

export function createRefundWallets(deps: RefundWalletDeps) {
  const { db } = deps;
  const demo = createDemoRefundWallet(db, deps.now);

  function get(): RefundWalletSettings {
    const s = readSettingValue(db, KEY) as Stored | null | undefined;
    if (!s) return DEFAULT_REFUND_WALLET;
    return {
      kind: s.kind,
      perRefundLimitSats: s.perRefundLimitSats === null ? null : BigInt(s.perRefundLimitSats),
      perDayLimitSats: s.perDayLimitSats === null ? null : BigInt(s.perDayLimitSats),
    };
  }

  function save(next: RefundWalletSettings): RefundWalletSettings {
    if (next.kind === 'demo' && !deps.onDemoNode() && !deps.wallet) {
      throw new TillError(
        'ValidationError',
        'The demo refund wallet moves no money: it goes with the demo node only.',
      );
    }
    writeSettingValue(db, KEY, {
      kind: next.kind,
      perRefundLimitSats: next.perRefundLimitSats?.toString() ?? null,
      perDayLimitSats: next.perDayLimitSats?.toString() ?? null,
    } satisfies Stored);
    return get();
  }

  /** The wallet refunds are paid from now; null when none is set up. */
  function wallet(): RefundWallet | null {
    const s = get();
    if (s.kind === 'none') return null;
    if (deps.wallet) return deps.wallet;
    return demo;
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
  };
}
