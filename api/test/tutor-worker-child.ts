/**
 * A tutor worker in a process of its own, for the test that kills a worker mid-reply: the configuration
 * comes from the environment (DATABASE_URL, REDIS_URL, QUEUE_PREFIX, AI_*, TUTOR_LOCK_MS, …) as in
 * production, and one line on stdout says when it takes jobs.
 */
import { loadConfig, openCore } from '@lt/api';
import { startWorker } from '@lt/jobs';

const core = await openCore(loadConfig());
await startWorker(core);
console.log('tutor worker ready');
