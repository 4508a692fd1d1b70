/**
 * The fanout bench's load generator, a process of its own (forked by bench/fanout.ts, commands over IPC). It
 * opens one connection per subscriber of the given kind (graphql-ws client for ours, socket.io-client for
 * Socket.IO, a plain `ws` socket for the raw baseline), all in one course room, and counts what each receives.
 *
 * Every delivered message is identified by the stamp at the head of its body (round, index, send time): per
 * subscriber and message a count (losses and duplicates), per delivery the latency = receipt wall time − the
 * sender's stamp (both `performance.timeOrigin + performance.now()`, one clock on one machine).
 */
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { io as ioClient, type Socket } from 'socket.io-client';
import {
  ROOM_EVENTS,
  parseBody,
  sleep,
  summarize,
  wallNow,
  type ConnectCmd,
  type FinishCmd,
  type LoadgenCmd,
  type LoadgenEv,
  type RoomEventPayload,
  type RoundResultEv,
} from './common.js';

/** Connections being opened at once (a burst of thousands overflows the server's accept backlog). */
const OPENING_AT_ONCE = 100;
const CONNECT_TIMEOUT_MS = 30_000;

interface Subscriber {
  index: number;
  open: boolean;
  close(): void;
}

interface Round {
  tag: string;
  messages: number;
  /** counts[s * messages + i]: how many times subscriber s got message i (saturates at 255). */
  counts: Uint8Array;
  latencies: Float32Array;
  nLatencies: number;
  received: number;
  duplicated: number;
  stray: number;
  firstReceiptAt: number | null;
  lastReceiptAt: number | null;
  cpu0: NodeJS.CpuUsage;
  t0: number;
}

const send = (ev: LoadgenEv) => process.send?.(ev);

let subscribers: Subscriber[] = [];
let round: Round | null = null;
const closes = new Map<string, number>();
let errors = 0;
const firstErrors: string[] = [];

function noteError(what: string): void {
  errors++;
  if (firstErrors.length < 5) firstErrors.push(what);
}

function noteClose(code: number | string, reason: string): void {
  const k = `${code}${reason ? ` ${reason.slice(0, 80)}` : ''}`;
  closes.set(k, (closes.get(k) ?? 0) + 1);
}

/** One delivery: subscriber `s` got a message whose body is `body`, at wall time `at`. */
function receive(s: number, body: string | undefined, at: number): void {
  const r = round;
  if (!r || body === undefined) return;
  const stamp = parseBody(body);
  if (!stamp || stamp.round !== r.tag || stamp.index >= r.messages) {
    r.stray++;
    return;
  }
  const k = s * r.messages + stamp.index;
  const c = r.counts[k]!;
  if (c < 255) r.counts[k] = c + 1;
  if (c > 0) {
    r.duplicated++;
    return;
  }
  r.received++;
  r.latencies[r.nLatencies++] = at - stamp.sentAt;
  if (r.firstReceiptAt === null) r.firstReceiptAt = at;
  r.lastReceiptAt = at;
}

// ------------------------------------------------------------------ the three kinds of connection

