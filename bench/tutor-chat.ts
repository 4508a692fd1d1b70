/**
 * Does the tutor stall the chat when the API and the worker share a process (`npm start`, ROLE=all)? Students chat
 * in their course room while some of them ask the offline tutor at once; the bench reports chat delivery and
 * /healthz latency with and without that burst.
 *
 *   npm run bench -- tutor-chat [--students 60] [--rate 5] [--askers 30] [--spread 3000] [--seconds 15]
 *
 * Three measured phases, in this order, with the chat running throughout (--rate messages a second in total, each
 * from the next student, every student subscribed to the course room):
 *   chat          no tutor questions
 *   burst (cold)  --askers students ask the tutor once each within --spread ms: the first questions after start
 *   burst (warm)  the same again
 * A burst phase lasts until every question got its DONE, and at least --seconds. Figures per phase: delivery
 * latency (sendMessage sent → the MESSAGE_ADDED event at each subscriber, over all pairs), /healthz latency
 * (probed every 100 ms, one at a time), the server's event loop delay, its CPU time (all threads, and the main
 * thread's alone: the one that serves the sockets) and the tutor's send → first token and → DONE.
 * On a shared machine the latencies also measure the neighbours: the main thread's CPU time does not.
 * Figures go to stdout and to bench/results/tutor-chat.json.
 *
 * Two processes: the server (bench/tutor-chat/server.ts, bundled by bin/build-server.ts and run under plain node
 * as `npm start` runs its build) with PGlite in a temporary data directory, the local Redis and the offline tutor;
 * and this one, the students (graphql-ws clients) and the probe.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client } from 'graphql-ws';
import { gql, wsClient } from '../api/test/harness.js';
import { ROOT, buildServer } from '../bin/build-server.js';
import type { FromServer, ServerPhase, ToServer } from './tutor-chat/protocol.js';

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`;
const OPEN_TUTOR = `mutation($courseId: ID!) { openTutorRoom(courseId: $courseId) { id } }`;
const ROOM_EVENTS = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type message { id clientId } tutor { questionId state } } }`;
const DONE_WITHIN_MS = 60_000;
const HEALTH_EVERY_MS = 100;

interface Options {
  students: number;
  /** Chat messages a second, in total. */
  rate: number;
  askers: number;
  /** The askers' questions are spread uniformly over this many ms. */
  spread: number;
  /** Least duration of a phase, s. */
  seconds: number;
}

