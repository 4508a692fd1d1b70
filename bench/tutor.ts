/**
 * The latency the system adds to a tutor reply: from a student's sendMessage (HTTP) to the first streamed token on
 * that student's roomEvents subscription (graphql-ws), less the provider's own time to first token.
 *
 *   npm run bench -- tutor [--students 50] [--questions 200] [--ttft 300] [--think 4000] [--warmup 10] [--diag] [--env KEY=VALUE]
 *
 * --diag also counts the database queries, times the waits for a pooled connection and samples what the app's
 * PostgreSQL sessions wait on (pg_stat_activity); --env passes a setting to the app (e.g. DB_POOL_MAX=40).
 * Figures go to stdout and to bench/results/tutor.json.
 *
 * Everything runs in this process, as the tests run it: the app (fresh PostgreSQL database on the local server,
 * Redis at 127.0.0.1:6379), the BullMQ worker, the fake OpenAI-compatible provider with a fixed time to first
 * token, and one real graphql-ws client per student. Students ask concurrently, each in sequence (the next
 * question after the previous reply's DONE). The bench fails if a question gets no DONE within 30 s.
 *
 * To say where the time goes, a few functions are wrapped at run time (bench only, nothing in api/ changes) and
 * stamp each question as it passes: the after-post hook, the BullMQ add, the worker's `run`, the provider call,
 * its first delta and the tutor signals. One process, one clock (performance.now). Two of them are private to
 * TutorService (its `reserve` and its provider); when a refactoring renames them, their stages read n = 0.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import type { Client } from 'graphql-ws';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { startApp, seed, gql, wsClient, type TestApp } from '../api/test/harness.js';
import { startFakeOpenAi, type FakeOpenAi } from '../api/test/fake-openai.js';
import { upsertUser } from '../api/src/users/service.js';
import { warmTokenizer, type TutorProvider, type StreamRequest } from '../api/src/tutor/provider.js';
import type { TutorSignal } from '../api/src/tutor/service.js';
import type { RoomInfo } from '../api/src/auth/access.js';
import type { MessageView } from '../api/src/rooms/views.js';

const DONE_WITHIN_MS = 30_000;
const TARGET_P95_MS = 30;
const CHUNKS = ['Good', ' question.', ' What', ' does', ' the', ' loop', ' variable', ' hold', ' on', ' each', ' pass', '?'];
const CHUNK_DELAY_MS = 20;
const USAGE = { prompt_tokens: 150, completion_tokens: CHUNKS.length };

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id seq } }`;
const OPEN_TUTOR = `mutation($courseId: ID!) { openTutorRoom(courseId: $courseId) { id } }`;
const ROOM_EVENTS = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type at cursor message { id } tutor { requestId questionId state text } } }`;

interface Options {
  students: number;
  questions: number;
  ttft: number;
  /** Mean think time between a student's questions, ms (0: back to back). */
  think: number;
  warmup: number;
  /** Also count database queries and time the waits for a pooled connection (adds a little overhead). */
  diag: boolean;
  /** Extra app settings for experiments (--env DB_POOL_MAX=20); the defaults are as in production. */
  env: Record<string, string>;
}

function parseArgs(args: string[]): Options {
  const o: Options = { students: 50, questions: 200, ttft: 300, warmup: 10, think: 4000, diag: false, env: {} };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--diag') {
      o.diag = true;
      continue;
    }
    if (a === '--env' || a.startsWith('--env=')) {
      const kv = a === '--env' ? args[++i] : a.slice('--env='.length);
      const eq = kv?.indexOf('=') ?? -1;
      if (!kv || eq < 1) throw new Error(`--env needs KEY=VALUE, got ${kv}`);
      o.env[kv.slice(0, eq)] = kv.slice(eq + 1);
      continue;
    }
    const m = /^--(students|questions|ttft|warmup|think)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a} (use --students N --questions N --ttft MS --think MS --warmup N --diag --env KEY=VALUE)`);
    const raw = m[2] ?? args[++i];
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${m[1]} needs a whole number, got ${raw}`);
    o[m[1] as 'students' | 'questions' | 'ttft' | 'warmup' | 'think'] = n;
  }
  if (o.students < 1 || o.questions < 1) throw new Error('--students and --questions must be at least 1');
  return o;
}

