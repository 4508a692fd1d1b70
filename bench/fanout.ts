/**
 * Fan-out of one course room's messages to many subscribers: ours (graphql-ws on the real app) against two
 * baselines that persist the same way, a Socket.IO server and a raw `ws` server (issue 6).
 *
 *   npm run bench -- fanout [--subscribers 1000] [--messages 200] [--rate 50[,100,…]] [--size 200]
 *                           [--only ours,socketio,raw] [--timeout 30] [--keep-db]
 *   npm run bench -- fanout --soak MINUTES [--rate 20] [--subscribers 1000] [--only ours]
 *
 * Setup (this process, the app's own code): a fresh PostgreSQL database on the local server, migrated; a course
 * with its course room, an instructor who sends and N learners who subscribe, each with a session token
 * (bench/fanout/setup.ts). Redis at 127.0.0.1:6379.
 *
 * Then, for each server in turn, four processes besides PostgreSQL and Redis:
 * - the server: ours is the app itself as `npm start` runs it, the esbuild bundle of bin/start.ts
 *   (bin/build-server.ts) under plain node, with NODE_ENV=production, ROLE=api and the chat rate limit lifted;
 *   the baselines, bundled the same way, (bench/fanout/socketio-server.ts, ws-server.ts) open the app's core
 *   on the same database and persist each message through the same `rooms.send` the sendMessage resolver
 *   calls, then emit it: Socket.IO with `io.to(room).emit`, raw ws by sending one pre-serialised buffer to every
 *   socket. Every server delivers the same fields: { type, cursor, message { id seq body createdAt author } }.
 * - the load generator (bench/fanout/loadgen.ts): N connections of the server's kind (graphql-ws client with
 *   the token in connection_init / socket.io-client with the token at the handshake / a ws socket that sends a
 *   join frame), all in the course room. It counts per subscriber per message (lost, duplicated) and measures
 *   latency = receipt wall time − the send time stamped at the head of the body.
 * - the sender (bench/fanout/sender.ts): M messages of --size bytes at --rate per second on a steady schedule,
 *   not waiting for answers; ours through the GraphQL mutation (POST /graphql), the baselines through POST /send.
 *
 * A round: the load generator connects everyone; the sender sends single messages until every subscriber got
 * one (graphql-ws does not acknowledge a subscribe: this proves every subscription live and the path whole);
 * 3 s idle; 20 warm-up messages (not counted); then one measured round per rate. Deliveries still missing
 * --timeout seconds after the last send are "missing at timeout"; the bench keeps waiting while they still come
 * (15 s without progress ends it): those that come are "late" (delivered, latency counted), the rest "lost".
 *
 * Figures per server and rate: delivered, lost, duplicated, late; latency p50/p95/p99/max; deliveries per
 * second = deliveries / (first send → last receipt); server CPU = utime + stime of the server process
 * (/proc/<pid>/stat, sampled every 100 ms) over that window, per delivery (it includes persisting the message,
 * the same work for all three); resident memory (RSS) before any connection, with N idle subscribers, and at
 * the peak of the round; memory per idle subscriber = (idle − before) / N, both read right after a full GC (every
 * server is started with --expose-gc and the preload bench/fanout/gc-on-signal.ts, which collects on SIGUSR2;
 * nothing of ours changes), with the JS heap + external per subscriber beside it. For context: the load
 * generator's CPU share (near 100 % of a core it, not the server, limits), PostgreSQL's and Redis's CPU per
 * message, how busy the whole machine was, and the share used by processes that are not the bench's (another
 * engineer's tests on a shared machine): each server waits up to a minute for a quiet machine before it starts.
 * Figures go to stdout (a table, and a Markdown table with the ratios ours/Socket.IO and ours/raw and the
 * issue's targets) and to bench/results/fanout.json; each server's log to bench/results/fanout-<kind>.log.
 *
 * Soak (--soak MINUTES): one server (ours unless --only says otherwise), N subscribers, a steady rate (20/s by
 * default) for the whole time; the server's RSS sampled every 10 s; memory growth after warm-up (the first 20 %);
 * every subscriber's count checked. Throws when a message is lost or duplicated. Results: bench/results/fanout-soak.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  KINDS,
  KIND_LABEL,
  postgresCpuBetween,
  procSample,
  round1,
  round2,
  rssOf,
  sleep,
  systemCpu,
  wallNow,
  type Kind,
  type LoadgenCmd,
  type LoadgenEv,
  type ProcSample,
  type RoundResultEv,
  type SendCmd,
  type SenderEv,
  type SendResultEv,
} from './fanout/common.js';
import { Helper, ROOT, buildServers, freePort, killAll, memoryAfterGc, startServer, stop, type ServerProc } from './fanout/procs.js';
import { dropQueueKeys, makeData, serverEnv, type BenchData } from './fanout/setup.js';

const RESULTS = path.join(ROOT, 'bench', 'results');
const WARMUP_MESSAGES = 20;
const GRACE_MS = 15_000;
const CAP_MS = 10 * 60_000;
const SOAK_SAMPLE_MS = 10_000;
/** Busy share of all cores under which the machine counts as quiet before a server is measured. */
const QUIET = 0.15;
const KB = 1024;
const MB = 1024 * 1024;

// The issue's targets: ratios of ours to the baselines measured in the same run.
const TARGET = { cpuVsSocketIo: 1.0, cpuVsRaw: 1.5, throughputVsSocketIo: 1.0, p99VsSocketIo: 1.0, memoryVsSocketIo: 1.2 };

