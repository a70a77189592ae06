import { createBackend } from '../lightning/registry.js';
import { readCompanionConfig } from './config.js';
import { startCompanion } from './server.js';

/**
 * `npm run lnurl-server`: the companion server of offline Lightning (issue 17), run by the
 * merchant where the node is reachable. LNURL_SERVER_CONFIG names its JSON config (README,
 * "Lightning offline: the companion server").
 */
const path = process.env.LNURL_SERVER_CONFIG;
if (!path) {
  console.error(
    'Set LNURL_SERVER_CONFIG to the path of the companion server’s JSON config (see the README).',
  );
  process.exit(1);
}

async function main(configPath: string): Promise<void> {
  const config = readCompanionConfig(configPath);
  const node = createBackend(config.node.config, config.node.secret, {
    dataDir: config.dataDir,
    now: () => new Date(),
  });
  try {
    const info = await node.getInfo();
    console.log(`Lightning node: ${info.alias} (${info.network})`);
  } catch (err) {
    // The node may come later; invoices are asked of it per payment.
    console.warn(`The Lightning node does not answer yet: ${(err as Error).message}`);
  }
  const companion = await startCompanion({
    host: config.host,
    port: config.port,
    publicUrl: config.publicUrl,
    keys: config.keys,
    dataDir: config.dataDir,
    node,
    invoiceExpirySec: config.invoiceExpirySec,
    log: (message, err) => console.error(message, err instanceof Error ? err.message : (err ?? '')),
  });
  console.log(
    `Companion server listening on ${config.host}:${config.port}, reached as ${companion.url} (keys: ${config.keys
      .map((k) => k.id)
      .join(', ')})`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void companion
      .close()
      .then(() => node.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(path).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
