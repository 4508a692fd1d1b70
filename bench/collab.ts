/**
 * Collaborative code sessions under load (issue 18): pair programming in one document, and a class grid.
 *
 *   npm run bench -- collab [--editors 30] [--procs 3] [--rate 10] [--students 60] [--student-rate 3] [--seconds 60] [--only editors|grid] [--keep-db]
 *
 * BENCH_SECONDS=n sets --seconds (a smoke run). Setup (this process, the app's own code): a fresh PostgreSQL
 * database with one course, its instructor and the students, each with a session token (bench/fanout/setup.ts). Each
 * scenario gets its own server: the app as `npm start` builds it (the esbuild bundle under plain node,
 * NODE_ENV=production) as two processes, the API (ROLE=api, measured) and the worker (ROLE=worker: the BullMQ queues,
 * where compaction runs), with their default limits. Redis at 127.0.0.1:6379.
 *
 * Scenario "editors": the instructor creates a shared session whose starting code has one line per editor
 * (`#07|`); --editors students join it and open the document as the web's CollabProvider does (bench/collab/editor.ts:
 * a real Y.Doc each, `collabDocument`, then `collabDocumentEvents` on the editor's own graphql-ws connection,
 * `applyCollabUpdate` over HTTP, one in flight, edits made meanwhile merged and sent next). Each types --rate
 * characters a second for --seconds, each at a random place of its own line. The editors run in --procs child
 * processes (bench/collab/editors-procs.ts: one process applying every editor's update to 30 replicas saturates its
 * thread, and its lag would count in every delivery), each with its share; they report their edits' and arrivals'
 * times (`performance.timeOrigin + performance.now()`: one clock across the machine's processes). Delivery: from an edit's local time to its
 * arrival at every other editor (an edit is one Yjs clock of its editor: matched by client id and clock, see
 * bench/collab/replica.ts). At the end, once everything arrived: every editor's text against the server's, and each
 * editor's line against what it typed (nothing lost, nothing doubled). The update log (stored events of
 * `collab:<documentId>`), snapshot and compaction history are measured during the run (compaction triggers by
 * itself past COLLAB_COMPACT_UPDATES), at the end, and after a final explicit CollabDocuments.compact.
 *
 * Scenario "grid": the instructor creates a session and forks it per student; --students students join (each gets
 * their copy) and open it; the instructor loads the class grid (`collabGrid`) and follows every copy on ONE socket
 * (one `collabDocumentEvents` each, as the grid's tiles do). Each student types --student-rate characters a second for
 * --seconds. Delivery: from an edit to its arrival at the instructor. The copies' texts are checked as above.
 *
 * Both: the API's CPU (utime + stime from /proc, sampled every 100 ms) while typing, as a share of one core; its RSS
 * (start, peak, end); the worker's and PostgreSQL's CPU (the bench database's backends) beside it; the machine's busy
 * share and load average (the machine is shared: the figures say how loaded it was); the bench's own CPU (it runs every
 * client, so its delays are in the delivery figures; for the editors, its children's CPU summed, and the busiest
 * child's). Figures go to stdout and to bench/results/collab.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import {
  postgresCpuBetween,
  procSample,
  round1,
  round2,
  sleep,
  summarize,
  systemCpu,
  wallNow,
  type LatencySummary,
  type ProcSample,
  type SystemCpu,
} from './fanout/common.js';
import { must, poster, ws, type Call } from './fanout/graphql.js';
import { ROOT, buildServers, freePort, killAll, startServer, stop, type ServerProc } from './fanout/procs.js';
import { dropQueueKeys, makeData, serverEnv, type BenchData } from './fanout/setup.js';
import { Editor, SendStats, areaIn, follow } from './collab/editor.js';
import { EditorProcesses } from './collab/editors-procs.js';
import { Arrivals, EditClock, Replica, arrivalTimes } from './collab/replica.js';
import { Store, compactNow, type LogSize } from './collab/store.js';
import { openAll, typeUntil, waitFor } from './collab/typing.js';

const RESULTS = path.join(ROOT, 'bench', 'results');
const DRAIN_MS = 60_000;
const PROBE_MS = 200;

const CREATE = `mutation($input: CreateCollabSessionInput!) { createCollabSession(input: $input) { id sharedDocumentId } }`;
const JOIN = `mutation($id: ID!) { joinCollabSession(id: $id) { id } }`;
const FORK = `mutation($id: ID!) { forkCollabSession(id: $id) { id mode } }`;
const GRID = `query($sessionId: ID!) { collabGrid(sessionId: $sessionId) { copies { userId document { id state cursor text } } } }`;
const TEXT = `query($id: ID!) { collabDocument(id: $id) { text } }`;

interface Options {
  editors: number;
  procs: number;
  rate: number;
  students: number;
  studentRate: number;
  seconds: number;
  only: 'editors' | 'grid' | null;
  keepDb: boolean;
}

function parseArgs(args: string[]): Options {
  const envSeconds = Number(process.env.BENCH_SECONDS);
  const o: Options = {
    editors: 30,
    procs: 3,
    rate: 10,
    students: 60,
    studentRate: 3,
    seconds: Number.isFinite(envSeconds) && envSeconds > 0 ? envSeconds : 60,
    only: null,
    keepDb: false,
  };
  const names: Record<string, 'editors' | 'procs' | 'rate' | 'students' | 'studentRate' | 'seconds'> = {
    editors: 'editors',
    procs: 'procs',
    rate: 'rate',
    students: 'students',
    'student-rate': 'studentRate',
    seconds: 'seconds',
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--keep-db') {
      o.keepDb = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (m?.[1] === 'only') {
      const v = m[2] ?? args[++i];
      if (v !== 'editors' && v !== 'grid') throw new Error('--only takes editors or grid');
      o.only = v;
      continue;
    }
    const key = m && names[m[1]!];
    if (!m || !key)
      throw new Error(
        `unknown argument ${a} (use --editors N --procs N --rate N --students N --student-rate N --seconds S --only editors|grid --keep-db)`,
      );
    const n = Number(m[2] ?? args[++i]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${m[1]} needs a positive number`);
    o[key] = n;
  }
  return o;
}

// ------------------------------------------------------------------ the server, measured

interface Measured {
  api: ServerProc;
  worker: ServerProc;
  call: Call;
  /** Marks the start of what is measured (after the clients are in); `children`: the bench's child processes. */
  begin(children?: number[]): void;
  /** Ends it: CPU of each process and the machine over [begin, end], RSS start / peak / end. */
  end(): Promise<Usage>;
}