interface Options {
  subscribers: number;
  messages: number;
  rates: number[];
  rateGiven: boolean;
  size: number;
  only: Kind[];
  /** Minutes of soak; null: the comparison. */
  soak: number | null;
  timeoutMs: number;
  keepDb: boolean;
}

function parseArgs(args: string[]): Options {
  const o: Options = {
    subscribers: 1000,
    messages: 200,
    rates: [50],
    rateGiven: false,
    size: 200,
    only: [...KINDS],
    soak: null,
    timeoutMs: 30_000,
    keepDb: false,
  };
  let onlyGiven = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--keep-db') {
      o.keepDb = true;
      continue;
    }
    const m = /^--(subscribers|messages|rate|size|only|soak|timeout)(?:=(.*))?$/.exec(a);
    if (!m)
      throw new Error(
        `unknown argument ${a} (use --subscribers N --messages M --rate R[,R…] --size B --only ours,socketio,raw --soak MINUTES --timeout S --keep-db)`,
      );
    const raw = m[2] ?? args[++i];
    if (raw === undefined) throw new Error(`--${m[1]} needs a value`);
    const whole = (min: number) => {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min) throw new Error(`--${m[1]} needs a whole number ≥ ${min}, got ${raw}`);
      return n;
    };
    switch (m[1]) {
      case 'subscribers':
        o.subscribers = whole(1);
        break;
      case 'messages':
        o.messages = whole(1);
        break;
      case 'size':
        o.size = whole(48);
        break;
      case 'soak':
        o.soak = Number(raw);
        if (!(o.soak > 0)) throw new Error(`--soak needs minutes > 0, got ${raw}`);
        break;
      case 'timeout':
        o.timeoutMs = whole(1) * 1000;
        break;
      case 'rate':
        o.rates = raw.split(',').map((r) => Number(r.trim()));
        if (o.rates.some((r) => !(r > 0))) throw new Error(`--rate needs messages per second > 0 (a comma list to sweep), got ${raw}`);
        o.rateGiven = true;
        break;
      case 'only': {
        const kinds = raw.split(',').map((k) => k.trim());
        for (const k of kinds) if (!(KINDS as readonly string[]).includes(k)) throw new Error(`--only takes ${KINDS.join(', ')}; got ${k}`);
        o.only = KINDS.filter((k) => kinds.includes(k));
        onlyGiven = true;
        break;
      }
    }
  }
  if (o.soak !== null) {
    if (!o.rateGiven) o.rates = [20];
    if (o.rates.length !== 1) throw new Error('--soak takes one --rate');
    if (!onlyGiven) o.only = ['ours'];
  }
  return o;
}

// ------------------------------------------------------------------ measuring one server

/** Samples the server's CPU and RSS every 100 ms. */
function sampler(pid: number, everyMs = 100) {
  const samples: ProcSample[] = [];
  let peakRss = 0;
  const take = () => {
    const s = procSample(pid);
    if (!s) return;
    samples.push(s);
    peakRss = Math.max(peakRss, s.rssBytes);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    get peakRss() {
      return peakRss;
    },
    stop() {
      clearInterval(timer);
      take();
    },
    /** CPU seconds and elapsed seconds between the last sample at or before `from` and the first at or after `to`. */
    cpuBetween(from: number, to: number): { cpuSeconds: number; seconds: number } {
      const a = [...samples].reverse().find((s) => s.at <= from) ?? samples[0]!;
      const b = samples.find((s) => s.at >= to) ?? samples[samples.length - 1]!;
      return { cpuSeconds: b.cpuSeconds - a.cpuSeconds, seconds: (b.at - a.at) / 1000 };
    },
  };
}

interface OursMetrics {
  subscriptions: number | null;
  slowConsumerCloses: number | null;
  wsOpen: number | null;
}

/** What ours' /metrics says (null for a figure it does not expose). */
async function oursMetrics(url: string): Promise<OursMetrics> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const num = (name: string) => {
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : null;
    };
    return {
      subscriptions: num('graphql_subscriptions_active'),
      slowConsumerCloses: num('ws_slow_consumer_closes_total'),
      wsOpen: num('ws_connections_open'),
    };
  } catch {
    return { subscriptions: null, slowConsumerCloses: null, wsOpen: null };
  }
}

interface RoundFigures {
  tag: string;
  rate: number;
  messages: number;
  sent: {
    ok: number;
    failures: number;
    firstFailures: string[];
    httpMs: SendResultEv['httpMs'];
    maxScheduleLagMs: number;
    durationMs: number;
  };
  loadgen: Omit<RoundResultEv, 'ev'>;
  windowMs: number;
  deliveriesPerSecond: number;
  offeredDeliveriesPerSecond: number;
  serverCpuSeconds: number;
  serverCpuShare: number;
  cpuMicrosPerDelivery: number;
  peakRssMB: number;
  /** The rest of the machine over the round: PostgreSQL and Redis CPU per message sent, and how busy all cores were. */
  machine: { postgresCpuMsPerMessage: number; redisCpuMsPerMessage: number; busyShare: number; foreignShare: number };
  slowConsumerCloses: number | null;
  /** Delivered everything, on time: no loss, no duplicate, p99 ≤ 500 ms, ≥ 80 % of the offered deliveries per second. */
  sustained: boolean;
}

