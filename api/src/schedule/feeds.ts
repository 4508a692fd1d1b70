/**
 * Calendar feeds (RFC 5545), for calendar apps that subscribe to a URL, and one-off `.ics` files for one session.
 * Built in services.ts as `services.calendarFeeds`; the HTTP routes (`http/routes.ts`) serve the feeds.
 *
 * - A person's private feed: `/calendar/<token>.ics`, their sessions and bookings in every course of the tenant
 *   (ScheduleAccess.visibleSessionsWhere: course sessions of their courses, their own student sessions and
 *   bookings, their group rooms' sessions, what they host). `calendar_feeds` keeps only the SHA-256 of the token.
 * - A course's public feed: `/calendar/course/<courseId>/<token>.ics`, its course-audience sessions only (never a
 *   student's own session or a booking). `schedule_settings.feed_token_hash` holds `<salt>:<SHA-256 of the token>`.
 *
 * Tokens are never stored: each is an HMAC, under a key derived from SESSION_SECRET, of what it is for and a
 * nonce (the feed row's `created_at` for a person; the random salt for a course), so the app can show the same
 * URL again while a database dump alone reveals none. Rotating changes the nonce: the old URL answers 404 at
 * once. Changing SESSION_SECRET rotates every feed.
 *
 * Events: one VEVENT per occurrence (sessions are stored expanded, one row per occurrence), so each has its own
 * UID (`<session id>@<host of PUBLIC_URL>`, stable across edits and moves) and needs no RRULE or RECURRENCE-ID.
 * SEQUENCE is the session's `sequence` (raised on every change a calendar must see); a cancelled occurrence stays
 * in the feed with STATUS:CANCELLED so that subscribed calendars drop it. Times are written in UTC (`...Z`): the
 * occurrences are already expanded with their wall-clock time kept in the session's zone (schedule/time.ts), so a
 * UTC instant is exact, needs no VTIMEZONE block (which calendar apps read inconsistently), and every app shows it
 * in its user's own zone. The course's zone is named in X-WR-TIMEZONE for apps that show one.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import icalGenerator, { ICalCalendarMethod, ICalEventStatus, type ICalCalendar } from 'ical-generator';
import { calendarFeeds, scheduleSessions, scheduleSettings } from './tables.js';
import { courses } from '../courses/tables.js';
import { users } from '../users/tables.js';
import type { Tx } from '../db/client.js';
import type { Realtime } from '../realtime/realtime.js';
import type { Viewer } from '../auth/viewer.js';
import { isUuid } from '../auth/access.js';
import type { ScheduleAccess } from './access.js';
import type { ActivityService } from '../activity/service.js';
import { AppError, notFound } from '../errors.js';

type SessionRow = typeof scheduleSessions.$inferSelect;

/** What a feed holds: sessions that ended at most this long ago, up to this far ahead, at most this many. */
const FEED_PAST_MS = 90 * 86_400_000;
const FEED_AHEAD_MS = 400 * 86_400_000;
const FEED_MAX_EVENTS = 2_000;

export interface CalendarFeedView {
  url: string;
  /** Since when a person's feed URL is valid (it changes when rotated); null for a course's. */
  createdAt: Date | null;
}

export interface CalendarFile {
  filename: string;
  /** The `.ics` text (text/calendar; charset=utf-8). */
  content: string;
}

export interface FeedDeps {
  db: Tx;
  realtime: Realtime;
  scheduleAccess: ScheduleAccess;
  activity: ActivityService;
  publicUrl: string;
  /** The server secret the tokens' key is derived from (SESSION_SECRET). */
  secret: string;
}

export class CalendarFeedService {
  readonly #key: Buffer;
  readonly #host: string;

  constructor(private readonly d: FeedDeps) {
    this.#key = createHmac('sha256', d.secret).update('calendar-feed-tokens/v1').digest();
    this.#host = new URL(d.publicUrl).hostname;
  }

  // ------------------------------------------------------------------ a person's feed

