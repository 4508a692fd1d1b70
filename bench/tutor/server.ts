/**
 * The tutor bench's server process: the app and its BullMQ worker in one process, as `npm start` runs them
 * (ROLE=all), on a fresh PostgreSQL database and the local Redis. The bench process (bench/tutor.ts) drives it
 * over IPC (bench/tutor/protocol.ts) and holds the fake provider and the students, so that their work does not
 * queue on this event loop.
 *
 * To say where the time goes, a few functions are wrapped at run time (bench only, nothing in api/ changes)
 * and stamp each question as it passes, in wall-clock milliseconds sent to the bench: the after-post hook, the
 * BullMQ add, the worker's `run`, the provider call, its first delta and the tutor signals. Two of them are
 * private to TutorService (its `reserve` and its provider); when a refactoring renames them, their stages read
 * n = 0.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { dropRedisKeys, startApp, seed, type TestApp } from '../../api/test/harness.js';
import { upsertUser } from '../../api/src/users/service.js';
import { warmTokenizer, type TutorProvider, type StreamRequest } from '../../api/src/tutor/provider.js';
import type { TutorSignal } from '../../api/src/tutor/events.js';
import type { RoomSignal } from '../../api/src/rooms/events.js';
import type { EventShape, Stream } from '../../api/src/realtime/realtime.js';
import type { RoomInfo } from '../../api/src/rooms/access.js';
import type { MessageView } from '../../api/src/rooms/views.js';
import type { Tx } from '../../api/src/db/client.js';
import { wallNow, type DbDiag, type FromServer, type ServerStamps, type ToServer } from './protocol.js';

const send = (m: FromServer) => process.send!(m);
const now = () => performance.now();
const r1 = (n: number) => Math.round(n * 10) / 10;
function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);

/** One question as the server saw it: stamps are sent to the bench once each. */
class Seen {
  readonly stamps: ServerStamps = {};
  constructor(readonly ref: string) {}
  /** Sets a stamp the first time only, and reports it. */
  once(key: keyof ServerStamps, value: number | string): boolean {
    if (this.stamps[key] !== undefined) return false;
    (this.stamps as Record<string, number | string>)[key] = value;
    send({ t: 'stamp', ref: this.ref, stamps: { [key]: value } });
    return true;
  }
}

let app: (TestApp & { dropDb?: () => Promise<void> }) | undefined;
let worker: WorkerHandle | undefined;
let measuring: {
  elu: ReturnType<typeof performance.eventLoopUtilization>;
  cpu: NodeJS.CpuUsage;
  diag: ReturnType<typeof diagnoseDb> | null;
  delay: ReturnType<typeof monitorEventLoopDelay>;
} | null = null;