interface ServerRun {
  kind: Kind;
  /** How busy the machine was (all cores) just before this server started: other work disturbs the figures. */
  machineBusyBefore: number;
  connectMs: number;
  /** After a full GC: RSS before any connection and with N idle subscribers; per subscriber, RSS and JS heap + external. */
  memory: { beforeMB: number; idleMB: number; perIdleSubscriberKB: number; heapPerIdleSubscriberKB: number };
  ready: { sends: number; ms: number };
  warmup: RoundFigures;
  rounds: RoundFigures[];
  soak?: SoakFigures;
  log: { file: string; warnings: Record<string, number>; otherLines: string[] };
}

interface Ctx {
  opts: Options;
  data: BenchData;
  server: ServerProc;
  loadgen: Helper<LoadgenCmd, LoadgenEv>;
  sender: Helper<SendCmd, SenderEv>;
}

function sendCmd(c: Ctx, tag: string, messages: number, rate: number, progressEvery = 0): SendCmd {
  return {
    cmd: 'send',
    kind: c.server.kind,
    url: c.server.url,
    token: c.data.senderToken,
    roomId: c.data.roomId,
    tag,
    messages,
    rate,
    size: c.opts.size,
    progressEvery,
  };
}

/** One round: `messages` at `rate`, measured. */
async function runRound(
  c: Ctx,
  tag: string,
  messages: number,
  rate: number,
  onSample?: (s: ReturnType<typeof sampler>) => () => void,
): Promise<RoundFigures> {
  const n = c.data.subscriberTokens.length;
  await c.loadgen.call({ cmd: 'round', tag, messages }, 'status', 30_000);
  const m0 = c.server.kind === 'ours' ? await oursMetrics(c.server.url) : null;
  const s = sampler(c.server.pid);
  const stopExtra = onSample?.(s);
  try {
    const database = new URL(c.data.databaseUrl).pathname.slice(1);
    const sys0 = systemCpu(database);
    const ours0 = ownCpu(c);
    const sent = await c.sender.call(
      sendCmd(c, tag, messages, rate, onSample ? SOAK_SAMPLE_MS : 0),
      'sent',
      (messages / rate) * 1000 + 180_000,
    );
    const res = await c.loadgen.call(
      {
        cmd: 'finish',
        okIndices: sent.okIndices,
        lastSendAt: sent.lastSendAt,
        timeoutMs: c.opts.timeoutMs,
        graceMs: GRACE_MS,
        capMs: CAP_MS,
      },
      'result',
      CAP_MS + 120_000,
    );
    s.stop();
    const sys1 = systemCpu(database);
    const ours1 = ownCpu(c);
    const total = Math.max(0.001, sys1.total - sys0.total);
    const perMessage = (a: number, b: number) => round2(((b - a) * 1000) / Math.max(1, sent.okIndices.length));
    const end = res.lastReceiptAt ?? wallNow();
    const cpu = s.cpuBetween(sent.firstSendAt, end);
    const m1 = c.server.kind === 'ours' ? await oursMetrics(c.server.url) : null;
    const windowMs = end - sent.firstSendAt;
    const { ev: _ev, ...loadgen } = res;
    const deliveriesPerSecond = res.delivered / (windowMs / 1000);
    const offered = n * rate;
    return {
      tag,
      rate,
      messages,
      sent: {
        ok: sent.okIndices.length,
        failures: sent.failures,
        firstFailures: sent.firstFailures,
        httpMs: sent.httpMs,
        maxScheduleLagMs: sent.maxScheduleLagMs,
        durationMs: Math.round(sent.lastSendAt - sent.firstSendAt),
      },
      loadgen,
      windowMs: Math.round(windowMs),
      deliveriesPerSecond: Math.round(deliveriesPerSecond),
      offeredDeliveriesPerSecond: offered,
      serverCpuSeconds: round2(cpu.cpuSeconds),
      serverCpuShare: round2(cpu.cpuSeconds / Math.max(0.001, cpu.seconds)),
      cpuMicrosPerDelivery: round1((cpu.cpuSeconds * 1e6) / Math.max(1, res.delivered)),
      peakRssMB: round1(s.peakRss / MB),
      machine: {
        postgresCpuMsPerMessage: perMessage(0, postgresCpuBetween(sys0, sys1)),
        redisCpuMsPerMessage: perMessage(sys0.redis, sys1.redis),
        busyShare: round2((sys1.busy - sys0.busy) / total),
        foreignShare: round2(
          Math.max(0, sys1.busy - sys0.busy - postgresCpuBetween(sys0, sys1) - (sys1.redis - sys0.redis) - (ours1 - ours0)) / total,
        ),
      },
      slowConsumerCloses:
        m0?.slowConsumerCloses != null && m1?.slowConsumerCloses != null ? m1.slowConsumerCloses - m0.slowConsumerCloses : null,
      sustained:
        res.lost === 0 && res.duplicated === 0 && sent.failures === 0 && res.latencyMs.p99 <= 500 && deliveriesPerSecond >= 0.8 * offered,
    };
  } finally {
    s.stop();
    stopExtra?.();
  }
}

/** CPU seconds of the bench's own processes: server, load generator, sender. */
function ownCpu(c: Ctx): number {
  let sum = 0;
  for (const pid of [c.server.pid, c.loadgen.proc.pid, c.sender.proc.pid]) sum += pid ? (procSample(pid)?.cpuSeconds ?? 0) : 0;
  return sum;
}

