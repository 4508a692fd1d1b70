/**
 * Schedules: sessions (one row per occurrence; a weekly series is expanded into its occurrences, each keeping the
 * series' wall-clock time in its zone), attendance, office hours (weekly windows cut into slots) with bookings and
 * a waitlist, reminders, calendar feed tokens, and each course's schedule settings.
 *
 * Times are stored in UTC (timestamptz); `time_zone` (an IANA name) says in which zone a session or window keeps its
 * wall-clock time, which is what a series repeats and what moving across a daylight-saving change preserves.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from '../db/columns.js';
import { courses } from '../courses/tables.js';
import { rooms } from '../rooms/tables.js';
import { tenants } from '../tenants/tables.js';
import { users } from '../users/tables.js';

const tenantId = () =>
  uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' });
const courseId = () =>
  uuid('course_id')
    .notNull()
    .references(() => courses.id, { onDelete: 'cascade' });

/** A course's schedule settings (an instructor sets them; defaults when there is no row). */
export const scheduleSettings = pgTable('schedule_settings', {
  courseId: uuid('course_id')
    .primaryKey()
    .references(() => courses.id, { onDelete: 'cascade' }),
  tenantId: tenantId(),
  /** The course's time zone: the default for new sessions and windows, and for viewers who have none. */
  timeZone: text('time_zone').notNull().default('UTC'),
  /** Reminder offsets before a session starts, in minutes (default 24 h and 15 min). */
  reminderOffsets: integer('reminder_offsets')
    .array()
    .notNull()
    .default(sql`'{1440,15}'::integer[]`),
  /** The course's public calendar feed: the SHA-256 of its token (null: no feed yet, or rotated away). */
  feedTokenHash: text('feed_token_hash'),
  updatedAt: updatedAt(),
});

/** A weekly series: what its occurrences were expanded from, and what "this and the following" splits. */
export const scheduleSeries = pgTable(
  'schedule_series',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    courseId: courseId(),
    /** RFC 5545 RRULE (FREQ=WEEKLY with BYDAY, and COUNT or UNTIL), read in `time_zone`. */
    rrule: text('rrule').notNull(),
    timeZone: text('time_zone').notNull(),
    /** The first occurrence's start (UTC) and every occurrence's length. */
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('schedule_series_course_idx').on(t.courseId)],
);

/**
 * A session: one occurrence. `kind` session (planned by staff) or booking (an office-hours booking, created with it).
 * `audience`: course (every member), student (`student_id`) or room (the members of a group room).
 * `sequence` is RFC 5545's SEQUENCE: raised on every change a calendar must see.
 */
