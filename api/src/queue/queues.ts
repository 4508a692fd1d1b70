/**
 * BullMQ queues: names, payloads and the producer side. Payloads carry ids, never tokens or personal data.
 * Producers fail fast when Redis is down (a clear retryable error); workers wait for it to come back.
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';

export const QUEUES = {
  housekeeping: 'housekeeping',
  lti: 'lti',
  tutor: 'tutor',
} as const;

export interface JobPayloads {
  housekeeping: { task: 'compact-streams' } | { task: 'sweep-lti' } | { task: 'requeue-tutor' };
  tutor: { task: 'reply'; requestId: string };
  lti:
    | { task: 'roster-sync'; courseId: string }
    | { task: 'post-score'; linkId: string; userId: string; scoreGiven: number; scoreMaximum: number; comment: string | null; activityProgress: string; gradingProgress: string };
}

export function connectionFromUrl(url: string, worker: boolean): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    // Workers wait for Redis to return; producers give up at once so the API can answer.
    maxRetriesPerRequest: worker ? null : 1,
    enableOfflineQueue: worker,
  };
}

export function createQueue<N extends keyof JobPayloads>(name: N, redisUrl: string, prefix: string, log: Logger): Queue<JobPayloads[N]> {
  const q = new Queue<JobPayloads[N]>(QUEUES[name], { connection: connectionFromUrl(redisUrl, false), prefix });
  q.on('error', (err) => log.warn({ err: err.message, queue: name }, 'queue: error'));
  return q;
}

/**
 * Wraps an enqueue so a Redis outage becomes a clear, retryable error for the caller, within `timeoutMs`: with
 * Redis unreachable, BullMQ's `add` waits for a connection that does not come rather than failing, and a
 * request must not hang on it. (An add that completes after the timeout leaves a job whose handler finds its
 * work already failed or done: every handler is idempotent.)
 */
export async function enqueue<T>(fn: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from Redis within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    throw new AppError('SERVICE_UNAVAILABLE', 'The job queue is unavailable right now; please retry in a moment.', { retryable: true, cause: String((err as Error).message ?? err) });
  } finally {
    clearTimeout(timer);
  }
}
