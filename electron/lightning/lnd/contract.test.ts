import { manualClock } from '../../test-support/fixtures.js';
import { TEST_CERT } from '../../test-support/fakes/http-fake.js';
import { startLndFake, TILL_OPS } from '../../test-support/fakes/lnd.js';
import { describeLightningBackend } from '../../test-support/lightning-suite.js';
import { createLndBackend } from './backend.js';
import { parseLndConfig } from './config.js';

describeLightningBackend('LND (REST)', async ({ timeoutMs }) => {
  const clock = manualClock();
  const fake = await startLndFake({ now: clock.now });
  const connect = (macaroon: string) =>
    createLndBackend(parseLndConfig({ restUrl: fake.url, tlsCert: TEST_CERT, macaroon }), {
      now: clock.now,
      timeoutMs,
    });
  const backend = connect(fake.macaroon(TILL_OPS));
  return {
    backend,
    clock,
    pay: (hash) => Promise.resolve(fake.pay(hash)),
    faults: {
      dropConnections: () => fake.dropConnections(),
      // Well-formed, but baked by some other node: LND cannot verify it.
      badCredentials: () => connect(fake.macaroon(TILL_OPS).slice(0, -64) + '00'.repeat(32)),
      misbehave: (mode) => fake.misbehave(mode),
    },
    close: async () => {
      await backend.close();
      await fake.close();
    },
  };
});
