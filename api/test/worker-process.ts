/**
 * A worker in a process of its own, for the tests that kill a worker mid-job (a tutor reply, a reminder): the
 * configuration comes from the environment (DATABASE_URL, REDIS_URL, QUEUE_PREFIX, lock settings, …) as in
 * production, and one line on stdout says when it takes jobs. Started by worker-child.ts.
 */
import { loadConfig, openCore } from '@lt/api';
import { startWorker } from '@lt/jobs';

const core = await openCore(loadConfig());
await startWorker(core);
console.log('worker ready');
