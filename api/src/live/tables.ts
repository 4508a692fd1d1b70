/**
 * Live classes: the class (linked to a schedule session, with its own chat room and meeting), who was admitted,
 * the attendance ledger (every stretch of presence, several per person, kept for good), and what happens in class:
 * raised hands, questions and their votes, confusion signals, quick polls and their answers.
 *
 * Rows that record what a person did in a class (attendance, questions, votes, answers) are never deleted with the
 * class's end; they go only with their course or tenant (cascades), so the record stays tied to the LTI identity.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from '../db/columns.js';
import { courses } from '../courses/tables.js';
import { rooms } from '../rooms/tables.js';
import { tenants } from '../tenants/tables.js';
import { users } from '../users/tables.js';
import { scheduleSessions } from '../schedule/tables.js';
import { resourceLinks } from '../lti/tables.js';

const tenantId = () =>
  uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' });
const classId = () =>
  uuid('class_id')
    .notNull()
    .references(() => liveClasses.id, { onDelete: 'cascade' });
const userId = (name = 'user_id') =>
  uuid(name)
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' });

/** A live class: scheduled, then live (a host started it), then ended (a host ended it). */
export const liveClasses = pgTable(
  'live_classes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    /** The schedule session it is planned as (its time, reminders and calendar entry). */
    sessionId: uuid('session_id').references(() => scheduleSessions.id, { onDelete: 'set null' }),
    /** Its own chat room (kind `live`, `ref` = this id). */
    roomId: uuid('room_id').references(() => rooms.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    /** The scheduled time: attendance is measured against it. */
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    /** Participants admitted at most (hosts not counted); null: no limit. */
    maxParticipants: integer('max_participants'),
    /** link | bbb */
    provider: text('provider').notNull().default('link'),
    /** The meeting's URL for a link class (Jitsi, Zoom, Teams…); null for BigBlueButton (join URLs are per person). */
    meetingUrl: text('meeting_url'),
    /** A recording's URL a host gives after the class (BigBlueButton's are listed from its API). */
    recordingUrl: text('recording_url'),
    /** BigBlueButton's meetingID (stable per class) and the moderator/attendee passwords it was created with. */
    bbbMeetingId: text('bbb_meeting_id'),
    /** scheduled | live | ended */
    state: text('state').notNull().default('scheduled'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    startedBy: uuid('started_by').references(() => users.id, { onDelete: 'set null' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** The graded LMS activity (a deep-linked resource link with a line item) attendance is passed back to. */
    resourceLinkId: uuid('resource_link_id').references(() => resourceLinks.id, { onDelete: 'set null' }),
    /** threshold (full credit at or above `threshold_percent` of the scheduled time, else none) | proportional */
    policy: text('policy').notNull().default('threshold'),
    thresholdPercent: integer('threshold_percent').notNull().default(80),
    /** Whether students may ask anonymously (anonymous to classmates; hosts still see who asked). */
    anonymousQuestions: boolean('anonymous_questions').notNull().default(true),
    /** Confusion: the sliding window, and the share of present students signalling in it that raises the alert. */
    confusionWindowSeconds: integer('confusion_window_seconds').notNull().default(180),
    confusionAlertPercent: integer('confusion_alert_percent').notNull().default(25),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('live_classes_course_idx').on(t.courseId, t.startsAt),
    uniqueIndex('live_classes_bbb_uq').on(t.bbbMeetingId),
    check('live_classes_state_ck', sql`${t.state} in ('scheduled', 'live', 'ended')`),
    check('live_classes_provider_ck', sql`${t.provider} in ('link', 'bbb')`),
    check('live_classes_policy_ck', sql`${t.policy} in ('threshold', 'proportional')`),
    check('live_classes_time_ck', sql`${t.endsAt} > ${t.startsAt}`),
  ],
);

/**
 * Who was admitted to a class (first join), with the attendance summary and the grade passback state. A row per
 * person and class: max participants counts these rows (hosts excluded) under the class row's lock.
 */
export const liveAttendees = pgTable(
  'live_attendees',
  {
    classId: classId(),
    userId: userId(),
    tenantId: tenantId(),
    /** host | participant */
    role: text('role').notNull(),
    admittedAt: timestamp('admitted_at', { withTimezone: true }).notNull().defaultNow(),
    /** Joins recorded (each click on Join, each return after leaving). */
    joins: integer('joins').notNull().default(0),
    /** An instructor's correction of the minutes present (null: as measured), who made it, when and why. */
    correctedMinutes: integer('corrected_minutes'),
    correctedBy: uuid('corrected_by').references(() => users.id, { onDelete: 'set null' }),
    correctedAt: timestamp('corrected_at', { withTimezone: true }),
    correctionNote: text('correction_note'),
    /** The score (0–100) last computed from attendance and the policy; null until the class ended. */
    score: real('score'),
    /** none | queued | posted | failed — the grade passback of `score` (version `passback_version`). */
    passbackState: text('passback_state').notNull().default('none'),
    passbackVersion: integer('passback_version').notNull().default(0),
    passbackError: text('passback_error'),
    passbackAt: timestamp('passback_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.classId, t.userId] }), index('live_attendees_user_idx').on(t.userId)],
);

/**
 * The attendance ledger: one row per stretch of presence. Open while `left_at` is null (at most one open row per
 * person and class); `last_seen_at` moves with the person's heartbeats; a short drop (back within the grace
 * period) keeps the row open, a longer absence closes it at `last_seen_at` and a return opens a new one.
 */
export const liveIntervals = pgTable(
  'live_intervals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    classId: classId(),
    userId: userId(),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    leftAt: timestamp('left_at', { withTimezone: true }),
    /** left (the person left) | timeout (no heartbeat) | ended (the class ended) */
    endReason: text('end_reason'),
  },
  (t) => [
    index('live_intervals_class_user_idx').on(t.classId, t.userId, t.joinedAt),
    uniqueIndex('live_intervals_open_uq')
      .on(t.classId, t.userId)
      .where(sql`left_at is null`),
    index('live_intervals_open_seen_idx')
      .on(t.lastSeenAt)
      .where(sql`left_at is null`),
  ],
);

/** Hands raised now, in arrival order (a lowered hand is deleted). */
export const liveHands = pgTable(
  'live_hands',
  {
    classId: classId(),
    userId: userId(),
    tenantId: tenantId(),
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.classId, t.userId] })],
);

/** Questions of a class's Q&A; `votes` is kept equal to the count of `live_question_votes` rows in the same writes. */
export const liveQuestions = pgTable(
  'live_questions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    classId: classId(),
    authorId: userId('author_id'),
    body: text('body').notNull(),
    anonymous: boolean('anonymous').notNull().default(false),
    /** open | answered | dismissed */
    status: text('status').notNull().default('open'),
    votes: integer('votes').notNull().default(0),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    answeredBy: uuid('answered_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('live_questions_class_idx').on(t.classId, t.createdAt),
    check('live_questions_status_ck', sql`${t.status} in ('open', 'answered', 'dismissed')`),
  ],
);

/** One vote per person and question (the primary key makes a second vote, however concurrent, a no-op). */
export const liveQuestionVotes = pgTable(
  'live_question_votes',
  {
    questionId: uuid('question_id')
      .notNull()
      .references(() => liveQuestions.id, { onDelete: 'cascade' }),
    userId: userId(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.questionId, t.userId] })],
);

/** "I'm lost" signals, with an optional topic; counted over the class's sliding window. */
export const liveConfusion = pgTable(
  'live_confusion',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    classId: classId(),
    userId: userId(),
    topic: text('topic'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('live_confusion_class_at_idx').on(t.classId, t.at)],
);

/** Quick polls: a host asks, students answer once; results are shown to students when the host closes it. */
export const livePolls = pgTable(
  'live_polls',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    classId: classId(),
    question: text('question').notNull(),
    /** The options' labels, in order (2–10). */
    options: jsonb('options').$type<string[]>().notNull(),
    /** open | closed */
    status: text('status').notNull().default('open'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [index('live_polls_class_idx').on(t.classId, t.createdAt), check('live_polls_status_ck', sql`${t.status} in ('open', 'closed')`)],
);

/** One answer per person and poll (the primary key refuses a second). */
export const livePollAnswers = pgTable(
  'live_poll_answers',
  {
    pollId: uuid('poll_id')
      .notNull()
      .references(() => livePolls.id, { onDelete: 'cascade' }),
    userId: userId(),
    option: integer('option').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.userId] })],
);
