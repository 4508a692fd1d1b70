/**
 * The worker runs what the features declare in their jobs.ts: every periodic task through the housekeeping queue
 * (each scheduled once, with its result), and an unknown task fails instead of passing as done.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { dropRedisKeys, poll, startApp, type TestApp } from './harness.js';
import { connectionFromUrl, QUEUES, type JobPayloads } from '../src/queue/queues.js';
import { featureJobs } from '../src/jobs.js';

describe('feature jobs', () => {
  let app: TestApp;
  let worker: WorkerHandle | null = null;
  let queue: Queue<JobPayloads['housekeeping']>;

  beforeAll(async () => {
    app = await startApp({ env: { QUEUE_PREFIX: `lt-test-jobs-${process.pid}-${Date.now()}` } });
    worker = await startWorker(app.core);
    queue = new Queue(QUEUES.housekeeping, {
      connection: connectionFromUrl(app.core.config.redisUrl, false),
      prefix: app.core.config.queuePrefix,
    });
  });
  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    if (app) await dropRedisKeys(app.core.redis.pub, app.core.config.queuePrefix).catch(() => {});
    await app?.close();
  });

  it('schedules every periodic task once and runs each through the housekeeping queue', async () => {
    const tasks = featureJobs.flatMap((f) => f.periodic ?? []).map((t) => t.task);
    expect(new Set(tasks)).toEqual(
      new Set([
        'compact-streams',
        'sweep-lti',
        'requeue-tutor',
        'requeue-reminders',
        'activity-message-volume',
        'sweep-live-presence',
        'sweep-collab-compaction',
      ]),
    );
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key ?? s.id).sort()).toEqual([...tasks].sort());
    for (const task of tasks) {
      const job = await queue.add(task, { task } as JobPayloads['housekeeping']);
      let state = '';
      await poll(
        async () => (state = await job.getState()) === 'completed' || state === 'failed',
        20_000,
        () => `${task} is ${state}`,
      );
      expect(state, task).toBe('completed');
      const done = await queue.getJob(job.id!);
      expect(
        Object.values(done!.returnvalue as Record<string, number>).every((n) => Number.isInteger(n) && n >= 0),
        task,
      ).toBe(true);
    }
  });

  it('an unknown task fails with its name', async () => {
    const job = await queue.add('nope', { task: 'nope' } as never, { attempts: 1 });
    let state = '';
    await poll(
      async () => (state = await job.getState()) === 'failed' || state === 'completed',
      20_000,
      () => `the job is ${state}`,
    );
    expect(state).toBe('failed');
    expect((await queue.getJob(job.id!))!.failedReason).toMatch(/unknown housekeeping task nope/);
  });
});
