/**
 * Office hours opening to a crowd (issue 16): one window of 50 slots opens at one moment to 500 students of a course,
 * each booking the first free slot they see, as happens when a popular TA's hours open.
 *
 *   npm run bench -- booking [--mode next-free|pick] [--students 500] [--slots 50] [--spread-ms 1000] [--keep-db]
 *
 * Setup: a fresh PostgreSQL database on the local server with one course, its instructor (the host) and the students,
 * each with a session token; the window (10-minute slots, two days ahead) published through the app's own service
 * before the server starts. The server is the app as `npm start` builds it (the esbuild bundle under plain node,
 * NODE_ENV=production, ROLE=api), with the per-user mutation limit lifted (a student retrying after SLOT_TAKEN would
 * otherwise meet it). Redis at 127.0.0.1:6379.
 *
 * Then the students arrive over --spread-ms (student i at i × spread / students; 0: all at once), each on its own
 * HTTP connection: read the window's day (officeHourDays), book the first FREE slot they see (bookOfficeHour); on
 * SLOT_TAKEN read the day again and try again; when no slot is free, join the day's waitlist (joinOfficeHourWaitlist).
 * Mode `next-free` (the default, the web app's "first free slot" button) books with `orNextFree`: a slot taken
 * meanwhile gives the next free one of the day in the same call. Mode `pick` books exactly the slot seen, as a
 * click on one slot does: every student who arrived together then races for the same slot again and again.
 *
 * Reported: bookOfficeHour's round trip p50/p95/max (every attempt, and the successful ones), the time from
 * arrival to an outcome, the server's CPU (utime + stime from /proc, sampled every 100 ms) per booking made and per
 * request, the bookings made (from the database: exactly --slots, no slot and no student twice, no host overlap),
 * and the waitlist's order (the host's view) against the students' arrival order and against the order their join
 * requests were sent. Target: p95 under 200 ms. Figures go to stdout and to bench/results/booking-<mode>.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import pg from 'pg';
import { procSample, round1, round2, sleep, summarize, wallNow, type LatencySummary, type ProcSample } from './fanout/common.js';
import { ROOT, buildServers, freePort, killAll, startServer, stop } from './fanout/procs.js';
import { TOKEN_TTL_SECONDS, dropQueueKeys, serverEnv } from './fanout/setup.js';
import { openCore } from '../api/src/app.js';
import { loadConfig } from '../api/src/config.js';
import { memberships } from '../api/src/courses/tables.js';
import { users } from '../api/src/users/tables.js';
import { freshPgDatabase, seed } from '../api/test/harness.js';

const RESULTS = path.join(ROOT, 'bench', 'results');
const TARGET_P95_MS = 200;

const DAY = `query($windowId: ID!, $day: String!) { officeHourDays(windowId: $windowId, from: $day, to: $day) { slots { startsAt state } } }`;
const BOOK = `mutation($windowId: ID!, $startsAt: DateTime!, $question: String, $orNextFree: Boolean) {
  bookOfficeHour(windowId: $windowId, startsAt: $startsAt, question: $question, orNextFree: $orNextFree) { id startsAt } }`;
const JOIN = `mutation($windowId: ID!, $day: String!) { joinOfficeHourWaitlist(windowId: $windowId, day: $day) { position } }`;
const LINE = `query($windowId: ID!, $day: String!) { officeHourWaitlist(windowId: $windowId, day: $day) { studentId status position } }`;

const MODES = ['next-free', 'pick'] as const;
type Mode = (typeof MODES)[number];

interface Options {
  mode: Mode;
  students: number;
  slots: number;
  spreadMs: number;
  keepDb: boolean;
}

function parseArgs(args: string[]): Options {
  const o: Options = { mode: 'next-free', students: 500, slots: 50, spreadMs: 1000, keepDb: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--keep-db') {
      o.keepDb = true;
      continue;
    }
    const m = /^--(mode|students|slots|spread-ms)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a} (use --mode ${MODES.join('|')} --students N --slots N --spread-ms MS --keep-db)`);
    const raw = m[2] ?? args[++i];
    if (m[1] === 'mode') {
      if (!(MODES as readonly string[]).includes(raw ?? '')) throw new Error(`--mode takes ${MODES.join(', ')}; got ${raw}`);
      o.mode = raw as Mode;
      continue;
    }
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${m[1]} needs a whole number, got ${raw}`);
    if (m[1] === 'students') o.students = Math.max(1, n);
    else if (m[1] === 'slots') o.slots = Math.min(144, Math.max(1, n));
    else o.spreadMs = n;
  }
  return o;
}

interface Data {
  databaseUrl: string;
  dropDb: () => Promise<void>;
  windowId: string;
  day: string;
  hostToken: string;
  students: { userId: string; token: string }[];
}

/** The course, its host, the students and their tokens, and the window: made with the app's own code. */
async function makeData(opts: Options, env: Record<string, string>): Promise<Data> {
  const db = await freshPgDatabase();
  try {
    const config = loadConfig({ ...env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', PORT: '0' }, []);
    const core = await openCore(config);
    try {
      const fx = await seed(core, 'Booking');
      const tenantId = fx.tenant.id;
      const rows = await core.services.database.db
        .insert(users)
        .values(
          Array.from({ length: opts.students }, (_, k) => ({
            tenantId,
            subject: `booking-${fx.course.id}-${k}`,
            name: `Student ${k + 1}`,
          })),
        )
        .returning({ id: users.id });
      await core.services.database.db
        .insert(memberships)
        .values(rows.map((r) => ({ tenantId, courseId: fx.course.id, userId: r.id, roles: ['learner'], status: 'active' })));
      const students = [];
      for (const r of rows)
        students.push({
          userId: r.id,
          token: await core.services.sessions.issue(
            { tenantId, userId: r.id, courseId: fx.course.id, roles: ['learner'] },
            TOKEN_TTL_SECONDS,
          ),
        });
      // Two days ahead, in UTC (the window's zone): its ISO weekday and date.
      const when = new Date(Date.now() + 2 * 86_400_000);
      const startMinute = 8 * 60;
      const endMinute = startMinute + 10 * opts.slots;
      const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      const host = {
        kind: 'session' as const,
        tenantId,
        userId: fx.instructor.id,
        courseId: fx.course.id,
        roles: ['instructor' as const],
        expiresAt: Date.now() + 3_600_000,
      };
      const w = await core.services.officeHours.publishWindow(host, {
        courseId: fx.course.id,
        weekday: ((when.getUTCDay() + 6) % 7) + 1,
        startTime: hhmm(startMinute),
        endTime: hhmm(endMinute),
        timeZone: 'UTC',
        slotMinutes: 10,
        horizonDays: 14,
        minNoticeMinutes: 60,
      });
      return {
        databaseUrl: db.url,
        dropDb: db.drop,
        windowId: w.id,
        day: when.toISOString().slice(0, 10),
        hostToken: await core.services.sessions.issue(
          { tenantId, userId: fx.instructor.id, courseId: fx.course.id, roles: ['instructor'] },
          TOKEN_TTL_SECONDS,
        ),
        students,
      };
    } finally {
      await core.close();
    }
  } catch (err) {
    await db.drop().catch(() => {});
    throw err;
  }
}

type Outcome = { kind: 'booked'; at: number } | { kind: 'waitlisted'; at: number; joinSentAt: number } | { kind: 'failed'; error: string };

interface StudentResult {
  index: number;
  userId: string;
  arrivedAt: number;
  outcome: Outcome;
  attempts: number;
  reads: number;
}

/** What the operations above answer (the fields the students read). */
interface Answer {
  officeHourDays: { slots: { startsAt: string; state: string }[] }[];
}

async function runStudents(url: string, data: Data, opts: Options) {
  const bookMs: number[] = [];
  const bookOkMs: number[] = [];
  const requests = { n: 0 };
  /** Round trips by operation (the days read, booking, joining the waitlist). */
  const byOp: Record<'days' | 'book' | 'join', number[]> = { days: [], book: [], join: [] };
  const call = (token: string, query: string, variables: Record<string, unknown>, agent: http.Agent) => {
    requests.n++;
    const body = JSON.stringify({ query, variables });
    const op = query === DAY ? 'days' : query === BOOK ? 'book' : 'join';
    const sent = wallNow();
    return new Promise<{ data?: Answer; errors?: { message: string; extensions?: { code?: string } }[] }>((resolve, reject) => {
      const req = http.request(
        url + '/graphql',
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            authorization: `Bearer ${token}`,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (op !== 'join' || query === JOIN) byOp[op].push(wallNow() - sent);
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
  const t0 = wallNow() + 200;
  const one = async (s: { userId: string; token: string }, index: number): Promise<StudentResult> => {
    // One keep-alive connection per student, as each browser would have.
    const dispatcher = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const arrivedAt = t0 + (opts.students > 1 ? (index * opts.spreadMs) / (opts.students - 1) : 0);
    await sleep(Math.max(0, arrivedAt - wallNow()));
    let attempts = 0;
    let reads = 0;
    try {
      for (let round = 0; round < opts.slots + 5; round++) {
        reads++;
        const day = await call(s.token, DAY, { windowId: data.windowId, day: data.day }, dispatcher);
        if (day.errors)
          return { index, userId: s.userId, arrivedAt, attempts, reads, outcome: { kind: 'failed', error: JSON.stringify(day.errors) } };
        const free = (day.data?.officeHourDays[0]?.slots ?? []).find((x) => x.state === 'FREE');
        if (!free) {
          const joinSentAt = wallNow();
          const j = await call(s.token, JOIN, { windowId: data.windowId, day: data.day }, dispatcher);
          const c = j.errors?.[0]?.extensions?.code;
          if (c === 'SLOTS_AVAILABLE') continue; // freed meanwhile (not in this bench: nobody cancels)
          if (j.errors)
            return { index, userId: s.userId, arrivedAt, attempts, reads, outcome: { kind: 'failed', error: JSON.stringify(j.errors) } };
          return { index, userId: s.userId, arrivedAt, attempts, reads, outcome: { kind: 'waitlisted', at: wallNow(), joinSentAt } };
        }
        attempts++;
        const sent = wallNow();
        const b = await call(
          s.token,
          BOOK,
          {
            windowId: data.windowId,
            startsAt: free.startsAt,
            question: `Question of student ${index + 1}`,
            orNextFree: opts.mode === 'next-free',
          },
          dispatcher,
        );
        const ms = wallNow() - sent;
        bookMs.push(ms);
        const c = b.errors?.[0]?.extensions?.code;
        if (!b.errors) {
          bookOkMs.push(ms);
          return { index, userId: s.userId, arrivedAt, attempts, reads, outcome: { kind: 'booked', at: wallNow() } };
        }
        if (c !== 'SLOT_TAKEN')
          return { index, userId: s.userId, arrivedAt, attempts, reads, outcome: { kind: 'failed', error: JSON.stringify(b.errors) } };
      }
      return { index, userId: s.userId, arrivedAt, attempts, reads, outcome: { kind: 'failed', error: 'too many rounds' } };
    } finally {
      dispatcher.destroy();
    }
  };
  const results = await Promise.all(data.students.map((s, i) => one(s, i)));
  return { t0, results, bookMs, bookOkMs, requests: requests.n, byOp };
}

/** The share of pairs in the same order in both lists (1: identical order), and the largest displacement. */
function orderAgreement(
  actual: string[],
  expected: string[],
): { concordantPairs: number; pairs: number; share: number; maxDisplacement: number } {
  const rank = new Map(expected.map((id, i) => [id, i]));
  const xs = actual.map((id) => rank.get(id)!).filter((x) => x !== undefined);
  let concordant = 0;
  let pairs = 0;
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++) {
      pairs++;
      if (xs[i]! < xs[j]!) concordant++;
    }
  const sortedExpected = [...xs].sort((a, b) => a - b);
  const maxDisplacement = xs.reduce((m, x, i) => Math.max(m, Math.abs(sortedExpected.indexOf(x) - i)), 0);
  return { concordantPairs: concordant, pairs, share: pairs ? round2(concordant / pairs) : 1, maxDisplacement };
}

export async function main(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  const startedAt = new Date();
  const runTag = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lt-booking-'));
  const queuePrefix = `booking-${runTag}`;
  const env = {
    ...serverEnv(dataDir, queuePrefix),
    RATE_LIMIT_WRITE: '1000000/1',
    ...(process.env.DB_POOL_MAX ? { DB_POOL_MAX: process.env.DB_POOL_MAX } : {}),
  };
  mkdirSync(RESULTS, { recursive: true });
  let data: Data | undefined;
  const cleanUp = async () => {
    killAll();
    if (data && !opts.keepDb) await data.dropDb().catch((err: unknown) => console.error(`dropping the database: ${String(err)}`));
    await dropQueueKeys(queuePrefix).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    console.log(`booking bench (${opts.mode}): ${opts.slots} slots opening to ${opts.students} students arriving over ${opts.spreadMs} ms`);
    await buildServers(['ours']);
    data = await makeData(opts, env);
    const port = await freePort();
    const server = await startServer(
      'ours',
      { ...env, DATABASE_URL: data.databaseUrl, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
      RESULTS,
    );
    try {
      // Warm the server's paths (compile, caches) with reads of another day: nothing booked.
      for (let i = 0; i < 20; i++) {
        await fetch(server.url + '/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${data.students[i % data.students.length]!.token}` },
          body: JSON.stringify({ query: DAY, variables: { windowId: data.windowId, day: data.day } }),
        });
      }
      const samples: ProcSample[] = [];
      const take = () => {
        const x = procSample(server.pid);
        if (x) samples.push(x);
      };
      take();
      const timer = setInterval(take, 100);
      const benchCpu0 = process.cpuUsage();
      const run = await runStudents(server.url, data, opts);
      const benchCpu = process.cpuUsage(benchCpu0);
      clearInterval(timer);
      take();
      const lastOutcome = Math.max(...run.results.map((r) => (r.outcome.kind === 'failed' ? 0 : r.outcome.at)));
      const a = [...samples].reverse().find((x) => x.at <= run.t0) ?? samples[0]!;
      const b = samples.find((x) => x.at >= lastOutcome) ?? samples.at(-1)!;
      const serverCpuSeconds = b.cpuSeconds - a.cpuSeconds;

      // The truth, from the database.
      const client = new pg.Client({ connectionString: data.databaseUrl });
      await client.connect();
      const booked = (
        await client.query<{ n: string; slots: string; students: string }>(
          `select count(*) as n, count(distinct starts_at) as slots, count(distinct student_id) as students from office_hour_bookings where window_id = $1 and status = 'booked'`,
          [data.windowId],
        )
      ).rows[0]!;
      const overlaps = (
        await client.query<{ n: string }>(
          `select count(*) as n from office_hour_bookings a join office_hour_bookings b on a.host_id = b.host_id and a.id < b.id
           and tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at) where a.status = 'booked' and b.status = 'booked'`,
        )
      ).rows[0]!;
      await client.end();
      const lineRes = await fetch(server.url + '/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${data.hostToken}` },
        body: JSON.stringify({ query: LINE, variables: { windowId: data.windowId, day: data.day } }),
      });
      const line = ((await lineRes.json()) as { data: { officeHourWaitlist: { studentId: string }[] } }).data.officeHourWaitlist.map(
        (x) => x.studentId,
      );

      const waitlisted = run.results.filter((r) => r.outcome.kind === 'waitlisted');
      const byArrival = [...waitlisted].sort((x, y) => x.arrivedAt - y.arrivedAt || x.index - y.index).map((r) => r.userId);
      const byJoinSent = [...waitlisted]
        .sort((x, y) => (x.outcome as { joinSentAt: number }).joinSentAt - (y.outcome as { joinSentAt: number }).joinSentAt)
        .map((r) => r.userId);
      const bookedCount = run.results.filter((r) => r.outcome.kind === 'booked').length;
      const failed = run.results.filter((r) => r.outcome.kind === 'failed');
      const toOutcome = run.results.filter((r) => r.outcome.kind !== 'failed').map((r) => (r.outcome as { at: number }).at - r.arrivedAt);
      const report = {
        bench: 'booking',
        at: startedAt.toISOString(),
        machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?' },
        config: { mode: opts.mode, students: opts.students, slots: opts.slots, spreadMs: opts.spreadMs },
        bookings: {
          madeByDatabase: Number(booked.n),
          distinctSlots: Number(booked.slots),
          distinctStudents: Number(booked.students),
          hostOverlaps: Number(overlaps.n),
          studentsBooked: bookedCount,
        },
        attempts: { bookOfficeHour: run.bookMs.length, slotTaken: run.bookMs.length - run.bookOkMs.length, requests: run.requests },
        latencyMs: {
          bookAll: summarize(run.bookMs) as LatencySummary,
          daysRead: summarize(run.byOp.days) as LatencySummary,
          waitlistJoin: summarize(run.byOp.join) as LatencySummary,
          bookSucceeded: summarize(run.bookOkMs) as LatencySummary,
          arrivalToOutcome: summarize(toOutcome) as LatencySummary,
        },
        serverCpu: {
          seconds: round2(serverCpuSeconds),
          msPerBooking: round1((serverCpuSeconds * 1000) / Math.max(1, Number(booked.n))),
          msPerRequest: round2((serverCpuSeconds * 1000) / Math.max(1, run.requests)),
          wallSeconds: round2((lastOutcome - run.t0) / 1000),
        },
        loadGeneratorCpuSeconds: round2((benchCpu.user + benchCpu.system) / 1e6),
        waitlist: {
          joined: waitlisted.length,
          listed: line.length,
          vsArrival: orderAgreement(line, byArrival),
          vsJoinSent: orderAgreement(line, byJoinSent),
        },
        failed: { count: failed.length, first: failed[0]?.outcome },
        serverLog: { warnings: Object.fromEntries(server.warnings), otherLines: server.otherLines },
      };
      print(report);
      const out = path.join(RESULTS, `booking-${opts.mode}.json`);
      writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
      console.log(`\nwritten: ${path.relative(process.cwd(), out)}`);
      if (
        report.bookings.madeByDatabase !== opts.slots ||
        report.bookings.distinctSlots !== opts.slots ||
        report.bookings.hostOverlaps !== 0
      )
        throw new Error(`expected exactly ${opts.slots} bookings, one per slot: ${JSON.stringify(report.bookings)}`);
      if (failed.length) throw new Error(`${failed.length} students failed; first: ${JSON.stringify(failed[0]!.outcome)}`);
    } finally {
      await stop(server.proc);
    }
  } finally {
    await cleanUp();
    if (data && opts.keepDb) console.log(`database kept: ${data.databaseUrl}`);
  }
}

function print(r: {
  config: { mode: Mode; students: number; slots: number; spreadMs: number };
  bookings: { madeByDatabase: number; distinctSlots: number; distinctStudents: number; hostOverlaps: number };
  attempts: { bookOfficeHour: number; slotTaken: number; requests: number };
  latencyMs: {
    bookAll: LatencySummary;
    bookSucceeded: LatencySummary;
    arrivalToOutcome: LatencySummary;
    daysRead: LatencySummary;
    waitlistJoin: LatencySummary;
  };
  serverCpu: { seconds: number; msPerBooking: number; msPerRequest: number; wallSeconds: number };
  loadGeneratorCpuSeconds: number;
  waitlist: { joined: number; listed: number; vsArrival: ReturnType<typeof orderAgreement>; vsJoinSent: ReturnType<typeof orderAgreement> };
}): void {
  const l = r.latencyMs;
  console.log(`\n${r.config.mode}: ${r.config.slots} slots, ${r.config.students} students arriving over ${r.config.spreadMs} ms:\n`);
  console.log('| measure | value |');
  console.log('| --- | --- |');
  const rows: [string, string][] = [
    [
      'bookings made (database)',
      `${r.bookings.madeByDatabase} (${r.bookings.distinctSlots} slots, ${r.bookings.distinctStudents} students, ${r.bookings.hostOverlaps} overlaps)`,
    ],
    ['bookOfficeHour calls (SLOT_TAKEN)', `${r.attempts.bookOfficeHour} (${r.attempts.slotTaken})`],
    ['bookOfficeHour p50 / p95 / max, all', `${l.bookAll.p50} / ${l.bookAll.p95} / ${l.bookAll.max} ms`],
    ['bookOfficeHour p50 / p95 / max, booked', `${l.bookSucceeded.p50} / ${l.bookSucceeded.p95} / ${l.bookSucceeded.max} ms`],
    ['officeHourDays p50 / p95', `${l.daysRead.p50} / ${l.daysRead.p95} ms`],
    ['joinOfficeHourWaitlist p50 / p95', `${l.waitlistJoin.p50} / ${l.waitlistJoin.p95} ms`],
    ['arrival to outcome p50 / p95', `${l.arrivalToOutcome.p50} / ${l.arrivalToOutcome.p95} ms`],
    [
      'server CPU per booking made',
      `${r.serverCpu.msPerBooking} ms (${r.serverCpu.seconds} s over ${r.serverCpu.wallSeconds} s; ${r.serverCpu.msPerRequest} ms per request of ${r.attempts.requests})`,
    ],
    ['waitlist', `${r.waitlist.listed} listed of ${r.waitlist.joined} joined`],
    [
      'waitlist order vs arrival',
      `${Math.round(r.waitlist.vsArrival.share * 100)}% of pairs in order, max displacement ${r.waitlist.vsArrival.maxDisplacement}`,
    ],
    [
      'waitlist order vs join sent',
      `${Math.round(r.waitlist.vsJoinSent.share * 100)}% of pairs in order, max displacement ${r.waitlist.vsJoinSent.maxDisplacement}`,
    ],
    ['load generator CPU', `${r.loadGeneratorCpuSeconds} s`],
  ];
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  console.log(`\np95 target < ${TARGET_P95_MS} ms: ${l.bookAll.p95 < TARGET_P95_MS ? 'met' : 'NOT met'}`);
}