export const scheduleSessions = pgTable(
  'schedule_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    courseId: courseId(),
    kind: text('kind').notNull().default('session'),
    seriesId: uuid('series_id').references(() => scheduleSeries.id, { onDelete: 'set null' }),
    /** The occurrence's start as the series first generated it (RECURRENCE-ID), kept when the occurrence moves. */
    recurrenceId: timestamp('recurrence_id', { withTimezone: true }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    timeZone: text('time_zone').notNull(),
    hostId: uuid('host_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    audience: text('audience').notNull().default('course'),
    studentId: uuid('student_id').references(() => users.id, { onDelete: 'cascade' }),
    roomId: uuid('room_id').references(() => rooms.id, { onDelete: 'set null' }),
    location: text('location').notNull().default(''),
    meetingUrl: text('meeting_url'),
    /** scheduled | completed | cancelled */
    status: text('status').notNull().default('scheduled'),
    sequence: integer('sequence').notNull().default(0),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('schedule_sessions_course_time_idx').on(t.courseId, t.startsAt),
    index('schedule_sessions_host_time_idx').on(t.hostId, t.startsAt),
    index('schedule_sessions_student_idx')
      .on(t.studentId)
      .where(sql`student_id is not null`),
    index('schedule_sessions_series_idx')
      .on(t.seriesId)
      .where(sql`series_id is not null`),
    check('schedule_sessions_time_ck', sql`ends_at > starts_at`),
    check('schedule_sessions_status_ck', sql`status in ('scheduled', 'completed', 'cancelled')`),
    check('schedule_sessions_audience_ck', sql`audience in ('course', 'student', 'room')`),
  ],
);

/** Attendance and completion per attendee of a session (marked by its host or course staff). */
export const scheduleAttendance = pgTable(
  'schedule_attendance',
  {
    sessionId: uuid('session_id')
      .notNull()
      .references(() => scheduleSessions.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tenantId: tenantId(),
    /** present | absent | excused | null (not marked) */
    attendance: text('attendance'),
    completed: boolean('completed').notNull().default(false),
    markedBy: uuid('marked_by').references(() => users.id, { onDelete: 'set null' }),
    markedAt: timestamp('marked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId] })],
);

/** Office hours: a host's weekly window, cut into slots of `slot_minutes`, bookable between notice and horizon. */
export const officeHourWindows = pgTable(
  'office_hour_windows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    courseId: courseId(),
    hostId: uuid('host_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull().default('Office hours'),
    /** ISO weekday (1 Monday … 7 Sunday) and wall-clock minutes from midnight in `time_zone`. */
    weekday: integer('weekday').notNull(),
    startMinute: integer('start_minute').notNull(),
    endMinute: integer('end_minute').notNull(),
    timeZone: text('time_zone').notNull(),
    slotMinutes: integer('slot_minutes').notNull(),
    /** How far ahead a slot may be booked (days) and how late (minutes before it starts). */
    horizonDays: integer('horizon_days').notNull().default(14),
    minNoticeMinutes: integer('min_notice_minutes').notNull().default(60),
    /** Up to how many minutes before a booked slot either side may still cancel it. */
    cancelNoticeMinutes: integer('cancel_notice_minutes').notNull().default(0),
    location: text('location').notNull().default(''),
    meetingUrl: text('meeting_url'),
    /** active | withdrawn */
    status: text('status').notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('office_hour_windows_course_idx').on(t.courseId),
    index('office_hour_windows_host_idx').on(t.hostId),
    check('office_hour_windows_weekday_ck', sql`weekday between 1 and 7`),
    check('office_hour_windows_minutes_ck', sql`start_minute >= 0 and end_minute <= 1440 and end_minute > start_minute`),
    check('office_hour_windows_slot_ck', sql`slot_minutes between 5 and 240`),
  ],
);

/**
 * A booked slot. The exclusion constraint `office_hour_bookings_host_no_overlap` (in the migration: drizzle cannot
 * declare one) keeps any two live bookings of one host from overlapping, and `..._student_no_overlap` one student's:
 * a slot is never booked twice, whatever races.
 */
export const officeHourBookings = pgTable(
  'office_hour_bookings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    courseId: courseId(),
    windowId: uuid('window_id')
      .notNull()
      .references(() => officeHourWindows.id, { onDelete: 'cascade' }),
    hostId: uuid('host_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    studentId: uuid('student_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The session this booking is on the calendars as (kind booking). */
    sessionId: uuid('session_id').references(() => scheduleSessions.id, { onDelete: 'set null' }),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    /** What the student wants to discuss; only they and staff read it. */
    question: text('question').notNull().default(''),
    /** booked | cancelled */
    status: text('status').notNull().default('booked'),
    cancelledBy: uuid('cancelled_by').references(() => users.id, { onDelete: 'set null' }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('office_hour_bookings_window_time_idx').on(t.windowId, t.startsAt),
    index('office_hour_bookings_student_idx').on(t.studentId, t.startsAt),
    check('office_hour_bookings_status_ck', sql`status in ('booked', 'cancelled')`),
  ],
);

/** The waitlist of one day of a window: first come, first served when a slot frees up. */
export const officeHourWaitlist = pgTable(
  'office_hour_waitlist',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    windowId: uuid('window_id')
      .notNull()
      .references(() => officeHourWindows.id, { onDelete: 'cascade' }),
    /** The window's date (in its zone), as YYYY-MM-DD. */
    day: text('day').notNull(),
    studentId: uuid('student_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** waiting | notified | left */
    status: text('status').notNull().default('waiting'),
    notifiedAt: timestamp('notified_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('office_hour_waitlist_uq').on(t.windowId, t.day, t.studentId),
    index('office_hour_waitlist_order_idx').on(t.windowId, t.day, t.createdAt),
  ],
);

/**
 * One reminder per attendee and offset of a session. Its state is the truth instructors see: scheduled, sent,
 * skipped (the attendee muted reminders), failed, or cancelled. `sent` is set in the transaction that writes the
 * notification, only from `scheduled`: delivered at most once however often the job runs.
 */
export const scheduleReminders = pgTable(
  'schedule_reminders',
  {
    sessionId: uuid('session_id')
      .notNull()
      .references(() => scheduleSessions.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    offsetMinutes: integer('offset_minutes').notNull(),
    tenantId: tenantId(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    /** scheduled | sent | skipped | failed | cancelled */
    state: text('state').notNull().default('scheduled'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    error: text('error'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId, t.offsetMinutes] }), index('schedule_reminders_due_idx').on(t.state, t.dueAt)],
);

/**
 * A user's private calendar feed (their sessions and bookings in every course of the tenant): the SHA-256 of its
 * token. Rotating replaces the row, so the old URL answers 404 at once.
 */
export const calendarFeeds = pgTable(
  'calendar_feeds',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    tenantId: tenantId(),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('calendar_feeds_token_uq').on(t.tokenHash)],
);
