import { COMMAND_ACCESS } from '../../shared/contract/access.js';
import { TillError, type CommandName } from '../../shared/contract/index.js';
import { Pin, roleCovers, type Role } from '../../shared/domain/index.js';
import { runAs, type Actor } from './actor.js';
import { auditDetail, type Audit } from './audit.js';
import type { StaffService } from './staff.js';

const WHO: Record<Role, string> = {
  cashier: 'someone signed in',
  manager: 'a manager',
  owner: 'the owner',
};

/** The NeedsManager answer for a role that may not do this alone. */
export function needsApproval(needed: Role): TillError {
  return new TillError(
    'NeedsManager',
    needed === 'owner'
      ? 'Only the owner can do this: ask them to enter their PIN.'
      : `This needs ${WHO[needed]}: ask one to enter their PIN.`,
  );
}

/** Takes a manager's approval off a command's input, so the command's own schema never sees it. */
function takeApproval(input: unknown): { input: unknown; managerPin: string | undefined } {
  if (
    input === null ||
    typeof input !== 'object' ||
    Array.isArray(input) ||
    !Object.hasOwn(input, 'managerPin')
  ) {
    return { input, managerPin: undefined };
  }
  const { managerPin, ...rest } = input as Record<string, unknown>;
  const pin = Pin.safeParse(managerPin);
  if (!pin.success) {
    throw new TillError('ValidationError', 'A PIN is 4 to 8 digits', [
      { path: 'managerPin', message: 'A PIN is 4 to 8 digits' },
    ]);
  }
  return { input: rest, managerPin: pin.data };
}

function saleIdOf(input: unknown, output: unknown): string | null {
  const fromInput = (input as { saleId?: unknown } | null)?.saleId;
  if (typeof fromInput === 'string') return fromInput;
  const sale = output as { id?: unknown; number?: unknown; tender?: unknown } | null;
  return sale && typeof sale.id === 'string' && typeof sale.number === 'number' && 'tender' in sale
    ? sale.id
    : null;
}

/**
 * Who may run what (shared/contract/access.ts), enforced in one place for every host: nobody
 * signed in gets only the PIN pad; a role below the command's is answered NeedsManager, and the
 * same command sent again with the PIN of someone whose role may (`managerPin`) runs once, as the
 * signed-in person with that approver (electron/staff/actor.ts). Every change that runs is
 * audited with both names; a refused PIN is audited too. Nothing runs on a refusal.
 */
export function createGate(deps: {
  staff: StaffService;
  audit: Audit;
  locked: () => void;
  log: (message: string, err?: unknown) => void;
}) {
  const { staff } = deps;
  // The change already happened: a journal that cannot take the audit row is logged, not undone.
  const audit = {
    record(entry: Parameters<Audit['record']>[0]): void {
      try {
        deps.audit.record(entry);
      } catch (err) {
        deps.log(`could not audit ${entry.action}`, err);
      }
    },
  };

  return async function gate(
    name: CommandName,
    rawInput: unknown,
    run: (input: unknown) => Promise<unknown>,
  ): Promise<unknown> {
    const access = COMMAND_ACCESS[name];
    const { input, managerPin } = takeApproval(rawInput);
    if (staff.expireIdle()) deps.locked();
    const person = staff.touch();
    let actor: Actor | null = person ? { staff: person, approver: null } : null;

    try {
      if (access.role !== 'locked') {
        if (!person) throw new TillError('Locked', 'The till is locked: enter your PIN.');
        const covered = roleCovers(person.role, access.role);
        if (!covered && managerPin === undefined) throw needsApproval(access.role);
        if (managerPin !== undefined) {
          // A command the person may run alone can still carry an approval its handler asks for
          // (a discount above the limit): that needs a manager at least.
          const needed: Role = covered ? (access.role === 'owner' ? 'owner' : 'manager') : access.role;
          actor = { staff: person, approver: await staff.approver(managerPin, needed) };
        }
      }
    } catch (err) {
      if (err instanceof TillError && err.kind === 'NotAuthorized') {
        audit.record({
          actor,
          action: name,
          detail: 'approval refused: wrong PIN or role',
          outcome: 'refused',
        });
      }
      throw err;
    }

    try {
      const output = await runAs(actor, () => run(input));
      if (!access.reads) {
        // unlock is recorded as the person it signed in.
        const who = name === 'unlock' ? staff.touch() : null;
        audit.record({
          actor: who ? { staff: who, approver: null } : actor,
          action: name,
          detail: auditDetail(input),
          outcome: 'done',
          saleId: saleIdOf(input, output),
        });
      }
      return output;
    } catch (err) {
      if (err instanceof TillError && err.kind === 'NotAuthorized') {
        audit.record({ actor, action: name, detail: err.message, outcome: 'refused' });
      }
      throw err;
    }
  };
}
