/**
 * A live class under a crowd (issue 17): one class of 500 students joining within 30 s, 200 of them voting, raising and
 * lowering hands, asking and signalling "I'm lost" for 5 minutes, while the host follows the class and the dashboard.
 *
 *   npm run bench -- live [--students 500] [--active 200] [--minutes 5] [--join-spread-s 30] [--interval-ms 10000] [--keep-db]
 *
 * Setup (this process, the app's own code): a fresh PostgreSQL database with one course, its instructor (the host) and
 * the students, each with a session token (bench/fanout/setup.ts). The server is the app as `npm start` builds it (the
 * esbuild bundle under plain node, NODE_ENV=production, ROLE=api), with its default rate limits. Redis at 127.0.0.1:6379.
 *
 * Then: the host creates and starts a class (a meeting link) over HTTP and follows it over graphql-ws
 * (`liveClassEvents`, the host's view) and the course's `liveDashboard`. The students arrive over --join-spread-s (student
 * i at i × spread / students): each sends `joinLiveClass` over HTTP (its round trip is the join time), then follows
 * the class over its own graphql-ws connection (as the class page does: the server keeps its presence from the
 * subscription). Once everyone is in, --active students act for --minutes, each every --interval-ms on average
 * (jittered): in turn raise a hand, vote for a question they have not voted for, signal confusion, lower the hand,
 * vote again; one action in ten asks a question instead.
 *
 * Event delivery is the time from a mutation's send (the bench's clock) to the host's receipt of its event over
 * graphql-ws (the same clock): a hand raised or lowered (matched by person and count), a question posted (by id), a
 * vote (by question and vote count). Confusion signals are counted, not matched (their event names no one).
 *
 * Reported: joins (ok, errors by code) with round trip p50/p95/max; the host's events by type and the matched
 * deliveries' p50/p95/p99/max; the dashboard snapshots received; the server's CPU (utime + stime of its process from
 * /proc, sampled every 100 ms) for the join phase and the action phase, as seconds and as a share of one core; its
 * resident memory (RSS) at the start, with everyone in, at the peak and at the end; the bench's own CPU beside it.
 * Figures go to stdout and to bench/results/live.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { procSample, round1, round2, sleep, summarize, wallNow, type LatencySummary, type ProcSample } from './fanout/common.js';
import { must, poster, userIdOf, ws, type Answer } from './fanout/graphql.js';
import { ROOT, buildServers, freePort, killAll, startServer, stop } from './fanout/procs.js';
import { dropQueueKeys, makeData, serverEnv, type BenchData } from './fanout/setup.js';

const RESULTS = path.join(ROOT, 'bench', 'results');

const CREATE = `mutation($courseId: ID!, $input: LiveClassInput!) { createLiveClass(courseId: $courseId, input: $input) { id } }`;
const START = `mutation($id: ID!) { startLiveClass(id: $id) { id state } }`;
const END = `mutation($id: ID!) { endLiveClass(id: $id) { id state } }`;
const JOIN = `mutation($id: ID!) { joinLiveClass(id: $id) { meetingUrl } }`;
const RAISE = `mutation($classId: ID!) { raiseHand(classId: $classId) { userId } }`;
const LOWER = `mutation($classId: ID!) { lowerHand(classId: $classId) }`;
const ASK = `mutation($classId: ID!, $body: String!) { askLiveQuestion(classId: $classId, body: $body) { id } }`;
const VOTE = `mutation($questionId: ID!) { voteLiveQuestion(questionId: $questionId) { id votes } }`;
const SIGNAL = `mutation($classId: ID!, $topic: String) { signalConfusion(classId: $classId, topic: $topic) }`;
const EVENTS = `subscription($classId: ID!) { liveClassEvents(classId: $classId) { cursor type userId hand { userId } question { id votes } } }`;
const DASHBOARD = `subscription($courseId: ID!) { liveDashboard(courseId: $courseId) { at present admitted hands openQuestions } }`;
const TOPICS = ['recursion', 'base case', 'big O', 'pointers', null];

interface Options {
  students: number;
  active: number;
  minutes: number;
  joinSpreadS: number;
  intervalMs: number;
  keepDb: boolean;
}

function parseArgs(args: string[]): Options {
  const o: Options = { students: 500, active: 200, minutes: 5, joinSpreadS: 30, intervalMs: 10_000, keepDb: false };
  const names: Record<string, keyof Options> = {
    students: 'students',
    active: 'active',
    minutes: 'minutes',
    'join-spread-s': 'joinSpreadS',
    'interval-ms': 'intervalMs',
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--keep-db') {
      o.keepDb = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    const key = m && names[m[1]!];
    if (!m || !key)
      throw new Error(`unknown argument ${a} (use --students N --active N --minutes M --join-spread-s S --interval-ms MS --keep-db)`);
    const n = Number(m[2] ?? args[++i]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${m[1]} needs a positive number`);
    (o as unknown as Record<string, number>)[key] = n;
  }
  o.active = Math.min(o.active, o.students);
  return o;
}

interface Run {
  joinMs: number[];
  joinErrors: Map<string, number>;
  actionErrors: Map<string, number>;
  actions: Map<string, number>;
  /** Send times of what the host should see, by key; receipts by the same key. */
  sent: Map<string, number>;
  received: Map<string, number>;
  hostEvents: Map<string, number>;
  dashboards: { at: number; present: number; admitted: number; hands: number; openQuestions: number }[];
  subscriptionErrors: string[];
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

