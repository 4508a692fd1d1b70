/**
 * The AI tutor end to end, on the real PostgreSQL and Redis: questions through GraphQL, replies streamed on
 * `roomEvents` by the BullMQ worker (in process, and in a second process for the crash), a local
 * OpenAI-compatible server as the only stand-in. Each case checks what a student sees and, in the database,
 * that every provider call is in the ledger once and the budget counters settle.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '@lt/jobs';
import { budgetCounters, tutorRequests, usageLedger } from './tables.js';
import { messages } from '../rooms/tables.js';
import { notifications } from '../notifications/tables.js';
import { courseActivity } from '../activity/tables.js';
import { users } from '../users/tables.js';
import { freshPgDatabase, gql, poll, seed, startApp, subscribe, wsClient, type Fixture, type TestApp } from '../../test/harness.js';
import {
  addMember,
  allMessages,
  cid,
  code,
  courseRoomId,
  listening,
  ok,
  OPEN_TUTOR,
  ROOM_Q,
  SEND,
  sendOk,
  subCode,
} from '../../test/chat.js';
import { startFakeOpenAi, type Behaviour, type FakeOpenAi, type RecordedRequest } from '../../test/fake-openai.js';
import { countChatTokens, countTokens, OFFLINE_LABEL, type ChatTurn } from './provider.js';
import { TUTOR_SUBJECT } from './service.js';
import { createQueue } from '../queue/queues.js';
import { startWorkerChild, type WorkerChild } from '../../test/worker-child.js';

const MAX_REPLY = 100;
const STOPPED = '\n\n_(stopped)_';

const EVENTS = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) {
  type message { id kind body clientId author { id name } } tutor { requestId questionId state text } } }`;
const SETTINGS = `mutation($courseId: ID!, $mode: TutorMode, $brief: String, $userDailyTokens: Int, $courseMonthlyTokens: Int) {
  updateTutorSettings(courseId: $courseId, mode: $mode, brief: $brief, userDailyTokens: $userDailyTokens, courseMonthlyTokens: $courseMonthlyTokens) {
    mode brief userDailyTokens courseMonthlyTokens provider model } }`;
const SETTINGS_Q = `query($id: ID!) { course(id: $id) { tutorSettings { mode brief userDailyTokens courseMonthlyTokens provider model } } }`;
const ROOM_TUTOR = `query($id: ID!) { room(id: $id) { tutorEnabled } }`;
const CANCEL = `mutation($id: ID!) { cancelTutorReply(requestId: $id) }`;
const RETRY = `mutation($id: ID!) { retryTutorReply(requestId: $id) }`;
const SET_ROOM_TUTOR = `mutation($roomId: ID!, $enabled: Boolean!) { setRoomTutor(roomId: $roomId, enabled: $enabled) }`;
const USAGE_FIELDS = 'courseId usedToday dailyLimit remainingToday courseUsedThisMonth courseMonthlyLimit warning';
const USAGE = `query($courseId: ID!) { myTutorUsage(courseId: $courseId) { ${USAGE_FIELDS} } }`;
const USAGE_SUB = `subscription($courseId: ID!) { tutorUsage(courseId: $courseId) { ${USAGE_FIELDS} } }`;
const BUDGET_FIELDS = `${USAGE_FIELDS} tokensPerQuestion questionsLeft percentLeftToday blockedBy resetsAt blockedUntil`;
const BUDGET_Q = `query($courseId: ID!) { myTutorUsage(courseId: $courseId) { ${BUDGET_FIELDS} } }`;
const BUDGET_SUB = `subscription($courseId: ID!) { tutorUsage(courseId: $courseId) { ${BUDGET_FIELDS} } }`;
const PER_QUESTION = `query($id: ID!) { course(id: $id) { tutorSettings { tokensPerQuestion } } }`;
const SUMS = 'promptTokens completionTokens costUsd calls';
const REPORT = `query($id: ID!) { course(id: $id) { tutorUsageReport(days: 30) {
  byDay { day ${SUMS} } byStudent { userId name ${SUMS} } byModel { model ${SUMS} } } } }`;
const REPORT_LIVE = `query($id: ID!) { course(id: $id) { tutorUsageReport(days: 30) { cursor
  byDay { day ${SUMS} refused } byStudent { userId name tutorRoomId ${SUMS} refused } byModel { model ${SUMS} } } } }`;
const REPORT_SUB = `subscription($courseId: ID!, $after: String) { tutorReportEvents(courseId: $courseId, after: $after) {
  cursor at day userId name tutorRoomId model ${SUMS} refused } }`;
const NOTIFS = `{ notifications(first: 100) { edges { node { id type courseId excerpt read } } } }`;
const MARK_READ = `mutation($id: ID!) { markNotificationRead(id: $id) }`;

type Signal = { requestId: string; questionId: string; state: string; text: string };
type Ev = {
  type: string;
  message: { id: string; kind: string; body: string; clientId: string | null; author: { id: string; name: string } | null } | null;
  tutor: Signal | null;
};
type Usage = {
  courseId: string;
  usedToday: number;
  dailyLimit: number;
  remainingToday: number;
  courseUsedThisMonth: number;
  courseMonthlyLimit: number;
  warning: boolean;
};
type Budget = Usage & {
  tokensPerQuestion: number;
  questionsLeft: number;
  percentLeftToday: number;
  blockedBy: 'DAY' | 'MONTH' | null;
  resetsAt: string;
  blockedUntil: string | null;
};
type Entry = {
  cursor: string;
  at: string;
  day: string;
  userId: string;
  name: string;
  tutorRoomId: string | null;
  model: string;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  calls: number;
  refused: number;
};
const TERMINAL = ['DONE', 'FAILED', 'CANCELLED', 'REFUSED'];

const usage = (prompt_tokens: number, completion_tokens: number) => ({ prompt_tokens, completion_tokens });
const stream = (chunks: string[], extra: Omit<Extract<Behaviour, { kind: 'stream' }>, 'kind' | 'chunks'> = {}): Behaviour => ({
  kind: 'stream',
  chunks,
  ...extra,
});
const DEFAULT = stream(['Fine', ' then.'], { usage: usage(10, 2) });
/** The chat a provider request carried. */
const turns = (r: RecordedRequest): ChatTurn[] => (r.body.messages as ChatTurn[]).map((m) => ({ role: m.role, content: m.content }));
/** gpt-4o-mini: $0.15 and $0.60 per million prompt and completion tokens, in millionths of a dollar, rounded up. */
const miniCost = (prompt: number, completion: number) => Math.ceil(prompt * 0.15 + completion * 0.6);

/** A subscriber to a room's events, with the tutor's signals per question. */
async function watch(app: TestApp, token: string, roomId: string) {
  const c = wsClient(app.wsUrl, token);
  const before = app.core.services.realtime.activeSubscriptions;
  const s = subscribe<Ev>(c.client, EVENTS, { roomId }, 'roomEvents');
  await listening(app, before);
  const signals = (questionId: string) =>
    s.items.filter((e) => e.type === 'TUTOR' && e.tutor!.questionId === questionId).map((e) => e.tutor!);
  const dump = () => JSON.stringify({ items: s.items, errors: s.errors }).slice(0, 4000);
  return {
    s,
    signals,
    /** Waits for the nth signal of a state for a question. */
    async until(questionId: string, state: string, nth = 1, ms = 20_000): Promise<Signal> {
      await poll(
        () => signals(questionId).filter((t) => t.state === state).length >= nth,
        ms,
        () => `no ${state} #${nth} for ${questionId}: ${dump()}`,
      );
      return signals(questionId).filter((t) => t.state === state)[nth - 1]!;
    },
    /** Waits for the nth end (DONE, FAILED, CANCELLED, REFUSED) of a question; returns its state. */
    async settled(questionId: string, nth = 1, ms = 20_000): Promise<string> {
      await poll(
        () => signals(questionId).filter((t) => TERMINAL.includes(t.state)).length >= nth,
        ms,
        () => `no end #${nth} for ${questionId}: ${dump()}`,
      );
      return signals(questionId).filter((t) => TERMINAL.includes(t.state))[nth - 1]!.state;
    },
    tutorMessages: () => s.items.filter((e) => e.type === 'MESSAGE_ADDED' && e.message!.author?.name === 'AI tutor').map((e) => e.message!),
    systemMessages: () => s.items.filter((e) => e.type === 'MESSAGE_ADDED' && e.message!.kind === 'SYSTEM').map((e) => e.message!),
    close: () => c.client.dispose(),
  };
}
type Watch = Awaited<ReturnType<typeof watch>>;

