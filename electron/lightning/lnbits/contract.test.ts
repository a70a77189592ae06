import { randomUUID } from 'node:crypto';
import { manualClock } from '../../test-support/fixtures.js';
import { startLnbitsFake } from '../../test-support/fakes/lnbits.js';
import { describeLightningBackend } from '../../test-support/lightning-suite.js';
import { createLnbitsBackend } from './backend.js';
import { parseLnbitsConfig } from './config.js';

describeLightningBackend('LNbits', async ({ timeoutMs }) => {
  const clock = manualClock();
  const fake = await startLnbitsFake({ now: clock.now });
  const connect = (invoiceKey: string) =>
    createLnbitsBackend(parseLnbitsConfig({ url: fake.url, invoiceKey }), { now: clock.now, timeoutMs });
  const backend = connect(fake.invoiceKey);
  return {
    backend,
    clock,
    pay: (hash) => Promise.resolve(fake.pay(hash)),
    faults: {
      dropConnections: () => fake.dropConnections(),
      // A well-formed key of no wallet on this server: LNbits answers 404 "Wallet not found.".
      badCredentials: () => connect(randomUUID().replace(/-/g, '')),
      misbehave: (mode) => fake.misbehave(mode),
    },
    close: async () => {
      await backend.close();
      await fake.close();
    },
  };
});
