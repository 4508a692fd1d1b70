/**
 * What happened in a course, for its staff: the activity feed (joins and first launches, message volume, bookings,
 * sessions, tutor budget warnings) and the audit log (who changed what, with the old and new values). The audit log
 * is append-only: a trigger in the migration refuses UPDATE and DELETE on it.
 */
import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { courses } from '../courses/tables.js';
import { tenants } from '../tenants/tables.js';
import { users } from '../users/tables.js';

/** One entry of a course's activity feed. `type` names what happened; `data` holds what the entry shows. */
export const courseActivity = pgTable(
  'course_activity',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    data: jsonb('data')
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('course_activity_course_created_idx').on(t.courseId, t.createdAt)],
);

/** One change: who (a person or an API key), what (entity and id), the action, and the values before and after. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** Null for changes that belong to no course (tenant settings). */
    courseId: uuid('course_id').references(() => courses.id, { onDelete: 'cascade' }),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    /** The API key that made the change, when one did. */
    apiKeyId: uuid('api_key_id'),
    /** session | series | office_hours | booking | membership | moderation | tutor_budget | schedule_settings … */
    entity: text('entity').notNull(),
    entityId: text('entity_id').notNull(),
    action: text('action').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('audit_log_course_created_idx').on(t.courseId, t.createdAt),
    index('audit_log_tenant_created_idx').on(t.tenantId, t.createdAt),
  ],
);
