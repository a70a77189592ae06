import { demoHarness } from '../../test-support/harnesses.js';
import { describeLightningBackend } from '../../test-support/lightning-suite.js';

describeLightningBackend('demo node', demoHarness, { server: false });
