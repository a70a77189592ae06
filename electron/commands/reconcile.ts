import type { Handlers, TillContext } from './context.js';

/** The Reconcile screen: runs over a period, their results, the CSV and the safe repairs. */
export function reconcileCommands({ reconciliation, settings, exportDir }: TillContext) {
  return {
    startReconcile: ({ from, to, everything }) =>
      reconciliation.start(from, to, settings.get().currency, everything),
    cancelReconcile: () => reconciliation.cancel(),
    getReconcile: async ({ outcome, offset, limit }) => ({
      run: reconciliation.current(),
      ...(await reconciliation.page(outcome, offset, limit)),
    }),
    exportReconcileCsv: () => reconciliation.exportCsv(exportDir),
    exportReconcileParquet: () => reconciliation.exportParquet(exportDir),
    applySafeRepairs: async () => {
      const { applied, skipped } = await reconciliation.applySafeRepairs();
      return { applied, skipped, run: reconciliation.current() };
    },
  } satisfies Partial<Handlers>;
}
