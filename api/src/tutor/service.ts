/**
 * The AI tutor. A student's question in their tutor room (or "@tutor" in a room where staff enabled it)
 * becomes a request row and a BullMQ job with the request's id, so a question is answered once. The worker
 * (`run`) builds the context, reserves the budget atomically, streams the provider's reply into the room as
 * ephemeral signals, then in one transaction writes the ledger row of that provider call, settles the budget
 * and posts the final message (idempotent by the request). Every rule about budgets lives here.
 */
import { and, asc, desc, eq, gte, inArray, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Queue } from 'bullmq';
import { budgetCounters, tutorRequests, tutorSettings, usageLedger } from './tables.js';
import { courses } from '../courses/tables.js';
import { messages, rooms } from '../rooms/tables.js';
import { notifications } from '../notifications/tables.js';
import { users } from '../users/tables.js';
import { rows, type Tx } from '../db/client.js';
import type { Emit, Feed, Realtime } from '../realtime/realtime.js';
import type { Access } from '../auth/access.js';
import type { RoomInfo } from '../rooms/access.js';
import type { Viewer } from '../auth/viewer.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { RoomService } from '../rooms/service.js';
import { roomStream } from '../rooms/events.js';
import type { MessageView } from '../rooms/views.js';
import type { NotificationService } from '../notifications/service.js';
import type { ActivityService } from '../activity/service.js';
import { userStream } from '../notifications/events.js';
import { tutorReportStream, type TutorReportEntry, type TutorSignal } from './events.js';
import { TOOL_SUBJECT_PREFIX, upsertUser } from '../users/service.js';
import { AppError, notFound } from '../errors.js';
import { cleanMultiline } from '../text.js';
import { isStaff } from '../courses/roles.js';
import { isUuid } from '../auth/access.js';
import { enqueue, type JobPayloads } from '../queue/queues.js';
import {
  countChatTokens,
  countEachChatTurn,
  countTokens,
  ProviderError,
  type ChatTurn,
  type StreamResult,
  type TutorProvider,
} from './provider.js';
import { costMicros } from './prices.js';

export type TutorMode = 'socratic' | 'explain' | 'review';
export const TUTOR_MODES: readonly TutorMode[] = ['socratic', 'explain', 'review'];
export const TUTOR_SUBJECT = `${TOOL_SUBJECT_PREFIX}ai-tutor`;
const MENTION = /(^|\s)@tutor\b/i;
const PARTIAL_EVERY_MS = 50;
const HISTORY_MESSAGES = 40;
const BRIEF_MAX = 20_000;
/** The largest budget (tokens) either setting takes: within GraphQL's Int and the column's integer. */
const BUDGET_MAX = 2_000_000_000;

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
  /** Held by questions being answered now (released or settled when each ends). */
  reservedToday: number;
  dailyLimit: number;
  courseUsedThisMonth: number;
  courseReservedThisMonth: number;
  courseMonthlyLimit: number;
  warnPercent: number;
  /** What one question holds while it is answered: the next is answered only if this much is left (`reserve`). */
  tokensPerQuestion: number;
  /** Questions the tutor will answer now, at least: 0 exactly when the next one would be refused. */
  questionsLeft: number;
  /** Why the next question would be refused: the student's day or the course's month is used up. */
  blockedBy: 'day' | 'month' | null;
  /** When the student's daily budget starts again (ISO; the next 00:00 UTC). */
  resetsAt: string;
  /** When the refusal lifts by itself (ISO): the day's reset, or the next month's for the course's budget. */
  blockedUntil: string | null;
}

/** Usage with the position of the user's stream it reflects (`cursor`: pass as `after` to tutorUsage). */
export interface UsageAt extends UsageView {
  cursor: string;
}

interface UsageSums {
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
  /** Provider calls. */
  calls: number;
  /** Questions refused for the budget (no call). */
  refused: number;
}

export interface UsageReport {
  /** The position of the course's tutor report stream the sums reflect: tutorReportEvents follows from it. */
  cursor: string;
  byDay: ({ day: string } & UsageSums)[];
  byStudent: ({ userId: string; name: string; tutorRoomId: string | null } & UsageSums)[];
  byModel: ({ model: string } & Omit<UsageSums, 'refused'>)[];
}

