/**
 * The tutor-chat bench's server process: what `npm start` runs, in one process (ROLE=all: the API and the BullMQ
 * worker), on the embedded database (PGlite in a temporary data directory), the local Redis and the offline tutor
 * (no AI provider configured). It starts what bin/start.ts starts, in the same order (the API, the worker, then the
 * tokenizer's warm-up in the background) and nothing more: a first question pays whatever the app leaves to the
 * first question. The bench (bench/tutor-chat.ts) drives it over IPC and holds the students.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { loadConfig } from '../../api/src/config.js';
import { buildApi, openCore, type ApiServer, type Core } from '../../api/src/app.js';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { dropRedisKeys, seed } from '../../api/test/harness.js';
import { upsertUser } from '../../api/src/users/service.js';
import { warmTokenizer } from '../../api/src/tutor/provider.js';
import type { FromServer, ToServer } from './protocol.js';

const send = (m: FromServer) => process.send!(m);
const r1 = (n: number) => Math.round(n * 10) / 10;

let core: Core | undefined;
let api: ApiServer | undefined;
let worker: WorkerHandle | undefined;
let dataDir: string | undefined;
let measuring: {
  elu: ReturnType<typeof performance.eventLoopUtilization>;
  cpu: NodeJS.CpuUsage;
  main: number | null;
  delay: ReturnType<typeof monitorEventLoopDelay>;
} | null = null;

/**
 * CPU time of the main thread alone (the event loop's), ms, from /proc (Linux; USER_HZ 100); null elsewhere.
 * Unlike the loop delay, it does not grow when other processes of a shared machine take the CPU.
 */
function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

process.on('message', (m: ToServer) => {
  void handle(m).catch((err: unknown) => send({ t: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
process.on('disconnect', () => void stop().finally(() => process.exit(0)));

async function handle(m: ToServer): Promise<void> {
  switch (m.t) {
    case 'start':
      return start(m.env, m.students);
    case 'subs':
      send({ t: 'subs', n: core?.services.realtime.activeSubscriptions ?? 0 });
      return;
    case 'measure':
      measuring = {
        elu: performance.eventLoopUtilization(),
        cpu: process.cpuUsage(),
        main: mainThreadCpuMs(),
        delay: monitorEventLoopDelay({ resolution: 5 }),
      };
      measuring.delay.enable();
      return;
    case 'measured': {
      const mm = measuring!;
      const elu = performance.eventLoopUtilization(mm.elu);
      const cpu = process.cpuUsage(mm.cpu);
      const main = mainThreadCpuMs();
      mm.delay.disable();
      measuring = null;
      send({
        t: 'measured',
        eventLoopUtilization: Math.round(elu.utilization * 1000) / 1000,
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        mainThreadCpuMs: main !== null && mm.main !== null ? main - mm.main : null,
        loopDelayMs: { p50: r1(mm.delay.percentile(50) / 1e6), p99: r1(mm.delay.percentile(99) / 1e6), max: r1(mm.delay.max / 1e6) },
      });
      return;
    }
    case 'stop':
      await stop();
      send({ t: 'stopped' });
      process.exit(0);
  }
}

async function start(env: Record<string, string>, students: number): Promise<void> {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'lt-bench-tutor-chat-'));
  // As `npm start` with a fresh data directory: no DATABASE_URL (PGlite), ROLE=all, the offline tutor.
  const base: Record<string, string | undefined> = { ...process.env };
  for (const k of ['DATABASE_URL', 'AI_BASE_URL', 'AI_API_KEY', 'AI_MODEL', 'ROLE', 'NODE_ENV']) delete base[k];
  const config = loadConfig(
    {
      ...base,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_AUTOSTART: 'false',
      LOG_LEVEL: 'warn',
      DEV_LMS: 'false',
      QUEUE_PREFIX: `lt-bench-${randomBytes(4).toString('hex')}`,
      ...env,
    },
    [],
  );
  core = await openCore(config);
  api = buildApi(core);
  worker = await startWorker(core);
  warmTokenizer().catch((err: unknown) => console.error(`tokenizer warm-up failed: ${String(err)}`));
  const url = await api.listen(0, '127.0.0.1');
  const fx = await seed(core, 'Bench');
  const room = await core.services.rooms.ensureCourseRoom(fx.tenant.id, fx.course.id, fx.course.title);
  const tokens = [fx.learnerToken];
  for (let i = 1; i < students; i++) {
    const user = await upsertUser(core.services.database.db, {
      tenantId: fx.tenant.id,
      subject: `bench-${i}-${randomUUID()}`,
      name: `Student ${i}`,
    });
    await core.services.courses.setMembership(fx.tenant.id, fx.course.id, user.id, ['learner']);
    tokens.push(
      await core.services.sessions.issue({ tenantId: fx.tenant.id, userId: user.id, courseId: fx.course.id, roles: ['learner'] }),
    );
  }
  send({
    t: 'ready',
    url,
    wsUrl: url.replace(/^http/, 'ws') + '/graphql',
    courseId: fx.course.id,
    courseRoomId: room.id,
    tokens,
    tutorConcurrency: config.tutorConcurrency,
  });
}

let stopping: Promise<void> | null = null;
function stop(): Promise<void> {
  stopping ??= (async () => {
    await api?.close().catch(() => {});
    await worker?.close().catch(() => {});
    if (core) {
      await dropRedisKeys(core.redis.pub, core.config.queuePrefix).catch(() => {});
      await core.close().catch((err: unknown) => console.error(`closing the app: ${String(err)}`));
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  })();
  return stopping;
}
