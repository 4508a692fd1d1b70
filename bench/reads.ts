/**
 * What read marking costs the server (issue 14, item 11): the same chat load with the tabs' read marking off, and
 * on as the web app now does it (web/src/chat/read-marker.ts: at most one markRoomRead per room per interval, the
 * newest seq only, and only past what the server holds; a course room's interval unless --mark-interval says
 * otherwise); optionally as the web app did before (`per-message`: a markRoomRead 300 ms after each arriving
 * message, one mutation per reader per message).
 *
 *   npm run bench -- reads [--users 300] [--course-size 50] [--every 30] [--seconds 60] [--modes off,on]
 *                          [--mark-interval S] [--warmup 15] [--size 200] [--grace 20] [--keep-db]
 *
 * Setup: a fresh PostgreSQL database on the local server with users / course-size courses of course-size learners,
 * each with a session for their course (bench/reads/setup.ts); Redis at 127.0.0.1:6379. The server is the app as
 * `npm start` builds it (the esbuild bundle under plain node, NODE_ENV=production, ROLE=api, the chat rate limit
 * lifted), as the fanout bench runs it. The tabs process (bench/reads/tabs.ts) opens one tab per user with the
 * web app's chat view subscriptions (roomEvents, chatActivity, presence, notificationEvents) on one WebSocket.
 *
 * Then a warm-up phase in each mode (not reported) and one phase per mode, on the same server and tabs: every user
 * sends a message every --every seconds (each at its own offset) for --seconds, and every tab marks what arrives
 * according to the mode. Per phase: the server's CPU (utime + stime from /proc, sampled every 100 ms) over the
 * window from the first send to the last, as a share of one core; PostgreSQL's and Redis's CPU over the phase;
 * delivery latency (send → receipt by each tab of the course) p50/p99/max, lost and duplicated; markRoomRead
 * calls per second and their round trip; the tabs process's own CPU (near 100 % of a core it, not the server,
 * limits). The target: marking on within 1.5 × the server CPU of marking off. Figures go to stdout (with a
 * Markdown table) and to bench/results/reads.json; the server's log to bench/results/reads-server.log.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postgresCpuBetween, procSample, round2, sleep, systemCpu, type ProcSample } from './fanout/common.js';
import { Helper, ROOT, buildServers, freePort, killAll, startServer, stop } from './fanout/procs.js';
import { dropQueueKeys, serverEnv } from './fanout/setup.js';
import { makeReadsData, type ReadsData } from './reads/setup.js';
import { MODES, type Mode, type PhaseEv, type TabsCmd, type TabsEv } from './reads/protocol.js';
import { markIntervalFor } from '../web/src/chat/read-marker.js';

const RESULTS = path.join(ROOT, 'bench', 'results');
const TARGET_CPU_RATIO = 1.5;

interface Options {
  users: number;
  courseSize: number;
  every: number;
  seconds: number;
  modes: Mode[];
  warmup: number;
  size: number;
  graceMs: number;
  /** Seconds; null: the web app's interval for a course room. */
  markInterval: number | null;
  keepDb: boolean;
}