function parseArgs(args: string[]): Options {
  const o: Options = { students: 60, rate: 5, askers: 30, spread: 3000, seconds: 15 };
  for (let i = 0; i < args.length; i++) {
    const m = /^--(students|rate|askers|spread|seconds)(?:=(.*))?$/.exec(args[i]!);
    if (!m) throw new Error(`unknown argument ${args[i]} (use --students N --rate N --askers N --spread MS --seconds S)`);
    const raw = m[2] ?? args[++i];
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${m[1]} needs a number, got ${raw}`);
    o[m[1] as keyof Options] = n;
  }
  if (o.students < 1 || o.rate <= 0 || o.askers > o.students)
    throw new Error('need --students >= 1, --rate > 0 and --askers <= --students');
  return o;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const r1 = (n: number) => Math.round(n * 10) / 10;
function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const stats = (v: number[]) => ({
  n: v.length,
  p50: r1(percentile(v, 50)),
  p99: r1(percentile(v, 99)),
  max: r1(v.length ? Math.max(...v) : NaN),
});

interface Student {
  index: number;
  token: string;
  client: Client;
  tutorRoomId?: string;
}

/** A chat message in flight: when it was sent and the delivery latencies seen so far. */
interface Sent {
  phase: string;
  t0: number;
  latencies: number[];
}

interface PhaseReport {
  phase: string;
  durationMs: number;
  chat: { messages: number; deliveries: ReturnType<typeof stats>; missing: number };
  healthz: ReturnType<typeof stats>;
  tutor: { questions: number; toFirstTokenMs: ReturnType<typeof stats>; toDoneMs: ReturnType<typeof stats> } | null;
  server: ServerPhase;
}

export async function main(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  const startedAt = Date.now();
  let server: ServerProcess | undefined;
  const students: Student[] = [];
  try {
    await buildServer('bench/tutor-chat/server.ts', 'bench/results/build/tutor-chat-server.mjs');
    server = startServer();
    const ready = await server.request({ t: 'start', env: {}, students: opts.students }, 'ready');
    const baseSubs = (await server.request({ t: 'subs' }, 'subs')).n;

    const sent = new Map<string, Sent>(); // by clientId
    const firstToken = new Map<string, number>(); // by questionId
    const done = new Map<string, number>();
    let subscriptions = 0;
    for (let index = 0; index < opts.students; index++) {
      const token = ready.tokens[index]!;
      const { client } = wsClient(ready.wsUrl, token);
      const s: Student = { index, token, client };
      students.push(s);
      const next = (res: {
        data?: {
          roomEvents?: { type: string; message: { clientId: string | null } | null; tutor: { questionId: string; state: string } | null };
        } | null;
      }) => {
        const at = now();
        const e = res.data?.roomEvents;
        if (e?.type === 'MESSAGE_ADDED' && e.message?.clientId) {
          const m = sent.get(e.message.clientId);
          if (m) m.latencies.push(at - m.t0);
        } else if (e?.type === 'TUTOR' && e.tutor) {
          const state = e.tutor.state.toLowerCase();
          if (state === 'streaming' && !firstToken.has(e.tutor.questionId)) firstToken.set(e.tutor.questionId, at);
          if (state === 'done' || state === 'failed' || state === 'refused' || state === 'cancelled')
            if (!done.has(e.tutor.questionId)) done.set(e.tutor.questionId, at);
        }
      };
      const sink = {
        next,
        error: (e: unknown) => console.error(`student ${index}: subscription error ${JSON.stringify(e)}`),
        complete: () => {},
      };
      client.subscribe({ query: ROOM_EVENTS, variables: { roomId: ready.courseRoomId } }, sink);
      subscriptions++;
      if (index < opts.askers) {
        const r = await gql(ready.url, OPEN_TUTOR, { courseId: ready.courseId }, token);
        s.tutorRoomId = r.body.data?.openTutorRoom?.id as string | undefined;
        if (!s.tutorRoomId) throw new Error(`openTutorRoom: ${JSON.stringify(r.body.errors)}`);
        client.subscribe({ query: ROOM_EVENTS, variables: { roomId: s.tutorRoomId } }, sink);
        subscriptions++;
      }
    }
    // graphql-ws does not acknowledge a subscribe: wait until the server has every one live.
    const liveBy = Date.now() + 30_000;
    while ((await server.request({ t: 'subs' }, 'subs')).n - baseSubs < subscriptions) {
      if (Date.now() > liveBy) throw new Error(`not all of ${subscriptions} subscriptions went live`);
      await sleep(20);
    }

    // ------------------------------------------------------------------ load: chat and the /healthz probe
    let phase = 'warm-up';
    let running = true;
    let nextSender = 0;
    const sendFailures: string[] = [];
    const chat = (async () => {
      const every = 1000 / opts.rate;
      let at = now();
      while (running) {
        const s = students[nextSender++ % students.length]!;
        const clientId = randomUUID();
        sent.set(clientId, { phase, t0: now(), latencies: [] });
        void gql(ready.url, SEND, { input: { roomId: ready.courseRoomId, clientId, body: `chat ${clientId}` } }, s.token).then(
          (r) => void (r.body.errors && sendFailures.push(JSON.stringify(r.body.errors))),
          (err: unknown) => void sendFailures.push(String(err)),
        );
        at += every;
        await sleep(Math.max(0, at - now()));
      }
    })();
    const health: { phase: string; ms: number }[] = [];
    const probe = (async () => {
      while (running) {
        const p = phase;
        const t = now();
        const res = await fetch(`${ready.url}/healthz`);
        await res.arrayBuffer();
        health.push({ phase: p, ms: now() - t });
        await sleep(HEALTH_EVERY_MS);
      }
    })();

    const asked: { phase: string; questionId: string; t0: number }[] = [];
    const burst = async (name: string) => {
      const t = now();
      await Promise.all(
        students.slice(0, opts.askers).map(async (s) => {
          await sleep(Math.random() * opts.spread);
          const clientId = randomUUID();
          const t0 = now();
          const r = await gql(
            ready.url,
            SEND,
            {
              input: {
                roomId: s.tutorRoomId,
                clientId,
                body: `Why does my for loop print the last value ${s.index + 1} times, and how do closures capture loop variables in Python?`,
              },
            },
            s.token,
          );
          const id = r.body.data?.sendMessage?.id as string | undefined;
          if (!id) throw new Error(`question of student ${s.index}: ${JSON.stringify(r.body.errors)}`);
          asked.push({ phase: name, questionId: id, t0 });
        }),
      );
      const by = now() + DONE_WITHIN_MS;
      while (asked.some((a) => a.phase === name && !done.has(a.questionId))) {
        if (now() > by) throw new Error(`${name}: not every question got a DONE within ${DONE_WITHIN_MS / 1000} s`);
        await sleep(20);
      }
      await sleep(Math.max(1000, opts.seconds * 1000 - (now() - t)));
    };

    const reports: PhaseReport[] = [];
    const measure = async (name: string, body: () => Promise<void>) => {
      server!.post({ t: 'measure' });
      phase = name;
      const t = now();
      await body();
      const durationMs = now() - t;
      phase = 'between';
      const measured = await server!.request({ t: 'measured' }, 'measured');
      const { t: _t, ...serverPhase } = measured;
      // Every message of the phase reaches every subscriber (or is counted missing after 10 s).
      const mine = [...sent.values()].filter((m) => m.phase === name);
      const by = now() + 10_000;
      while (mine.some((m) => m.latencies.length < opts.students) && now() < by) await sleep(50);
      const tutor = asked.filter((a) => a.phase === name);
      reports.push({
        phase: name,
        durationMs: Math.round(durationMs),
        chat: {
          messages: mine.length,
          deliveries: stats(mine.flatMap((m) => m.latencies)),
          missing: mine.reduce((n, m) => n + Math.max(0, opts.students - m.latencies.length), 0),
        },
        healthz: stats(health.filter((h) => h.phase === name).map((h) => h.ms)),
        tutor: tutor.length
          ? {
              questions: tutor.length,
              toFirstTokenMs: stats(tutor.filter((a) => firstToken.has(a.questionId)).map((a) => firstToken.get(a.questionId)! - a.t0)),
              toDoneMs: stats(tutor.map((a) => done.get(a.questionId)! - a.t0)),
            }
          : null,
        server: serverPhase,
      });
    };

    await sleep(3000); // warm-up: the first messages through every layer, not counted
    await measure('chat', () => sleep(opts.seconds * 1000));
    await measure('chat + tutor burst (cold)', () => burst('chat + tutor burst (cold)'));
    await measure('chat + tutor burst (warm)', () => burst('chat + tutor burst (warm)'));
    running = false;
    await Promise.all([chat, probe]);
    if (sendFailures.length) throw new Error(`${sendFailures.length} chat message(s) failed; first: ${sendFailures[0]}`);

    const report = {
      bench: 'tutor-chat',
      at: new Date(startedAt).toISOString(),
      machine: { node: process.version, cpus: os.cpus().length, platform: `${os.platform()} ${os.arch()}`, loadavg: os.loadavg().map(r1) },
      config: { ...opts, database: 'pglite', role: 'all', provider: 'offline', tutorConcurrency: ready.tutorConcurrency },
      phases: reports,
    };
    print(report);
    const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'tutor-chat.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nwritten: ${path.relative(process.cwd(), out)}`);
  } finally {
    for (const s of students) await s.client.dispose();
    await server?.stop();
  }
}

