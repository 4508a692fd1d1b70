/**
 * The reads bench's browser tabs, a process of its own (forked by bench/reads.ts, commands over IPC). Each user has
 * one tab with what the web app's chat view holds open: one graphql-ws connection carrying roomEvents (the open
 * course room), chatActivity (the room list), presence (with the tab's id, after a setPresence) and
 * notificationEvents (the bell). In a phase every user sends a message every few seconds (each at its own phase,
 * over HTTP as the web app does), and every tab marks what it reads according to the phase's mode: not at all, as
 * the web app does now (the same read-marker.ts with a course room's interval, fed each arriving message as the
 * room view feeds it when the tab is visible and at the bottom), or as it did before (a markRoomRead 300 ms after each arriving message).
 *
 * Counted: each message's delivery to every tab of its course (lost, duplicated; latency = receipt wall time − the
 * send time stamped at the head of the body), the sends and marks (HTTP round trips, failures).
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { createReadMarker, markIntervalFor, type ReadMarker } from '../../web/src/chat/read-marker.js';
import { parseBody, sleep, stampBody, summarize, wallNow } from '../fanout/common.js';
import type { ConnectCmd, Mode, PhaseCmd, PhaseEv, Tab, TabsCmd, TabsEv } from './protocol.js';

const send = (ev: TabsEv) => process.send?.(ev);
const OPENING_AT_ONCE = 50;
const CONNECT_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 60_000;
/** The web app's mark delay before (per message). */
const PER_MESSAGE_DELAY_MS = 300;

const MESSAGE =
  'id seq kind body createdAt editedAt deleted author { id name } replyTo { id authorName excerpt deleted } mentions { id name } reactions { emoji count userIds }';
const ROOM_EVENTS = `subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) { cursor type message { ${MESSAGE} } userId userName typing readSeq expiresAt tutor { requestId questionId state text } } }`;
const CHAT_ACTIVITY = `subscription($courseId: ID!, $after: String) { chatActivity(courseId: $courseId, after: $after) { type roomId readSeq message { id seq kind author { id } createdAt } } }`;
const PRESENCE = `subscription($courseId: ID!, $tabId: String) { presence(courseId: $courseId, tabId: $tabId) { userId state version } }`;
const NOTIFICATION_EVENTS = `subscription($after: String) { notificationEvents(after: $after) { cursor type notification { id type excerpt read } readIds allRead unreadCount } }`;
const SET_PRESENCE = `mutation($courseId: ID!, $tabId: String!, $state: PresenceState!) { setPresence(courseId: $courseId, tabId: $tabId, state: $state) }`;
const SEND_MESSAGE = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE} } }`;
const MARK_ROOM_READ = `mutation($roomId: ID!, $seq: String!) { markRoomRead(roomId: $roomId, seq: $seq) }`;

interface OpenTab extends Tab {
  index: number;
  client: Client;
  /** The marker the server holds, as far as this tab knows. */
  known: string;
  marker: ReadMarker | null;
  /** per-message mode: the seq last sent and the pending timer. */
  markedSeq: string;
  markTimer: NodeJS.Timeout | undefined;
  /** Message ids this tab got in the current phase (duplicates). */
  got: Set<string>;
}

interface Phase {
  cmd: PhaseCmd;
  /** Deliveries per message id (of this phase's bodies). */
  receipts: Map<string, number>;
  latencies: number[];
  duplicated: number;
  marks: { sent: number; failed: number; firstFailure: string | null; http: number[] };
  readSignals: number;
}

let httpUrl = '';
let wsUrl = '';
let tabs: OpenTab[] = [];
let phase: Phase | null = null;
let subscriptionErrors = 0;
let closes = 0;

async function post(token: string, query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${httpUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let json: { data?: Record<string, unknown>; errors?: unknown };
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
  if (!res.ok || json.errors || !json.data) throw new Error(`HTTP ${res.status}: ${JSON.stringify(json.errors ?? json).slice(0, 300)}`);
  return json.data;
}

const bigger = (a: string, b: string) => (Number(a) >= Number(b) ? a : b);

// ------------------------------------------------------------------ read marking, by mode

/** One markRoomRead, counted. Resolves with the server's marker. */
async function markRoomRead(tab: OpenTab, seq: string): Promise<string> {
  const p = phase;
  const t0 = performance.now();
  try {
    const data = await post(tab.token, MARK_ROOM_READ, { roomId: tab.roomId, seq });
    if (p) {
      p.marks.sent++;
      p.marks.http.push(performance.now() - t0);
    }
    return String(data.markRoomRead);
  } catch (err) {
    if (p) {
      p.marks.failed++;
      p.marks.firstFailure ??= err instanceof Error ? err.message : String(err);
    }
    throw err;
  }
}

/** A message arrived in the open room of a visible tab at the bottom: what the room view then does. */
function sawMessage(tab: OpenTab, seq: string, mine: boolean, mode: Mode): void {
  if (mode === 'on') {
    // useRoom: the reader's own message moved the server's marker; any other goes to the marker.
    if (mine) tab.marker?.serverHas(seq);
    tab.marker?.mark(seq);
  } else if (mode === 'per-message') {
    // The web app before: debounced 300 ms, once per seq above the last one sent.
    if (Number(seq) <= Number(tab.markedSeq)) return;
    clearTimeout(tab.markTimer);
    tab.markTimer = setTimeout(() => {
      tab.markedSeq = seq;
      markRoomRead(tab, seq).catch(() => (tab.markedSeq = '0'));
    }, PER_MESSAGE_DELAY_MS);
  }
}

// ------------------------------------------------------------------ tabs

function openTab(t: Tab, index: number): Promise<OpenTab> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(tab);
    };
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${t.token}` },
      lazy: true,
      retryAttempts: 0,
      on: {
        connected: () => settle(null),
        closed: (e) => {
          if (settled) closes++;
          settle(new Error(`closed ${(e as { code?: number }).code}`));
        },
        error: (e) => settle(e instanceof Error ? e : new Error(String(e))),
      },
    });
    const tab: OpenTab = { ...t, index, client, known: '0', marker: null, markedSeq: '0', markTimer: undefined, got: new Set() };
    const sub = (query: string, variables: Record<string, unknown>, next: (data: Record<string, unknown>) => void) =>
      client.subscribe<Record<string, unknown>>(
        { query, variables },
        {
          next: (res) => {
            if (res.errors) subscriptionErrors++;
            if (res.data) next(res.data);
          },
          error: () => subscriptionErrors++,
          complete: () => {},
        },
      );
    sub(ROOM_EVENTS, { roomId: t.roomId, after: null }, (d) => onRoomEvent(tab, d.roomEvents as RoomEv));
    sub(CHAT_ACTIVITY, { courseId: t.courseId, after: null }, (d) => {
      if ((d.chatActivity as { type?: string } | null)?.type === 'READ' && phase) phase.readSignals++;
    });
    const tabId = randomUUID();
    sub(PRESENCE, { courseId: t.courseId, tabId }, () => {});
    sub(NOTIFICATION_EVENTS, { after: null }, () => {});
    // The web app reports the tab's presence when its presence subscription opens.
    void post(t.token, SET_PRESENCE, { courseId: t.courseId, tabId, state: 'ONLINE' }).catch(() => subscriptionErrors++);
  });
}

