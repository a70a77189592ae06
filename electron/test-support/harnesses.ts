import { randomUUID } from 'node:crypto';
import { createClnBackend } from '../lightning/cln/backend.js';
import { parseClnConfig } from '../lightning/cln/config.js';
import { createDemoBackend } from '../lightning/demo/backend.js';
import { createLnbitsBackend } from '../lightning/lnbits/backend.js';
import { parseLnbitsConfig } from '../lightning/lnbits/config.js';
import { createLndBackend } from '../lightning/lnd/backend.js';
import { parseLndConfig } from '../lightning/lnd/config.js';
import { createNwcBackend } from '../lightning/nwc/backend.js';
import { parseNwcUri } from '../lightning/nwc/config.js';
import { TEST_CERT } from './fakes/http-fake.js';
import { startClnFake, TILL_RESTRICTIONS } from './fakes/cln.js';
import { startLnbitsFake } from './fakes/lnbits.js';
import { startLndFake, TILL_OPS } from './fakes/lnd.js';
import { startNwcFake, TILL_METHODS, type NwcFakeOptions } from './fakes/nwc.js';
import { manualClock, tempDir } from './fixtures.js';
import type { MakeHarness } from './lightning-suite.js';

/**
 * Each backend wired to its fake, as the contract suite and the benchmark both use them:
 * a till-grade credential, a shared manual clock, and the server's faults.
 */

export const demoHarness: MakeHarness = () => {
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
};

export const lndHarness: MakeHarness = async ({ timeoutMs }) => {
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
      ignoreDescriptionHash: () => fake.ignoreDescriptionHash(),
    },
    close: async () => {
      await backend.close();
      await fake.close();
    },
  };
};

export const lnbitsHarness: MakeHarness = async ({ timeoutMs }) => {
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
      ignoreDescriptionHash: () => fake.ignoreDescriptionHash(),
    },
    close: async () => {
      await backend.close();
      await fake.close();
    },
  };
};

export function nwcHarness(wallet: Omit<NwcFakeOptions, 'now'>): MakeHarness {
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
        ignoreDescriptionHash: () => fake.ignoreDescriptionHash(),
      },
      close: async () => {
        await backend.close();
        await fake.close();
      },
    };
  };
}

export const clnHarness: MakeHarness = async ({ timeoutMs }) => {
  const clock = manualClock();
  const fake = await startClnFake({ now: clock.now });
  const connect = (rune: string) =>
    createClnBackend(parseClnConfig({ url: fake.url, rune, caCert: fake.caCert }), {
      now: clock.now,
      timeoutMs,
    });
  const backend = connect(fake.mintRune({ restrictions: TILL_RESTRICTIONS }));
  return {
    backend,
    clock,
    pay: (hash) => Promise.resolve(fake.pay(hash)),
    faults: {
      dropConnections: () => fake.restart(),
      // Well-formed, but not made by this node: its state does not match the restrictions.
      badCredentials: () =>
        connect(fake.mintRune({ restrictions: [] }).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))),
      misbehave: (mode) => fake.misbehave(mode),
      ignoreDescriptionHash: () => fake.ignoreDescriptionHash(),
    },
    // invoice.json deschashonly: lightningd hashes the description it is given.
    hashNeedsText: true,
    close: async () => {
      await backend.close();
      await fake.close();
    },
  };
};
