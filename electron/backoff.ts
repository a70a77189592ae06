/**
 * The one backoff of the till: how long to wait before trying again after `attempt` failures,
 * and a retry timer built on it whose clock is injected, so the node reconnect, the Shopify
 * outbox, the catalog's bulk poll and the image cache all wait the same way and tests drive
 * time by hand.
 */

export interface BackoffPolicy {
  /** The first wait. */
  baseMs: number;
  /** No wait is longer than this. */
  maxMs: number;
  /**
   * Spread each wait over [½, 1½) of itself, from a number in [0, 1): a fleet of tills that lost
   * the same node or store at once does not come back at the same instant.
   */
  jitter?: () => number;
}

/** base · 2^attempt, capped at max (attempt 0 is the first retry). */
export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  // 2^30 already exceeds any cap in milliseconds; clamping keeps the arithmetic finite.
  const exp = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const plain = Math.min(policy.maxMs, policy.baseMs * 2 ** exp);
  return policy.jitter ? Math.round(plain * (0.5 + policy.jitter())) : plain;
}

/** setTimeout and clearTimeout, or a test's hand-driven stand-in. */
export interface TimerClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: TimerClock = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending retry never keeps the process alive on its own.
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface Retrier {
  /** Runs `fn` after the next backoff delay, unless a retry is already scheduled. */
  schedule(fn: () => void): void;
  /** Forgets the failures (call on success): the next retry waits the base delay again. */
  reset(): void;
  /** Drops a scheduled retry, and the failures with it. */
  cancel(): void;
  readonly pending: boolean;
}

export function createRetrier(policy: BackoffPolicy, clock: TimerClock = systemClock): Retrier {
  let attempt = 0;
  let handle: unknown = null;
  return {
    schedule(fn) {
      if (handle !== null) return;
      const ms = backoffDelay(attempt++, policy);
      handle = clock.setTimeout(() => {
        handle = null;
        fn();
      }, ms);
    },
    reset() {
      attempt = 0;
    },
    cancel() {
      if (handle !== null) clock.clearTimeout(handle);
      handle = null;
      attempt = 0;
    },
    get pending() {
      return handle !== null;
    },
  };
}
