import { lndHarness } from '../../test-support/harnesses.js';
import { describeLightningBackend } from '../../test-support/lightning-suite.js';

describeLightningBackend('LND (REST)', lndHarness);
