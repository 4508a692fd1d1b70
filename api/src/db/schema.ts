/**
 * Core tables. Every row carries its tenant; every query is scoped by it. Feature tables live in their
 * feature folders and are re-exported from here so that drizzle-kit sees the whole schema.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

// The ltijs document store's table (lti_store) lives with its code in lti-tool; exported here so that drizzle-kit sees it.
export * from '@lt/lti-tool/schema';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** One registered LMS platform: an issuer and the client id it gave this tool. */
export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    issuer: text('issuer').notNull(),
    clientId: text('client_id').notNull(),
    name: text('name').notNull(),
    /** 'moodle' | 'canvas' | 'generic': where platform quirks are chosen. */
    platform: text('platform').notNull().default('generic'),
    /** 'active' | 'pending' | 'disabled' */
    status: text('status').notNull().default('active'),
    /** Whether a launch from a deployment not seen before is accepted and recorded (Canvas registers no deployment). */
    acceptNewDeployments: boolean('accept_new_deployments').notNull().default(false),
    /** Origins allowed to frame the tool for this platform (CSP frame-ancestors), learned at registration and launch. */
    frameOrigins: text('frame_origins').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('tenants_issuer_client_uq').on(t.issuer, t.clientId)],
);

export const deployments = pgTable(
  'deployments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    deploymentId: text('deployment_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('deployments_tenant_deployment_uq').on(t.tenantId, t.deploymentId)],
);

/** An LTI context inside a tenant. */
export const courses = pgTable(
  'courses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    contextId: text('context_id').notNull(),
    title: text('title').notNull(),
    label: text('label'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('courses_tenant_context_uq').on(t.tenantId, t.contextId)],
);

/** An LTI `sub` inside a tenant's issuer. */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    subject: text('subject').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    picture: text('picture'),
    /** BCP 47 locale from the launch (`locale`, or launch_presentation.locale). */
    locale: text('locale'),
    /** The user's LTI 1.1 id on this platform, when sent (migrations from LTI 1.1 tools match on it). */
    legacyUserId: text('legacy_user_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_tenant_subject_uq').on(t.tenantId, t.subject)],
);

/** A user's roles in a course. `roles` holds our course roles (see courses/roles.ts). */
export const memberships = pgTable(
  'memberships',
  {
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').notNull().references(() => courses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
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

/** Integrator keys: only a SHA-256 of the secret is stored. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The public part of the key, shown in lists so a key can be recognised. */
    prefix: text('prefix').notNull(),
    secretHash: text('secret_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    /**
     * The key's reach. A course-scoped key (staff) reads and changes only these courses, and each only while its
     * creator is still staff of it; a tenant-wide key (LMS administrators only) reaches every course of the
     * tenant while its creator is still an administrator. Checked on every use (auth/access.ts).
     */
    courseIds: uuid('course_ids').array().notNull().default(sql`'{}'::uuid[]`),
    tenantWide: boolean('tenant_wide').notNull().default(false),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_keys_prefix_uq').on(t.prefix), index('api_keys_tenant_idx').on(t.tenantId)],
);

/**
 * The realtime module's tables. `stream_counters` holds the last sequence number of each stream; the row is
 * locked by the UPDATE that takes the next number, so writers to one stream serialise and sequence numbers
 * grow in commit order. `stream_events` is the replay log.
 */
export const streamCounters = pgTable('stream_counters', {
  stream: text('stream').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
});

export const streamEvents = pgTable(
  'stream_events',
  {
    stream: text('stream').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    tenantId: uuid('tenant_id').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.stream, t.seq] }), index('stream_events_created_idx').on(t.createdAt)],
);

/** The progress of the last roster (NRPS) sync of a course: one row per course, updated as pages arrive. */
export const rosterSyncs = pgTable('roster_syncs', {
  courseId: uuid('course_id').primaryKey().references(() => courses.id, { onDelete: 'cascade' }),
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
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
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').notNull().references(() => courses.id, { onDelete: 'cascade' }),
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

// Feature tables.
export * from '../rooms/tables.js';
export * from '../notifications/tables.js';
export * from '../tutor/tables.js';
