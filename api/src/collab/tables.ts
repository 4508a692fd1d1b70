/**
 * Collaborative code sessions: the session (what is edited, by whom, under which rules), who joined it, its
 * documents (one shared document, or one copy per student once it is an exercise), their compacted state, the update
 * log's history after compaction (for replay), and named versions.
 *
 * A document's live update log is its realtime stream (`collab:<documentId>`, a durable stream: kept until the
 * compaction job merges it into `collab_documents.snapshot`); the merged updates move into `collab_history` so that
 * replay still goes edit by edit.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from '../db/columns.js';
import { courses } from '../courses/tables.js';
import { tenants } from '../tenants/tables.js';
import { users } from '../users/tables.js';
import { resourceLinks } from '../lti/tables.js';

/** Binary columns (Yjs updates and states), read and written as Uint8Array. */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array | Buffer }>({
  dataType: () => 'bytea',
  toDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)),
  fromDriver: (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
});

export const COLLAB_LANGUAGES = ['python', 'javascript', 'typescript', 'java', 'c', 'cpp', 'go', 'sql'] as const;
export type CollabLanguage = (typeof COLLAB_LANGUAGES)[number];

const tenantId = () =>
  uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' });
const sessionId = () =>
  uuid('session_id')
    .notNull()
    .references(() => collabSessions.id, { onDelete: 'cascade' });
const documentId = () =>
  uuid('document_id')
    .notNull()
    .references(() => collabDocuments.id, { onDelete: 'cascade' });

/** A collaborative code session of a course. */
export const collabSessions = pgTable(
  'collab_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    /** One of COLLAB_LANGUAGES: the editor's highlighting. */
    language: text('language').notNull(),
    /** What a document starts with, and what a reset puts back. */
    startingCode: text('starting_code').notNull().default(''),
    /** course: any member of the course may join | code: joining takes `access_code` */
    visibility: text('visibility').notNull().default('course'),
    accessCode: text('access_code'),
    /** People who may join at most (the owner and course staff not counted); null: no limit. */
    maxCollaborators: integer('max_collaborators'),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The deep-linked LMS activity the session is handed out from (launches from it open this session). */
    resourceLinkId: uuid('resource_link_id').references(() => resourceLinks.id, { onDelete: 'set null' }),
    /** shared: one document everyone edits | per_student: an exercise, every student edits their own copy */
    mode: text('mode').notNull().default('shared'),
    /** Read-only for everyone but the owner and course staff (every document of the session). */
    locked: boolean('locked').notNull().default(false),
    /** The Yjs state every student's copy starts from (per_student only): the shared document when it was forked. */
    forkBase: bytea('fork_base'),
    forkedAt: timestamp('forked_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('collab_sessions_course_idx').on(t.courseId, t.createdAt),
    index('collab_sessions_link_idx').on(t.resourceLinkId),
    check('collab_sessions_language_ck', sql`${t.language} in ('python', 'javascript', 'typescript', 'java', 'c', 'cpp', 'go', 'sql')`),
    check('collab_sessions_visibility_ck', sql`${t.visibility} in ('course', 'code')`),
    check('collab_sessions_mode_ck', sql`${t.mode} in ('shared', 'per_student')`),
    check('collab_sessions_code_ck', sql`${t.visibility} = 'course' or ${t.accessCode} is not null`),
    check('collab_sessions_max_ck', sql`${t.maxCollaborators} is null or ${t.maxCollaborators} >= 1`),
  ],
);

/** Who joined a session (first open, with the access code where one is needed). Max collaborators counts these rows. */
export const collabMembers = pgTable(
  'collab_members',
  {
    sessionId: sessionId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tenantId: tenantId(),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId] }), index('collab_members_user_idx').on(t.userId)],
);

/**
 * A Yjs document: the session's shared one (`owner_id` null) or a student's copy of an exercise. `snapshot` is the
 * merged state of every update up to `snapshot_seq` of its stream; loading is snapshot + the stream's tail. `base`
 * is where replay starts (the starting code, or the fork base a copy began from).
 */
export const collabDocuments = pgTable(
  'collab_documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    sessionId: sessionId(),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'cascade' }),
    base: bytea('base').notNull(),
    snapshot: bytea('snapshot').notNull(),
    snapshotSeq: bigint('snapshot_seq', { mode: 'number' }).notNull().default(0),
    /** The stream's updates after `snapshot_seq`: their number and bytes (the compaction job's trigger). */
    logCount: integer('log_count').notNull().default(0),
    logBytes: integer('log_bytes').notNull().default(0),
    /** The text's length after the last update (characters). */
    textLength: integer('text_length').notNull().default(0),
    /** The last update, and the first one by the copy's owner (a student who has not started has none). */
    editedAt: timestamp('edited_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('collab_documents_copy_uq').on(t.sessionId, t.ownerId),
    uniqueIndex('collab_documents_shared_uq')
      .on(t.sessionId)
      .where(sql`${t.ownerId} is null`),
  ],
);

/**
 * What compaction took out of a document's stream, kept for replay: the updates of seq `from_seq`…`to_seq`, each
 * with its time and author, in one binary segment (see collab/history.ts).
 */
export const collabHistory = pgTable(
  'collab_history',
  {
    documentId: documentId(),
    fromSeq: bigint('from_seq', { mode: 'number' }).notNull(),
    toSeq: bigint('to_seq', { mode: 'number' }).notNull(),
    tenantId: tenantId(),
    data: bytea('data').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.fromSeq] })],
);

/** A named version of a document: its state when saved; restoring applies it as a forward update. */
export const collabVersions = pgTable(
  'collab_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    documentId: documentId(),
    name: text('name').notNull(),
    state: bytea('state').notNull(),
    /** The text when saved (listed as a preview). */
    text: text('text').notNull(),
    /** The document's stream head when saved. */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('collab_versions_document_idx').on(t.documentId, t.createdAt)],
);
