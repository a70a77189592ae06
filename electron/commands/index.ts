import type { Handlers, TillContext } from './context.js';
import { displayCommands } from './display.js';
import { openJournalCommands } from './journal.js';
import { nodeCommands } from './node.js';
import { offlinePayCommands } from './offline-pay.js';
import { parkedCommands } from './parked.js';
import { pricingCommands } from './pricing.js';
import { printingCommands } from './printing.js';
import { reconcileCommands } from './reconcile.js';
import { refundCommands } from './refunds.js';
import { registerCommands } from './register.js';
import { salesCommands } from './sales.js';
import { cardCommands } from './cards.js';
import { settingsCommands } from './settings.js';
import { shiftCommands } from './shifts.js';
import { shopifyCommands } from './shopify.js';
import { staffCommands } from './staff.js';

export type { Handlers, TillContext } from './context.js';

/** Every Command's handler, by area; `satisfies Handlers` fails the build when one is missing. */
export function commandHandlers(ctx: TillContext) {
  return {
    ...openJournalCommands,
    ...staffCommands(ctx),
    ...registerCommands(ctx),
    ...displayCommands(ctx),
    ...parkedCommands(ctx),
    ...salesCommands(ctx),
    ...cardCommands(ctx),
    ...offlinePayCommands(ctx),
    ...refundCommands(ctx),
    ...settingsCommands(ctx),
    ...pricingCommands(ctx),
    ...printingCommands(ctx),
    ...nodeCommands(ctx),
    ...shopifyCommands(ctx),
    ...reconcileCommands(ctx),
    ...shiftCommands(ctx),
  } satisfies Handlers;
}