/** Polls an asynchronous condition. */
async function eventually(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until a tutor job has finished (its handler ran to the end: usage pushed, warning sent). */
async function jobDone(app: TestApp, jobId: string): Promise<void> {
  const queue = app.core.services.tutor.queue!;
  await eventually(async () => !!(await (await queue.getJob(jobId))?.isCompleted()), 10_000, `job ${jobId} did not complete`);
}

const db = (app: TestApp) => app.core.services.database.db;

async function requestOf(app: TestApp, questionId: string) {
  const rows = await db(app).select().from(tutorRequests).where(eq(tutorRequests.questionId, questionId));
  expect(rows).toHaveLength(1);
  return rows[0]!;
}
async function requestsIn(app: TestApp, roomId: string) {
  return db(app).select().from(tutorRequests).where(eq(tutorRequests.roomId, roomId));
}
async function ledgerOf(app: TestApp, requestId: string) {
  return db(app).select().from(usageLedger).where(eq(usageLedger.requestId, requestId)).orderBy(asc(usageLedger.call));
}
/** Messages of a room written by the tutor, oldest first. */
async function tutorReplies(app: TestApp, roomId: string) {
  return db(app)
    .select({ id: messages.id, body: messages.body, clientId: messages.clientId })
    .from(messages)
    .innerJoin(users, eq(users.id, messages.authorId))
    .where(and(eq(messages.roomId, roomId), eq(users.subject, TUTOR_SUBJECT)))
    .orderBy(asc(messages.seq));
}
/** The student's day and the course's month, summed over periods (a run across midnight UTC stays right). */
async function counters(app: TestApp, userId: string, courseId: string) {
  const rows = await db(app)
    .select()
    .from(budgetCounters)
    .where(
      sql`(${budgetCounters.scope} = 'user-day' and ${budgetCounters.key} like ${`${userId}:%`}) or (${budgetCounters.scope} = 'course-month' and ${budgetCounters.key} like ${`${courseId}:%`})`,
    );
  const sum = (scope: string) =>
    rows
      .filter((r) => r.scope === scope)
      .reduce((a, r) => ({ used: a.used + r.used, reserved: a.reserved + r.reserved }), { used: 0, reserved: 0 });
  return { user: sum('user-day'), course: sum('course-month') };
}

async function openTutor(app: TestApp, token: string, courseId: string): Promise<string> {
  const room = ok(await gql(app.url, OPEN_TUTOR, { courseId }, token)).openTutorRoom;
  expect(room.kind).toBe('TUTOR');
  return room.id as string;
}

async function settings(app: TestApp, fx: Fixture, vars: Record<string, unknown>) {
  return ok(await gql(app.url, SETTINGS, { courseId: fx.course.id, ...vars }, fx.instructorToken)).updateTutorSettings;
}

/** Puts one question in a room and waits for its end; returns the question, its request id and how it ended. */
async function ask(app: TestApp, w: Watch, token: string, roomId: string, body: string) {
  const q = await sendOk(app, token, roomId, body);
  const state = await w.settled(q.id);
  const queued = await w.until(q.id, 'QUEUED');
  return { q, state, requestId: queued.requestId };
}

describe('AI tutor', () => {
  let fake: FakeOpenAi;
  let app: TestApp;
  let worker: WorkerHandle;
  let dbUrl: string;
  let dropDb: () => Promise<void>;
  const aiEnv = (f: FakeOpenAi) => ({
    AI_BASE_URL: f.url,
    AI_API_KEY: 'test-key',
    TUTOR_MAX_REPLY_TOKENS: String(MAX_REPLY),
    TUTOR_CONCURRENCY: '16',
    CHAT_RATE_LIMIT: '1000000',
  });

  beforeAll(async () => {
    const pgdb = await freshPgDatabase();
    dbUrl = pgdb.url;
    dropDb = pgdb.drop;
    fake = await startFakeOpenAi();
    app = await startApp({ databaseUrl: dbUrl, env: aiEnv(fake) });
    worker = await startWorker(app.core);
  });
  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await fake?.close();
    await dropDb?.();
  });
  beforeEach(() => fake.setDefault(DEFAULT));

  it('streams the reply as growing STREAMING signals, posts it once, and settles the ledger and the budget', async () => {
    const f = await seed(app.core, 'stream');
    const room = await openTutor(app, f.learnerToken, f.course.id);
    const w = await watch(app, f.learnerToken, room);
    const chunks = ['A closure', ' is a function', ' together with', ' the variables', ' it captures.', ' What does yours capture?'];
    const full = chunks.join('');
    const mark = fake.requests.length;
    fake.script(stream(chunks, { chunkDelayMs: 60, usage: usage(1234, 567) }));
    const { q, state, requestId } = await ask(app, w, f.learnerToken, room, 'What is a closure?');
    expect(state).toBe('DONE');

    // What the student saw, in order: queued, thinking, the text growing, done; the reply before done. (Signals go
    // through Redis in order; a stored event reaches a subscriber of the same instance at once, so the last
    // STREAMING may land just after the reply: the order of the reply among the STREAMING ones is not asserted.)
    const mine = w.s.items.filter(
      (e) => (e.type === 'TUTOR' && e.tutor!.questionId === q.id) || (e.type === 'MESSAGE_ADDED' && e.message!.author?.name === 'AI tutor'),
    );
    const kinds = mine.map((e) => (e.type === 'TUTOR' ? e.tutor!.state : 'REPLY'));
    const states = kinds.filter((k) => k !== 'REPLY');
    expect(states.slice(0, 2)).toEqual(['QUEUED', 'THINKING']);
    expect(states.at(-1)).toBe('DONE');
    expect(states.slice(2, -1).every((k) => k === 'STREAMING')).toBe(true);
    expect(kinds.filter((k) => k === 'REPLY')).toHaveLength(1);
    expect(kinds.indexOf('REPLY')).toBeGreaterThan(kinds.indexOf('STREAMING'));
    expect(kinds.indexOf('REPLY')).toBeLessThan(kinds.indexOf('DONE'));
    const texts = mine.filter((e) => e.tutor?.state === 'STREAMING').map((e) => e.tutor!.text);
    expect(texts.length).toBeGreaterThanOrEqual(3);
    for (const [i, t] of texts.entries()) {
      expect(full.startsWith(t)).toBe(true);
      if (i > 0) expect(t.length).toBeGreaterThan(texts[i - 1]!.length);
    }
    expect(new Set(mine.filter((e) => e.tutor).map((e) => e.tutor!.requestId))).toEqual(new Set([requestId]));
    const replies = w.tutorMessages();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ kind: 'TEXT', body: full, clientId: `tutor-${requestId}` });

    // In the database: the request done with its reply, one ledger row with the provider's usage and its price.
    const req = await requestOf(app, q.id);
    expect(req).toMatchObject({
      id: requestId,
      status: 'done',
      replyId: replies[0]!.id,
      reservedTokens: 0,
      calls: 1,
      error: null,
      userId: f.learner.id,
      roomId: room,
    });
    const ledger = await ledgerOf(app, requestId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({
      call: 1,
      jobId: requestId,
      model: 'gpt-4o-mini',
      promptTokens: 1234,
      completionTokens: 567,
      costMicros: 526,
      source: 'provider',
      outcome: 'done',
      userId: f.learner.id,
      courseId: f.course.id,
      roomId: room,
    });
    expect(await counters(app, f.learner.id, f.course.id)).toEqual({
      user: { used: 1801, reserved: 0 },
      course: { used: 1801, reserved: 0 },
    });
    expect(ok(await gql(app.url, USAGE, { courseId: f.course.id }, f.learnerToken)).myTutorUsage).toMatchObject({
      usedToday: 1801,
      courseUsedThisMonth: 1801,
      dailyLimit: 50_000,
      warning: false,
    });

    // What the provider was asked: the model, a bounded streamed reply, the Socratic system prompt, the question last.
    const sent = fake.requests.slice(mark);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.authorization).toBe('Bearer test-key');
    expect(sent[0]!.body).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      max_tokens: MAX_REPLY,
      stream_options: { include_usage: true },
    });
    const chat = turns(sent[0]!);
    expect(chat[0]!.role).toBe('system');
    expect(chat[0]!.content).toContain('Course stream');
    expect(chat[0]!.content).toContain('Mode: Socratic.');
    expect(chat[0]!.content).not.toContain('Course brief');
    expect(chat.slice(1)).toEqual([{ role: 'user', content: 'What is a closure?' }]);

    // With a course brief set, the next question carries it, the history (the tutor as the assistant) and itself last.
    const brief = 'Week 3: closures and scope.\nNever hand out finished code.';
    expect(await settings(app, f, { brief })).toMatchObject({ mode: 'SOCRATIC', brief, provider: 'OPENAI', model: 'gpt-4o-mini' });
    const second = await ask(app, w, f.learnerToken, room, 'And a counter made with one?');
    expect(second.state).toBe('DONE');
    const chat2 = turns(fake.requests.at(-1)!);
    expect(chat2[0]!.content).toContain('Mode: Socratic.');
    expect(chat2[0]!.content).toContain(`Course brief:\n${brief}`);
    expect(chat2.slice(1)).toEqual([
      { role: 'user', content: 'What is a closure?' },
      { role: 'assistant', content: full },
      { role: 'user', content: 'And a counter made with one?' },
    ]);
    // Another mode changes the system prompt.
    await settings(app, f, { mode: 'REVIEW' });
    expect((await ask(app, w, f.learnerToken, room, 'Review this: let x = 1')).state).toBe('DONE');
    expect(turns(fake.requests.at(-1)!)[0]!.content).toContain('Mode: code review.');
    expect((await allMessages(app, f.learnerToken, room)).map((m) => [m.author?.name, m.body])).toEqual([
      ['Lee Learner stream', 'What is a closure?'],
      ['AI tutor', full],
      ['Lee Learner stream', 'And a counter made with one?'],
      ['AI tutor', 'Fine then.'],
      ['Lee Learner stream', 'Review this: let x = 1'],
      ['AI tutor', 'Fine then.'],
    ]);
    await w.close();
  });

  it('a stream without usage is counted with the tokenizer', async () => {
    const f = await seed(app.core, 'nousage');
    const room = await openTutor(app, f.learnerToken, f.course.id);
    const w = await watch(app, f.learnerToken, room);
    const mark = fake.requests.length;
    fake.script(stream(['Count', ' me', ' yourself,', ' please.'], { usage: null }));
    const { state, requestId } = await ask(app, w, f.learnerToken, room, 'How many tokens is this?');
    expect(state).toBe('DONE');
    expect(fake.requests.slice(mark)).toHaveLength(1);
    const prompt = await countChatTokens(turns(fake.requests[mark]!));
    const completion = await countTokens('Count me yourself, please.');
    expect(await ledgerOf(app, requestId)).toMatchObject([
      {
        call: 1,
        source: 'tokenizer',
        outcome: 'done',
        promptTokens: prompt,
        completionTokens: completion,
        costMicros: miniCost(prompt, completion),
      },
    ]);
    expect(await counters(app, f.learner.id, f.course.id)).toEqual({
      user: { used: prompt + completion, reserved: 0 },
      course: { used: prompt + completion, reserved: 0 },
    });
    await w.close();
  });

  it('a slow first token still completes', async () => {
    const f = await seed(app.core, 'slow');
    const room = await openTutor(app, f.learnerToken, f.course.id);
    const w = await watch(app, f.learnerToken, room);
    fake.script(stream(['Take', ' your', ' time.'], { firstTokenDelayMs: 800, usage: usage(40, 3) }));
    const t0 = Date.now();
    const { q, state, requestId } = await ask(app, w, f.learnerToken, room, 'Are you there?');
    expect(state).toBe('DONE');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(800);
    expect(
      w
        .signals(q.id)
        .map((s) => s.state)
        .slice(0, 2),
    ).toEqual(['QUEUED', 'THINKING']);
    expect(w.tutorMessages().map((m) => m.body)).toEqual(['Take your time.']);
    expect(await ledgerOf(app, requestId)).toMatchObject([
      { call: 1, promptTokens: 40, completionTokens: 3, source: 'provider', outcome: 'done' },
    ]);
    await w.close();
  });

  describe('retries', () => {
    /**
     * One failed call then a good one: one reply; the failed call is in the ledger with what was counted of it
     * (the prompt, and the partial text if any) and charged to the budget, the good one with the provider's usage.
     */
    /** `refused`: the provider answered with an HTTP error before any text, so that call consumed nothing. */
    async function failedThenGood(label: string, failure: Behaviour, failedCompletion: string, refused: boolean) {
      const f = await seed(app.core, label);
      const room = await openTutor(app, f.learnerToken, f.course.id);
      const w = await watch(app, f.learnerToken, room);
      const mark = fake.requests.length;
      fake.script([failure, stream(['Second', ' time', ' lucky.'], { usage: usage(77, 5) })]);
      const { q, state, requestId } = await ask(app, w, f.learnerToken, room, `Question for ${label}`);
      expect(state).toBe('DONE');
      const sent = fake.requests.slice(mark);
      expect(sent).toHaveLength(2);
      expect(turns(sent[1]!)).toEqual(turns(sent[0]!));
      const prompt = refused ? 0 : await countChatTokens(turns(sent[0]!));
      const completion = refused ? 0 : await countTokens(failedCompletion);
      const ledger = await ledgerOf(app, requestId);
      expect(ledger).toHaveLength(2);
      expect(ledger[0]).toMatchObject({
        call: 1,
        jobId: requestId,
        outcome: 'failed',
        source: 'tokenizer',
        promptTokens: prompt,
        completionTokens: completion,
        costMicros: miniCost(prompt, completion),
      });
      expect(ledger[1]).toMatchObject({
        call: 2,
        jobId: requestId,
        outcome: 'done',
        source: 'provider',
        promptTokens: 77,
        completionTokens: 5,
        costMicros: miniCost(77, 5),
      });
      const replies = await tutorReplies(app, room);
      expect(replies.map((r) => r.body)).toEqual(['Second time lucky.']);
      expect(w.tutorMessages().map((m) => m.body)).toEqual(['Second time lucky.']);
      expect(w.systemMessages()).toEqual([]);
      expect(await requestOf(app, q.id)).toMatchObject({
        status: 'done',
        calls: 2,
        error: null,
        reservedTokens: 0,
        replyId: replies[0]!.id,
      });
      const total = prompt + completion + 82;
      expect(await counters(app, f.learner.id, f.course.id)).toEqual({
        user: { used: total, reserved: 0 },
        course: { used: total, reserved: 0 },
      });
      // Both attempts were announced; only the end of the second one.
      expect(w.signals(q.id).filter((s) => s.state === 'THINKING')).toHaveLength(2);
      expect(
        w
          .signals(q.id)
          .filter((s) => TERMINAL.includes(s.state))
          .map((s) => s.state),
      ).toEqual(['DONE']);
      await w.close();
    }

    it('a 429 then a good stream: one reply, two ledger rows', () =>
      failedThenGood('r429', { kind: 'status', status: 429, headers: { 'retry-after': '0' } }, '', true));
    it('a 500 then a good stream: one reply, two ledger rows', () => failedThenGood('r500', { kind: 'status', status: 500 }, '', true));
    it('a connection dropped mid-stream then a good stream: the partial text never becomes a message', () =>
      failedThenGood(
        'rdrop',
        { kind: 'drop', afterChunks: 2, chunks: ['Partial', ' answer', ' never', ' posted'] },
        'Partial answer',
        false,
      ));
  });

  it('a 400 is not retried: the request fails and the room says the tutor could not answer', async () => {
    const f = await seed(app.core, 'bad');
    const room = await openTutor(app, f.learnerToken, f.course.id);
    const w = await watch(app, f.learnerToken, room);
    const mark = fake.requests.length;
    fake.script({ kind: 'status', status: 400 });
    const { q, state, requestId } = await ask(app, w, f.learnerToken, room, 'Something the provider rejects');
    expect(state).toBe('FAILED');
    await poll(
      () => w.systemMessages().length > 0,
      5_000,
      () => 'no system message',
    );
    expect(w.systemMessages().map((m) => [m.body, m.author])).toEqual([
      ['The tutor could not answer this question right now. You can retry it.', null],
    ]);
    expect(w.tutorMessages()).toEqual([]);
    expect(await tutorReplies(app, room)).toEqual([]);
    const req = await requestOf(app, q.id);
    expect(req).toMatchObject({ status: 'failed', replyId: null, reservedTokens: 0, calls: 1 });
    expect(req.error).toMatch(/^provider error: 400/);
    // Refused by the provider before any text: the call is in the ledger, and it consumed nothing.
    expect(await ledgerOf(app, requestId)).toMatchObject([
      { call: 1, outcome: 'failed', source: 'tokenizer', promptTokens: 0, completionTokens: 0 },
    ]);
    expect(await counters(app, f.learner.id, f.course.id)).toEqual({ user: { used: 0, reserved: 0 }, course: { used: 0, reserved: 0 } });
    // The job ended (no retry): one provider request only.
    await jobDone(app, requestId);
    expect((await app.core.services.tutor.queue!.getJob(requestId))!.returnvalue).toBe('failed');
    expect(fake.requests.slice(mark)).toHaveLength(1);
    await w.close();
  });

  it('a question the queue cannot take fails at once with a retry offered; the retry answers once the queue is back', async () => {
    const f = await seed(app.core, 'noqueue');
    const room = await openTutor(app, f.learnerToken, f.course.id);
    const w = await watch(app, f.learnerToken, room);
    const mark = fake.requests.length;
    const tutor = app.core.services.tutor;
    const working = tutor.queue;
    // A queue whose connection is gone, as when Redis is down.
    const broken = createQueue('tutor', app.core.config.redisUrl, app.core.config.queuePrefix, app.core.log);
    await broken.close();
    tutor.queue = broken;
    let q: { id: string };
    try {
      q = await sendOk(app, f.learnerToken, room, 'Is anyone there?');
      expect(await w.settled(q.id)).toBe('FAILED');
      // A retry while the queue is still down: SERVICE_UNAVAILABLE, and the request is still one to retry.
      const requestId = (await requestOf(app, q.id)).id;
      expect(code((await gql(app.url, RETRY, { id: requestId }, f.learnerToken)).body)).toBe('SERVICE_UNAVAILABLE');
      expect(await requestOf(app, q.id)).toMatchObject({ status: 'failed', calls: 0, reservedTokens: 0 });
    } finally {
      tutor.queue = working;
    }
    // The question is in the room, the room says what happened, and no provider call was made.
    expect((await allMessages(app, f.learnerToken, room)).map((m) => m.body)).toContain('Is anyone there?');
    await poll(
      () => w.systemMessages().length > 0,
      5_000,
      () => 'no system message',
    );
    expect(w.systemMessages()[0]!.body).toBe('The tutor could not answer this question right now. You can retry it.');
    expect(fake.requests.length).toBe(mark);
    const req = await requestOf(app, q.id);
    expect(req.error).toBe('The job queue was unavailable.');

    fake.script(DEFAULT);
    expect(ok(await gql(app.url, RETRY, { id: req.id }, f.learnerToken)).retryTutorReply).toBe(true);
    expect(await w.settled(q.id, 3)).toBe('DONE');
    expect(w.tutorMessages().map((m) => m.body)).toEqual(['Fine then.']);
    expect(await requestOf(app, q.id)).toMatchObject({ status: 'done', calls: 1, reservedTokens: 0 });
    await w.close();
  });

  it('a question stored but never queued (its process died after the commit) is found by the sweep and answered once', async () => {
    const f = await seed(app.core, 'lostjob');
    const room = await openTutor(app, f.learnerToken, f.course.id);
    const w = await watch(app, f.learnerToken, room);
    const tutor = app.core.services.tutor;
    const hook = tutor.onPosted;
    // The request is written with the question; what would run after the commit (signal, job) never does.
    tutor.onPosted = async (...args) => (await hook.apply(tutor, args), null);
    let q: { id: string };
    try {
      q = await sendOk(app, f.learnerToken, room, 'Will anyone see this?');
    } finally {
      tutor.onPosted = hook;
    }
    const req = await requestOf(app, q.id);
    expect(req).toMatchObject({ status: 'queued', calls: 0 });
    expect(await app.core.services.tutor.queue!.getJobState(req.id)).toBe('unknown');
    fake.script(DEFAULT);
    // Only requests untouched for the given time are swept.
    expect(await app.core.services.tutor.requeueStale(60_000)).toBe(0);
    expect(await app.core.services.tutor.requeueStale(0)).toBe(1);
    // A second sweep finds its job waiting or running, or the request no longer queued: nothing more.
    expect(await app.core.services.tutor.requeueStale(0)).toBe(0);
    expect(await w.settled(q.id)).toBe('DONE');
    expect(w.tutorMessages().map((m) => m.body)).toEqual(['Fine then.']);
    expect(await requestOf(app, q.id)).toMatchObject({ status: 'done', calls: 1 });
    expect(await app.core.services.tutor.requeueStale(0)).toBe(0);
    await w.close();
  });

  it('a question and its tutor request are stored together or not at all', async () => {
    const f = await seed(app.core, 'atomic');
    const room = await openTutor(app, f.learnerToken, f.course.id);
    const { db } = app.core.services.database;
    // The request cannot be written (a trigger refuses it): the question is not stored either.
    await db.execute(
      sql`create or replace function refuse_tutor_request() returns trigger language plpgsql as $$ begin raise exception 'refused by the test'; end $$`,
    );
    await db.execute(
      sql`create trigger refuse_tutor_request before insert on tutor_requests for each row execute function refuse_tutor_request()`,
    );
    try {
      const res = await gql(app.url, SEND, { input: { roomId: room, clientId: cid(), body: 'Half a question?' } }, f.learnerToken);
      expect(res.body.errors?.length).toBeGreaterThan(0);
    } finally {
      await db.execute(sql`drop trigger refuse_tutor_request on tutor_requests`);
      await db.execute(sql`drop function refuse_tutor_request()`);
    }
    expect((await allMessages(app, f.learnerToken, room)).map((m) => m.body)).not.toContain('Half a question?');
    expect(await requestsIn(app, room)).toEqual([]);
  });

  it('cancel mid-stream keeps the partial text marked as stopped; retry then answers in full', async () => {
    const f = await seed(app.core, 'cancel');
    const room = await openTutor(app, f.learnerToken, f.course.id);
    const w = await watch(app, f.learnerToken, room);
    const chunks = Array.from({ length: 40 }, (_, i) => (i ? ` step${i}` : 'step0'));
    const mark = fake.requests.length;
    fake.script(stream(chunks, { chunkDelayMs: 100, usage: usage(500, 40) }));
    const q = await sendOk(app, f.learnerToken, room, 'Explain merge sort, every step');
    const first = await w.until(q.id, 'STREAMING');
    expect(ok(await gql(app.url, CANCEL, { id: first.requestId }, f.learnerToken)).cancelTutorReply).toBe(true);
    expect(await w.settled(q.id)).toBe('CANCELLED');
    const requestId = first.requestId;

    const stopped = w.tutorMessages();
    expect(stopped).toHaveLength(1);
    expect(stopped[0]!.body.endsWith(STOPPED)).toBe(true);
    const partial = stopped[0]!.body.slice(0, -STOPPED.length);
    expect(partial.length).toBeGreaterThanOrEqual(first.text.length);
    expect(partial.length).toBeLessThan(chunks.join('').length);
    expect(chunks.join('').startsWith(partial)).toBe(true);
    expect(await requestOf(app, q.id)).toMatchObject({ status: 'cancelled', replyId: stopped[0]!.id, reservedTokens: 0, calls: 1 });
    const prompt = await countChatTokens(turns(fake.requests[mark]!));
    const completion = await countTokens(partial);
    expect(await ledgerOf(app, requestId)).toMatchObject([
      {
        call: 1,
        outcome: 'cancelled',
        source: 'tokenizer',
        promptTokens: prompt,
        completionTokens: completion,
        costMicros: miniCost(prompt, completion),
      },
    ]);
    expect(await counters(app, f.learner.id, f.course.id)).toEqual({
      user: { used: prompt + completion, reserved: 0 },
      course: { used: prompt + completion, reserved: 0 },
    });
    // Stopping what is stopped changes nothing.
    expect(ok(await gql(app.url, CANCEL, { id: requestId }, f.learnerToken)).cancelTutorReply).toBe(false);

    // Retry: the same request asks again and the full reply is posted as a new message next to the stopped one.
    fake.script(stream(['Split,', ' sort', ' the', ' halves,', ' merge.'], { usage: usage(500, 9) }));
    expect(ok(await gql(app.url, RETRY, { id: requestId }, f.learnerToken)).retryTutorReply).toBe(true);
    expect(await w.settled(q.id, 2)).toBe('DONE');
    expect(w.signals(q.id).filter((s) => s.state === 'QUEUED')).toHaveLength(2);
    expect(w.tutorMessages().map((m) => m.body)).toEqual([stopped[0]!.body, 'Split, sort the halves, merge.']);
    const replies = await tutorReplies(app, room);
    expect(replies.map((r) => r.body)).toEqual([stopped[0]!.body, 'Split, sort the halves, merge.']);
    expect(await requestOf(app, q.id)).toMatchObject({ status: 'done', replyId: replies[1]!.id, calls: 2, reservedTokens: 0, error: null });
    const ledger = await ledgerOf(app, requestId);
    expect(ledger.map((l) => [l.call, l.outcome, l.jobId, l.source, l.promptTokens, l.completionTokens])).toEqual([
      [1, 'cancelled', requestId, 'tokenizer', prompt, completion],
      [2, 'done', `${requestId}-retry-1`, 'provider', 500, 9],
    ]);
    // The retry asked the same question with the same context (the stopped reply came after it).
    expect(fake.requests.slice(mark).map(turns)).toEqual([turns(fake.requests[mark]!), turns(fake.requests[mark]!)]);
    const total = prompt + completion + 509;
    expect(await counters(app, f.learner.id, f.course.id)).toEqual({
      user: { used: total, reserved: 0 },
      course: { used: total, reserved: 0 },
    });
    // Nothing left to retry once it is done.
    expect(code((await gql(app.url, RETRY, { id: requestId }, f.learnerToken)).body)).toBe('CONFLICT');
    await w.close();
  });

  describe('budgets', () => {
    /** What one question holds of the budgets in the test's installation (as the settings say). */
    const perQuestion = async (f: Fixture): Promise<number> =>
      ok(await gql(app.url, PER_QUESTION, { id: f.course.id }, f.instructorToken)).course.tutorSettings.tokensPerQuestion;
    const budget = async (token: string, courseId: string): Promise<Budget> =>
      ok(await gql(app.url, BUDGET_Q, { courseId }, token)).myTutorUsage;
    const nextMidnight = () => {
      const d = new Date();
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)).toISOString();
    };

    it('questionsLeft is the rule that refuses: each question the meter allows is answered; once it says 0, the next is refused', async () => {
      const f = await seed(app.core, 'meter');
      const P = await perQuestion(f);
      // The context budget (TUTOR_CONTEXT_TOKENS, 3,000 by default) + 10 %, plus the longest reply.
      expect(P).toBe(3300 + MAX_REPLY);
      await settings(app, f, { userDailyTokens: 3 * P - 1 });
      const room = await openTutor(app, f.learnerToken, f.course.id);
      const w = await watch(app, f.learnerToken, room);
      // Each answer costs 60 % of a question's hold: more than one question fits in what two holds leave.
      const spend = Math.ceil(0.6 * P);
      fake.setDefault(stream(['Noted.'], { usage: usage(spend - 5, 5) }));
      const said: number[] = [];
      const ended: string[] = [];
      for (let i = 1; i <= 8 && !ended.includes('REFUSED'); i++) {
        said.push((await budget(f.learnerToken, f.course.id)).questionsLeft);
        ended.push((await ask(app, w, f.learnerToken, room, `Question number ${i}?`)).state);
      }
      expect(said).toEqual([2, 2, 1, 1, 0]);
      expect(ended).toEqual(['DONE', 'DONE', 'DONE', 'DONE', 'REFUSED']);
      const after = await budget(f.learnerToken, f.course.id);
      expect(after).toMatchObject({
        usedToday: 4 * spend,
        dailyLimit: 3 * P - 1,
        remainingToday: 3 * P - 1 - 4 * spend,
        tokensPerQuestion: P,
        questionsLeft: 0,
        blockedBy: 'DAY',
      });
      expect(after.percentLeftToday).toBe(Math.floor(((3 * P - 1 - 4 * spend) * 100) / (3 * P - 1)));
      expect(after.resetsAt).toBe(nextMidnight());
      expect(after.blockedUntil).toBe(after.resetsAt);
      await poll(
        () => w.systemMessages().length > 0,
        5_000,
        () => 'no system message',
      );
      expect(w.systemMessages().map((m) => m.body)).toEqual([
        'You have no AI tutor questions left for today, so the tutor did not answer. Your budget starts again at 00:00 UTC; your instructor can raise it.',
      ]);
      const refused = (await requestsIn(app, room)).find((r) => r.status === 'refused')!;
      expect(refused).toMatchObject({ calls: 0, reservedTokens: 0 });
      // The ledger keeps the refusal (call 0, nothing used) for the course's report.
      expect(await ledgerOf(app, refused.id)).toMatchObject([
        { call: 0, outcome: 'refused', promptTokens: 0, completionTokens: 0, costMicros: 0 },
      ]);
      expect(await counters(app, f.learner.id, f.course.id)).toEqual({
        user: { used: 4 * spend, reserved: 0 },
        course: { used: 4 * spend, reserved: 0 },
      });
      await w.close();
    });

    it('a budget is 0 or fits one question, up to 2,000,000,000: anything else is BAD_USER_INPUT naming the field and the limits', async () => {
      const f = await seed(app.core, 'limits');
      const P = await perQuestion(f);
      const daily = `A student's daily budget is 0 (no questions) or a whole number of tokens from ${P.toLocaleString('en-US')} (one question) to 2,000,000,000.`;
      const monthly = `The course's monthly budget is 0 (no questions) or a whole number of tokens from ${P.toLocaleString('en-US')} (one question) to 2,000,000,000.`;
      const cases: [Record<string, number>, string, string][] = [
        [{ userDailyTokens: 1500 }, 'userDailyTokens', daily],
        [{ userDailyTokens: P - 1 }, 'userDailyTokens', daily],
        [{ userDailyTokens: -1 }, 'userDailyTokens', daily],
        [{ userDailyTokens: 2_000_000_001 }, 'userDailyTokens', daily],
        [{ courseMonthlyTokens: 60 }, 'courseMonthlyTokens', monthly],
      ];
      for (const [vars, field, message] of cases) {
        const { body } = await gql(app.url, SETTINGS, { courseId: f.course.id, ...vars }, f.instructorToken);
        expect(body.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT', field, min: P, max: 2_000_000_000 } });
      }
      expect(await settings(app, f, { userDailyTokens: P, courseMonthlyTokens: 2_000_000_000 })).toMatchObject({
        userDailyTokens: P,
        courseMonthlyTokens: 2_000_000_000,
      });
      expect(await budget(f.learnerToken, f.course.id)).toMatchObject({
        questionsLeft: 1,
        blockedBy: null,
        blockedUntil: null,
        percentLeftToday: 100,
      });
      // 0: the tutor answers no student of the course.
      expect(await settings(app, f, { userDailyTokens: 0 })).toMatchObject({ userDailyTokens: 0 });
      expect(await budget(f.learnerToken, f.course.id)).toMatchObject({ questionsLeft: 0, blockedBy: 'DAY', percentLeftToday: 0 });
    });

    it('a course brief that nearly fills the context budget: a question holds more, so that one within the meter is still answered', async () => {
      const f = await seed(app.core, 'longbrief');
      const plain = await perQuestion(f);
      await settings(app, f, { brief: 'Read the syllabus before you ask. '.repeat(500) });
      const P = await perQuestion(f);
      expect(P).toBeGreaterThan(plain);
      await settings(app, f, { userDailyTokens: P });
      const room = await openTutor(app, f.learnerToken, f.course.id);
      const w = await watch(app, f.learnerToken, room);
      expect((await budget(f.learnerToken, f.course.id)).questionsLeft).toBe(1);
      const mark = fake.requests.length;
      expect((await ask(app, w, f.learnerToken, room, 'Where do I start with the syllabus?')).state).toBe('DONE');
      // What the question needed (its prompt, the brief in it, + 10 %, and the longest reply) was within its hold.
      const [sent] = fake.requests.slice(mark);
      expect(Math.ceil((await countChatTokens(turns(sent!))) * 1.1) + MAX_REPLY).toBeLessThanOrEqual(P);
      expect((await budget(f.learnerToken, f.course.id)).questionsLeft).toBe(0);
      expect((await ask(app, w, f.learnerToken, room, 'And then?')).state).toBe('REFUSED');
      await w.close();
    });

    it("the course's monthly budget used up: the meter says so (until the 1st), and the next question is refused with the course's reason", async () => {
      const f = await seed(app.core, 'monthly');
      const P = await perQuestion(f);
      expect(await settings(app, f, { courseMonthlyTokens: P + 10 })).toMatchObject({
        courseMonthlyTokens: P + 10,
        userDailyTokens: 50_000,
      });
      const room = await openTutor(app, f.learnerToken, f.course.id);
      const w = await watch(app, f.learnerToken, room);
      expect((await budget(f.learnerToken, f.course.id)).questionsLeft).toBe(1);
      expect((await ask(app, w, f.learnerToken, room, 'One for the whole course?')).state).toBe('DONE');
      const sam = await addMember(app.core, f, 'Sam Monthly');
      const now = new Date();
      const firstOfNext = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
      for (const token of [f.learnerToken, sam.token]) {
        expect(await budget(token, f.course.id)).toMatchObject({
          questionsLeft: 0,
          blockedBy: 'MONTH',
          blockedUntil: firstOfNext,
          courseMonthlyLimit: P + 10,
          courseUsedThisMonth: 12,
        });
      }
      const mark = fake.requests.length;
      const { q, state } = await ask(app, w, f.learnerToken, room, 'Anything left this month?');
      expect(state).toBe('REFUSED');
      expect(fake.requests.length).toBe(mark);
      await poll(
        () => w.systemMessages().length > 0,
        5_000,
        () => 'no system message',
      );
      expect(w.systemMessages().map((m) => m.body)).toEqual([
        'This course has used its AI tutor budget for the month, so the tutor did not answer. It starts again on the 1st (00:00 UTC); your instructor can raise it.',
      ]);
      expect(await requestOf(app, q.id)).toMatchObject({ status: 'refused', calls: 0 });
      await w.close();
    });

    it('six concurrent questions against a budget that holds two: two answered, four refused, never overspent', async () => {
      const f = await seed(app.core, 'race');
      const P = await perQuestion(f);
      const limit = 2 * P + Math.floor(P / 2);
      await settings(app, f, { userDailyTokens: limit });
      // Each answered reply settles near a whole hold: once they are in, no third question fits either. Its first
      // token waits until every question is in the room.
      fake.setDefault(stream(['Think', ' first.'], { firstTokenDelayMs: 1000, usage: usage(P - 20, 10) }));
      const room = await openTutor(app, f.learnerToken, f.course.id);
      const w = await watch(app, f.learnerToken, room);
      const mark = fake.requests.length;
      const bodies = Array.from({ length: 6 }, (_, i) => `Race question number ${i + 1}?`);
      const qs = await Promise.all(bodies.map((b) => sendOk(app, f.learnerToken, room, b)));
      expect(new Set(qs.map((q) => q.id)).size).toBe(6);
      const ends = await Promise.all(qs.map((q) => w.settled(q.id)));
      expect(ends.filter((s) => s === 'DONE')).toHaveLength(2);
      expect(ends.filter((s) => s === 'REFUSED')).toHaveLength(4);
      expect(fake.requests.length - mark).toBe(2);
      const reqs = await requestsIn(app, room);
      expect(reqs.map((r) => r.status).sort()).toEqual(['done', 'done', 'refused', 'refused', 'refused', 'refused']);
      expect(await tutorReplies(app, room)).toHaveLength(2);
      await poll(
        () => w.systemMessages().length === 4,
        5_000,
        () => `${w.systemMessages().length} system messages`,
      );
      const c = await counters(app, f.learner.id, f.course.id);
      expect(c.user).toEqual({ used: 2 * (P - 10), reserved: 0 });
      expect(c.user.used).toBeLessThanOrEqual(limit);
      expect(c.course.reserved).toBe(0);
      const ledger = (await Promise.all(reqs.map((r) => ledgerOf(app, r.id)))).flat();
      expect(ledger.map((l) => l.outcome).sort()).toEqual(['done', 'done', 'refused', 'refused', 'refused', 'refused']);
      await w.close();
    });

    it('crossing the warning threshold: one notification a day, and tutorUsage pushes the usage with warning', async () => {
      const f = await seed(app.core, 'warn');
      await settings(app, f, { userDailyTokens: 20_000 });
      const room = await openTutor(app, f.learnerToken, f.course.id);
      const w = await watch(app, f.learnerToken, room);
      const c = wsClient(app.wsUrl, f.learnerToken);
      const before = app.core.services.realtime.activeSubscriptions;
      const sub = subscribe<Usage>(c.client, USAGE_SUB, { courseId: f.course.id }, 'tutorUsage');
      await listening(app, before);
      await sub.waitFor(1);
      expect(sub.items[0]).toMatchObject({ usedToday: 0, dailyLimit: 20_000, remainingToday: 20_000, warning: false });

      const warnings = async () =>
        await db(app)
          .select()
          .from(notifications)
          .where(and(eq(notifications.userId, f.learner.id), eq(notifications.type, 'tutor_budget_warning')));
      fake.script(stream(['Long', ' one.'], { usage: usage(16_000, 400) }));
      const r1 = await ask(app, w, f.learnerToken, room, 'A long question');
      expect(r1.state).toBe('DONE');
      await sub.waitFor(2);
      expect(sub.items[1]).toEqual({
        courseId: f.course.id,
        usedToday: 16_400,
        dailyLimit: 20_000,
        remainingToday: 3600,
        courseUsedThisMonth: 16_400,
        courseMonthlyLimit: 5_000_000,
        warning: true,
      });
      await jobDone(app, r1.requestId);
      const list = ok(await gql(app.url, NOTIFS, {}, f.learnerToken)).notifications.edges.map((e: { node: unknown }) => e.node);
      expect(list).toMatchObject([
        { type: 'tutor_budget_warning', courseId: f.course.id, excerpt: "You have used 82% of today's AI tutor budget.", read: false },
      ]);

      // Further replies past the threshold the same day warn no more, whether or not the warning was read.
      fake.script(stream(['Short.'], { usage: usage(8, 2) }));
      const r2 = await ask(app, w, f.learnerToken, room, 'A short one');
      expect(r2.state).toBe('DONE');
      await sub.waitFor(3);
      expect(sub.items[2]).toMatchObject({ usedToday: 16_410, warning: true });
      await jobDone(app, r2.requestId);
      expect(await warnings()).toHaveLength(1);
      expect(ok(await gql(app.url, MARK_READ, { id: list[0].id }, f.learnerToken)).markNotificationRead).toBe(1);
      fake.script(stream(['Shorter.'], { usage: usage(8, 2) }));
      const r3 = await ask(app, w, f.learnerToken, room, 'Another short one');
      expect(r3.state).toBe('DONE');
      await sub.waitFor(4);
      expect(sub.items[3]).toMatchObject({ usedToday: 16_420, warning: true });
      await jobDone(app, r3.requestId);
      expect(await warnings()).toHaveLength(1);
      // The staff's activity feed says it once too.
      const entries = await db(app)
        .select()
        .from(courseActivity)
        .where(and(eq(courseActivity.courseId, f.course.id), eq(courseActivity.type, 'tutor.budget_warning')));
      expect(entries).toEqual([expect.objectContaining({ actorId: f.learner.id, data: expect.objectContaining({ percent: 82 }) })]);
      expect(sub.errors).toEqual([]);
      await c.client.dispose();
      await w.close();
    });

    it('staff raising or lowering the budget sends each student with a tutor room their usage again: a refusal lifts at once', async () => {
      const f = await seed(app.core, 'raise');
      const P = await perQuestion(f);
      await settings(app, f, { userDailyTokens: P });
      const room = await openTutor(app, f.learnerToken, f.course.id);
      const w = await watch(app, f.learnerToken, room);
      const c = wsClient(app.wsUrl, f.learnerToken);
      const before = app.core.services.realtime.activeSubscriptions;
      const sub = subscribe<Budget>(c.client, BUDGET_SUB, { courseId: f.course.id }, 'tutorUsage');
      await listening(app, before);
      expect((await sub.waitFor(1))[0]).toMatchObject({ questionsLeft: 1, blockedBy: null });
      expect((await ask(app, w, f.learnerToken, room, 'The one I have?')).state).toBe('DONE');
      await poll(
        () => sub.items.some((u) => u.questionsLeft === 0),
        10_000,
        () => JSON.stringify(sub.items),
      );
      expect(sub.items.at(-1)).toMatchObject({ questionsLeft: 0, blockedBy: 'DAY', usedToday: 12 });

      const n = sub.items.length;
      await settings(app, f, { userDailyTokens: 3 * P });
      await sub.waitFor(n + 1);
      expect(sub.items[n]).toMatchObject({ questionsLeft: 2, blockedBy: null, dailyLimit: 3 * P, usedToday: 12 });
      // Settings that leave the budgets as they were send nothing.
      await settings(app, f, { mode: 'EXPLAIN' });
      await settings(app, f, { userDailyTokens: P });
      await sub.waitFor(n + 2);
      expect(sub.items.slice(n + 1)).toMatchObject([{ questionsLeft: 0, blockedBy: 'DAY' }]);
      expect((await ask(app, w, f.learnerToken, room, 'And now?')).state).toBe('REFUSED');
      expect(sub.errors).toEqual([]);
      await c.client.dispose();
      await w.close();
    });

    it('the report counts refused questions per student and in total, and tutorReportEvents follows it from its cursor (calls and refusals), staff only', async () => {
      const f = await seed(app.core, 'report');
      const P = await perQuestion(f);
      await settings(app, f, { userDailyTokens: P });
      const room = await openTutor(app, f.learnerToken, f.course.id);
      const w = await watch(app, f.learnerToken, room);
      const empty = ok(await gql(app.url, REPORT_LIVE, { id: f.course.id }, f.instructorToken)).course.tutorUsageReport;
      expect(empty).toMatchObject({ byDay: [], byStudent: [], byModel: [] });

      fake.script(stream(['Base', ' case.'], { usage: usage(300, 40) }));
      expect((await ask(app, w, f.learnerToken, room, 'Why recursion?')).state).toBe('DONE');
      expect((await ask(app, w, f.learnerToken, room, 'And iteration?')).state).toBe('REFUSED');
      const today = new Date().toISOString().slice(0, 10);
      const report = ok(await gql(app.url, REPORT_LIVE, { id: f.course.id }, f.instructorToken)).course.tutorUsageReport;
      const lee = { userId: f.learner.id, name: 'Lee Learner report', tutorRoomId: room };
      expect(report.byStudent).toEqual([
        { ...lee, promptTokens: 300, completionTokens: 40, costUsd: miniCost(300, 40) / 1e6, calls: 1, refused: 1 },
      ]);
      expect(report.byDay).toEqual([
        { day: today, promptTokens: 300, completionTokens: 40, costUsd: miniCost(300, 40) / 1e6, calls: 1, refused: 1 },
      ]);
      expect(report.byModel).toEqual([
        { model: 'gpt-4o-mini', promptTokens: 300, completionTokens: 40, costUsd: miniCost(300, 40) / 1e6, calls: 1 },
      ]);

      // From the first report's cursor: the call and the refusal, in order, ending at the second report's cursor.
      const c = wsClient(app.wsUrl, f.instructorToken);
      const before = app.core.services.realtime.activeSubscriptions;
      const sub = subscribe<Entry>(c.client, REPORT_SUB, { courseId: f.course.id, after: empty.cursor }, 'tutorReportEvents');
      await listening(app, before);
      await sub.waitFor(2);
      const entry = { ...lee, day: today, model: 'gpt-4o-mini' };
      expect(sub.items.map(({ cursor: _c, at: _a, ...e }) => e)).toEqual([
        { ...entry, promptTokens: 300, completionTokens: 40, costUsd: miniCost(300, 40) / 1e6, calls: 1, refused: 0 },
        { ...entry, promptTokens: 0, completionTokens: 0, costUsd: 0, calls: 0, refused: 1 },
      ]);
      expect(sub.items[1]!.cursor).toBe(report.cursor);

      // Then live: another student's question, asked with "@tutor" in the course room (no tutor room of theirs).
      const sam = await addMember(app.core, f, 'Sam Reporter');
      const courseRoom = await courseRoomId(app, f.learnerToken, f.course.id);
      expect(ok(await gql(app.url, SET_ROOM_TUTOR, { roomId: courseRoom, enabled: true }, f.instructorToken)).setRoomTutor).toBe(true);
      const cw = await watch(app, sam.token, courseRoom);
      fake.script(stream(['Yes.'], { usage: usage(50, 5) }));
      expect((await ask(app, cw, sam.token, courseRoom, '@tutor is this live?')).state).toBe('DONE');
      await sub.waitFor(3);
      expect(sub.items[2]).toMatchObject({
        userId: sam.user.id,
        name: 'Sam Reporter',
        tutorRoomId: null,
        promptTokens: 50,
        completionTokens: 5,
        calls: 1,
        refused: 0,
      });
      expect(sub.errors).toEqual([]);

      // Students neither read the report nor follow it.
      expect(code((await gql(app.url, REPORT_LIVE, { id: f.course.id }, f.learnerToken)).body)).toBe('FORBIDDEN');
      const lc = wsClient(app.wsUrl, f.learnerToken);
      const denied = subscribe<Entry>(lc.client, REPORT_SUB, { courseId: f.course.id, after: null }, 'tutorReportEvents');
      await denied.ended();
      expect(subCode(denied.errors)).toBe('FORBIDDEN');
      await Promise.all([c.client.dispose(), lc.client.dispose(), cw.close(), w.close()]);
    });

    it("staff open a student's tutor room from the report and read it; posting there is refused", async () => {
      const f = await seed(app.core, 'staffread');
      const room = await openTutor(app, f.learnerToken, f.course.id);
      const w = await watch(app, f.learnerToken, room);
      fake.script(stream(['Think', ' about', ' it.'], { usage: usage(20, 3) }));
      expect((await ask(app, w, f.learnerToken, room, 'Is my loop right?')).state).toBe('DONE');
      const report = ok(await gql(app.url, REPORT_LIVE, { id: f.course.id }, f.instructorToken)).course.tutorUsageReport;
      const tutorRoomId = report.byStudent[0].tutorRoomId as string;
      expect(tutorRoomId).toBe(room);
      expect(ok(await gql(app.url, ROOM_Q, { id: tutorRoomId }, f.instructorToken)).room).toMatchObject({
        kind: 'TUTOR',
        canPost: false,
        postRefusal: 'READ_ONLY',
        canModerate: false,
      });
      expect((await allMessages(app, f.instructorToken, tutorRoomId)).map((m) => m.body)).toEqual(['Is my loop right?', 'Think about it.']);
      const posted = await gql(
        app.url,
        SEND,
        { input: { roomId: tutorRoomId, body: 'I am reading along', clientId: cid() } },
        f.instructorToken,
      );
      expect(code(posted.body)).toBe('FORBIDDEN');
      expect((await allMessages(app, f.learnerToken, room)).map((m) => m.body)).toEqual(['Is my loop right?', 'Think about it.']);
      // Another student cannot read it at all.
      const other = await addMember(app.core, f, 'Olga Other');
      expect(code((await gql(app.url, ROOM_Q, { id: tutorRoomId }, other.token)).body)).toBe('NOT_FOUND');
      await w.close();
    });
  });

  it('a question is asked once: a resent clientId and duplicate jobs (even while it runs) give one reply', async () => {
    const f = await seed(app.core, 'idem');
    const room = await openTutor(app, f.learnerToken, f.course.id);
    const w = await watch(app, f.learnerToken, room);
    const mark = fake.requests.length;
    fake.script(stream(['Slow', ' and', ' steady', ' wins.'], { chunkDelayMs: 400, usage: usage(60, 4) }));
    const clientId = cid();
    const q = await sendOk(app, f.learnerToken, room, 'Ask me once', { clientId });
    const streaming = await w.until(q.id, 'STREAMING');
    const requestId = streaming.requestId;
    // The same clientId again: the same message, no second request.
    expect((await sendOk(app, f.learnerToken, room, 'Ask me once', { clientId })).id).toBe(q.id);
    // The same job again: BullMQ keeps one job per id.
    const queue = app.core.services.tutor.queue!;
    const data = { task: 'reply' as const, requestId };
    expect((await queue.add('reply', data, { jobId: requestId })).id).toBe(requestId);
    // Two other jobs for the request while the first delivery runs: its lease keeps them out. One gives up while
    // the reply is still being written, which must not fail the request; the other comes back after the reply
    // and finds nothing to do. (Custom job ids avoid ':', which BullMQ reserves.)
    const quitter = `${requestId}-dup1`;
    const later = `${requestId}-dup2`;
    await queue.add('reply', data, { jobId: quitter, attempts: 2, backoff: { type: 'fixed', delay: 100 } });
    await queue.add('reply', data, { jobId: later, attempts: 5, backoff: { type: 'exponential', delay: 2000 } });
    await eventually(async () => !!(await (await queue.getJob(quitter))?.isFailed()), 5_000, 'the first duplicate did not give up');
    expect(w.signals(q.id).some((s) => TERMINAL.includes(s.state))).toBe(false);
    const gaveUp = await queue.getJob(quitter);
    expect([gaveUp!.attemptsMade, gaveUp!.failedReason]).toEqual([2, 'another delivery of this request is running; trying later']);
    expect(await w.settled(q.id)).toBe('DONE');
    await jobDone(app, later);
    const dup = await queue.getJob(later);
    expect(dup!.returnvalue).toBe('skipped');
    expect((dup!.stacktrace ?? []).some((s) => s.includes('another delivery of this request is running'))).toBe(true);
    expect(
      w
        .signals(q.id)
        .filter((s) => TERMINAL.includes(s.state))
        .map((s) => s.state),
    ).toEqual(['DONE']);
    expect(w.systemMessages()).toEqual([]);
    // Run by hand once more: skipped.
    expect(await app.core.services.tutor.run(requestId, 'by-hand')).toBe('skipped');

    expect(await requestsIn(app, room)).toHaveLength(1);
    expect((await tutorReplies(app, room)).map((r) => r.body)).toEqual(['Slow and steady wins.']);
    expect(await ledgerOf(app, requestId)).toMatchObject([{ call: 1, outcome: 'done', jobId: requestId }]);
    expect(fake.requests.slice(mark)).toHaveLength(1);
    expect(w.signals(q.id).filter((s) => s.state === 'QUEUED')).toHaveLength(1);
    expect(await counters(app, f.learner.id, f.course.id)).toEqual({ user: { used: 64, reserved: 0 }, course: { used: 64, reserved: 0 } });
    await w.close();
  });

  it('"@tutor" in the course room answers only once staff enable it; only staff manage the tutor and read the report', async () => {
    const f = await seed(app.core, 'mention');
    const room = await courseRoomId(app, f.learnerToken, f.course.id);
    const w = await watch(app, f.learnerToken, room);
    const mark = fake.requests.length;
    const early = await sendOk(app, f.learnerToken, room, '@tutor what is recursion?');
    expect(await db(app).select().from(tutorRequests).where(eq(tutorRequests.questionId, early.id))).toEqual([]);
    expect(ok(await gql(app.url, ROOM_TUTOR, { id: room }, f.learnerToken)).room.tutorEnabled).toBe(false);

    // A learner manages nothing.
    expect(code((await gql(app.url, SET_ROOM_TUTOR, { roomId: room, enabled: true }, f.learnerToken)).body)).toBe('FORBIDDEN');
    expect(code((await gql(app.url, SETTINGS, { courseId: f.course.id, userDailyTokens: 1_000_000 }, f.learnerToken)).body)).toBe(
      'FORBIDDEN',
    );
    expect(code((await gql(app.url, REPORT, { id: f.course.id }, f.learnerToken)).body)).toBe('FORBIDDEN');
    expect(ok(await gql(app.url, SETTINGS_Q, { id: f.course.id }, f.learnerToken)).course.tutorSettings.userDailyTokens).toBe(50_000);

    expect(ok(await gql(app.url, SET_ROOM_TUTOR, { roomId: room, enabled: true }, f.instructorToken)).setRoomTutor).toBe(true);
    expect(ok(await gql(app.url, ROOM_TUTOR, { id: room }, f.learnerToken)).room.tutorEnabled).toBe(true);
    fake.script(stream(['What', ' is', ' the', ' base', ' case?'], { usage: usage(300, 40) }));
    const q = await sendOk(app, f.learnerToken, room, 'Help me, @tutor: why does it never stop?');
    expect(await w.settled(q.id)).toBe('DONE');
    expect(w.tutorMessages().map((m) => m.body)).toEqual(['What is the base case?']);
    const chat = turns(fake.requests.at(-1)!);
    expect(chat.slice(1)).toEqual([
      { role: 'user', content: 'Lee Learner mention: @tutor what is recursion?' },
      { role: 'user', content: 'Lee Learner mention: Help me, @tutor: why does it never stop?' },
    ]);
    // A message without the mention is not a question.
    const plain = await sendOk(app, f.learnerToken, room, 'thanks all, and tutors everywhere');
    expect(await db(app).select().from(tutorRequests).where(eq(tutorRequests.questionId, plain.id))).toEqual([]);

    // Another student in their own tutor room, so that the report has two students.
    const sam = await addMember(app.core, f, 'Sam Student');
    const samRoom = await openTutor(app, sam.token, f.course.id);
    const sw = await watch(app, sam.token, samRoom);
    fake.script([{ kind: 'status', status: 503 }, stream(['Yes.'], { usage: usage(100, 20) })]);
    expect((await ask(app, sw, sam.token, samRoom, 'Is the report right?')).state).toBe('DONE');
    expect(fake.requests.length - mark).toBe(3);

    const report = ok(await gql(app.url, REPORT, { id: f.course.id }, f.instructorToken)).course.tutorUsageReport;
    const rows = await db(app).select().from(usageLedger).where(eq(usageLedger.courseId, f.course.id));
    expect(rows).toHaveLength(3);
    const sum = (list: typeof rows) => ({
      promptTokens: list.reduce((a, r) => a + r.promptTokens, 0),
      completionTokens: list.reduce((a, r) => a + r.completionTokens, 0),
      costUsd: list.reduce((a, r) => a + r.costMicros, 0) / 1e6,
      calls: list.length,
    });
    const days = [...new Set(rows.map((r) => r.createdAt.toISOString().slice(0, 10)))].sort();
    expect(report.byDay).toEqual(days.map((day) => ({ day, ...sum(rows.filter((r) => r.createdAt.toISOString().startsWith(day))) })));
    const lee = rows.filter((r) => r.userId === f.learner.id);
    const samRows = rows.filter((r) => r.userId === sam.user.id);
    expect(lee).toHaveLength(1);
    expect(samRows).toHaveLength(2);
    expect(report.byStudent).toEqual([
      { userId: f.learner.id, name: 'Lee Learner mention', ...sum(lee) },
      { userId: sam.user.id, name: 'Sam Student', ...sum(samRows) },
    ]);
    expect(sum(lee)).toEqual({ promptTokens: 300, completionTokens: 40, costUsd: miniCost(300, 40) / 1e6, calls: 1 });
    expect(report.byModel).toEqual([{ model: 'gpt-4o-mini', ...sum(rows) }]);
    await sw.close();
    await w.close();
  });

  it('offline (no provider configured): a labelled offline reply, counted with the tokenizer, free', async () => {
    const offline = await startApp({ databaseUrl: dbUrl, env: { CHAT_RATE_LIMIT: '1000000' } });
    const offlineWorker = await startWorker(offline.core);
    try {
      const f = await seed(offline.core, 'offline');
      expect(ok(await gql(offline.url, SETTINGS_Q, { id: f.course.id }, f.learnerToken)).course.tutorSettings).toMatchObject({
        provider: 'OFFLINE',
        model: 'offline-tutor',
      });
      const room = await openTutor(offline, f.learnerToken, f.course.id);
      const w = await watch(offline, f.learnerToken, room);
      const mark = fake.requests.length;
      const { q, state, requestId } = await ask(offline, w, f.learnerToken, room, 'How do closures capture variables?');
      expect(state).toBe('DONE');
      expect(w.signals(q.id).some((s) => s.state === 'STREAMING')).toBe(true);
      const replies = w.tutorMessages();
      expect(replies).toHaveLength(1);
      expect(replies[0]!.body.startsWith('(Offline tutor')).toBe(true);
      expect(replies[0]!.body.split('\n')[0]).toBe(OFFLINE_LABEL);
      expect(replies[0]!.body).toContain('How do closures capture variables?');
      const ledger = await ledgerOf(offline, requestId);
      expect(ledger).toHaveLength(1);
      expect(ledger[0]).toMatchObject({
        model: 'offline-tutor',
        costMicros: 0,
        source: 'tokenizer',
        outcome: 'done',
        completionTokens: await countTokens(replies[0]!.body),
      });
      expect(ledger[0]!.promptTokens).toBeGreaterThan(
        await countChatTokens([{ role: 'user', content: 'How do closures capture variables?' }]),
      );
      const used = ledger[0]!.promptTokens + ledger[0]!.completionTokens;
      expect(await counters(offline, f.learner.id, f.course.id)).toEqual({ user: { used, reserved: 0 }, course: { used, reserved: 0 } });
      expect(fake.requests.length).toBe(mark);
      await w.close();
    } finally {
      await offlineWorker.close();
      await offline.close();
    }
  });

  it('a worker killed mid-reply: the job is taken up again after its lock, one reply, one ledger row', async () => {
    const crashFake = await startFakeOpenAi();
    const crash = await startApp({ databaseUrl: dbUrl, env: { ...aiEnv(crashFake), TUTOR_LOCK_MS: '2000' } });
    let child: WorkerChild | undefined;
    let second: WorkerHandle | undefined;
    try {
      const cfg = crash.core.config;
      child = await startWorkerChild(cfg, {
        AI_BASE_URL: cfg.aiBaseUrl!,
        AI_API_KEY: cfg.aiApiKey!,
        AI_MODEL: cfg.aiModel,
        TUTOR_LOCK_MS: '2000',
        TUTOR_MAX_REPLY_TOKENS: String(MAX_REPLY),
      });

      const f = await seed(crash.core, 'crash');
      const room = await openTutor(crash, f.learnerToken, f.course.id);
      const w = await watch(crash, f.learnerToken, room);
      crashFake.script([
        stream(
          Array.from({ length: 60 }, (_, i) => ` word${i}`),
          { chunkDelayMs: 100, usage: usage(999, 99) },
        ),
        stream(['After', ' the', ' crash.'], { usage: usage(45, 4) }),
      ]);
      const q = await sendOk(crash, f.learnerToken, room, 'Will you survive?');
      const first = await w.until(q.id, 'STREAMING');
      await child.kill();
      const killedAt = Date.now();
      const running = await requestOf(crash, q.id);
      expect(running).toMatchObject({ status: 'running', calls: 1 });
      expect(running.reservedTokens).toBeGreaterThan(0);

      second = await startWorker(crash.core);
      expect(await w.settled(q.id, 1, 40_000)).toBe('DONE');
      const recovery = Date.now() - killedAt;
      const replies = await tutorReplies(crash, room);
      expect(replies.map((r) => r.body)).toEqual(['After the crash.']);
      expect(w.tutorMessages().map((m) => m.body)).toEqual(['After the crash.']);
      const req = await requestOf(crash, q.id);
      expect(req).toMatchObject({ id: first.requestId, status: 'done', replyId: replies[0]!.id, reservedTokens: 0, calls: 2 });
      // The killed call never reached the ledger; the one that answered did, once.
      expect((await ledgerOf(crash, req.id)).map((l) => [l.call, l.outcome, l.jobId, l.promptTokens, l.completionTokens])).toEqual([
        [2, 'done', req.id, 45, 4],
      ]);
      expect(await counters(crash, f.learner.id, f.course.id)).toEqual({
        user: { used: 49, reserved: 0 },
        course: { used: 49, reserved: 0 },
      });
      expect(crashFake.requests).toHaveLength(2);
      // Taken up after the lock (2 s, checked every 2 s), not after minutes of backoff.
      expect(recovery).toBeLessThan(12_000);
      await w.close();
    } finally {
      await child?.kill();
      await second?.close();
      await crash.close();
      await crashFake.close();
    }
  });
});
