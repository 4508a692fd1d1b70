/**
 * The AI tutor. A student's question in their tutor room (or "@tutor" in a room where staff enabled it)
 * becomes a request row and a BullMQ job with the request's id, so a question is answered once. The worker
 * (`run`) builds the context, reserves the budget atomically, streams the provider's reply into the room as
 * ephemeral signals, then in one transaction writes the ledger row of that provider call, settles the budget
 * and posts the final message (idempotent by the request). Every rule about budgets lives here.
 */
import { and, asc, desc, eq, gte, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Queue } from 'bullmq';
import { budgetCounters, tutorRequests, tutorSettings, usageLedger } from './tables.js';
import { courses } from '../courses/tables.js';
import { messages, rooms } from '../rooms/tables.js';
import { notifications } from '../notifications/tables.js';
import { users } from '../users/tables.js';
import { rows, type Tx } from '../db/client.js';
import type { Realtime } from '../realtime/realtime.js';
import type { Access } from '../auth/access.js';
import type { RoomInfo } from '../rooms/access.js';
import type { Viewer } from '../auth/viewer.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { RoomService } from '../rooms/service.js';
import { roomStream } from '../rooms/events.js';
import type { MessageView } from '../rooms/views.js';
import type { NotificationService } from '../notifications/service.js';
import { userStream } from '../notifications/events.js';
import type { TutorSignal } from './events.js';
import { TOOL_SUBJECT_PREFIX, upsertUser } from '../users/service.js';
import { AppError, notFound } from '../errors.js';
import { cleanMultiline } from '../text.js';
import { isStaff } from '../courses/roles.js';
import { isUuid } from '../auth/access.js';
import { enqueue, type JobPayloads } from '../queue/queues.js';
import { countChatTokens, countTokens, ProviderError, type ChatTurn, type StreamResult, type TutorProvider } from './provider.js';
import { costMicros } from './prices.js';

export type TutorMode = 'socratic' | 'explain' | 'review';
export const TUTOR_MODES: readonly TutorMode[] = ['socratic', 'explain', 'review'];
export const TUTOR_SUBJECT = `${TOOL_SUBJECT_PREFIX}ai-tutor`;
const MENTION = /(^|\s)@tutor\b/i;
const PARTIAL_EVERY_MS = 50;
const HISTORY_MESSAGES = 40;
const BRIEF_MAX = 20_000;

export interface TutorSettingsView {
  courseId: string;
  mode: TutorMode;
  brief: string;
  userDailyTokens: number;
  courseMonthlyTokens: number;
  provider: 'openai' | 'offline';
  model: string;
}

export interface UsageView {
  courseId: string;
  usedToday: number;
  dailyLimit: number;
  courseUsedThisMonth: number;
  courseMonthlyLimit: number;
  warnPercent: number;
}

/** Usage with the position of the user's stream it reflects (`cursor`: pass as `after` to tutorUsage). */
export interface UsageAt extends UsageView {
  cursor: string;
}

export interface UsageReport {
  byDay: { day: string; promptTokens: number; completionTokens: number; costMicros: number; calls: number }[];
  byStudent: { userId: string; name: string; promptTokens: number; completionTokens: number; costMicros: number; calls: number }[];
  byModel: { model: string; promptTokens: number; completionTokens: number; costMicros: number; calls: number }[];
}

export type { TutorSignal };

/**
 * Thrown by a delivery that finds another one producing the request (its lease is live): BullMQ tries again
 * later. Never a reason to fail the request, even on the last attempt: the live delivery finishes it.
 */
export class TutorBusyError extends Error {
  override readonly name = 'TutorBusyError';
  constructor() {
    super('another delivery of this request is running; trying later');
  }
}

const day = (d = new Date()) => d.toISOString().slice(0, 10);
const month = (d = new Date()) => d.toISOString().slice(0, 7);

interface Deps {
  db: Tx;
  realtime: Realtime;
  access: Access;
  config: Config;
  log: Logger;
  rooms: RoomService;
  notifications: NotificationService;
  provider: TutorProvider;
  queue: Queue<JobPayloads['tutor']>;
}

export class TutorService {
  /** Where reply jobs go (a test swaps in one whose connection is gone, as when Redis is down). */
  queue: Queue<JobPayloads['tutor']>;
  private tutorUsers = new Map<string, string>();

  constructor(private readonly d: Deps) {
    this.queue = d.queue;
    // Rooms and the tutor need each other; the tutor depends on rooms and subscribes to the messages posted there
    // (RoomService.onMessagePosted). Through `this.onPosted` at each call, so that a test or bench can wrap it.
    d.rooms.onMessagePosted((tx, room, message, authorId) => this.onPosted(tx, room, message, authorId));
  }

  // -------------------------------------------------------------- settings

  async settings(viewer: Viewer, courseId: string): Promise<TutorSettingsView> {
    await this.d.access.requireCourseRead(viewer, courseId);
    return this.settingsOf(this.d.db, courseId);
  }

  private async settingsOf(db: Tx, courseId: string): Promise<TutorSettingsView> {
    const [row] = await db.select().from(tutorSettings).where(eq(tutorSettings.courseId, courseId));
    return {
      courseId,
      mode: (row?.mode as TutorMode) ?? 'socratic',
      brief: row?.brief ?? '',
      userDailyTokens: row?.userDailyTokens ?? this.d.config.tutorUserDailyTokens,
      courseMonthlyTokens: row?.courseMonthlyTokens ?? this.d.config.tutorCourseMonthlyTokens,
      provider: this.d.provider.kind,
      model: this.d.config.aiModel,
    };
  }

