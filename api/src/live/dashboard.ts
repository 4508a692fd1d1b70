/**
 * The instructor's live dashboard of a course (hosts only): one snapshot of what is going on now, computed from the
 * database and presence, and a subscription that re-computes it when something changed (at most once per
 * FOLLOW_MIN_MS, at least once per FOLLOW_MAX_MS so that "active now" and the time windows age).
 *
 * What a snapshot holds, and how each figure is defined (every query is scoped to the course and its tenant; "now" is
 * the service's clock, so tests control the windows). What belongs to other features is read through their services:
 * members (CourseService), rooms and messages (RoomService), tutor usage and questions (TutorService):
 *
 * - Students active now: non-staff members of the course with a tab present (presence, online or away), and the
 *   sections their tabs show (`PresenceService.whereNow`). `bySection` counts a person once in each section shown.
 * - Messages per minute: messages of the course's shared rooms (course, group and live-class rooms; not direct
 *   messages, not tutor rooms, not system lines) over the last WINDOW_MINUTES minutes, one point per minute: the
 *   point at `t` counts [t, t + 1 min), the last one is the minute in progress. One aggregate query.
 * - The class in progress: the course's class in state live (if several, the latest started), its hands, its
 *   participants admitted and present now (an open stretch seen within the grace period), and its confusion trend
 *   (signals per minute over the last WINDOW_MINUTES minutes, as messages).
 * - Open questions: the open questions of the live Q&A of the class in progress, plus the unanswered questions of
 *   the course room (below).
 * - A course-room question (RoomService.courseRoomQuestions): a text message in the course room of the last
 *   ROOM_QUESTION_HOURS hours, by a learner of the course (an active member with the learner role and no staff
 *   role), whose body ends with "?" (trailing spaces aside), not deleted. It is answered by the first later message
 *   in the same room (not a system line, not deleted) from a staff member (instructor, TA, administrator) up to now;
 *   unanswered otherwise.
 * - Answer wait: for the live questions of the class in progress, answeredAt − createdAt (answered ones; dismissed
 *   ones count nowhere; open ones wait); for course-room questions, the first staff message after − the question.
 *   Median and p90 by nearest rank over the answered ones (null when none), how many still wait, the longest wait.
 * - Tutor usage today: tokens of the course's tutor calls since 00:00 UTC (the budget day) and this month, the
 *   questions asked today, against each student's daily budget and the course's monthly budget (the tutor's settings).
 * - Struggles: confusion topics of the course's classes over the last STRUGGLE_DAYS days (the class in progress
 *   included), and the questions students asked the tutor over the same days, each grouped by keywords
 *   (`groupByKeywords`).
 */
import { and, desc, eq, gte, isNotNull, lte, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Realtime } from '../realtime/realtime.js';
import type { Logger } from '../logger.js';
import type { Viewer } from '../auth/viewer.js';
import type { Access } from '../auth/access.js';
import { AppError } from '../errors.js';
import { isStaff } from '../courses/roles.js';
import type { CourseService } from '../courses/service.js';
import type { RoomService } from '../rooms/service.js';
import { roomStream } from '../rooms/events.js';
import type { TutorService } from '../tutor/service.js';
import type { PresenceService } from '../presence/service.js';
import { presenceStream } from '../presence/events.js';
import { onAbort } from '../abort.js';
import { liveAttendees, liveClasses, liveConfusion, liveHands, liveQuestions } from './tables.js';
import { liveCourseStream, liveStream } from './events.js';
import type { LiveAccess, LiveClassRow } from './access.js';
import type { LiveClassView } from './service.js';

export interface LiveDashboardDeps {
  db: Tx;
  realtime: Realtime;
  access: Access;
  liveAccess: LiveAccess;
  presence: PresenceService;
  /** Who of those present are the course's students, by name. */
  courses: CourseService;
  /** The course room, its messages per minute and its questions. */
  rooms: RoomService;
  /** Tutor usage and the questions asked of it. */
  tutor: TutorService;
  log: Logger;
  /** An open stretch seen within this long counts as present (config.liveGraceSeconds). */
  graceSeconds: number;
  /** The clock (tests move it): every window ends at its "now". */
  clock?: () => Date;
}

