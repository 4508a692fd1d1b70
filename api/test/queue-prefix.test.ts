/**
 * Two installations (two databases) on one Redis, both leaving QUEUE_PREFIX unset: each gets its own queues, so
 * one's workers never take the other's jobs; the processes of one installation (same database) agree on theirs;
 * and a prefix set by hand that another installation already uses is refused at start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { dropRedisKeys, freshPgDatabase, poll, REDIS_URL, startApp, testConfig, type TestApp } from './harness.js';
import { openCore } from '../src/app.js';
import { createQueue, QueuePrefixInUseError } from '../src/queue/queues.js';
import { createLogger } from '../src/logger.js';

const log = createLogger('silent');

describe('queue prefix per installation', () => {
  let a: TestApp;
  let b: TestApp;
  let worker: WorkerHandle | null = null;

  beforeAll(async () => {
    // QUEUE_PREFIX unset (empty) for both, as in a default deployment.
    a = await startApp({ env: { QUEUE_PREFIX: '' } });
    b = await startApp({ env: { QUEUE_PREFIX: '' } });
  });
  afterAll(async () => {
    await worker?.close();
    for (const app of [a, b]) {
      if (!app) continue;
      const prefix = app.core.config.queuePrefix;
      const redis = app.core.redis.pub;
      await dropRedisKeys(redis, prefix).catch(() => {});
      await app.close();
    }
  });

  it('derives different prefixes for two databases, and the same one for two processes of one database', async () => {
    expect(a.core.config.queuePrefix).toMatch(/^lt-[0-9a-f]{16}$/);
    expect(b.core.config.queuePrefix).toMatch(/^lt-[0-9a-f]{16}$/);
    expect(a.core.config.queuePrefix).not.toBe(b.core.config.queuePrefix);
    // A worker process of installation A: its own config, the same database.
    const other = await openCore(testConfig({ DATABASE_URL: a.core.config.databaseUrl!, QUEUE_PREFIX: '' }), log);
    try {
      expect(other.config.queuePrefix).toBe(a.core.config.queuePrefix);
    } finally {
      await other.close();
    }
  });

  it("A's worker takes A's jobs and never B's", async () => {
    worker = await startWorker(a.core);
    const qa = createQueue('housekeeping', REDIS_URL, a.core.config.queuePrefix, log);
    const qb = createQueue('housekeeping', REDIS_URL, b.core.config.queuePrefix, log);
    try {
      // B's job first: were the queues shared, A's worker (first in, first out) would take it before A's own.
      const jb = await qb.add('sweep-lti', { task: 'sweep-lti' });
      const ja = await qa.add('sweep-lti', { task: 'sweep-lti' });
      let state = '';
      await poll(
        async () => (state = await ja.getState()) === 'completed',
        20_000,
        () => `A's job is ${state}`,
      );
      expect(await jb.getState()).toBe('waiting');
    } finally {
      await qa.close();
      await qb.close();
    }
  });

  it('refuses a QUEUE_PREFIX set by hand that another installation uses', async () => {
    const db = await freshPgDatabase();
    try {
      await expect(openCore(testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: a.core.config.queuePrefix }), log)).rejects.toBeInstanceOf(
        QueuePrefixInUseError,
      );
      await expect(openCore(testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: a.core.config.queuePrefix }), log)).rejects.toThrow(
        /in use on this Redis by another installation/,
      );
    } finally {
      await db.drop();
    }
  });
});
