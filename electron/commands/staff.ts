import { TillError } from '../../shared/contract/index.js';
import { roleCovers } from '../../shared/domain/index.js';
import { currentActor } from '../staff/actor.js';
import { needsApproval } from '../staff/gate.js';
import type { Handlers, TillContext } from './context.js';

/** The PIN pad, staff and the audit (who may run each: shared/contract/access.ts). */
export function staffCommands({ staff, audit, status, statusChanged }: TillContext) {
  return {
    unlock: async ({ pin }) => {
      await staff.unlock(pin);
      statusChanged();
      return status();
    },
    lock: () => {
      staff.lock();
      statusChanged();
      return status();
    },
    listStaff: () => ({ staff: staff.list() }),
    addStaff: (input) => staff.add(input),
    updateStaff: async ({ staffId, currentPin, ...patch }) => {
      const actor = currentActor();
      const owner =
        actor !== null && (roleCovers(actor.staff.role, 'owner') || actor.approver?.role === 'owner');
      const self = actor?.staff.staffId === staffId;
      const onlyOwnPin = self && patch.pin !== undefined && Object.keys(patch).every((k) => k === 'pin');
      if (!owner && !onlyOwnPin) throw needsApproval('owner');
      if (onlyOwnPin && !owner && currentPin === undefined) {
        throw new TillError('ValidationError', 'Enter your current PIN to change it.', [
          { path: 'currentPin', message: 'Enter your current PIN to change it.' },
        ]);
      }
      const member = await staff.update(staffId, patch, { currentPin, self: !owner });
      statusChanged();
      return member;
    },
    listAudit: (filter) => audit.list(filter),
  } satisfies Partial<Handlers>;
}
