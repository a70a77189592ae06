import { z } from 'zod';
import { MAX_LENGTH } from './limits.js';

/**
 * Who works the till. A cashier sells; a manager also approves (discounts above the limit,
 * refunds, voids, paid in/out, reports, reconciliation repairs, a spending credential); an owner
 * also runs the shop (staff, settings, node and Shopify credentials). Each role can do all the
 * one before it can.
 */
export const Role = z.enum(['cashier', 'manager', 'owner']);
export type Role = z.infer<typeof Role>;

export const ROLE_RANK: Record<Role, number> = { cashier: 1, manager: 2, owner: 3 };

/** True when `role` may do what `needed` may. */
export function roleCovers(role: Role, needed: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[needed];
}

/** A staff PIN as typed: 4 to 8 digits. */
export const Pin = z
  .string()
  .max(8, { message: 'A PIN is 4 to 8 digits', abort: true })
  .regex(/^\d{4,8}$/, 'A PIN is 4 to 8 digits');

export const StaffName = z
  .string()
  .trim()
  .min(1, 'Enter the person’s name')
  .max(MAX_LENGTH.staffName, `Keep the name under ${MAX_LENGTH.staffName} characters`);

/** A staff member as the screens see them: never the PIN or its hash. */
export const StaffMember = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  active: z.boolean(),
  createdAt: z.string(),
});
export type StaffMember = z.infer<typeof StaffMember>;

/** Who is signed in on this till now. */
export const Session = z.object({
  staffId: z.string(),
  name: z.string(),
  role: Role,
  since: z.string(),
});
export type Session = z.infer<typeof Session>;

/** One change made on the till: who (and which manager approved it), what, when. */
export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  tillId: z.string(),
  staffId: z.string().nullable(),
  staffName: z.string().nullable(),
  approverId: z.string().nullable(),
  approverName: z.string().nullable(),
  /** The command, or a till event such as `unlockRefused`. */
  action: z.string(),
  /** What it was about, in a few words (ids, amounts, names; never a PIN or a secret). */
  detail: z.string(),
  /** `done`, or `refused` with why. */
  outcome: z.enum(['done', 'refused']),
  saleId: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