export interface LiveDashboardPoint {
  at: string;
  count: number;
}
export interface LiveDashboardStudent {
  userId: string;
  userName: string;
  /** The sections the person's tabs show, comma-separated (sorted); null when none said. */
  section: string | null;
  state: 'online' | 'away';
}
export interface LiveDashboardView {
  courseId: string;
  at: string;
  activeStudents: number;
  bySection: { section: string; count: number }[];
  students: LiveDashboardStudent[];
  messagesPerMinute: LiveDashboardPoint[];
  openQuestions: number;
  hands: number;
  confusionTrend: LiveDashboardPoint[];
  /** The class in progress, with the position of its stream read before everything else (liveClassEvents from it). */
  liveClass: LiveClassView | null;
  present: number;
  admitted: number;
  tutor: { tokensToday: number; dailyBudget: number; monthTokens: number; monthlyBudget: number; questionsToday: number };
  struggles: { topic: string; count: number; source: 'confusion' | 'tutor' }[];
  answerWait: {
    answered: number;
    waiting: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
    longestWaitingSeconds: number | null;
  };
}

const WINDOW_MINUTES = 30;
const ROOM_QUESTION_HOURS = 2;
const STRUGGLE_DAYS = 7;
/** Topics per source in `struggles`. */
const TOP_STRUGGLES = 8;
/** The latest tutor questions read for struggles. */
const TUTOR_QUESTIONS_READ = 500;
/** The subscription's pace: a fresh snapshot at most this often when things change, and at least this often. */
const FOLLOW_MIN_MS = 2_000;
const FOLLOW_MAX_MS = 30_000;

const MINUTE = 60_000;
const floorMinute = (t: number) => Math.floor(t / MINUTE) * MINUTE;
const forbidden = () =>
  new AppError('FORBIDDEN', 'Only the hosts of this course (instructors and teaching assistants) see its live dashboard.');

export class LiveDashboardService {
  private readonly db: Tx;
  private readonly now: () => Date;

  constructor(private readonly d: LiveDashboardDeps) {
    this.db = d.db;
    this.now = d.clock ?? (() => new Date());
  }

  /** The dashboard now: NOT_FOUND for a course the viewer cannot read, FORBIDDEN unless they host it. */
  async snapshot(viewer: Viewer, courseId: string): Promise<LiveDashboardView> {
    await this.d.liveAccess.requireCourseHost(viewer, courseId);
    return this.compute(viewer, courseId, await this.classInProgress(viewer.tenantId, courseId));
  }

  /**
   * The `liveDashboard` subscription: a snapshot at once, then a fresh one whenever the course's class list, the class
   * in progress, the course room, the class's room or presence changed (at most one per FOLLOW_MIN_MS), and at least
   * every FOLLOW_MAX_MS. The viewer's right to it is checked again before every snapshot (FORBIDDEN ends it).
   */
  async follow(viewer: Viewer, courseId: string, signal?: AbortSignal): Promise<AsyncGenerator<LiveDashboardView>> {
    // Checked before the stream starts, so that a refusal is the subscription's error (NOT_FOUND, FORBIDDEN).
    await this.d.liveAccess.requireCourseHost(viewer, courseId);
    return this.followChecked(viewer, courseId, signal);
  }