interface CpuShare {
  seconds: number;
  coreShare: number;
}
interface Usage {
  apiCpu: CpuShare;
  workerCpu: CpuShare;
  postgresCpu: CpuShare;
  /** The bench's CPU: this process and its children. */
  benchCpu: CpuShare;
  /** The busiest child's (null: no children). */
  busiestChildCpu: CpuShare | null;
  /** Share of the machine's cores busy over the phase (everything: other people's work too). */
  machineBusy: number;
  loadAverage: { start: number; end: number };
  apiRssMb: { start: number; peak: number; end: number };
  workerRssMb: { peak: number };
  /** Round trip of `{ __typename }` sent every PROBE_MS meanwhile: what any request waited (the event loop, the machine). */
  probeMs: LatencySummary;
}

/** Starts the API and the worker on the bench database, runs `fn`, stops them whatever happens. */
async function withServer<T>(env: Record<string, string>, data: BenchData, label: string, fn: (m: Measured) => Promise<T>): Promise<T> {
  const port = await freePort();
  const full = { ...env, DATABASE_URL: data.databaseUrl, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
  const api = await startServer('ours', { ...full, ROLE: 'api' }, path.join(RESULTS, `collab-${label}-api-log`));
  const worker = await startServer('ours', { ...full, ROLE: 'worker' }, path.join(RESULTS, `collab-${label}-worker-log`), false);
  const { call, close } = poster(api.url);
  const apiSamples: ProcSample[] = [];
  const workerSamples: ProcSample[] = [];
  const take = () => {
    const a = procSample(api.pid);
    if (a) apiSamples.push(a);
    const w = procSample(worker.pid);
    if (w) workerSamples.push(w);
  };
  take();
  const timer = setInterval(take, 100);
  const database = new URL(data.databaseUrl).pathname.slice(1);
  let from: {
    at: number;
    apiIdx: number;
    workerIdx: number;
    system: SystemCpu;
    bench: NodeJS.CpuUsage;
    children: { pid: number; cpuSeconds: number }[];
    load: number;
  } | null = null;
  const probe: number[] = [];
  let probing: Promise<void> | null = null;
  let probeOn = false;
  const measured: Measured = {
    api,
    worker,
    call,
    begin(children = []) {
      take();
      from = {
        at: wallNow(),
        apiIdx: apiSamples.length - 1,
        workerIdx: workerSamples.length - 1,
        system: systemCpu(database),
        bench: process.cpuUsage(),
        children: children.map((pid) => ({ pid, cpuSeconds: procSample(pid)?.cpuSeconds ?? 0 })),
        load: os.loadavg()[0]!,
      };
      probeOn = true;
      probing = (async () => {
        while (probeOn) {
          const t = wallNow();
          await call(data.senderToken, '{ __typename }', {});
          probe.push(wallNow() - t);
          await sleep(Math.max(0, t + PROBE_MS - wallNow()));
        }
      })();
    },
    async end() {
      probeOn = false;
      await probing;
      take();
      if (!from) throw new Error('end() before begin()');
      const secs = (wallNow() - from.at) / 1000;
      const share = (s: number): CpuShare => ({ seconds: round2(s), coreShare: round2(s / secs) });
      const cpuOf = (samples: ProcSample[], i: number) => (samples.at(-1)?.cpuSeconds ?? 0) - (samples[i]?.cpuSeconds ?? 0);
      const system = systemCpu(database);
      const bench = process.cpuUsage(from.bench);
      const children = from.children.map((c) => (procSample(c.pid)?.cpuSeconds ?? c.cpuSeconds) - c.cpuSeconds);
      const apiPhase = apiSamples.slice(from.apiIdx);
      return {
        apiCpu: share(cpuOf(apiSamples, from.apiIdx)),
        workerCpu: share(cpuOf(workerSamples, from.workerIdx)),
        postgresCpu: share(postgresCpuBetween(from.system, system)),
        benchCpu: share((bench.user + bench.system) / 1e6 + children.reduce((a, b) => a + b, 0)),
        busiestChildCpu: children.length ? share(Math.max(...children)) : null,
        machineBusy: round2((system.busy - from.system.busy) / (system.total - from.system.total)),
        loadAverage: { start: round1(from.load), end: round1(os.loadavg()[0]!) },
        apiRssMb: {
          start: mb(apiPhase[0]?.rssBytes ?? 0),
          peak: mb(Math.max(...apiPhase.map((s) => s.rssBytes))),
          end: mb(apiPhase.at(-1)?.rssBytes ?? 0),
        },
        workerRssMb: { peak: mb(Math.max(...workerSamples.slice(from.workerIdx).map((s) => s.rssBytes))) },
        probeMs: summarize(probe),
      };
    },
  };
  try {
    return await fn(measured);
  } finally {
    clearInterval(timer);
    close();
    await stop(api.proc);
    await stop(worker.proc);
    const problems = [...api.warnings, ...worker.warnings];
    if (problems.length) console.log(`server warnings (${label}): ${JSON.stringify(Object.fromEntries(problems))}`);
  }
}

const mb = (bytes: number) => round1(bytes / 2 ** 20);

// ------------------------------------------------------------------ typing

interface Delivery extends LatencySummary {
  /** (edit, receiver) pairs that never arrived, repeats and gaps (see replica.ts). */
  missing: number;
  repeats: number;
}

function delivery(a: ReturnType<typeof arrivalTimes>, missing: number, errors: string[]): Delivery {
  if (a.unstamped) errors.push(`${a.unstamped} arrivals of edits with no local time`);
  return { ...summarize(a.ms), missing: missing + a.gaps, repeats: a.repeats };
}

function sendFigures(s: SendStats) {
  return {
    mutations: s.mutations,
    stored: s.stored,
    outOfSync: s.outOfSync,
    errors: Object.fromEntries(s.errors),
    bytes: s.bytes,
    roundTripMs: summarize(s.roundTripMs),
    editsPerMutation: round2(s.editsPerMutation.reduce((a, b) => a + b, 0) / Math.max(1, s.editsPerMutation.length)),
  };
}

// ------------------------------------------------------------------ scenario 1: many editors, one document

async function editorsScenario(opts: Options, env: Record<string, string>, data: BenchData, store: Store) {
  return withServer(env, data, 'editors', async (m) => {
    const host = data.senderToken;
    const markers = Array.from({ length: opts.editors }, (_, i) => `#${String(i).padStart(2, '0')}|`);
    const session = must(
      await m.call(host, CREATE, {
        input: {
          courseId: data.courseId,
          title: 'Bench pair programming',
          language: 'PYTHON',
          visibility: 'COURSE',
          startingCode: markers.map((k) => `${k}\n`).join(''),
        },
      }),
      'createCollabSession',
    ).createCollabSession as { id: string; sharedDocumentId: string };
    const documentId = session.sharedDocumentId;
    const tokens = data.subscriberTokens.slice(0, opts.editors);
    for (const [i, token] of tokens.entries()) {
      const joined = must(await m.call(token, JOIN, { id: session.id }), 'joinCollabSession').joinCollabSession as { id: string };
      if (joined.id !== documentId) throw new Error(`editor ${i} joined document ${joined.id}, not the shared ${documentId}`);
    }
    const specs = tokens.map((token, index) => ({ index, name: `e${index}`, token, marker: markers[index]! }));
    const group = await EditorProcesses.start(opts.procs, m.api.url, documentId, specs);
    try {
      await group.open();
      await sleep(1000);

      // The log while typing: sampled every 5 s (compaction keeps it short).
      const during: (LogSize & { at: number })[] = [];
      const t0 = wallNow();
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          await sleep(5000);
          if (sampling) during.push({ at: round1((wallNow() - t0) / 1000), ...(await store.size([documentId])) });
        }
      })();
      m.begin(group.pids);
      const { typed, maxLagMs } = await group.type(opts.rate, t0 + opts.seconds * 1000);
      const usage = await m.end();
      sampling = false;
      await sampler;

      // Everything sent, then everything arrived everywhere.
      const sentMs = await group.drain(DRAIN_MS);
      const arrivedMs = await group.arrive(typed, DRAIN_MS);
      const r = await group.report();
      const errors = r.errors;
      let missing = 0;
      for (const e of r.editors) {
        const seen = new Map(e.seen);
        for (const [client, n] of typed) if (client !== e.clientId) missing += Math.max(0, n - (seen.get(client) ?? 0));
      }

      const serverText = must(await m.call(host, TEXT, { id: documentId }), 'collabDocument').collabDocument.text as string;
      const line = (e: (typeof r.editors)[number]) => areaIn(serverText, markers[e.index]!).length;
      const check = {
        typed: r.editors.reduce((a, e) => a + e.typed, 0),
        serverChars: serverText.length,
        editorsDiffering: r.editors.filter((e) => e.text !== serverText).length,
        // Each editor's line holds exactly what it typed: fewer is a lost edit, more a doubled one.
        linesShort: r.editors.filter((e) => line(e) < e.typed).length,
        linesLong: r.editors.filter((e) => line(e) > e.typed).length,
        editorClients: r.clients.length,
      };
      const atEnd = await store.size([documentId]);
      const compaction = await compactNow(env, data.databaseUrl, [documentId]);
      const afterCompaction = await store.size([documentId]);
      const peak = during.reduce((a, d) => (d.logRows > a.logRows ? d : a), atEnd);
      return {
        editors: opts.editors,
        processes: group.pids.length,
        charsPerSecondEach: opts.rate,
        seconds: opts.seconds,
        delivery: delivery(r.arrivals, missing, errors),
        drain: { allSentMs: sentMs, allArrivedMs: arrivedMs },
        sends: sendFigures(r.stats),
        typing: { maxLagMs },
        check,
        log: {
          peakDuringRun: peak,
          samples: during.length,
          atEnd,
          finalCompactionMs: compaction.ms,
          afterCompaction,
        },
        usage,
        errors: errors.slice(0, 10),
      };
    } finally {
      await group.close();
    }
  });
}

