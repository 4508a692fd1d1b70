/**
 * The AI tutor: course settings, one request per question (its id is the BullMQ job id), the usage ledger
 * (one row per provider call, unique per request and attempt, and one per refused question) and the budget
 * counters that reservations are taken from atomically.
 */

import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { courses } from '../courses/tables.js';
import { tenants } from '../tenants/tables.js';
import { users } from '../users/tables.js';
import { createdAt, updatedAt } from '../db/columns.js';
import { messages, rooms } from '../rooms/tables.js';

export const tutorSettings = pgTable('tutor_settings', {
  courseId: uuid('course_id')
    .primaryKey()
    .references(() => courses.id, { onDelete: 'cascade' }),
  tenantId: uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  /** socratic | explain | review */
  mode: text('mode').notNull().default('socratic'),
  /** The instructor's course brief (syllabus, rules), part of the system prompt. */
  brief: text('brief').notNull().default(''),
  /** Null: the installation's default (TUTOR_USER_DAILY_TOKENS / TUTOR_COURSE_MONTHLY_TOKENS). */
  userDailyTokens: integer('user_daily_tokens'),
  courseMonthlyTokens: integer('course_monthly_tokens'),
  updatedAt: updatedAt(),
});

export const tutorRequests = pgTable(
  'tutor_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    questionId: uuid('question_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    /** queued | running | done | failed | cancelled | refused */
    status: text('status').notNull().default('queued'),
    replyId: uuid('reply_id'),
    /** Tokens this request holds reserved in the budget counters (released or settled after each call). */
    reservedTokens: integer('reserved_tokens').notNull().default(0),
    /** The budget period keys the reservation was taken in (so that a later attempt releases the right ones). */
    reservedDay: text('reserved_day'),
    reservedMonth: text('reserved_month'),
    /** Provider calls started for this request. */
    calls: integer('calls').notNull().default(0),
    /** While a worker produces the reply it renews this; a second delivery waits until it passes. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('tutor_requests_question_uq').on(t.questionId),
    index('tutor_requests_room_idx').on(t.roomId),
    // The sweep for questions whose job was lost (TutorService.requeueStale) reads only the queued ones.
    index('tutor_requests_queued_idx')
      .on(t.updatedAt)
      .where(sql`status = 'queued'`),
  ],
);

export const usageLedger = pgTable(
  'usage_ledger',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roomId: uuid('room_id').notNull(),
    requestId: uuid('request_id').notNull(),
    /** The provider call within the request (1, 2, … across retries): one ledger row per call; 0: the question was refused. */
    call: integer('call').notNull(),
    /** The BullMQ job that made the call. */
    jobId: text('job_id').notNull(),
    model: text('model').notNull(),
    promptTokens: integer('prompt_tokens').notNull(),
    completionTokens: integer('completion_tokens').notNull(),
    /** Millionths of a US dollar, from the price table. */
    costMicros: bigint('cost_micros', { mode: 'number' }).notNull(),
    /** provider (reported usage) | tokenizer (counted here: the provider reported none) | none (a refusal: no call) */
    source: text('source').notNull(),
    /** done | cancelled | failed | refused (over a budget: no call, no tokens) */
    outcome: text('outcome').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('usage_ledger_call_uq').on(t.requestId, t.call),
    index('usage_ledger_course_created_idx').on(t.courseId, t.createdAt),
  ],
);

/** Used and reserved tokens per budget period: `user-day` keyed `<userId>:<YYYY-MM-DD>`, `course-month` keyed `<courseId>:<YYYY-MM>`. */
export const budgetCounters = pgTable(
  'budget_counters',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    tenantId: uuid('tenant_id').notNull(),
    used: bigint('used', { mode: 'number' }).notNull().default(0),
    reserved: bigint('reserved', { mode: 'number' }).notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);