function parseArgs(args: string[]): Options {
  const o: Options = {
    users: 300,
    courseSize: 50,
    every: 30,
    seconds: 60,
    modes: ['off', 'on'],
    warmup: 15,
    size: 200,
    graceMs: 20_000,
    markInterval: null,
    keepDb: false,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--keep-db') {
      o.keepDb = true;
      continue;
    }
    const m = /^--(users|course-size|every|seconds|modes|mark-interval|warmup|size|grace)(?:=(.*))?$/.exec(a);
    if (!m)
      throw new Error(
        `unknown argument ${a} (use --users N --course-size N --every S --seconds S --modes ${MODES.join(',')} --mark-interval S --warmup S --size B --grace S --keep-db)`,
      );
    const raw = m[2] ?? args[++i];
    if (raw === undefined) throw new Error(`--${m[1]} needs a value`);
    const num = (min: number) => {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < min) throw new Error(`--${m[1]} needs a number ≥ ${min}, got ${raw}`);
      return n;
    };
    switch (m[1]) {
      case 'users':
        o.users = Math.round(num(1));
        break;
      case 'course-size':
        o.courseSize = Math.round(num(1));
        break;
      case 'every':
        o.every = num(0.1);
        break;
      case 'seconds':
        o.seconds = num(1);
        break;
      case 'warmup':
        o.warmup = num(0);
        break;
      case 'size':
        o.size = Math.round(num(48));
        break;
      case 'grace':
        o.graceMs = num(1) * 1000;
        break;
      case 'mark-interval':
        o.markInterval = num(0.1);
        break;
      case 'modes': {
        const list = raw.split(',').map((s) => s.trim());
        for (const x of list) if (!(MODES as readonly string[]).includes(x)) throw new Error(`--modes takes ${MODES.join(', ')}; got ${x}`);
        o.modes = list as Mode[];
        break;
      }
    }
  }
  return o;
}

/** Samples a process's CPU every 100 ms; CPU seconds between two wall-clock instants. */
function sampler(pid: number) {
  const samples: ProcSample[] = [];
  const take = () => {
    const s = procSample(pid);
    if (s) samples.push(s);
  };
  take();
  const timer = setInterval(take, 100);
  return {
    stop() {
      clearInterval(timer);
      take();
    },
    between(from: number, to: number): { cpuSeconds: number; seconds: number } {
      const a = [...samples].reverse().find((s) => s.at <= from) ?? samples[0]!;
      const b = samples.find((s) => s.at >= to) ?? samples[samples.length - 1]!;
      return { cpuSeconds: b.cpuSeconds - a.cpuSeconds, seconds: (b.at - a.at) / 1000 };
    },
  };
}

interface PhaseFigures extends Omit<PhaseEv, 'ev'> {
  messagesPerSecond: number;
  serverCpuShare: number;
  /** Server CPU per message sent, ms. */
  serverCpuMsPerMessage: number;
  postgresCpuShare: number;
  redisCpuShare: number;
  machineBusyShare: number;
}

async function runPhase(
  tabs: Helper<TabsCmd, TabsEv>,
  pid: number,
  database: string,
  opts: Options,
  tag: string,
  mode: Mode,
  seconds: number,
): Promise<PhaseFigures> {
  const s = sampler(pid);
  const sys0 = systemCpu(database);
  try {
    const r = await tabs.call(
      {
        cmd: 'phase',
        tag,
        mode,
        seconds,
        everySeconds: opts.every,
        size: opts.size,
        graceMs: opts.graceMs,
        markIntervalMs: opts.markInterval === null ? null : opts.markInterval * 1000,
      },
      'phase',
      (seconds + opts.graceMs / 1000) * 1000 + 120_000,
    );
    s.stop();
    const sys1 = systemCpu(database);
    const window = s.between(r.firstSendAt, r.lastSendAt);
    const phaseSeconds = Math.max(0.001, sys1.total - sys0.total) / os.cpus().length;
    const { ev: _ev, ...rest } = r;
    const windowSeconds = Math.max(0.001, (r.lastSendAt - r.firstSendAt) / 1000);
    return {
      ...rest,
      messagesPerSecond: round2(r.sends.ok / windowSeconds),
      serverCpuShare: round2(window.cpuSeconds / Math.max(0.001, window.seconds)),
      serverCpuMsPerMessage: round2((window.cpuSeconds * 1000) / Math.max(1, r.sends.ok)),
      postgresCpuShare: round2(postgresCpuBetween(sys0, sys1) / phaseSeconds),
      redisCpuShare: round2((sys1.redis - sys0.redis) / phaseSeconds),
      machineBusyShare: round2((sys1.busy - sys0.busy) / Math.max(0.001, sys1.total - sys0.total)),
    };
  } finally {
    s.stop();
  }
}