  /**
   * The viewer's private feed URL, or null until they make one (`rotateMyFeed`) and after they turn it off: reading
   * never creates one, so a feed turned off stays off. People only (an API key has no calendar).
   */
  async myFeed(viewer: Viewer): Promise<CalendarFeedView | null> {
    const userId = personOf(viewer);
    const [row] = await this.d.db.select().from(calendarFeeds).where(eq(calendarFeeds.userId, userId));
    return row ? this.userView(userId, row.createdAt) : null;
  }

  /** Makes the viewer's feed URL, or a new one: the old one answers 404 from now on. */
  async rotateMyFeed(viewer: Viewer): Promise<CalendarFeedView> {
    return this.newUserToken(viewer.tenantId, personOf(viewer));
  }

  /** Turns the viewer's feed off (its URL answers 404); asking for it again makes a new URL. */
  async revokeMyFeed(viewer: Viewer): Promise<boolean> {
    const userId = personOf(viewer);
    const gone = await this.d.db.delete(calendarFeeds).where(eq(calendarFeeds.userId, userId)).returning({ userId: calendarFeeds.userId });
    return gone.length > 0;
  }

  private async newUserToken(tenantId: string, userId: string): Promise<CalendarFeedView> {
    // Millisecond precision: the nonce must read back exactly as it was written.
    const createdAt = new Date();
    const tokenHash = sha256(this.userToken(userId, createdAt));
    const [row] = await this.d.db
      .insert(calendarFeeds)
      .values({ userId, tenantId, tokenHash, createdAt })
      .onConflictDoUpdate({ target: calendarFeeds.userId, set: { tokenHash, createdAt } })
      .returning();
    return this.userView(userId, row!.createdAt);
  }

  private userToken(userId: string, createdAt: Date): string {
    return this.mac(`user:${userId}:${createdAt.getTime()}`);
  }

  private userView(userId: string, createdAt: Date): CalendarFeedView {
    return { url: `${this.d.publicUrl}/calendar/${this.userToken(userId, createdAt)}.ics`, createdAt };
  }

  /** The `.ics` of a person's feed by its token; null when no feed has this token (unknown, rotated, revoked). */
  async userFeedIcs(token: string): Promise<string | null> {
    if (!TOKEN.test(token)) return null;
    const [feed] = await this.d.db
      .select()
      .from(calendarFeeds)
      .where(eq(calendarFeeds.tokenHash, sha256(token)));
    if (!feed) return null;
    const [user] = await this.d.db.select({ name: users.name }).from(users).where(eq(users.id, feed.userId));
    const now = Date.now();
    const rows = await this.d.db
      .select()
      .from(scheduleSessions)
      .where(
        and(
          eq(scheduleSessions.tenantId, feed.tenantId),
          this.d.scheduleAccess.visibleSessionsWhere(feed.userId),
          gt(scheduleSessions.endsAt, new Date(now - FEED_PAST_MS)),
          lt(scheduleSessions.startsAt, new Date(now + FEED_AHEAD_MS)),
        ),
      )
      .orderBy(asc(scheduleSessions.startsAt))
      .limit(FEED_MAX_EVENTS);
    const cal = this.calendar(`Course Companion: ${user?.name ?? 'my sessions'}`, null);
    await this.addEvents(cal, rows, null, feed.userId);
    return cal.toString();
  }

  // ------------------------------------------------------------------ a course's feed

  /** The course's public feed URL (any member who reads the course), created on first ask. */
  async courseFeed(viewer: Viewer, courseId: string): Promise<CalendarFeedView> {
    await this.d.scheduleAccess.requireRead(viewer, courseId);
    const [row] = await this.d.db
      .select({ hash: scheduleSettings.feedTokenHash })
      .from(scheduleSettings)
      .where(eq(scheduleSettings.courseId, courseId));
    const salt = row?.hash ? saltOf(row.hash) : null;
    if (salt) return this.courseView(courseId, salt);
    return this.newCourseToken(this.d.db, courseId, false);
  }

