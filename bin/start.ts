/**
 * The process entry. ROLE (or --role=) picks what runs: `all` (API, LTI endpoints, web app and worker in one
 * process, the default), `api`, or `worker`. docker-compose runs `api` and `worker` separately.
 */
import { ConfigError, RedisUnavailableError, buildApi, createLogger, loadConfig, openCore } from '@lt/api';
import { warmTokenizer } from '@lt/api/tutor/provider';
import { startWorker, type WorkerHandle } from '@lt/jobs';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  let core;
  try {
    core = await openCore(config, log);
  } catch (err) {
    if (err instanceof RedisUnavailableError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const api = config.role === 'worker' ? null : buildApi(core);
  let worker: WorkerHandle | null = null;
  if (config.role !== 'api') {
    worker = await startWorker(core);
    // The tutor's tokenizer is built on its own thread now, in the background, rather than at the first question.
    warmTokenizer().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'tokenizer: warm-up failed'));
  }
  if (api) {
    await api.listen();
    log.info({ url: config.publicUrl, role: config.role, database: core.services.database.kind }, 'listening');
    if (config.env !== 'production')
      console.log(
        `\n  Course Companion is running at ${config.publicUrl}\n  GraphQL: ${config.publicUrl}/graphql${core.devLms ? `\n  Development LMS (launch as instructor or student): ${config.publicUrl}/dev/lms` : ''}\n`,
      );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 5000);
    force.unref();
    try {
      await api?.close();
      await worker?.close();
      await core.close();
      log.info('stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