export async function main(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  const courses = Math.max(1, Math.round(opts.users / opts.courseSize));
  const startedAt = new Date();
  const runTag = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lt-reads-'));
  const queuePrefix = `reads-${runTag}`;
  const env = serverEnv(dataDir, queuePrefix);
  mkdirSync(RESULTS, { recursive: true });
  let data: ReadsData | undefined;
  const cleanUp = async () => {
    killAll();
    if (data && !opts.keepDb) await data.dropDb().catch((err: unknown) => console.error(`dropping the database: ${String(err)}`));
    await dropQueueKeys(queuePrefix).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSigint = () => {
    console.error('\ninterrupted: stopping the server and dropping the database…');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  let tabs: Helper<TabsCmd, TabsEv> | undefined;
  try {
    const markIntervalS = opts.markInterval ?? markIntervalFor('COURSE') / 1000;
    console.log(
      `reads bench: ${courses * opts.courseSize} users in ${courses} courses of ${opts.courseSize}, each sending every ${opts.every} s (${round2((courses * opts.courseSize) / opts.every)} messages/s); ${opts.seconds} s per phase; modes ${opts.modes.join(', ')}; marks at most every ${markIntervalS} s`,
    );
    await buildServers(['ours']);
    const t0 = Date.now();
    data = await makeReadsData(courses, opts.courseSize, env);
    console.log(`data: ${data.tabs.length} users and their sessions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const port = await freePort();
    const server = await startServer(
      'ours',
      { ...env, DATABASE_URL: data.databaseUrl, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
      RESULTS,
    );
    try {
      tabs = new Helper<TabsCmd, TabsEv>('tabs', 'bench/reads/tabs.ts');
      const conn = await tabs.call(
        { cmd: 'connect', httpUrl: server.url, wsUrl: `ws://127.0.0.1:${port}/graphql`, tabs: data.tabs },
        'connected',
        10 * 60_000,
      );
      if (conn.failed) throw new Error(`${conn.failed} of ${data.tabs.length} tabs could not connect; first: ${conn.firstError}`);
      console.log(`${conn.tabs} tabs open (${conn.subscriptions} subscriptions) in ${(conn.ms / 1000).toFixed(1)} s`);
      await sleep(2000);
      const database = new URL(data.databaseUrl).pathname.slice(1);
      // A warm-up in each mode (not reported): the server compiles and caches what each needs, and every reader's
      // read-state row exists, before anything is measured.
      if (opts.warmup > 0) {
        for (const mode of [...new Set(opts.modes)]) {
          const w = await runPhase(tabs, server.pid, database, opts, `w${mode.replace(/\W/g, '')}`, mode, opts.warmup);
          console.log(
            `warm-up (${mode}): ${w.sends.ok} messages, p99 ${w.deliveries.latencyMs.p99} ms, server ${Math.round(w.serverCpuShare * 100)}% of a core`,
          );
        }
      }
      const phases: PhaseFigures[] = [];
      for (const [k, mode] of opts.modes.entries()) {
        const p = await runPhase(tabs, server.pid, database, opts, `p${k}`, mode, opts.seconds);
        phases.push(p);
        console.log(
          `${mode}: ${p.sends.ok} messages (${p.messagesPerSecond}/s, ${p.sends.failed} failed), delivered ${p.deliveries.delivered}/${p.deliveries.expected} (lost ${p.deliveries.lost}, dup ${p.deliveries.duplicated}), ` +
            `p50/p99 ${p.deliveries.latencyMs.p50}/${p.deliveries.latencyMs.p99} ms; markRoomRead ${p.marks.perSecond}/s (${p.marks.failed} failed); server ${Math.round(p.serverCpuShare * 100)}% of a core`,
        );
      }
      const warnings = Object.fromEntries(server.warnings);
      const report = {
        bench: 'reads',
        at: startedAt.toISOString(),
        machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?' },
        config: {
          users: data.tabs.length,
          courses,
          courseSize: opts.courseSize,
          everySeconds: opts.every,
          seconds: opts.seconds,
          size: opts.size,
          modes: opts.modes,
          markIntervalSeconds: markIntervalS,
        },
        phases,
        serverLog: { warnings, otherLines: server.otherLines },
      };
      print(report.config, phases, warnings);
      const out = path.join(RESULTS, 'reads.json');
      writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
      console.log(`\nwritten: ${path.relative(process.cwd(), out)}`);
    } finally {
      await tabs?.close({ cmd: 'close' });
      await stop(server.proc);
      // startServer names its log after the kind: keep this bench's apart from the fanout bench's.
      try {
        renameSync(server.logFile, path.join(RESULTS, 'reads-server.log'));
      } catch {
        /* no log */
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
    await cleanUp();
    if (data && opts.keepDb) console.log(`database kept: ${data.databaseUrl}`);
  }
}

const fmt = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n)
    ? '–'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function print(
  config: { users: number; courses: number; courseSize: number; everySeconds: number; seconds: number; markIntervalSeconds: number },
  phases: PhaseFigures[],
  warnings: Record<string, number>,
): void {
  console.log(
    `\n${fmt(config.users)} users in ${config.courses} courses of ${config.courseSize}, each sending every ${config.everySeconds} s, ${config.seconds} s per phase; marks (on) at most every ${config.markIntervalSeconds} s:\n`,
  );
  const cols = [
    'read marking',
    'messages/s',
    'delivered',
    'lost / dup',
    'p50 ms',
    'p99 ms',
    'max ms',
    'markRoomRead/s',
    'mark p99 ms',
    'server CPU',
    'CPU ms/msg',
    'PostgreSQL CPU',
    'tabs CPU',
    'machine busy',
  ];
  console.log(`| ${cols.join(' | ')} |`);
  console.log(`| ${cols.map(() => '---').join(' | ')} |`);
  for (const p of phases) {
    console.log(
      `| ${[
        p.mode,
        fmt(p.messagesPerSecond, 1),
        `${fmt(p.deliveries.delivered)} / ${fmt(p.deliveries.expected)}`,
        `${p.deliveries.lost} / ${p.deliveries.duplicated}`,
        fmt(p.deliveries.latencyMs.p50, 1),
        fmt(p.deliveries.latencyMs.p99, 1),
        fmt(p.deliveries.latencyMs.max, 1),
        fmt(p.marks.perSecond, 1),
        p.marks.sent ? fmt(p.marks.httpMs.p99, 1) : '–',
        `${Math.round(p.serverCpuShare * 100)}%`,
        fmt(p.serverCpuMsPerMessage, 2),
        `${Math.round(p.postgresCpuShare * 100)}%`,
        `${Math.round(p.cpuShare * 100)}%`,
        `${Math.round(p.machineBusyShare * 100)}%`,
      ].join(' | ')} |`,
    );
  }
  const off = phases.filter((p) => p.mode === 'off');
  const on = phases.filter((p) => p.mode === 'on');
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  if (off.length && on.length) {
    const ratio = round2(mean(on.map((p) => p.serverCpuShare)) / Math.max(0.001, mean(off.map((p) => p.serverCpuShare))));
    console.log(
      `\nserver CPU, marking on / off: ${fmt(ratio, 2)} (target ≤ ${TARGET_CPU_RATIO}: ${ratio <= TARGET_CPU_RATIO ? 'met' : 'NOT met'})`,
    );
  }
  const notes: string[] = [];
  for (const p of phases) {
    if (p.sends.failed) notes.push(`${p.mode}: ${p.sends.failed} sends failed; first: ${p.sends.firstFailure}`);
    if (p.marks.failed) notes.push(`${p.mode}: ${p.marks.failed} markRoomRead failed; first: ${p.marks.firstFailure}`);
    if (p.cpuShare >= 0.9)
      notes.push(`${p.mode}: the tabs process was busy ${Math.round(p.cpuShare * 100)}% of a core: it may be what limits`);
  }
  const w = Object.entries(warnings);
  if (w.length) notes.push(`server log: ${w.map(([k, v]) => `${v} × "${k}"`).join(', ')}`);
  if (notes.length) console.log(`\nnotes:\n${notes.map((n) => `  - ${n}`).join('\n')}`);
}