export async function main(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  const startedAt = new Date();
  const runTag = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lt-live-'));
  const queuePrefix = `live-${runTag}`;
  const env = serverEnv(dataDir, queuePrefix);
  mkdirSync(RESULTS, { recursive: true });
  let data: BenchData | undefined;
  const clients: Client[] = [];
  try {
    console.log(
      `live bench: ${opts.students} students joining over ${opts.joinSpreadS} s, ${opts.active} acting every ~${opts.intervalMs} ms for ${opts.minutes} min`,
    );
    await buildServers(['ours']);
    data = await makeData(opts.students, env);
    const port = await freePort();
    const server = await startServer(
      'ours',
      { ...env, DATABASE_URL: data.databaseUrl, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
      path.join(RESULTS, 'live-log'),
    );
    const { call, close } = poster(server.url);
    const samples: ProcSample[] = [];
    const take = () => {
      const x = procSample(server.pid);
      if (x) samples.push(x);
    };
    const timer = setInterval(take, 100);
    try {
      const host = data.senderToken;
      const now = Date.now();
      const classId = must(
        await call(host, CREATE, {
          courseId: data.courseId,
          input: {
            title: 'Bench lecture',
            startsAt: new Date(now - 60_000).toISOString(),
            endsAt: new Date(now + (opts.minutes + opts.joinSpreadS / 60 + 30) * 60_000).toISOString(),
            meetingUrl: 'https://meet.example.org/bench-lecture',
          },
        }),
        'createLiveClass',
      ).createLiveClass.id as string;
      must(await call(host, START, { id: classId }), 'startLiveClass');

      const run: Run = {
        joinMs: [],
        joinErrors: new Map(),
        actionErrors: new Map(),
        actions: new Map(),
        sent: new Map(),
        received: new Map(),
        hostEvents: new Map(),
        dashboards: [],
        subscriptionErrors: [],
      };
      // The host: the class's events (host view) and the dashboard.
      const hostWs = ws(server.url, host);
      clients.push(hostWs);
      const raised = new Map<string, number>();
      const lowered = new Map<string, number>();
      hostWs.subscribe<{
        liveClassEvents: {
          type: string;
          userId: string | null;
          hand: { userId: string } | null;
          question: { id: string; votes: number } | null;
        };
      }>(
        { query: EVENTS, variables: { classId } },
        {
          next: (r) => {
            const at = wallNow();
            const e = r.data?.liveClassEvents;
            if (!e) return;
            bump(run.hostEvents, e.type);
            if (e.type === 'HAND_RAISED' && e.hand) {
              const k = (raised.get(e.hand.userId) ?? 0) + 1;
              raised.set(e.hand.userId, k);
              run.received.set(`raise:${e.hand.userId}:${k}`, at);
            } else if (e.type === 'HAND_LOWERED' && e.userId) {
              const k = (lowered.get(e.userId) ?? 0) + 1;
              lowered.set(e.userId, k);
              run.received.set(`lower:${e.userId}:${k}`, at);
            } else if (e.type === 'QUESTION_POSTED' && e.question) run.received.set(`ask:${e.question.id}`, at);
            else if (e.type === 'QUESTION_UPDATED' && e.question) run.received.set(`vote:${e.question.id}:${e.question.votes}`, at);
          },
          error: (e) => run.subscriptionErrors.push(`host events: ${JSON.stringify(e)}`),
          complete: () => {},
        },
      );
      hostWs.subscribe<{ liveDashboard: { present: number; admitted: number; hands: number; openQuestions: number } }>(
        { query: DASHBOARD, variables: { courseId: data.courseId } },
        {
          next: (r) => {
            const d = r.data?.liveDashboard;
            if (d) run.dashboards.push({ at: wallNow(), ...d });
          },
          error: (e) => run.subscriptionErrors.push(`dashboard: ${JSON.stringify(e)}`),
          complete: () => {},
        },
      );
      await sleep(1000);
      take();
      const rssStart = samples.at(-1)!.rssBytes;

      // The students arrive: join over HTTP, then follow the class.
      const tokens = data.subscriberTokens.slice(0, opts.students);
      const userIds: string[] = tokens.map(userIdOf);
      const joinT0 = wallNow() + 200;
      const spreadMs = opts.joinSpreadS * 1000;
      await Promise.all(
        tokens.map(async (token, i) => {
          await sleep(Math.max(0, joinT0 + (opts.students > 1 ? (i * spreadMs) / (opts.students - 1) : 0) - wallNow()));
          const sent = wallNow();
          const a = await call(token, JOIN, { id: classId }).catch((e: unknown) => ({ errors: [{ message: String(e) }] }) as Answer);
          if (a.errors) return void bump(run.joinErrors, a.errors[0]?.extensions?.code ?? a.errors[0]!.message);
          run.joinMs.push(wallNow() - sent);
          const c = ws(server.url, token);
          clients.push(c);
          c.subscribe(
            { query: EVENTS, variables: { classId } },
            { next: () => {}, error: (e) => run.subscriptionErrors.push(`student: ${JSON.stringify(e)}`), complete: () => {} },
          );
        }),
      );
      const joinEnd = wallNow();
      await sleep(3000);
      take();
      const rssJoined = samples.at(-1)!.rssBytes;

      // The active students act.
      const actT0 = wallNow();
      const actEnd = actT0 + opts.minutes * 60_000;
      const questions: string[] = [];
      const voted = new Set<string>();
      const asked = new Set<string>();
      const act = async (token: string, i: number) => {
        const userId = userIds[i]!;
        let step = 0;
        let raises = 0;
        let lowers = 0;
        await sleep(Math.random() * opts.intervalMs);
        while (wallNow() < actEnd) {
          const jitter = opts.intervalMs * (0.5 + Math.random());
          const sentAt = wallNow();
          const kind = Math.random() < 0.1 ? 'ask' : (['raise', 'vote', 'signal', 'lower', 'vote'] as const)[step++ % 5]!;
          let a: Answer | null = null;
          try {
            if (kind === 'ask') {
              a = await call(token, ASK, { classId, body: `Question ${i}-${step}: could you go over that again?` });
              const id = a.data?.askLiveQuestion?.id as string | undefined;
              if (id) {
                questions.push(id);
                asked.add(`${userId}:${id}`);
                run.sent.set(`ask:${id}`, sentAt);
              }
            } else if (kind === 'raise') {
              run.sent.set(`raise:${userId}:${++raises}`, sentAt);
              a = await call(token, RAISE, { classId });
            } else if (kind === 'lower') {
              run.sent.set(`lower:${userId}:${++lowers}`, sentAt);
              a = await call(token, LOWER, { classId });
            } else if (kind === 'signal') {
              a = await call(token, SIGNAL, { classId, topic: TOPICS[i % TOPICS.length] });
            } else {
              // The newest question this student has neither asked nor voted for.
              const q = [...questions].reverse().find((id) => !voted.has(`${userId}:${id}`) && !asked.has(`${userId}:${id}`));
              if (q) {
                voted.add(`${userId}:${q}`);
                a = await call(token, VOTE, { questionId: q });
                const v = a.data?.voteLiveQuestion as { id: string; votes: number } | undefined;
                if (v) run.sent.set(`vote:${v.id}:${v.votes}`, sentAt);
              }
            }
          } catch (e) {
            bump(run.actionErrors, String(e));
          }
          if (a) {
            bump(run.actions, kind);
            if (a.errors) bump(run.actionErrors, `${kind}: ${a.errors[0]?.extensions?.code ?? a.errors[0]!.message}`);
          }
          await sleep(Math.max(0, sentAt + jitter - wallNow()));
        }
      };
      await Promise.all(tokens.slice(0, opts.active).map((t, i) => act(t, i)));
      // What is still on its way.
      await sleep(3000);
      take();
      clearInterval(timer);
      const rssEnd = samples.at(-1)!.rssBytes;

      const cpuBetween = (from: number, to: number) => {
        const a = [...samples].reverse().find((x) => x.at <= from) ?? samples[0]!;
        const b = samples.find((x) => x.at >= to) ?? samples.at(-1)!;
        return { seconds: round2(b.cpuSeconds - a.cpuSeconds), coreShare: round2((b.cpuSeconds - a.cpuSeconds) / ((b.at - a.at) / 1000)) };
      };
      const deliveries: number[] = [];
      let unmatched = 0;
      for (const [k, t] of run.sent) {
        const r = run.received.get(k);
        if (r === undefined) unmatched++;
        else deliveries.push(r - t);
      }
      const totalActions = [...run.actions.values()].reduce((x, y) => x + y, 0);
      const report = {
        bench: 'live',
        at: startedAt.toISOString(),
        machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?' },
        config: opts,
        joins: {
          ok: run.joinMs.length,
          errors: Object.fromEntries(run.joinErrors),
          roundTripMs: summarize(run.joinMs) as LatencySummary,
          wallSeconds: round2((joinEnd - joinT0) / 1000),
        },
        actions: {
          total: totalActions,
          byKind: Object.fromEntries(run.actions),
          errors: Object.fromEntries(run.actionErrors),
          perSecond: round1(totalActions / ((wallNow() - actT0) / 1000)),
        },
        hostEvents: Object.fromEntries(run.hostEvents),
        deliveryToHostMs: { ...(summarize(deliveries) as LatencySummary), notReceived: unmatched },
        dashboard: {
          snapshots: run.dashboards.length,
          last: run.dashboards.at(-1) ?? null,
        },
        serverCpu: { joinPhase: cpuBetween(joinT0, joinEnd), actionPhase: cpuBetween(actT0, actEnd) },
        serverRssMb: {
          start: round1(rssStart / 2 ** 20),
          joined: round1(rssJoined / 2 ** 20),
          peak: round1(Math.max(...samples.map((s) => s.rssBytes)) / 2 ** 20),
          end: round1(rssEnd / 2 ** 20),
        },
        benchCpuSeconds: round2((process.cpuUsage().user + process.cpuUsage().system) / 1e6),
        subscriptionErrors: run.subscriptionErrors.slice(0, 10),
        serverLog: { warnings: Object.fromEntries(server.warnings), otherLines: server.otherLines },
      };
      await call(host, END, { id: classId }).catch(() => null);
      print(report);
      const out = path.join(RESULTS, 'live.json');
      writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
      console.log(`\nwritten: ${path.relative(process.cwd(), out)}`);
      if (run.joinErrors.size > 0) throw new Error(`joins failed: ${JSON.stringify(report.joins.errors)}`);
      if (run.subscriptionErrors.length > 0) throw new Error(`subscriptions failed: ${run.subscriptionErrors[0]}`);
    } finally {
      clearInterval(timer);
      await Promise.all(clients.map((c) => c.dispose()));
      close();
      await stop(server.proc);
    }
  } finally {
    killAll();
    if (data && !opts.keepDb) await data.dropDb().catch((err: unknown) => console.error(`dropping the database: ${String(err)}`));
    await dropQueueKeys(queuePrefix).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    if (data && opts.keepDb) console.log(`database kept: ${data.databaseUrl}`);
  }
}

function print(r: {
  joins: { ok: number; errors: Record<string, number>; roundTripMs: LatencySummary; wallSeconds: number };
  actions: { total: number; byKind: Record<string, number>; errors: Record<string, number>; perSecond: number };
  hostEvents: Record<string, number>;
  deliveryToHostMs: LatencySummary & { notReceived: number };
  dashboard: { snapshots: number };
  serverCpu: Record<'joinPhase' | 'actionPhase', { seconds: number; coreShare: number }>;
  serverRssMb: { start: number; joined: number; peak: number; end: number };
  benchCpuSeconds: number;
}): void {
  const d = r.deliveryToHostMs;
  const rows: [string, string][] = [
    ['joins (errors)', `${r.joins.ok} in ${r.joins.wallSeconds} s (${JSON.stringify(r.joins.errors)})`],
    ['joinLiveClass p50 / p95 / max', `${r.joins.roundTripMs.p50} / ${r.joins.roundTripMs.p95} / ${r.joins.roundTripMs.max} ms`],
    ['actions (per second)', `${r.actions.total} (${r.actions.perSecond}/s): ${JSON.stringify(r.actions.byKind)}`],
    ['action errors', JSON.stringify(r.actions.errors)],
    ['host events', JSON.stringify(r.hostEvents)],
    [
      'delivery to host p50 / p95 / p99 / max',
      `${d.p50} / ${d.p95} / ${d.p99} / ${d.max} ms (${d.n} matched, ${d.notReceived} not received)`,
    ],
    ['dashboard snapshots', String(r.dashboard.snapshots)],
    ['server CPU, joining', `${r.serverCpu.joinPhase.seconds} s (${Math.round(r.serverCpu.joinPhase.coreShare * 100)} % of a core)`],
    ['server CPU, acting', `${r.serverCpu.actionPhase.seconds} s (${Math.round(r.serverCpu.actionPhase.coreShare * 100)} % of a core)`],
    [
      'server RSS start / joined / peak / end',
      `${r.serverRssMb.start} / ${r.serverRssMb.joined} / ${r.serverRssMb.peak} / ${r.serverRssMb.end} MB`,
    ],
    ['bench process CPU', `${r.benchCpuSeconds} s`],
  ];
  console.log('\n| measure | value |');
  console.log('| --- | --- |');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
}
