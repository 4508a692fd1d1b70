/**
 * The fanout bench's child processes: the server under test (spawned, its output to a log file and scanned for
 * warnings), and the load generator and sender (forked, commands and answers over IPC). Every child is killed
 * when the bench exits, whatever the way (return, throw, Ctrl-C).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { buildServer } from '../../bin/build-server.js';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssOf, sleep, type Kind } from './common.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = ['--import', 'tsx'];

const children = new Set<ChildProcess>();
let hooked = false;

function track(c: ChildProcess): void {
  children.add(c);
  c.once('exit', () => children.delete(c));
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
}

/** SIGKILLs every child still running (the last resort; stop() is the polite way). */
export function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(c: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGTERM');
  const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

// ------------------------------------------------------------------ servers

const SERVER_ENTRY: Record<Kind, string> = {
  ours: 'bin/start.ts',
  socketio: 'bench/fanout/socketio-server.ts',
  raw: 'bench/fanout/ws-server.ts',
};
/** Where each server is built: ours where `npm start` puts it, the baselines and the GC preload with the results. */
const BUILT: Record<Kind, string> = {
  ours: 'dist/start.mjs',
  socketio: 'bench/results/build/socketio-server.mjs',
  raw: 'bench/results/build/ws-server.mjs',
};
const GC_PRELOAD = 'bench/results/build/gc-on-signal.mjs';

/**
 * Builds every server as production runs ours (bin/build-server.ts: one esbuild bundle, plain node, no tsx), so
 * that none of the three pays tsx's per-closure name wrapping and all three run the same compiled app code.
 */
export async function buildServers(kinds: readonly Kind[]): Promise<void> {
  await buildServer('bench/fanout/gc-on-signal.ts', GC_PRELOAD);
  for (const kind of kinds) await buildServer(SERVER_ENTRY[kind], BUILT[kind]);
}

export interface ServerProc {
  kind: Kind;
  proc: ChildProcess;
  pid: number;
  url: string;
  logFile: string;
  /** Warning and error lines of the server's log so far, by message. */
  warnings: Map<string, number>;
  /** Lines the server printed that are not pino JSON (stack traces, crashes). */
  otherLines: string[];
  /** Where the preloaded bench/fanout/gc-on-signal.ts writes its memory figures. */
  memoryFile: string;
}

export interface MemoryFigures {
  /** VmRSS after the collection. */
  rss: number;
  heapUsed: number;
  /** Memory of C++ objects bound to JavaScript ones, and of ArrayBuffers (socket buffers). */
  external: number;
  arrayBuffers: number;
}

/** A full garbage collection in the server (SIGUSR2 to the preloaded gc-on-signal.ts), then its memory figures. */
export async function memoryAfterGc(s: ServerProc): Promise<MemoryFigures> {
  rmSync(s.memoryFile, { force: true });
  s.proc.kill('SIGUSR2');
  const deadline = Date.now() + 10_000;
  while (!existsSync(s.memoryFile)) {
    if (Date.now() > deadline) throw new Error(`${s.kind}: no memory figures after SIGUSR2 (${s.memoryFile})`);
    await sleep(20);
  }
  await sleep(200);
  const m = JSON.parse(readFileSync(s.memoryFile, 'utf8')) as { heapUsed: number; external: number; arrayBuffers: number };
  return { rss: rssOf(s.pid), heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/**
 * Starts a built server (buildServers) under node, with the bench's GC preload, and waits until /healthz answers
 * (unless `waitHealthz` is false: ours as ROLE=worker serves no HTTP).
 */
export async function startServer(kind: Kind, env: Record<string, string>, logDir: string, waitHealthz = true): Promise<ServerProc> {
  const port = Number(env.PORT);
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `fanout-${kind}.log`);
  const memoryFile = path.join(env.DATA_DIR ?? logDir, `memory-${kind}.json`);
  const log = createWriteStream(logFile);
  // BENCH_CPU_PROF=dir: a V8 CPU profile of each server, written there when it exits (open it in Chrome's DevTools).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.join(process.env.BENCH_CPU_PROF, kind)}`] : [];
  const proc = spawn(process.execPath, ['--expose-gc', '--enable-source-maps', ...prof, '--import', `./${GC_PRELOAD}`, BUILT[kind]], {
    cwd: ROOT,
    env: { ...process.env, ...env, FANOUT_MEMORY_FILE: memoryFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(proc);
  const s: ServerProc = {
    kind,
    proc,
    pid: proc.pid!,
    url: `http://127.0.0.1:${port}`,
    logFile,
    warnings: new Map(),
    otherLines: [],
    memoryFile,
  };
  const scan = (chunk: Buffer, rest: { text: string }) => {
    log.write(chunk);
    rest.text += chunk.toString('utf8');
    const lines = rest.text.split('\n');
    rest.text = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        const j = JSON.parse(line) as { level?: number; msg?: string };
        if ((j.level ?? 0) >= 40) s.warnings.set(j.msg ?? '?', (s.warnings.get(j.msg ?? '?') ?? 0) + 1);
      } catch {
        if (s.otherLines.length < 40) s.otherLines.push(line.slice(0, 300));
      }
    }
  };
  const out = { text: '' };
  const err = { text: '' };
  proc.stdout!.on('data', (c: Buffer) => scan(c, out));
  proc.stderr!.on('data', (c: Buffer) => scan(c, err));
  proc.once('exit', () => log.end());
  if (!waitHealthz) return s;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(
        `${kind} server exited (${proc.exitCode ?? proc.signalCode}) before listening:\n${s.otherLines.join('\n')}\n(log: ${logFile})`,
      );
    }
    try {
      const r = await fetch(`${s.url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return s;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${kind} server did not answer /healthz within 120 s (log: ${logFile})`);
    await sleep(200);
  }
}

// ------------------------------------------------------------------ forked helpers

interface Waiter {
  ev: string;
  resolve: (m: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** A forked bench process spoken to over IPC: send a command, wait for an answer of a given `ev`. */
export class Helper<Cmd extends object, Ev extends { ev: string }> {
  readonly proc: ChildProcess;
  private waiters: Waiter[] = [];
  private listeners = new Set<(ev: Ev) => void>();

  constructor(
    readonly name: string,
    file: string,
  ) {
    this.proc = fork(path.join(ROOT, file), [], {
      cwd: ROOT,
      execArgv: TSX,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    track(this.proc);
    this.proc.on('message', (m: Ev) => {
      for (const l of this.listeners) l(m);
      if (m.ev === 'error') {
        const e = new Error(`${name}: ${(m as unknown as { message: string }).message}`);
        for (const w of this.waiters.splice(0)) {
          clearTimeout(w.timer);
          w.reject(e);
        }
        return;
      }
      const i = this.waiters.findIndex((w) => w.ev === m.ev);
      if (i < 0) return;
      const [w] = this.waiters.splice(i, 1);
      clearTimeout(w!.timer);
      w!.resolve(m);
    });
    this.proc.once('exit', (code, signal) => {
      const e = new Error(`${name} exited (${code ?? signal})`);
      for (const w of this.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(e);
      }
    });
  }

  on(listener: (ev: Ev) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends `cmd` and resolves with the next message whose `ev` is `ev`. */
  call<E extends Ev['ev']>(cmd: Cmd, ev: E, timeoutMs: number): Promise<Extract<Ev, { ev: E }>> {
    const p = new Promise<Extract<Ev, { ev: E }>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`${this.name}: no "${ev}" answer within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.waiters.push({ ev, resolve: resolve as (m: unknown) => void, reject, timer });
    });
    this.proc.send(cmd);
    return p;
  }

  async close(cmd?: Cmd): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    if (cmd && this.proc.connected) {
      this.proc.send(cmd);
      const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
      await Promise.race([exited, sleep(5000)]);
    }
    await stop(this.proc, 2000);
  }
}