/** Resolves when the subscriber is connected and joined (ours: connection acknowledged and subscribe sent). */
function openOurs(cmd: ConnectCmd, index: number): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const sub: Subscriber = { index, open: false, close: () => void client.dispose() };
    const client: Client = createClient({
      url: cmd.url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${cmd.tokens[index]}` },
      lazy: true,
      retryAttempts: 0,
      on: {
        connected: () => {
          sub.open = true;
          if (!settled) {
            settled = true;
            resolve(sub);
          }
        },
        closed: (e) => {
          const ev = e as { code?: number; reason?: string };
          if (sub.open) noteClose(ev.code ?? 'closed', String(ev.reason ?? ''));
          sub.open = false;
          if (!settled) {
            settled = true;
            reject(new Error(`closed ${ev.code} ${ev.reason ?? ''}`));
          }
        },
        error: (e) => {
          if (!settled) {
            settled = true;
            reject(e instanceof Error ? e : new Error(String((e as { message?: string }).message ?? e)));
          }
        },
      },
    });
    client.subscribe<{ roomEvents: RoomEventPayload }>(
      { query: ROOM_EVENTS, variables: { roomId: cmd.roomId } },
      {
        next: (res) => {
          const at = wallNow();
          if (res.errors) noteError(`subscriber ${index}: ${JSON.stringify(res.errors).slice(0, 200)}`);
          receive(index, res.data?.roomEvents?.message?.body, at);
        },
        error: (err) => noteError(`subscriber ${index}: ${err instanceof Error ? err.message : JSON.stringify(err).slice(0, 200)}`),
        complete: () => {},
      },
    );
  });
}

function openSocketIo(cmd: ConnectCmd, index: number): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const socket: Socket = ioClient(cmd.url, {
      transports: ['websocket'],
      auth: { authorization: `Bearer ${cmd.tokens[index]}` },
      reconnection: false,
      forceNew: true,
      timeout: CONNECT_TIMEOUT_MS,
    });
    const sub: Subscriber = { index, open: false, close: () => void socket.disconnect() };
    socket.on('connect', () => {
      socket.emit('join', cmd.roomId, (ack: { ok: boolean; error?: string }) => {
        if (!ack?.ok) {
          if (!settled) {
            settled = true;
            reject(new Error(`join refused: ${ack?.error}`));
          }
          return;
        }
        sub.open = true;
        if (!settled) {
          settled = true;
          resolve(sub);
        }
      });
    });
    socket.on('roomEvent', (p: RoomEventPayload) => receive(index, p?.message?.body, wallNow()));
    socket.on('connect_error', (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      } else noteError(`subscriber ${index}: ${err.message}`);
    });
    socket.on('disconnect', (reason) => {
      if (sub.open) noteClose('disconnect', reason);
      sub.open = false;
    });
  });
}

function openRaw(cmd: ConnectCmd, index: number): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const socket = new WebSocket(cmd.url, { perMessageDeflate: false });
    const sub: Subscriber = { index, open: false, close: () => socket.close(1000) };
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'join', authorization: `Bearer ${cmd.tokens[index]}`, roomId: cmd.roomId })),
    );
    socket.on('message', (data) => {
      const at = wallNow();
      let m: { type: string; payload?: RoomEventPayload; error?: string };
      try {
        m = JSON.parse(String(data));
      } catch {
        return noteError(`subscriber ${index}: a frame that is not JSON`);
      }
      if (m.type === 'roomEvent') return receive(index, m.payload?.message?.body, at);
      if (m.type === 'joined') {
        sub.open = true;
        if (!settled) {
          settled = true;
          resolve(sub);
        }
      } else if (m.type === 'error' && !settled) {
        settled = true;
        reject(new Error(m.error));
      }
    });
    socket.on('error', (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      } else noteError(`subscriber ${index}: ${err.message}`);
    });
    socket.on('close', (code, reason) => {
      if (sub.open) noteClose(code, reason.toString());
      sub.open = false;
      if (!settled) {
        settled = true;
        reject(new Error(`closed ${code} ${reason.toString()}`));
      }
    });
  });
}

const OPENERS = { ours: openOurs, socketio: openSocketIo, raw: openRaw } as const;

async function connect(cmd: ConnectCmd): Promise<void> {
  const t0 = Date.now();
  const open = OPENERS[cmd.kind];
  const n = cmd.tokens.length;
  subscribers = new Array<Subscriber>(n);
  let next = 0;
  let failed = 0;
  let firstError: string | null = null;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      try {
        subscribers[i] = await withTimeout(
          open(cmd, i),
          CONNECT_TIMEOUT_MS,
          `subscriber ${i}: no connection in ${CONNECT_TIMEOUT_MS / 1000} s`,
        );
      } catch (err) {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(OPENING_AT_ONCE, n) }, worker));
  send({ ev: 'connected', connected: n - failed, failed, firstError, ms: Date.now() - t0 });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

function status(): LoadgenEv {
  const r = round;
  let complete = 0;
  let withAny = 0;
  if (r) {
    for (let s = 0; s < subscribers.length; s++) {
      let got = 0;
      for (let i = 0; i < r.messages; i++) if (r.counts[s * r.messages + i]! > 0) got++;
      if (got > 0) withAny++;
      if (got === r.messages) complete++;
    }
  }
  return {
    ev: 'status',
    tag: r?.tag ?? null,
    received: r?.received ?? 0,
    complete,
    withAny,
    open: subscribers.filter((s) => s?.open).length,
  };
}

/** Deliveries of the round's successful messages still missing. */
function missing(r: Round, ok: number[]): number {
  let m = 0;
  for (let s = 0; s < subscribers.length; s++) for (const i of ok) if (r.counts[s * r.messages + i] === 0) m++;
  return m;
}

async function finish(cmd: FinishCmd): Promise<RoundResultEv> {
  const r = round;
  if (!r) throw new Error('finish without a round');
  const n = subscribers.length;
  const expected = n * cmd.okIndices.length;
  const okSet = new Set(cmd.okIndices);
  // Deliveries of sends that failed are not expected of anyone: counted apart.
  const receivedOk = () => r.received - ofFailedNow(r, okSet, n);
  // 1) wait until everything expected arrived, or timeoutMs after the last send.
  const deadline = cmd.lastSendAt + cmd.timeoutMs;
  const cap = cmd.lastSendAt + cmd.capMs;
  while (receivedOk() < expected && wallNow() < deadline) await sleep(20);
  const missingAtTimeout = Math.max(0, expected - receivedOk());
  // 2) then, while deliveries still come (no progress for graceMs ends it), wait for the late ones.
  if (missingAtTimeout > 0) {
    let last = r.received;
    let lastProgress = wallNow();
    while (receivedOk() < expected && wallNow() < cap && wallNow() - lastProgress < cmd.graceMs) {
      await sleep(50);
      if (r.received !== last) {
        last = r.received;
        lastProgress = wallNow();
      }
    }
  }
  const lost = missing(r, cmd.okIndices);
  let subscribersMissingAny = 0;
  for (let s = 0; s < n; s++) {
    for (const i of cmd.okIndices) {
      if (r.counts[s * r.messages + i] === 0) {
        subscribersMissingAny++;
        break;
      }
    }
  }
  const cpu = process.cpuUsage(r.cpu0);
  const span = (r.lastReceiptAt ?? wallNow()) - r.t0;
  const ofFailed = ofFailedNow(r, okSet, n);
  const result: RoundResultEv = {
    ev: 'result',
    tag: r.tag,
    subscribers: n,
    okMessages: cmd.okIndices.length,
    expected,
    delivered: r.received - ofFailed,
    missingAtTimeout,
    // What was missing at the timeout and came afterwards.
    late: missingAtTimeout - lost,
    lost,
    duplicated: r.duplicated,
    stray: r.stray + ofFailed,
    subscribersMissingAny,
    latencyMs: summarize(r.latencies.subarray(0, r.nLatencies)),
    firstReceiptAt: r.firstReceiptAt,
    lastReceiptAt: r.lastReceiptAt,
    loadgenCpuShare: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, span)) * 100) / 100,
    closes: Object.fromEntries(closes),
    errors,
    firstErrors: [...firstErrors],
    open: subscribers.filter((s) => s?.open).length,
  };
  round = null;
  return result;
}

/** Receipts of messages whose send failed (not expected of anyone). */
function ofFailedNow(r: Round, okSet: Set<number>, n: number): number {
  if (okSet.size === r.messages) return 0;
  let c = 0;
  for (let i = 0; i < r.messages; i++) {
    if (okSet.has(i)) continue;
    for (let s = 0; s < n; s++) if (r.counts[s * r.messages + i]! > 0) c++;
  }
  return c;
}

async function handle(cmd: LoadgenCmd): Promise<void> {
  switch (cmd.cmd) {
    case 'connect':
      return connect(cmd);
    case 'round': {
      const size = subscribers.length * cmd.messages;
      round = {
        tag: cmd.tag,
        messages: cmd.messages,
        counts: new Uint8Array(size),
        latencies: new Float32Array(size),
        nLatencies: 0,
        received: 0,
        duplicated: 0,
        stray: 0,
        firstReceiptAt: null,
        lastReceiptAt: null,
        cpu0: process.cpuUsage(),
        t0: wallNow(),
      };
      // Closes and errors are reported per round.
      closes.clear();
      errors = 0;
      firstErrors.length = 0;
      send({ ev: 'status', tag: cmd.tag, received: 0, complete: 0, withAny: 0, open: subscribers.filter((s) => s?.open).length });
      return;
    }
    case 'status':
      send(status());
      return;
    case 'finish':
      send(await finish(cmd));
      return;
    case 'close':
      for (const s of subscribers) s?.close();
      await sleep(200);
      send({ ev: 'closed' });
      process.exit(0);
  }
}

process.on('message', (cmd: LoadgenCmd) => {
  handle(cmd).catch((err: unknown) => send({ ev: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
// The parent went away: nothing to measure for.
process.on('disconnect', () => process.exit(0));
