import { clnHarness } from '../../test-support/harnesses.js';
import { describeLightningBackend } from '../../test-support/lightning-suite.js';

describeLightningBackend('Core Lightning (clnrest)', clnHarness);
