import { readFileSync } from 'node:fs';
import { isAbsolute, dirname, resolve } from 'node:path';
import { z } from 'zod';
import { BackendInput } from '../../shared/domain/index.js';
import { checkOfflineKey, type OfflineKey } from '../../shared/offline-pay/index.js';
import { checkPublicUrl } from '../lnurl-withdraw/address.js';
import { resolveInput, DEMO, type StoredBackend } from '../lightning/registry.js';

/**
 * The companion server's configuration (issue 17): a JSON file whose path is in the environment
 * variable LNURL_SERVER_CONFIG. See README "Lightning offline: the companion server".
 */

const Key = z.object({ id: z.string(), key: z.string() }).strict();

const File = z
  .object({
    /** Where it listens: 127.0.0.1 behind a reverse proxy (the default), 0.0.0.0 on a LAN box. */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(3002),
    /** The address wallets reach (https, or http on a LAN/loopback/onion host: LUD-01). */
    publicUrl: z.string().min(1),
    /** Every key accepted; during a rotation the old one and the new one. */
    keys: z.array(Key).min(1),
    /** Its own store (SQLite); relative to the config file. */
    dataDir: z.string().min(1),
    /**
     * The merchant's node, as Settings → Lightning node takes it: demo, lnd, cln, nwc or lnbits
     * (see README). Every backend makes LUD-06 description-hash invoices and refuses one that
     * does not commit to the metadata.
     */
    node: BackendInput,
    /** Lifetime of the invoices it asks of the node, seconds. */
    invoiceExpirySec: z.number().int().min(60).max(86_400).default(600),
  })
  .strict();

export interface CompanionConfig {
  host: string;
  port: number;
  publicUrl: string;
  keys: OfflineKey[];
  dataDir: string;
  node: { config: StoredBackend; secret: string | null };
  invoiceExpirySec: number;
}

export function parseCompanionConfig(value: unknown, baseDir: string): CompanionConfig {
  const parsed = File.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(
      `The companion config is not right${first ? ` at "${first.path.join('.')}": ${first.message}` : ''}.`,
    );
  }
  const c = parsed.data;
  for (const k of c.keys) checkOfflineKey(k);
  if (new Set(c.keys.map((k) => k.id)).size !== c.keys.length) throw new Error('Two keys have the same id.');
  return {
    host: c.host,
    port: c.port,
    publicUrl: checkPublicUrl(c.publicUrl),
    keys: c.keys,
    dataDir: isAbsolute(c.dataDir) ? c.dataDir : resolve(baseDir, c.dataDir),
    node: resolveInput(c.node, { config: DEMO, secret: null }),
    invoiceExpirySec: c.invoiceExpirySec,
  };
}

export function readCompanionConfig(path: string): CompanionConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the companion config ${path}: ${(err as Error).message}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`The companion config ${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseCompanionConfig(value, dirname(resolve(path)));
}
