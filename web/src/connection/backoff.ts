/**
 * Exponential backoff with "full jitter"
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/):
 * the n-th retry waits a uniformly random time in [0, ceiling(n)). The first few retries stay short (a server
 * restart or a deploy takes seconds, and people are waiting on the other side); only then does the ceiling
 * double, up to a cap low enough that a page never sits long on "Reconnecting…" after the server is back.
 * Pure: the random source is a parameter, so tests can pin it.
 */
export interface BackoffOptions {
  /** Ceiling of the first retries (attempt 0 to fastAttempts - 1), in milliseconds. */
  baseMs: number;
  /** Largest ceiling any retry may reach, in milliseconds. */
  capMs: number;
  /** How many retries keep the base ceiling before it starts doubling (0: it doubles from the first). */
  fastAttempts?: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ baseMs: 1_000, capMs: 10_000, fastAttempts: 4 });

/** Upper bound of the wait before retry number `attempt` (0-based). Never exceeds `capMs`. */
export function backoffCeiling(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const n = attempt > 0 ? Math.floor(attempt) : 0; // NaN and negatives count as the first retry
  const doublings = Math.max(0, n - Math.max(0, (options.fastAttempts ?? 0) - 1));
  // 2 ** n overflows to Infinity for large n; Math.min keeps the result at the cap.
  return Math.min(options.capMs, options.baseMs * 2 ** doublings);
}

/**
 * Wait before retry number `attempt` (0-based), in whole milliseconds, in [0, ceiling).
 * `random` must return a number in [0, 1), like Math.random.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const ceiling = backoffCeiling(attempt, options);
  const r = Math.min(Math.max(random(), 0), 1);
  // Guard r === 1 (a misbehaving source) so the delay stays strictly below the ceiling.
  return Math.min(Math.floor(r * ceiling), Math.max(ceiling - 1, 0));
}
