import { TillError } from '../../shared/contract/index.js';
import type { BackendConfig, BackendInput, Network } from '../../shared/domain/index.js';
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

/** Parses a saved connection read back from SQLite; anything unreadable falls back to the demo node. */
export function parseStored(value: unknown): StoredBackend {
  if (value === null || typeof value !== 'object') return DEMO;
  const v = value as Record<string, unknown>;
  const network = v.network as Network;
  if (!['mainnet', 'testnet', 'signet', 'regtest'].includes(network)) return DEMO;
  const str = (k: string) => (typeof v[k] === 'string' ? v[k] : null);
  switch (v.kind) {
    case 'lnd':
      return str('restUrl')
        ? { kind: 'lnd', network, restUrl: str('restUrl')!, tlsCert: str('tlsCert') }
        : DEMO;
    case 'cln':
      return str('url') ? { kind: 'cln', network, url: str('url')!, caCert: str('caCert') } : DEMO;
    case 'nwc':
      return Array.isArray(v.relays)
        ? { kind: 'nwc', network, relays: v.relays.filter((r): r is string => typeof r === 'string') }
        : DEMO;
    case 'lnbits':
      return str('url') ? { kind: 'lnbits', network, url: str('url')! } : DEMO;
    default:
      return DEMO;
  }
}
