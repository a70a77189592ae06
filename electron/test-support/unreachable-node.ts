import { join } from 'node:path';
import { BackendError, type LightningBackend } from '../lightning/backend.js';
import { createDemoBackend } from '../lightning/demo/backend.js';

/** A demo node that never answers: the shop's internet is down (offline Lightning, issue 17). */
export function unreachableNode(dataDir: string, now: () => Date): LightningBackend {
  const demo = createDemoBackend({ dataDir: join(dataDir, 'node'), now });
  const down = () => Promise.reject(new BackendError('Unreachable', 'connect ECONNREFUSED 127.0.0.1:8080'));
  return {
    kind: 'demo',
    getInfo: down,
    createInvoice: down,
    lookupInvoice: down,
    subscribeSettlements: (opts) => demo.subscribeSettlements(opts),
    latestCursor: () => demo.latestCursor(),
    listInvoices: (req) => demo.listInvoices(req),
    close: () => demo.close(),
  };
}