/** One ledger row as the course's report follows it, with its position on the report's stream. */
export interface ReportEntryAt extends TutorReportEntry {
  cursor: string;
  at: string;
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
/** Where the budget periods end (they are UTC days and months, as `day` and `month`). */
const nextDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
const nextMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
/** Tokens kept for the question itself when a course's system prompt alone nearly fills the context budget. */
const QUESTION_ALLOWANCE = 1000;

interface Deps {
  db: Tx;
  realtime: Realtime;
  access: Access;
  config: Config;
  log: Logger;
  rooms: RoomService;
  notifications: NotificationService;
  /** Settings and budget changes go to the course's audit log; budget warnings to its activity feed. */
  activity: ActivityService;
  provider: TutorProvider;
  queue: Queue<JobPayloads['tutor']>;
}

export class TutorService {
  /** Where reply jobs go (a test swaps in one whose connection is gone, as when Redis is down). */
  queue: Queue<JobPayloads['tutor']>;
  private tutorUsers = new Map<string, string>();
  /** The longest system prompt of each course (over the modes) and its tokens, for `tokensPerQuestion`. */
  private systemTokensOf = new Map<string, { prompt: string; tokens: number }>();

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
  async updateSettings(
    viewer: Viewer,
    courseId: string,
    input: { mode?: TutorMode | null; brief?: string | null; userDailyTokens?: number | null; courseMonthlyTokens?: number | null },
  ): Promise<TutorSettingsView> {
    await this.d.access.requireCourseManage(viewer, courseId);
    if (input.mode != null && !TUTOR_MODES.includes(input.mode))
      throw new AppError('BAD_USER_INPUT', 'The mode is socratic, explain or review.', { field: 'mode' });
    const brief = input.brief != null ? cleanMultiline(input.brief, 'brief', 'caller') : null;
    if (brief != null && brief.length > BRIEF_MAX)
      throw new AppError('BAD_USER_INPUT', `The course brief can have at most ${BRIEF_MAX} characters.`, { field: 'brief' });
    const current = await this.settingsOf(this.d.db, courseId);
    // A budget below one question's need answers nothing: 0 says that plainly; anything else must fit a question.
    const perQuestion = await this.tokensPerQuestion({ ...current, brief: brief ?? current.brief });
    const budgets = [
      ['userDailyTokens', input.userDailyTokens, "A student's daily budget"],
      ['courseMonthlyTokens', input.courseMonthlyTokens, "The course's monthly budget"],
    ] as const;
    for (const [field, v, what] of budgets) {
      if (v != null && (!Number.isInteger(v) || v < 0 || (v > 0 && v < perQuestion) || v > BUDGET_MAX)) {
        throw new AppError(
          'BAD_USER_INPUT',
          `${what} is 0 (no questions) or a whole number of tokens from ${fmt(perQuestion)} (one question) to ${fmt(BUDGET_MAX)}.`,
          { field, min: perQuestion, max: BUDGET_MAX },
        );
      }
    }
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
    const saved = await this.d.realtime.write(async (tx) => {
      const before = await this.settingsOf(tx, courseId);
      await tx.insert(tutorSettings).values(values).onConflictDoUpdate({ target: tutorSettings.courseId, set: values });
      const after = await this.settingsOf(tx, courseId);
      const shape = (v: TutorSettingsView) => ({
        mode: v.mode,
        brief: v.brief,
        userDailyTokens: v.userDailyTokens,
        courseMonthlyTokens: v.courseMonthlyTokens,
      });
      if (JSON.stringify(shape(before)) !== JSON.stringify(shape(after)))
        await this.d.activity.recordAudit({
          tenantId: course!.tenantId,
          courseId,
          by: viewer,
          entity: 'tutor_settings',
          entityId: courseId,
          action:
            before.userDailyTokens !== after.userDailyTokens || before.courseMonthlyTokens !== after.courseMonthlyTokens
              ? 'budgets_changed'
              : 'updated',
          before: shape(before),
          after: shape(after),
        });
      return after;
    });
    if (
      saved.userDailyTokens !== current.userDailyTokens ||
      saved.courseMonthlyTokens !== current.courseMonthlyTokens ||
      saved.brief !== current.brief
    ) {
      await this.publishCourseUsage(courseId, course!.tenantId);
    }
    return saved;
  }

  /**
   * The budgets changed: every student with a tutor room in the course gets their usage again, so a meter (and a
   * refusal banner) follows a raised or lowered budget at once.
   */
  private async publishCourseUsage(courseId: string, tenantId: string): Promise<void> {
    const owners = await this.d.db
      .select({ userId: rooms.ownerId })
      .from(rooms)
      .where(and(eq(rooms.courseId, courseId), eq(rooms.kind, 'tutor')));
    const userIds = owners.flatMap((o) => (o.userId ? [o.userId] : []));
    const usages = await this.usagesOf(userIds, courseId);
    if (usages.length === 0) return;
    await this.d.realtime.write(async (_tx, emit) => {
      for (const [i, usage] of usages.entries()) await emit(userStream(userIds[i]!), { tenantId, type: 'tutor.usage', payload: usage });
    });
  }

  /** Lets the tutor answer "@tutor" in a course, group or live room, with an optional mode of its own (staff). */
  async setRoomTutor(viewer: Viewer, roomId: string, enabled: boolean, mode: TutorMode | null): Promise<boolean> {
    const { room } = await this.d.rooms.access.requireRoomModerate(viewer, roomId);
    if (mode !== null && !TUTOR_MODES.includes(mode))
      throw new AppError('BAD_USER_INPUT', 'The mode is socratic, explain or review.', { field: 'mode' });
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
    await Promise.all([
      this.signal(room, { requestId, questionId, state: 'queued', text: '' }),
      this.enqueue(requestId, requestId).catch(() => {}),
    ]);
  }