process.on('message', (m: ToServer) => {
  void handle(m).catch((err: unknown) => send({ t: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
process.on('disconnect', () => void stop().finally(() => process.exit(0)));

async function handle(m: ToServer): Promise<void> {
  switch (m.t) {
    case 'start':
      return start(m.env, m.students);
    case 'subs':
      send({ t: 'subs', n: app?.core.services.realtime.activeSubscriptions ?? 0 });
      return;
    case 'measure':
      measuring = {
        elu: performance.eventLoopUtilization(),
        cpu: process.cpuUsage(),
        diag: m.diag && app ? diagnoseDb(app.core) : null,
        delay: monitorEventLoopDelay({ resolution: 5 }),
      };
      measuring.delay.enable();
      return;
    case 'measured': {
      const mm = measuring!;
      const elu = performance.eventLoopUtilization(mm.elu);
      const cpu = process.cpuUsage(mm.cpu);
      const db = (await mm.diag?.stop()) ?? null;
      mm.delay.disable();
      const loopDelayMs = { p50: r1(mm.delay.percentile(50) / 1e6), p99: r1(mm.delay.percentile(99) / 1e6), max: r1(mm.delay.max / 1e6) };
      measuring = null;
      send({
        t: 'measured',
        eventLoopUtilization: Math.round(elu.utilization * 1000) / 1000,
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        db,
        loopDelayMs,
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
  await warmTokenizer();
  app = await startApp({ env });
  const core = app.core;
  worker = await startWorker(core);
  instrument(core);
  const fx = await seed(core, 'Bench');
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
    url: app.url,
    wsUrl: app.wsUrl,
    courseId: fx.course.id,
    tokens,
    tutorConcurrency: core.config.tutorConcurrency,
    dbPoolMax: core.config.dbPoolMax,
  });
}

let stopping: Promise<void> | null = null;
function stop(): Promise<void> {
  stopping ??= (async () => {
    await worker?.close().catch(() => {});
    if (app) {
      await dropQueueKeys(app).catch(() => {});
      await app.close().catch((err: unknown) => console.error(`closing the app: ${String(err)}`));
    }
  })();
  return stopping;
}

/**
 * --diag: counts the queries the app sends and times them (call to result), and times each wait for a pooled
 * connection, from now until stop().
 */
function diagnoseDb(core: TestApp['core']) {
  const pool = (core.services.database.db as unknown as { $client: pg.Pool }).$client;
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const query = proto.query;
  const connect = pool.connect;
  const queryMs: number[] = [];
  const waitMs: number[] = [];
  let maxWaiting = 0;
  proto.query = function (this: unknown, ...a: unknown[]) {
    const t = now();
    const last = a[a.length - 1];
    if (typeof last === 'function') {
      a[a.length - 1] = (...r: unknown[]) => {
        queryMs.push(now() - t);
        return (last as (...x: unknown[]) => unknown)(...r);
      };
      return query.apply(this, a);
    }
    const out = query.apply(this, a);
    if (out && typeof (out as Promise<unknown>).then === 'function')
      (out as Promise<unknown>).then(
        () => queryMs.push(now() - t),
        () => queryMs.push(now() - t),
      );
    return out;
  };
  pool.connect = function (this: pg.Pool, cb?: (...r: unknown[]) => void) {
    const t = now();
    maxWaiting = Math.max(maxWaiting, pool.waitingCount + 1);
    if (cb) return connect.call(this, ((...r: unknown[]) => (waitMs.push(now() - t), cb(...r))) as never);
    const p = (connect as () => Promise<pg.PoolClient>).call(this);
    void p.then(
      () => waitMs.push(now() - t),
      () => {},
    );
    return p;
  } as typeof pool.connect;
  // What the app's PostgreSQL sessions are doing, sampled every 20 ms on a connection of its own.
  const waits = new Map<string, number>();
  let samples = 0;
  let sampling = true;
  const sampler = new pg.Client({ connectionString: core.config.databaseUrl });
  const sampled = (async () => {
    await sampler.connect();
    while (sampling) {
      const res = (await query.call(
        sampler,
        `select state, wait_event_type, wait_event from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
      )) as pg.QueryResult<{ state: string | null; wait_event_type: string | null; wait_event: string | null }>;
      samples++;
      for (const r of res.rows) {
        const k =
          r.state === 'idle' ? 'idle' : r.wait_event_type ? `${r.state}: ${r.wait_event_type}/${r.wait_event}` : `${r.state}: on CPU`;
        waits.set(k, (waits.get(k) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await sampler.end();
  })().catch(() => {});
  return {
    async stop(): Promise<DbDiag> {
      proto.query = query;
      pool.connect = connect;
      sampling = false;
      await sampled;
      return {
        /** Average number of the app's database sessions in each state (pg_stat_activity samples). */
        sessions: Object.fromEntries([...waits].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, r1(v / Math.max(1, samples))])),
        queries: queryMs.length,
        queryMs: { p50: r1(percentile(queryMs, 50)), p95: r1(percentile(queryMs, 95)), mean: r1(mean(queryMs)) },
        poolAcquisitions: waitMs.length,
        poolWaitMs: { p50: r1(percentile(waitMs, 50)), p95: r1(percentile(waitMs, 95)), mean: r1(mean(waitMs)) },
        poolMaxWaiting: maxWaiting,
      };
    },
  };
}

/** Wraps the hook, the queue, the worker's run, the provider and the signals to stamp each question. */
function instrument(core: TestApp['core']): void {
  const byRef = new Map<string, Seen>(); // by ref (the question's clientId)
  const byQuestion = new Map<string, Seen>();
  const byRequest = new Map<string, Seen>();
  const tutor = core.services.tutor;
  const onPosted = tutor.onPosted.bind(tutor);
  // The hook runs inside the message's transaction: the question is stamped once that is committed.
  tutor.onPosted = async (tx: Tx, room: RoomInfo, message: MessageView, authorId: string) => {
    const after = await onPosted(tx, room, message, authorId);
    if (!after || !message.clientId || byRef.has(message.clientId)) return after;
    return async () => {
      const seen = new Seen(message.clientId!);
      byRef.set(message.clientId!, seen);
      byQuestion.set(message.id, seen);
      seen.once('tPosted', wallNow());
      seen.once('questionId', message.id);
      await after();
    };
  };

  const queue = tutor.queue!;
  const add = queue.add.bind(queue);
  queue.add = (async (name, data, opts) => {
    const seen = byRequest.get(data.requestId);
    seen?.once('tAddStart', wallNow());
    const job = await add(name, data, opts);
    seen?.once('tAddEnd', wallNow());
    return job;
  }) as typeof queue.add;

  const run = tutor.run.bind(tutor);
  tutor.run = (requestId: string, jobId: string) => {
    byRequest.get(requestId)?.once('tRun', wallNow());
    return run(requestId, jobId);
  };

  // A private method, wrapped on the instance: the budget reservation's transaction.
  const priv = tutor as unknown as { reserve?: (requestId: string, ...rest: unknown[]) => Promise<unknown> };
  const reserve = priv.reserve?.bind(tutor);
  if (reserve)
    priv.reserve = async (requestId: string, ...rest: unknown[]) => {
      const seen = byRequest.get(requestId);
      seen?.once('tReserve', wallNow());
      const out = await reserve(requestId, ...rest);
      seen?.once('tReserved', wallNow());
      return out;
    };

  const realtime = core.services.realtime;
  const signal = realtime.signal.bind(realtime);
  // Every signal passes here; the tutor's (on a room's stream) are timed.
  realtime.signal = (async (stream: Stream<EventShape, RoomSignal>, sig: RoomSignal, ttlMs: number) => {
    if (sig.type !== 'tutor') return signal(stream, sig, ttlMs);
    const s: TutorSignal = sig.payload;
    const seen = byQuestion.get(s.questionId);
    let first = false;
    if (seen) {
      if (!byRequest.has(s.requestId)) {
        byRequest.set(s.requestId, seen);
        seen.once('requestId', s.requestId);
      }
      if (s.state === 'thinking') seen.once('tThinking', wallNow());
      if (s.state === 'streaming') first = seen.once('tSigCall', wallNow());
    }
    await signal(stream, sig, ttlMs);
    if (seen && first) seen.once('tSigSent', wallNow());
  }) as typeof realtime.signal;

  // The provider is the service's own (private) dependency: reached at run time, for the bench only.
  const provider = (tutor as unknown as { d?: { provider?: TutorProvider } }).d?.provider;
  if (!provider) return;
  const stream = provider.stream.bind(provider);
  provider.stream = (req: StreamRequest) => {
    const last = req.messages[req.messages.length - 1]?.content ?? '';
    const ref = /\(ref ([0-9a-f-]{36})\)/.exec(last)?.[1];
    const seen = ref ? byRef.get(ref) : undefined;
    if (!seen) return stream(req);
    seen.once('tStream', wallNow());
    const onDelta = req.onDelta;
    return stream({
      ...req,
      onDelta: (d) => {
        seen.once('tFirstDelta', wallNow());
        onDelta(d);
      },
    });
  };
}

/** BullMQ leaves its keys under the app's queue prefix (one of its own per run): removed with the database. */
function dropQueueKeys(app: TestApp): Promise<void> {
  return dropRedisKeys(app.core.redis.pub, app.core.config.queuePrefix);
}
