import { TillError } from '../../shared/contract/index.js';
import { z } from 'zod';
import { BackendKind, Network, type BackendConfig, type BackendInput } from '../../shared/domain/index.js';
import type { SecretStore } from '../secrets/store.js';
import { BackendError, type LightningBackend } from './backend.js';
import { createClnBackend } from './cln/backend.js';
import { parseClnConfig } from './cln/config.js';
import { createDemoBackend } from './demo/backend.js';
import { createLnbitsBackend } from './lnbits/backend.js';
import { parseLnbitsConfig } from './lnbits/config.js';
import { createLndBackend } from './lnd/backend.js';
import { createNwcBackend } from './nwc/backend.js';
import { parseNwcUri } from './nwc/config.js';
import { normaliseCertificate, parseLndConfig } from './lnd/config.js';

/**
 * Turns what a manager entered into a saved connection (addresses in SQLite, the secret in
 * the SecretStore) and a saved connection into a live backend. The one place that knows
 * every backend by name.
 */

/** A saved connection: BackendConfig without the `hasSecret` flag. */
export type StoredBackend = DistributiveOmit<BackendConfig, 'hasSecret'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export const DEMO: StoredBackend = { kind: 'demo', network: 'regtest' };

/** The settings key the saved connection is journaled under (its secret is in the SecretStore). */
export const BACKEND_SETTING = 'backend';

export interface BackendDeps {
  dataDir: string;
  now: () => Date;
  sqliteBinding?: string;
  timeoutMs?: number;
}

const secretName = (kind: StoredBackend['kind']) => `backend.${kind}`;

export function readSecret(secrets: SecretStore, kind: StoredBackend['kind']): string | null {
  return kind === 'demo' ? null : secrets.get(secretName(kind));
}

export function writeSecret(secrets: SecretStore, kind: StoredBackend['kind'], secret: string | null): void {
  if (kind === 'demo') return;
  if (secret === null) secrets.delete(secretName(kind));
  else secrets.set(secretName(kind), secret);
}

function invalid(field: string, message: string): TillError {
  return new TillError('ValidationError', message, [{ path: field, message }]);
}

/** BackendError('Rejected') from a parser becomes a ValidationError naming the field. */
function parsing<T>(field: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof BackendError || err instanceof Error) throw invalid(field, err.message);
    throw err;
  }
}

/**
 * What to save for `input`. A blank secret keeps the one saved for the same kind of backend,
 * so a manager editing an address does not have to paste the macaroon again.
 */
export function resolveInput(
  input: BackendInput,
  saved: { config: StoredBackend; secret: string | null },
): { config: StoredBackend; secret: string | null } {
  const keep = (given: string | undefined): string | null =>
    given && given !== '' ? given : saved.config.kind === input.kind ? saved.secret : null;
  switch (input.kind) {
    case 'demo':
      return { config: DEMO, secret: null };
    case 'lnd': {
      if (input.uri) {
        const parsed = parsing('uri', () => parseLndConfig({ uri: input.uri }));
        return {
          config: {
            kind: 'lnd',
            network: input.network,
            restUrl: parsed.restUrl,
            tlsCert: parsed.tlsCertPem,
          },
          secret: parsed.macaroonHex,
        };
      }
      const macaroon = keep(input.macaroon);
      if (macaroon === null) throw invalid('macaroon', 'Paste a macaroon (invoice.macaroon is enough).');
      const parsed = parsing('restUrl', () =>
        parseLndConfig({ restUrl: input.restUrl ?? '', tlsCert: input.tlsCert ?? '', macaroon }),
      );
      return {
        config: { kind: 'lnd', network: input.network, restUrl: parsed.restUrl, tlsCert: parsed.tlsCertPem },
        secret: parsed.macaroonHex,
      };
    }
    case 'lnbits': {
      const key = keep(input.invoiceKey);
      if (key === null) throw invalid('invoiceKey', 'Paste the wallet’s Invoice/read key.');
      const parsed = parsing('url', () => parseLnbitsConfig({ url: input.url, invoiceKey: key }));
      return {
        config: { kind: 'lnbits', network: input.network, url: parsed.url },
        secret: parsed.invoiceKey,
      };
    }
    case 'nwc': {
      const uri = keep(input.uri);
      if (uri === null) throw invalid('uri', 'Paste the wallet’s nostr+walletconnect:// connection URI.');
      const parsed = parsing('uri', () => parseNwcUri(uri));
      return { config: { kind: 'nwc', network: input.network, relays: parsed.relays }, secret: uri.trim() };
    }
    case 'cln': {
      const rune = keep(input.rune);
      if (rune === null) throw invalid('rune', 'Paste a rune (restricted to invoices is enough).');
      const parsed = parsing('url', () =>
        parseClnConfig({ url: input.url, rune, caCert: input.caCert ?? '' }),
      );
      return {
        config: { kind: 'cln', network: input.network, url: parsed.url, caCert: parsed.caCertPem },
        secret: parsed.rune,
      };
    }
  }
}

