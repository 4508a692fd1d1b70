/**
 * Rooms, their members, messages and reactions. A message's `seq` is the sequence number of its
 * `message.added` event on the room's stream, so history pages and live subscriptions share one cursor.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  index,
  type AnyPgColumn,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { courses } from '../courses/tables.js';
import { tenants } from '../tenants/tables.js';
import { users } from '../users/tables.js';
import { createdAt, updatedAt } from '../db/columns.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** course | group | direct | live | tutor */
export const rooms = pgTable(
  'rooms',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    topic: text('topic'),
    /** The student a tutor room belongs to; the creator of a group room. */
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    /** Direct rooms: the two user ids, sorted and joined, so that a pair has one room. */
    directKey: text('direct_key'),
    /** Live-class rooms: the live class they belong to (a later feature's id). */
    ref: text('ref'),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    /** Whether the AI tutor answers "@tutor" here (tutor rooms: always). */
    tutorEnabled: boolean('tutor_enabled').notNull().default(false),
    /** The tutor's mode in this room; null: the course's. */
    tutorMode: text('tutor_mode'),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }),
    /** Course rooms: the message pinned at the top as the announcement, who pinned it and when. */
    announcementId: uuid('announcement_id').references((): AnyPgColumn => messages.id, { onDelete: 'set null' }),
    announcedBy: uuid('announced_by').references(() => users.id, { onDelete: 'set null' }),
    announcedAt: timestamp('announced_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('rooms_course_room_uq')
      .on(t.courseId)
      .where(sql`kind = 'course'`),
    uniqueIndex('rooms_direct_uq')
      .on(t.courseId, t.directKey)
      .where(sql`direct_key is not null`),
    uniqueIndex('rooms_tutor_uq')
      .on(t.courseId, t.ownerId)
      .where(sql`kind = 'tutor'`),
    uniqueIndex('rooms_live_uq')
      .on(t.courseId, t.ref)
      .where(sql`kind = 'live'`),
    index('rooms_course_idx').on(t.courseId),
  ],
);

/**
 * Membership of group, direct and tutor rooms; for course and live rooms (whose readers are the course's
 * members) a row exists only to hold a member's read marker or mute.
 */
export const roomMembers = pgTable(
  'room_members',
  {
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** 'owner' | 'member' */
    role: text('role').notNull().default('member'),
    /** 'active' | 'left'; course and live rooms keep 'active' rows for read state only. */
    status: text('status').notNull().default('active'),
    muted: boolean('muted').notNull().default(false),
    /** Everything up to this seq has been read. */
    lastReadSeq: bigint('last_read_seq', { mode: 'number' }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId] }), index('room_members_user_idx').on(t.userId)],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    /** Null for system messages. */
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    /** The sender's id for this message: a resend with the same id is the same message. */
    clientId: text('client_id'),
    /** text | code | system */
    kind: text('kind').notNull(),
    body: text('body').notNull(),
    language: text('language'),
    replyToId: uuid('reply_to_id'),
    mentions: uuid('mentions')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    editedAt: timestamp('edited_at', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /** 'author' | 'moderator' */
    deletedBy: text('deleted_by'),
    search: tsvector('search').generatedAlwaysAs(
      sql`to_tsvector('simple', case when deleted_at is null and kind <> 'system' then body else '' end)`,
    ),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('messages_room_seq_uq').on(t.roomId, t.seq),
    uniqueIndex('messages_client_uq')
      .on(t.roomId, t.authorId, t.clientId)
      .where(sql`client_id is not null`),
    index('messages_search_idx').using('gin', t.search),
    index('messages_room_created_idx').on(t.roomId, t.createdAt),
  ],
);

export const messageReactions = pgTable(
  'message_reactions',
  {
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    emoji: text('emoji').notNull(),
    tenantId: uuid('tenant_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.userId, t.emoji] })],
);
