/** Courses (LTI contexts) and who takes part in them. */
import { index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from '../db/columns.js';
import { tenants } from '../tenants/tables.js';
import { users } from '../users/tables.js';

/** An LTI context inside a tenant. */
export const courses = pgTable(
  'courses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    contextId: text('context_id').notNull(),
    title: text('title').notNull(),
    label: text('label'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('courses_tenant_context_uq').on(t.tenantId, t.contextId)],
);

/** A user's roles in a course. `roles` holds our course roles (see courses/roles.ts). */
export const memberships = pgTable(
  'memberships',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roles: text('roles').array().notNull(),
    /** 'active' | 'removed' */
    status: text('status').notNull().default('active'),
    /** The last LTI launch of this user in this course; null for members known only from the roster (NRPS). */
    launchedAt: timestamp('launched_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);
