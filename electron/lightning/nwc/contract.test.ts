import { manualClock } from '../../test-support/fixtures.js';
import { startNwcFake, TILL_METHODS, type NwcFakeOptions } from '../../test-support/fakes/nwc.js';
import { describeLightningBackend, type MakeHarness } from '../../test-support/lightning-suite.js';
import { createNwcBackend } from './backend.js';
import { parseNwcUri } from './config.js';

function harness(wallet: Omit<NwcFakeOptions, 'now'>): MakeHarness {
  return async ({ timeoutMs }) => {
    const clock = manualClock();
    const fake = await startNwcFake({ now: clock.now, ...wallet });
    const connect = (uri: string) => createNwcBackend(parseNwcUri(uri), { now: clock.now, timeoutMs });
    const backend = connect(fake.connect(TILL_METHODS));
    return {
      backend,
      clock,
      pay: (hash) => Promise.resolve(fake.pay(hash)),
      faults: {
        dropConnections: () => fake.dropConnections(),
        // A secret the wallet never issued: it answers UNAUTHORIZED.
        badCredentials: () => connect(fake.strangerUri()),
        misbehave: (mode) => fake.misbehave(mode),
      },
      close: async () => {
        await backend.close();
        await fake.close();
      },
    };
  };
}

describeLightningBackend('NWC (NIP-44, two relays)', harness({ relays: 2 }));
// NIP-47: an info event without an `encryption` tag means the wallet speaks only NIP-04.
describeLightningBackend(
  'NWC (NIP-04 wallet, no encryption tag)',
  harness({ relays: 1, encryption: null, bareInfo: true }),
);
