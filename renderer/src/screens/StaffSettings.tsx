import { useCallback, useEffect, useState } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import type { Role, StaffMember } from '../../../shared/domain/index.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { ROLE_LABEL } from '../access.js';
import { digits } from '../components/ChangePin.js';
import { useShell } from '../context.js';
import { errorMessage } from '../till-client.js';

const ROLES: Role[] = ['cashier', 'manager', 'owner'];
const PIN = /^\d{4,8}$/;
type Errors = Record<string, string>;

/** The till's answer beside the field it is about; a refusal of the whole change under the form. */
function errorsOf(err: unknown, field = 'form'): Errors {
  if (err instanceof TillError && err.issues?.length) {
    return Object.fromEntries(err.issues.map((i) => [i.path || field, i.message]));
  }
  return { [field]: errorMessage(err) };
}

/** A new PIN typed twice, checked here before the till sees it. */
function pinErrors(pin: string, again: string): Errors {
  if (!PIN.test(pin)) return { pin: 'A PIN is 4 to 8 digits' };
  if (pin !== again) return { again: 'The two PINs are not the same: type it again.' };
  return {};
}

function Err({ errors, field, testid }: { errors: Errors; field: string; testid: string }) {
  return errors[field] ? (
    <span className="field-error" role="alert" data-testid={testid}>
      {errors[field]}
    </span>
  ) : null;
}

function PinFields({
  pin,
  again,
  setPin,
  setAgain,
  errors,
  prefix,
  label = 'PIN (4 to 8 digits)',
}: {
  pin: string;
  again: string;
  setPin: (v: string) => void;
  setAgain: (v: string) => void;
  errors: Errors;
  prefix: string;
  label?: string;
}) {
  return (
    <>
      <label>
        {label}
        <input
          type="password"
          inputMode="numeric"
          autoComplete="off"
          maxLength={8}
          value={pin}
          onChange={(e) => setPin(digits(e.target.value))}
          data-testid={`${prefix}-pin`}
        />
        <Err errors={errors} field="pin" testid={`${prefix}-pin-error`} />
      </label>
      <label>
        PIN again
        <input
          type="password"
          inputMode="numeric"
          autoComplete="off"
          maxLength={8}
          value={again}
          onChange={(e) => setAgain(digits(e.target.value))}
          data-testid={`${prefix}-pin-again`}
        />
        <Err errors={errors} field="again" testid={`${prefix}-pin-again-error`} />
      </label>
    </>
  );
}

/**
 * The owner's staff list: who works the till and with which role, adding a person with their own
 * PIN (typed twice), renaming, changing a role, resetting a forgotten PIN, and deactivating
 * someone who left (kept in the list: their sales and the audit still name them). The till's
 * refusals ("Someone already has that PIN", "The till needs an owner") show beside the field.
 */
export function StaffSettings() {
  const { till, run, toast } = useShell();
  const [staff, setStaff] = useState<StaffMember[] | null>(null);
  const [editing, setEditing] = useState<string | null>(null);

  const load = useCallback(() => run(async () => setStaff((await till.listStaff()).staff)), [till, run]);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="card staff" data-no-scan data-testid="staff">
      <h2>Staff</h2>
      <p className="muted">
        Cashiers sell; managers also approve discounts above the limit, refunds and reconciliation; owners
        also change settings and staff. Each person signs in with their own PIN.
      </p>
      <ul className="staff-list">
        {staff?.map((m) => (
          <li key={m.id} className={m.active ? 'staff-row' : 'staff-row inactive'} data-testid="staff-row">
            {editing === m.id ? (
              <EditMember
                member={m}
                onDone={(changed) => {
                  if (changed) toast('good', `${changed.name} saved`);
                  setEditing(null);
                  void load();
                }}
                onChanged={() => void load()}
              />
            ) : (
              <>
                <span className="staff-name" data-testid="staff-name">
                  {m.name}
                </span>
                <span className={`role-badge ${m.role}`} data-testid="staff-role">
                  {ROLE_LABEL[m.role]}
                </span>
                <span className="staff-state" data-testid="staff-state">
                  {m.active ? 'Active' : 'Deactivated'}
                </span>
                <button className="btn small" data-testid="staff-edit" onClick={() => setEditing(m.id)}>
                  Edit
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      <ApprovalLimit />
      <AddMember
        onAdded={(m) => {
          toast('good', `${m.name} can sign in now`);
          void load();
        }}
      />
    </section>
  );
}

function AddMember({ onAdded }: { onAdded: (m: StaffMember) => void }) {
  const { till } = useShell();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('cashier');
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [working, setWorking] = useState(false);
  // Typing in a field takes away what was said about it (the till's answer was about the old value).
  const edited =
    <T,>(field: string, set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setErrors(({ [field]: _, form: __, ...rest }) => rest);
    };

  const add = async () => {
    const wrong: Errors = { ...pinErrors(pin, again) };
    if (!name.trim()) wrong.name = 'Enter the person’s name';
    setErrors(wrong);
    if (Object.keys(wrong).length > 0 || working) return;
    setWorking(true);
    try {
      const added = await till.addStaff({ name: name.trim(), role, pin });
      setName('');
      setPin('');
      setAgain('');
      setRole('cashier');
      onAdded(added);
    } catch (err) {
      setErrors(errorsOf(err));
    } finally {
      setWorking(false);
    }
  };

  return (
    <form
      className="staff-add"
      data-testid="staff-add"
      onSubmit={(e) => {
        e.preventDefault();
        void add();
      }}
    >
      <h3>Add a person</h3>
      <label>
        Name
        <input
          value={name}
          maxLength={MAX_LENGTH.staffName}
          onChange={(e) => edited('name', setName)(e.target.value)}
          data-testid="add-name"
        />
        <Err errors={errors} field="name" testid="add-name-error" />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="add-role">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABEL[r]}
            </option>
          ))}
        </select>
        <Err errors={errors} field="role" testid="add-role-error" />
      </label>
      <PinFields
        pin={pin}
        again={again}
        setPin={edited('pin', setPin)}
        setAgain={edited('again', setAgain)}
        errors={errors}
        prefix="add"
      />
      <Err errors={errors} field="form" testid="add-error" />
      <button className="btn primary" data-testid="add-staff" disabled={working}>
        Add
      </button>
    </form>
  );
}