type RoomEv = { type: string; message?: { id: string; seq: string; body: string; author: { id: string } | null } | null } | null;

function onRoomEvent(tab: OpenTab, ev: RoomEv): void {
  if (ev?.type !== 'MESSAGE_ADDED' || !ev.message) return;
  const at = wallNow();
  const m = ev.message;
  const p = phase;
  if (p) {
    const stamp = parseBody(m.body);
    if (stamp && stamp.round === p.cmd.tag) {
      if (tab.got.has(m.id)) p.duplicated++;
      else {
        tab.got.add(m.id);
        p.receipts.set(m.id, (p.receipts.get(m.id) ?? 0) + 1);
        p.latencies.push(at - stamp.sentAt);
      }
    }
    sawMessage(tab, m.seq, m.author?.id === tab.userId, p.cmd.mode);
  }
}

async function connect(cmd: ConnectCmd): Promise<void> {
  const t0 = Date.now();
  httpUrl = cmd.httpUrl;
  wsUrl = cmd.wsUrl;
  const out: (OpenTab | undefined)[] = new Array(cmd.tabs.length);
  let next = 0;
  let failed = 0;
  let firstError: string | null = null;
  const worker = async () => {
    while (next < cmd.tabs.length) {
      const i = next++;
      try {
        out[i] = await Promise.race([
          openTab(cmd.tabs[i]!, i),
          sleep(CONNECT_TIMEOUT_MS).then(() => Promise.reject(new Error(`tab ${i}: no connection in ${CONNECT_TIMEOUT_MS / 1000} s`))),
        ]);
      } catch (err) {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(OPENING_AT_ONCE, cmd.tabs.length) }, worker));
  tabs = out.filter((t): t is OpenTab => t !== undefined);
  send({ ev: 'connected', tabs: tabs.length, subscriptions: tabs.length * 4, failed, firstError, ms: Date.now() - t0 });
}

// ------------------------------------------------------------------ a phase