  /** Mode, brief and budgets of a course (staff). */
  async updateSettings(viewer: Viewer, courseId: string, input: { mode?: TutorMode | null; brief?: string | null; userDailyTokens?: number | null; courseMonthlyTokens?: number | null }): Promise<TutorSettingsView> {
    await this.d.access.requireCourseManage(viewer, courseId);
    if (input.mode != null && !TUTOR_MODES.includes(input.mode)) throw new AppError('BAD_USER_INPUT', 'The mode is socratic, explain or review.', { field: 'mode' });
    const brief = input.brief != null ? cleanMultiline(input.brief, 'brief', 'caller') : null;
    if (brief != null && brief.length > BRIEF_MAX) throw new AppError('BAD_USER_INPUT', `The course brief can have at most ${BRIEF_MAX} characters.`, { field: 'brief' });
    for (const [field, v] of [['userDailyTokens', input.userDailyTokens], ['courseMonthlyTokens', input.courseMonthlyTokens]] as const) {
      if (v != null && (!Number.isInteger(v) || v < 0 || v > 2_000_000_000)) throw new AppError('BAD_USER_INPUT', `${field} must be a whole number of tokens, 0 or more.`, { field });
    }
    const current = await this.settingsOf(this.d.db, courseId);
    const [course] = await this.d.db.select({ tenantId: courses.tenantId }).from(courses).where(eq(courses.id, courseId));
    const values = {
      courseId,
      tenantId: course!.tenantId,
      mode: input.mode ?? current.mode,
      brief: brief ?? current.brief,
      userDailyTokens: input.userDailyTokens !== undefined ? input.userDailyTokens : current.userDailyTokens,
      courseMonthlyTokens: input.courseMonthlyTokens !== undefined ? input.courseMonthlyTokens : current.courseMonthlyTokens,
      updatedAt: new Date(),
    };
    await this.d.db.insert(tutorSettings).values(values).onConflictDoUpdate({ target: tutorSettings.courseId, set: values });
    return this.settingsOf(this.d.db, courseId);
  }

  /** Lets the tutor answer "@tutor" in a course, group or live room, with an optional mode of its own (staff). */
  async setRoomTutor(viewer: Viewer, roomId: string, enabled: boolean, mode: TutorMode | null): Promise<boolean> {
    const { room } = await this.d.rooms.access.requireRoomModerate(viewer, roomId);
    if (mode !== null && !TUTOR_MODES.includes(mode)) throw new AppError('BAD_USER_INPUT', 'The mode is socratic, explain or review.', { field: 'mode' });
    await this.d.db.update(rooms).set({ tutorEnabled: enabled, tutorMode: mode, updatedAt: new Date() }).where(eq(rooms.id, room.id));
    return enabled;
  }

  // ------------------------------------------------------------------ asking

  /**
   * RoomService's hook, inside the transaction that stores a person's message: a question for the tutor becomes
   * a request in that same transaction (a question is never stored without its request), and once committed, a
   * QUEUED signal and a job.
   */
  async onPosted(tx: Tx, room: RoomInfo, message: MessageView, authorId: string): Promise<(() => Promise<void>) | null> {
    if (message.kind === 'system') return null;
    let asks = false;
    if (room.kind === 'tutor') asks = room.ownerId === authorId;
    else if (MENTION.test(message.body)) {
      const [row] = await tx.select({ enabled: rooms.tutorEnabled }).from(rooms).where(eq(rooms.id, room.id));
      asks = !!row?.enabled;
    }
    if (!asks) return null;
    const [req] = await tx
      .insert(tutorRequests)
      .values({ tenantId: room.tenantId, courseId: room.courseId, roomId: room.id, userId: authorId, questionId: message.id })
      .onConflictDoNothing()
      .returning({ id: tutorRequests.id });
    if (!req) return null;
    return () => this.queued(room, req.id, message.id);
  }

  /**
   * A committed request's QUEUED signal and its job, at once. If the queue cannot take the job, the request
   * fails at once and the room offers a retry (and, should this process die first, `requeueStale` finds it).
   */
  private async queued(room: RoomInfo, requestId: string, questionId: string): Promise<void> {
    await Promise.all([this.signal(room, { requestId, questionId, state: 'queued', text: '' }), this.enqueue(requestId, requestId).catch(() => {})]);
  }