  /** A new URL for the course's feed (instructors); the old one answers 404 from now on. */
  async rotateCourseFeed(viewer: Viewer, courseId: string): Promise<CalendarFeedView> {
    await this.d.scheduleAccess.requireInstructor(viewer, courseId);
    // The new token and its audit entry commit together.
    return this.d.realtime.write(async (tx) => {
      const view = await this.newCourseToken(tx, courseId, true);
      const [course] = await tx.select({ tenantId: courses.tenantId }).from(courses).where(eq(courses.id, courseId));
      await this.d.activity.recordAudit({
        tenantId: course!.tenantId,
        courseId,
        by: viewer,
        entity: 'calendar_feed',
        entityId: courseId,
        action: 'rotated',
        // The tokens themselves are secrets: the audit says when, not what.
        before: null,
        after: { rotatedAt: new Date().toISOString() },
      });
      return view;
    });
  }

  private async newCourseToken(db: Tx, courseId: string, replace: boolean): Promise<CalendarFeedView> {
    const [course] = await db.select({ tenantId: courses.tenantId }).from(courses).where(eq(courses.id, courseId));
    if (!course) throw notFound('The course');
    const salt = randomBytes(12).toString('base64url');
    const value = `${salt}:${sha256(this.courseToken(courseId, salt))}`;
    const [row] = await db
      .insert(scheduleSettings)
      .values({ courseId, tenantId: course.tenantId, feedTokenHash: value })
      .onConflictDoUpdate({
        target: scheduleSettings.courseId,
        // On first ask, a feed made meanwhile by someone else wins (every member sees the same URL).
        set: replace ? { feedTokenHash: value } : { feedTokenHash: sql`coalesce(${scheduleSettings.feedTokenHash}, ${value})` },
      })
      .returning({ hash: scheduleSettings.feedTokenHash });
    return this.courseView(courseId, saltOf(row!.hash!)!);
  }

  private courseToken(courseId: string, salt: string): string {
    return this.mac(`course:${courseId}:${salt}`);
  }

  private courseView(courseId: string, salt: string): CalendarFeedView {
    return { url: `${this.d.publicUrl}/calendar/course/${courseId}/${this.courseToken(courseId, salt)}.ics`, createdAt: null };
  }

  /** The `.ics` of a course's public feed; null unless the token is the course's current one. */
  async courseFeedIcs(courseId: string, token: string): Promise<string | null> {
    if (!isUuid(courseId) || !TOKEN.test(token)) return null;
    const [settings] = await this.d.db
      .select({ hash: scheduleSettings.feedTokenHash, timeZone: scheduleSettings.timeZone })
      .from(scheduleSettings)
      .where(eq(scheduleSettings.courseId, courseId));
    const expected = settings?.hash?.split(':')[1];
    if (!expected || !sameText(sha256(token), expected)) return null;
    const [course] = await this.d.db.select({ title: courses.title }).from(courses).where(eq(courses.id, courseId));
    const now = Date.now();
    const rows = await this.d.db
      .select()
      .from(scheduleSessions)
      .where(
        and(
          eq(scheduleSessions.courseId, courseId),
          // Public: sessions for the whole course only, never a student's own session, a room's, or a booking.
          eq(scheduleSessions.audience, 'course'),
          eq(scheduleSessions.kind, 'session'),
          gt(scheduleSessions.endsAt, new Date(now - FEED_PAST_MS)),
          lt(scheduleSessions.startsAt, new Date(now + FEED_AHEAD_MS)),
        ),
      )
      .orderBy(asc(scheduleSessions.startsAt))
      .limit(FEED_MAX_EVENTS);
    const cal = this.calendar(course?.title ?? 'Course sessions', settings!.timeZone);
    await this.addEvents(cal, rows, null);
    return cal.toString();
  }

  // ------------------------------------------------------------------ one session

