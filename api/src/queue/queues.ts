/**
 * BullMQ queues: names, payloads and the producer side. Payloads carry ids, never tokens or personal data.
 * Producers fail fast when Redis is down (a clear retryable error); workers wait for it to come back.
 */
import { createHash } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql } from 'drizzle-orm';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import { rows, type Db } from '../db/client.js';

export const QUEUES = {
  housekeeping: 'housekeeping',
  lti: 'lti',
  tutor: 'tutor',
  reminders: 'reminders',
  collab: 'collab',
} as const;

export interface JobPayloads {
  housekeeping:
    | { task: 'compact-streams' }
    | { task: 'sweep-lti' }
    | { task: 'requeue-tutor' }
    | { task: 'requeue-reminders' }
    | { task: 'activity-message-volume' }
    | { task: 'sweep-live-presence' }
    | { task: 'sweep-collab-compaction' };
  /** Merge a collab document's update log into its snapshot (jobId `collab-compact-<documentId>`: one queued at a time). */
  collab: { task: 'compact'; documentId: string };
  tutor: { task: 'reply'; requestId: string };
  /** One reminder of one attendee: the row (session, user, offset) and the due time the job was planned for. */
  reminders: { task: 'remind'; sessionId: string; userId: string; offsetMinutes: number; dueAt: string };
  lti:
    | { task: 'roster-sync'; courseId: string }
    | {
        task: 'post-score';
        linkId: string;
        userId: string;
        scoreGiven: number;
        scoreMaximum: number;
        comment: string | null;
        activityProgress: string;
        gradingProgress: string;
        /** What the score is of, told back when it is accepted or finally refused (a live class's attendance). */
        origin?: { kind: 'live-attendance'; classId: string; userId: string; version: number } | null;
      };
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
    throw new AppError('SERVICE_UNAVAILABLE', 'The job queue is unavailable right now; please retry in a moment.', {
      retryable: true,
      cause: String((err as Error).message ?? err),
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What identifies this installation: its database. The PostgreSQL cluster's system identifier (random, made by
 * initdb), the database's name and oid; every process of one installation (API, worker) reads the same, two
 * databases never do. PGlite has a cluster of its own per data directory.
 */
export async function installationId(db: Db): Promise<string> {
  let r: { sys: string | null; name: string; oid: string }[];
  try {
    r = await rows(
      db,
      sql`select (select system_identifier::text from pg_control_system()) as sys, current_database() as name, (select oid::text from pg_database where datname = current_database()) as oid`,
    );
  } catch {
    // pg_control_system() refused (a managed server may restrict it): name and oid, with the server's address.
    r = await rows(
      db,
      sql`select coalesce(host(inet_server_addr()), 'local') || ':' || coalesce(inet_server_port()::text, '') as sys, current_database() as name, (select oid::text from pg_database where datname = current_database()) as oid`,
    );
  }
  const { sys, name, oid } = r[0]!;
  return createHash('sha256')
    .update(`${sys ?? ''}\n${name}\n${oid}`)
    .digest('hex')
    .slice(0, 16);
}

export class QueuePrefixInUseError extends Error {}

/**
 * The queue prefix of this installation: QUEUE_PREFIX when set, else `lt-` and the installation id. The prefix is
 * then claimed for the installation in Redis (`<prefix>:installation`); a prefix another installation claimed
 * (two installations given the same QUEUE_PREFIX, or a database replaced under a fixed one) is refused: their
 * workers would take each other's jobs, which name rows the other database does not have.
 */
export async function claimQueuePrefix(configured: string, db: Db, redis: Redis): Promise<string> {
  const id = await installationId(db);
  const prefix = configured || `lt-${id}`;
  const key = `${prefix}:installation`;
  await redis.set(key, id, 'NX');
  const owner = await redis.get(key);
  if (owner !== id) {
    throw new QueuePrefixInUseError(
      `QUEUE_PREFIX "${prefix}" is in use on this Redis by another installation (another database): give this installation its own QUEUE_PREFIX, or leave it unset to derive one from the database. If that installation is gone for good, delete the Redis key "${key}" and its queues.`,
    );
  }
  return prefix;
}