// ------------------------------------------------------------------ scenario 2: a class grid of forks

async function gridScenario(opts: Options, env: Record<string, string>, data: BenchData, store: Store) {
  return withServer(env, data, 'grid', async (m) => {
    const host = data.senderToken;
    const marker = '#|';
    const session = must(
      await m.call(host, CREATE, {
        input: {
          courseId: data.courseId,
          title: 'Bench exercise',
          language: 'PYTHON',
          visibility: 'COURSE',
          startingCode: `def solve(values):\n    # your code below\n${marker}\n`,
        },
      }),
      'createCollabSession',
    ).createCollabSession as { id: string };
    must(await m.call(host, FORK, { id: session.id }), 'forkCollabSession');
    const clock = new EditClock();
    const isEditor = (client: number) => clock.editsOf(client) !== undefined;
    const arrivals = new Arrivals(isEditor);
    /** The students' own subscriptions get only their own updates back: nothing to record there. */
    const echoes = new Arrivals(isEditor);
    const stats = new SendStats();
    const errors: string[] = [];
    const tokens = data.subscriberTokens.slice(0, opts.students);
    const students: Editor[] = [];
    for (const [i, token] of tokens.entries()) {
      const copy = must(await m.call(token, JOIN, { id: session.id }), 'joinCollabSession').joinCollabSession as { id: string };
      students.push(new Editor(`s${i}`, m.api.url, token, copy.id, marker, m.call, echoes, clock, stats, (w) => errors.push(w)));
    }
    await openAll(students);

    // The instructor's grid: every copy, followed on one socket.
    const grid = must(await m.call(host, GRID, { sessionId: session.id }), 'collabGrid').collabGrid as {
      copies: { userId: string; document: { id: string; state: string; cursor: string } | null }[];
    };
    const copies = grid.copies.flatMap((c) => (c.document ? [c.document] : []));
    const byDocument = new Map(students.map((s) => [s.documentId, s]));
    const watched = copies.filter((d) => byDocument.has(d.id));
    if (watched.length !== students.length) throw new Error(`the grid shows ${watched.length} of ${students.length} students' copies`);
    let connected!: () => void;
    const isConnected = new Promise<void>((r) => (connected = r));
    const instructor: Client = ws(m.api.url, host, { on: { connected: () => connected() } });
    const tiles = new Map<string, Replica>();
    for (const d of watched) {
      const tile = new Replica(arrivals);
      tile.load(Buffer.from(d.state, 'base64'));
      tiles.set(d.id, tile);
      follow(
        instructor,
        d.id,
        d.cursor,
        (update, at) => tile.receive(update, at),
        (w) => errors.push(`instructor: ${w}`),
      );
    }
    await isConnected;
    await sleep(1000);

    const t0 = wallNow();
    m.begin();
    const typing = await typeUntil(students, opts.studentRate, t0 + opts.seconds * 1000);
    const usage = await m.end();

    const sentMs = await waitFor(() => students.every((s) => s.idle), DRAIN_MS);
    const seenAll = (s: Editor) => tiles.get(s.documentId)!.seen(s.replica.doc.clientID) >= s.typed;
    const arrivedMs = await waitFor(() => students.every(seenAll), DRAIN_MS);
    const missing = students.reduce((a, s) => a + Math.max(0, s.typed - tiles.get(s.documentId)!.seen(s.replica.doc.clientID)), 0);

    const after = must(await m.call(host, GRID, { sessionId: session.id }), 'collabGrid').collabGrid as {
      copies: { document: { id: string; text: string } | null }[];
    };
    const serverText = new Map(after.copies.flatMap((c) => (c.document ? [[c.document.id, c.document.text] as const] : [])));
    const check = {
      typed: students.reduce((a, s) => a + s.typed, 0),
      copiesDiffering: students.filter((s) => {
        const t = serverText.get(s.documentId);
        return t !== s.replica.text.toString() || t !== tiles.get(s.documentId)!.text.toString();
      }).length,
      linesWrong: students.filter((s) => s.areaIn(serverText.get(s.documentId) ?? '').length !== s.typed).length,
    };
    const ids = students.map((s) => s.documentId);
    const atEnd = await store.size(ids);
    const compaction = await compactNow(env, data.databaseUrl, ids);
    const afterCompaction = await store.size(ids);
    await instructor.dispose();
    await Promise.all(students.map((s) => s.close()));
    return {
      students: opts.students,
      charsPerSecondEach: opts.studentRate,
      seconds: opts.seconds,
      subscriptionsOnInstructorSocket: watched.length,
      deliveryToInstructor: delivery(arrivalTimes([arrivals], clock), missing, errors),
      drain: { allSentMs: sentMs, allArrivedMs: arrivedMs },
      sends: sendFigures(stats),
      typing,
      check,
      log: { atEnd, finalCompactionMs: compaction.ms, afterCompaction },
      usage,
      errors: errors.slice(0, 10),
    };
  });
}