  private async *followChecked(viewer: Viewer, courseId: string, signal?: AbortSignal): AsyncGenerator<LiveDashboardView> {
    const tenantId = viewer.tenantId;
    const stop = new AbortController();
    const unlink = onAbort(signal, () => stop.abort());
    let dirty = false;
    let wake: (() => void) | null = null;
    const changed = () => {
      dirty = true;
      wake?.();
    };
    onAbort(stop.signal, () => wake?.());
    /** The streams listened to now, each with the controller that ends its listener. */
    const following = new Map<string, AbortController>();
    const listen = async (streams: string[]) => {
      const fresh = streams.filter((s) => !following.has(s));
      for (const [s, c] of following)
        if (!streams.includes(s)) {
          c.abort();
          following.delete(s);
        }
      if (fresh.length === 0) return;
      // Stored streams are followed from their head read before the snapshot: nothing committed after it is missed.
      const heads = await this.d.realtime.heads(fresh.filter((s) => !s.startsWith('presence:')) as never);
      for (const s of fresh) {
        const c = new AbortController();
        onAbort(stop.signal, () => c.abort());
        following.set(s, c);
        const isPresence = s.startsWith('presence:');
        void (async () => {
          for await (const _ of this.d.realtime.subscribe(s as ReturnType<typeof presenceStream>, {
            after: isPresence ? null : (heads.get(s) ?? 0),
            signals: isPresence,
            signal: c.signal,
          }))
            changed();
        })().catch((err: unknown) => {
          if (c.signal.aborted) return;
          this.d.log.warn({ err: (err as Error).message, stream: s }, 'live dashboard: a followed stream failed');
          following.delete(s);
          changed();
        });
      }
    };
    const wait = (ms: number, untilChanged: boolean) =>
      new Promise<void>((resolve) => {
        if (stop.signal.aborted || ms <= 0 || (untilChanged && dirty)) return resolve();
        const done = () => {
          clearTimeout(timer);
          wake = null;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = untilChanged ? done : () => (stop.signal.aborted ? done() : undefined);
      });
    try {
      for (;;) {
        if (!(await this.d.liveAccess.isHost(viewer, courseId)) || !(await this.d.access.canReadCourse(viewer, courseId)))
          throw forbidden();
        const started = Date.now();
        dirty = false;
        const cls = await this.classInProgress(tenantId, courseId);
        const courseRoom = await this.d.rooms.courseRoomId(tenantId, courseId);
        const streams: string[] = [liveCourseStream(courseId), presenceStream(courseId)];
        if (courseRoom) streams.push(roomStream(courseRoom));
        if (cls) streams.push(liveStream(cls.id));
        if (cls?.roomId) streams.push(roomStream(cls.roomId));
        await listen(streams);
        yield await this.compute(viewer, courseId, cls);
        if (stop.signal.aborted) return;
        await wait(started + FOLLOW_MIN_MS - Date.now(), false);
        await wait(started + FOLLOW_MAX_MS - Date.now(), true);
        if (stop.signal.aborted) return;
      }
    } finally {
      unlink();
      stop.abort();
    }
  }

  // ---- the parts ----

  /** The course's class in state live; if several, the latest started. */
  private async classInProgress(tenantId: string, courseId: string): Promise<LiveClassRow | null> {
    const [row] = await this.db
      .select()
      .from(liveClasses)
      .where(and(eq(liveClasses.courseId, courseId), eq(liveClasses.tenantId, tenantId), eq(liveClasses.state, 'live')))
      .orderBy(desc(liveClasses.startedAt))
      .limit(1);
    return row ?? null;
  }

  private async compute(viewer: Viewer, courseId: string, cls: LiveClassRow | null): Promise<LiveDashboardView> {
    const tenantId = viewer.tenantId;
    const now = this.now();
    // The head before the reads: the class's hands, questions and polls read after reflect at least everything up to it.
    const liveClass = cls && { ...cls, cursor: String(await this.d.realtime.head(liveStream(cls.id))) };
    const courseRoom = await this.d.rooms.courseRoomId(tenantId, courseId);
    const [students, messagesPerMinute, classPart, roomQuestions, tutor, struggles] = await Promise.all([
      this.students(tenantId, courseId),
      this.messagesPerMinute(tenantId, courseId, now),
      this.classPart(cls, now),
      courseRoom
        ? this.d.rooms.courseRoomQuestions(tenantId, courseId, courseRoom, new Date(now.getTime() - ROOM_QUESTION_HOURS * 3_600_000), now)
        : Promise.resolve([]),
      this.tutorUsage(viewer, courseId, now),
      this.struggles(tenantId, courseId, now),
    ]);
    const bySection = new Map<string, number>();
    for (const s of students.list) for (const section of s.sections) bySection.set(section, (bySection.get(section) ?? 0) + 1);
    const liveWaits = classPart.questions.filter((q) => q.status !== 'dismissed');
    const waits = [
      ...liveWaits.map((q) => ({
        askedAt: q.createdAt.getTime(),
        answeredAt: q.status === 'answered' ? (q.answeredAt?.getTime() ?? null) : null,
      })),
      ...roomQuestions,
    ];
    const openLive = classPart.questions.filter((q) => q.status === 'open').length;
    const openRoom = roomQuestions.filter((q) => q.answeredAt === null).length;
    return {
      courseId,
      at: now.toISOString(),
      activeStudents: students.list.length,
      bySection: [...bySection]
        .map(([section, count]) => ({ section, count }))
        .sort((a, b) => b.count - a.count || a.section.localeCompare(b.section)),
      students: students.list.map((s) => ({
        userId: s.userId,
        userName: s.userName,
        section: s.sections.length > 0 ? s.sections.join(', ') : null,
        state: s.state,
      })),
      messagesPerMinute,
      openQuestions: openLive + openRoom,
      hands: classPart.hands,
      confusionTrend: classPart.confusionTrend,
      liveClass,
      present: classPart.present,
      admitted: classPart.admitted,
      tutor,
      struggles,
      answerWait: answerWait(waits, now.getTime()),
    };
  }

  /** Non-staff members with a tab present now, by name, and the sections their tabs show. */
  private async students(tenantId: string, courseId: string) {
    const where = await this.d.presence.whereNow(courseId);
    if (where.length === 0) return { list: [] };
    const people = await this.d.courses.activeMembersAmong(
      tenantId,
      courseId,
      where.map((w) => w.userId),
    );
    const byId = new Map(people.filter((p) => !isStaff(p.roles)).map((p) => [p.userId, p.name]));
    const list = where
      .filter((w) => byId.has(w.userId))
      .map((w) => ({ userId: w.userId, userName: byId.get(w.userId)!, state: w.state, sections: w.sections }))
      .sort((a, b) => a.userName.localeCompare(b.userName) || a.userId.localeCompare(b.userId));
    return { list };
  }

  /** Messages of the course's shared rooms per minute, the last WINDOW_MINUTES minutes (one aggregate query). */
  private async messagesPerMinute(tenantId: string, courseId: string, now: Date): Promise<LiveDashboardPoint[]> {
    const start = floorMinute(now.getTime()) - (WINDOW_MINUTES - 1) * MINUTE;
    return points(start, await this.d.rooms.sharedMessagesPerMinute(tenantId, courseId, new Date(start), now));
  }

  /** The class in progress: hands, admitted and present participants, its questions, its confusion per minute. */
  private async classPart(cls: LiveClassRow | null, now: Date) {
    if (!cls)
      return {
        hands: 0,
        present: 0,
        admitted: 0,
        questions: [] as { status: string; createdAt: Date; answeredAt: Date | null }[],
        confusionTrend: points(floorMinute(now.getTime()) - (WINDOW_MINUTES - 1) * MINUTE, []),
      };
    const start = floorMinute(now.getTime()) - (WINDOW_MINUTES - 1) * MINUTE;
    const minute = sql<number>`floor((extract(epoch from ${liveConfusion.at}) * 1000 - ${sql.raw(String(start))}) / 60000)::int`;
    const seenSince = new Date(now.getTime() - this.d.graceSeconds * 1000);
    const [hands, counts, questions, confusion] = await Promise.all([
      this.db
        .select({ n: sql<number>`count(*)::int` })
        .from(liveHands)
        .where(eq(liveHands.classId, cls.id)),
      this.db
        .select({
          admitted: sql<number>`count(*)::int`,
          // Written out: drizzle leaves columns unqualified here, which the subquery would take for its own.
          present: sql<number>`(count(*) filter (where exists (select 1 from live_intervals i where i.class_id = live_attendees.class_id
            and i.user_id = live_attendees.user_id and i.left_at is null and i.last_seen_at >= ${seenSince.toISOString()}::timestamptz)))::int`,
        })
        .from(liveAttendees)
        .where(and(eq(liveAttendees.classId, cls.id), eq(liveAttendees.role, 'participant'))),
      this.db
        .select({ status: liveQuestions.status, createdAt: liveQuestions.createdAt, answeredAt: liveQuestions.answeredAt })
        .from(liveQuestions)
        .where(and(eq(liveQuestions.classId, cls.id), lte(liveQuestions.createdAt, now))),
      this.db
        .select({ minute, count: sql<number>`count(*)::int` })
        .from(liveConfusion)
        .where(and(eq(liveConfusion.classId, cls.id), gte(liveConfusion.at, new Date(start)), lte(liveConfusion.at, now)))
        .groupBy(minute),
    ]);
    return {
      hands: Number(hands[0]?.n ?? 0),
      admitted: Number(counts[0]?.admitted ?? 0),
      present: Number(counts[0]?.present ?? 0),
      questions,
      confusionTrend: points(start, confusion),
    };
  }

  /** The course's tutor usage today (UTC day) and this month, against the budgets of its settings. */
  private async tutorUsage(viewer: Viewer, courseId: string, now: Date): Promise<LiveDashboardView['tutor']> {
    const [settings, used] = await Promise.all([
      this.d.tutor.settings(viewer, courseId),
      this.d.tutor.courseUsageToday(viewer.tenantId, courseId, now),
    ]);
    return {
      tokensToday: used.tokensToday,
      dailyBudget: settings.userDailyTokens,
      monthTokens: used.monthTokens,
      monthlyBudget: settings.courseMonthlyTokens,
      questionsToday: used.questionsToday,
    };
  }

  /** Confusion topics and tutor questions of the last STRUGGLE_DAYS days, each grouped by keywords. */
  private async struggles(tenantId: string, courseId: string, now: Date): Promise<LiveDashboardView['struggles']> {
    const since = new Date(now.getTime() - STRUGGLE_DAYS * 86_400_000);
    const [topics, questions] = await Promise.all([
      this.db
        .select({ topic: liveConfusion.topic })
        .from(liveConfusion)
        .innerJoin(liveClasses, eq(liveClasses.id, liveConfusion.classId))
        .where(
          and(
            eq(liveClasses.courseId, courseId),
            eq(liveConfusion.tenantId, tenantId),
            isNotNull(liveConfusion.topic),
            gte(liveConfusion.at, since),
            lte(liveConfusion.at, now),
          ),
        ),
      this.d.tutor.questionsAsked(tenantId, courseId, since, now, TUTOR_QUESTIONS_READ),
    ]);
    return [
      ...groupByKeywords(topics.map((t) => t.topic ?? '')).map((g) => ({ ...g, source: 'confusion' as const })),
      ...groupByKeywords(questions.map((q) => q.replace(/(^|\s)@tutor\b/gi, ' '))).map((g) => ({ ...g, source: 'tutor' as const })),
    ];
  }
}

/** One point per minute from `start` (WINDOW_MINUTES of them), the counts by minute index filled in, zeros elsewhere. */
function points(start: number, counts: readonly { minute: number; count: number }[]): LiveDashboardPoint[] {
  const out = Array.from({ length: WINDOW_MINUTES }, (_, i) => ({ at: new Date(start + i * MINUTE).toISOString(), count: 0 }));
  for (const c of counts) {
    const p = out[Number(c.minute)];
    if (p) p.count += Number(c.count);
  }
  return out;
}

/** Waits for a first answer: median and p90 (nearest rank) of the answered, and the waiting ones. */
function answerWait(waits: readonly { askedAt: number; answeredAt: number | null }[], now: number): LiveDashboardView['answerWait'] {
  const answered = waits
    .filter((w) => w.answeredAt !== null)
    .map((w) => Math.max(0, w.answeredAt! - w.askedAt) / 1000)
    .sort((a, b) => a - b);
  const waiting = waits.filter((w) => w.answeredAt === null);
  const rank = (p: number) => (answered.length === 0 ? null : Math.round(answered[Math.ceil((p / 100) * answered.length) - 1]!));
  return {
    answered: answered.length,
    waiting: waiting.length,
    medianSeconds: rank(50),
    p90Seconds: rank(90),
    longestWaitingSeconds: waiting.length === 0 ? null : Math.round(Math.max(...waiting.map((w) => now - w.askedAt)) / 1000),
  };
}

// ---- grouping what students struggle with ----

const STOP_WORDS = new Set(
  (
    'a about above after again all also am an and any are aren as at be because been before being below between both but by ' +
    'can cannot could did didn do does doesn doing don down during each even ever every few for from further get gets getting got ' +
    'had has have having he her here hers him his how however i if in into is isn it its itself just know like lost me mean means ' +
    'might more most much must my no nor not now of off on once one only or other our out over own please really same she should so ' +
    'some still such than that the their them then there these they thing things this those through to too under understand until ' +
    'up us very want was wasn way we were what when where which while who why will with won would yes yet you your ' +
    'confused confusing help explain tutor example question'
  ).split(' '),
);

/** A crude English stem, enough to group "case", "cases" and "loops", "looping", "looped". */
function stem(word: string): string {
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ies') && word.length > 4) return word.slice(0, -3) + 'y';
  if (word.endsWith('ing') && word.length > 6) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 5) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && word.length > 3) return word.slice(0, -1);
  return word;
}

