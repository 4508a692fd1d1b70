import { describe, expect, it } from 'vitest';
import { createQueue, enqueue } from './queues.js';
import { createLogger } from '../logger.js';
import { AppError } from '../errors.js';

const log = createLogger('silent');

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('enqueue', () => {
  it('with Redis unreachable, BullMQ waits for a connection; enqueue answers SERVICE_UNAVAILABLE within its time', async () => {
    // Nothing listens on port 1: the queue's connection never becomes ready, and add() by itself would wait.
    const q = createQueue('tutor', 'redis://127.0.0.1:1', `enqueue-test-${process.pid}`, log);
    try {
      const started = Date.now();
      const err = await refusal(enqueue(() => q.add('reply', { task: 'reply', requestId: 'r1' }), 400));
      expect(err.code).toBe('SERVICE_UNAVAILABLE');
      expect(err.extensions).toMatchObject({ retryable: true });
      expect(String(err.extensions['cause'])).toMatch(/no answer from Redis within 400 ms/);
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
    const err = await refusal(enqueue(() => q.add('reply', { task: 'reply', requestId: 'r3' })));
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(String(err.extensions['cause'])).toMatch(/closed/i);
  });
});
