/**
 * Teardown of many WebSockets closing at once (the end of a class, a network blip): how long the server's event
 * loop stalls while it tears their subscriptions and presence down.
 *
 *   npm run bench -- teardown [--sockets 1000] [--close close|terminate]
 *
 * The app runs in this process (real PostgreSQL: a fresh database; Redis at 127.0.0.1:6379), with one course
 * and --sockets learners, each with a session. A worker thread (its own event loop, so the clients do not count
 * as the server's work) opens one graphql-ws socket per learner with two subscriptions, the course room's events
 * and the course's presence (with a tab id: the learner is online while it lives), then, once every subscription
 * is live on the server, closes every socket at once. Measured in the server's loop: the longest and the p99
 * event-loop delay (perf_hooks.monitorEventLoopDelay, 10 ms resolution) from just before the close until the
 * server has let go of everything (no socket, no subscription, nobody present); from the worker, the slowest
 * `/healthz` answer during that time (one request every 20 ms). Figures to stdout and bench/results/teardown.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { seed, startApp } from '../api/test/harness.js';
import { upsertUser } from '../api/src/users/service.js';
import { ROOT } from './fanout/procs.js';

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
}

/** The clients: plain graphql-ws over `ws`, in JavaScript (a worker thread does not load TypeScript). */
const CLIENTS = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require(workerData.wsPath);
const { wsUrl, httpUrl, tokens, roomId, courseId, mode } = workerData;
const sockets = [];
let acked = 0;
const ROOM = 'subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type userId } }';
const PRESENCE = 'subscription($c: ID!, $t: String) { presence(courseId: $c, tabId: $t) { userId state version } }';
tokens.forEach((token, i) => {
  const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
  sockets.push(ws);
  ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer ' + token } })));
  let mine = false;
  ws.on('close', (code, reason) => { if (!mine) parentPort.postMessage({ t: 'error', message: 'closed before ack: ' + code + ' ' + reason }); });
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.type === 'connection_ack') {
      mine = true;
      ws.send(JSON.stringify({ id: 'r', type: 'subscribe', payload: { query: ROOM, variables: { roomId } } }));
      ws.send(JSON.stringify({ id: 'p', type: 'subscribe', payload: { query: PRESENCE, variables: { c: courseId, t: 'tab-' + String(i).padStart(6, '0') } } }));
      if (++acked === tokens.length) parentPort.postMessage({ t: 'open' });
    }
  });
  ws.on('error', (e) => parentPort.postMessage({ t: 'error', message: String(e && e.message) }));
});
let worst = 0;
let polling = false;
let inflight = null; // when the request in flight was sent
async function poll() {
  while (polling) {
    inflight = performance.now();
    try { await fetch(httpUrl + '/healthz').then((r) => r.text()); } catch {}
    worst = Math.max(worst, performance.now() - inflight);
    inflight = null;
    await new Promise((r) => setTimeout(r, 20));
  }
}
parentPort.on('message', (m) => {
  if (m.t === 'close') {
    polling = true;
    void poll();
    for (const ws of sockets) mode === 'terminate' ? ws.terminate() : ws.close(1000, 'class over');
  }
  if (m.t === 'stop') {
    polling = false;
    // A request still unanswered counts for as long as it has waited.
    if (inflight !== null) worst = Math.max(worst, performance.now() - inflight);
    parentPort.postMessage({ t: 'healthz', worst });
  }
});
`;

export async function main(args: string[]): Promise<void> {
  const n = Number(arg(args, 'sockets', '1000'));
  const mode = arg(args, 'close', 'close');
  const app = await startApp({ env: { WS_MAX_SOCKETS_PER_USER: '100000', WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '100', LOG_LEVEL: 'warn' } });
  let worker: Worker | null = null;
  try {
    const { core } = app;
    const fx = await seed(core, 'T');
    const db = core.services.database.db;
    const tokens: string[] = [];
    for (let i = 0; i < n; i++) {
      const u = await upsertUser(db, { tenantId: fx.tenant.id, subject: `bench-${i}-${fx.course.id}`, name: `Learner ${i}` });
      await core.services.courses.setMembership(fx.tenant.id, fx.course.id, u.id, ['learner']);
      tokens.push(await core.services.sessions.issue({ tenantId: fx.tenant.id, userId: u.id, courseId: fx.course.id, roles: ['learner'] }));
    }
    const room = await core.services.rooms.ensureCourseRoom(fx.tenant.id, fx.course.id, fx.course.title);
    const roomId = (room as { id: string }).id;
    const wsPath = createRequire(import.meta.url).resolve('ws');
    worker = new Worker(CLIENTS, {
      eval: true,
      workerData: { wsUrl: app.wsUrl, httpUrl: app.url, tokens, roomId, courseId: fx.course.id, mode, wsPath },
    });
    const fromWorker: { t: string; worst?: number; message?: string }[] = [];
    const waiters: (() => void)[] = [];
    worker.on('error', (err) => fromWorker.push({ t: 'error', message: String(err) }));
    worker.on('message', (m) => {
      fromWorker.push(m);
      for (const w of waiters.splice(0)) w();
    });
    const until = async (cond: () => boolean | Promise<boolean>, what: string, ms = 120_000) => {
      const deadline = Date.now() + ms;
      while (!(await cond())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await until(() => fromWorker.some((m) => m.t === 'open' || m.t === 'error'), 'every socket acknowledged');
    const failed = fromWorker.find((m) => m.t === 'error');
    if (failed) throw new Error(`a client failed: ${failed.message}`);
    const realtime = core.services.realtime;
    await until(() => realtime.activeSubscriptions >= 2 * n, `${2 * n} live subscriptions (have ${realtime.activeSubscriptions})`);
    await until(async () => (await core.services.presence.list(fx.course.id)).length >= n, 'everyone present');
    // Settle: the presence signals of the joins are delivered.
    await new Promise((r) => setTimeout(r, 1000));

    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const t0 = performance.now();
    worker.postMessage({ t: 'close' });
    await until(
      async () => realtime.activeSubscriptions === 0 && (await core.services.presence.list(fx.course.id)).length === 0,
      'everything torn down',
    );
    const teardownMs = performance.now() - t0;
    h.disable();
    worker.postMessage({ t: 'stop' });
    await until(() => fromWorker.some((m) => m.t === 'healthz'), 'the healthz figure');
    const healthzWorstMs = fromWorker.find((m) => m.t === 'healthz')!.worst!;
    const result = {
      sockets: n,
      subscriptions: 2 * n,
      close: mode,
      teardownMs: Math.round(teardownMs),
      loopDelayMaxMs: Math.round(h.max / 1e6),
      loopDelayP99Ms: Math.round(h.percentile(99) / 1e6),
      healthzWorstMs: Math.round(healthzWorstMs),
      errors: fromWorker.filter((m) => m.t === 'error').length,
    };
    console.log(`teardown of ${n} sockets (${2 * n} subscriptions, ${mode}):`);
    console.log(`  everything released after ${result.teardownMs} ms`);
    console.log(`  event loop delay: max ${result.loopDelayMaxMs} ms, p99 ${result.loopDelayP99Ms} ms`);
    console.log(`  slowest /healthz meanwhile: ${result.healthzWorstMs} ms`);
    const dir = path.join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'teardown.json'), JSON.stringify(result, null, 2) + '\n');
  } finally {
    await worker?.terminate();
    await app.close();
  }
}
