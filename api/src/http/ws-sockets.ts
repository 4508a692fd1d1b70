/**
 * Open connections per user (or API key), counted across every instance that shares the Redis: a sorted set per
 * caller whose members are connections (WebSockets and SSE streams alike: one budget, WS_MAX_SOCKETS_PER_USER) and
 * whose scores are expiry times. An instance renews the entries it holds every RENEW_MS; the entries of an instance
 * that died expire (SOCKET_TTL_MS) and stop counting. The keys carry the installation's prefix (the queue prefix,
 * unique per installation). One counter per API server, built by the composition root and shared by both transports.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { Viewer } from '../auth/viewer.js';

/** An entry lives this long without renewal (renewed every RENEW_MS while held). */
export const SOCKET_TTL_MS = 45_000;
export const RENEW_MS = 15_000;

/** KEYS: the caller's set. ARGV: member, now, expiresAt, limit, ttl ms. Returns 1 (counted) or 0 (over the limit). */
const CLAIM = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

export interface SocketClaim {
  key: string;
  member: string;
}

export class SocketCounter {
  private readonly instance = randomBytes(6).toString('hex');
  private seq = 0;
  private releasing: SocketClaim[] = [];
  private flushing = false;
  /** The claims this instance holds (not released yet): renewed together, while there are any. */
  private readonly held = new Set<SocketClaim>();
  private renewal: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limit: number,
    private readonly log: Logger,
  ) {
    redis.defineCommand('wsSocketClaim', { numberOfKeys: 1, lua: CLAIM });
  }

  /**
   * Counts one more connection for the caller; null when the caller has `limit` open already. Redis down: counted
   * as allowed. A claim is held (and renewed) until `release`: every way a connection ends must release it.
   */
  async claim(viewer: Viewer): Promise<SocketClaim | null | 'unchecked'> {
    const who = viewer.kind === 'session' ? `u:${viewer.userId}` : `k:${viewer.keyId}`;
    const claim = { key: `${this.prefix}:ws:${who}`, member: `${this.instance}:${++this.seq}` };
    const now = Date.now();
    try {
      const ok = await (this.redis as Redis & { wsSocketClaim: (...a: string[]) => Promise<number> }).wsSocketClaim(
        claim.key,
        claim.member,
        String(now),
        String(now + SOCKET_TTL_MS),
        String(this.limit),
        String(SOCKET_TTL_MS),
      );
      if (ok !== 1) return null;
      this.held.add(claim);
      if (!this.renewal) {
        this.renewal = setInterval(() => this.renew(this.held), RENEW_MS);
        this.renewal.unref();
      }
      return claim;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'ws: socket count not checked, Redis unavailable');
      return 'unchecked';
    }
  }

  /** The connections this instance counts now. */
  get heldCount(): number {
    return this.held.size;
  }

  /** Renews the entries of this instance's open connections (one pipeline). */
  private renew(claims: Iterable<SocketClaim>): void {
    const pipe = this.redis.pipeline();
    const exp = Date.now() + SOCKET_TTL_MS;
    let n = 0;
    for (const c of claims) {
      pipe.zadd(c.key, 'XX', exp, c.member);
      pipe.pexpire(c.key, SOCKET_TTL_MS);
      n++;
    }
    if (n > 0) pipe.exec().catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'ws: socket count renewal failed'));
  }

  /** Stops counting a connection (a second release of one claim does nothing); a burst goes to Redis in one pipeline. */
  release(claim: SocketClaim): void {
    if (!this.held.delete(claim)) return;
    if (this.held.size === 0) this.stopRenewal();
    this.releasing.push(claim);
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      const all = this.releasing;
      this.releasing = [];
      this.flushing = false;
      const pipe = this.redis.pipeline();
      for (const c of all) pipe.zrem(c.key, c.member);
      pipe
        .exec()
        .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'ws: socket count release failed (the entries expire)'));
    });
  }

  /** Stops renewing (at shutdown: whatever is still held expires). */
  close(): void {
    this.stopRenewal();
  }

  private stopRenewal(): void {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = null;
  }
}