/** Sends single messages until every subscriber got one: every subscription is live and the path whole. */
async function waitUntilLive(c: Ctx): Promise<{ sends: number; ms: number }> {
  const n = c.data.subscriberTokens.length;
  const t0 = Date.now();
  if (c.server.kind === 'ours') {
    // A hint only: ours counts its live subscriptions on /metrics (the sends below are the proof).
    for (let i = 0; i < 300; i++) {
      const m = await oursMetrics(c.server.url);
      if (m.subscriptions === null || m.subscriptions >= n) break;
      await sleep(100);
    }
  }
  await c.loadgen.call({ cmd: 'round', tag: 'ready', messages: 1 }, 'status', 30_000);
  for (let sends = 1; sends <= 60; sends++) {
    const sent = await c.sender.call(sendCmd(c, 'ready', 1, 1), 'sent', 90_000);
    if (sent.failures) throw new Error(`${c.server.kind}: a send failed: ${sent.firstFailures[0]}`);
    let st: Extract<LoadgenEv, { ev: 'status' }> | undefined;
    for (let i = 0; i < 20; i++) {
      st = await c.loadgen.call({ cmd: 'status' }, 'status', 30_000);
      if (st.withAny >= n) return { sends, ms: Date.now() - t0 };
      await sleep(100);
    }
    console.log(`  ${c.server.kind}: ${st!.withAny} of ${n} subscribers live after ${sends} send(s)…`);
  }
  throw new Error(`${c.server.kind}: not every subscriber got a message within 60 sends`);
}

/**
 * Waits (up to a minute) until the machine is quiet: on a shared machine another process's tests would be
 * measured too. Returns the busy share of all cores over the last 2 s.
 */
async function quietMachine(kind: Kind): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (let said = false; ; said = true) {
    const a = systemCpu();
    await sleep(2000);
    const b = systemCpu();
    const busy = (b.busy - a.busy) / Math.max(0.001, b.total - a.total);
    if (busy < QUIET || Date.now() > deadline) {
      if (busy >= QUIET)
        console.log(`  the machine is still busy (${Math.round(busy * 100)}% of all cores): measuring ${KIND_LABEL[kind]} anyway`);
      return round2(busy);
    }
    if (!said) console.log(`  the machine is busy (${Math.round(busy * 100)}% of all cores): waiting up to a minute for it to calm down…`);
  }
}