  /**
   * One session as an `.ics` file to import (METHOD:REQUEST, or CANCEL once cancelled), for whoever may read it
   * (NOT_FOUND otherwise, as for a session that does not exist).
   */
  async sessionFile(viewer: Viewer, sessionId: string): Promise<CalendarFile> {
    if (!isUuid(sessionId)) throw notFound('The session');
    const [row] = await this.d.db.select().from(scheduleSessions).where(eq(scheduleSessions.id, sessionId));
    if (!row || row.tenantId !== viewer.tenantId) throw notFound('The session');
    await this.d.scheduleAccess.requireSessionRead(viewer, row.courseId, this.d.scheduleAccess.scopeOf(row));
    const cancelled = row.status === 'cancelled';
    const cal = this.calendar(row.title, null);
    cal.method(cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST);
    // With a METHOD, DTSTAMP is when this file was made (RFC 5545 3.8.7.2).
    await this.addEvents(cal, [row], new Date(), viewer.kind === 'session' ? viewer.userId : null);
    const slug =
      row.title
        .replace(/[^\p{L}\p{N}]+/gu, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 60) || 'session';
    return { filename: `${slug}.ics`, content: cal.toString() };
  }

  // ------------------------------------------------------------------ writing iCalendar

  private calendar(name: string, timeZone: string | null): ICalCalendar {
    const cal = icalGenerator({
      name,
      prodId: { company: 'Course Companion', product: 'Schedule', language: 'EN' },
      // Calendar apps that honour it refresh hourly (Google Calendar keeps its own 8 to 24 hours).
      ttl: 3600,
    });
    if (timeZone) cal.x([{ key: 'X-WR-TIMEZONE', value: timeZone }]);
    return cal;
  }

  /**
   * One VEVENT per session row. `stamp`: DTSTAMP (null: the row's last change, as a feed without METHOD wants).
   * `forUser`: whose calendar it is: a host's own booking is titled with the student's name (the row's title names
   * the host, as the student sees it).
   */
  private async addEvents(cal: ICalCalendar, rows: SessionRow[], stamp: Date | null, forUser: string | null = null): Promise<void> {
    const hostedBooking = (r: SessionRow) => r.kind === 'booking' && r.hostId === forUser && r.studentId !== null;
    const peopleIds = [...new Set(rows.flatMap((r) => (hostedBooking(r) ? [r.hostId, r.studentId!] : [r.hostId])))];
    const people = peopleIds.length
      ? await this.d.db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, peopleIds))
      : [];
    const personOf = new Map(people.map((h) => [h.id, h]));
    for (const r of rows) {
      const host = personOf.get(r.hostId);
      const student = hostedBooking(r) ? personOf.get(r.studentId!) : undefined;
      const description = [r.description, r.meetingUrl ? `Join: ${r.meetingUrl}` : ''].filter(Boolean).join('\n\n');
      cal.createEvent({
        id: `${r.id}@${this.#host}`,
        start: r.startsAt,
        end: r.endsAt,
        stamp: stamp ?? r.updatedAt,
        created: r.createdAt,
        lastModified: r.updatedAt,
        sequence: r.sequence,
        status: r.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
        summary: student ? `Office hours with ${student.name}` : r.title,
        description: description || null,
        location: r.location || (r.meetingUrl ?? null),
        url: r.meetingUrl ?? null,
        // iTIP (METHOD) needs an ORGANIZER; the host, with an address only when the LMS gave one.
        organizer: host ? { name: host.name, email: host.email ?? `noreply@${this.#host}` } : null,
      });
    }
  }

  private mac(what: string): string {
    return createHmac('sha256', this.#key).update(what).digest('base64url').slice(0, 32);
  }
}

/** A token as this service makes them: 32 base64url characters. */
const TOKEN = /^[A-Za-z0-9_-]{32}$/;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const saltOf = (stored: string): string | null => {
  const i = stored.indexOf(':');
  return i > 0 ? stored.slice(0, i) : null;
};

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function personOf(viewer: Viewer): string {
  if (viewer.kind !== 'session') throw new AppError('FORBIDDEN', 'Calendar feeds belong to people: sign in through your LMS.');
  return viewer.userId;
}