  /**
   * Puts a request's job on the queue. When the queue cannot take it (Redis unreachable), the request fails
   * so that it can be retried, and the error (SERVICE_UNAVAILABLE, retryable) is thrown.
   */
  private async enqueue(requestId: string, jobId: string): Promise<void> {
    const queue = this.queue;
    try {
      // The job id makes a second enqueue of the same question a no-op.
      await enqueue(() => queue.add('reply', { task: 'reply', requestId }, { jobId, attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 5000 }));
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message, requestId }, 'tutor: the job could not be queued');
      await this.fail(requestId, 'The job queue was unavailable.').catch((e: unknown) => this.d.log.error({ err: e, requestId }, 'tutor: could not mark the request failed'));
      throw err;
    }
  }

  /**
   * Questions whose job was lost: requests still queued `olderThanMs` after they were last changed, with no job
   * waiting, delayed or running for them (the process that stored the question died before queueing it, or
   * Redis lost the job). Each is queued again, under a job id of its own for that state, so that sweeping twice
   * adds nothing. The housekeeping worker runs this every minute.
   */
  async requeueStale(olderThanMs = 60_000): Promise<number> {
    const queue = this.queue;
    const stale = await this.d.db
      .select({ id: tutorRequests.id, calls: tutorRequests.calls, updatedAt: tutorRequests.updatedAt })
      .from(tutorRequests)
      .where(and(eq(tutorRequests.status, 'queued'), lt(tutorRequests.updatedAt, new Date(Date.now() - olderThanMs))))
      .orderBy(asc(tutorRequests.updatedAt))
      .limit(500);
    let requeued = 0;
    for (const r of stale) {
      const again = `${r.id}-requeue-${r.updatedAt.getTime()}`;
      // The job ids a queued request can have: its first, its latest retry's, and this sweep's.
      const states = await Promise.all([r.id, `${r.id}-retry-${r.calls}`, again].map((id) => queue.getJobState(id)));
      if (states.some((st) => LIVE_JOB_STATES.has(st))) continue;
      if (states[2] !== 'unknown') continue; // queued again already, and that job ended: not again and again
      // A queue that cannot take it fails the request (enqueue), which leaves it to the student's retry.
      if (await this.enqueue(r.id, again).then(() => true, () => false)) {
        this.d.log.warn({ requestId: r.id }, 'tutor: a queued question had no job; queued again');
        requeued++;
      }
    }
    return requeued;
  }

  /** Stops a reply being written (the asker, or staff of the course). */
  async cancel(viewer: Viewer, requestId: string): Promise<boolean> {
    const req = await this.requestFor(viewer, requestId);
    const [row] = await this.d.db
      .update(tutorRequests)
      .set({ status: 'cancelled', updatedAt: new Date() })
      .where(and(eq(tutorRequests.id, req.id), inArray(tutorRequests.status, ['queued', 'running'])))
      .returning();
    if (row && req.status === 'queued') {
      // Never started: nothing holds a reservation, and the worker will skip it.
      const room = await this.d.rooms.access.room(req.roomId);
      if (room) await this.signal(room, { requestId: req.id, questionId: req.questionId, state: 'cancelled', text: '' });
    }
    return !!row;
  }

  /** Asks again after a failure or a stop: a new job for the same request. */
  async retry(viewer: Viewer, requestId: string): Promise<boolean> {
    const req = await this.requestFor(viewer, requestId);
    const [row] = await this.d.db
      .update(tutorRequests)
      .set({ status: 'queued', error: null, replyId: null, updatedAt: new Date() })
      .where(and(eq(tutorRequests.id, req.id), inArray(tutorRequests.status, ['failed', 'cancelled', 'refused'])))
      .returning();
    if (!row) throw new AppError('CONFLICT', 'This reply is not stopped or failed: nothing to retry.');
    await this.enqueue(req.id, `${req.id}-retry-${row.calls}`);
    const room = await this.d.rooms.access.room(req.roomId);
    if (room) await this.signal(room, { requestId: req.id, questionId: req.questionId, state: 'queued', text: '' });
    return true;
  }

  private async requestFor(viewer: Viewer, requestId: string) {
    if (viewer.kind !== 'session' || !isUuid(requestId)) throw notFound('The tutor request');
    const [req] = await this.d.db.select().from(tutorRequests).where(and(eq(tutorRequests.id, requestId), eq(tutorRequests.tenantId, viewer.tenantId)));
    if (!req) throw notFound('The tutor request');
    const { rights } = await this.d.rooms.access.requireRoomRead(viewer, req.roomId).catch(() => {
      throw notFound('The tutor request');
    });
    if (req.userId !== viewer.userId && !rights.moderate && !(await this.isStaff(viewer, req.courseId))) throw new AppError('FORBIDDEN', 'Only who asked, or an instructor, can do this.');
    return req;
  }

  private async isStaff(viewer: Viewer, courseId: string): Promise<boolean> {
    if (viewer.kind !== 'session') return false;
    const m = await this.d.access.membership(courseId, viewer.userId);
    return !!m && m.active && isStaff(m.roles);
  }

  // ------------------------------------------------------------- the worker

  /**
   * Produces the reply of one request: called by the worker for each delivery of its job. Safe to call
   * twice, after a crash, or concurrently (a lease keeps a second delivery out while the first is alive).
   * Throws for a retryable provider error, so that BullMQ tries again with backoff.
   */
  async run(requestId: string, jobId: string): Promise<'done' | 'skipped' | 'refused' | 'cancelled' | 'failed'> {
    const [req] = await this.d.db.select().from(tutorRequests).where(eq(tutorRequests.id, requestId));
    if (!req) return 'skipped';
    if (!['queued', 'running'].includes(req.status)) {
      // Cancelled while its worker was gone: give back what that attempt held.
      if (req.reservedTokens > 0) await this.d.realtime.write((tx) => this.release(tx, req));
      return 'skipped';
    }
    const room = await this.d.rooms.access.room(req.roomId);
    if (!room) return 'skipped';
    const prepared = await this.prepare(req, room);
    const reserved = await this.reserve(req.id, prepared.estimate, prepared.settings);
    if (reserved.kind === 'busy') throw new TutorBusyError();
    if (reserved.kind === 'gone') return 'skipped';
    if (reserved.kind === 'refused') {
      await this.d.rooms.postSystem(room.id, reserved.message, { event: 'tutor-budget' });
      await this.signal(room, { requestId: req.id, questionId: req.questionId, state: 'refused', text: '' });
      await this.publishUsage(req.userId, req.courseId, room.tenantId);
      return 'refused';
    }
    return this.answer({ req, room, jobId, call: reserved.call, ...prepared });
  }

  /** What a reply needs before its budget is reserved: the settings, the tutor's user, the context and its estimate. */
  private async prepare(req: TutorRequest, room: RoomInfo): Promise<Pick<Reply, 'settings' | 'tutorId' | 'context'> & { estimate: number }> {
    // Independent reads at once: each is a round trip on the way to the first token.
    const [settings, [roomRow], tutorId, [course], history] = await Promise.all([
      this.settingsOf(this.d.db, req.courseId),
      this.d.db.select({ tutorMode: rooms.tutorMode }).from(rooms).where(eq(rooms.id, room.id)),
      this.tutorUser(room.tenantId),
      this.d.db.select({ title: courses.title }).from(courses).where(eq(courses.id, req.courseId)),
      this.history(room.id, req.questionId),
    ]);
    const mode = (roomRow?.tutorMode as TutorMode | null) ?? settings.mode;
    const context = this.context(history, room, tutorId, mode, settings.brief, course?.title ?? 'this course');
    const estimate = Math.ceil(countChatTokens(context) * 1.1) + this.d.config.tutorMaxReplyTokens;
    return { settings, tutorId, context, estimate };
  }

  /** One provider call with its budget reserved: streamed into the room, then posted, stopped or failed. */
  private async answer(r: Reply): Promise<'done' | 'cancelled' | 'failed'> {
    const { req, room } = r;
    // Not awaited: the provider call does not wait for the publish (signals of one stream stay in order).
    void this.signal(room, { requestId: req.id, questionId: req.questionId, state: 'thinking', text: '' });
    const lease = this.holdLease(req.id);
    const streamed = { text: '' };
    try {
      const result = await this.stream(r, lease.signal, streamed);
      lease.stop();
      return await this.post(r, result);
    } catch (err) {
      lease.stop();
      return this.afterFailure(r, err, streamed.text, lease.cancelled);
    }
  }

  /**
   * While a reply is produced, one statement every 400 ms renews the request's lease and tells whether the asker
   * cancelled: then `signal` aborts the provider call.
   */
  private holdLease(requestId: string): { signal: AbortSignal; readonly cancelled: boolean; stop(): void } {
    const abort = new AbortController();
    let cancelled = false;
    const watch = setInterval(() => {
      this.d.db
        .update(tutorRequests)
        .set({ leaseUntil: new Date(Date.now() + this.d.config.tutorLockMs) })
        .where(eq(tutorRequests.id, requestId))
        .returning({ status: tutorRequests.status })
        .then(([r]) => {
          if (r?.status === 'cancelled') {
            cancelled = true;
            abort.abort();
          }
        })
        .catch(() => {});
    }, 400);
    return {
      signal: abort.signal,
      get cancelled() {
        return cancelled;
      },
      stop: () => clearInterval(watch),
    };
  }

  /** The provider's reply, its text so far sent to the room as STREAMING signals (at most one per PARTIAL_EVERY_MS). */
  private async stream({ req, room, context }: Reply, signal: AbortSignal, streamed: { text: string }) {
    let lastSent = 0;
    const onDelta = (delta: string) => {
      streamed.text += delta;
      const now = Date.now();
      if (now - lastSent >= PARTIAL_EVERY_MS) {
        lastSent = now;
        void this.signal(room, { requestId: req.id, questionId: req.questionId, state: 'streaming', text: streamed.text });
      }
    };
    return this.d.provider.stream({ model: this.d.config.aiModel, messages: context, maxTokens: this.d.config.tutorMaxReplyTokens, signal, onDelta });
  }

  /** The reply in the room, the request done and the call in the ledger, in one transaction. */
  private async post(r: Reply, result: StreamResult): Promise<'done'> {
    const { req, room } = r;
    const usage = result.usage ?? { promptTokens: countChatTokens(r.context), completionTokens: countTokens(result.text) };
    const body = result.text.trim() || '(The tutor had nothing to say to that. Try asking differently.)';
    await this.d.realtime.write(async (tx) => {
      const reply = await this.d.rooms.postAs(room.id, r.tutorId, body, `tutor-${req.id}`);
      await tx.update(tutorRequests).set({ status: 'done', replyId: reply.id, error: null, updatedAt: new Date() }).where(eq(tutorRequests.id, req.id));
      // Last: the budget rows every question of the course contends for are locked only until the commit.
      await this.record(req, room, r.call, r.jobId, usage, this.sourceOf(result.usage), 'done');
    });
    await this.signal(room, { requestId: req.id, questionId: req.questionId, state: 'done', text: '' });
    await this.afterUsage(req.userId, req.courseId, room.tenantId, r.settings);
    return 'done';
  }

  /**
   * A call that did not end with a reply: stopped by the asker (what was streamed is kept, marked as stopped), or
   * failed (retried when the error is retryable). Either way the call is in the ledger with what it consumed.
   */
  private async afterFailure(r: Reply, err: unknown, text: string, cancelled: boolean): Promise<'cancelled' | 'failed'> {
    const { req, room, call, jobId } = r;
    const pe = err instanceof ProviderError ? err : new ProviderError(String((err as Error)?.message ?? err), true, null, { text, usage: null });
    const streamed = pe.partial.text || text;
    // A call the provider refused outright (an HTTP error before any text) consumed nothing; one cut off
    // mid-stream counts what the provider reported, else what the tokenizer counts.
    const usage = pe.partial.usage ?? (pe.status !== null && !streamed ? { promptTokens: 0, completionTokens: 0 } : { promptTokens: countChatTokens(r.context), completionTokens: countTokens(streamed) });
    const source = this.sourceOf(pe.partial.usage);
    if (cancelled) {
      const partial = streamed.trim();
      await this.d.realtime.write(async (tx) => {
        await this.record(req, room, call, jobId, usage, source, 'cancelled');
        const reply = partial ? await this.d.rooms.postAs(room.id, r.tutorId, `${partial}\n\n_(stopped)_`, `tutor-${req.id}:stopped:${call}`) : null;
        await tx.update(tutorRequests).set({ replyId: reply?.id ?? null, updatedAt: new Date() }).where(eq(tutorRequests.id, req.id));
      });
      await this.signal(room, { requestId: req.id, questionId: req.questionId, state: 'cancelled', text: '' });
      await this.afterUsage(req.userId, req.courseId, room.tenantId, r.settings);
      return 'cancelled';
    }
    await this.d.realtime.write(async (tx) => {
      await this.record(req, room, call, jobId, usage, source, 'failed');
      await tx.update(tutorRequests).set({ status: pe.retryable ? 'queued' : 'failed', error: pe.message.slice(0, 500), updatedAt: new Date() }).where(eq(tutorRequests.id, req.id));
    });
    await this.afterUsage(req.userId, req.courseId, room.tenantId, r.settings);
    if (pe.retryable) throw pe;
    await this.fail(req.id, pe.message);
    return 'failed';
  }

  /** The last attempt failed for good (or the error was not retryable): say so in the room. */
  async fail(requestId: string, reason: string): Promise<void> {
    const [req] = await this.d.db
      .update(tutorRequests)
      .set({ status: 'failed', error: reason.slice(0, 500), updatedAt: new Date() })
      .where(and(eq(tutorRequests.id, requestId), ne(tutorRequests.status, 'done'), ne(tutorRequests.status, 'cancelled')))
      .returning();
    if (!req) return;
    const room = await this.d.rooms.access.room(req.roomId);
    if (!room) return;
    await this.d.rooms.postSystem(room.id, 'The tutor could not answer this question right now. You can retry it.', { event: 'tutor-failed', requestId });
    await this.signal(room, { requestId: req.id, questionId: req.questionId, state: 'failed', text: '' });
  }

  /**
   * Takes the budget for one provider call, atomically: the estimate is reserved if used + reserved + estimate
   * stays within both budgets. Concurrent questions serialise on the counter rows, so they can never overspend
   * together.
   *
   * One statement in the usual case: it locks the request and the two counter rows (course, then user, as
   * everywhere), decides, and reserves or refuses, so a course's counters stay locked for one statement rather
   * than for the round trips of a transaction. The first question of a period makes the period's rows and asks
   * again; a request still holding an earlier attempt's reservation (a crashed worker) goes through
   * `reserveReleasing`.
   */
  private async reserve(requestId: string, estimate: number, settings: TutorSettingsView): Promise<Reservation> {
    const [now, userDay, courseMonth] = [new Date(), day(), month()];
    const leaseUntil = new Date(now.getTime() + this.d.config.tutorLockMs);
    for (let attempt = 0; attempt < 2; attempt++) {
      const [r] = await rows<{ verdict: string; tenant_id: string; user_key: string; course_key: string; calls: number | null; user_used: string | null; user_reserved: string | null }>(
        this.d.db,
        sql`with req as (
              select id, tenant_id, status, lease_until, reserved_tokens, user_id || ':' || ${userDay} as user_key, course_id || ':' || ${courseMonth} as course_key
              from ${tutorRequests} where id = ${requestId} for update
            ), counters as (
              select c.scope, c.used, c.reserved from ${budgetCounters} c, req
              where (c.scope, c.key) in (('course-month', req.course_key), ('user-day', req.user_key))
              order by c.scope for update of c
            ), verdict as (
              select case
                when not exists (select 1 from req) or (select status from req) not in ('queued', 'running') then 'gone'
                when (select status = 'running' and lease_until > ${now.toISOString()}::timestamptz from req) then 'busy'
                when (select reserved_tokens from req) > 0 then 'release'
                when (select count(*) from counters) < 2 then 'missing'
                when (select used + reserved from counters where scope = 'user-day') + ${estimate} > ${settings.userDailyTokens} then 'refused-user'
                when (select used + reserved from counters where scope = 'course-month') + ${estimate} > ${settings.courseMonthlyTokens} then 'refused-course'
                else 'ok' end as v
            ), taken as (
              update ${budgetCounters} c set reserved = c.reserved + ${estimate}, updated_at = now()
              from req where (c.scope, c.key) in (('course-month', req.course_key), ('user-day', req.user_key)) and (select v from verdict) = 'ok'
            ), marked as (
              update ${tutorRequests} t
              set status = case when (select v from verdict) = 'ok' then 'running' else 'refused' end,
                  reserved_tokens = case when (select v from verdict) = 'ok' then ${estimate} else 0 end,
                  reserved_day = case when (select v from verdict) = 'ok' then req.user_key else t.reserved_day end,
                  reserved_month = case when (select v from verdict) = 'ok' then req.course_key else t.reserved_month end,
                  calls = t.calls + case when (select v from verdict) = 'ok' then 1 else 0 end,
                  lease_until = case when (select v from verdict) = 'ok' then ${leaseUntil.toISOString()}::timestamptz else t.lease_until end,
                  updated_at = now()
              from req where t.id = req.id and (select v from verdict) in ('ok', 'refused-user', 'refused-course')
              returning t.calls
            )
            select (select v from verdict) as verdict, req.tenant_id, req.user_key, req.course_key, (select calls from marked) as calls,
                   (select used from counters where scope = 'user-day') as user_used, (select reserved from counters where scope = 'user-day') as user_reserved
            from (select 1) one left join req on true`,
      );
      switch (r?.verdict) {
        case 'ok':
          return { kind: 'ok', call: Number(r.calls) };
        case 'busy':
          return { kind: 'busy' };
        case 'refused-user':
          return { kind: 'refused', message: refusal('user', settings, estimate, Number(r.user_used) + Number(r.user_reserved)) };
        case 'refused-course':
          return { kind: 'refused', message: refusal('course', settings, estimate, 0) };
        case 'release':
          return this.reserveReleasing(requestId, estimate, settings);
        case 'missing':
          // The period's first question: its counter rows, outside any lock; then the same statement again.
          await this.d.db
            .insert(budgetCounters)
            .values([
              { scope: 'course-month', key: r.course_key, tenantId: r.tenant_id },
              { scope: 'user-day', key: r.user_key, tenantId: r.tenant_id },
            ])
            .onConflictDoNothing();
          continue;
        default:
          return { kind: 'gone' };
      }
    }
    return this.reserveReleasing(requestId, estimate, settings);
  }

  /**
   * `reserve` in a transaction, for a request that still holds an earlier attempt's reservation: that is
   * released first, then the estimate reserved under the same locks.
   */
  private async reserveReleasing(requestId: string, estimate: number, settings: TutorSettingsView): Promise<Reservation> {
    return this.d.realtime.write(async (tx) => {
      const [req] = await tx.select().from(tutorRequests).where(eq(tutorRequests.id, requestId)).for('update');
      if (!req || !['queued', 'running'].includes(req.status)) return { kind: 'gone' as const };
      if (req.status === 'running' && req.leaseUntil && req.leaseUntil.getTime() > Date.now()) return { kind: 'busy' as const };
      await this.release(tx, req);
      const userKey = `${req.userId}:${day()}`;
      const courseKey = `${req.courseId}:${month()}`;
      // Always the same lock order (course, then user), so two requests never deadlock. A period's rows are made
      // by its first question (then the lock is read again); later questions lock them in one round trip.
      const lockCounters = () =>
        tx
          .select()
          .from(budgetCounters)
          .where(sql`(${budgetCounters.scope}, ${budgetCounters.key}) in (('course-month', ${courseKey}), ('user-day', ${userKey}))`)
          .orderBy(asc(budgetCounters.scope))
          .for('update');
      let locked = await lockCounters();
      if (locked.length < 2) {
        await tx
          .insert(budgetCounters)
          .values([
            { scope: 'course-month', key: courseKey, tenantId: req.tenantId },
            { scope: 'user-day', key: userKey, tenantId: req.tenantId },
          ])
          .onConflictDoNothing();
        locked = await lockCounters();
      }
      const course = locked.find((r) => r.scope === 'course-month')!;
      const user = locked.find((r) => r.scope === 'user-day')!;
      if (user.used + user.reserved + estimate > settings.userDailyTokens) {
        await tx.update(tutorRequests).set({ status: 'refused', reservedTokens: 0, updatedAt: new Date() }).where(eq(tutorRequests.id, requestId));
        return { kind: 'refused' as const, message: refusal('user', settings, estimate, user.used + user.reserved) };
      }
      if (course.used + course.reserved + estimate > settings.courseMonthlyTokens) {
        await tx.update(tutorRequests).set({ status: 'refused', reservedTokens: 0, updatedAt: new Date() }).where(eq(tutorRequests.id, requestId));
        return { kind: 'refused' as const, message: refusal('course', settings, estimate, 0) };
      }
      // Both counters and the request in one statement (the rows are locked already).
      const leaseUntil = new Date(Date.now() + this.d.config.tutorLockMs);
      const [updated] = await rows<{ calls: number }>(
        tx,
        sql`with counters as (
              update ${budgetCounters} set reserved = reserved + ${estimate}, updated_at = now()
              where (scope, key) in (('course-month', ${courseKey}), ('user-day', ${userKey})))
            update ${tutorRequests}
            set status = 'running', reserved_tokens = ${estimate}, reserved_day = ${userKey}, reserved_month = ${courseKey},
                calls = calls + 1, lease_until = ${leaseUntil.toISOString()}::timestamptz, updated_at = now()
            where id = ${requestId}
            returning calls`,
      );
      return { kind: 'ok' as const, call: Number(updated!.calls) };
    });
  }

  /** Gives back what a request holds reserved (in the periods it reserved in). */
  private async release(tx: Tx, req: typeof tutorRequests.$inferSelect): Promise<void> {
    if (req.reservedTokens <= 0) return;
    // Course before user, as everywhere: two transactions never lock these rows in opposite orders.
    for (const [scope, key] of [['course-month', req.reservedMonth], ['user-day', req.reservedDay]] as const) {
      if (key) await tx.update(budgetCounters).set({ reserved: sql`greatest(0, ${budgetCounters.reserved} - ${req.reservedTokens})` }).where(and(eq(budgetCounters.scope, scope), eq(budgetCounters.key, key)));
    }
    await tx.update(tutorRequests).set({ reservedTokens: 0 }).where(eq(tutorRequests.id, req.id));
  }

  /**
   * The ledger row of one provider call and the budget settlement, exactly once: the row is unique per
   * (request, call), and a call whose row exists changes nothing more.
   */
  private async record(
    req: typeof tutorRequests.$inferSelect,
    room: RoomInfo,
    call: number,
    jobId: string,
    usage: { promptTokens: number; completionTokens: number },
    source: 'provider' | 'tokenizer',
    outcome: 'done' | 'cancelled' | 'failed',
  ): Promise<void> {
    await this.d.realtime.write(async (tx) => {
      const [fresh] = await tx.select().from(tutorRequests).where(eq(tutorRequests.id, req.id)).for('update');
      const model = this.d.config.aiModel;
      const inserted = await tx
        .insert(usageLedger)
        .values({
          tenantId: room.tenantId,
          courseId: req.courseId,
          userId: req.userId,
          roomId: room.id,
          requestId: req.id,
          call,
          jobId,
          model,
          promptTokens: usage.promptTokens,
          completionTokens: usage.completionTokens,
          costMicros: costMicros(model, usage.promptTokens, usage.completionTokens),
          source,
          outcome,
        })
        .onConflictDoNothing()
        .returning({ id: usageLedger.id });
      if (inserted.length === 0) return;
      const total = usage.promptTokens + usage.completionTokens;
      await this.release(tx, fresh!);
      for (const [scope, key] of [['course-month', fresh!.reservedMonth ?? `${req.courseId}:${month()}`], ['user-day', fresh!.reservedDay ?? `${req.userId}:${day()}`]] as const) {
        await tx
          .insert(budgetCounters)
          .values({ scope, key, tenantId: room.tenantId, used: total })
          .onConflictDoUpdate({ target: [budgetCounters.scope, budgetCounters.key], set: { used: sql`${budgetCounters.used} + ${total}`, updatedAt: new Date() } });
      }
    });
  }

  /** After a call: push the asker's remaining budget, and warn once a day when it crosses the threshold. */
  private async afterUsage(userId: string, courseId: string, tenantId: string, settings: TutorSettingsView): Promise<void> {
    const usage = await this.publishUsage(userId, courseId, tenantId);
    if (settings.userDailyTokens > 0 && usage.usedToday * 100 >= settings.userDailyTokens * this.d.config.tutorWarnPercent) {
      const dedupeKey = `tutor-budget:${courseId}:${day()}`;
      // notify() drops a repeat only while the first is unread: once read, it must still not come back today.
      const [sent] = await this.d.db.select({ id: notifications.id }).from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.dedupeKey, dedupeKey))).limit(1);
      if (sent) return;
      await this.d.notifications.notify([
        {
          tenantId,
          userId,
          courseId,
          type: 'tutor_budget_warning',
          excerpt: `You have used ${Math.min(100, Math.floor((usage.usedToday * 100) / settings.userDailyTokens))}% of today's AI tutor budget.`,
          dedupeKey,
          data: { usedToday: usage.usedToday, dailyLimit: settings.userDailyTokens },
        },
      ]);
    }
  }

  /** 'provider' only for usage an AI provider reported; the offline tutor's is counted here, by the tokenizer. */
  private sourceOf(usage: { promptTokens: number; completionTokens: number } | null): 'provider' | 'tokenizer' {
    return usage && this.d.provider.kind === 'openai' ? 'provider' : 'tokenizer';
  }

  private async publishUsage(userId: string, courseId: string, tenantId: string): Promise<UsageView> {
    const usage = await this.usageOf(userId, courseId);
    await this.d.realtime.write((_tx, emit) => emit(userStream(userId), { tenantId, type: 'tutor.usage', payload: usage }));
    return usage;
  }

  // ------------------------------------------------------------------ usage

  /** The viewer's usage now, with the position of their stream it reflects (tutorUsage follows it from there). */
  async myUsage(viewer: Viewer, courseId: string): Promise<UsageAt> {
    await this.d.access.requireCourseRead(viewer, courseId);
    if (viewer.kind !== 'session') throw new AppError('FORBIDDEN', 'Usage belongs to people; see the course report instead.');
    // The head before the counters: a reply counted after it is also an event after it, which the follower gets.
    const cursor = String(await this.d.realtime.head(userStream(viewer.userId)));
    return { ...(await this.usageOf(viewer.userId, courseId)), cursor };
  }

  private async usageOf(userId: string, courseId: string): Promise<UsageView> {
    const settings = await this.settingsOf(this.d.db, courseId);
    const rows = await this.d.db
      .select({ scope: budgetCounters.scope, used: budgetCounters.used })
      .from(budgetCounters)
      .where(sql`(${budgetCounters.scope}, ${budgetCounters.key}) in (('course-month', ${`${courseId}:${month()}`}), ('user-day', ${`${userId}:${day()}`}))`);
    return {
      courseId,
      usedToday: rows.find((r) => r.scope === 'user-day')?.used ?? 0,
      dailyLimit: settings.userDailyTokens,
      courseUsedThisMonth: rows.find((r) => r.scope === 'course-month')?.used ?? 0,
      courseMonthlyLimit: settings.courseMonthlyTokens,
      warnPercent: this.d.config.tutorWarnPercent,
    };
  }

  /** Per-course usage by day, by student and by model over the last `days` days (staff; API keys with read that reach the course). */
  async report(viewer: Viewer, courseId: string, days: number): Promise<UsageReport> {
    // Staff of the course, or an integrator's key with the read scope.
    await this.d.access.requireCourseStaffRead(viewer, courseId);
    if (!Number.isInteger(days) || days < 1 || days > 366) throw new AppError('BAD_USER_INPUT', 'days is between 1 and 366.', { field: 'days' });
    const since = new Date(Date.now() - days * 86_400_000);
    const where = and(eq(usageLedger.courseId, courseId), eq(usageLedger.tenantId, viewer.tenantId), gte(usageLedger.createdAt, since));
    const sums = {
      promptTokens: sql<number>`coalesce(sum(${usageLedger.promptTokens}), 0)::int`,
      completionTokens: sql<number>`coalesce(sum(${usageLedger.completionTokens}), 0)::int`,
      costMicros: sql<number>`coalesce(sum(${usageLedger.costMicros}), 0)::bigint`,
      calls: sql<number>`count(*)::int`,
    };
    const dayExpr = sql<string>`to_char(${usageLedger.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
    const byDay = await this.d.db.select({ day: dayExpr, ...sums }).from(usageLedger).where(where).groupBy(dayExpr).orderBy(dayExpr);
    const byStudent = await this.d.db
      .select({ userId: usageLedger.userId, name: users.name, ...sums })
      .from(usageLedger)
      .innerJoin(users, eq(users.id, usageLedger.userId))
      .where(where)
      .groupBy(usageLedger.userId, users.name)
      .orderBy(desc(sql`sum(${usageLedger.promptTokens} + ${usageLedger.completionTokens})`))
      .limit(200);
    const byModel = await this.d.db.select({ model: usageLedger.model, ...sums }).from(usageLedger).where(where).groupBy(usageLedger.model).orderBy(usageLedger.model);
    const num = <T extends { costMicros: number }>(r: T) => ({ ...r, costMicros: Number(r.costMicros) });
    return { byDay: byDay.map(num), byStudent: byStudent.map(num), byModel: byModel.map(num) };
  }

  // --------------------------------------------------------------- helpers

  /** The room's recent history up to the question (newest first), without deleted and system lines. */
  private history(roomId: string, questionId: string) {
    return this.d.db
      .select({ authorId: messages.authorId, body: messages.body, name: users.name })
      .from(messages)
      .leftJoin(users, eq(users.id, messages.authorId))
      .where(
        and(
          eq(messages.roomId, roomId),
          isNull(messages.deletedAt),
          ne(messages.kind, 'system'),
          sql`${messages.seq} <= coalesce((select q.seq from ${messages} q where q.id = ${questionId}), 0)`,
        ),
      )
      .orderBy(desc(messages.seq))
      .limit(HISTORY_MESSAGES);
  }

  /** The history as chat turns (the tutor's messages as the assistant), newest kept within the token budget. */
  private context(rows: { authorId: string | null; body: string; name: string | null }[], room: RoomInfo, tutorId: string, mode: TutorMode, brief: string, courseTitle: string): ChatTurn[] {
    const system: ChatTurn = { role: 'system', content: systemPrompt(mode, courseTitle, brief) };
    const turns: ChatTurn[] = [];
    let budget = this.d.config.tutorContextTokens - countChatTokens([system]);
    for (const r of rows) {
      const turn: ChatTurn =
        r.authorId === tutorId ? { role: 'assistant', content: r.body } : { role: 'user', content: room.kind === 'tutor' ? r.body : `${r.name ?? 'Someone'}: ${r.body}` };
      const cost = countChatTokens([turn]);
      // The question itself always goes in, even when it alone is over the budget.
      if (turns.length > 0 && cost > budget) break;
      budget -= cost;
      turns.unshift(turn);
    }
    return [system, ...turns];
  }

  /** The tutor as a user of the tenant (the author of its replies). */
  private async tutorUser(tenantId: string): Promise<string> {
    const known = this.tutorUsers.get(tenantId);
    if (known) return known;
    const user = await upsertUser(this.d.db, { tenantId, subject: TUTOR_SUBJECT, name: 'AI tutor' });
    this.tutorUsers.set(tenantId, user.id);
    return user.id;
  }

  private async signal(room: RoomInfo, s: TutorSignal): Promise<void> {
    await this.d.realtime.signal(roomStream(room.id), { type: 'tutor', payload: { ...s, tenantId: room.tenantId } }, 60_000).catch((err: unknown) => this.d.log.warn({ err: (err as Error).message }, 'tutor: signal not sent'));
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** BullMQ job states in which a job will still run (or is running). */
const LIVE_JOB_STATES = new Set<string>(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

type Reservation = { kind: 'ok'; call: number } | { kind: 'busy' } | { kind: 'gone' } | { kind: 'refused'; message: string };

type TutorRequest = typeof tutorRequests.$inferSelect;

/** One reply being produced: its request and room, the job and provider call it is, and what it was prepared from. */
interface Reply {
  req: TutorRequest;
  room: RoomInfo;
  jobId: string;
  call: number;
  settings: TutorSettingsView;
  tutorId: string;
  context: ChatTurn[];
}

/** What a student reads when a question would go over a budget (`taken`: the user's used + reserved today). */
function refusal(scope: 'user' | 'course', settings: TutorSettingsView, estimate: number, taken: number): string {
  if (scope === 'course') return `This course has used its AI tutor budget for the month (${fmt(settings.courseMonthlyTokens)} tokens). Your instructor can raise it.`;
  const left = Math.max(0, settings.userDailyTokens - taken);
  return `This question needs up to ${fmt(estimate)} tokens and ${fmt(left)} of your ${fmt(settings.userDailyTokens)} for today are left, so the tutor did not answer. Your budget starts again at 00:00 UTC; your instructor can raise it.`;
}

function systemPrompt(mode: TutorMode, courseTitle: string, brief: string): string {
  const modes: Record<TutorMode, string> = {
    socratic:
      'Mode: Socratic. Guide the student with questions and hints so that they find the answer themselves. Do not hand out full solutions or finished code, even when asked; explain why if they insist.',
    explain: 'Mode: explain. Explain concepts clearly and step by step, with small examples. For graded work, explain the ideas rather than giving the finished answer.',
    review: 'Mode: code review. Review the code the student shares: point out bugs, unclear parts and better practices, and ask about their intent. Do not rewrite their whole solution.',
  };
  return [
    `You are the AI tutor of the course "${courseTitle}". Be accurate, kind and brief; say so when you are not sure.`,
    modes[mode],
    brief.trim() ? `Course brief:\n${brief.trim()}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}
