/**
 * What the fanout bench's processes share: the three server kinds, the stamped message body, the messages they
 * exchange over IPC, the payload every server delivers, and small helpers (clock, percentiles, /proc readings).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export const KINDS = ['ours', 'socketio', 'raw'] as const;
export type Kind = (typeof KINDS)[number];
export const KIND_LABEL: Record<Kind, string> = { ours: 'ours (graphql-ws)', socketio: 'Socket.IO', raw: 'raw ws' };

/**
 * Wall clock in ms with a fraction, the same in every process of the machine (the sender stamps it, the load
 * generator compares with it).
 */
export const wallNow = (): number => performance.timeOrigin + performance.now();

// ------------------------------------------------------------------ the message body

/** Padding character of a body (plain text, no Markdown meaning, one byte in UTF-8). */
const PAD = 'x';
const HEAD = /^t=(\d+(?:\.\d+)?) r=([A-Za-z0-9]+) i=(\d+) /;

/** A body of exactly `size` bytes (at least its head) that says when it was sent, in which round, which message. */
export function stampBody(round: string, index: number, size: number, at: number = wallNow()): string {
  const head = `t=${at.toFixed(3)} r=${round} i=${index} `;
  return head.length >= size ? head : head + PAD.repeat(size - head.length);
}

export interface Stamp {
  sentAt: number;
  round: string;
  index: number;
}

export function parseBody(body: string): Stamp | null {
  const m = HEAD.exec(body);
  return m ? { sentAt: Number(m[1]), round: m[2]!, index: Number(m[3]) } : null;
}

// ------------------------------------------------------------------ what every server delivers

/** The subscription ours serves; the baselines deliver an object with the same fields. */
export const ROOM_EVENTS = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type cursor message { id seq body createdAt author { id name } } } }`;
export const SEND_MESSAGE = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id seq } }`;

export interface RoomEventPayload {
  type: string;
  cursor: string | null;
  message: { id: string; seq: string; body: string; createdAt: string; author: { id: string; name: string } | null } | null;
}

// ------------------------------------------------------------------ IPC: parent ⇄ load generator

export interface ConnectCmd {
  cmd: 'connect';
  kind: Kind;
  /** ours: ws://…/graphql; socketio: http://…; raw: ws://…/ws */
  url: string;
  roomId: string;
  tokens: string[];
}
/** Starts counting a round: messages 0..messages-1 stamped with `tag`. Anything else is counted as stray. */
export interface RoundCmd {
  cmd: 'round';
  tag: string;
  messages: number;
}
export interface StatusCmd {
  cmd: 'status';
}
export interface FinishCmd {
  cmd: 'finish';
  /** The messages the sender got a success answer for: each subscriber must get each once. */
  okIndices: number[];
  lastSendAt: number;
  /** Deliveries missing this long after the last send are "missing at timeout"… */
  timeoutMs: number;
  /** …then waited for while they keep coming (no progress for graceMs ends it): those that come are "late", the rest "lost". */
  graceMs: number;
  /** Hard cap of the whole wait after the last send. */
  capMs: number;
}
export interface CloseCmd {
  cmd: 'close';
}
export type LoadgenCmd = ConnectCmd | RoundCmd | StatusCmd | FinishCmd | CloseCmd;

export interface ConnectedEv {
  ev: 'connected';
  connected: number;
  failed: number;
  firstError: string | null;
  ms: number;
}
export interface StatusEv {
  ev: 'status';
  tag: string | null;
  received: number;
  /** Subscribers that got every message 0..upTo-1 of the round… */
  complete: number;
  /** …and those that got at least one. */
  withAny: number;
  open: number;
}
export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}
export interface RoundResultEv {
  ev: 'result';
  tag: string;
  subscribers: number;
  okMessages: number;
  expected: number;
  delivered: number;
  missingAtTimeout: number;
  late: number;
  lost: number;
  duplicated: number;
  /** Deliveries of messages whose send failed (persisted although the HTTP answer was an error) or of another round. */
  stray: number;
  subscribersMissingAny: number;
  latencyMs: LatencySummary;
  firstReceiptAt: number | null;
  lastReceiptAt: number | null;
  /** The load generator's own CPU over the round, as a share of one core: near 1, it is the bottleneck. */
  loadgenCpuShare: number;
  closes: Record<string, number>;
  errors: number;
  firstErrors: string[];
  open: number;
}
export type LoadgenEv = ConnectedEv | StatusEv | RoundResultEv | { ev: 'error'; message: string } | { ev: 'closed' };

