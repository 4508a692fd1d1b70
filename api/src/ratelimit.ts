/** A fixed-window rate limit in Redis, shared by every instance: `take` counts one use of a key. */
import type { Redis } from 'ioredis';
import { AppError } from './errors.js';

/** KEYS: the window's key. ARGV: window ms, uses to count (1 if absent). Returns { count, ttl ms }. */
const TAKE = `
local n = redis.call('INCRBY', KEYS[1], tonumber(ARGV[2] or '1'))
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { n, redis.call('PTTL', KEYS[1]) }
`;

/** KEYS: the window's key. Gives one use back, if the window still exists (never creates one). */
const GIVE_BACK = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0
`;

/**
 * The window of a mutation class (config.rateLimits) for a caller, `who` being `u:<userId>` or `k:<keyId>`: the
 * GraphQL plugin counts mutations under it, and a service that counts a use of a class itself (an announcement sent
 * with sendMessage) uses the same key, so that both draw on one budget.
 */
export const mutationKey = (rateClass: string, who: string) => `m:${rateClass}:${who}`;

export class RateLimiter {
  constructor(private readonly redis: Redis) {
    redis.defineCommand('rateTake', { numberOfKeys: 1, lua: TAKE });
    redis.defineCommand('rateGiveBack', { numberOfKeys: 1, lua: GIVE_BACK });
  }

  /** Gives back one use taken for something that turned out not to count (a resend). Best effort. */
  async giveBack(key: string): Promise<void> {
    await (this.redis as Redis & { rateGiveBack: (k: string) => Promise<number> }).rateGiveBack(`rl:${key}`).catch(() => {});
  }

  /**
   * Counts one use (or `uses`); throws RATE_LIMITED (with `retryAfterMs`) when `limit` uses in `windowMs` are
   * exceeded, SERVICE_UNAVAILABLE when Redis does not answer.
   */
  async take(key: string, limit: number, windowMs: number, what: string, uses = 1): Promise<void> {
    let res: [number, number];
    try {
      res = await (this.redis as Redis & { rateTake: (k: string, w: string, n: string) => Promise<[number, number]> }).rateTake(
        `rl:${key}`,
        String(windowMs),
        String(uses),
      );
    } catch {
      throw new AppError('SERVICE_UNAVAILABLE', 'The service is briefly unavailable; try again in a moment.');
    }
    const [count, ttl] = res;
    if (count > limit) {
      const retryAfterMs = Math.max(ttl, 1);
      throw new AppError(
        'RATE_LIMITED',
        `${what}: you can do this ${limit} times per ${Math.round(windowMs / 1000)} s. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`,
        { retryAfterMs },
      );
    }
  }
}
