/**
 * The fanout bench's data, made in the bench's own process with the app's code before any server starts: a
 * fresh PostgreSQL database (migrated by opening the app's core on it), a tenant with one course, its course
 * room, an instructor who sends, and N learners who subscribe, each with a session token of their own.
 * Learners are inserted in batches (thousands of them one by one through setMembership would take minutes).
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../api/src/config.js';
import { openCore } from '../../api/src/app.js';
import { memberships } from '../../api/src/courses/tables.js';
import { users } from '../../api/src/users/tables.js';
import { Redis } from 'ioredis';
import { REDIS_URL, dropRedisKeys, freshPgDatabase, seed } from '../../api/test/harness.js';

/**
 * The environment of a bench's server, as production runs it (ROLE=api, NODE_ENV=production), with fresh
 * secrets, the bench's own queue prefix and data directory, and the chat rate limit lifted.
 */
/** A bench server's BullMQ keys under its run's prefix. */
export async function dropQueueKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await dropRedisKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

export function serverEnv(dataDir: string, queuePrefix: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    ROLE: 'api',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    REDIS_URL,
    REDIS_AUTOSTART: 'false',
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    LTI_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'warn',
    DEV_LMS: 'false',
    QUEUE_PREFIX: queuePrefix,
    CHAT_RATE_LIMIT: '1000000',
    CHAT_RATE_WINDOW_SECONDS: '1',
    SHUTDOWN_GRACE_MS: '2000',
  };
}

export interface BenchData {
  databaseUrl: string;
  dropDb: () => Promise<void>;
  roomId: string;
  courseId: string;
  senderToken: string;
  subscriberTokens: string[];
}

/** Tokens outlive the longest run (a soak): the server closes a socket when its session expires. */
export const TOKEN_TTL_SECONDS = 86_400;
const BATCH = 1000;

export async function makeData(subscribers: number, env: Record<string, string>): Promise<BenchData> {
  const db = await freshPgDatabase();
  try {
    const config = loadConfig({ ...env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', PORT: '0' }, []);
    const core = await openCore(config);
    try {
      const fx = await seed(core, 'Fanout');
      const room = await core.services.rooms.ensureCourseRoom(fx.tenant.id, fx.course.id, fx.course.title);
      const { sessions } = core.services;
      const issue = (userId: string, roles: ('learner' | 'instructor')[]) =>
        sessions.issue({ tenantId: fx.tenant.id, userId, courseId: fx.course.id, roles }, TOKEN_TTL_SECONDS);
      const learnerIds = [fx.learner.id];
      const tag = randomBytes(3).toString('hex');
      for (let from = 1; from < subscribers; from += BATCH) {
        const n = Math.min(BATCH, subscribers - from);
        const rows = await core.services.database.db
          .insert(users)
          .values(
            Array.from({ length: n }, (_, k) => ({
              tenantId: fx.tenant.id,
              subject: `fanout-${tag}-${from + k}`,
              name: `Student ${from + k}`,
            })),
          )
          .returning({ id: users.id });
        await core.services.database.db
          .insert(memberships)
          .values(
            rows.map((r) => ({ tenantId: fx.tenant.id, courseId: fx.course.id, userId: r.id, roles: ['learner'], status: 'active' })),
          );
        learnerIds.push(...rows.map((r) => r.id));
      }
      const subscriberTokens = await Promise.all(learnerIds.map((id) => issue(id, ['learner'])));
      return {
        databaseUrl: db.url,
        dropDb: db.drop,
        roomId: room.id,
        courseId: fx.course.id,
        senderToken: await issue(fx.instructor.id, ['instructor']),
        subscriberTokens,
      };
    } finally {
      await core.close();
    }
  } catch (err) {
    await db.drop().catch(() => {});
    throw err;
  }
}