// ------------------------------------------------------------------ IPC: parent ⇄ sender

export interface SendCmd {
  cmd: 'send';
  kind: Kind;
  /** Base URL of the server (http://127.0.0.1:port). */
  url: string;
  token: string;
  roomId: string;
  tag: string;
  messages: number;
  /** Messages per second, on a steady schedule. */
  rate: number;
  size: number;
  /** Tells the parent every `progressEvery` ms how many were sent (soak); 0: never. */
  progressEvery: number;
}
export interface SendResultEv {
  ev: 'sent';
  tag: string;
  okIndices: number[];
  failures: number;
  firstFailures: string[];
  firstSendAt: number;
  lastSendAt: number;
  /** HTTP round trip of the sends, ms. */
  httpMs: LatencySummary;
  /** How late the timer fired against the schedule, worst case, ms. */
  maxScheduleLagMs: number;
}
export type SenderEv = SendResultEv | { ev: 'progress'; sent: number; ok: number; failures: number } | { ev: 'error'; message: string };

// ------------------------------------------------------------------ numbers

/** Nearest-rank percentile of values sorted ascending. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summarize(values: Float64Array | Float32Array | number[]): LatencySummary {
  const s = values instanceof Array ? Float64Array.from(values) : values;
  s.sort();
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i]!;
  return {
    n: s.length,
    p50: round1(percentileSorted(s, 50)),
    p95: round1(percentileSorted(s, 95)),
    p99: round1(percentileSorted(s, 99)),
    max: round1(s.length ? s[s.length - 1]! : NaN),
    mean: round1(s.length ? sum / s.length : NaN),
  };
}

export const round1 = (n: number) => Math.round(n * 10) / 10;
export const round2 = (n: number) => Math.round(n * 100) / 100;

// ------------------------------------------------------------------ /proc

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (sysconf(_SC_CLK_TCK): 100 on Linux). */
export const CLK_TCK = 100;
const PAGE = 4096;

export interface ProcSample {
  at: number;
  /** utime + stime, seconds. */
  cpuSeconds: number;
  rssBytes: number;
}

/** CPU time and resident memory of a process, from /proc/<pid>/stat (null when it is gone). */
export function procSample(pid: number): ProcSample | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): utime is field 14, stime 15, rss 24.
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const rssPages = Number(f[21]);
  return { at: wallNow(), cpuSeconds: (utime + stime) / CLK_TCK, rssBytes: rssPages * PAGE };
}

/** VmRSS of /proc/<pid>/status, bytes. */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * CPU seconds of the machine's other parts: PostgreSQL (the backends connected to the bench's database: other
 * databases' backends come and go with other people's tests), Redis, and the whole machine.
 */
export interface SystemCpu {
  /** CPU seconds of each backend (pools close idle connections: compare per process, see cpuDelta). */
  postgres: Map<number, number>;
  redis: number;
  /** Busy and total CPU seconds of all cores (/proc/stat). */
  busy: number;
  total: number;
}

export function systemCpu(database: string | null = null): SystemCpu {
  const out: SystemCpu = { postgres: new Map(), redis: 0, busy: 0, total: 0 };
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const which = comm === 'postgres' ? 'postgres' : comm === 'redis-server' ? 'redis' : null;
    if (!which) continue;
    // A backend's title: "postgres: 15/main: <user> <database> <client> <state>".
    if (which === 'postgres' && database !== null && !readTitle(name).includes(` ${database} `)) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(f[11]) + Number(f[12])) / CLK_TCK;
    if (which === 'redis') out.redis += cpu;
    else out.postgres.set(Number(name), cpu);
  }
  // cpu  user nice system idle iowait irq softirq steal
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = cpu[3]! + cpu[4]!;
  out.total = cpu.reduce((a, b) => a + b, 0) / CLK_TCK;
  out.busy = out.total - idle / CLK_TCK;
  return out;
}

/** PostgreSQL CPU seconds between two readings: backends alive at the end, less what they had at the start. */
export function postgresCpuBetween(a: SystemCpu, b: SystemCpu): number {
  let sum = 0;
  for (const [pid, cpu] of b.postgres) sum += cpu - (a.postgres.get(pid) ?? 0);
  return sum;
}

function readTitle(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