export function describeConfig(config: StoredBackend, secret: string | null): BackendConfig {
  return config.kind === 'demo' ? config : { ...config, hasSecret: secret !== null };
}

export function createBackend(
  config: StoredBackend,
  secret: string | null,
  deps: BackendDeps,
): LightningBackend {
  const opts = { now: deps.now, ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}) };
  switch (config.kind) {
    case 'demo':
      return createDemoBackend({ dataDir: deps.dataDir, now: deps.now, sqliteBinding: deps.sqliteBinding });
    case 'lnd':
      if (secret === null)
        throw new TillError('NotAuthorized', 'No macaroon is saved for LND: paste it in Settings.');
      return createLndBackend(
        {
          restUrl: config.restUrl,
          tlsCertPem: config.tlsCert ? normaliseCertificate(config.tlsCert) : null,
          macaroonHex: secret,
        },
        opts,
      );
    case 'lnbits':
      if (secret === null)
        throw new TillError('NotAuthorized', 'No LNbits key is saved: paste it in Settings.');
      return createLnbitsBackend({ url: config.url, invoiceKey: secret }, opts);
    case 'nwc':
      if (secret === null)
        throw new TillError('NotAuthorized', 'No NWC connection is saved: paste it in Settings.');
      return createNwcBackend(parseNwcUri(secret), opts);
    case 'cln':
      if (secret === null)
        throw new TillError('NotAuthorized', 'No rune is saved for Core Lightning: paste it in Settings.');
      return createClnBackend({ url: config.url, rune: secret, caCertPem: config.caCert }, opts);
  }
}

/** The saved connection (SQLite) with every field it needs, whatever kind it is. */
const Stored = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('demo'), network: z.literal('regtest') }),
  z.object({
    kind: z.literal('lnd'),
    network: Network,
    restUrl: z.string().min(1),
    tlsCert: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('cln'),
    network: Network,
    url: z.string().min(1),
    caCert: z.string().nullable(),
  }),
  z.object({ kind: z.literal('nwc'), network: Network, relays: z.array(z.string()) }),
  z.object({ kind: z.literal('lnbits'), network: Network, url: z.string().min(1) }),
]) satisfies z.ZodType<StoredBackend>;

/**
 * Reads a saved connection back from SQLite: nothing saved is the demo node; a saved one that
 * cannot be read is a problem a manager must see, never a quiet switch to the demo node (the
 * till would go on taking "payments" that are not real).
 */
export function parseStored(
  value: unknown,
): { ok: true; config: StoredBackend } | { ok: false; kind: BackendKind; problem: string } {
  if (value === null || value === undefined) return { ok: true, config: DEMO };
  const parsed = Stored.safeParse(value);
  if (parsed.success) return { ok: true, config: parsed.data };
  const kind = BackendKind.safeParse((value as { kind?: unknown } | null)?.kind);
  return {
    ok: false,
    kind: kind.success ? kind.data : 'demo',
    problem:
      'The saved Lightning node settings cannot be read, so the till takes no Lightning payments: a manager should connect the node again in Settings → Lightning node.',
  };
}

/** A saved backend that cannot be built or read: every call says why. */
export function unavailableBackend(kind: BackendKind, message: string): LightningBackend {
  const fail = () => Promise.reject(new BackendError('NotAuthorized', message));
  return {
    kind,
    getInfo: fail,
    createInvoice: fail,
    lookupInvoice: fail,
    latestCursor: fail,
    listInvoices: fail,
    subscribeSettlements: () => {
      throw new BackendError('NotAuthorized', message);
    },
    close: () => Promise.resolve(),
  };
}

/** The connection saved in Settings, live — or, when it cannot be, a backend that says why. */
export function openSaved(
  value: unknown,
  secrets: SecretStore,
  deps: BackendDeps,
): { stored: StoredBackend; backend: LightningBackend } {
  const parsed = parseStored(value);
  if (!parsed.ok) {
    // The network is unknown: regtest here matches no real node, so nothing is taken by mistake.
    return { stored: DEMO, backend: unavailableBackend(parsed.kind, parsed.problem) };
  }
  try {
    return {
      stored: parsed.config,
      backend: createBackend(parsed.config, readSecret(secrets, parsed.config.kind), deps),
    };
  } catch (err) {
    return {
      stored: parsed.config,
      backend: unavailableBackend(parsed.config.kind, err instanceof Error ? err.message : String(err)),
    };
  }
}
