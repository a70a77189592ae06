import { manualClock, tempDir } from '../../test-support/fixtures.js';
import { describeLightningBackend } from '../../test-support/lightning-suite.js';
import { createDemoBackend } from './backend.js';

describeLightningBackend(
  'demo node',
  () => {
    const dir = tempDir('demo-contract-');
    const clock = manualClock();
    const backend = createDemoBackend({ dataDir: dir.path, now: clock.now });
    return Promise.resolve({
      backend,
      clock,
      pay: async (paymentHash: string) => void (await backend.simulatePayment(paymentHash)),
      faults: null,
      close: async () => {
        await backend.close();
        dir.remove();
      },
    });
  },
  { server: false },
);