function print(report: {
  config: Options & { tutorConcurrency: number };
  machine: { cpus: number; node: string; loadavg: number[] };
  phases: PhaseReport[];
}): void {
  const c = report.config;
  console.log(
    `\ntutor-chat bench: ${c.students} students chatting at ${c.rate} messages/s, bursts of ${c.askers} offline-tutor questions within ${c.spread} ms; ` +
      `one process (ROLE=all, PGlite, tutor concurrency ${c.tutorConcurrency}); ${report.machine.cpus} CPUs, ${report.machine.node}, load ${report.machine.loadavg.join(' ')}\n`,
  );
  const rows: [string, ...string[]][] = [['', ...report.phases.map((p) => p.phase)]];
  const f = (s: { p50: number; p99: number; max: number }) => `${s.p50} / ${s.p99} / ${s.max}`;
  rows.push(['duration (s)', ...report.phases.map((p) => String(r1(p.durationMs / 1000)))]);
  rows.push(['chat messages (missing deliveries)', ...report.phases.map((p) => `${p.chat.messages} (${p.chat.missing})`)]);
  rows.push(['chat delivery p50 / p99 / max (ms)', ...report.phases.map((p) => f(p.chat.deliveries))]);
  rows.push(['/healthz p50 / p99 / max (ms)', ...report.phases.map((p) => f(p.healthz))]);
  rows.push(['server loop delay p50 / p99 / max (ms)', ...report.phases.map((p) => f(p.server.loopDelayMs))]);
  rows.push([
    'server CPU ms: all threads, main thread',
    ...report.phases.map((p) => `${p.server.cpuMs}, ${p.server.mainThreadCpuMs ?? '?'}`),
  ]);
  rows.push(['server event loop busy', ...report.phases.map((p) => `${Math.round(p.server.eventLoopUtilization * 100)}%`)]);
  rows.push(['tutor send → first token p50 / p99 / max (ms)', ...report.phases.map((p) => (p.tutor ? f(p.tutor.toFirstTokenMs) : '-'))]);
  rows.push(['tutor send → done p50 / p99 / max (ms)', ...report.phases.map((p) => (p.tutor ? f(p.tutor.toDoneMs) : '-'))]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log('  ' + r.map((cell, i) => cell.padEnd(widths[i]!)).join('   '));
}

/** The server process, and requests over its IPC channel (one outstanding request per kind of answer). */
interface ServerProcess {
  post(m: ToServer): void;
  request<K extends FromServer['t']>(m: ToServer, answer: K): Promise<Extract<FromServer, { t: K }>>;
  stop(): Promise<void>;
}

function startServer(): ServerProcess {
  const file = path.join(ROOT, 'bench/results/build/tutor-chat-server.mjs');
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