  /**
   * Puts a request's job on the queue. When the queue cannot take it (Redis unreachable), the request fails
   * so that it can be retried, and the error (SERVICE_UNAVAILABLE, retryable) is thrown.
   */
  private async enqueue(requestId: string, jobId: string): Promise<void> {
    const queue = this.queue;
    try {
      // The job id makes a second enqueue of the same question a no-op.
      await enqueue(() =>
        queue.add(
          'reply',
          { task: 'reply', requestId },
          { jobId, attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 5000 },
        ),
      );
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message, requestId }, 'tutor: the job could not be queued');
      await this.fail(requestId, 'The job queue was unavailable.').catch((e: unknown) =>
        this.d.log.error({ err: e, requestId }, 'tutor: could not mark the request failed'),
      );
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
      if (
        await this.enqueue(r.id, again).then(
          () => true,
          () => false,
        )
      ) {
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
    const [req] = await this.d.db
      .select()
      .from(tutorRequests)
      .where(and(eq(tutorRequests.id, requestId), eq(tutorRequests.tenantId, viewer.tenantId)));
    if (!req) throw notFound('The tutor request');
    const { rights } = await this.d.rooms.access.requireRoomRead(viewer, req.roomId).catch(() => {
      throw notFound('The tutor request');
    });
    if (req.userId !== viewer.userId && !rights.moderate && !(await this.isStaff(viewer, req.courseId)))
      throw new AppError('FORBIDDEN', 'Only who asked, or an instructor, can do this.');
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
      await this.recordRefusal(req, room, jobId);
      await this.d.rooms.postSystem(room.id, reserved.message, { event: 'tutor-budget' });
      await this.signal(room, { requestId: req.id, questionId: req.questionId, state: 'refused', text: '' });
      await this.publishUsage(req.userId, req.courseId, room.tenantId);
      return 'refused';
    }
    return this.answer({ req, room, jobId, call: reserved.call, ...prepared });
  }

  /** What a reply needs before its budget is reserved: the settings, the tutor's user, the context and its estimate. */
  private async prepare(
    req: TutorRequest,
    room: RoomInfo,
  ): Promise<Pick<Reply, 'settings' | 'tutorId' | 'context'> & { estimate: number }> {
    // Independent reads at once: each is a round trip on the way to the first token.
    const [settings, [roomRow], tutorId, [course], history] = await Promise.all([
      this.settingsOf(this.d.db, req.courseId),
      this.d.db.select({ tutorMode: rooms.tutorMode }).from(rooms).where(eq(rooms.id, room.id)),
      this.tutorUser(room.tenantId),
      this.d.db.select({ title: courses.title }).from(courses).where(eq(courses.id, req.courseId)),
      this.history(room.id, req.questionId),
    ]);
    const mode = (roomRow?.tutorMode as TutorMode | null) ?? settings.mode;
    const context = await this.context(history, room, tutorId, mode, settings.brief, course?.title ?? 'this course');
    const estimate = Math.ceil((await countChatTokens(context)) * 1.1) + this.d.config.tutorMaxReplyTokens;
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
    return this.d.provider.stream({
      model: this.d.config.aiModel,
      messages: context,
      maxTokens: this.d.config.tutorMaxReplyTokens,
      signal,
      onDelta,
    });
  }

