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
 * Two processes, as in production: the server (bench/tutor/server.ts, bundled and run under plain node like
 * `npm start`'s build) runs the app and its BullMQ worker in one process, as `npm start` does, on a fresh PostgreSQL database on the local server and Redis at 127.0.0.1:6379.
 * This process is the outside world: the fake OpenAI-compatible provider with a fixed time to first token, and
 * one real graphql-ws client per student. Students ask concurrently, each in sequence (the next question after
 * the previous reply's DONE, and a think time). The bench fails if a question gets no DONE within 30 s.
 * Both processes stamp in wall-clock milliseconds (performance.timeOrigin + performance.now()); the server's
 * stamps say where the time goes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { Client } from 'graphql-ws';
import { gql, wsClient } from '../api/test/harness.js';
import { startFakeOpenAi, type FakeOpenAi } from '../api/test/fake-openai.js';
import type { TutorSignal } from '../api/src/tutor/service.js';
import { ROOT, buildServer } from '../bin/build-server.js';
import { wallNow, type DbDiag, type FromServer, type ServerStamps, type ToServer } from './tutor/protocol.js';

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
    if (!m)
      throw new Error(`unknown argument ${a} (use --students N --questions N --ttft MS --think MS --warmup N --diag --env KEY=VALUE)`);
    const raw = m[2] ?? args[++i];
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${m[1]} needs a whole number, got ${raw}`);
    o[m[1] as 'students' | 'questions' | 'ttft' | 'warmup' | 'think'] = n;
  }
  if (o.students < 1 || o.questions < 1) throw new Error('--students and --questions must be at least 1');
  return o;
}

/** One question's stamps (wall-clock ms). Here: t0, tResp, t1, tDone; the server sends the rest. */
interface Rec extends ServerStamps {
  ref: string;
  student: number;
  counted: boolean;
  t0: number;
  tResp?: number;
  t1?: number;
  tDone?: number;
}

const now = wallNow;

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

  const recs = new Map<string, Rec>(); // by ref (the clientId, also written into the question)
  /** Client side: first STREAMING and DONE per questionId, and who waits for a DONE. */
  const firstStreaming = new Map<string, number>();
  const ended = new Map<string, { at: number; state: string }>();
  const waiters = new Map<string, () => void>();

  let fake: FakeOpenAi | undefined;
  let server: ServerProcess | undefined;
  const students: Student[] = [];
  try {
    fake = await startFakeOpenAi();
    fake.setDefault({ kind: 'stream', firstTokenDelayMs: opts.ttft, chunks: CHUNKS, chunkDelayMs: CHUNK_DELAY_MS, usage: USAGE });
    // The server as production runs the app: an esbuild bundle under plain node (bin/build-server.ts).
    await buildServer('bench/tutor/server.ts', 'bench/results/build/tutor-server.mjs');
    server = startServer((ref, stamps) => {
      let rec = recs.get(ref);
      if (!rec) recs.set(ref, (rec = { ref, student: -1, counted: false, t0: 0 }));
      Object.assign(rec, stamps);
    });
    const env = {
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
    };
    const ready = await server.request({ t: 'start', students: opts.students, env }, 'ready');
    const baseSubs = (await server.request({ t: 'subs' }, 'subs')).n;
    await Promise.all(
      ready.tokens.map(async (token, index) => {
        const r = await gql(ready.url, OPEN_TUTOR, { courseId: ready.courseId }, token);
        if (r.body.errors || !r.body.data?.openTutorRoom?.id) throw new Error(`openTutorRoom: ${JSON.stringify(r.body.errors)}`);
        const { client } = wsClient(ready.wsUrl, token);
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
        students[index] = { index, token, roomId, client };
      }),
    );
    // graphql-ws does not acknowledge a subscribe: wait until the server has every one live.
    const liveBy = Date.now() + 20_000;
    for (;;) {
      const live = (await server.request({ t: 'subs' }, 'subs')).n - baseSubs;
      if (live >= opts.students) break;
      if (Date.now() > liveBy) throw new Error(`only ${live} of ${opts.students} subscriptions went live`);
      await new Promise((r) => setTimeout(r, 10));
    }

    // ------------------------------------------------------------------ asking
    const ask = async (s: Student, n: number, counted: boolean): Promise<Rec> => {
      const ref = randomUUID();
      const rec: Rec = { ref, student: s.index, counted, t0: 0 };
      recs.set(ref, rec);
      const body = `Question ${n} (ref ${ref}): why does my for loop print the last value ${s.index + 1} times?`;
      rec.t0 = now();
      const res = await gql(ready.url, SEND, { input: { roomId: s.roomId, clientId: ref, body } }, s.token);
      rec.tResp = now();
      const id = res.body.data?.sendMessage?.id as string | undefined;
      if (!id) throw new Error(`sendMessage (student ${s.index}): ${res.status} ${JSON.stringify(res.body.errors)}`);
      rec.questionId = id;
      if (!ended.has(id)) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => {
              waiters.delete(id);
              reject(
                new Error(
                  `student ${s.index}: no DONE within ${DONE_WITHIN_MS / 1000} s for question ${id} (request ${rec.requestId ?? '?'})`,
                ),
              );
            },
            Math.max(1, rec.t0 + DONE_WITHIN_MS - now()),
          );
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
    for (let done = 0; done < opts.warmup;) {
      const batch = students.slice(0, Math.min(students.length, opts.warmup - done));
      await Promise.all(batch.map((s) => ask(s, 0, false)));
      done += batch.length;
    }

    server.post({ t: 'measure', diag: opts.diag });
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
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
    const cpu = process.cpuUsage(cpu0);
    const measured = await server.request({ t: 'measured' }, 'measured');
    const db = measured.db;
    const counted = [...recs.values()].filter((r) => r.counted);
    const completed = counted.filter((r) => r.tDone !== undefined).length;
    if (failures.length)
      throw new Error(`${failures.length} question(s) failed, ${completed} of ${opts.questions} completed; first: ${failures[0]!.message}`);

    // ------------------------------------------------------------------ figures
    const added = counted.map((r) => r.t1! - r.t0 - opts.ttft);
    const raw = counted.map((r) => r.t1! - r.t0);
    const http = counted.map((r) => r.tResp! - r.t0);
    const stageDefs: [string, (r: Rec) => number | undefined][] = [
      ['send → message committed (HTTP, GraphQL, auth, message and request write)', (r) => diff(r.tPosted, r.t0)],
      ['→ queue.add starts (QUEUED signal; the request row is in the message write)', (r) => diff(r.tAddStart, r.tPosted)],
      ['queue.add (BullMQ add)', (r) => diff(r.tAddEnd, r.tAddStart)],
      ['→ worker run starts (BullMQ pick-up)', (r) => diff(r.tRun, r.tAddEnd)],
      ['run → reserve (request, room, settings, history, token count)', (r) => diff(r.tReserve, r.tRun)],
      ['reserve (one statement: request and budget rows locked, checked, taken)', (r) => diff(r.tReserved, r.tReserve)],
      ['reserved → THINKING signal', (r) => diff(r.tThinking, r.tReserved)],
      ['THINKING → provider called (signal publish awaited)', (r) => diff(r.tStream, r.tThinking)],
      [
        'provider call → first delta, less TTFT (HTTP, SSE, SDK)',
        (r) => (r.tFirstDelta !== undefined && r.tStream !== undefined ? r.tFirstDelta - r.tStream - opts.ttft : undefined),
      ],
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
      addedLatencyMs: {
        p50: r1(percentile(added, 50)),
        p95: r1(percentile(added, 95)),
        p99: r1(percentile(added, 99)),
        max: r1(Math.max(...added)),
        mean: r1(mean(added)),
      },
      sendToFirstTokenMs: { p50: r1(percentile(raw, 50)), p95: r1(percentile(raw, 95)) },
      sendMessageHttpMs: { p50: r1(percentile(http, 50)), p95: r1(percentile(http, 95)) },
      /** Share of the measured time each process's event loop was busy, and its CPU time per question. */
      server: {
        eventLoopUtilization: measured.eventLoopUtilization,
        cpuMsPerQuestion: r1(measured.cpuMs / counted.length),
        loopDelayMs: measured.loopDelayMs,
      },
      clients: {
        eventLoopUtilization: Math.round(elu.utilization * 1000) / 1000,
        cpuMsPerQuestion: r1((cpu.user + cpu.system) / 1000 / counted.length),
      },
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
        tutorConcurrency: ready.tutorConcurrency,
        dbPoolMax: ready.dbPoolMax,
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
    await server?.stop();
    await fake?.close().catch(() => {});
  }
}

/** The server process, and requests over its IPC channel (one outstanding request per kind of answer). */
interface ServerProcess {
  post(m: ToServer): void;
  request<K extends FromServer['t']>(m: ToServer, answer: K): Promise<Extract<FromServer, { t: K }>>;
  stop(): Promise<void>;
}

function startServer(onStamp: (ref: string, stamps: ServerStamps) => void): ServerProcess {
  const file = path.join(ROOT, 'bench/results/build/tutor-server.mjs');
  // BENCH_CPU_PROF=dir writes a V8 CPU profile of the server process there (open it in Chrome's DevTools).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = fork(file, [], {
    execArgv: ['--enable-source-maps', ...prof],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, { resolve: (m: FromServer) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  child.on('message', (m: FromServer) => {
    if (m.t === 'stamp') return onStamp(m.ref, m.stamps);
    if (m.t === 'error') return failAll(new Error(`server: ${m.message}`));
    const w = waiting.get(m.t);
    waiting.delete(m.t);
    w?.resolve(m);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      failAll(new Error(`server process exited (${code})`));
      resolve();
    }),
  );
  return {
    post: (m) => void child.send(m),
    request: (m, answer) =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        waiting.set(answer, { resolve: resolve as (m: FromServer) => void, reject });
        child.send(m);
      }),
    async stop() {
      if (child.exitCode !== null) return;
      if (child.connected) child.send({ t: 'stop' } satisfies ToServer);
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

const diff = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? a - b : undefined);

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
    server: { eventLoopUtilization: number; cpuMsPerQuestion: number; loopDelayMs: { p50: number; p99: number; max: number } };
    clients: { eventLoopUtilization: number; cpuMsPerQuestion: number };
    stages: { stage: string; n: number; p50: number; p95: number; mean: number }[];
    db?: (DbDiag & { queriesPerQuestion: number }) | null;
  };
}): void {
  const { config: c, result: r } = report;
  console.log(
    `\ntutor bench: ${c.students} students, ${r.questions} questions, provider TTFT ${c.ttftMs} ms (${report.machine.cpus} CPUs, ${report.machine.node})\n`,
  );
  const rows: [string, string][] = [
    ['added latency p50', `${r.addedLatencyMs.p50} ms`],
    [
      'added latency p95',
      `${r.addedLatencyMs.p95} ms  (target < ${report.target.p95AddedLatencyMs} ms: ${report.target.met ? 'met' : 'MISSED'})`,
    ],
    ['added latency p99', `${r.addedLatencyMs.p99} ms`],
    ['added latency max', `${r.addedLatencyMs.max} ms`],
    ['send → first token p50', `${r.sendToFirstTokenMs.p50} ms`],
    ['send → first token p95', `${r.sendToFirstTokenMs.p95} ms`],
    ['sendMessage HTTP p50 / p95', `${r.sendMessageHttpMs.p50} / ${r.sendMessageHttpMs.p95} ms`],
    ['questions per second', `${r.questionsPerSecond}`],
    ['replies completed', `${r.completed} of ${r.questions}`],
    [
      'server: event loop busy, CPU',
      `${Math.round(r.server.eventLoopUtilization * 100)}%, ${r.server.cpuMsPerQuestion} ms per question (app and worker)`,
    ],
    [
      'server: event loop delay',
      `p50 ${r.server.loopDelayMs.p50} ms, p99 ${r.server.loopDelayMs.p99} ms, max ${r.server.loopDelayMs.max} ms`,
    ],
    [
      'bench: event loop busy, CPU',
      `${Math.round(r.clients.eventLoopUtilization * 100)}%, ${r.clients.cpuMsPerQuestion} ms per question (provider and students)`,
    ],
  ];
  if (r.db) {
    rows.push(
      ['db queries per question', `${r.db.queriesPerQuestion} (query p50 / p95 ${r.db.queryMs.p50} / ${r.db.queryMs.p95} ms)`],
      [
        'db pool wait p50 / p95',
        `${r.db.poolWaitMs.p50} / ${r.db.poolWaitMs.p95} ms (${r.db.poolAcquisitions} acquisitions, up to ${r.db.poolMaxWaiting} waiting)`,
      ],
      [
        'db sessions (average)',
        Object.entries(r.db.sessions)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      ],
    );
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
  console.log('\nwhere the added latency goes (ms):');
  const sw = Math.max(...r.stages.map((s) => s.stage.length));
  console.log(`  ${'stage'.padEnd(sw)}  ${'p50'.padStart(7)}  ${'p95'.padStart(7)}  ${'mean'.padStart(7)}`);
  for (const s of r.stages)
    console.log(`  ${s.stage.padEnd(sw)}  ${String(s.p50).padStart(7)}  ${String(s.p95).padStart(7)}  ${String(s.mean).padStart(7)}`);
}
