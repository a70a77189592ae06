import { nwcHarness } from '../../test-support/harnesses.js';
import { describeLightningBackend } from '../../test-support/lightning-suite.js';

describeLightningBackend('NWC (NIP-44, two relays)', nwcHarness({ relays: 2 }));
// NIP-47: an info event without an `encryption` tag means the wallet speaks only NIP-04.
describeLightningBackend(
  'NWC (NIP-04 wallet, no encryption tag)',
  nwcHarness({ relays: 1, encryption: null, bareInfo: true }),
);