  /** The reply in the room, the request done and the call in the ledger, in one transaction. */
  private async post(r: Reply, result: StreamResult): Promise<'done'> {
    const { req, room } = r;
    const usage = result.usage ?? { promptTokens: await countChatTokens(r.context), completionTokens: await countTokens(result.text) };
    const body = result.text.trim() || '(The tutor had nothing to say to that. Try asking differently.)';
    await this.d.realtime.write(async (tx) => {
      const reply = await this.d.rooms.postAs(room.id, r.tutorId, body, `tutor-${req.id}`);
      await tx
        .update(tutorRequests)
        .set({ status: 'done', replyId: reply.id, error: null, updatedAt: new Date() })
        .where(eq(tutorRequests.id, req.id));
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
    const pe =
      err instanceof ProviderError ? err : new ProviderError(String((err as Error)?.message ?? err), true, null, { text, usage: null });
    const streamed = pe.partial.text || text;
    // A call the provider refused outright (an HTTP error before any text) consumed nothing; one cut off
    // mid-stream counts what the provider reported, else what the tokenizer counts.
    const usage =
      pe.partial.usage ??
      (pe.status !== null && !streamed
        ? { promptTokens: 0, completionTokens: 0 }
        : { promptTokens: await countChatTokens(r.context), completionTokens: await countTokens(streamed) });
    const source = this.sourceOf(pe.partial.usage);
    if (cancelled) {
      const partial = streamed.trim();
      await this.d.realtime.write(async (tx) => {
        await this.record(req, room, call, jobId, usage, source, 'cancelled');
        const reply = partial
          ? await this.d.rooms.postAs(room.id, r.tutorId, `${partial}\n\n_(stopped)_`, `tutor-${req.id}:stopped:${call}`)
          : null;
        await tx
          .update(tutorRequests)
          .set({ replyId: reply?.id ?? null, updatedAt: new Date() })
          .where(eq(tutorRequests.id, req.id));
      });
      await this.signal(room, { requestId: req.id, questionId: req.questionId, state: 'cancelled', text: '' });
      await this.afterUsage(req.userId, req.courseId, room.tenantId, r.settings);
      return 'cancelled';
    }
    await this.d.realtime.write(async (tx) => {
      await this.record(req, room, call, jobId, usage, source, 'failed');
      await tx
        .update(tutorRequests)
        .set({ status: pe.retryable ? 'queued' : 'failed', error: pe.message.slice(0, 500), updatedAt: new Date() })
        .where(eq(tutorRequests.id, req.id));
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
    await this.d.rooms.postSystem(room.id, 'The tutor could not answer this question right now. You can retry it.', {
      event: 'tutor-failed',
      requestId,
    });
    await this.signal(room, { requestId: req.id, questionId: req.questionId, state: 'failed', text: '' });
  }

  /**
   * Takes the budget for one provider call, atomically: the question's need (its estimate, and never less than
   * `tokensPerQuestion`, so that the meter's `questionsLeft` follows this very rule) is reserved if used + reserved
   * + need stays within both budgets. Concurrent questions serialise on the counter rows, so they can never
   * overspend together.
   *
   * One statement in the usual case: it locks the request and the two counter rows (course, then user, as
   * everywhere), decides, and reserves or refuses, so a course's counters stay locked for one statement rather
   * than for the round trips of a transaction. The first question of a period makes the period's rows and asks
   * again; a request still holding an earlier attempt's reservation (a crashed worker) goes through
   * `reserveReleasing`.
   */
  private async reserve(requestId: string, questionEstimate: number, settings: TutorSettingsView): Promise<Reservation> {
    const perQuestion = await this.tokensPerQuestion(settings);
    const estimate = Math.max(questionEstimate, perQuestion);
    const [now, userDay, courseMonth] = [new Date(), day(), month()];
    const leaseUntil = new Date(now.getTime() + this.d.config.tutorLockMs);
    for (let attempt = 0; attempt < 2; attempt++) {
      const [r] = await rows<{
        verdict: string;
        tenant_id: string;
        user_key: string;
        course_key: string;
        calls: number | null;
        user_used: string | null;
        user_reserved: string | null;
      }>(
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
          return {
            kind: 'refused',
            message: refusal('user', settings, estimate, perQuestion, Number(r.user_used) + Number(r.user_reserved)),
          };
        case 'refused-course':
          return { kind: 'refused', message: refusal('course', settings, estimate, perQuestion, 0) };
        case 'release':
          return this.reserveReleasing(requestId, estimate, settings, perQuestion);
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
    return this.reserveReleasing(requestId, estimate, settings, perQuestion);
  }

  /**
   * `reserve` in a transaction, for a request that still holds an earlier attempt's reservation: that is
   * released first, then the estimate reserved under the same locks.
   */
  private async reserveReleasing(
    requestId: string,
    estimate: number,
    settings: TutorSettingsView,
    perQuestion: number,
  ): Promise<Reservation> {
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
        await tx
          .update(tutorRequests)
          .set({ status: 'refused', reservedTokens: 0, updatedAt: new Date() })
          .where(eq(tutorRequests.id, requestId));
        return { kind: 'refused' as const, message: refusal('user', settings, estimate, perQuestion, user.used + user.reserved) };
      }
      if (course.used + course.reserved + estimate > settings.courseMonthlyTokens) {
        await tx
          .update(tutorRequests)
          .set({ status: 'refused', reservedTokens: 0, updatedAt: new Date() })
          .where(eq(tutorRequests.id, requestId));
        return { kind: 'refused' as const, message: refusal('course', settings, estimate, perQuestion, 0) };
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
    for (const [scope, key] of [
      ['course-month', req.reservedMonth],
      ['user-day', req.reservedDay],
    ] as const) {
      if (key)
        await tx
          .update(budgetCounters)
          .set({ reserved: sql`greatest(0, ${budgetCounters.reserved} - ${req.reservedTokens})` })
          .where(and(eq(budgetCounters.scope, scope), eq(budgetCounters.key, key)));
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
    await this.d.realtime.write(async (tx, emit) => {
      // Read before the budget rows are locked: they stay locked until the commit.
      const who = await this.reportName(tx, room, req);
      const [fresh] = await tx.select().from(tutorRequests).where(eq(tutorRequests.id, req.id)).for('update');
      const model = this.d.config.aiModel;
      const cost = costMicros(model, usage.promptTokens, usage.completionTokens);
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
          costMicros: cost,
          source,
          outcome,
        })
        .onConflictDoNothing()
        .returning({ createdAt: usageLedger.createdAt });
      if (inserted.length === 0) return;
      const total = usage.promptTokens + usage.completionTokens;
      await this.release(tx, fresh!);
      for (const [scope, key] of [
        ['course-month', fresh!.reservedMonth ?? `${req.courseId}:${month()}`],
        ['user-day', fresh!.reservedDay ?? `${req.userId}:${day()}`],
      ] as const) {
        await tx
          .insert(budgetCounters)
          .values({ scope, key, tenantId: room.tenantId, used: total })
          .onConflictDoUpdate({
            target: [budgetCounters.scope, budgetCounters.key],
            set: { used: sql`${budgetCounters.used} + ${total}`, updatedAt: new Date() },
          });
      }
      // After the budget rows, as every writer of the report's stream: one lock order.
      await this.emitReportEntry(emit, room, req, who, inserted[0]!.createdAt, {
        model,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        costMicros: cost,
        calls: 1,
        refused: 0,
      });
    });
  }

  /**
   * A refused question in the ledger (call 0, no tokens: at most one per question, however often it is retried and
   * refused again), with its event for the course's report. Its transaction locks nothing else.
   */
  private async recordRefusal(req: TutorRequest, room: RoomInfo, jobId: string): Promise<void> {
    await this.d.realtime.write(async (tx, emit) => {
      const who = await this.reportName(tx, room, req);
      const model = this.d.config.aiModel;
      const inserted = await tx
        .insert(usageLedger)
        .values({
          tenantId: room.tenantId,
          courseId: req.courseId,
          userId: req.userId,
          roomId: room.id,
          requestId: req.id,
          call: 0,
          jobId,
          model,
          promptTokens: 0,
          completionTokens: 0,
          costMicros: 0,
          source: 'none',
          outcome: 'refused',
        })
        .onConflictDoNothing()
        .returning({ createdAt: usageLedger.createdAt });
      if (inserted.length === 0) return;
      await this.emitReportEntry(emit, room, req, who, inserted[0]!.createdAt, {
        model,
        promptTokens: 0,
        completionTokens: 0,
        costMicros: 0,
        calls: 0,
        refused: 1,
      });
    });
  }

  /** After a call: push the asker's remaining budget, and warn once a day when it crosses the threshold. */
  private async afterUsage(userId: string, courseId: string, tenantId: string, settings: TutorSettingsView): Promise<void> {
    const usage = await this.publishUsage(userId, courseId, tenantId);
    if (settings.userDailyTokens > 0 && usage.usedToday * 100 >= settings.userDailyTokens * this.d.config.tutorWarnPercent) {
      const dedupeKey = `tutor-budget:${courseId}:${day()}`;
      // notify() drops a repeat only while the first is unread: once read, it must still not come back today.
      const [sent] = await this.d.db
        .select({ id: notifications.id })
        .from(notifications)
        .where(and(eq(notifications.userId, userId), eq(notifications.dedupeKey, dedupeKey)))
        .limit(1);
      if (sent) return;
      const percent = Math.min(100, Math.floor((usage.usedToday * 100) / settings.userDailyTokens));
      // The warning and its line in the staff's activity feed, together.
      await this.d.realtime.write(async () => {
        await this.d.notifications.notify([
          {
            tenantId,
            userId,
            courseId,
            type: 'tutor_budget_warning',
            excerpt: `You have used ${percent}% of today's AI tutor budget.`,
            dedupeKey,
            data: { usedToday: usage.usedToday, dailyLimit: settings.userDailyTokens },
          },
        ]);
        await this.d.activity.recordActivity({
          tenantId,
          courseId,
          type: 'tutor.budget_warning',
          actorId: userId,
          data: { percent, usedToday: usage.usedToday, dailyLimit: settings.userDailyTokens },
          // Once a day per student, whether or not they muted the warning.
          once: dedupeKey + `:${userId}`,
        });
      });
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
    return (await this.usagesOf([userId], courseId))[0]!;
  }

  /** The usage of students of a course now: what they used, and how many questions `reserve` would still answer. */
  private async usagesOf(userIds: readonly string[], courseId: string): Promise<UsageView[]> {
    if (userIds.length === 0) return [];
    const now = new Date();
    const settings = await this.settingsOf(this.d.db, courseId);
    const perQuestion = await this.tokensPerQuestion(settings);
    const courseKey = `${courseId}:${month(now)}`;
    const rows = await this.d.db
      .select({ scope: budgetCounters.scope, key: budgetCounters.key, used: budgetCounters.used, reserved: budgetCounters.reserved })
      .from(budgetCounters)
      .where(
        or(
          and(eq(budgetCounters.scope, 'course-month'), eq(budgetCounters.key, courseKey)),
          and(
            eq(budgetCounters.scope, 'user-day'),
            inArray(
              budgetCounters.key,
              userIds.map((u) => `${u}:${day(now)}`),
            ),
          ),
        ),
      );
    const course = rows.find((r) => r.scope === 'course-month') ?? { used: 0, reserved: 0 };
    return userIds.map((userId) => {
      const user = rows.find((r) => r.scope === 'user-day' && r.key === `${userId}:${day(now)}`) ?? { used: 0, reserved: 0 };
      // The rule `reserve` refuses by: a question is answered only when tokensPerQuestion fits in both budgets.
      const dayLeft = settings.userDailyTokens - user.used - user.reserved;
      const monthLeft = settings.courseMonthlyTokens - course.used - course.reserved;
      const questionsLeft = Math.max(0, Math.min(Math.floor(dayLeft / perQuestion), Math.floor(monthLeft / perQuestion)));
      // When both are used up, the month's lifts later: that is the one to tell.
      const blockedBy = monthLeft < perQuestion ? 'month' : dayLeft < perQuestion ? 'day' : null;
      return {
        courseId,
        usedToday: user.used,
        reservedToday: user.reserved,
        dailyLimit: settings.userDailyTokens,
        courseUsedThisMonth: course.used,
        courseReservedThisMonth: course.reserved,
        courseMonthlyLimit: settings.courseMonthlyTokens,
        warnPercent: this.d.config.tutorWarnPercent,
        tokensPerQuestion: perQuestion,
        questionsLeft,
        blockedBy,
        resetsAt: nextDay(now).toISOString(),
        blockedUntil: blockedBy === 'month' ? nextMonth(now).toISOString() : blockedBy === 'day' ? nextDay(now).toISOString() : null,
      };
    });
  }

  /**
   * What one question holds of the budgets while it is answered, the same for every question of a course, so that
   * the meter can count the questions left by the very rule that refuses (`reserve`): the context budget (a
   * prompt never passes it, unless the system prompt alone nearly fills it: then that and room for the question),
   * plus 10 % as for every estimate, plus the longest reply.
   */
  async tokensPerQuestion(settings: TutorSettingsView): Promise<number> {
    const { tutorContextTokens, tutorMaxReplyTokens } = this.d.config;
    const prompt = Math.max(tutorContextTokens, (await this.systemTokens(settings)) + QUESTION_ALLOWANCE);
    return Math.ceil((prompt * 11) / 10) + tutorMaxReplyTokens;
  }

  /** The tokens of the course's longest system prompt (over the modes a room can choose), counted once per text. */
  private async systemTokens(settings: TutorSettingsView): Promise<number> {
    const [course] = await this.d.db.select({ title: courses.title }).from(courses).where(eq(courses.id, settings.courseId));
    const prompts = TUTOR_MODES.map((m) => systemPrompt(m, course?.title ?? 'this course', settings.brief));
    // A token is at least one byte: prompts this short cannot matter (the context budget is the larger).
    if (Math.max(...prompts.map((p) => Buffer.byteLength(p))) + QUESTION_ALLOWANCE <= this.d.config.tutorContextTokens) return 0;
    const key = prompts.join('\u0000');
    const known = this.systemTokensOf.get(settings.courseId);
    if (known?.prompt === key) return known.tokens;
    const tokens = Math.max(...(await Promise.all(prompts.map((content) => countChatTokens([{ role: 'system', content }])))));
    if (this.systemTokensOf.size >= 1000) this.systemTokensOf.clear();
    this.systemTokensOf.set(settings.courseId, { prompt: key, tokens });
    return tokens;
  }

  /**
   * A course's tutor usage from the ledger: tokens since 00:00 UTC of `now` (the budget day) and since the 1st of its
   * month, up to `now`, and the questions asked today. Two aggregate statements, run together.
   */
  async courseUsageToday(
    tenantId: string,
    courseId: string,
    now: Date,
  ): Promise<{ tokensToday: number; monthTokens: number; questionsToday: number }> {
    const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const tokens = sql`${usageLedger.promptTokens} + ${usageLedger.completionTokens}`;
    const [[used], [asked]] = await Promise.all([
      this.d.db
        .select({
          today: sql<number>`coalesce(sum(${tokens}) filter (where ${usageLedger.createdAt} >= ${dayStart.toISOString()}::timestamptz), 0)::bigint`,
          month: sql<number>`coalesce(sum(${tokens}), 0)::bigint`,
        })
        .from(usageLedger)
        .where(
          and(
            eq(usageLedger.courseId, courseId),
            eq(usageLedger.tenantId, tenantId),
            gte(usageLedger.createdAt, monthStart),
            lte(usageLedger.createdAt, now),
          ),
        ),
      this.d.db
        .select({ n: sql<number>`count(*)::int` })
        .from(tutorRequests)
        .where(
          and(
            eq(tutorRequests.courseId, courseId),
            eq(tutorRequests.tenantId, tenantId),
            gte(tutorRequests.createdAt, dayStart),
            lte(tutorRequests.createdAt, now),
          ),
        ),
    ]);
    return { tokensToday: Number(used?.today ?? 0), monthTokens: Number(used?.month ?? 0), questionsToday: Number(asked?.n ?? 0) };
  }

  /** The questions asked of the tutor in a course over [since, to] (deleted ones left out), newest first, at most `limit`. */
  async questionsAsked(tenantId: string, courseId: string, since: Date, to: Date, limit: number): Promise<string[]> {
    const found = await this.d.db
      .select({ body: messages.body })
      .from(tutorRequests)
      .innerJoin(messages, eq(messages.id, tutorRequests.questionId))
      .where(
        and(
          eq(tutorRequests.courseId, courseId),
          eq(tutorRequests.tenantId, tenantId),
          gte(tutorRequests.createdAt, since),
          lte(tutorRequests.createdAt, to),
          sql`${messages.deletedAt} is null`,
        ),
      )
      .orderBy(desc(tutorRequests.createdAt))
      .limit(limit);
    return found.map((q) => q.body);
  }

  /**
   * Per-course usage by day, by student and by model over the last `days` days, with refused questions (staff; API
   * keys with read that reach the course), and the position of the course's report stream it reflects.
   */
  async report(viewer: Viewer, courseId: string, days: number): Promise<UsageReport> {
    // Staff of the course, or an integrator's key with the read scope.
    await this.d.access.requireCourseStaffRead(viewer, courseId);
    if (!Number.isInteger(days) || days < 1 || days > 366)
      throw new AppError('BAD_USER_INPUT', 'days is between 1 and 366.', { field: 'days' });
    const since = new Date(Date.now() - days * 86_400_000);
    const where = and(eq(usageLedger.courseId, courseId), eq(usageLedger.tenantId, viewer.tenantId), gte(usageLedger.createdAt, since));
    const refusedRow = sql`${usageLedger.outcome} = 'refused'`;
    const sums = {
      promptTokens: sql<number>`coalesce(sum(${usageLedger.promptTokens}), 0)::int`,
      completionTokens: sql<number>`coalesce(sum(${usageLedger.completionTokens}), 0)::int`,
      costMicros: sql<number>`coalesce(sum(${usageLedger.costMicros}), 0)::bigint`,
      calls: sql<number>`(count(*) filter (where not ${refusedRow}))::int`,
      refused: sql<number>`(count(*) filter (where ${refusedRow}))::int`,
    };
    const dayExpr = sql<string>`to_char(${usageLedger.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
    // One snapshot: the sums are exactly the ledger rows whose events are at or below the cursor (each row's event is
    // written in the row's transaction), so the follower adds every later row once and none twice.
    const { head, value: read } = await this.d.realtime.atHead(tutorReportStream(courseId), async (tx) => {
      const byDay = await tx
        .select({ day: dayExpr, ...sums })
        .from(usageLedger)
        .where(where)
        .groupBy(dayExpr)
        .orderBy(dayExpr);
      const byStudent = await tx
        .select({ userId: usageLedger.userId, name: users.name, tutorRoomId: sql<string | null>`min(${rooms.id}::text)`, ...sums })
        .from(usageLedger)
        .innerJoin(users, eq(users.id, usageLedger.userId))
        .leftJoin(rooms, and(eq(rooms.courseId, usageLedger.courseId), eq(rooms.kind, 'tutor'), eq(rooms.ownerId, usageLedger.userId)))
        .where(where)
        .groupBy(usageLedger.userId, users.name)
        .orderBy(desc(sql`sum(${usageLedger.promptTokens} + ${usageLedger.completionTokens})`), desc(sums.refused), asc(users.name))
        .limit(200);
      const byModel = await tx
        .select({ model: usageLedger.model, ...sums })
        .from(usageLedger)
        .where(and(where, sql`not ${refusedRow}`))
        .groupBy(usageLedger.model)
        .orderBy(usageLedger.model);
      return { byDay, byStudent, byModel };
    });
    const num = <T extends { costMicros: number }>(r: T) => ({ ...r, costMicros: Number(r.costMicros) });
    return {
      cursor: String(head),
      byDay: read.byDay.map(num),
      byStudent: read.byStudent.map(num),
      byModel: read.byModel.map(({ refused: _r, ...m }) => num(m)),
    };
  }

  /**
   * Follows the course's usage report from `after` (its `cursor`): each ledger row as it is written (staff of the
   * course, or an API key with the read scope that reaches it; checked on every event).
   */
  async followReport(
    viewer: Viewer,
    courseId: string,
    after: number | null,
    signal: AbortSignal | undefined,
  ): Promise<Feed<ReportEntryAt>> {
    await this.d.access.requireCourseStaffRead(viewer, courseId);
    return this.d.realtime.feed({
      stream: tutorReportStream(courseId),
      after,
      signals: false,
      authorizeNow: () => this.canReadReportNow(viewer, courseId),
      authorize: () => this.canReadReport(viewer, courseId),
      map: (d) => (d.kind === 'event' ? { ...d.event.payload, cursor: String(d.event.seq), at: d.event.at } : null),
      signal,
    });
  }

  /** requireCourseStaffRead as a yes or no, for every event of the report's stream. */
  private async canReadReport(viewer: Viewer, courseId: string): Promise<boolean> {
    if (!(await this.d.access.canReadCourse(viewer, courseId))) return false;
    if (viewer.kind === 'apiKey') return true;
    const m = await this.d.access.membership(courseId, viewer.userId);
    return !!m && isStaff(m.roles);
  }

  private canReadReportNow(viewer: Viewer, courseId: string): boolean | undefined {
    const read = this.d.access.canReadCourseNow(viewer, courseId);
    if (read !== true || viewer.kind === 'apiKey') return read;
    const m = this.d.access.membershipNow(courseId, viewer.userId);
    return m === undefined ? undefined : !!m && isStaff(m.roles);
  }

  /** Who asked, as the report shows them: their name and their tutor room in the course (staff open it). */
  private async reportName(tx: Tx, room: RoomInfo, req: TutorRequest): Promise<{ name: string; tutorRoomId: string | null }> {
    const [who] = await tx.select({ name: users.name }).from(users).where(eq(users.id, req.userId));
    const [own] =
      room.kind === 'tutor'
        ? [{ id: room.id }]
        : await tx
            .select({ id: rooms.id })
            .from(rooms)
            .where(and(eq(rooms.courseId, req.courseId), eq(rooms.kind, 'tutor'), eq(rooms.ownerId, req.userId)));
    return { name: who?.name ?? 'Someone', tutorRoomId: own?.id ?? null };
  }

  /** The report's event for one ledger row, in the row's transaction. */
  private async emitReportEntry(
    emit: Emit,
    room: RoomInfo,
    req: TutorRequest,
    who: { name: string; tutorRoomId: string | null },
    createdAt: Date,
    sums: Pick<TutorReportEntry, 'model' | 'promptTokens' | 'completionTokens' | 'costMicros' | 'calls' | 'refused'>,
  ): Promise<void> {
    await emit(tutorReportStream(req.courseId), {
      tenantId: room.tenantId,
      type: 'usage.recorded',
      payload: { userId: req.userId, ...who, day: day(createdAt), ...sums },
    });
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
  private async context(
    rows: { authorId: string | null; body: string; name: string | null }[],
    room: RoomInfo,
    tutorId: string,
    mode: TutorMode,
    brief: string,
    courseTitle: string,
  ): Promise<ChatTurn[]> {
    const system: ChatTurn = { role: 'system', content: systemPrompt(mode, courseTitle, brief) };
    const history = rows.map((r): ChatTurn =>
      r.authorId === tutorId
        ? { role: 'assistant', content: r.body }
        : { role: 'user', content: room.kind === 'tutor' ? r.body : `${r.name ?? 'Someone'}: ${r.body}` },
    );
    // Every turn counted in one round trip to the tokenizer's thread; a turn alone costs as countChatTokens([turn]).
    const [systemCost = 0, ...costs] = (await countEachChatTurn([system, ...history])).map((n) => 3 + n);
    const turns: ChatTurn[] = [];
    let budget = this.d.config.tutorContextTokens - systemCost;
    for (const [i, turn] of history.entries()) {
      const cost = costs[i]!;
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
    await this.d.realtime
      .signal(roomStream(room.id), { type: 'tutor', payload: { ...s, tenantId: room.tenantId } }, 60_000)
      .catch((err: unknown) => this.d.log.warn({ err: (err as Error).message }, 'tutor: signal not sent'));
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

/**
 * What a student reads when a question would go over a budget: in questions, not tokens (`need`: what this one
 * needed; `perQuestion`: what any question needs; `taken`: the user's used + reserved today). The time is UTC in
 * the stored line; the tutor panel shows the reset in the reader's own time zone.
 */
function refusal(scope: 'user' | 'course', settings: TutorSettingsView, need: number, perQuestion: number, taken: number): string {
  if (scope === 'course')
    return 'This course has used its AI tutor budget for the month, so the tutor did not answer. It starts again on the 1st (00:00 UTC); your instructor can raise it.';
  if (need > perQuestion && settings.userDailyTokens - taken >= perQuestion) {
    return 'This question is too long for what is left of your AI tutor budget today, so the tutor did not answer. Ask a shorter one; your budget starts again at 00:00 UTC.';
  }
  return 'You have no AI tutor questions left for today, so the tutor did not answer. Your budget starts again at 00:00 UTC; your instructor can raise it.';
}

function systemPrompt(mode: TutorMode, courseTitle: string, brief: string): string {
  const modes: Record<TutorMode, string> = {
    socratic:
      'Mode: Socratic. Guide the student with questions and hints so that they find the answer themselves. Do not hand out full solutions or finished code, even when asked; explain why if they insist.',
    explain:
      'Mode: explain. Explain concepts clearly and step by step, with small examples. For graded work, explain the ideas rather than giving the finished answer.',
    review:
      'Mode: code review. Review the code the student shares: point out bugs, unclear parts and better practices, and ask about their intent. Do not rewrite their whole solution.',
  };
  return [
    `You are the AI tutor of the course "${courseTitle}". Be accurate, kind and brief; say so when you are not sure.`,
    modes[mode],
    brief.trim() ? `Course brief:\n${brief.trim()}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}