async function runServer(kind: Kind, opts: Options, data: BenchData, baseEnv: Record<string, string>): Promise<ServerRun> {
  const n = data.subscriberTokens.length;
  const busyBefore = await quietMachine(kind);
  const port = await freePort();
  console.log(`\n${KIND_LABEL[kind]}: starting the server on port ${port}…`);
  const server = await startServer(kind, { ...baseEnv, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` }, RESULTS);
  let loadgen: Helper<LoadgenCmd, LoadgenEv> | undefined;
  let sender: Helper<SendCmd, SenderEv> | undefined;
  try {
    loadgen = new Helper<LoadgenCmd, LoadgenEv>('load generator', 'bench/fanout/loadgen.ts');
    sender = new Helper<SendCmd, SenderEv>('sender', 'bench/fanout/sender.ts');
    await sleep(2000);
    const before = await memoryAfterGc(server);
    const wsBase = `ws://127.0.0.1:${port}`;
    const url = kind === 'ours' ? `${wsBase}/graphql` : kind === 'raw' ? `${wsBase}/ws` : server.url;
    const conn = await loadgen.call(
      { cmd: 'connect', kind, url, roomId: data.roomId, tokens: data.subscriberTokens },
      'connected',
      15 * 60_000,
    );
    if (conn.failed > 0) throw new Error(`${kind}: ${conn.failed} of ${n} subscribers could not connect; first: ${conn.firstError}`);
    console.log(`  ${n} subscribers connected in ${(conn.ms / 1000).toFixed(1)} s`);
    const c: Ctx = { opts, data, server, loadgen, sender };
    const ready = await waitUntilLive(c);
    await sleep(3000);
    const idle = await memoryAfterGc(server);
    const memory = {
      beforeMB: round1(before.rss / MB),
      idleMB: round1(idle.rss / MB),
      perIdleSubscriberKB: round1((idle.rss - before.rss) / n / KB),
      heapPerIdleSubscriberKB: round1((idle.heapUsed + idle.external - before.heapUsed - before.external) / n / KB),
    };
    console.log(
      `  all live (${ready.sends} send(s), ${(ready.ms / 1000).toFixed(1)} s); RSS ${memory.beforeMB} → ${memory.idleMB} MB idle (${memory.perIdleSubscriberKB} KB per subscriber; heap + external ${memory.heapPerIdleSubscriberKB} KB)`,
    );
    const warmup = await runRound(c, 'w', WARMUP_MESSAGES, opts.rates[0]!);
    const rounds: RoundFigures[] = [];
    let soak: SoakFigures | undefined;
    if (opts.soak !== null) {
      soak = await runSoak(c, memory.idleMB);
    } else {
      for (const [k, rate] of opts.rates.entries()) {
        const r = await runRound(c, `r${k}`, opts.messages, rate);
        rounds.push(r);
        console.log(
          `  ${rate}/s: ${r.loadgen.delivered} of ${r.loadgen.expected} delivered (lost ${r.loadgen.lost}, late ${r.loadgen.late}, dup ${r.loadgen.duplicated}), ` +
            `p50/p99 ${r.loadgen.latencyMs.p50}/${r.loadgen.latencyMs.p99} ms, ${r.deliveriesPerSecond}/s, ${r.cpuMicrosPerDelivery} µs CPU per delivery`,
        );
      }
    }
    return {
      kind,
      machineBusyBefore: busyBefore,
      connectMs: conn.ms,
      memory,
      ready,
      warmup,
      rounds,
      ...(soak ? { soak } : {}),
      log: { file: path.relative(ROOT, server.logFile), warnings: Object.fromEntries(server.warnings), otherLines: server.otherLines },
    };
  } finally {
    await loadgen?.close({ cmd: 'close' });
    await sender?.close();
    await stop(server.proc);
  }
}

// ------------------------------------------------------------------ soak

interface SoakPoint {
  minute: number;
  rssMB: number;
  sent: number;
}

interface SoakFigures {
  minutes: number;
  rate: number;
  round: RoundFigures;
  points: SoakPoint[];
  /** RSS growth after warm-up (the first 20 %): least-squares slope, and what it adds up to over the rest. */
  afterWarmup: { fromMinute: number; startMB: number; endMB: number; slopeMBPerMinute: number; projectedGrowthMB: number; flat: boolean };
}

async function runSoak(c: Ctx, idleMB: number): Promise<SoakFigures> {
  const minutes = c.opts.soak!;
  const rate = c.opts.rates[0]!;
  const messages = Math.max(1, Math.round(rate * minutes * 60));
  const points: SoakPoint[] = [];
  const t0 = Date.now();
  let sent = 0;
  console.log(`  soak: ${messages} messages at ${rate}/s for ${minutes} min, RSS every ${SOAK_SAMPLE_MS / 1000} s`);
  const round = await runRound(c, 'soak', messages, rate, () => {
    points.push({ minute: 0, rssMB: idleMB, sent: 0 });
    const off = c.sender.on((ev) => {
      if (ev.ev === 'progress') sent = ev.sent;
    });
    const timer = setInterval(() => {
      const rss = rssOf(c.server.pid) / MB;
      const p = { minute: round2((Date.now() - t0) / 60_000), rssMB: round1(rss), sent };
      points.push(p);
      console.log(`    ${p.minute.toFixed(2)} min: RSS ${p.rssMB} MB, ${sent} sent`);
    }, SOAK_SAMPLE_MS);
    return () => {
      clearInterval(timer);
      off();
    };
  });
  const warm = minutes * 0.2;
  const after = points.filter((p) => p.minute >= warm);
  const fit = linearFit(after.map((p) => [p.minute, p.rssMB] as [number, number]));
  const span = after.length > 1 ? after[after.length - 1]!.minute - after[0]!.minute : 0;
  const startMB = after[0]?.rssMB ?? NaN;
  const projected = fit.slope * span;
  return {
    minutes,
    rate,
    round,
    points,
    afterWarmup: {
      fromMinute: round2(warm),
      startMB,
      endMB: after[after.length - 1]?.rssMB ?? NaN,
      slopeMBPerMinute: round2(fit.slope),
      projectedGrowthMB: round1(projected),
      // Flat: what the trend adds over the run after warm-up stays within 5 % of the RSS (8 MB at least: GC sawtooth).
      flat: after.length >= 3 && projected <= Math.max(8, 0.05 * startMB),
    },
  };
}

function linearFit(xy: [number, number][]): { slope: number } {
  if (xy.length < 2) return { slope: 0 };
  const mx = xy.reduce((a, [x]) => a + x, 0) / xy.length;
  const my = xy.reduce((a, [, y]) => a + y, 0) / xy.length;
  let num = 0;
  let den = 0;
  for (const [x, y] of xy) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return { slope: den ? num / den : 0 };
}

// ------------------------------------------------------------------ main

export async function main(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  const startedAt = new Date();
  const runTag = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lt-fanout-'));
  const queuePrefix = `fanout-${runTag}`;
  const baseEnv = serverEnv(dataDir, queuePrefix);
  mkdirSync(RESULTS, { recursive: true });
  let data: BenchData | undefined;
  const cleanUp = async () => {
    killAll();
    if (data && !opts.keepDb) await data.dropDb().catch((err: unknown) => console.error(`dropping the database: ${String(err)}`));
    await dropQueueKeys(queuePrefix).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSigint = () => {
    console.error('\ninterrupted: stopping the servers and dropping the database…');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  try {
    const n = opts.subscribers;
    console.log(
      `fanout bench: ${n} subscribers, ${opts.soak !== null ? `soak ${opts.soak} min at ${opts.rates[0]}/s` : `${opts.messages} messages at ${opts.rates.join(', ')}/s`}, ${opts.size} B bodies; servers: ${opts.only.join(', ')}`,
    );
    const tb = Date.now();
    await buildServers(opts.only);
    console.log(`built ${opts.only.join(', ')} (esbuild bundles, run under plain node) in ${((Date.now() - tb) / 1000).toFixed(1)} s`);
    const t0 = Date.now();
    data = await makeData(n, baseEnv);
    baseEnv.DATABASE_URL = data.databaseUrl;
    console.log(`data: ${n} learners and their tokens in ${((Date.now() - t0) / 1000).toFixed(1)} s (${data.databaseUrl})`);
    const runs: ServerRun[] = [];
    for (const kind of opts.only) runs.push(await runServer(kind, opts, data, baseEnv));
    const machine = {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? '?',
      memoryGB: Math.round(os.totalmem() / 1024 ** 3),
      platform: `${os.platform()} ${os.arch()}`,
    };
    const config = {
      subscribers: n,
      messages: opts.messages,
      rates: opts.rates,
      size: opts.size,
      timeoutS: opts.timeoutMs / 1000,
      warmupMessages: WARMUP_MESSAGES,
    };
    if (opts.soak !== null) {
      const report = { bench: 'fanout-soak', at: startedAt.toISOString(), machine, config: { ...config, soakMinutes: opts.soak }, runs };
      const out = path.join(RESULTS, 'fanout-soak.json');
      writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
      printSoak(runs, n);
      console.log(`\nwritten: ${path.relative(process.cwd(), out)}`);
      const bad = runs.filter(
        (r) => r.soak!.round.loadgen.lost > 0 || r.soak!.round.loadgen.duplicated > 0 || r.soak!.round.sent.failures > 0,
      );
      if (bad.length) {
        throw new Error(
          bad
            .map(
              (r) =>
                `${KIND_LABEL[r.kind]}: ${r.soak!.round.loadgen.lost} lost, ${r.soak!.round.loadgen.duplicated} duplicated, ${r.soak!.round.sent.failures} sends failed`,
            )
            .join('; '),
        );
      }
      return;
    }
    const comparison = compare(runs, opts);
    const report = { bench: 'fanout', at: startedAt.toISOString(), machine, config, runs, comparison };
    print(runs, opts, comparison, machine);
    const out = path.join(RESULTS, 'fanout.json');
    writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nwritten: ${path.relative(process.cwd(), out)}`);
  } finally {
    process.off('SIGINT', onSigint);
    await cleanUp();
    if (data && opts.keepDb) console.log(`database kept: ${data.databaseUrl}`);
  }
}

// ------------------------------------------------------------------ comparison and report

interface Target {
  what: string;
  ratio: number | null;
  limit: string;
  met: boolean | null;
}

interface Comparison {
  /** The highest rate Socket.IO sustained (see RoundFigures.sustained); the rate targets are judged there. */
  rate: number;
  rateNote: string;
  targets: Target[];
}

/** a / b to two decimals; targets are judged on the ratio as printed (1.00 meets "≥ 1.0" and "≤ 1.0"). */
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !(b > 0) ? null : round2(a / b));

function roundAt(runs: ServerRun[], kind: Kind, rate: number): RoundFigures | undefined {
  return runs.find((r) => r.kind === kind)?.rounds.find((r) => r.rate === rate);
}

function compare(runs: ServerRun[], opts: Options): Comparison {
  const sio = runs.find((r) => r.kind === 'socketio');
  const sustained = sio?.rounds.filter((r) => r.sustained).map((r) => r.rate) ?? [];
  const rate = sustained.length ? Math.max(...sustained) : Math.min(...opts.rates);
  const rateNote = !sio
    ? 'Socket.IO not run'
    : sustained.length
      ? `the highest rate Socket.IO sustained`
      : `Socket.IO sustained no rate: the lowest one`;
  const ours = roundAt(runs, 'ours', rate);
  const s = roundAt(runs, 'socketio', rate);
  const raw = roundAt(runs, 'raw', rate);
  const mem = (k: Kind) => runs.find((r) => r.kind === k)?.memory.perIdleSubscriberKB;
  const judge = (what: string, r: number | null, limit: number, atMost: boolean): Target => ({
    what,
    ratio: r,
    limit: `${atMost ? '≤' : '≥'} ${limit.toFixed(1)}`,
    met: r === null ? null : atMost ? r <= limit : r >= limit,
  });
  const all = runs.flatMap((r) => r.rounds);
  const clean = all.every((r) => r.loadgen.lost === 0 && r.loadgen.duplicated === 0);
  return {
    rate,
    rateNote,
    targets: [
      judge(
        'server CPU per delivery, ours / Socket.IO',
        ratio(ours?.cpuMicrosPerDelivery, s?.cpuMicrosPerDelivery),
        TARGET.cpuVsSocketIo,
        true,
      ),
      judge('server CPU per delivery, ours / raw ws', ratio(ours?.cpuMicrosPerDelivery, raw?.cpuMicrosPerDelivery), TARGET.cpuVsRaw, true),
      judge(
        'deliveries per second, ours / Socket.IO',
        ratio(ours?.deliveriesPerSecond, s?.deliveriesPerSecond),
        TARGET.throughputVsSocketIo,
        false,
      ),
      judge('p99 latency, ours / Socket.IO', ratio(ours?.loadgen.latencyMs.p99, s?.loadgen.latencyMs.p99), TARGET.p99VsSocketIo, true),
      judge('memory per idle subscriber, ours / Socket.IO', ratio(mem('ours'), mem('socketio')), TARGET.memoryVsSocketIo, true),
      { what: 'no message lost or duplicated, every server, every rate', ratio: null, limit: '0', met: clean },
    ],
  };
}

function pad(rows: string[][]): string[] {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  '));
}

const fmt = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n)
    ? '–'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function print(runs: ServerRun[], opts: Options, cmp: Comparison, machine: { cpus: number; cpuModel: string; node: string }): void {
  const n = opts.subscribers;
  console.log(
    `\nfanout: ${fmt(n)} subscribers in one course room, ${opts.messages} messages of ${opts.size} B per round (${machine.cpus} CPUs, ${machine.cpuModel}, Node ${machine.node})\n`,
  );
  const head = [
    'server',
    'rate/s',
    'delivered',
    'lost',
    'late',
    'dup',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'deliv/s',
    'CPU µs/deliv',
    'server CPU',
    'RSS MB before/idle/peak',
    'KB/idle sub',
    'heap KB/idle sub',
    'loadgen CPU',
    'PG CPU ms/msg',
    'machine busy',
    'HTTP p50/p99 ms',
  ];
  const rows = [head];
  for (const r of runs) {
    for (const x of r.rounds) {
      const l = x.loadgen;
      rows.push([
        KIND_LABEL[r.kind],
        fmt(x.rate),
        `${fmt(l.delivered)}/${fmt(l.expected)}`,
        fmt(l.lost),
        fmt(l.late),
        fmt(l.duplicated),
        fmt(l.latencyMs.p50, 1),
        fmt(l.latencyMs.p95, 1),
        fmt(l.latencyMs.p99, 1),
        fmt(l.latencyMs.max, 1),
        fmt(x.deliveriesPerSecond),
        fmt(x.cpuMicrosPerDelivery, 1),
        `${Math.round(x.serverCpuShare * 100)}%`,
        `${fmt(r.memory.beforeMB)}/${fmt(r.memory.idleMB)}/${fmt(x.peakRssMB)}`,
        fmt(r.memory.perIdleSubscriberKB, 1),
        fmt(r.memory.heapPerIdleSubscriberKB, 1),
        `${Math.round(l.loadgenCpuShare * 100)}%`,
        fmt(x.machine.postgresCpuMsPerMessage, 2),
        `${Math.round(x.machine.busyShare * 100)}%`,
        `${fmt(x.sent.httpMs.p50, 1)}/${fmt(x.sent.httpMs.p99, 1)}`,
      ]);
    }
  }
  for (const line of pad(rows)) console.log(`  ${line}`);

  // Anything odd: failed sends, closes, errors, stray deliveries, server warnings.
  const notes: string[] = [];
  for (const r of runs) {
    for (const x of [r.warmup, ...r.rounds]) {
      const l = x.loadgen;
      const where = `${KIND_LABEL[r.kind]} ${x.tag === 'w' ? 'warm-up' : `${x.rate}/s`}`;
      if (x.sent.failures) notes.push(`${where}: ${x.sent.failures} sends failed; first: ${x.sent.firstFailures[0]}`);
      if (l.missingAtTimeout)
        notes.push(
          `${where}: ${fmt(l.missingAtTimeout)} deliveries missing ${opts.timeoutMs / 1000} s after the last send; ${fmt(l.late)} came later, ${fmt(l.lost)} never (${l.subscribersMissingAny} subscribers missed some)`,
        );
      if (Object.keys(l.closes).length)
        notes.push(
          `${where}: connections closed: ${Object.entries(l.closes)
            .map(([k, v]) => `${v} × ${k}`)
            .join(', ')}`,
        );
      if (l.errors) notes.push(`${where}: ${l.errors} subscription errors; first: ${l.firstErrors[0]}`);
      if (l.stray) notes.push(`${where}: ${l.stray} stray deliveries (of failed sends or of another round)`);
      if (x.slowConsumerCloses) notes.push(`${where}: ${x.slowConsumerCloses} slow-consumer closes (4429) on /metrics`);
      if (l.loadgenCpuShare >= 0.9)
        notes.push(`${where}: the load generator was busy ${Math.round(l.loadgenCpuShare * 100)}% of a core: it may be what limits`);
      if (x.machine.foreignShare >= 0.1)
        notes.push(
          `${where}: other processes on the machine used ${Math.round(x.machine.foreignShare * 100)}% of all cores during the round: figures disturbed`,
        );
      if (x.sent.maxScheduleLagMs > 100) notes.push(`${where}: the sender's timer fired up to ${x.sent.maxScheduleLagMs} ms late`);
    }
    const w = Object.entries(r.log.warnings);
    if (w.length) notes.push(`${KIND_LABEL[r.kind]} log (${r.log.file}): ${w.map(([k, v]) => `${v} × "${k}"`).join(', ')}`);
    if (r.log.otherLines.length) notes.push(`${KIND_LABEL[r.kind]} printed: ${r.log.otherLines.slice(0, 3).join(' | ')}`);
  }
  if (notes.length) {
    console.log('\nnotes:');
    for (const x of notes) console.log(`  - ${x}`);
  }

  // Markdown for the README: at the comparison rate, then every rate when sweeping.
  const kinds = runs.map((r) => r.kind);
  const has = (k: Kind) => kinds.includes(k);
  const at = (k: Kind) => roundAt(runs, k, cmp.rate);
  const mem = (k: Kind) => runs.find((r) => r.kind === k)?.memory.perIdleSubscriberKB;
  const cols = [
    '',
    ...kinds.map((k) => KIND_LABEL[k]),
    ...(has('ours') && has('socketio') ? ['ours / Socket.IO'] : []),
    ...(has('ours') && has('raw') ? ['ours / raw'] : []),
  ];
  const line = (label: string, get: (k: Kind) => number | undefined, digits: number, fmtRatio = true) => {
    const v = (k: Kind) => get(k);
    return [
      label,
      ...kinds.map((k) => fmt(v(k), digits)),
      ...(has('ours') && has('socketio') ? [fmtRatio ? fmt(ratio(v('ours'), v('socketio')), 2) : ''] : []),
      ...(has('ours') && has('raw') ? [fmtRatio ? fmt(ratio(v('ours'), v('raw')), 2) : ''] : []),
    ];
  };
  const md = [
    cols,
    cols.map(() => '---'),
    line('deliveries per second', (k) => at(k)?.deliveriesPerSecond, 0),
    line('latency p50 (ms)', (k) => at(k)?.loadgen.latencyMs.p50, 1),
    line('latency p95 (ms)', (k) => at(k)?.loadgen.latencyMs.p95, 1),
    line('latency p99 (ms)', (k) => at(k)?.loadgen.latencyMs.p99, 1),
    line('latency max (ms)', (k) => at(k)?.loadgen.latencyMs.max, 1),
    line('server CPU per delivery (µs)', (k) => at(k)?.cpuMicrosPerDelivery, 1),
    line('memory per idle subscriber (KB RSS)', mem, 1),
    line('JS heap + external per idle subscriber (KB)', (k) => runs.find((r) => r.kind === k)?.memory.heapPerIdleSubscriberKB, 1),
    line('server RSS at peak (MB)', (k) => at(k)?.peakRssMB, 0),
    line('lost / duplicated', () => undefined, 0, false).map((c, i) =>
      i >= 1 && i <= kinds.length ? `${fmt(at(kinds[i - 1]!)?.loadgen.lost)} / ${fmt(at(kinds[i - 1]!)?.loadgen.duplicated)}` : c,
    ),
  ];
  console.log(
    `\nMarkdown (${fmt(n)} subscribers, ${opts.messages} messages of ${opts.size} B at ${cmp.rate}/s: ${cmp.rateNote}; ${machine.cpus} CPUs, Node ${machine.node}):\n`,
  );
  for (const r of md) console.log(`| ${r.join(' | ')} |`);
  if (opts.rates.length > 1) {
    const sweepCols = ['rate/s', ...kinds.flatMap((k) => [`${KIND_LABEL[k]} deliv/s`, 'p99 ms', 'µs/deliv'])];
    console.log('');
    console.log(`| ${sweepCols.join(' | ')} |`);
    console.log(`| ${sweepCols.map(() => '---').join(' | ')} |`);
    for (const rate of opts.rates) {
      const cells = kinds.flatMap((k) => {
        const x = roundAt(runs, k, rate);
        return [
          `${fmt(x?.deliveriesPerSecond)}${x && !x.sustained ? ' (not sustained)' : ''}`,
          fmt(x?.loadgen.latencyMs.p99, 1),
          fmt(x?.cpuMicrosPerDelivery, 1),
        ];
      });
      console.log(`| ${[fmt(rate), ...cells].join(' | ')} |`);
    }
  }
  console.log(`\ntargets (at ${cmp.rate}/s):\n`);
  console.log('| target | ratio | limit | met |');
  console.log('| --- | --- | --- | --- |');
  for (const t of cmp.targets)
    console.log(
      `| ${t.what} | ${t.ratio === null ? (t.limit === '0' ? '' : '–') : fmt(t.ratio, 2)} | ${t.limit} | ${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'} |`,
    );
}

function printSoak(runs: ServerRun[], n: number): void {
  for (const r of runs) {
    const s = r.soak!;
    const l = s.round.loadgen;
    console.log(
      `\nsoak, ${KIND_LABEL[r.kind]}: ${fmt(n)} subscribers, ${s.minutes} min at ${s.rate}/s (${fmt(s.round.sent.ok)} messages sent, ${s.round.sent.failures} failed)\n`,
    );
    const rows = [['minute', 'RSS MB', 'sent']];
    for (const p of s.points) rows.push([p.minute.toFixed(2), fmt(p.rssMB, 1), fmt(p.sent)]);
    for (const line of pad(rows)) console.log(`  ${line}`);
    const a = s.afterWarmup;
    console.log(`
  deliveries            ${fmt(l.delivered)} of ${fmt(l.expected)} (lost ${fmt(l.lost)}, duplicated ${fmt(l.duplicated)}, late ${fmt(l.late)}; ${l.subscribersMissingAny} subscribers missed some)
  latency p50/p95/p99   ${l.latencyMs.p50} / ${l.latencyMs.p95} / ${l.latencyMs.p99} ms (max ${l.latencyMs.max} ms)
  server CPU            ${s.round.cpuMicrosPerDelivery} µs per delivery, ${Math.round(s.round.serverCpuShare * 100)}% of a core; peak RSS ${s.round.peakRssMB} MB
  memory after warm-up  from minute ${a.fromMinute}: ${a.startMB} → ${a.endMB} MB, trend ${a.slopeMBPerMinute} MB/min (${a.projectedGrowthMB} MB over the run): ${a.flat ? 'flat' : 'GROWING'}
  connections closed    ${
    Object.keys(l.closes).length
      ? Object.entries(l.closes)
          .map(([k, v]) => `${v} × ${k}`)
          .join(', ')
      : 'none'
  }
  server log warnings   ${
    Object.keys(r.log.warnings).length
      ? Object.entries(r.log.warnings)
          .map(([k, v]) => `${v} × "${k}"`)
          .join(', ')
      : 'none'
  }`);
  }
}