// ------------------------------------------------------------------ main

export async function main(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  const startedAt = new Date();
  const runTag = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lt-collab-'));
  const queuePrefix = `collab-${runTag}`;
  const env = serverEnv(dataDir, queuePrefix);
  mkdirSync(RESULTS, { recursive: true });
  let data: BenchData | undefined;
  let store: Store | undefined;
  try {
    console.log(
      `collab bench: ${opts.only !== 'grid' ? `${opts.editors} editors × ${opts.rate} chars/s in one document; ` : ''}` +
        `${opts.only !== 'editors' ? `a grid of ${opts.students} copies × ${opts.studentRate} chars/s; ` : ''}${opts.seconds} s each`,
    );
    await buildServers(['ours']);
    data = await makeData(Math.max(opts.only === 'grid' ? 1 : opts.editors, opts.only === 'editors' ? 1 : opts.students), env);
    store = new Store(data.databaseUrl);
    await store.connect();
    const editors = opts.only === 'grid' ? null : await editorsScenario(opts, env, data, store);
    const grid = opts.only === 'editors' ? null : await gridScenario(opts, env, data, store);
    const report = {
      bench: 'collab',
      at: startedAt.toISOString(),
      machine: {
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? '?',
        loadAverage: os.loadavg().map(round1),
      },
      config: opts,
      editors,
      grid,
    };
    print(report);
    const out = path.join(RESULTS, 'collab.json');
    writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nwritten: ${path.relative(process.cwd(), out)}`);
    const failed = [
      ...(editors?.errors ?? []),
      ...(grid?.errors ?? []),
      ...(editors && (editors.check.editorsDiffering || editors.check.linesShort || editors.check.linesLong)
        ? [`editors: texts differ ${JSON.stringify(editors.check)}`]
        : []),
      ...(grid && (grid.check.copiesDiffering || grid.check.linesWrong) ? [`grid: texts differ ${JSON.stringify(grid.check)}`] : []),
    ];
    if (failed.length) throw new Error(failed.join('\n'));
  } finally {
    await store?.close().catch(() => {});
    killAll();
    if (data && !opts.keepDb) await data.dropDb().catch((err: unknown) => console.error(`dropping the database: ${String(err)}`));
    await dropQueueKeys(queuePrefix).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    if (data && opts.keepDb) console.log(`database kept: ${data.databaseUrl}`);
  }
}

type Report = {
  editors: Awaited<ReturnType<typeof editorsScenario>> | null;
  grid: Awaited<ReturnType<typeof gridScenario>> | null;
};

function print(r: Report): void {
  const lat = (d: Delivery) =>
    `${d.p50} / ${d.p95} / ${d.p99} / ${d.max} ms (${d.n} arrivals, ${d.missing} missing, ${d.repeats} repeated)`;
  const usage = (u: Usage): [string, string][] => [
    ['API CPU (share of a core)', `${u.apiCpu.seconds} s (${Math.round(u.apiCpu.coreShare * 100)} %)`],
    [
      'worker CPU / PostgreSQL CPU',
      `${u.workerCpu.seconds} s / ${u.postgresCpu.seconds} s (${Math.round(u.postgresCpu.coreShare * 100)} %)`,
    ],
    [
      'API RSS start / peak / end',
      `${u.apiRssMb.start} / ${u.apiRssMb.peak} / ${u.apiRssMb.end} MB (worker peak ${u.workerRssMb.peak} MB)`,
    ],
    ['`{ __typename }` meanwhile p50 / p95 / max', `${u.probeMs.p50} / ${u.probeMs.p95} / ${u.probeMs.max} ms`],
    [
      u.busiestChildCpu ? 'bench CPU (its processes summed; the busiest child)' : 'bench process CPU',
      `${u.benchCpu.seconds} s (${Math.round(u.benchCpu.coreShare * 100)} %)` +
        (u.busiestChildCpu ? `; ${u.busiestChildCpu.seconds} s (${Math.round(u.busiestChildCpu.coreShare * 100)} %)` : ''),
    ],
    ['machine busy / load average', `${Math.round(u.machineBusy * 100)} % / ${u.loadAverage.start} → ${u.loadAverage.end}`],
  ];
  const size = (s: LogSize) =>
    `${s.logRows} rows, ${kb(s.logStoredBytes)} stored (${kb(s.logUpdateBytes)} of updates); snapshot ${kb(s.snapshotBytes)}; history ${s.historySegments} segments, ${kb(s.historyBytes)}`;
  const sends = (s: ReturnType<typeof sendFigures>) =>
    `${s.mutations} (${s.stored} stored, ${s.editsPerMutation} edits each, ${s.outOfSync} out of sync, errors ${JSON.stringify(s.errors)}); round trip p50 ${s.roundTripMs.p50} / p95 ${s.roundTripMs.p95} ms`;
  const rows: [string, string][] = [];
  if (r.editors) {
    const e = r.editors;
    rows.push(
      [`**${e.editors} editors × ${e.charsPerSecondEach}/s, ${e.seconds} s, in ${e.processes} processes**`, ''],
      ['edit → other editors p50 / p95 / p99 / max', lat(e.delivery)],
      ['applyCollabUpdate sent', sends(e.sends)],
      ['all sent / all arrived after typing', `${e.drain.allSentMs} / ${e.drain.allArrivedMs} ms`],
      [
        'texts',
        `${e.check.typed} typed, server ${e.check.serverChars} chars; ${e.check.editorsDiffering} editors differ; lines short ${e.check.linesShort}, long ${e.check.linesLong}`,
      ],
      ['log, peak while typing', size(e.log.peakDuringRun)],
      ['log at the end', `${size(e.log.atEnd)}; ${e.log.atEnd.updatesStored} updates stored in all`],
      [`after compaction (${e.log.finalCompactionMs} ms)`, size(e.log.afterCompaction)],
      ...usage(e.usage),
      ['typing schedule, worst lag', `${e.typing.maxLagMs} ms`],
    );
  }
  if (r.grid) {
    const g = r.grid;
    rows.push(
      [`**grid: ${g.students} copies × ${g.charsPerSecondEach}/s, ${g.seconds} s**`, ''],
      [`edit → instructor (${g.subscriptionsOnInstructorSocket} subscriptions, one socket)`, lat(g.deliveryToInstructor)],
      ['applyCollabUpdate sent', sends(g.sends)],
      ['all sent / all arrived after typing', `${g.drain.allSentMs} / ${g.drain.allArrivedMs} ms`],
      ['texts', `${g.check.typed} typed; ${g.check.copiesDiffering} copies differ; ${g.check.linesWrong} wrong`],
      ['logs at the end', size(g.log.atEnd)],
      [`after compaction (${g.log.finalCompactionMs} ms)`, size(g.log.afterCompaction)],
      ...usage(g.usage),
      ['typing schedule, worst lag', `${g.typing.maxLagMs} ms`],
    );
  }
  console.log('\n| measure | value |');
  console.log('| --- | --- |');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
}

const kb = (bytes: number) => (bytes < 10_240 ? `${bytes} B` : `${round1(bytes / 1024)} KB`);