function EditMember({
  member,
  onDone,
  onChanged,
}: {
  member: StaffMember;
  onDone: (changed: StaffMember | null) => void;
  onChanged: () => void;
}) {
  const { till, toast } = useShell();
  const [name, setName] = useState(member.name);
  const [role, setRole] = useState<Role>(member.role);
  const [resetting, setResetting] = useState(false);
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [working, setWorking] = useState(false);

  const update = async (patch: { name?: string; role?: Role; pin?: string; active?: boolean }) => {
    if (working) return null;
    setWorking(true);
    try {
      return await till.updateStaff({ staffId: member.id, ...patch });
    } catch (err) {
      // "The till needs an owner" beside the role it is about.
      setErrors(errorsOf(err, patch.role !== undefined ? 'role' : 'form'));
      return null;
    } finally {
      setWorking(false);
    }
  };

  const save = async () => {
    setErrors({});
    if (!name.trim()) return setErrors({ name: 'Enter the person’s name' });
    const patch: { name?: string; role?: Role } = {};
    if (name.trim() !== member.name) patch.name = name.trim();
    if (role !== member.role) patch.role = role;
    if (Object.keys(patch).length === 0) return onDone(null);
    const changed = await update(patch);
    if (changed) onDone(changed);
  };

  const savePin = async () => {
    const wrong = pinErrors(pin, again);
    setErrors(wrong);
    if (Object.keys(wrong).length > 0) return;
    const changed = await update({ pin });
    if (changed) {
      toast('good', `${changed.name}’s PIN is changed`);
      setResetting(false);
      setPin('');
      setAgain('');
    }
  };

  const setActive = async (active: boolean) => {
    setErrors({});
    const changed = await update({ active });
    if (changed) {
      toast('good', `${changed.name} ${active ? 'can sign in again' : 'can no longer sign in'}`);
      onChanged();
      onDone(null);
    }
  };

  return (
    <form
      className="staff-edit"
      data-testid="staff-editing"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        Name
        <input
          value={name}
          maxLength={MAX_LENGTH.staffName}
          onChange={(e) => setName(e.target.value)}
          data-testid="edit-name"
        />
        <Err errors={errors} field="name" testid="edit-name-error" />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="edit-role">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABEL[r]}
            </option>
          ))}
        </select>
        <Err errors={errors} field="role" testid="edit-role-error" />
      </label>
      {resetting && (
        <PinFields
          pin={pin}
          again={again}
          setPin={setPin}
          setAgain={setAgain}
          errors={errors}
          prefix="edit"
          label="New PIN (4 to 8 digits)"
        />
      )}
      <Err errors={errors} field="form" testid="edit-error" />
      <div className="actions">
        {resetting ? (
          <button
            type="button"
            className="btn primary"
            data-testid="edit-save-pin"
            onClick={() => void savePin()}
          >
            Save PIN
          </button>
        ) : (
          <button className="btn primary" data-testid="edit-save" disabled={working}>
            Save
          </button>
        )}
        <button
          type="button"
          className="btn"
          data-testid="edit-reset-pin"
          onClick={() => {
            setErrors({});
            setResetting(!resetting);
          }}
        >
          {resetting ? 'Keep the PIN' : 'Reset PIN'}
        </button>
        {member.active ? (
          <button
            type="button"
            className="btn danger"
            data-testid="edit-deactivate"
            onClick={() => void setActive(false)}
          >
            Deactivate
          </button>
        ) : (
          <button
            type="button"
            className="btn"
            data-testid="edit-reactivate"
            onClick={() => void setActive(true)}
          >
            Reactivate
          </button>
        )}
        <button type="button" className="btn ghost" data-testid="edit-cancel" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The discount above which a cashier needs a manager's PIN, typed on their own screen. */
function ApprovalLimit() {
  const { till, run, toast } = useShell();
  const [percent, setPercent] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void run(async () => setPercent(String((await till.getSettings()).discountApprovalPercent)));
  }, [till, run]);

  const save = async () => {
    const n = Number(percent);
    if (!/^\d{1,3}$/.test(percent.trim()) || n > 100) {
      setError('Enter a whole percentage from 0 to 100');
      return;
    }
    setError(null);
    try {
      setPercent(String((await till.updateSettings({ discountApprovalPercent: n })).discountApprovalPercent));
      toast('good', 'Approval limit saved');
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <form
      className="staff-approval"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        A cashier’s discount above this needs a manager (% off; 100: never)
        <span className="inline-field">
          <input
            data-testid="approval-percent"
            inputMode="numeric"
            maxLength={3}
            value={percent}
            onChange={(e) => setPercent(e.target.value.replace(/\D/g, ''))}
          />
          <button className="btn" data-testid="save-approval">
            Save limit
          </button>
        </span>
        {error && (
          <span className="field-error" data-testid="approval-error">
            {error}
          </span>
        )}
      </label>
    </form>
  );
}
