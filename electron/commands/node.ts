import { TillError } from '../../shared/contract/index.js';
import type { BackendInput, NodeCheck } from '../../shared/domain/index.js';
import type { LightningBackend } from '../lightning/backend.js';
import { checkNode, isDemoBackend } from '../lightning/connection.js';
import { writeSettingValue } from '../journal/settings.js';
import {
  BACKEND_SETTING,
  createBackend,
  describeConfig,
  readSecret,
  resolveInput,
  writeSecret,
  type StoredBackend,
} from '../lightning/registry.js';
import type { Handlers, TillContext } from './context.js';

/** Settings → Lightning node: test a connection, save it and switch to it without a restart. */
export function nodeCommands({ db, node, flow, secrets, backendDeps, log, status }: TillContext) {
  function candidateFor(input: BackendInput): {
    config: StoredBackend;
    secret: string | null;
    backend: LightningBackend;
  } {
    const saved = node.stored();
    const resolved = resolveInput(input, { config: saved, secret: readSecret(secrets, saved.kind) });
    const current = node.backend();
    if (resolved.config.kind === 'demo' && isDemoBackend(current)) {
      return { ...resolved, backend: current };
    }
    return { ...resolved, backend: createBackend(resolved.config, resolved.secret, backendDeps) };
  }

  const release = async (candidate: LightningBackend) => {
    if (candidate !== node.backend()) await candidate.close();
  };

  return {
    getBackendConfig: () => {
      const saved = node.stored();
      return describeConfig(saved, readSecret(secrets, saved.kind));
    },
    testBackend: async ({ backend: input }) => {
      const candidate = candidateFor(input);
      try {
        return await checkNode(candidate.backend, candidate.config.network);
      } finally {
        await release(candidate.backend);
      }
    },
    saveBackend: async ({ backend: input, acceptSpending }) => {
      const active = flow.activeSaleId();
      if (active !== null && flow.get(active).state === 'awaiting_payment') {
        throw new TillError(
          'InvalidState',
          'A sale is waiting for payment: finish or cancel it before switching nodes.',
        );
      }
      const candidate = candidateFor(input);
      let result: NodeCheck;
      try {
        result = await checkNode(candidate.backend, candidate.config.network);
        if (result.problems.length > 0) {
          throw new TillError('InvalidState', `Nothing was saved. ${result.problems.join(' ')}`);
        }
        if (result.permissions.sendPayments && !acceptSpending) {
          throw new TillError(
            'NotAuthorized',
            'Nothing was saved: this credential can spend the node’s funds, and a till needs only to create and read invoices. Use a receive-only credential, or have a manager accept the risk.',
          );
        }
      } catch (err) {
        await release(candidate.backend);
        throw err;
      }
      // The secret first: a crash in between leaves the old address with a secret it ignores,
      // never a saved address without its secret.
      writeSecret(secrets, candidate.config.kind, candidate.secret);
      writeSettingValue(db, BACKEND_SETTING, candidate.config);
      if (candidate.backend !== node.backend()) {
        await node.switchTo(candidate.backend, candidate.config);
        // Give the new subscription a moment, so the screen shows "connected", not "connecting".
        await node.settled(3_000);
      }
      log(`switched to the ${candidate.config.kind} backend (${result.alias}, ${result.network})`);
      return status();
    },
  } satisfies Partial<Handlers>;
}
