/**
 * `npm run bench -- http [--requests 1000] [--rounds 5] [--concurrency 8]`: what one GraphQL request over HTTP
 * costs the server, as production runs it (the esbuild bundle under plain node, NODE_ENV=production, PostgreSQL
 * server, Redis).
 *
 * Two operations, each sent by a keep-alive HTTP client in the bench's process with a session token:
 * - `{ __typename }`: nothing but the way in and out (HTTP, authentication, GraphQL Yoga, the response);
 * - `sendMessage`: a chat message written (the resend check, the rate limit, the message and its event in one
 *   transaction, the publish), the mutation every chat send and tutor question goes through;
 * - `markRoomRead`: a reader's marker moved one message forward (the rate limit, the one statement, the signal to
 *   the reader's other tabs), which every reader of a busy room sends every few seconds (the messages it marks
 *   are those `sendMessage` wrote).
 *
 * For each: `--rounds` rounds of `--requests` requests one after another (server CPU per request from
 * /proc/<pid>/stat over the round, and latency), then one round with `--concurrency` requests in flight
 * (requests per second). Reported: the median round and the best one, since this machine's speed varies from
 * run to run. The results go to bench/results/http.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ROOT, buildServers, freePort, killAll, startServer, stop } from './fanout/procs.js';
import { dropQueueKeys, makeData, serverEnv, type BenchData } from './fanout/setup.js';
import { SEND_MESSAGE, procSample, round1, round2, summarize } from './fanout/common.js';

const RESULTS = path.join(ROOT, 'bench', 'results');

interface Options {
  requests: number;
  rounds: number;
  concurrency: number;
}

function parseArgs(args: string[]): Options {
  const o: Options = { requests: 1000, rounds: 5, concurrency: 8 };
  for (let i = 0; i < args.length; i++) {
    const m = /^--(requests|rounds|concurrency)(?:=(.*))?$/.exec(args[i]!);
    if (!m) throw new Error(`unknown argument ${args[i]} (use --requests N --rounds R --concurrency C)`);
    const raw = m[2] ?? args[++i];
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${m[1]} needs a whole number of 1 or more, got ${raw}`);
    o[m[1] as keyof Options] = n;
  }
  return o;
}

type Op = 'typename' | 'sendMessage' | 'markRoomRead';

const MARK_ROOM_READ = `mutation($roomId: ID!, $seq: String!) { markRoomRead(roomId: $roomId, seq: $seq) }`;

/** A keep-alive client that POSTs GraphQL and fails on any error in the answer; `reader` marks what `token` sent. */
function client(url: string, token: string, reader: string, roomId: string, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const tag = randomBytes(3).toString('hex');
  let n = 0;
  let seq = 0;
  return (op: Op): Promise<number> => {
    const body =
      op === 'typename'
        ? JSON.stringify({ query: '{ __typename }' })
        : op === 'markRoomRead'
          ? JSON.stringify({ query: MARK_ROOM_READ, variables: { roomId, seq: String(++seq) } })
          : JSON.stringify({
              query: SEND_MESSAGE,
              variables: { input: { roomId, clientId: `http-${tag}-${++n}`, body: `A message of the http bench, number ${n}.` } },
            });
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${url}/graphql`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json',
            authorization: `Bearer ${op === 'markRoomRead' ? reader : token}`,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200 || text.includes('"errors"')) reject(new Error(`${op}: ${res.statusCode} ${text.slice(0, 300)}`));
            else resolve(performance.now() - t0);
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}

interface Round {
  cpuMsPerRequest: number;
  p50: number;
  p99: number;
}

async function sequential(send: (op: Op) => Promise<number>, op: Op, requests: number, pid: number): Promise<Round> {
  const latencies: number[] = [];
  const before = procSample(pid)!;
  for (let i = 0; i < requests; i++) latencies.push(await send(op));
  const after = procSample(pid)!;
  const s = summarize(latencies);
  return { cpuMsPerRequest: ((after.cpuSeconds - before.cpuSeconds) * 1000) / requests, p50: s.p50, p99: s.p99 };
}

async function concurrent(send: (op: Op) => Promise<number>, op: Op, requests: number, inFlight: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < requests) await send(op);
    }),
  );
  return requests / ((performance.now() - t0) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function main(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lt-http-'));
  const queuePrefix = `http-${randomBytes(4).toString('hex')}`;
  // One reader marks thousands of times in a row here: its limit lifted, as the chat limit is.
  const env = { ...serverEnv(dataDir, queuePrefix), RATE_LIMIT_READ_MARK: '1000000/1' };
  mkdirSync(RESULTS, { recursive: true });
  let data: BenchData | undefined;
  try {
    console.log(
      `http bench: ${opts.rounds} rounds of ${opts.requests} requests one at a time, then ${opts.concurrency} in flight (${os.cpus().length} CPUs, ${process.version})`,
    );
    await buildServers(['ours']);
    data = await makeData(1, env);
    const port = await freePort();
    const server = await startServer(
      'ours',
      { ...env, DATABASE_URL: data.databaseUrl, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
      RESULTS,
    );
    try {
      const send = client(server.url, data.senderToken, data.subscriberTokens[0]!, data.roomId, opts.concurrency);
      const figures: Record<string, unknown> = {};
      const rows: string[][] = [];
      // markRoomRead after sendMessage: each mark moves the reader's marker one of those messages forward.
      for (const op of ['typename', 'sendMessage', 'markRoomRead'] as const) {
        // Warm-up: the JIT, the caches, the pools.
        for (let i = 0; i < 200; i++) await send(op);
        const rounds: Round[] = [];
        for (let r = 0; r < opts.rounds; r++) rounds.push(await sequential(send, op, opts.requests, server.pid));
        const perSecond = await concurrent(send, op, opts.requests, opts.concurrency);
        const cpu = rounds.map((r) => r.cpuMsPerRequest);
        const f = {
          cpuMsPerRequest: { median: round2(median(cpu)), best: round2(Math.min(...cpu)) },
          latencyMs: { p50: round2(median(rounds.map((r) => r.p50))), p99: round1(median(rounds.map((r) => r.p99))) },
          requestsPerSecond: Math.round(perSecond),
        };
        figures[op] = f;
        rows.push([
          `\`${op === 'typename' ? '{ __typename }' : op}\``,
          `${f.cpuMsPerRequest.median} (best ${f.cpuMsPerRequest.best})`,
          `${f.latencyMs.p50} / ${f.latencyMs.p99}`,
          `${f.requestsPerSecond.toLocaleString('en-US')}`,
        ]);
      }
      const table = [
        `| operation | server CPU per request (ms) | latency p50 / p99, one at a time (ms) | requests per second, ${opts.concurrency} in flight |`,
        '| --- | --- | --- | --- |',
        ...rows.map((r) => `| ${r.join(' | ')} |`),
      ].join('\n');
      console.log(`\n${table}\n`);
      writeFileSync(
        path.join(RESULTS, 'http.json'),
        JSON.stringify({ at: new Date().toISOString(), cpus: os.cpus().length, node: process.version, opts, figures }, null, 2),
      );
      console.log('written: bench/results/http.json');
    } finally {
      await stop(server.proc);
    }
  } finally {
    killAll();
    await data?.dropDb().catch(() => {});
    await dropQueueKeys(queuePrefix).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}
