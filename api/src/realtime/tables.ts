import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from '../db/columns.js';

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
    payload: jsonb('payload')
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.stream, t.seq] }), index('stream_events_created_idx').on(t.createdAt)],
);
