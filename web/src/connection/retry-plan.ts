/**
 * When the realtime socket tries again: consecutive failures (across client replacements, reset on connect) drive
 * the full-jitter backoff, and a close for too many connections (4430) waits a minute or two instead, spread so that
 * a user's tabs do not retry together. Waits are announced as `retry-scheduled` events, and `wake` cuts them short
 * (the browser came back online, the tab got focus, "Retry now").
 */
import { backoffDelay } from './backoff';
import { type ConnectionEvent, TOO_MANY_CONNECTIONS_CLOSE_CODE, TOO_MANY_CONNECTIONS_RETRY_MS } from './status';

export interface RetryPlanOptions {
  onEvent: (event: ConnectionEvent) => void;
  random: () => number;
  now: () => number;
}

export function createRetryPlan({ onEvent, random, now }: RetryPlanOptions) {
  /** Consecutive failed attempts; reset on connect. */
  let failures = 0;
  /** The code of the last close; a 4430 (too many connections) makes the next wait long. */
  let lastCloseCode: number | null = null;
  const sleepers = new Set<() => void>();

  return {
    /** Whether an attempt failed since the last connection (a connection now is a retry). */
    failing: () => failures > 0,
    /** Counts a failure, announces the retry and returns how long to wait for it. */
    next(): number {
      failures += 1;
      const limited = lastCloseCode === TOO_MANY_CONNECTIONS_CLOSE_CODE;
      const delay = limited
        ? TOO_MANY_CONNECTIONS_RETRY_MS + Math.floor(random() * TOO_MANY_CONNECTIONS_RETRY_MS)
        : backoffDelay(failures - 1, random);
      onEvent({ type: 'retry-scheduled', attempt: failures, at: now() + delay });
      return delay;
    },
    closed(code: number | null): void {
      lastCloseCode = code;
    },
    /** A connection was made: the close that preceded it no longer says anything. */
    connected(): void {
      lastCloseCode = null;
    },
    /** Back to the first attempt's short wait. */
    reset(): void {
      failures = 0;
    },
    /** Waits `ms`, or less if woken. */
    sleep(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          sleepers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        sleepers.add(done);
      });
    },
    /** Cuts every pending wait short. */
    wake(): void {
      for (const wakeUp of [...sleepers]) wakeUp();
    },
  };
}
