import { describe, expect, it } from 'vitest';
import { createQueue, enqueue } from './queues.js';
import { createLogger } from '../logger.js';
import { AppError } from '../errors.js';

const log = createLogger('silent');

describe('enqueue', () => {
  it('with Redis unreachable, BullMQ waits for a connection; enqueue answers SERVICE_UNAVAILABLE within its time', async () => {
    // Nothing listens on port 1: the queue's connection never becomes ready, and add() by itself would wait.
    const q = createQueue('tutor', 'redis://127.0.0.1:1', `enqueue-test-${process.pid}`, log);
    try {
      const started = Date.now();
      const attempt = enqueue(() => q.add('reply', { task: 'reply', requestId: 'r1' }), 400);
      await expect(attempt).rejects.toBeInstanceOf(AppError);
      await expect(attempt).rejects.toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        extensions: { retryable: true, cause: expect.stringMatching(/no answer from Redis within 400 ms/) },
      });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      // Not awaited: closing waits for the connection that never comes.
      void q.close().catch(() => {});
    }
  });

  it('an add that fails at once (a closed connection) is SERVICE_UNAVAILABLE with its cause; one that works returns its job', async () => {
    const q = createQueue('tutor', process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', `enqueue-test-${process.pid}`, log);
    const job = await enqueue(() => q.add('reply', { task: 'reply', requestId: 'r2' }, { jobId: `r2-${Date.now()}` }));
    expect(job.data).toEqual({ task: 'reply', requestId: 'r2' });
    await job.remove();
    await q.close();
    await expect(enqueue(() => q.add('reply', { task: 'reply', requestId: 'r3' }))).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      extensions: { cause: expect.stringMatching(/closed/i) },
    });
  });
});