async function runPhase(cmd: PhaseCmd): Promise<PhaseEv> {
  const p: Phase = {
    cmd,
    receipts: new Map(),
    latencies: [],
    duplicated: 0,
    marks: { sent: 0, failed: 0, firstFailure: null, http: [] },
    readSignals: 0,
  };
  for (const tab of tabs) {
    tab.got = new Set();
    tab.marker = null;
    if (cmd.mode === 'on') {
      tab.marker = createReadMarker({
        known: tab.known,
        intervalMs: cmd.markIntervalMs ?? markIntervalFor('COURSE'),
        send: (seq) => markRoomRead(tab, seq),
        onMarked: (marker) => (tab.known = bigger(tab.known, marker)),
      });
    }
  }
  phase = p;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // Each user sends every `everySeconds`, from an offset of their own.
  const every = cmd.everySeconds * 1000;
  const schedule: { at: number; tab: OpenTab }[] = [];
  for (const tab of tabs) for (let at = Math.random() * every; at < cmd.seconds * 1000; at += every) schedule.push({ at, tab });
  schedule.sort((a, b) => a.at - b.at);
  const acked = new Map<string, string>(); // message id -> course id
  const sends = { ok: 0, failed: 0, firstFailure: null as string | null, http: [] as number[] };
  const inflight: Promise<void>[] = [];
  let firstSendAt = 0;
  let lastSendAt = 0;
  for (const [i, s] of schedule.entries()) {
    const wait = t0 + s.at - performance.now();
    if (wait > 0) await sleep(wait);
    const sentAt = wallNow();
    if (i === 0) firstSendAt = sentAt;
    lastSendAt = sentAt;
    const started = performance.now();
    const input = { roomId: s.tab.roomId, clientId: randomUUID(), body: stampBody(cmd.tag, i, cmd.size, sentAt) };
    inflight.push(
      post(s.tab.token, SEND_MESSAGE, { input }).then(
        (data) => {
          const m = data.sendMessage as { id: string; seq: string };
          sends.ok++;
          sends.http.push(performance.now() - started);
          acked.set(m.id, s.tab.courseId);
          // useSend: the stored message moved the sender's marker.
          s.tab.known = bigger(s.tab.known, m.seq);
          if (cmd.mode === 'on') s.tab.marker?.serverHas(m.seq);
        },
        (err: unknown) => {
          sends.failed++;
          sends.firstFailure ??= err instanceof Error ? err.message : String(err);
        },
      ),
    );
  }
  await Promise.all(inflight);
  // Every tab of a course gets every message of its room.
  const perCourse = new Map<string, number>();
  for (const tab of tabs) perCourse.set(tab.courseId, (perCourse.get(tab.courseId) ?? 0) + 1);
  let expected = 0;
  for (const course of acked.values()) expected += perCourse.get(course) ?? 0;
  const delivered = () => [...acked.keys()].reduce((n, id) => n + Math.min(p.receipts.get(id) ?? 0, perCourse.get(acked.get(id)!) ?? 0), 0);
  const deadline = Date.now() + cmd.graceMs;
  while (delivered() < expected && Date.now() < deadline) await sleep(50);
  const got = delivered();
  // What waits goes now (the tab is left): then the marks of this phase are over.
  for (const tab of tabs) {
    tab.marker?.dispose();
    clearTimeout(tab.markTimer);
  }
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  phase = null;
  return {
    ev: 'phase',
    tag: cmd.tag,
    mode: cmd.mode,
    firstSendAt,
    lastSendAt,
    sends: { ok: sends.ok, failed: sends.failed, firstFailure: sends.firstFailure, httpMs: summarize(sends.http) },
    deliveries: { expected, delivered: got, lost: expected - got, duplicated: p.duplicated, latencyMs: summarize(p.latencies) },
    marks: {
      sent: p.marks.sent,
      failed: p.marks.failed,
      firstFailure: p.marks.firstFailure,
      perSecond: Math.round(((p.marks.sent + p.marks.failed) / Math.max(0.001, (lastSendAt - firstSendAt) / 1000)) * 10) / 10,
      httpMs: summarize(p.marks.http),
    },
    readSignals: p.readSignals,
    cpuShare: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100) / 100,
    subscriptionErrors,
    closes,
  };
}

async function handle(cmd: TabsCmd): Promise<void> {
  switch (cmd.cmd) {
    case 'connect':
      return connect(cmd);
    case 'phase':
      send(await runPhase(cmd));
      return;
    case 'close':
      await Promise.all(tabs.map((t) => t.client.dispose()));
      send({ ev: 'closed' });
      process.exit(0);
  }
}

process.on('message', (cmd: TabsCmd) => {
  handle(cmd).catch((err: unknown) => send({ ev: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
process.on('disconnect', () => process.exit(0));
