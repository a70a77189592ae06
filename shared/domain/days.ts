/**
 * Local calendar days, as the contract names them (YYYY-MM-DD): the cashier's day, not UTC's.
 * One pair of functions for the till (Sales, Reconcile periods) and the screen (pickers, titles).
 */

/** The local day of `date`, `plusDays` later (negative: earlier). */
export function dayName(date: Date, plusDays = 0): string {
  const d = new Date(date.getFullYear(), date.getMonth(), date.getDate() + plusDays);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local midnight at the start of `day`, `plusDays` later. */
export function dayStart(day: string, plusDays = 0): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + plusDays);
}
