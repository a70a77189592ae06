import { TillError } from '../../shared/contract/index.js';
import { BackendError, type BackendErrorKind } from '../lightning/backend.js';

const advice: Record<BackendErrorKind, (what: string) => string> = {
  Unreachable: (what) =>
    `Could not ${what}: the Lightning node is unreachable. Check its connection and try again.`,
  Timeout: (what) => `Could not ${what}: the Lightning node did not answer in time. Try again.`,
  NotAuthorized: (what) =>
    `Could not ${what}: the Lightning node refused the till's credentials. A manager should check Settings.`,
  BadCertificate: (what) =>
    `Could not ${what}: the node's TLS certificate does not match the one in Settings. A manager should paste the node's current certificate.`,
  BadResponse: (what) => `Could not ${what}: the Lightning node sent an answer the till does not understand.`,
  Rejected: (what) => `Could not ${what}: the Lightning node refused the request.`,
};

/** Backend failures mapped once, at the till's boundary, into words a cashier can act on. */
export function backendErrorToTillError(err: unknown, what: string): TillError {
  if (err instanceof TillError) return err;
  if (err instanceof BackendError) {
    const kind =
      err.kind === 'NotAuthorized' || err.kind === 'BadCertificate' ? 'NotAuthorized' : 'BackendUnavailable';
    return new TillError(kind, `${advice[err.kind](what)} (${err.message})`);
  }
  return new TillError(
    'BackendUnavailable',
    `Could not ${what}: ${err instanceof Error ? err.message : String(err)}`,
  );
}