/** One question's stamps (ms, performance.now). Client side: t0, tResp, t1, tDone; the rest on the server. */
interface Rec {
  ref: string;
  student: number;
  counted: boolean;
  questionId?: string;
  requestId?: string;
  t0: number;
  tPosted?: number;
  tAddStart?: number;
  tAddEnd?: number;
  tResp?: number;
  tRun?: number;
  tReserve?: number;
  tReserved?: number;
  tThinking?: number;
  tStream?: number;
  tFirstDelta?: number;
  tSigCall?: number;
  tSigSent?: number;
  t1?: number;
  tDone?: number;
}

const now = () => performance.now();

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const r1 = (n: number) => Math.round(n * 10) / 10;

interface Student {
  index: number;
  token: string;
  roomId: string;
  client: Client;
}

export async function main(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  const startedAt = Date.now();
  warmTokenizer();

  const recs = new Map<string, Rec>(); // by ref (the clientId, also written into the question)
  const byQuestion = new Map<string, Rec>();
  const byRequest = new Map<string, Rec>();
  /** Client side: first STREAMING and DONE per questionId, and who waits for a DONE. */
  const firstStreaming = new Map<string, number>();
  const ended = new Map<string, { at: number; state: string }>();
  const waiters = new Map<string, () => void>();

  let fake: FakeOpenAi | undefined;
  let app: (TestApp & { dropDb?: () => Promise<void> }) | undefined;
  let worker: WorkerHandle | undefined;
  const students: Student[] = [];
  try {
    fake = await startFakeOpenAi();
    fake.setDefault({ kind: 'stream', firstTokenDelayMs: opts.ttft, chunks: CHUNKS, chunkDelayMs: CHUNK_DELAY_MS, usage: USAGE });
    app = await startApp({
      env: {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        AI_BASE_URL: fake.url,
        AI_API_KEY: 'x',
        AI_MODEL: 'gpt-4o-mini',
        TUTOR_CONCURRENCY: '64',
        TUTOR_CALLS_PER_MINUTE: '100000',
        TUTOR_USER_DAILY_TOKENS: '100000000',
        CHAT_RATE_LIMIT: '100000',
        ...opts.env,
      },
    });
    const core = app.core;
    worker = await startWorker(core);
    instrument(core, { recs, byQuestion, byRequest, ttft: opts.ttft });

    // ------------------------------------------------------------------ setup: a course, its students, their rooms
    const fx = await seed(core, 'Bench');
    const people: { token: string }[] = [{ token: fx.learnerToken }];
    for (let i = 1; i < opts.students; i++) {
      const user = await upsertUser(core.services.database.db, { tenantId: fx.tenant.id, subject: `bench-${i}-${randomUUID()}`, name: `Student ${i}` });
      await core.services.courses.setMembership(fx.tenant.id, fx.course.id, user.id, ['learner']);
      people.push({ token: await core.services.sessions.issue({ tenantId: fx.tenant.id, userId: user.id, courseId: fx.course.id, roles: ['learner'] }) });
    }
    const baseSubs = core.services.realtime.activeSubscriptions;
    await Promise.all(
      people.map(async (p, index) => {
        const r = await gql(app!.url, OPEN_TUTOR, { courseId: fx.course.id }, p.token);
        if (r.body.errors || !r.body.data?.openTutorRoom?.id) throw new Error(`openTutorRoom: ${JSON.stringify(r.body.errors)}`);
        const { client } = wsClient(app!.wsUrl, p.token);
        const roomId = r.body.data.openTutorRoom.id as string;
        client.subscribe<{ roomEvents: { type: string; tutor: TutorSignal | null } }>(
          { query: ROOM_EVENTS, variables: { roomId } },
          {
            next: (res) => {
              const at = now();
              const t = res.data?.roomEvents?.tutor;
              if (res.data?.roomEvents?.type !== 'TUTOR' || !t) return;
              const state = String(t.state).toLowerCase();
              if (state === 'streaming') {
                if (!firstStreaming.has(t.questionId)) firstStreaming.set(t.questionId, at);
              } else if (state === 'done' || state === 'failed' || state === 'refused' || state === 'cancelled') {
                if (!ended.has(t.questionId)) ended.set(t.questionId, { at, state });
                waiters.get(t.questionId)?.();
              }
            },
            error: (e) => console.error(`student ${index}: subscription error ${JSON.stringify(e)}`),
            complete: () => {},
          },
        );
        students[index] = { index, token: p.token, roomId, client };
      }),
    );
    // graphql-ws does not acknowledge a subscribe: wait until the server has every one live.
    const liveBy = Date.now() + 20_000;
    while (core.services.realtime.activeSubscriptions < baseSubs + opts.students) {
      if (Date.now() > liveBy) throw new Error(`only ${core.services.realtime.activeSubscriptions - baseSubs} of ${opts.students} subscriptions went live`);
      await new Promise((r) => setTimeout(r, 10));
    }

    // ------------------------------------------------------------------ asking
    const ask = async (s: Student, n: number, counted: boolean): Promise<Rec> => {
      const ref = randomUUID();
      const rec: Rec = { ref, student: s.index, counted, t0: 0 };
      recs.set(ref, rec);
      const body = `Question ${n} (ref ${ref}): why does my for loop print the last value ${s.index + 1} times?`;
      rec.t0 = now();
      const res = await gql(app!.url, SEND, { input: { roomId: s.roomId, clientId: ref, body } }, s.token);
      rec.tResp = now();
      const id = res.body.data?.sendMessage?.id as string | undefined;
      if (!id) throw new Error(`sendMessage (student ${s.index}): ${res.status} ${JSON.stringify(res.body.errors)}`);
      rec.questionId = id;
      byQuestion.set(id, rec);
      if (!ended.has(id)) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            waiters.delete(id);
            reject(new Error(`student ${s.index}: no DONE within ${DONE_WITHIN_MS / 1000} s for question ${id} (request ${rec.requestId ?? '?'})`));
          }, Math.max(1, rec.t0 + DONE_WITHIN_MS - now()));
          waiters.set(id, () => {
            clearTimeout(timer);
            waiters.delete(id);
            resolve();
          });
        });
      }
      const end = ended.get(id)!;
      if (end.state !== 'done') throw new Error(`student ${s.index}: question ${id} ended ${end.state}`);
      rec.tDone = end.at;
      rec.t1 = firstStreaming.get(id);
      if (rec.t1 === undefined) throw new Error(`student ${s.index}: question ${id} got DONE without a STREAMING signal`);
      return rec;
    };

    // Warm-up (not counted): the first sends through every layer, the provider's HTTP pool, JIT.
    for (let done = 0; done < opts.warmup; ) {
      const batch = students.slice(0, Math.min(students.length, opts.warmup - done));
      await Promise.all(batch.map((s) => ask(s, 0, false)));
      done += batch.length;
    }

    const dbDiag = opts.diag ? diagnoseDb(core) : null;
    const elu0 = performance.eventLoopUtilization();
    const perStudent = students.map((s) => Math.floor(opts.questions / opts.students) + (s.index < opts.questions % opts.students ? 1 : 0));
    const failures: Error[] = [];
    const tStart = now();
    await Promise.all(
      students.map(async (s) => {
        for (let q = 1; q <= perStudent[s.index]!; q++) {
          if (failures.length) return;
          // A student reads the answer and thinks before the next question (exponential, mean --think ms):
          // a class, not a loop. --think 0 asks back to back (saturation).
          if (opts.think > 0) await new Promise((r) => setTimeout(r, -Math.log(1 - Math.random()) * opts.think));
          try {
            await ask(s, q, true);
          } catch (err) {
            failures.push(err as Error);
            return;
          }
        }
      }),
    );
    const elapsed = now() - tStart;
    const elu = performance.eventLoopUtilization(elu0);
    const db = await dbDiag?.stop();
    const counted = [...recs.values()].filter((r) => r.counted);
    const completed = counted.filter((r) => r.tDone !== undefined).length;
    if (failures.length) throw new Error(`${failures.length} question(s) failed, ${completed} of ${opts.questions} completed; first: ${failures[0]!.message}`);

    // ------------------------------------------------------------------ figures
    const added = counted.map((r) => r.t1! - r.t0 - opts.ttft);
    const raw = counted.map((r) => r.t1! - r.t0);
    const http = counted.map((r) => r.tResp! - r.t0);
    const stageDefs: [string, (r: Rec) => number | undefined][] = [
      ['send → message committed (HTTP, GraphQL, auth, message write)', (r) => diff(r.tPosted, r.t0)],
      ['→ queue.add starts (tutor request row, QUEUED signal)', (r) => diff(r.tAddStart, r.tPosted)],
      ['queue.add (BullMQ add)', (r) => diff(r.tAddEnd, r.tAddStart)],
      ['→ worker run starts (BullMQ pick-up)', (r) => diff(r.tRun, r.tAddEnd)],
      ['run → reserve (request, room, settings, history, token count)', (r) => diff(r.tReserve, r.tRun)],
      ['reserve transaction (budget rows locked FOR UPDATE)', (r) => diff(r.tReserved, r.tReserve)],
      ['reserved → THINKING signal', (r) => diff(r.tThinking, r.tReserved)],
      ['THINKING → provider called (signal publish awaited)', (r) => diff(r.tStream, r.tThinking)],
      ['provider call → first delta, less TTFT (HTTP, SSE, SDK)', (r) => (r.tFirstDelta !== undefined && r.tStream !== undefined ? r.tFirstDelta - r.tStream - opts.ttft : undefined)],
      ['first delta → STREAMING signal published', (r) => diff(r.tSigCall, r.tFirstDelta)],
      ['publish → client (Redis, hub, graphql-ws)', (r) => diff(r.t1, r.tSigCall)],
    ];
    const stages = stageDefs.map(([name, f]) => {
      const v = counted.map(f).filter((x): x is number => x !== undefined);
      return { stage: name, n: v.length, p50: r1(percentile(v, 50)), p95: r1(percentile(v, 95)), mean: r1(mean(v)) };
    });
    const result = {
      questions: counted.length,
      completed,
      durationMs: Math.round(elapsed),
      questionsPerSecond: r1(counted.length / (elapsed / 1000)),
      addedLatencyMs: { p50: r1(percentile(added, 50)), p95: r1(percentile(added, 95)), p99: r1(percentile(added, 99)), max: r1(Math.max(...added)), mean: r1(mean(added)) },
      sendToFirstTokenMs: { p50: r1(percentile(raw, 50)), p95: r1(percentile(raw, 95)) },
      sendMessageHttpMs: { p50: r1(percentile(http, 50)), p95: r1(percentile(http, 95)) },
      /** Share of the measured time the one event loop (app, worker, fake provider and clients) was busy. */
      eventLoopUtilization: Math.round(elu.utilization * 1000) / 1000,
      stages,
      ...(db ? { db: { ...db, queriesPerQuestion: r1(db.queries / counted.length) } } : {}),
    };
    const report = {
      bench: 'tutor',
      at: new Date(startedAt).toISOString(),
      machine: { node: process.version, cpus: os.cpus().length, platform: `${os.platform()} ${os.arch()}` },
      config: {
        students: opts.students,
        questions: opts.questions,
        ttftMs: opts.ttft,
        thinkMs: opts.think,
        warmup: opts.warmup,
        chunks: CHUNKS.length,
        chunkDelayMs: CHUNK_DELAY_MS,
        tutorConcurrency: core.config.tutorConcurrency,
        dbPoolMax: core.config.dbPoolMax,
        env: opts.env,
      },
      target: { p95AddedLatencyMs: TARGET_P95_MS, met: result.addedLatencyMs.p95 < TARGET_P95_MS },
      result,
    };
    print(report);
    const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'tutor.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nwritten: ${path.relative(process.cwd(), out)}`);
  } finally {
    for (const s of students) await s?.client.dispose();
    await worker?.close().catch(() => {});
    if (app) {
      await dropQueueKeys(app).catch(() => {});
      await app.close().catch((err: unknown) => console.error(`closing the app: ${String(err)}`));
    }
    await fake?.close().catch(() => {});
  }
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
    if (out && typeof (out as Promise<unknown>).then === 'function') (out as Promise<unknown>).then(() => queryMs.push(now() - t), () => queryMs.push(now() - t));
    return out;
  };
  pool.connect = function (this: pg.Pool, cb?: (...r: unknown[]) => void) {
    const t = now();
    maxWaiting = Math.max(maxWaiting, pool.waitingCount + 1);
    if (cb) return connect.call(this, ((...r: unknown[]) => (waitMs.push(now() - t), cb(...r))) as never);
    const p = (connect as () => Promise<pg.PoolClient>).call(this);
    void p.then(() => waitMs.push(now() - t), () => {});
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
      const res = (await query.call(sampler, `select state, wait_event_type, wait_event from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`)) as pg.QueryResult<{ state: string | null; wait_event_type: string | null; wait_event: string | null }>;
      samples++;
      for (const r of res.rows) {
        const k = r.state === 'idle' ? 'idle' : r.wait_event_type ? `${r.state}: ${r.wait_event_type}/${r.wait_event}` : `${r.state}: on CPU`;
        waits.set(k, (waits.get(k) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await sampler.end();
  })().catch(() => {});
  return {
    async stop() {
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

const diff = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? a - b : undefined);

/** Wraps the hook, the queue, the worker's run, the provider and the signals to stamp each question. */
function instrument(core: TestApp['core'], t: { recs: Map<string, Rec>; byQuestion: Map<string, Rec>; byRequest: Map<string, Rec>; ttft: number }): void {
  const tutor = core.services.tutor;
  const onPosted = tutor.onPosted.bind(tutor);
  tutor.onPosted = async (room: RoomInfo, message: MessageView, authorId: string) => {
    const rec = message.clientId ? t.recs.get(message.clientId) : undefined;
    if (rec) {
      rec.tPosted = now();
      rec.questionId = message.id;
      t.byQuestion.set(message.id, rec);
    }
    return onPosted(room, message, authorId);
  };

  const queue = tutor.queue!;
  const add = queue.add.bind(queue);
  queue.add = (async (name, data, opts) => {
    const rec = t.byRequest.get(data.requestId);
    if (rec) rec.tAddStart = now();
    const job = await add(name, data, opts);
    if (rec) rec.tAddEnd = now();
    return job;
  }) as typeof queue.add;

  const run = tutor.run.bind(tutor);
  tutor.run = (requestId: string, jobId: string) => {
    const rec = t.byRequest.get(requestId);
    if (rec && rec.tRun === undefined) rec.tRun = now();
    return run(requestId, jobId);
  };

  // A private method, wrapped on the instance: the budget reservation's transaction.
  const priv = tutor as unknown as { reserve?: (requestId: string, ...rest: unknown[]) => Promise<unknown> };
  const reserve = priv.reserve?.bind(tutor);
  if (reserve) priv.reserve = async (requestId: string, ...rest: unknown[]) => {
    const rec = t.byRequest.get(requestId);
    if (rec && rec.tReserve === undefined) rec.tReserve = now();
    const out = await reserve(requestId, ...rest);
    if (rec && rec.tReserved === undefined) rec.tReserved = now();
    return out;
  };

  const realtime = core.services.realtime;
  const signal = realtime.signal.bind(realtime);
  realtime.signal = async <P>(stream: string, type: string, payload: P, ttlMs: number) => {
    if (type !== 'tutor') return signal(stream, type, payload, ttlMs);
    const s = payload as unknown as TutorSignal;
    const rec = t.byQuestion.get(s.questionId);
    let first = false;
    if (rec) {
      rec.requestId = s.requestId;
      t.byRequest.set(s.requestId, rec);
      if (s.state === 'thinking' && rec.tThinking === undefined) rec.tThinking = now();
      if (s.state === 'streaming' && rec.tSigCall === undefined) {
        rec.tSigCall = now();
        first = true;
      }
    }
    await signal(stream, type, payload, ttlMs);
    if (rec && first) rec.tSigSent = now();
  };

  // The provider is the service's own (private) dependency: reached at run time, for the bench only.
  const provider = (tutor as unknown as { d?: { provider?: TutorProvider } }).d?.provider;
  if (!provider) return;
  const stream = provider.stream.bind(provider);
  provider.stream = (req: StreamRequest) => {
    const last = req.messages[req.messages.length - 1]?.content ?? '';
    const ref = /\(ref ([0-9a-f-]{36})\)/.exec(last)?.[1];
    const rec = ref ? t.recs.get(ref) : undefined;
    if (!rec) return stream(req);
    rec.tStream = now();
    const onDelta = req.onDelta;
    return stream({
      ...req,
      onDelta: (d) => {
        if (rec.tFirstDelta === undefined) rec.tFirstDelta = now();
        onDelta(d);
      },
    });
  };
}

/** BullMQ leaves its keys under the app's queue prefix (one of its own per run): removed with the database. */
async function dropQueueKeys(app: TestApp): Promise<void> {
  const redis = app.core.redis.pub;
  const prefix = app.core.config.queuePrefix;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

function print(report: {
  config: { students: number; ttftMs: number };
  machine: { cpus: number; node: string };
  target: { p95AddedLatencyMs: number; met: boolean };
  result: {
    questions: number;
    completed: number;
    durationMs: number;
    questionsPerSecond: number;
    addedLatencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
    sendToFirstTokenMs: { p50: number; p95: number };
    sendMessageHttpMs: { p50: number; p95: number };
    eventLoopUtilization: number;
    stages: { stage: string; n: number; p50: number; p95: number; mean: number }[];
    db?: { sessions: Record<string, number>; queries: number; queriesPerQuestion: number; queryMs: { p50: number; p95: number; mean: number }; poolAcquisitions: number; poolWaitMs: { p50: number; p95: number; mean: number }; poolMaxWaiting: number };
  };
}): void {
  const { config: c, result: r } = report;
  console.log(`\ntutor bench: ${c.students} students, ${r.questions} questions, provider TTFT ${c.ttftMs} ms (${report.machine.cpus} CPUs, ${report.machine.node})\n`);
  const rows: [string, string][] = [
    ['added latency p50', `${r.addedLatencyMs.p50} ms`],
    ['added latency p95', `${r.addedLatencyMs.p95} ms  (target < ${report.target.p95AddedLatencyMs} ms: ${report.target.met ? 'met' : 'MISSED'})`],
    ['added latency p99', `${r.addedLatencyMs.p99} ms`],
    ['added latency max', `${r.addedLatencyMs.max} ms`],
    ['send → first token p50', `${r.sendToFirstTokenMs.p50} ms`],
    ['send → first token p95', `${r.sendToFirstTokenMs.p95} ms`],
    ['sendMessage HTTP p50 / p95', `${r.sendMessageHttpMs.p50} / ${r.sendMessageHttpMs.p95} ms`],
    ['questions per second', `${r.questionsPerSecond}`],
    ['replies completed', `${r.completed} of ${r.questions}`],
    ['event loop busy', `${Math.round(r.eventLoopUtilization * 100)}% (app, worker, provider and clients share it)`],
  ];
  if (r.db) {
    rows.push(
      ['db queries per question', `${r.db.queriesPerQuestion} (query p50 / p95 ${r.db.queryMs.p50} / ${r.db.queryMs.p95} ms)`],
      ['db pool wait p50 / p95', `${r.db.poolWaitMs.p50} / ${r.db.poolWaitMs.p95} ms (${r.db.poolAcquisitions} acquisitions, up to ${r.db.poolMaxWaiting} waiting)`],
      ['db sessions (average)', Object.entries(r.db.sessions).map(([k, v]) => `${k} ${v}`).join(', ')],
    );
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
  console.log('\nwhere the added latency goes (ms):');
  const sw = Math.max(...r.stages.map((s) => s.stage.length));
  console.log(`  ${'stage'.padEnd(sw)}  ${'p50'.padStart(7)}  ${'p95'.padStart(7)}  ${'mean'.padStart(7)}`);
  for (const s of r.stages) console.log(`  ${s.stage.padEnd(sw)}  ${String(s.p50).padStart(7)}  ${String(s.p95).padStart(7)}  ${String(s.mean).padStart(7)}`);
}