/**
 * Groups short texts (confusion topics, tutor questions) by their keywords, simply:
 * 1. the words of each text, lower case (letters and digits), stop words and words under 3 letters out, each stemmed;
 * 2. how many texts each stem appears in (its frequency over the texts);
 * 3. a text's key: its 2 stems most frequent over all the texts (ties: alphabetical), in that order; a text with one
 *    keyword is keyed by it, one with none is left out;
 * 4. texts with the same key form a topic, labelled by the most common spelling of each stem, most texts first (ties:
 *    alphabetical), the top TOP_STRUGGLES.
 * So "base case?", "the base cases" and "How do I find the base case in recursion" all land in "base case".
 */
export function groupByKeywords(texts: readonly string[]): { topic: string; count: number }[] {
  const docs = texts.map((t) => {
    const words = (t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length >= 3 && !STOP_WORDS.has(w));
    return words.map((w) => ({ word: w, stem: stem(w) }));
  });
  const df = new Map<string, number>();
  const spellings = new Map<string, Map<string, number>>();
  for (const doc of docs) {
    for (const s of new Set(doc.map((w) => w.stem))) df.set(s, (df.get(s) ?? 0) + 1);
    for (const { word, stem: s } of doc) {
      const m = spellings.get(s) ?? new Map<string, number>();
      m.set(word, (m.get(word) ?? 0) + 1);
      spellings.set(s, m);
    }
  }
  const byRank = (a: string, b: string) => df.get(b)! - df.get(a)! || a.localeCompare(b);
  const groups = new Map<string, number>();
  for (const doc of docs) {
    const key = [...new Set(doc.map((w) => w.stem))].sort(byRank).slice(0, 2);
    if (key.length === 0) continue;
    const k = key.join(' ');
    groups.set(k, (groups.get(k) ?? 0) + 1);
  }
  const label = (s: string) => {
    let best = s;
    let n = 0;
    for (const [w, c] of spellings.get(s) ?? [])
      if (c > n || (c === n && w < best)) {
        best = w;
        n = c;
      }
    return best;
  };
  return [...groups]
    .map(([k, count]) => ({ topic: k.split(' ').map(label).join(' '), count }))
    .sort((a, b) => b.count - a.count || a.topic.localeCompare(b.topic))
    .slice(0, TOP_STRUGGLES);
}
