/** What LTI launches leave behind for a course: its resource links (AGS line items) and the roster sync state. */
import { bigint, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from '../db/columns.js';
import { tenants } from '../tenants/tables.js';
import { courses } from '../courses/tables.js';

/** The progress of the last roster (NRPS) sync of a course: one row per course, updated as pages arrive. */
export const rosterSyncs = pgTable('roster_syncs', {
  courseId: uuid('course_id')
    .primaryKey()
    .references(() => courses.id, { onDelete: 'cascade' }),
  tenantId: uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  /** 'queued' | 'running' | 'done' | 'failed' */
  status: text('status').notNull(),
  /** The NRPS memberships URL from the latest launch that carried one. */
  membershipsUrl: text('memberships_url').notNull(),
  fetched: bigint('fetched', { mode: 'number' }).notNull().default(0),
  pages: bigint('pages', { mode: 'number' }).notNull().default(0),
  error: text('error'),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  updatedAt: updatedAt(),
});

/**
 * An LMS resource link (a placement of the tool in a course): what it opens, and its AGS line item when the
 * platform gave one. Filled at launch.
 */
export const resourceLinks = pgTable(
  'resource_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    resourceLinkId: text('resource_link_id').notNull(),
    title: text('title'),
    /** hub | chat | tutor | live | collab | schedule */
    section: text('section').notNull().default('hub'),
    lineItemUrl: text('line_item_url'),
    /** Where the platform placed the link (Canvas's `https://www.instructure.com/placement`). */
    placement: text('placement'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('resource_links_course_link_uq').on(t.courseId, t.resourceLinkId)],
);
